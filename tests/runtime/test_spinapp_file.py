"""`spinkube-runtime up -f spinapp.yaml`: a SpinApp manifest run locally as its pod would run it,
its image pulled from a real local registry."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import httpx
import pytest
import yaml

from spinkube.api import SpinApp
from spinkube.desired.inputs import ResolvedInputs
from spinkube.desired.runtime_config import render_runtime_config
from spinkube.oci.auth import Credentials
from spinkube.oci.client import RegistryClient
from spinkube.oci.push import push
from spinkube.testing.registry import registry_available, running_registry

pytestmark = [
    pytest.mark.registry,
    pytest.mark.apps,
    pytest.mark.skipif(not registry_available(), reason="needs Debian's docker-registry"),
]

PROBE_APP = """
spin_manifest_version = 2
[application]
name = "probe-app"
[variables]
greeting = { required = true }
secret = { required = true }
[[trigger.http]]
route = "/..."
component = "probe"
[component.probe]
source = "probe.wasm"
[component.probe.variables]
message = "{{ greeting }}, {{ secret }}"
"""

CONFIG = {
    "apiVersion": "v1",
    "kind": "ConfigMap",
    "metadata": {"name": "app-config"},
    "data": {"greeting": "hello from a ConfigMap"},
}
SECRET = {
    "apiVersion": "v1",
    "kind": "Secret",
    "metadata": {"name": "app-secret"},
    "data": {"password": base64.b64encode(b"s3cret").decode(), "redis": "cmVkaXM6Ly8xMjcuMC4wLjE="},
}
RUNTIME_CONFIG = {
    "keyValueStores": [
        {
            "name": "cache",
            "type": "redis",
            "options": [
                {
                    "name": "url",
                    "valueFrom": {"secretKeyRef": {"name": "app-secret", "key": "redis"}},
                }
            ],
        }
    ],
    "sqliteDatabases": [
        {"name": "default", "type": "spin", "options": [{"name": "path", "value": "notes.db"}]}
    ],
}


def spinapp(image: str, **spec: object) -> dict[str, object]:
    return {
        "apiVersion": "core.spinoperator.dev/v1alpha1",
        "kind": "SpinApp",
        "metadata": {"name": "probe-app"},
        "spec": {"image": image, "executor": "containerd-shim-spin", "replicas": 1, **spec},
    }


def write_manifest(path: Path, *documents: object) -> Path:
    path.write_text(yaml.safe_dump_all(documents, sort_keys=False))
    return path


@pytest.fixture
def registry(tmp_path: Path):
    with running_registry(tmp_path / "registry") as running:
        yield running


@pytest.fixture
def probe_image(registry, tmp_path: Path, probe_wasm: Path) -> str:
    app = tmp_path / "probe-app"
    app.mkdir()
    (app / "probe.wasm").write_bytes(probe_wasm.read_bytes())
    (app / "spin.toml").write_text(PROBE_APP)
    reference = registry.ref("apps/probe", "v1")
    with RegistryClient() as client:
        push(app, reference, client=client)
    return reference


VARIABLES = [
    {
        "name": "greeting",
        "valueFrom": {"configMapKeyRef": {"name": "app-config", "key": "greeting"}},
    },
    {"name": "secret", "valueFrom": {"secretKeyRef": {"name": "app-secret", "key": "password"}}},
]


def test_a_spinapp_runs_with_its_variables_runtime_config_and_checks(
    run_runtime, probe_image: str, tmp_path: Path
) -> None:
    app = spinapp(
        probe_image,
        variables=VARIABLES,
        runtimeConfig=RUNTIME_CONFIG,
        checks={
            "readiness": {"httpGet": {"path": "/.well-known/spin/health"}},
            "liveness": {"httpGet": {"path": "/alive"}},
        },
    )
    manifest = write_manifest(tmp_path / "spinapp.yaml", CONFIG, SECRET, app)
    served = run_runtime(manifest)
    message = httpx.get(served.url("/var/message"))
    assert (message.status_code, message.text) == (200, "hello from a ConfigMap, s3cret")
    assert httpx.get(served.url("/.well-known/spin/health")).status_code == 200
    assert httpx.get(served.url("/alive")).status_code == 200
    expected = render_runtime_config(
        SpinApp.model_validate(app),
        ResolvedInputs(
            config_maps={"app-config": CONFIG["data"]},  # type: ignore[dict-item]
            secrets={"app-secret": {"password": b"s3cret", "redis": b"redis://127.0.0.1"}},
        ),
    )
    assert (tmp_path / "state-0" / "runtime-config.toml").read_text() == expected
    assert "spec.checks.liveness: /alive is answered by component 'probe'" in served.output()


def test_references_without_a_cluster_are_named_unless_given_as_flags(
    helpers, run_runtime, probe_image: str, tmp_path: Path
) -> None:
    app = spinapp(probe_image, variables=VARIABLES)
    manifest = write_manifest(tmp_path / "spinapp.yaml", app)
    result = helpers.run_to_exit(
        ["up", "-f", str(manifest), "--listen", f"127.0.0.1:{helpers.free_port()}"], cwd=tmp_path
    )
    assert result.returncode == 1
    assert result.stderr == (
        f"error: {manifest}: cannot resolve without a cluster: "
        "spec.variables[0].valueFrom.configMapKeyRef (ConfigMap 'app-config', key 'greeting') "
        "for 'greeting'; "
        "spec.variables[1].valueFrom.secretKeyRef (Secret 'app-secret', key 'password') "
        "for 'secret' "
        "(define it in the same file, or give it with --variable NAME=VALUE)\n"
    )
    served = run_runtime(manifest, "--variable", "greeting=hi", "--variable", "secret=given")
    assert httpx.get(served.url("/var/message")).text == "hi, given"


def test_a_check_that_no_route_answers_is_reported(
    run_runtime, helpers, registry, tmp_path: Path
) -> None:
    reference = registry.ref("apps/hello", "v1")
    with RegistryClient() as client:
        push(helpers.app_wasm("hello").parent, reference, client=client)
    routed = tmp_path / "routed"
    routed.mkdir()
    (routed / "app.wasm").write_bytes(helpers.app_wasm("hello").read_bytes())
    (routed / "spin.toml").write_text(
        'spin_manifest_version = 2\n[application]\nname = "routed"\n'
        '[[trigger.http]]\nroute = "/api/..."\ncomponent = "web"\n'
        '[component.web]\nsource = "app.wasm"\n'
    )
    reference = registry.ref("apps/routed", "v1")
    with RegistryClient() as client:
        push(routed, reference, client=client)
    app = spinapp(reference, checks={"readiness": {"httpGet": {"path": "/ready"}}})
    served = run_runtime(write_manifest(tmp_path / "spinapp.yaml", app))
    assert httpx.get(served.url("/api/x")).text == "Hello world from Spin!"
    assert (
        "spec.checks.readiness.httpGet.path: /ready matches no route of app 'routed'"
        in served.output()
    )


def test_a_private_image_is_pulled_with_the_local_docker_config(
    helpers, run_runtime, tmp_path: Path
) -> None:
    with running_registry(tmp_path / "private", credentials=("alice", "pw")) as registry:
        reference = registry.ref("apps/hello", "v1")
        with RegistryClient(credentials=Credentials("alice", "pw")) as client:
            push(helpers.app_wasm("hello").parent, reference, client=client)
        app = spinapp(reference, imagePullSecrets=[{"name": "registry-login"}])
        manifest = write_manifest(tmp_path / "spinapp.yaml", app)
        denied = helpers.run_to_exit(
            ["up", "-f", str(manifest), "--listen", f"127.0.0.1:{helpers.free_port()}"],
            cwd=tmp_path,
            env={"DOCKER_CONFIG": str(tmp_path / "no-docker-config")},
        )
        docker = tmp_path / "docker"
        docker.mkdir()
        auth = base64.b64encode(b"alice:pw").decode()
        (docker / "config.json").write_text(json.dumps({"auths": {registry.host: {"auth": auth}}}))
        served = run_runtime(manifest, env={"DOCKER_CONFIG": str(docker)})
        assert httpx.get(served.url("/")).text == "Hello world from Spin!"
    assert denied.returncode == 4
    assert denied.stderr.splitlines()[-1].startswith(f"error: cannot pull {reference}")
