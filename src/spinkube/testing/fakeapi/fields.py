"""Server-side apply, simplified: field ownership in `metadata.managedFields`.

What it does like the API server:
- every write records its manager (`fieldManager`, else the User-Agent's product) with the
  operation (`Apply` or `Update`) and the owned fields in the FieldsV1 format;
- an apply merges the configuration into the object, and removes the fields that this manager
  applied before, no longer applies, and no other manager owns;
- an apply that would change a field owned by another manager fails with 409 Conflict unless
  `force=true`, which takes the field over.

What it simplifies: lists are atomic (owned and replaced whole, no associative list keys), and
ownership is tracked on leaves (scalars and lists) only.
"""

from __future__ import annotations

import copy
import datetime
from collections.abc import Iterator
from typing import Any

Path = tuple[str, ...]

_UNOWNED_METADATA = {
    "name",
    "namespace",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "managedFields",
    "selfLink",
    "generateName",
}
_MISSING = object()


class ApplyConflict(Exception):  # noqa: N818 (named after the API outcome)
    """Fields owned by other managers would change: `[(manager, path), ...]`."""

    def __init__(self, conflicts: list[tuple[str, Path]]) -> None:
        super().__init__(conflicts)
        self.conflicts = conflicts


def leaf_paths(obj: Any, prefix: Path = ()) -> Iterator[Path]:
    """Paths to every scalar or list in an object (skipping server-owned metadata; an empty
    map owns nothing)."""
    if not isinstance(obj, dict):
        yield prefix
        return
    for key, value in obj.items():
        if prefix == () and key in ("apiVersion", "kind"):
            continue
        if prefix == ("metadata",) and key in _UNOWNED_METADATA:
            continue
        yield from leaf_paths(value, (*prefix, key))


def value_at(obj: Any, path: Path) -> Any:
    for key in path:
        if not isinstance(obj, dict) or key not in obj:
            return _MISSING
        obj = obj[key]
    return obj


def remove_path(obj: dict[str, Any], path: Path) -> None:
    """Remove a leaf and then any dict left empty above it."""
    parents = [obj]
    for key in path[:-1]:
        child = parents[-1].get(key)
        if not isinstance(child, dict):
            return
        parents.append(child)
    parents[-1].pop(path[-1], None)
    for depth in range(len(parents) - 1, 0, -1):
        if not parents[depth]:
            parents[depth - 1].pop(path[depth - 1], None)


def deep_merge(target: dict[str, Any], config: dict[str, Any]) -> dict[str, Any]:
    result = copy.deepcopy(target)
    for key, value in config.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = deep_merge(result[key], value)
        else:
            result[key] = copy.deepcopy(value)
    return result


def to_fields_v1(paths: set[Path]) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for path in sorted(paths):
        node = tree
        for key in path:
            node = node.setdefault(f"f:{key}", {})
    return tree


def from_fields_v1(tree: dict[str, Any], prefix: Path = ()) -> set[Path]:
    paths: set[Path] = set()
    for key, child in tree.items():
        if not key.startswith("f:"):
            continue
        path = (*prefix, key[2:])
        paths |= from_fields_v1(child, path) if child else {path}
    return paths


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Ownership:
    """The managedFields of one object: (manager, operation, subresource) -> owned paths."""

    def __init__(self, entries: list[dict[str, Any]] | None) -> None:
        self.owners: dict[tuple[str, str, str], set[Path]] = {}
        self.api_versions: dict[tuple[str, str, str], str] = {}
        self.times: dict[tuple[str, str, str], str] = {}
        for entry in entries or []:
            key = (entry["manager"], entry["operation"], entry.get("subresource", ""))
            self.owners[key] = from_fields_v1(entry.get("fieldsV1") or {})
            self.api_versions[key] = entry.get("apiVersion", "")
            self.times[key] = entry.get("time", "")

    def entries(self) -> list[dict[str, Any]]:
        return [
            {
                "manager": manager,
                "operation": operation,
                "apiVersion": self.api_versions.get((manager, operation, sub), ""),
                "time": self.times.get((manager, operation, sub)) or _now(),
                "fieldsType": "FieldsV1",
                "fieldsV1": to_fields_v1(paths),
                **({"subresource": sub} if sub else {}),
            }
            for (manager, operation, sub), paths in self.owners.items()
            if paths
        ]

    def others(self, manager: str, operation: str) -> Iterator[tuple[str, set[Path]]]:
        for (name, op, _), paths in self.owners.items():
            if (name, op) != (manager, operation):
                yield name, paths

    def take(
        self, key: tuple[str, str, str], paths: set[Path], api_version: str, changed: set[Path]
    ) -> None:
        """`key` now owns `paths`; other owners lose the `changed` ones and share the rest."""
        for other, owned in self.owners.items():
            if other != key:
                owned -= {p for p in owned if any(_overlaps(p, q) for q in changed)}
        if self.owners.get(key) != paths or changed:
            self.times[key] = _now()
        self.owners[key] = paths
        self.api_versions[key] = api_version


def _overlaps(a: Path, b: Path) -> bool:
    shorter = min(len(a), len(b))
    return a[:shorter] == b[:shorter]


def record_update(
    old: dict[str, Any] | None,
    new: dict[str, Any],
    *,
    manager: str,
    subresource: str = "",
) -> list[dict[str, Any]]:
    """managedFields after a non-apply write: the manager owns what it changed."""
    ownership = Ownership(new.get("metadata", {}).get("managedFields"))
    key = (manager, "Update", subresource)
    changed = {p for p in leaf_paths(new) if old is None or value_at(old, p) != value_at(new, p)}
    if changed:
        owned = ownership.owners.get(key, set()) | changed
        ownership.take(key, owned, new.get("apiVersion", ""), changed)
    return ownership.entries()


def server_side_apply(
    current: dict[str, Any],
    config: dict[str, Any],
    *,
    manager: str,
    force: bool,
    subresource: str = "",
) -> dict[str, Any]:
    """The object after `manager` applies `config` (managedFields included)."""
    ownership = Ownership(current.get("metadata", {}).get("managedFields"))
    key = (manager, "Apply", subresource)
    applied = set(leaf_paths(config))
    changing = {p for p in applied if value_at(current, p) not in (_MISSING, value_at(config, p))}
    conflicts = [
        (other, path)
        for other, owned in ownership.others(manager, "Apply")
        for path in changing
        if any(_overlaps(path, q) for q in owned)
    ]
    if conflicts and not force:
        raise ApplyConflict(conflicts)
    result = deep_merge(current, config)
    others_own = set().union(*(owned for _, owned in ownership.others(manager, "Apply")))
    for path in ownership.owners.get(key, set()) - applied:
        if not any(_overlaps(path, q) for q in others_own):
            remove_path(result, path)
    ownership.take(key, applied, config.get("apiVersion", ""), changing)
    result.setdefault("metadata", {})["managedFields"] = ownership.entries()
    return result
