"""The Jobs and the RuntimeClass of a Shim, compared byte for byte with golden files.

The golden files were checked field by field against upstream's `createJobManifest` and
RuntimeClass (upstream-behaviour §4.2). Regenerate on purpose only:
`SPINKUBE_UPDATE_GOLDEN=1 pytest tests/unit/rcm/test_desired_golden.py`, then review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from spinkube.api.shim import Shim
from spinkube.rcm.desired import INSTALL, UNINSTALL, JobSettings, job_manifest
from spinkube.rcm.desired.runtime_class import runtime_class_manifest

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("SPINKUBE_UPDATE_GOLDEN") == "1"
KUBE_VERSION = "1.33.0"

SETTINGS = JobSettings(
    namespace="rcm",
    downloader_image="ghcr.io/spinkube/shim-downloader:v0.1.0",
    installer_image="ghcr.io/spinkube/node-installer:v0.1.0",
)


def shim(**spec: Any) -> Shim:
    base: dict[str, Any] = {
        "nodeSelector": {"spin": "true"},
        "fetchStrategy": {
            "type": "anonymousHttp",
            "anonHttp": {"location": "https://example.com/containerd-shim-spin-v2.tar.gz"},
        },
        "runtimeClass": {"name": "wasmtime-spin-v2", "handler": "spin-v2"},
        "rolloutStrategy": {"type": "recreate"},
    }
    base.update(spec)
    return Shim.model_validate(
        {"metadata": {"name": "spin-v2", "uid": "0f6b1c2e-uid"}, "spec": base}
    )


CASES: dict[str, Any] = {
    "install-job": lambda: job_manifest("node-1", shim(), INSTALL, SETTINGS),
    "uninstall-job": lambda: job_manifest("node-1", shim(), UNINSTALL, SETTINGS),
    "install-job-sha256-options-ttl": lambda: job_manifest(
        "node-1",
        shim(
            fetchStrategy={
                "type": "anonymousHttp",
                "anonHttp": {"location": "https://example.com/s.tar.gz", "sha256": "ab" * 32},
            },
            containerdRuntimeOptions={"SystemdCgroup": "true", "BinaryName": '"/usr/bin/x"'},
        ),
        INSTALL,
        JobSettings("rcm", "d:1", "i:1", ttl_seconds=300),
    ),
    "runtime-class": lambda: runtime_class_manifest(shim()),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_manifest_matches_golden(case: str) -> None:
    text = yaml.safe_dump(CASES[case](), sort_keys=False)
    path = GOLDEN / f"{case}.yaml"
    if UPDATE:
        path.write_text(text)
    assert path.read_text() == text, f"{case} differs from golden: review, then regenerate"


@pytest.mark.parametrize("case", sorted(CASES))
def test_manifest_is_a_valid_kubernetes_object(case: str) -> None:
    kubernetes_validate.validate(CASES[case](), KUBE_VERSION, strict=True)
