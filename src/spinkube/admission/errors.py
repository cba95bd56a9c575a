"""Field errors printed exactly like Kubernetes' `field.Error`, and the webhook denial message.

`spec.replicas: Invalid value: 0: replicas must be > 0`: the path, the error type, the bad
value in Go's formatting (`%q` for strings, `%v` for numbers and booleans, `%#v` for maps),
then the detail. A denial joins the errors like apimachinery's `NewInvalid`.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from spinkube.api import GROUP


class ErrorType(enum.Enum):
    """Kubernetes' `field.ErrorType`, as it prints."""

    INVALID = "Invalid value"
    REQUIRED = "Required value"
    DUPLICATE = "Duplicate value"
    FORBIDDEN = "Forbidden"


class _Omitted:
    def __repr__(self) -> str:
        return "OMITTED"


OMITTED: Final = _Omitted()
"""The bad value of an error that prints none (`Required value`, `Forbidden`)."""

_GO_ESCAPES = {
    "\a": "\\a",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\v": "\\v",
    "\\": "\\\\",
    '"': '\\"',
}


def _go_char(char: str) -> str:
    if char in _GO_ESCAPES:
        return _GO_ESCAPES[char]
    code = ord(char)
    if code < 0x20 or code == 0x7F:
        return f"\\x{code:02x}"
    if char == " " or char.isprintable():
        return char
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def go_quote(text: str) -> str:
    """Go's `strconv.Quote` (what `%q` prints): double quotes, Go escapes."""
    return '"' + "".join(_go_char(c) for c in text) + '"'


def go_value(value: object) -> str:
    """A bad value as `field.Error` prints it: `%v`, `%q` or `%#v` by type; None is `"null"`."""
    if value is None:
        return go_quote("null")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return go_quote(value)
    if isinstance(value, Mapping):
        pairs = ", ".join(f"{go_quote(k)}:{go_quote(str(v))}" for k, v in sorted(value.items()))
        return f"map[string]string{{{pairs}}}"
    if isinstance(value, Sequence):
        return "[]string{" + ", ".join(go_quote(str(v)) for v in value) + "}"
    return str(value)


@dataclass(frozen=True)
class FieldError:
    """One problem with one field: `FieldError(path, value, message)`, printed like Kubernetes."""

    path: str
    value: object = OMITTED
    message: str = ""
    type: ErrorType = field(default=ErrorType.INVALID, kw_only=True)

    @classmethod
    def required(cls, path: str, message: str = "") -> FieldError:
        return cls(path, OMITTED, message, type=ErrorType.REQUIRED)

    @classmethod
    def duplicate(cls, path: str, value: object, message: str = "") -> FieldError:
        return cls(path, value, message, type=ErrorType.DUPLICATE)

    def body(self) -> str:
        """Everything after `path: ` (apimachinery's `ErrorBody`)."""
        shows_value = self.type in (ErrorType.INVALID, ErrorType.DUPLICATE)
        text = self.type.value
        if shows_value and self.value is not OMITTED:
            text += f": {go_value(self.value)}"
        return f"{text}: {self.message}" if self.message else text

    def __str__(self) -> str:
        return f"{self.path}: {self.body()}"


def aggregate(errors: Iterable[object]) -> str:
    """Errors joined like `ErrorList.ToAggregate()`: one as is, several as `[e1, e2]`.

    Any error whose `str()` is `path: body` will do (also `spinkube.api.FieldError`, which
    reports what the schema rejects).
    """
    messages = list(dict.fromkeys(str(e) for e in errors))
    if len(messages) == 1:
        return messages[0]
    return "[" + ", ".join(messages) + "]"


def invalid_message(kind: str, name: str, errors: Iterable[object]) -> str:
    """`NewInvalid`'s message: `SpinApp.core.spinoperator.dev "x" is invalid: <errors>`."""
    return f"{kind}.{GROUP} {go_quote(name)} is invalid: {aggregate(errors)}"


def denial_message(webhook: str, kind: str, name: str, errors: Iterable[object]) -> str:
    """What `kubectl` prints when webhook `webhook` rejects object `name` of `kind`."""
    return (
        f"admission webhook {go_quote(webhook)} denied the request: "
        f"{invalid_message(kind, name, errors)}"
    )
