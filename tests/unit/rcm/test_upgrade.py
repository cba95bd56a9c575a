"""A changed Shim reinstalls its provisioned nodes: the installed fingerprint on the node."""

from __future__ import annotations

from typing import Any

from spinkube.api.shim import Shim
from spinkube.rcm.desired import (
    INSTALL,
    JobSettings,
    JobState,
    NodeView,
    installed_annotation,
    job_manifest,
    job_name,
    label_change_for_job,
    node_change_patch,
    plan_install,
    shim_fingerprint,
)

S = "spin-v2"


def shim(location: str = "https://e/a.tar.gz", rollout: str = "recreate", **spec: Any) -> Shim:
    return Shim.model_validate(
        {
            "metadata": {"name": S, "uid": "u"},
            "spec": {
                "fetchStrategy": {"type": "anonymousHttp", "anonHttp": {"location": location}},
                "runtimeClass": {"name": "rc", "handler": S},
                "rolloutStrategy": {"type": rollout, "rolling": {"maxUpdate": 1}}
                if rollout == "rolling"
                else {"type": rollout},
                **spec,
            },
        }
    )


def completed(job: dict[str, Any]) -> dict[str, Any]:
    return {**job, "status": {"conditions": [{"type": "Complete", "status": "True"}]}}


def installed(name: str, fingerprint: str) -> NodeView:
    return NodeView(name, {S: "provisioned"}, {installed_annotation(S): fingerprint})


def test_a_completed_install_records_the_fingerprint_of_what_it_installed() -> None:
    s = shim(containerdRuntimeOptions={"SystemdCgroup": "true"})
    job = completed(job_manifest("n1", s, INSTALL, JobSettings("ns", "d", "i")))
    change = label_change_for_job(job)
    assert change is not None
    assert change.installed == shim_fingerprint(s)
    patch = node_change_patch(change)
    assert patch["metadata"]["annotations"] == {installed_annotation(S): shim_fingerprint(s)}
    assert patch["metadata"]["labels"] == {S: "provisioned"}


def test_a_provisioned_node_with_the_current_install_is_left_alone() -> None:
    s = shim()
    assert plan_install(s, [installed("a", shim_fingerprint(s))], {}).install == ()


def test_a_changed_location_reinstalls_provisioned_nodes_by_the_rollout() -> None:
    old = shim_fingerprint(shim("https://e/old.tar.gz"))
    nodes = [installed("a", old), installed("b", old)]
    jobs = {job_name(n, S, INSTALL): JobState.COMPLETE for n in ("a", "b")}
    assert plan_install(shim(), nodes, jobs).install == ("a", "b")
    assert plan_install(shim(rollout="rolling"), nodes, jobs).install == ("a",)


def test_a_node_without_a_record_is_taken_as_current() -> None:
    assert plan_install(shim(), [NodeView("a", {S: "provisioned"})], {}).install == ()


def test_a_completed_uninstall_removes_label_and_record() -> None:
    change = label_change_for_job(
        completed(job_manifest("n1", shim(), "uninstall", JobSettings("ns", "d", "i")))
    )
    assert change is not None
    assert node_change_patch(change) == {
        "metadata": {"labels": {S: None}, "annotations": {installed_annotation(S): None}}
    }
