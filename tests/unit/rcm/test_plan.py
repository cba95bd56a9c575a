"""The rollout plan: which nodes get an install Job now, for recreate and rolling."""

from __future__ import annotations

from typing import Any

import pytest

from spinkube.api.shim import Shim
from spinkube.rcm.desired import INSTALL, JobState, NodeView, job_name, matches, plan_install

S = "spin-v2"


def shim(strategy: dict[str, Any]) -> Shim:
    return Shim.model_validate(
        {
            "metadata": {"name": S},
            "spec": {
                "fetchStrategy": {"type": "anonymousHttp", "anonHttp": {"location": "x"}},
                "runtimeClass": {"name": "rc", "handler": S},
                "rolloutStrategy": strategy,
            },
        }
    )


RECREATE = shim({"type": "recreate"})


def rolling(max_update: int) -> Shim:
    return shim({"type": "rolling", "rolling": {"maxUpdate": max_update}})


def node(name: str, state: str | None = None) -> NodeView:
    return NodeView(name, {S: state} if state else {})


def install_job(name: str, state: JobState) -> dict[str, JobState]:
    return {job_name(name, S, INSTALL): state}


def test_recreate_installs_every_unlabelled_node_at_once() -> None:
    nodes = [node("c"), node("a"), node("b", "provisioned")]
    assert plan_install(RECREATE, nodes, {}).install == ("a", "c")


def test_rolling_installs_max_update_nodes_in_name_order() -> None:
    nodes = [node(n) for n in ("d", "b", "a", "c")]
    plan = plan_install(rolling(2), nodes, {})
    assert plan.install == ("a", "b")
    assert plan.waiting == ("c", "d")


def test_rolling_waits_while_max_update_nodes_are_pending() -> None:
    nodes = [node("a", "pending"), node("b", "pending"), node("c")]
    jobs = {**install_job("a", JobState.ACTIVE), **install_job("b", JobState.ACTIVE)}
    plan = plan_install(rolling(2), nodes, jobs)
    assert plan.install == ()
    assert plan.in_flight == ("a", "b")
    assert plan.waiting == ("c",)


def test_rolling_moves_on_when_a_node_is_provisioned() -> None:
    nodes = [node("a", "provisioned"), node("b", "pending"), node("c"), node("d")]
    jobs = {**install_job("a", JobState.COMPLETE), **install_job("b", JobState.ACTIVE)}
    assert plan_install(rolling(2), nodes, jobs).install == ("c",)


def test_a_failed_node_does_not_hold_the_rollout_and_is_not_retried_while_its_job_stays() -> None:
    nodes = [node("a", "failed"), node("b")]
    jobs = install_job("a", JobState.FAILED)
    assert plan_install(rolling(1), nodes, jobs).install == ("b",)


def test_a_failed_node_is_retried_once_its_job_is_gone() -> None:
    assert plan_install(RECREATE, [node("a", "failed")], {}).install == ("a",)


def test_a_pending_node_whose_job_vanished_is_installed_again() -> None:
    assert plan_install(RECREATE, [node("a", "pending")], {}).install == ("a",)


def test_a_node_being_uninstalled_waits_for_its_job() -> None:
    jobs = {job_name("a", S, "uninstall"): JobState.ACTIVE}
    plan = plan_install(RECREATE, [node("a", "uninstall")], jobs)
    assert plan.install == ()
    assert plan.in_flight == ("a",)


def test_rolling_without_settings_goes_one_node_at_a_time() -> None:
    plan = plan_install(shim({"type": "rolling"}), [node("a"), node("b")], {})
    assert plan.install == ("a",)


@pytest.mark.parametrize(
    ("labels", "selector", "expected"),
    [
        pytest.param({}, None, True, id="no-selector"),
        pytest.param({}, {}, True, id="empty-selector"),
        pytest.param({"spin": "true", "x": "y"}, {"spin": "true"}, True, id="subset"),
        pytest.param({"spin": "false"}, {"spin": "true"}, False, id="other-value"),
    ],
)
def test_node_selector_matching(
    labels: dict[str, str], selector: dict[str, str] | None, expected: bool
) -> None:
    assert matches(NodeView("n", labels), selector) is expected
