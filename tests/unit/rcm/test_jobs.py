"""What the install and uninstall Jobs must be, rule by rule (upstream's createJobManifest)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from spinkube.api.shim import Shim
from spinkube.rcm.desired import INSTALL, UNINSTALL, JobSettings, job_manifest, job_name

SETTINGS = JobSettings("rcm-system", "downloader:1", "installer:1")


def shim(name: str = "spin-v2", **anon: Any) -> Shim:
    return Shim.model_validate(
        {
            "metadata": {"name": name, "uid": "uid-1"},
            "spec": {
                "fetchStrategy": {
                    "type": "anonymousHttp",
                    "anonHttp": {"location": "https://example.com/a.tar.gz", **anon},
                },
                "runtimeClass": {"name": "rc", "handler": name},
                "rolloutStrategy": {"type": "recreate"},
            },
        }
    )


def env(container: dict[str, Any]) -> dict[str, str]:
    return {e["name"]: e["value"] for e in container["env"]}


def test_install_job_is_pinned_privileged_and_mounts_the_host_root() -> None:
    job = job_manifest("worker-1", shim(), INSTALL, SETTINGS)
    pod = job["spec"]["template"]["spec"]
    (downloader,) = pod["initContainers"]
    (provisioner,) = pod["containers"]
    assert job["metadata"]["name"] == "worker-1-spin-v2-install"
    assert job["metadata"]["namespace"] == "rcm-system"
    assert pod["nodeName"] == "worker-1"
    assert pod["hostPID"] is True
    assert pod["restartPolicy"] == "Never"
    assert {"name": "root-mount", "hostPath": {"path": "/"}} in pod["volumes"]
    assert provisioner["args"] == ["install", "-H", "/mnt/node-root", "-r", "spin-v2"]
    assert provisioner["securityContext"] == {"privileged": True}
    assert env(downloader) == {
        "SHIM_NAME": "spin-v2",
        "SHIM_LOCATION": "https://example.com/a.tar.gz",
    }
    assert downloader["volumeMounts"] == [{"name": "shim-download", "mountPath": "/assets"}]
    assert job["metadata"]["ownerReferences"][0]["controller"] is True
    assert "ttlSecondsAfterFinished" not in job["spec"]


def test_uninstall_job_has_no_downloader_and_no_owner() -> None:
    job = job_manifest("worker-1", shim(), UNINSTALL, SETTINGS)
    pod = job["spec"]["template"]["spec"]
    assert "initContainers" not in pod
    assert pod["containers"][0]["args"][0] == "uninstall"
    assert "ownerReferences" not in job["metadata"]
    assert job["metadata"]["labels"]["kwasm.sh/operation"] == "uninstall"


def test_sha256_reaches_the_downloader_and_options_the_installer_as_json() -> None:
    digest = "0123456789abcdef" * 4
    s = shim(sha256=digest)
    s.spec.containerd_runtime_options = {"SystemdCgroup": "true"}
    pod = job_manifest("n", s, INSTALL, SETTINGS)["spec"]["template"]["spec"]
    assert env(pod["initContainers"][0])["SHIM_SHA256"] == digest
    options = env(pod["containers"][0])["SHIM_RUNTIME_OPTIONS"]
    assert json.loads(options) == {"SystemdCgroup": "true"}


def test_ttl_is_set_only_when_positive() -> None:
    job = job_manifest("n", shim(), INSTALL, JobSettings("ns", "d", "i", ttl_seconds=60))
    assert job["spec"]["ttlSecondsAfterFinished"] == 60


@pytest.mark.parametrize(
    ("node", "expected"),
    [
        pytest.param("n1", "n1-spin-v2-install", id="short"),
        pytest.param("a" * 62, "a" * 62, id="cut-at-63-without-trailing-dash"),
        pytest.param("b" * 50, ("b" * 50 + "-spin-v2-install")[:63], id="cut-at-63"),
    ],
)
def test_job_names_fit_63_characters_and_are_valid(node: str, expected: str) -> None:
    name = job_name(node, "spin-v2", INSTALL)
    assert name == expected
    assert len(name) <= 63
    assert not name.endswith(("-", "."))
