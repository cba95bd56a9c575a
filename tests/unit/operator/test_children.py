"""Which app a child belongs to, and whether someone else changed it."""

from __future__ import annotations

from typing import Any

import pytest

from spinkube.desired import Children
from spinkube.operator.controllers.children import DEPLOYMENT, SERVICE, drifted, owner_app
from spinkube.operator.controllers.errors import backoff
from spinkube.operator.controllers.state import AppKey, Applied, AppState
from spinkube.operator.handlers import applied_message


def child(**meta: Any) -> dict[str, Any]:
    return {"metadata": {"namespace": "ns", **meta}}


def test_the_owner_is_the_controlling_spinapp() -> None:
    owner = {"apiVersion": "core.spinoperator.dev/v1alpha1", "kind": "SpinApp", "name": "hello"}
    other = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "x"}

    assert owner_app(child(ownerReferences=[other, owner])) == AppKey("ns", "hello")


def test_without_owner_the_label_names_the_app() -> None:
    labels = {"core.spinoperator.dev/app-name": "hello"}

    assert owner_app(child(labels=labels)) == AppKey("ns", "hello")
    assert owner_app(child()) is None


@pytest.mark.parametrize(
    ("kind", "meta", "applied", "expected"),
    [
        pytest.param(DEPLOYMENT, {"generation": 2}, Applied(2, None), False, id="same-generation"),
        pytest.param(DEPLOYMENT, {"generation": 3}, Applied(2, None), True, id="edited-deployment"),
        pytest.param(DEPLOYMENT, {"generation": 1}, Applied(2, None), False, id="stale-event"),
        pytest.param(DEPLOYMENT, {"generation": 9}, None, False, id="not-applied-yet"),
        pytest.param(SERVICE, {"resourceVersion": "7"}, Applied(None, "7"), False, id="own-apply"),
        pytest.param(SERVICE, {"resourceVersion": "8"}, Applied(None, "7"), True, id="edited"),
        pytest.param(SERVICE, {"resourceVersion": "8"}, Applied(), False, id="unknown-version"),
    ],
)
def test_drift(kind: str, meta: dict[str, Any], applied: Applied | None, expected: bool) -> None:
    assert drifted(kind, child(**meta), applied) is expected


def test_forgetting_an_app_drops_everything_about_it() -> None:
    state = AppState()
    key = AppKey("ns", "a")
    state.lock(key)
    state.status[key] = {"readyReplicas": 0}
    state.applied[key] = Applied(1, "1")
    state.waiting.add(key)

    state.forget(key)

    assert (state.locks, state.status, state.applied, state.waiting) == ({}, {}, {}, set())


@pytest.mark.parametrize(
    ("retry", "expected"), [(0, 1.0), (1, 2.0), (3, 8.0), (5, 30.0), (1000, 30.0)]
)
def test_backoff_doubles_up_to_a_cap(retry: int, expected: float) -> None:
    assert backoff(retry) == expected


def test_the_normal_event_lists_what_was_applied() -> None:
    meta = {"metadata": {"name": "hello"}}
    secret = {"metadata": {"name": "hello-760b133c"}}

    full = Children(service=meta, deployment=meta, runtime_config_secret=secret)

    assert applied_message(full) == (
        "Applied Deployment hello, Service hello and Secret hello-760b133c"
    )
    assert applied_message(Children(service=meta)) == "Applied Service hello"
