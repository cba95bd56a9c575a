"""A SpinApp's status from its Deployment."""

from __future__ import annotations

from typing import Any

from spinkube.operator.controllers import status as st

AT = "2026-01-01T00:00:00Z"
LATER = "2026-02-02T00:00:00Z"


def types(status: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["type"]: c for c in status["conditions"]}


def test_without_a_deployment_both_conditions_are_unknown() -> None:
    status = st.deployment_status(
        executor="containerd-shim-spin", deployment=None, reconciled=None, previous=None, at=AT
    )

    assert status["readyReplicas"] == 0
    assert status["activeScheduler"] == "containerd-shim-spin"
    for type_ in ("Available", "Progressing"):
        assert types(status)[type_] == {
            "type": type_,
            "status": "Unknown",
            "reason": "DeploymentNotFound",
            "message": "Deployment not found",
            "lastTransitionTime": AT,
        }


def test_the_deployments_conditions_and_ready_replicas_are_copied() -> None:
    deployment = {
        "status": {
            "readyReplicas": 3,
            "conditions": [
                {
                    "type": "Available",
                    "status": "True",
                    "reason": "MinimumReplicasAvailable",
                    "message": "Deployment has minimum availability.",
                    "lastTransitionTime": LATER,
                    "lastUpdateTime": LATER,
                },
                {"type": "ReplicaFailure", "status": "False"},
            ],
        }
    }

    status = st.deployment_status(
        executor="x", deployment=deployment, reconciled=None, previous=None, at=AT
    )

    assert status["readyReplicas"] == 3
    assert types(status)["Available"] == {
        "type": "Available",
        "status": "True",
        "reason": "MinimumReplicasAvailable",
        "message": "Deployment has minimum availability.",
        "lastTransitionTime": LATER,
    }
    assert types(status)["Progressing"]["reason"] == st.PENDING_REASON
    assert set(types(status)) == {"Available", "Progressing"}


def test_a_condition_keeps_its_transition_time_while_its_status_stays() -> None:
    first = st.deployment_status(
        executor="x", deployment=None, reconciled=None, previous=None, at=AT
    )
    second = st.deployment_status(
        executor="x", deployment=None, reconciled=None, previous=first, at=LATER
    )

    assert types(second)["Available"]["lastTransitionTime"] == AT
    assert not st.changed(first, second)


def test_the_reconciled_condition_is_kept_beside_the_copied_ones() -> None:
    failed = st.condition("Reconciled", "False", "MissingReference", "ConfigMap x", at=AT)

    status = st.deployment_status(
        executor="x", deployment=None, reconciled=failed, previous=None, at=AT
    )

    assert types(status)["Reconciled"] == failed


def test_with_condition_replaces_one_condition_and_keeps_the_rest() -> None:
    before = st.deployment_status(
        executor="x", deployment=None, reconciled=None, previous=None, at=AT
    )
    failed = st.condition("Reconciled", "False", "MissingExecutor", "gone", at=LATER)

    after = st.with_condition(before, failed)

    assert set(types(after)) == {"Available", "Progressing", "Reconciled"}
    assert after["readyReplicas"] == 0
    assert st.changed(before, after)


def test_with_condition_on_an_app_without_status_sets_ready_replicas() -> None:
    cond = st.condition("Reconciled", "False", "MissingExecutor", "gone", at=AT)

    assert st.with_condition(None, cond) == {"readyReplicas": 0, "conditions": [cond]}


def test_only_a_change_beyond_transition_times_counts() -> None:
    a = {"readyReplicas": 1, "conditions": [st.condition("Available", "True", "R", "m", at=AT)]}
    b = {"readyReplicas": 1, "conditions": [st.condition("Available", "True", "R", "m", at=LATER)]}
    c = {"readyReplicas": 2, "conditions": a["conditions"]}

    assert not st.changed(a, b)
    assert st.changed(a, c)
    assert st.changed(None, a)
