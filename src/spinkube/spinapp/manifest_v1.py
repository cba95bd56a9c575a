"""spin.toml manifest version 1 (``spin_manifest_version = "1"``): one trigger type per app,
``[[component]]`` arrays with ``[component.trigger]`` and ``[component.config]``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from spinkube.spinapp._fields import Table
from spinkube.spinapp._parts import (
    COMPONENT_KEYS_V2,
    check_http,
    http_base,
    parse_component,
    parse_variables,
    unsupported_trigger,
)
from spinkube.spinapp.model import SUPPORTED_TRIGGER_TYPES, App, Component, Trigger

_COMPONENT_KEYS_V1 = (COMPONENT_KEYS_V2 - {"variables"}) | {"id", "trigger", "config"}


def load_v1(doc: Table, app_dir: Path, origin: Path | None) -> App:
    doc.reject_unknown(
        {"spin_manifest_version", "spin_version", "name", "version", "description", "authors",
         "trigger", "variables", "component"}
    )  # fmt: skip
    app_trigger = doc.table("trigger", required=True)
    trigger_type = app_trigger.string("type")
    if trigger_type not in SUPPORTED_TRIGGER_TYPES:
        raise app_trigger.error("type", unsupported_trigger(trigger_type))
    variables = parse_variables(doc.table("variables"))
    components: dict[str, Component] = {}
    triggers: list[Trigger] = []
    for spec in doc.tables("component"):
        component_id = spec.string("id")
        body = Table(
            {k: v for k, v in spec.data.items() if k not in ("id", "trigger")}, spec.file, spec.path
        )
        components[component_id] = parse_component(
            component_id, body, variables, allowed_keys=_COMPONENT_KEYS_V1, variables_key="config"
        )
        triggers.append(_v1_trigger(trigger_type, component_id, spec.table("trigger")))
    return App(
        name=doc.string("name"),
        version=doc.string("version", ""),
        description=doc.string("description", ""),
        authors=doc.strings("authors"),
        variables=variables,
        components=components,
        triggers=tuple(triggers),
        http_base=http_base(app_trigger) if trigger_type == "http" else "/",
        app_dir=app_dir,
        origin=origin,
    )


def _v1_trigger(trigger_type: str, component_id: str, spec: Table) -> Trigger:
    config: dict[str, Any] = dict(spec.data)
    if trigger_type == "http":
        check_http(spec, component_id)
    return Trigger(
        type=trigger_type, id=f"trigger-{component_id}", component=component_id, config=config
    )
