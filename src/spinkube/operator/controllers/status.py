"""A SpinApp's status, computed from its Deployment: pure functions over plain JSON.

Upstream copies the Deployment's `Available` and `Progressing` conditions and its
`readyReplicas`; without a Deployment both conditions are `Unknown`/`DeploymentNotFound`.
This operator adds one condition of its own, `Reconciled`, which says whether the last
reconciliation got through and, if not, why (missing executor, missing reference...).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from spinkube.api import APP_NAME_LABEL, STATUS_READY, app_status_label

Json = dict[str, Any]

COPIED_CONDITIONS = ("Available", "Progressing")
RECONCILED = "Reconciled"
NOT_FOUND_REASON = "DeploymentNotFound"
NOT_FOUND_MESSAGE = "Deployment not found"
PENDING_REASON = "DeploymentPending"
PENDING_MESSAGE = "the Deployment has not reported this condition yet"


def now() -> str:
    """The current time as Kubernetes writes it (`metav1.Time`, second precision)."""
    stamp = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    return stamp.isoformat().replace("+00:00", "Z")


def condition(type_: str, status: str, reason: str, message: str, *, at: str) -> Json:
    return {
        "type": type_,
        "status": status,
        "reason": reason,
        "message": message,
        "lastTransitionTime": at,
    }


def _by_type(conditions: Iterable[Mapping[str, Any]] | None) -> dict[str, Mapping[str, Any]]:
    return {str(c.get("type")): c for c in conditions or [] if c.get("type")}


def _copied(deployment: Mapping[str, Any] | None, type_: str, at: str) -> Json:
    if deployment is None:
        return condition(type_, "Unknown", NOT_FOUND_REASON, NOT_FOUND_MESSAGE, at=at)
    found = _by_type((deployment.get("status") or {}).get("conditions")).get(type_)
    if found is None:
        return condition(type_, "Unknown", PENDING_REASON, PENDING_MESSAGE, at=at)
    return condition(
        type_,
        str(found.get("status") or "Unknown"),
        str(found.get("reason") or type_),
        str(found.get("message") or ""),
        at=str(found.get("lastTransitionTime") or at),
    )


def keep_transition_times(conditions: list[Json], previous: Iterable[Mapping[str, Any]]) -> None:
    """A condition keeps its `lastTransitionTime` while its status stays the same (as
    apimachinery's `SetStatusCondition`)."""
    before = _by_type(previous)
    for cond in conditions:
        old = before.get(cond["type"])
        if old is not None and old.get("status") == cond["status"]:
            cond["lastTransitionTime"] = old.get("lastTransitionTime") or cond["lastTransitionTime"]


def deployment_status(
    *,
    executor: str,
    deployment: Mapping[str, Any] | None,
    reconciled: Json | None,
    previous: Mapping[str, Any] | None,
    at: str | None = None,
    app: str | None = None,
) -> Json:
    """The status of an app whose executor creates Deployments; with the app's name, also
    the label selector of its pods, which the scale subresource reports."""
    at = at or now()
    conditions = [_copied(deployment, t, at) for t in COPIED_CONDITIONS]
    if reconciled is not None:
        conditions.append(dict(reconciled))
    previous_conditions = (previous or {}).get("conditions") or []
    keep_transition_times(conditions, previous_conditions)
    ready = ((deployment or {}).get("status") or {}).get("readyReplicas") or 0
    status: Json = {"readyReplicas": int(ready), "activeScheduler": executor}
    if app is not None:
        status["selector"] = pod_selector(app)
    return {**status, "conditions": conditions}


def pod_selector(app: str) -> str:
    """The app's pods as a label selector string (`kubectl get pods -l ...`, HPAs)."""
    return f"{APP_NAME_LABEL}={app},{app_status_label(app)}={STATUS_READY}"


def with_condition(previous: Mapping[str, Any] | None, cond: Json) -> Json:
    """`previous` status with `cond` set (replacing the condition of the same type)."""
    status: Json = {"readyReplicas": 0, **(previous or {})}
    others = [c for c in status.get("conditions") or [] if c.get("type") != cond["type"]]
    updated = [*others, dict(cond)]
    keep_transition_times(updated, status.get("conditions") or [])
    status["conditions"] = updated
    return status


def without_times(status: Mapping[str, Any] | None) -> Json:
    """`status` with the transition times left out: what decides whether to patch."""
    if status is None:
        return {}
    conditions = [
        {k: v for k, v in c.items() if k != "lastTransitionTime"}
        for c in status.get("conditions") or []
    ]
    return {**status, "conditions": sorted(conditions, key=lambda c: str(c.get("type")))}


def changed(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> bool:
    return without_times(old) != without_times(new)
