"""The typed Spin application model, shared by spin.toml (v1, v2) and the locked app.

Every loader produces the same :class:`App`; nothing downstream needs to know which form it came
from. Paths in a loaded app are absolute or relative to :attr:`App.app_dir`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from spinkube.spinapp.routes import Route

SUPPORTED_TRIGGER_TYPES = ("command", "cron", "http", "mqtt", "redis", "sqs")
"""Trigger types containerd-shim-spin accepts, and ``cron`` (the spin-trigger-cron plugin's,
which upstream's shim refuses and this project runs); any other type is an error when loading."""


def _frozen_map(data: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
    return MappingProxyType(dict(data or {}))


@dataclass(frozen=True, slots=True)
class Variable:
    """An application variable from ``[variables]``: exactly one of required or a default."""

    default: str | None = None
    secret: bool = False

    @property
    def required(self) -> bool:
        return self.default is None


@dataclass(frozen=True, slots=True)
class ComponentSource:
    """Where a component's Wasm comes from.

    ``path`` is a local file (absolute, or relative to the app directory); ``url`` with ``digest``
    is a remote source; ``digest`` alone is content still to be fetched (an un-pulled OCI config).
    """

    path: Path | None = None
    url: str | None = None
    digest: str | None = None


@dataclass(frozen=True, slots=True)
class FilesMount:
    """One ``files`` entry.

    With ``destination`` None it is the pattern form (a path or glob relative to the app dir; the
    guest sees the same relative path under ``/``). With a destination it is the placement form
    ``{ source, destination }``; ``source`` may then also be an absolute directory (locked apps).
    """

    source: str
    destination: str | None = None


@dataclass(frozen=True, slots=True)
class Component:
    id: str
    source: ComponentSource
    description: str = ""
    files: tuple[FilesMount, ...] = ()
    exclude_files: tuple[str, ...] = ()
    allowed_outbound_hosts: tuple[str, ...] = ()
    key_value_stores: tuple[str, ...] = ()
    sqlite_databases: tuple[str, ...] = ()
    ai_models: tuple[str, ...] = ()
    environment: Mapping[str, str] = field(default_factory=_frozen_map)
    variables: Mapping[str, str] = field(default_factory=_frozen_map)
    """Component variable name to its ``{{ var }}`` template over the application variables."""


@dataclass(frozen=True, slots=True)
class Trigger:
    """Any trigger: its type, id, the component it runs and the type-specific config."""

    type: str
    id: str
    component: str | None
    config: Mapping[str, Any] = field(default_factory=_frozen_map)


@dataclass(frozen=True, slots=True)
class HttpTrigger:
    """An ``[[trigger.http]]``: the route (already joined with the app's base) and component."""

    id: str
    component: str
    route: Route
    executor: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class App:
    name: str
    version: str = ""
    description: str = ""
    authors: tuple[str, ...] = ()
    variables: Mapping[str, Variable] = field(default_factory=_frozen_map)
    components: Mapping[str, Component] = field(default_factory=_frozen_map)
    """By id, in manifest order."""
    triggers: tuple[Trigger, ...] = ()
    http_base: str = "/"
    trigger_settings: Mapping[str, Mapping[str, Any]] = field(default_factory=_frozen_map)
    """Application-level settings of the other trigger types, by type: ``[application.trigger.
    redis]`` (``address``) in a manifest, ``metadata.triggers.redis`` in a lock file."""
    app_dir: Path = Path()
    """Directory that relative sources and files are resolved against."""
    origin: Path | None = None
    """The file the app was loaded from (spin.toml or spin.lock), when there is one."""

    @property
    def http_triggers(self) -> tuple[HttpTrigger, ...]:
        return tuple(_http_trigger(t, self.http_base) for t in self.triggers if t.type == "http")

    @property
    def trigger_types(self) -> tuple[str, ...]:
        return tuple(sorted({t.type for t in self.triggers}))

    def component(self, component_id: str) -> Component:
        """The component with this id; KeyError names it when there is none."""
        try:
            return self.components[component_id]
        except KeyError:
            raise KeyError(f"no component {component_id!r} in app {self.name!r}") from None


def _http_trigger(trigger: Trigger, base: str) -> HttpTrigger:
    executor = trigger.config.get("executor")
    return HttpTrigger(
        id=trigger.id,
        component=trigger.component or "",
        route=Route.parse(trigger.config.get("route"), base=base),
        executor=executor if isinstance(executor, Mapping) else None,
    )
