"""Field errors shaped like the API server's: `spec.replicas: Invalid value: ...`.

pydantic reports locations as tuples of wire names and indexes; users read paths like
`spec.variables[0].valueFrom`. This module turns one into the other.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pydantic import ValidationError
from pydantic_core import ErrorDetails


@dataclass(frozen=True)
class FieldError:
    """One problem with one field: the path names the field, the message says what is wrong."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


def field_path(loc: Sequence[int | str], prefix: str = "") -> str:
    """Render a pydantic location as a Kubernetes field path, e.g. `spec.variables[0].name`."""
    path = prefix
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path = f"{path}.{part}" if path else part
    return path


def _message(error: ErrorDetails) -> str:
    kind = error["type"]
    if kind == "missing":
        return "Required value"
    if kind == "extra_forbidden":
        return "Unsupported field: field not declared in schema"
    message = error["msg"].removeprefix("Value error, ")
    return f"Invalid value: {_show(error.get('input'))}: {message}"


def _show(value: object) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, dict | list):
        return type(value).__name__
    return str(value)


def field_errors(error: ValidationError, prefix: str = "") -> list[FieldError]:
    """The problems pydantic found, one per field, in the order it found them."""
    seen: set[str] = set()
    errors = []
    for detail in error.errors(include_url=False):
        path = field_path(detail["loc"], prefix)
        if path in seen:
            continue
        seen.add(path)
        errors.append(FieldError(path, _message(detail)))
    return errors


def format_field_errors(errors: Iterable[FieldError]) -> str:
    """One `path: message` line per error."""
    return "\n".join(str(e) for e in errors)
