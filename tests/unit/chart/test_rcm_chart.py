"""The runtime-class-manager chart renders, lints, every object is a valid Kubernetes object,
and its RBAC is exactly what the controller uses (with the list/watch upstream forgot)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import helm_python as helm
import kubernetes_validate
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[3]
CHART = ROOT / "charts" / "runtime-class-manager"
KUBE_VERSION = "1.33.0"


def render(values: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    rendered = helm.Chart.load(str(CHART)).render(
        values, name="rcm", namespace="rcm-system", is_install=True
    )
    return [
        doc
        for path, text in rendered.items()
        if path.endswith(".yaml")
        for doc in yaml.safe_load_all(text)
        if doc
    ]


def one(objects: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    (found,) = [o for o in objects if o["kind"] == kind]
    return found


def grants(role: dict[str, Any]) -> dict[tuple[str, str], set[str]]:
    return {
        (group, resource): set(rule["verbs"])
        for rule in role["rules"]
        for group in rule["apiGroups"]
        for resource in rule["resources"]
    }


def env(objects: list[dict[str, Any]]) -> dict[str, Any]:
    (container,) = one(objects, "Deployment")["spec"]["template"]["spec"]["containers"]
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container["env"]}


def test_chart_lints_without_warnings() -> None:
    report = helm.lint(str(CHART), strict=True, kube_version=f"v{KUBE_VERSION}")
    assert report["errors"] == []
    assert [m for m in report["messages"] if m["severity"] >= 2] == []


def test_every_rendered_object_is_schema_valid() -> None:
    objects = render()
    kinds = {o["kind"] for o in objects}
    assert kinds >= {"Deployment", "ServiceAccount", "ClusterRole", "Role", "Service"}
    for obj in objects:
        kubernetes_validate.validate(obj, KUBE_VERSION, strict=True)


def test_cluster_role_grants_what_the_controller_watches_and_nothing_more() -> None:
    cluster = grants(one(render(), "ClusterRole"))
    watch = {"get", "list", "watch"}
    assert cluster[("runtime.kwasm.sh", "shims")] >= watch | {"patch"}
    assert cluster[("runtime.kwasm.sh", "shims/status")] >= {"patch"}
    assert cluster[("runtime.kwasm.sh", "shims/finalizers")] == {"update"}
    assert cluster[("", "nodes")] == watch | {"patch"}
    assert cluster[("node.k8s.io", "runtimeclasses")] >= watch | {"create", "patch"}
    assert cluster[("", "events")] >= {"create"}
    assert ("batch", "jobs") not in cluster  # only in the controller's namespace
    assert ("", "secrets") not in cluster
    assert all("*" not in verbs for verbs in cluster.values())


def test_jobs_and_leases_are_granted_in_the_release_namespace_only() -> None:
    role = one(render(), "Role")
    assert role["metadata"]["namespace"] == "rcm-system"
    namespaced = grants(role)
    assert namespaced[("batch", "jobs")] >= {"get", "list", "watch", "create", "delete"}
    assert namespaced[("coordination.k8s.io", "leases")] >= {"get", "list", "watch", "create"}


def test_job_settings_come_from_values() -> None:
    values = {
        "rcm": {
            "shimDownloaderImage": {"repository": "r/d", "tag": "1"},
            "nodeInstallerImage": {"repository": "r/i", "tag": "2"},
            "nodeInstallerJob": {"ttl": 120},
        }
    }
    found = env(render(values))
    assert found["SHIM_DOWNLOADER_IMAGE"] == "r/d:1"
    assert found["SHIM_NODE_INSTALLER_IMAGE"] == "r/i:2"
    assert found["SHIM_NODE_INSTALLER_JOB_TTL"] == "120"
    assert found["CONTROLLER_NAMESPACE"] == {"fieldRef": {"fieldPath": "metadata.namespace"}}


@pytest.mark.parametrize("probe", ["livenessProbe", "readinessProbe"])
def test_manager_runs_as_non_root_with_leader_election_and_probes(probe: str) -> None:
    deployment = one(render(), "Deployment")
    pod = deployment["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert container["command"] == ["runtime-class-manager"]
    assert "--leader-elect" in container["args"]
    assert container[probe]["httpGet"]["port"] == "health"
    assert env(render())["SHIM_NODE_INSTALLER_JOB_TTL"] == "0"
