"""`kube deploy/get/list/delete/logs/version` against the API tier (fake API or a real cluster).

The CLI runs in-process with `--kubeconfig` pointing at the tier's API and `-n` at the test's
fresh namespace; the SpinApp CRDs from `config/crd/` are applied first.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from spinkube.kube import Kube, NotFound
from spinkube.kube.resources import SpinApp
from spinkube.plugin.__main__ import run
from spinkube.plugin.errors import ExitCode

pytestmark = pytest.mark.api

IMAGE = "ghcr.io/spinkube/containerd-shim-spin/examples/spin-rust-hello:v0.13.0"
APP = "spin-rust-hello"


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str


Plugin = Callable[..., Result]


@pytest.fixture
def plugin(
    kube_api: Any,
    namespace: str,
    spinkube_crds: None,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> Plugin:
    """Run `kube ARGS... --kubeconfig <tier> -n <namespace>`; `stdin=` feeds a prompt."""
    monkeypatch.setenv("SPIN_KUBE_DISABLE_DIR_CONTEXT", "true")

    def invoke(*args: str, stdin: str = "", namespaced: bool = True) -> Result:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        globals_ = ["--kubeconfig", str(kube_api.kubeconfig)]
        if namespaced:
            globals_ += ["-n", namespace]
        capsys.readouterr()
        code = run([*globals_, *args], prog_name="kube")
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return invoke


def _stored(kube: Kube, namespace: str, name: str = APP) -> Any:
    return kube.get(SpinApp, name, namespace=namespace)


def _managers(obj: Any) -> set[str]:
    return {entry.manager for entry in obj.metadata.managedFields or []}


def test_deploy_creates_then_configures(plugin: Plugin, kube: Kube, namespace: str) -> None:
    first = plugin("deploy", "--from", IMAGE)
    assert (first.code, first.out) == (0, f"spinapp.core.spinoperator.dev/{APP} created\n")
    stored = _stored(kube, namespace)
    assert stored.spec == {
        "image": IMAGE,
        "executor": "containerd-shim-spin",
        "replicas": 2,
        "enableAutoscaling": False,  # the CRD's default, filled in by the API server
    }
    assert "spin-plugin-kube" in _managers(stored)

    second = plugin("deploy", "-f", IMAGE, "-r", "3")
    assert second.out == f"spinapp.core.spinoperator.dev/{APP} configured\n"
    assert _stored(kube, namespace).spec["replicas"] == 3


def test_deploy_dry_run_prints_yaml_and_creates_nothing(
    plugin: Plugin, kube: Kube, namespace: str
) -> None:
    result = plugin("deploy", "--from", IMAGE, "--dry-run")
    assert result.code == 0
    assert yaml.safe_load(result.out) == {
        "apiVersion": "core.spinoperator.dev/v1alpha1",
        "kind": "SpinApp",
        "metadata": {"name": APP, "namespace": namespace},
        "spec": {"image": IMAGE, "executor": "containerd-shim-spin", "replicas": 2},
    }
    with pytest.raises(NotFound):
        _stored(kube, namespace)


def test_get_prints_the_app_table(plugin: Plugin, namespace: str) -> None:
    plugin("deploy", "--from", IMAGE)
    result = plugin("get", APP)
    assert result.code == 0
    header, row = result.out.splitlines()
    assert header.split() == ["NAMESPACE", "NAME", "EXECUTOR", "READY"]
    assert row.split() == [namespace, APP, "containerd-shim-spin", "0/2"]


def test_get_as_yaml(plugin: Plugin, namespace: str) -> None:
    plugin("deploy", "--from", IMAGE)
    app = yaml.safe_load(plugin("get", APP, "-o", "yaml").out)
    assert (app["metadata"]["name"], app["metadata"]["namespace"]) == (APP, namespace)
    assert app["spec"]["image"] == IMAGE


def test_get_missing_app_is_not_found(plugin: Plugin, namespace: str) -> None:
    result = plugin("get", "nothing-here")
    assert (result.code, result.out) == (ExitCode.NOT_FOUND, "")
    assert result.err == (
        f'Error: Could not find application with name nothing-here in namespace "{namespace}"\n'
    )


def test_get_uses_the_name_in_spin_toml(
    plugin: Plugin, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plugin("deploy", "--from", IMAGE)
    (tmp_path / "spin.toml").write_text(
        f'spin_manifest_version = 2\n[application]\nname = "{APP}"\n'
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SPIN_KUBE_DISABLE_DIR_CONTEXT")
    result = plugin("get")
    assert result.code == 0, result.err
    assert APP in result.out


def test_list_shows_the_namespaces_apps(plugin: Plugin, namespace: str) -> None:
    plugin("deploy", "--from", IMAGE)
    plugin("deploy", "--from", "ghcr.io/foo/another-app:v1", "-r", "1")
    lines = plugin("list").out.splitlines()
    assert [line.split() for line in lines] == [
        ["NAMESPACE", "NAME", "EXECUTOR", "READY"],
        [namespace, "another-app", "containerd-shim-spin", "0/1"],
        [namespace, APP, "containerd-shim-spin", "0/2"],
    ]


def test_list_all_namespaces(plugin: Plugin, namespace: str) -> None:
    plugin("deploy", "--from", IMAGE)
    rows = [line.split() for line in plugin("list", "-A", namespaced=False).out.splitlines()]
    assert [namespace, APP, "containerd-shim-spin", "0/2"] in rows


def test_list_of_an_empty_namespace(plugin: Plugin, namespace: str) -> None:
    result = plugin("list")
    assert (result.code, result.out) == (0, "")
    assert result.err == f'No applications found in namespace "{namespace}".\n'


def test_delete_with_yes(plugin: Plugin, kube: Kube, namespace: str) -> None:
    plugin("deploy", "--from", IMAGE)
    result = plugin("delete", APP, "-y")
    assert (result.code, result.out) == (0, f"Successfully deleted {APP}\n")
    with pytest.raises(NotFound):
        _stored(kube, namespace)


@pytest.mark.parametrize(
    ("answer", "deleted"), [("y\n", True), ("YES\n", True), ("\n", False), ("no\n", False)]
)
def test_delete_asks_first(
    plugin: Plugin, kube: Kube, namespace: str, answer: str, deleted: bool
) -> None:
    plugin("deploy", "--from", IMAGE)
    result = plugin("delete", APP, stdin=answer)
    assert result.code == 0
    assert result.err.startswith("This action is irreversible. Are you sure? (y/N): ")
    try:
        _stored(kube, namespace)
        still_there = True
    except NotFound:
        still_there = False
    assert still_there is not deleted


def test_delete_without_an_answer_refuses(plugin: Plugin, kube: Kube, namespace: str) -> None:
    plugin("deploy", "--from", IMAGE)
    result = plugin("delete", APP, stdin="")
    assert result.code == ExitCode.USAGE
    assert _stored(kube, namespace).metadata.name == APP


def test_delete_missing_app(plugin: Plugin, namespace: str) -> None:
    result = plugin("delete", "nothing-here", "-y")
    assert result.code == ExitCode.NOT_FOUND
    assert result.err == (
        f'Error: Could not find application with name nothing-here in namespace "{namespace}"\n'
    )


def test_logs_of_an_app_without_pods(plugin: Plugin, namespace: str) -> None:
    plugin("deploy", "--from", IMAGE)
    result = plugin("logs", APP)
    assert result.code == ExitCode.NOT_FOUND
    assert result.err == (
        f'Error: no pods found for application {APP} in namespace "{namespace}"\n'
    )


def test_version_reports_the_server(plugin: Plugin) -> None:
    result = plugin("version")
    lines = result.out.splitlines()
    assert lines[0].startswith("Plugin Version: ")
    assert lines[-1].startswith("Kubernetes Version: v")


def test_global_flags_after_the_subcommand(
    kube_api: Any, namespace: str, spinkube_crds: None, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["deploy", "-f", IMAGE, "--kubeconfig", str(kube_api.kubeconfig), "-n", namespace]
    assert run(argv, prog_name="kube") == 0
    assert capsys.readouterr().out == f"spinapp.core.spinoperator.dev/{APP} created\n"


def test_unreachable_cluster_is_exit_code_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from spinkube.testing.fakeapi import write_kubeconfig

    kubeconfig = write_kubeconfig(tmp_path / "kubeconfig", "http://127.0.0.1:9")
    assert run(["--kubeconfig", str(kubeconfig), "list"], prog_name="kube") == 3
    err = capsys.readouterr().err
    assert err.startswith("Error: cannot reach the Kubernetes API at http://127.0.0.1:9")
    assert err.count("\n") == 1


def test_the_apps_pods_are_found_by_label(kube: Kube, namespace: str) -> None:
    """`logs` and `connect` pick their pod from these (the fake API serves no logs)."""
    from lightkube.models.core_v1 import Container, PodSpec
    from lightkube.models.meta_v1 import ObjectMeta
    from lightkube.resources.core_v1 import Pod

    from spinkube.api.constants import APP_NAME_LABEL
    from spinkube.plugin.cluster import Cluster
    from spinkube.plugin.pods import app_pods

    spec = PodSpec(containers=[Container(name=APP, image=IMAGE)])
    for name, labels in [("other-pod", {}), (f"{APP}-abc", {APP_NAME_LABEL: APP})]:
        meta = ObjectMeta(name=name, namespace=namespace, labels=labels)
        kube.create(Pod(metadata=meta, spec=spec))
    pods = app_pods(Cluster(kube, namespace), APP)
    assert [pod.metadata.name for pod in pods] == [f"{APP}-abc"]
