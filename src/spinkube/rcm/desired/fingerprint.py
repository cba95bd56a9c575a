"""What a node was installed with, so that a changed Shim reinstalls its nodes.

The install inputs (`anonHttp.location`, `anonHttp.sha256`, `containerdRuntimeOptions`) hash
to a short fingerprint. When an install Job completes, its node gets the annotation
`installed.rcm.spinkube.dev/<shim>: <fingerprint of that Job's inputs>`; a provisioned node whose
annotation differs from the Shim's current fingerprint is installed again (by the rollout
strategy: `rolling` upgrades `maxUpdate` nodes at a time). A node without the annotation is
taken as current. Upstream never reinstalls a provisioned node.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from spinkube.api.shim import Shim

INSTALLED_PREFIX = "installed.rcm.spinkube.dev"


def installed_annotation(shim: str) -> str:
    return f"{INSTALLED_PREFIX}/{shim}"


def fingerprint(location: str, sha256: str | None, options: Mapping[str, str] | None) -> str:
    inputs = {"location": location, "sha256": sha256 or "", "options": dict(options or {})}
    text = json.dumps(inputs, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def shim_fingerprint(shim: Shim) -> str:
    anon = shim.spec.fetch_strategy.anon_http
    return fingerprint(
        anon.location if anon else "",
        anon.sha256 if anon else None,
        shim.spec.containerd_runtime_options,
    )


def _env(container: Mapping[str, Any]) -> dict[str, str]:
    return {str(e.get("name")): str(e.get("value") or "") for e in container.get("env") or []}


def job_fingerprint(job: Mapping[str, Any]) -> str:
    """The fingerprint of what an install Job installs, read back from its containers' env."""
    pod = ((job.get("spec") or {}).get("template") or {}).get("spec") or {}
    downloader = _env(next(iter(pod.get("initContainers") or []), {}))
    provisioner = _env(next(iter(pod.get("containers") or []), {}))
    options = json.loads(provisioner.get("SHIM_RUNTIME_OPTIONS") or "{}")
    return fingerprint(downloader.get("SHIM_LOCATION", ""), downloader.get("SHIM_SHA256"), options)
