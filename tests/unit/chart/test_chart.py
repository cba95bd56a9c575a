"""The Helm chart renders, lints, and every object it renders is a valid Kubernetes object."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import helm_python as helm
import kubernetes_validate
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[3]
CHART = ROOT / "charts" / "spin-operator"
KUBE_VERSION = "1.33.0"
CERT_MANAGER_KINDS = {"Issuer", "Certificate"}


def render(values: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    rendered = helm.Chart.load(str(CHART)).render(
        values, name="spin-operator", namespace="spin-operator", is_install=True
    )
    objects = []
    for path, text in rendered.items():
        if path.endswith(".yaml"):
            objects.extend(doc for doc in yaml.safe_load_all(text) if doc)
    return objects


def by_kind(objects: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [obj for obj in objects if obj["kind"] == kind]


def test_chart_lints_without_warnings() -> None:
    report = helm.lint(str(CHART), strict=True, kube_version=f"v{KUBE_VERSION}")
    problems = [m for m in report["messages"] if m["severity"] >= 2]
    assert report["errors"] == []
    assert problems == []


@pytest.mark.parametrize("cert_manager", [True, False], ids=["cert-manager", "own-cert"])
def test_every_rendered_object_is_schema_valid(cert_manager: bool) -> None:
    objects = render({"certManager": {"enabled": cert_manager}})
    assert {o["kind"] for o in objects} >= {"Deployment", "ServiceAccount", "ClusterRole"}
    for obj in objects:
        if obj["kind"] in CERT_MANAGER_KINDS:
            assert obj["apiVersion"] == "cert-manager.io/v1"
            continue
        kubernetes_validate.validate(obj, KUBE_VERSION, strict=True)
    assert bool(by_kind(objects, "Certificate")) is cert_manager


def test_manager_runs_as_non_root_with_two_replicas_and_health_probes() -> None:
    (deployment,) = by_kind(render(), "Deployment")
    pod = deployment["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert deployment["spec"]["replicas"] == 2
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert container["securityContext"]["capabilities"]["drop"] == ["ALL"]
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert "--enable-webhooks" in container["args"]
    assert "--leader-elect" in container["args"]
    assert container["resources"]["limits"]["memory"] == "128Mi"


def test_webhooks_point_at_the_operator_paths_and_fail_closed() -> None:
    objects = render()
    hooks = {
        hook["name"]: hook
        for kind in ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration")
        for config in by_kind(objects, kind)
        for hook in config["webhooks"]
    }
    assert hooks["vspinapp.kb.io"]["clientConfig"]["service"]["path"] == (
        "/validate-core-spinoperator-dev-v1alpha1-spinapp"
    )
    assert hooks["mspinappexecutor.kb.io"]["clientConfig"]["service"]["path"] == (
        "/mutate-core-spinoperator-dev-v1alpha1-spinappexecutor"
    )
    assert len(hooks) == 4
    assert {h["failurePolicy"] for h in hooks.values()} == {"Fail"}


def test_manager_role_can_read_configmaps_and_nothing_cluster_wide_beyond_its_kinds() -> None:
    (role,) = [
        r
        for r in by_kind(render(), "ClusterRole")
        if r["metadata"]["name"].endswith("manager-role")
    ]
    grants = {
        (group, resource): set(rule["verbs"])
        for rule in role["rules"]
        for group in rule["apiGroups"]
        for resource in rule["resources"]
    }
    assert grants[("", "configmaps")] == {"get", "list", "watch"}
    assert all("*" not in verbs for verbs in grants.values())
    assert ("", "pods") not in grants
    assert grants[("core.spinoperator.dev", "spinappexecutors/finalizers")] == {"update"}


def test_release_manifests_are_up_to_date() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gen-manifests.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
