"""The install and uninstall Jobs, as upstream's `createJobManifest` builds them.

One Job per node and operation, named `<node>-<shim>-<operation>` (cut to 63 characters),
pinned to the node (`nodeName`), privileged, with the host's root mounted at `/mnt/node-root`
and the host's PID namespace (the installer signals containerd). Install Jobs are owned by the
Shim; uninstall Jobs are not, so that they outlive it.

The contract with the images (branch `rcm-node`):

- downloader (init container, install only), env `SHIM_NAME` (the Shim's name: the binary
  becomes `containerd-shim-<SHIM_NAME>`), `SHIM_LOCATION` (`fetchStrategy.anonHttp.location`),
  `SHIM_SHA256` (only when `anonHttp.sha256` is set: the archive's digest, verified); it writes
  the binary into `/assets`;
- provisioner, args `install|uninstall -H /mnt/node-root -r <shim>`, env `HOST_ROOT` and
  `SHIM_FETCH_STRATEGY` (both `/mnt/node-root`, as upstream), and `SHIM_RUNTIME_OPTIONS` (only
  when `containerdRuntimeOptions` is set: those options as a JSON object, key-sorted, so that
  the installer writes them under the runtime's `options` table and uninstall removes exactly
  that block).

Ours, beyond upstream: a name cut to 63 characters does not end in `-` or `.` (the API server
would refuse it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from spinkube.api.constants import JOB_LABEL, NODE_NAME_ANNOTATION, OPERATION_LABEL, SHIM_NAME_LABEL
from spinkube.api.shim import Shim
from spinkube.rcm.desired.runtime_class import MAX_NAME, owner_reference

Operation = Literal["install", "uninstall"]
INSTALL: Operation = "install"
UNINSTALL: Operation = "uninstall"

NODE_ROOT = "/mnt/node-root"
ASSETS = "/assets"
DOWNLOAD_VOLUME = "shim-download"
ROOT_VOLUME = "root-mount"


@dataclass(frozen=True)
class JobSettings:
    """The manager's environment: `CONTROLLER_NAMESPACE`, `SHIM_DOWNLOADER_IMAGE`,
    `SHIM_NODE_INSTALLER_IMAGE`, `SHIM_NODE_INSTALLER_JOB_TTL`."""

    namespace: str
    downloader_image: str
    installer_image: str
    ttl_seconds: int = 0
    """`ttlSecondsAfterFinished`; 0 leaves it out (finished Jobs stay)."""


def job_name(node: str, shim: str, operation: Operation) -> str:
    return f"{node}-{shim}-{operation}"[:MAX_NAME].rstrip("-.")


def _metadata(node: str, shim: Shim, operation: Operation, settings: JobSettings) -> dict[str, Any]:
    name = job_name(node, str(shim.metadata.name), operation)
    shim_name = str(shim.metadata.name)
    meta: dict[str, Any] = {
        "name": name,
        "namespace": settings.namespace,
        "annotations": {
            NODE_NAME_ANNOTATION: node,
            SHIM_NAME_LABEL: shim_name,
            OPERATION_LABEL: operation,
        },
        "labels": {
            name: "true",
            SHIM_NAME_LABEL: shim_name,
            OPERATION_LABEL: operation,
            JOB_LABEL: "true",
        },
    }
    if operation == INSTALL:
        meta["ownerReferences"] = [owner_reference(shim)]
    return meta


def _env(pairs: list[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"name": name, "value": value} for name, value in pairs]


def _downloader(shim: Shim, settings: JobSettings) -> dict[str, Any]:
    anon = shim.spec.fetch_strategy.anon_http
    env = [("SHIM_NAME", str(shim.metadata.name)), ("SHIM_LOCATION", anon.location if anon else "")]
    if anon is not None and anon.sha256:
        env.append(("SHIM_SHA256", anon.sha256))
    return {
        "name": "downloader",
        "image": settings.downloader_image,
        "securityContext": {"privileged": True},
        "env": _env(env),
        "volumeMounts": [{"name": DOWNLOAD_VOLUME, "mountPath": ASSETS}],
    }


def _provisioner(shim: Shim, operation: Operation, settings: JobSettings) -> dict[str, Any]:
    env = [("HOST_ROOT", NODE_ROOT), ("SHIM_FETCH_STRATEGY", NODE_ROOT)]
    options = shim.spec.containerd_runtime_options
    if options:
        env.append(("SHIM_RUNTIME_OPTIONS", json.dumps(options, sort_keys=True)))
    return {
        "name": "provisioner",
        "image": settings.installer_image,
        "args": [operation, "-H", NODE_ROOT, "-r", str(shim.metadata.name)],
        "securityContext": {"privileged": True},
        "env": _env(env),
        "volumeMounts": [
            {"name": ROOT_VOLUME, "mountPath": NODE_ROOT},
            {"name": DOWNLOAD_VOLUME, "mountPath": ASSETS},
        ],
    }


def _pod_spec(node: str, shim: Shim, operation: Operation, settings: JobSettings) -> dict[str, Any]:
    pod: dict[str, Any] = {
        "nodeName": node,
        "hostPID": True,
        "restartPolicy": "Never",
        "volumes": [
            {"name": DOWNLOAD_VOLUME, "emptyDir": {}},
            {"name": ROOT_VOLUME, "hostPath": {"path": "/"}},
        ],
    }
    if operation == INSTALL:
        pod["initContainers"] = [_downloader(shim, settings)]
    pod["containers"] = [_provisioner(shim, operation, settings)]
    return pod


def job_manifest(
    node: str, shim: Shim, operation: Operation, settings: JobSettings
) -> dict[str, Any]:
    """The `batch/v1` Job that installs the shim on `node` or removes it."""
    spec: dict[str, Any] = {}
    if settings.ttl_seconds > 0:
        spec["ttlSecondsAfterFinished"] = settings.ttl_seconds
    spec["template"] = {"spec": _pod_spec(node, shim, operation, settings)}
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": _metadata(node, shim, operation, settings),
        "spec": spec,
    }
