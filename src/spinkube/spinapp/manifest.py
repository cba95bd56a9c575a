"""Load ``spin.toml`` (manifest version 2, and version 1) into an :class:`App`."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from spinkube.spinapp._fields import Table
from spinkube.spinapp._parts import (
    COMPONENT_KEYS_V2,
    check_http,
    http_base,
    kebab_problem,
    parse_component,
    parse_variables,
    trigger_settings,
    unsupported_trigger,
)
from spinkube.spinapp.errors import ManifestError
from spinkube.spinapp.manifest_v1 import load_v1
from spinkube.spinapp.model import SUPPORTED_TRIGGER_TYPES, App, Component, Trigger, Variable
from spinkube.spinapp.wasm_file import is_wasm_file


def load_manifest(path: str | Path) -> App:
    """Parse a spin.toml file; ``path`` may also be the directory holding it."""
    path = Path(path)
    if path.is_dir():
        path = path / "spin.toml"
    if is_wasm_file(path):
        raise ManifestError(str(path), "", "not a spin.toml (a Wasm binary)")
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise ManifestError(str(path), "", f"cannot read the manifest: {e.strerror}") from None
    except UnicodeDecodeError:
        raise ManifestError(str(path), "", "not a spin.toml (not UTF-8 text)") from None
    return parse_manifest(text, file=str(path), app_dir=path.parent.resolve(), origin=path)


def parse_manifest(
    text: str, *, file: str = "spin.toml", app_dir: Path = Path(), origin: Path | None = None
) -> App:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ManifestError(file, "", f"invalid TOML: {e}") from None
    doc = Table(data, file)
    version = data.get("spin_manifest_version", data.get("spin_version"))
    if version in (2, "2"):
        return _load_v2(doc, app_dir, origin)
    if version in (1, "1"):
        return load_v1(doc, app_dir, origin)
    raise doc.error("spin_manifest_version", f'expected 2 (or "1"), got {version!r}')


def _load_v2(doc: Table, app_dir: Path, origin: Path | None) -> App:
    doc.reject_unknown(
        {"spin_manifest_version", "application", "variables", "trigger", "component"}
    )
    application = doc.table("application", required=True)
    application.reject_unknown({"name", "version", "description", "authors", "trigger", "tool"})
    variables = parse_variables(doc.table("variables"))
    components = _components(doc.table("component"), variables)
    triggers = _triggers(doc.table("trigger", required=True), components, variables)
    return App(
        name=application.string("name"),
        version=application.string("version", ""),
        description=application.string("description", ""),
        authors=application.strings("authors"),
        variables=variables,
        components=components,
        triggers=tuple(triggers),
        http_base=http_base(application.table("trigger").table("http")),
        trigger_settings=trigger_settings(application.table("trigger")),
        app_dir=app_dir,
        origin=origin,
    )


def _components(table: Table, variables: dict[str, Variable]) -> dict[str, Component]:
    out: dict[str, Component] = {}
    for component_id, spec in table.children():
        problem = kebab_problem(component_id)
        if problem:
            raise table.error(component_id, problem)
        out[component_id] = parse_component(component_id, spec, variables)
    return out


def _triggers(
    table: Table, components: dict[str, Component], variables: dict[str, Variable]
) -> list[Trigger]:
    specs: list[tuple[str, Table]] = []
    for trigger_type in table.data:
        if trigger_type not in SUPPORTED_TRIGGER_TYPES:
            raise table.error(trigger_type, unsupported_trigger(trigger_type))
        specs.extend((trigger_type, spec) for spec in table.tables(trigger_type))
    ids = _trigger_ids(specs)
    inline_count = sum(1 for _, spec in specs if isinstance(spec.raw("component"), dict))
    triggers = []
    for (trigger_type, spec), trigger_id in zip(specs, ids, strict=True):
        component = _trigger_component(spec, trigger_id, components, variables, inline_count)
        triggers.append(_trigger(trigger_type, trigger_id, component, spec))
    return triggers


def _trigger_ids(specs: list[tuple[str, Table]]) -> list[str]:
    """Spin's normalisation: explicit ids, then ``<component>-<type>-trigger``, then a counter."""
    taken = {spec.string("id") for _, spec in specs if spec.has("id")}
    ids: list[str] = []
    counters: dict[str, int] = {}
    for trigger_type, spec in specs:
        if spec.has("id"):
            ids.append(spec.string("id"))
            continue
        reference = spec.raw("component")
        candidate = f"{reference}-{trigger_type}-trigger" if isinstance(reference, str) else None
        while candidate is None or candidate in taken:
            counters[trigger_type] = counters.get(trigger_type, 0) + 1
            candidate = f"{trigger_type}-trigger{counters[trigger_type]}"
        taken.add(candidate)
        ids.append(candidate)
    return ids


def _trigger_component(
    spec: Table,
    trigger_id: str,
    components: dict[str, Component],
    variables: dict[str, Variable],
    inline_count: int,
) -> str | None:
    value = spec.raw("component")
    if value is None:
        return None
    if isinstance(value, str):
        if value not in components:
            raise spec.error("component", f"no component {value!r} is defined")
        return value
    if not isinstance(value, dict):
        raise spec.error("component", "expected a component id or an inline component table")
    component_id = _inline_id(trigger_id, components, inline_count)
    components[component_id] = parse_component(
        component_id, spec.table("component"), variables, allowed_keys=COMPONENT_KEYS_V2
    )
    return component_id


def _inline_id(trigger_id: str, components: dict[str, Component], inline_count: int) -> str:
    natural = f"{trigger_id}-component"
    if inline_count == 1 and kebab_problem(natural) is None and natural not in components:
        return natural
    counter = 1
    while f"inline-component{counter}" in components:
        counter += 1
    return f"inline-component{counter}"


def _trigger(trigger_type: str, trigger_id: str, component: str | None, spec: Table) -> Trigger:
    config: dict[str, Any] = {k: v for k, v in spec.data.items() if k not in ("id", "component")}
    if trigger_type == "http":
        check_http(spec, component)
    return Trigger(type=trigger_type, id=trigger_id, component=component, config=config)
