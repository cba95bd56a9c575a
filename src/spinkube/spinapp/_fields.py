"""Typed reads from parsed TOML/JSON tables that fail with the file and key path."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from spinkube.spinapp.errors import ManifestError


@dataclass(frozen=True, slots=True)
class Table:
    data: Mapping[str, Any]
    file: str
    path: str = ""

    def key(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def error(self, name: str | None, problem: str) -> ManifestError:
        return ManifestError(self.file, self.key(name) if name else self.path, problem)

    def has(self, name: str) -> bool:
        return name in self.data

    def raw(self, name: str) -> Any:
        return self.data.get(name)

    def string(self, name: str, default: str | None = None) -> str:
        value = self.data.get(name, default)
        if value is None:
            raise self.error(name, "required key is missing (expected a string)")
        if not isinstance(value, str):
            raise self.error(name, f"expected a string, got {_kind(value)}")
        return value

    def optional_string(self, name: str) -> str | None:
        return self.string(name) if name in self.data else None

    def boolean(self, name: str, default: bool = False) -> bool:
        value = self.data.get(name, default)
        if not isinstance(value, bool):
            raise self.error(name, f"expected true or false, got {_kind(value)}")
        return value

    def strings(self, name: str) -> tuple[str, ...]:
        value = self.data.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.error(name, f"expected an array of strings, got {_kind(value)}")
        return tuple(value)

    def string_map(self, name: str) -> dict[str, str]:
        table = self.table(name)
        for k, v in table.data.items():
            if not isinstance(v, str):
                raise table.error(k, f"expected a string, got {_kind(v)}")
        return dict(table.data)

    def table(self, name: str, *, required: bool = False) -> Table:
        if name not in self.data and required:
            raise self.error(name, "required table is missing")
        value = self.data.get(name, {})
        if not isinstance(value, Mapping):
            raise self.error(name, f"expected a table, got {_kind(value)}")
        return Table(value, self.file, self.key(name))

    def tables(self, name: str) -> list[Table]:
        value = self.data.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
            raise self.error(name, f"expected an array of tables, got {_kind(value)}")
        return [Table(v, self.file, f"{self.key(name)}[{i}]") for i, v in enumerate(value)]

    def children(self) -> Iterable[tuple[str, Table]]:
        for name in self.data:
            yield name, self.table(name)

    def reject_unknown(self, allowed: Iterable[str]) -> None:
        unknown = sorted(set(self.data) - set(allowed))
        if unknown:
            raise self.error(unknown[0], "unknown key")


def _kind(value: Any) -> str:
    kinds = {bool: "a boolean", int: "an integer", float: "a number", str: "a string"}
    for kind, text in kinds.items():
        if isinstance(value, kind):
            return text
    if isinstance(value, list):
        return "an array"
    if isinstance(value, Mapping):
        return "a table"
    return type(value).__name__
