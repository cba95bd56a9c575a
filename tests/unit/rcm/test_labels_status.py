"""Node labels follow the Jobs; the Shim's status counts the nodes and says why not ready."""

from __future__ import annotations

from typing import Any

import pytest

from spinkube.rcm.desired import LabelChange, NodeView, label_change_for_job, node_label_patch
from spinkube.rcm.desired.status import shim_status


def job(operation: str, condition: str | None) -> dict[str, Any]:
    conditions = [{"type": condition, "status": "True"}] if condition else []
    return {
        "metadata": {
            "labels": {"kwasm.sh/shimName": "spin-v2", "kwasm.sh/operation": operation},
            "annotations": {"kwasm.sh/nodeName": "n1"},
        },
        "status": {"conditions": conditions},
    }


@pytest.mark.parametrize(
    ("operation", "condition", "expected"),
    [
        pytest.param("install", "Complete", LabelChange("n1", "spin-v2", "provisioned"), id="i-ok"),
        pytest.param("uninstall", "Complete", LabelChange("n1", "spin-v2", None), id="u-ok"),
        pytest.param("install", "Failed", LabelChange("n1", "spin-v2", "failed"), id="i-fail"),
        pytest.param("uninstall", "Failed", LabelChange("n1", "spin-v2", "failed"), id="u-fail"),
        pytest.param("install", None, None, id="running"),
        pytest.param("install", "Suspended", None, id="suspended"),
    ],
)
def test_label_change_for_job(operation: str, condition: str | None, expected: Any) -> None:
    change = label_change_for_job(job(operation, condition))
    found = None if change is None else LabelChange(change.node, change.key, change.value)
    assert found == expected


def test_jobs_of_others_change_nothing() -> None:
    assert label_change_for_job({"metadata": {"labels": {"app": "x"}}}) is None


def test_label_patch_sets_or_removes() -> None:
    assert node_label_patch("spin-v2", "pending") == {
        "metadata": {"labels": {"spin-v2": "pending"}}
    }
    assert node_label_patch("spin-v2", None) == {"metadata": {"labels": {"spin-v2": None}}}


def nodes(*states: str | None) -> list[NodeView]:
    return [NodeView(f"n{i}", {"spin-v2": s} if s else {}) for i, s in enumerate(states)]


def test_status_counts_matching_and_provisioned_nodes() -> None:
    status = shim_status("spin-v2", nodes("provisioned", "pending", None), previous=None, now="T1")
    assert (status["nodes"], status["nodesReady"]) == (3, 1)
    (ready,) = status["conditions"]
    assert (ready["status"], ready["reason"]) == ("False", "Provisioning")


def test_status_names_failed_nodes() -> None:
    status = shim_status("spin-v2", nodes("provisioned", "failed"), previous=None, now="T1")
    assert status["conditions"][0]["reason"] == "NodesFailed"
    assert "n1" in status["conditions"][0]["message"]


def test_ready_keeps_its_transition_time_while_unchanged() -> None:
    first = shim_status("spin-v2", nodes("provisioned"), previous=None, now="T1")
    again = shim_status("spin-v2", nodes("provisioned"), previous=first, now="T2")
    assert first["conditions"][0]["status"] == "True"
    assert again == first
    none = shim_status("spin-v2", [], previous=first, now="T3")
    assert none["conditions"][0]["lastTransitionTime"] == "T3"
    assert none["conditions"][0]["reason"] == "NoMatchingNodes"
