"""Secret values that cannot leak by accident: `REDACTED` everywhere but in the TOML they feed.

Like upstream's `pkg/secret.String`: printing, `repr`, f-strings and JSON show `REDACTED`;
only `reveal()` (used by the TOML writer) gives the value. Redaction by type, not by habit.
"""

from __future__ import annotations

from typing import Any, Final

REDACTED: Final = "REDACTED"


class SecretString:
    """A string whose value is shown only on purpose, through `reveal()`."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The plain value, for the one place that must write it (the runtime-config TOML)."""
        return self._value

    def __str__(self) -> str:
        return REDACTED

    def __repr__(self) -> str:
        return f"SecretString({REDACTED!r})"

    def __format__(self, spec: str) -> str:
        return format(REDACTED, spec)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SecretString) and other._value == self._value

    def __hash__(self) -> int:
        return hash((SecretString, self._value))


def json_default(value: Any) -> Any:
    """`json.dumps(..., default=json_default)`: secret strings become `"REDACTED"`."""
    if isinstance(value, SecretString):
        return REDACTED
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def reveal(value: str | SecretString) -> str:
    """The plain text of a value that may be secret."""
    return value.reveal() if isinstance(value, SecretString) else value
