"""Golden children for every SpinApp sample in `config/samples/`, compared byte for byte.

Each sample app is built with the executor it names (found among the samples; the shim
executor `containerd-shim-spin` of `spin-shim-executor.yaml` otherwise), the ConfigMaps and
Secrets of its own file, and placeholders for references the sample leaves to the user.
Regenerate on purpose only: `SPINKUBE_UPDATE_GOLDEN=1 pytest tests/unit/desired/test_golden.py`,
then review the diff by eye.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from spinkube.api import SpinApp, SpinAppExecutor
from spinkube.desired import (
    Children,
    ResolvedInputs,
    build_children,
    runtime_config_dependencies,
)

ROOT = Path(__file__).resolve().parents[3]
SAMPLES = ROOT / "config" / "samples"
GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("SPINKUBE_UPDATE_GOLDEN") == "1"
UID = "6f1c2d3e-0000-4000-8000-000000000001"
SPIN_IMAGE_CASE = "spin-image-executor"
"""An extra case: the simple sample run by a spinImage executor (`spin up` in a container)."""

Doc = dict[str, Any]


def _docs(path: Path) -> list[Doc]:
    return [d for d in yaml.safe_load_all(path.read_text()) if isinstance(d, dict)]


def _sample_docs() -> dict[str, list[Doc]]:
    return {p.stem: _docs(p) for p in sorted(SAMPLES.glob("*.yaml"))}


def _executors() -> dict[str, SpinAppExecutor]:
    found = {}
    for docs in _sample_docs().values():
        for doc in docs:
            if doc.get("kind") == "SpinAppExecutor":
                found[doc["metadata"]["name"]] = SpinAppExecutor.model_validate(doc)
    return found


def _app_samples() -> list[str]:
    return [
        stem
        for stem, docs in _sample_docs().items()
        if any(d.get("kind") == "SpinApp" for d in docs)
    ]


def _secret_data(doc: Doc) -> dict[str, bytes]:
    data = {k: base64.b64decode(v) for k, v in (doc.get("data") or {}).items()}
    data |= {k: v.encode() for k, v in (doc.get("stringData") or {}).items()}
    return data


def _inputs(app: SpinApp, docs: list[Doc]) -> ResolvedInputs:
    """The sample's own ConfigMaps and Secrets, plus placeholders for any it only refers to."""
    config_maps: dict[str, dict[str, str]] = {}
    secrets: dict[str, dict[str, bytes]] = {}
    for doc in docs:
        name = doc["metadata"]["name"]
        if doc.get("kind") == "ConfigMap":
            config_maps[name] = dict(doc.get("data") or {})
        elif doc.get("kind") == "Secret":
            secrets[name] = _secret_data(doc)
    for ref in runtime_config_dependencies(app):
        if ref.kind == "ConfigMap":
            config_maps.setdefault(ref.name, {})
        else:
            secrets.setdefault(ref.name, {})
    return ResolvedInputs(config_maps=config_maps, secrets=secrets)


def _app(doc: Doc) -> SpinApp:
    doc = {**doc, "metadata": {**doc["metadata"], "namespace": "default", "uid": UID}}
    return SpinApp.model_validate(doc)


def _build(case: str) -> Children:
    executors = _executors()
    if case == SPIN_IMAGE_CASE:
        docs = _sample_docs()["simple"]
        executor = SpinAppExecutor.model_validate(
            {
                "metadata": {"name": "spin-image", "namespace": "default"},
                "spec": {
                    "createDeployment": True,
                    "deploymentConfig": {"spinImage": "ghcr.io/fermyon/spin:v2.7.0"},
                },
            }
        )
    else:
        docs = _sample_docs()[case]
        executor = None
    (app_doc,) = [d for d in docs if d.get("kind") == "SpinApp"]
    app = _app(app_doc)
    if executor is None:
        executor = executors.get(app.spec.executor, executors["containerd-shim-spin"])
    return build_children(app, executor, inputs=_inputs(app, docs))


def _files(children: Children) -> Iterator[tuple[str, str]]:
    def dump(obj: Any) -> str:
        return yaml.safe_dump(obj, sort_keys=False, width=4096)

    yield "service.yaml", dump(children.service)
    if children.deployment is not None:
        yield "deployment.yaml", dump(children.deployment)
    secret = children.runtime_config_secret
    if secret is not None:
        yield "secret.yaml", dump(secret)
        toml = base64.b64decode(secret["data"]["runtime-config.toml"]).decode()
        yield "runtime-config.toml", toml


CASES = [*_app_samples(), SPIN_IMAGE_CASE]


def test_every_app_sample_has_a_case() -> None:
    """The samples this test covers: at least the documented ones (upstream §1.11)."""
    assert {"simple", "runtime-config", "variable-explorer", "spintainer"} <= set(CASES)


@pytest.mark.parametrize("case", CASES)
def test_children_match_golden(case: str) -> None:
    expected_dir = GOLDEN / case
    files = dict(_files(_build(case)))
    if UPDATE:
        expected_dir.mkdir(parents=True, exist_ok=True)
        for stale in expected_dir.iterdir():
            if stale.name not in files:
                stale.unlink()
        for name, text in files.items():
            (expected_dir / name).write_text(text)
    assert expected_dir.is_dir(), f"no golden files for {case}: run with SPINKUBE_UPDATE_GOLDEN=1"
    assert sorted(p.name for p in expected_dir.iterdir()) == sorted(files)
    for name, text in files.items():
        assert (expected_dir / name).read_text() == text, f"{case}/{name} differs from golden"


@pytest.mark.parametrize("case", CASES)
def test_children_are_schema_valid(
    case: str, schema_valid: Callable[[dict[str, Any]], None]
) -> None:
    children = _build(case)
    manifests = [children.service, children.deployment, children.runtime_config_secret]
    present = [m for m in manifests if m is not None]
    for manifest in present:
        schema_valid(manifest)
    assert present[0]["kind"] == "Service"
