"""Executor defaulting (upstream `internal/webhook/spinapp_defaulting_test.go` and
`admission_test.go`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pytest

from spinkube.admission import (
    SPINAPP_WEBHOOK,
    default_executor,
    default_spinapp,
    denial_message,
    validate_spinapp,
)
from spinkube.api import SpinApp


def _app(executor: str = "", namespace: str = "default", replicas: int = 2) -> SpinApp:
    return SpinApp.model_validate(
        {
            "metadata": {"name": "app", "namespace": namespace},
            "spec": {"image": "img", "executor": executor, "replicas": replicas},
        }
    )


def _lister(by_namespace: dict[str, list[str]]) -> Callable[[str], Iterable[str]]:
    return lambda namespace: by_namespace.get(namespace, [])


@pytest.mark.parametrize(
    ("executors", "expected"),
    [
        pytest.param([], "", id="none-installed"),
        pytest.param(["cyclotron"], "cyclotron", id="single-TestCreateSpinAppWithSingleExecutor"),
        pytest.param(
            ["cyclotron", "containerd-shim-spin"],
            "containerd-shim-spin",
            id="alphabetical-TestCreateSpinAppWithMultipleExecutors",
        ),
    ],
)
def test_default_executor(executors: list[str], expected: str) -> None:
    assert default_executor(_app(), list_executors=_lister({"default": executors})) == expected


def test_given_executor_is_kept() -> None:
    app = _app(executor="mine")
    assert default_executor(app, list_executors=_lister({"default": ["aaa"]})) == "mine"


def test_only_the_apps_namespace_counts() -> None:
    """Upstream lists executors cluster-wide (a known defect); we list the app's namespace."""
    listed: list[str] = []

    def lister(namespace: str) -> list[str]:
        listed.append(namespace)
        return {"other": ["aaa-elsewhere"], "team": ["zzz-here"]}.get(namespace, [])

    assert default_executor(_app(namespace="team"), list_executors=lister) == "zzz-here"
    assert listed == ["team"]


def test_default_spinapp_keeps_replicas() -> None:
    """TestCreateSpinAppWithSingleExecutor: executor filled in, replicas 2 kept."""
    app = _app(replicas=2)
    defaulted = default_spinapp(app, list_executors=_lister({"default": ["cyclotron"]}))
    assert defaulted.spec.executor == "cyclotron"
    assert defaulted.spec.replicas == 2
    assert app.spec.executor == ""


def test_default_spinapp_without_executors_leaves_it_empty() -> None:
    app = _app()
    assert default_spinapp(app, list_executors=_lister({})) is app


def test_create_spinapp_with_no_executor() -> None:
    """TestCreateSpinAppWithNoExecutor: defaulting finds none, validation denies with the
    exact message the client sees."""
    app = SpinApp.model_validate(
        {"metadata": {"name": "spinapp", "namespace": "default"}, "spec": {"image": "img"}}
    )
    defaulted = default_spinapp(app, list_executors=_lister({}))
    errors = validate_spinapp(defaulted, get_executor=lambda ns, name: None)
    assert denial_message(SPINAPP_WEBHOOK, "SpinApp", "spinapp", errors) == (
        'admission webhook "vspinapp.kb.io" denied the request: SpinApp.core.spinoperator.dev '
        '"spinapp" is invalid: [spec.executor: Invalid value: "": executor must be set, likely '
        "no default executor was set because you have no executors installed, spec.replicas: "
        "Invalid value: 0: replicas must be > 0]"
    )
