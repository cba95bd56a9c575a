"""Rules upstream lacks, for mistakes users hit that otherwise fail later and less clearly.

An empty image, a check without httpGet (the reconcile fails), requests above limits (the
Deployment is rejected), variable names Spin refuses (the app fails at start), volume names
that clash with the operator's `spin-` volumes, repeated runtime-config store names, and
extra container variables (`spec.env`) Kubernetes refuses or the operator sets itself.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from spinkube.admission.errors import FieldError
from spinkube.admission.quantity import parse_quantity
from spinkube.api import (
    EnvVar,
    KeyValueStoreConfig,
    Resources,
    RuntimeConfig,
    SpinAppSpec,
    SpinVar,
    SqliteDatabaseConfig,
    is_operator_env,
)

OPERATOR_VOLUME_PREFIX = "spin-"
IMAGE_REQUIRED = "image must be set to the OCI reference of the Spin app"


def validate_image(spec: SpinAppSpec) -> list[FieldError]:
    if spec.image.strip():
        return []
    return [FieldError.required("spec.image", IMAGE_REQUIRED)]


def validate_checks(spec: SpinAppSpec) -> list[FieldError]:
    """A readiness or liveness check needs `httpGet`, the only kind the operator supports."""
    if spec.checks is None:
        return []
    errors = []
    for kind, check in (("readiness", spec.checks.readiness), ("liveness", spec.checks.liveness)):
        if check is not None and check.http_get is None:
            message = f"a {kind} check needs httpGet, the only kind of check the operator supports"
            errors.append(FieldError.required(f"spec.checks.{kind}.httpGet", message))
    return errors


def validate_resources(spec: SpinAppSpec) -> list[FieldError]:
    """A request may not exceed the limit of the same resource (Kubernetes' own message)."""
    resources = spec.resources or Resources()
    limits, requests = resources.limits or {}, resources.requests or {}
    errors = []
    for name, request in requests.items():
        if name not in limits:
            continue
        wanted, limit = parse_quantity(request), parse_quantity(limits[name])
        if wanted is not None and limit is not None and wanted > limit:
            message = f"must be less than or equal to {name} limit of {limits[name]}"
            errors.append(FieldError(f"spec.resources.requests.{name}", str(request), message))
    return errors


def variable_name_problem(name: str) -> str | None:
    """Why Spin refuses `name` as a variable name, or None; Spin's own messages.

    Spin's rule (`spin-expressions` `Key::validate`): lower-case ASCII letters, digits and
    single underscores, starting with a letter and ending with a letter or digit.
    """
    if not name:
        return "must not be empty"
    invalid = next((c for c in name if not ("a" <= c <= "z" or "0" <= c <= "9" or c == "_")), None)
    if invalid is not None:
        shown = invalid.encode("unicode_escape").decode().replace("'", "\\'")
        return (
            f"invalid character '{shown}'. Variable names may contain only lower-case letters, "
            "numbers, and underscores."
        )
    if not ("a" <= name[0] <= "z"):
        return "must start with a lowercase ASCII letter"
    if name.endswith("_"):
        return "must end with a lowercase ASCII letter or digit"
    if "__" in name:
        return "must not contain multiple consecutive underscores"
    return None


_VALUE_AND_SOURCE = "may not be specified when `value` is not empty"
_NO_SOURCE = (
    "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"
)
_MANY_SOURCES = "may not have more than one field specified at a time"


def _value_source_errors(var: SpinVar, path: str) -> list[FieldError]:
    """Kubernetes refuses an env var with both `value` and `valueFrom`, or a `valueFrom` that
    names no source or several; its messages."""
    if var.value_from is None:
        return []
    sources = var.value_from.model_dump(exclude_none=True)
    if var.value:
        message = _VALUE_AND_SOURCE
    elif len(sources) != 1:
        message = _MANY_SOURCES if sources else _NO_SOURCE
    else:
        return []
    return [FieldError(f"{path}.valueFrom", "", message)]


def validate_variables(spec: SpinAppSpec) -> list[FieldError]:
    """Names Spin accepts, each bound once, to one value or one source."""
    errors = []
    seen: set[str] = set()
    for i, var in enumerate(spec.variables or []):
        path = f"spec.variables[{i}]"
        problem = variable_name_problem(var.name)
        if problem:
            errors.append(FieldError(f"{path}.name", var.name, problem))
        elif var.name in seen:
            errors.append(FieldError.duplicate(f"{path}.name", var.name))
        seen.add(var.name)
        errors += _value_source_errors(var, path)
    return errors


ENV_NAME = re.compile(r"^[-._a-zA-Z][-._a-zA-Z0-9]*$")
_ENV_NAME_MESSAGE = (
    "a valid environment variable name must consist of alphabetic characters, digits, '_', "
    "'-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or "
    "'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')"
)
_OPERATOR_ENV_MESSAGE = (
    "the operator sets this variable itself: use listenPort, variables or the executor's otel"
)


def validate_env(spec: SpinAppSpec) -> list[FieldError]:
    """Names Kubernetes accepts, each once, none the operator sets; a value or one source."""
    errors = []
    seen: set[str] = set()
    for i, var in enumerate(spec.env or []):
        path = f"spec.env[{i}]"
        if not ENV_NAME.match(var.name):
            errors.append(FieldError(f"{path}.name", var.name, _ENV_NAME_MESSAGE))
        elif is_operator_env(var.name):
            errors.append(FieldError(f"{path}.name", var.name, _OPERATOR_ENV_MESSAGE))
        elif var.name in seen:
            errors.append(FieldError.duplicate(f"{path}.name", var.name))
        seen.add(var.name)
        errors += _env_source_errors(var, path)
    return errors


def _env_source_errors(var: EnvVar, path: str) -> list[FieldError]:
    source = (var.model_extra or {}).get("valueFrom")
    if source is None:
        return []
    if var.value:
        message = _VALUE_AND_SOURCE
    elif not isinstance(source, dict) or len(source) != 1:
        message = _MANY_SOURCES if source else _NO_SOURCE
    else:
        return []
    return [FieldError(f"{path}.valueFrom", "", message)]


def validate_volumes(spec: SpinAppSpec) -> list[FieldError]:
    """User volumes may not take the `spin-` names reserved for the operator's volumes."""
    return [
        FieldError(
            f"spec.volumes[{i}].name",
            volume.name,
            f'volume names starting with "{OPERATOR_VOLUME_PREFIX}" are reserved for the '
            "operator's volumes (spin-runtime-config, spin-ca)",
        )
        for i, volume in enumerate(spec.volumes or [])
        if volume.name.startswith(OPERATOR_VOLUME_PREFIX)
    ]


def _duplicate_names(
    stores: Sequence[KeyValueStoreConfig | SqliteDatabaseConfig], field: str
) -> list[FieldError]:
    seen: set[str] = set()
    errors = []
    for i, store in enumerate(stores):
        if store.name in seen:
            path = f"spec.runtimeConfig.{field}[{i}].name"
            errors.append(FieldError.duplicate(path, store.name))
        seen.add(store.name)
    return errors


def validate_runtime_config(spec: SpinAppSpec) -> list[FieldError]:
    """Each key-value store and SQLite database name defined once (ignored with loadFromSecret)."""
    config = spec.runtime_config or RuntimeConfig()
    if config.load_from_secret:
        return []
    return _duplicate_names(config.key_value_stores or [], "keyValueStores") + _duplicate_names(
        config.sqlite_databases or [], "sqliteDatabases"
    )


def validate_spec(spec: SpinAppSpec) -> list[FieldError]:
    """All of this module's rules, in field order."""
    return [
        *validate_image(spec),
        *validate_checks(spec),
        *validate_resources(spec),
        *validate_variables(spec),
        *validate_volumes(spec),
        *validate_env(spec),
        *validate_runtime_config(spec),
    ]
