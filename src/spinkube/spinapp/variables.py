"""Resolve component variables: each is a template over application variables, whose values
come from a provider (environment, runtime config, Vault...) or fall back to their default."""

from __future__ import annotations

from collections.abc import Callable

from spinkube.spinapp.errors import SpinAppError
from spinkube.spinapp.model import App
from spinkube.spinapp.templates import TemplateError, render

Provider = Callable[[str], str | None]
"""Application variable name to its value, or None when the provider does not know it."""


class VariableError(SpinAppError):
    """A component variable that cannot be resolved (unknown, or required and not provided)."""


def app_variable(app: App, name: str, provider: Provider) -> str:
    """An application variable's value: the provider's, else the default."""
    variable = app.variables.get(name)
    if variable is None:
        raise VariableError(f"no application variable {name!r}")
    value = provider(name)
    if value is not None:
        return value
    if variable.default is None:
        raise VariableError(f"no value for required variable {name!r}")
    return variable.default


def component_variable(app: App, component_id: str, key: str, provider: Provider) -> str | None:
    """What ``spin_sdk.variables.get(key)`` returns in that component; None when it is undefined."""
    template = app.component(component_id).variables.get(key)
    if template is None:
        return None
    try:
        return render(template, lambda name: app_variable(app, name, provider))
    except TemplateError as e:
        raise VariableError(f"component {component_id!r}: variable {key!r}: {e}") from None
