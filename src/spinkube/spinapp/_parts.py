"""Parsers for the pieces spin.toml v1 and v2 share: variables, sources, files, components."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from spinkube.spinapp._fields import Table
from spinkube.spinapp.model import (
    SUPPORTED_TRIGGER_TYPES,
    Component,
    ComponentSource,
    FilesMount,
    Variable,
)
from spinkube.spinapp.routes import Route, RouteError
from spinkube.spinapp.templates import TemplateError, check_template, variable_name_problem

_KEBAB = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
_SNAKE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
_LABEL = re.compile(r"^[a-z][a-z0-9]*([-_][a-z0-9]+)*$")

COMPONENT_KEYS_V2 = frozenset(
    {
        "source", "description", "variables", "environment", "files", "exclude_files",
        "allowed_http_hosts", "allowed_outbound_hosts", "key_value_stores", "sqlite_databases",
        "ai_models", "build", "tool", "dependencies_inherit_configuration", "dependencies",
    }
)  # fmt: skip


def kebab_problem(value: str) -> str | None:
    if _KEBAB.match(value):
        return None
    return (
        f"{value!r} is not a valid id: expected kebab-case (lower-case letters and digits, "
        "words separated by single hyphens, starting with a letter)"
    )


def parse_variables(table: Table) -> dict[str, Variable]:
    out: dict[str, Variable] = {}
    for name, spec in table.children():
        problem = variable_name_problem(name)
        if problem:
            raise table.error(name, f"invalid variable name: {problem}")
        spec.reject_unknown({"default", "required", "secret", "description"})
        default = spec.optional_string("default")
        required = spec.boolean("required")
        if required == (default is not None):
            raise spec.error(None, "expected exactly one of `required = true` or a `default`")
        out[name] = Variable(default=default, secret=spec.boolean("secret"))
    return out


def parse_source(table: Table, name: str = "source") -> ComponentSource:
    value = table.raw(name)
    expected = "expected a string or a table with url and digest"
    if isinstance(value, str):
        if not value:
            raise table.error(name, f"{expected}, got an empty string")
        return ComponentSource(path=Path(value))
    if isinstance(value, Mapping) and set(value) == {"url", "digest"}:
        source = table.table(name)
        digest = source.string("digest")
        if not digest.startswith("sha256:"):
            raise source.error("digest", f"expected 'sha256:<hex>', got {digest!r}")
        return ComponentSource(url=source.string("url"), digest=digest)
    if value is None:
        raise table.error(name, f"required key is missing ({expected})")
    raise table.error(name, expected)


def parse_files(table: Table) -> tuple[FilesMount, ...]:
    value = table.raw("files")
    if value is None:
        return ()
    if not isinstance(value, list):
        raise table.error("files", "expected an array of paths, globs or {source, destination}")
    return tuple(_files_entry(table, i, entry) for i, entry in enumerate(value))


def _files_entry(table: Table, index: int, entry: object) -> FilesMount:
    key = f"files[{index}]"
    if isinstance(entry, str) and entry:
        return FilesMount(source=entry)
    if isinstance(entry, Mapping):
        mount = Table(entry, table.file, table.key(key))
        mount.reject_unknown({"source", "destination"})
        destination = mount.string("destination")
        return FilesMount(source=mount.string("source"), destination="/" + destination.lstrip("/"))
    raise table.error(key, "expected a path, a glob or a table with source and destination")


def parse_labels(table: Table, name: str) -> tuple[str, ...]:
    values = table.strings(name)
    for i, value in enumerate(values):
        if not _LABEL.match(value):
            raise table.error(f"{name}[{i}]", f"{value!r}: expected kebab-case or snake_case")
    return values


def parse_component_variables(
    table: Table, app_variables: Mapping[str, Variable], key: str = "variables"
) -> dict[str, str]:
    templates = table.string_map(key)
    for name, text in templates.items():
        where = f"{key}.{name}"
        problem = variable_name_problem(name)
        if problem:
            raise table.error(where, f"invalid variable name: {problem}")
        try:
            check_template(text, app_variables)
        except TemplateError as e:
            raise table.error(where, str(e)) from None
    return templates


def outbound_hosts(table: Table) -> tuple[str, ...]:
    """``allowed_outbound_hosts`` plus the deprecated ``allowed_http_hosts`` converted to it."""
    hosts = list(table.strings("allowed_outbound_hosts"))
    for host in table.strings("allowed_http_hosts"):
        if host == "insecure:allow-all":
            hosts.append("*://*:*")
        else:
            bare = host.split("://", 1)[-1].rstrip("/")
            hosts.extend([f"http://{bare}", f"https://{bare}"])
    return tuple(dict.fromkeys(hosts))


def parse_component(
    component_id: str,
    table: Table,
    app_variables: Mapping[str, Variable],
    *,
    allowed_keys: frozenset[str] = COMPONENT_KEYS_V2,
    variables_key: str = "variables",
) -> Component:
    table.reject_unknown(allowed_keys)
    return Component(
        id=component_id,
        source=parse_source(table),
        description=table.string("description", ""),
        files=parse_files(table),
        exclude_files=table.strings("exclude_files"),
        allowed_outbound_hosts=outbound_hosts(table),
        key_value_stores=parse_labels(table, "key_value_stores"),
        sqlite_databases=parse_labels(table, "sqlite_databases"),
        ai_models=table.strings("ai_models"),
        environment=table.string_map("environment"),
        variables=parse_component_variables(table, app_variables, variables_key),
    )


def is_snake(value: str) -> bool:
    return bool(_SNAKE.match(value))


def http_base(table: Table) -> str:
    base = table.string("base", "/")
    if not base.startswith("/"):
        raise table.error("base", f"expected a path starting with '/', got {base!r}")
    return base


def trigger_settings(table: Table) -> dict[str, dict[str, Any]]:
    """The application-level settings of each trigger type but HTTP (whose ``base`` is kept
    apart), e.g. ``{"redis": {"address": ...}}``."""
    return {name: dict(spec.data) for name, spec in table.children() if name != "http"}


def unsupported_trigger(trigger_type: str) -> str:
    return (
        f"unsupported trigger type {trigger_type!r} "
        f"(supported: {', '.join(SUPPORTED_TRIGGER_TYPES)})"
    )


def check_http(spec: Table, component: str | None) -> None:
    if component is None:
        raise spec.error("component", "required key is missing (expected a component id)")
    if not spec.has("route"):
        raise spec.error("route", "required key is missing (expected a path or { private = true })")
    try:
        Route.parse(spec.raw("route"))
    except RouteError as e:
        raise spec.error("route", str(e)) from None
    executor = spec.table("executor")
    if executor.data:
        kind = executor.string("type")
        if kind not in ("spin", "wagi"):
            raise executor.error("type", f'expected "spin" or "wagi", got {kind!r}')
