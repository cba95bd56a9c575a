"""Node label changes: the label `<shim name>` follows the node's Jobs.

| Job | node label |
|---|---|
| install Job started | `pending` |
| uninstall Job started | `uninstall` |
| install Job Complete | `provisioned` |
| uninstall Job Complete | removed |
| either Failed | `failed` |
| running or suspended | unchanged |

A completed install also records what was installed (`fingerprint.py`); a completed uninstall
removes that record with the label.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from spinkube.api.constants import (
    NODE_FAILED,
    NODE_NAME_ANNOTATION,
    NODE_PROVISIONED,
    OPERATION_LABEL,
    SHIM_NAME_LABEL,
)
from spinkube.rcm.desired.fingerprint import installed_annotation, job_fingerprint
from spinkube.rcm.desired.jobs import INSTALL
from spinkube.rcm.desired.plan import JobState, job_state


@dataclass(frozen=True)
class LabelChange:
    node: str
    key: str
    value: str | None
    """None removes the label."""
    installed: str | None = None
    """The fingerprint of a completed install; removed with the label."""


def node_label_patch(key: str, value: str | None) -> dict[str, Any]:
    """A JSON merge patch setting (or, with None, removing) one node label."""
    return {"metadata": {"labels": {key: value}}}


def node_change_patch(change: LabelChange) -> dict[str, Any]:
    """The label, and with a completed install or uninstall the installed-fingerprint too."""
    patch = node_label_patch(change.key, change.value)
    if change.installed is not None or change.value is None:
        patch["metadata"]["annotations"] = {installed_annotation(change.key): change.installed}
    return patch


def label_change_for_job(job: Mapping[str, Any]) -> LabelChange | None:
    """What a finished Job of runtime-class-manager does to its node's label; None for a Job
    that is not ours, or has not finished."""
    meta = job.get("metadata") or {}
    labels, annotations = meta.get("labels") or {}, meta.get("annotations") or {}
    shim = labels.get(SHIM_NAME_LABEL)
    node = annotations.get(NODE_NAME_ANNOTATION) or (
        ((job.get("spec") or {}).get("template") or {}).get("spec") or {}
    ).get("nodeName")
    if not shim or not node:
        return None
    state = job_state(job)
    if state is JobState.FAILED:
        return LabelChange(node, shim, NODE_FAILED)
    if state is JobState.COMPLETE:
        if labels.get(OPERATION_LABEL) == INSTALL:
            return LabelChange(node, shim, NODE_PROVISIONED, job_fingerprint(job))
        return LabelChange(node, shim, None)
    return None
