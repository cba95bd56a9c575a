"""The defaulting webhook's one rule: fill in the executor when the app names none."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from spinkube.api import SpinApp

ExecutorLister = Callable[[str], Iterable[str]]
"""Namespace -> names of the SpinAppExecutors in it."""


def default_executor(app: SpinApp, *, list_executors: ExecutorLister) -> str:
    """The executor `app` should use: its own, else the alphabetically first in its namespace.

    Upstream lists the executors of all namespaces and may pick one the app cannot use (it
    must live in the app's namespace); this lists only the app's namespace. Empty when there
    is none: validation then says that no executor is installed.
    """
    if app.spec.executor:
        return app.spec.executor
    names = sorted(list_executors(app.metadata.namespace or "default"))
    return names[0] if names else ""


def default_spinapp(app: SpinApp, *, list_executors: ExecutorLister) -> SpinApp:
    """`app` with its defaults filled in (only `spec.executor`; replicas stay as given)."""
    executor = default_executor(app, list_executors=list_executors)
    if executor == app.spec.executor:
        return app
    return app.model_copy(update={"spec": app.spec.model_copy(update={"executor": executor})})
