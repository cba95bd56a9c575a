"""Every sample is something the API server would accept, and says what the tutorials say."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from pydantic import BaseModel

from spinkube.api import SpinApp, SpinAppExecutor

REPO = Path(__file__).resolve().parents[3]
SAMPLES = REPO / "config" / "samples"
KUBERNETES_VERSION = "1.33"
OUR_KINDS: dict[str, type[BaseModel]] = {"SpinApp": SpinApp, "SpinAppExecutor": SpinAppExecutor}

TUTORIAL_SAMPLES = [
    "simple",
    "variable-explorer",
    "hpa",
    "keda-app",
    "keda-scaledobject",
    "annotations",
    "probes",
    "resources",
    "runtime-config",
    "private-image",
    "volume-mount",
    "spin-runtime-class",
    "spin-shim-executor",
]


def _docs(name: str) -> list[dict[str, Any]]:
    text = (SAMPLES / f"{name}.yaml").read_text(encoding="utf-8")
    return [d for d in yaml.safe_load_all(text) if d]


def _one(name: str, kind: str) -> dict[str, Any]:
    (doc,) = [d for d in _docs(name) if d["kind"] == kind]
    return doc


@pytest.mark.parametrize("name", TUTORIAL_SAMPLES)
def test_every_tutorial_sample_exists(name: str) -> None:
    assert _docs(name), f"config/samples/{name}.yaml is missing or empty"


def test_our_kinds_validate_against_the_generated_crd(
    our_sample: dict[str, Any], crd_validate: Callable[[dict[str, Any]], list[str]]
) -> None:
    assert our_sample["apiVersion"] == "core.spinoperator.dev/v1alpha1"
    assert crd_validate(our_sample) == []


def test_built_in_kinds_validate_against_the_kubernetes_schemas(
    built_in_sample: dict[str, Any],
) -> None:
    assert kubernetes_validate.validate(built_in_sample, KUBERNETES_VERSION, strict=True)


def test_the_kubernetes_schema_check_rejects_a_broken_built_in_object() -> None:
    broken = _one("spin-runtime-class", "RuntimeClass") | {"handler": 7}
    with pytest.raises(kubernetes_validate.ValidationError) as info:
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)
    assert list(info.value.path) == ["handler"]


def test_models_round_trip_every_sample(our_sample: dict[str, Any]) -> None:
    model = OUR_KINDS[our_sample["kind"]]
    assert model.model_validate(our_sample).model_dump(exclude_unset=True) == our_sample


def test_the_shim_executor_is_the_default_one_of_the_quickstart() -> None:
    executor = SpinAppExecutor.model_validate(_one("spin-shim-executor", "SpinAppExecutor"))
    assert executor.metadata.name == "containerd-shim-spin"
    assert executor.spec.create_deployment is True
    assert executor.spec.deployment_config is not None
    assert executor.spec.deployment_config.runtime_class_name == "wasmtime-spin-v2"


def test_the_runtime_class_uses_the_spin_handler() -> None:
    runtime_class = _one("spin-runtime-class", "RuntimeClass")
    assert runtime_class["metadata"]["name"] == "wasmtime-spin-v2"
    assert runtime_class["handler"] == "spin"


def test_variable_explorer_binds_its_configmap_and_secret() -> None:
    config_map = _one("variable-explorer", "ConfigMap")
    secret = _one("variable-explorer", "Secret")
    app = SpinApp.model_validate(_one("variable-explorer", "SpinApp"))
    by_name = {v.name: v for v in app.spec.variables or []}
    assert by_name["platform_name"].value == "Kubernetes"
    log_level = by_name["log_level"].value_from
    password = by_name["db_password"].value_from
    assert log_level is not None
    assert log_level.config_map_key_ref is not None
    assert password is not None
    assert password.secret_key_ref is not None
    assert log_level.config_map_key_ref.name == config_map["metadata"]["name"]
    assert log_level.config_map_key_ref.key in config_map["data"]
    assert password.secret_key_ref.name == secret["metadata"]["name"]
    assert password.secret_key_ref.key in secret["data"]


@pytest.mark.parametrize(
    ("app_file", "scaler_file", "scaler_kind"),
    [("hpa", "hpa", "HorizontalPodAutoscaler"), ("keda-app", "keda-scaledobject", "ScaledObject")],
)
def test_autoscalers_target_the_deployment_of_an_autoscaled_app(
    app_file: str, scaler_file: str, scaler_kind: str
) -> None:
    app = SpinApp.model_validate(_one(app_file, "SpinApp"))
    scaler = _one(scaler_file, scaler_kind)
    assert app.spec.enable_autoscaling is True
    assert app.spec.replicas is None
    assert scaler["spec"]["scaleTargetRef"]["name"] == app.metadata.name


def test_volume_mount_uses_the_claim_it_declares() -> None:
    claim = _one("volume-mount", "PersistentVolumeClaim")
    app = SpinApp.model_validate(_one("volume-mount", "SpinApp"))
    (volume,) = app.spec.volumes or []
    (mount,) = app.spec.volume_mounts or []
    assert volume.source == {"persistentVolumeClaim": {"claimName": claim["metadata"]["name"]}}
    assert (mount.name, mount.mount_path) == (volume.name, "/mnt/data")


def test_samples_apps_have_distinct_names() -> None:
    names = [
        d["metadata"]["name"]
        for p in sorted(SAMPLES.glob("*.yaml"))
        for d in yaml.safe_load_all(p.read_text(encoding="utf-8"))
        if d and d["kind"] == "SpinApp"
    ]
    assert len(names) == len(set(names))


def test_kustomization_lists_existing_samples() -> None:
    kustomization = yaml.safe_load((SAMPLES / "kustomization.yaml").read_text(encoding="utf-8"))
    assert kustomization["resources"]
    for resource in kustomization["resources"]:
        assert (SAMPLES / resource).is_file(), resource


def _kinds_in_apply_order() -> list[str]:
    """The kinds `kubectl apply -k config/samples/` sends, in order: kustomize's own render
    when kubectl is installed, else the order the kustomization's sort option gives."""
    kubectl = shutil.which("kubectl")
    if kubectl is not None:
        rendered = subprocess.run(
            [kubectl, "kustomize", str(SAMPLES)], capture_output=True, text=True, check=True
        ).stdout
        return [doc["kind"] for doc in yaml.safe_load_all(rendered) if doc]
    kustomization = yaml.safe_load((SAMPLES / "kustomization.yaml").read_text(encoding="utf-8"))
    assert kustomization.get("sortOptions", {}).get("order") == "fifo"
    return [
        doc["kind"]
        for resource in kustomization["resources"]
        for doc in yaml.safe_load_all((SAMPLES / resource).read_text(encoding="utf-8"))
        if doc
    ]


def test_kustomization_applies_the_executor_before_the_app() -> None:
    """The app's admission looks its executor up: the executor must come first."""
    kinds = _kinds_in_apply_order()
    assert kinds.index("SpinAppExecutor") < kinds.index("SpinApp")
