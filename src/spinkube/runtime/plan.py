"""Everything decided before the first worker forks: the app, its variables, files and routes.

Planning is plain Python (no Wasm engine), so every user mistake (a bad manifest, a missing
required variable, an unknown component) is found in the parent and reported as one line.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from spinkube.runtime.config import AppConfig
from spinkube.runtime.errors import StartupError
from spinkube.runtime.hostapi import AllowedHosts, StoreCatalogue, build_catalogue, check_component
from spinkube.runtime.loader import LoadedApp, check_triggers, load_app, retain_components
from spinkube.runtime.runtime_config import RuntimeConfig, load_runtime_config
from spinkube.runtime.trigger.command import CommandRun
from spinkube.runtime.trigger.cron import CronJob, utc_now
from spinkube.runtime.trigger.cron_expression import CronExpressionError, parse_cron_expression
from spinkube.runtime.trigger.http import AppInfo
from spinkube.runtime.trigger.mqtt import MqttSubscription
from spinkube.runtime.trigger.mqtt_config import mqtt_subscriptions
from spinkube.runtime.trigger.redis import RedisSubscription
from spinkube.runtime.variables import (
    component_variables,
    providers_for,
    resolve_app_variables,
    shim_environment,
)
from spinkube.runtime.wasm.api import ComponentContext
from spinkube.spinapp import (
    App,
    Component,
    Route,
    SpinAppError,
    Trigger,
    best_match,
    materialize_files,
    wasm_path,
)
from spinkube.spinapp.templates import TemplateError, render

log = logging.getLogger(__name__)

WELL_KNOWN_PATHS = ("/.well-known/spin/health", "/.well-known/spin/info")
"""Answered by the runtime itself, whatever the app's routes."""


@dataclass(frozen=True, slots=True)
class ComponentPlan:
    id: str
    wasm: Path
    context: ComponentContext
    allowed_hosts: AllowedHosts
    """Its ``allowed_outbound_hosts``, parsed and checked (templates rendered)."""


@dataclass(frozen=True, slots=True)
class ServePlan:
    app: App
    info: AppInfo
    components: tuple[ComponentPlan, ...]
    """The components of the triggers (private HTTP ones too), in manifest order."""
    routes: tuple[tuple[Route, str], ...]
    state_dir: Path
    runtime_config: RuntimeConfig
    stores: StoreCatalogue
    """The key-value stores and SQLite databases of the runtime config (and the defaults)."""
    max_instance_memory: int | None
    redis: tuple[RedisSubscription, ...] = ()
    commands: tuple[CommandRun, ...] = ()
    mqtt: tuple[MqttSubscription, ...] = ()
    cron: tuple[CronJob, ...] = ()

    @property
    def has_http(self) -> bool:
        return any(t.type == "http" for t in self.app.triggers)

    @property
    def has_events(self) -> bool:
        """Whether there are non-HTTP triggers (Redis, MQTT, command, cron)."""
        return bool(self.redis or self.commands or self.mqtt or self.cron)


def plan_app(
    config: AppConfig, *, retained_by: str = "--component-id", lenient_variables: bool = False
) -> ServePlan:
    """Load and check everything the workers need; ``lenient_variables`` is for precompiling,
    which needs no values (a required variable without one then resolves to ``""``)."""
    loaded = load_app(config.source, cache_dir=config.cache_dir)
    app = retain_components(loaded.app, config.components, origin=retained_by)
    check_triggers(app)
    routes = _routes(app)
    for field, path in config.health_checks:
        _check_answered(field, path, app, routes)
    runtime_config = load_runtime_config(config.runtime_config_file)
    env = shim_environment(app, config.environ)
    providers = providers_for(env, runtime_config.variable_providers)
    if lenient_variables:
        providers.append(lambda _name: "")
    values = resolve_app_variables(app, providers)
    state_dir = _state_dir(config.state_dir, app)
    _check_components(app)
    served = {t.component for t in app.triggers}  # private ones too: chaining reaches them
    stores = build_catalogue(
        key_value_stores=runtime_config.key_value_stores,
        sqlite_databases=runtime_config.sqlite_databases,
        state_dir=state_dir,
        config_dir=config.runtime_config_file.parent if config.runtime_config_file else None,
        work_dir=Path.cwd(),
    )
    components = tuple(
        _component_plan(app, c, values, state_dir, stores)
        for c in app.components.values()
        if c.id in served
    )
    return ServePlan(
        app=app,
        info=_info(loaded),
        components=components,
        routes=routes,
        state_dir=state_dir,
        runtime_config=runtime_config,
        stores=stores,
        max_instance_memory=config.max_instance_memory,
        redis=tuple(_redis_subscription(app, t, values) for t in _of_type(app, "redis")),
        commands=tuple(CommandRun(t.id, t.component or "") for t in _of_type(app, "command")),
        mqtt=mqtt_subscriptions(app, values),
        cron=tuple(_cron_job(t) for t in _of_type(app, "cron")),
    )


def _check_components(app: App) -> None:
    for trigger in app.triggers:
        if trigger.component is None:
            raise StartupError(f"trigger {trigger.id!r}: component: required")
        if trigger.component not in app.components:
            raise StartupError(f"trigger {trigger.id!r}: no component {trigger.component!r}")


def _of_type(app: App, trigger_type: str) -> list[Trigger]:
    return [t for t in app.triggers if t.type == trigger_type]


def _redis_subscription(app: App, trigger: Trigger, values: dict[str, str]) -> RedisSubscription:
    """The channel and address (the trigger's, else ``[application.trigger.redis]``), rendered."""
    field = f"trigger {trigger.id!r}"
    channel = trigger.config.get("channel")
    if not isinstance(channel, str) or not channel:
        raise StartupError(f"{field}: channel: required (the Redis channel to subscribe to)")
    address = trigger.config.get("address") or app.trigger_settings.get("redis", {}).get("address")
    if not isinstance(address, str) or not address:
        raise StartupError(
            f"{field}: address: no Redis address (set it on the trigger or in "
            "[application.trigger.redis])"
        )
    try:
        channel, address = render(channel, values), render(address, values)
    except TemplateError as exc:
        raise StartupError(f"{field}: {exc}") from None
    if not address.startswith(("redis://", "rediss://")):
        raise StartupError(f"{field}: address: expected a redis:// URL, got {address!r}")
    return RedisSubscription(trigger.id, trigger.component or "", address, channel)


CRON_KEYS = ("cron_expression",)
"""The spin-trigger-cron plugin's keys besides ``id`` and ``component`` (it refuses others)."""


def _cron_job(trigger: Trigger) -> CronJob:
    """The plugin's ``cron_expression``, parsed as it parses it (no variables: the plugin reads
    the trigger config as written)."""
    field = f"trigger {trigger.id!r}"
    unknown = sorted(set(trigger.config) - set(CRON_KEYS))
    if unknown:
        raise StartupError(
            f"{field}: {unknown[0]}: unknown key (a cron trigger takes component and "
            "cron_expression)"
        )
    expression = trigger.config.get("cron_expression")
    if not isinstance(expression, str):
        raise StartupError(
            f"{field}: cron_expression: required (a string of six fields: "
            "sec min hour day-of-month month day-of-week)"
        )
    try:
        schedule = parse_cron_expression(expression, now=utc_now())
    except CronExpressionError as exc:
        raise StartupError(f"{field}: cron_expression: {exc}") from None
    return CronJob(trigger.id, trigger.component or "", schedule)


def _routes(app: App) -> tuple[tuple[Route, str], ...]:
    try:
        triggers = app.http_triggers
    except ValueError as exc:
        raise StartupError(f"app {app.name!r}: trigger.http: {exc}") from None
    for trigger in triggers:
        if trigger.component not in app.components:
            raise StartupError(f"trigger {trigger.id!r}: no component {trigger.component!r}")
    return tuple((t.route, t.component) for t in triggers if not t.route.private)


def _check_answered(field: str, path: str, app: App, routes: tuple[tuple[Route, str], ...]) -> None:
    """A health check's path must reach a component (or the runtime's own well-known paths),
    or the pod would never pass it: say so at start."""
    path_only = path.partition("?")[0]
    if path_only in WELL_KNOWN_PATHS:
        log.info("%s: %s is answered by the runtime", field, path)
        return
    matched = best_match(routes, path_only)
    if matched is None:
        log.warning(
            "%s.httpGet.path: %s matches no route of app %r: a pod would never pass this check",
            field,
            path,
            app.name,
        )
    else:
        log.info("%s: %s is answered by component %r", field, path, matched[1])


def _component_plan(
    app: App,
    component: Component,
    values: dict[str, str],
    state_dir: Path,
    stores: StoreCatalogue,
) -> ComponentPlan:
    try:
        wasm = wasm_path(app, component)
    except SpinAppError as exc:
        raise StartupError(str(exc)) from None
    if not wasm.is_file():
        raise StartupError(f"component {component.id!r}: source {wasm} does not exist")
    variables = component_variables(component, values)
    context = ComponentContext(
        component_id=component.id,
        environment=dict(component.environment),
        files=_files(app, component, state_dir),
        get_variable=variables.get,
        variable_names=tuple(variables),
        key_value_stores=tuple(component.key_value_stores),
        sqlite_databases=tuple(component.sqlite_databases),
        allowed_outbound_hosts=tuple(component.allowed_outbound_hosts),
    )
    allowed_hosts = check_component(
        component.id,
        catalogue=stores,
        key_value_stores=component.key_value_stores,
        sqlite_databases=component.sqlite_databases,
        allowed_outbound_hosts=component.allowed_outbound_hosts,
        variables=values,
    )
    return ComponentPlan(id=component.id, wasm=wasm, context=context, allowed_hosts=allowed_hosts)


def _files(app: App, component: Component, state_dir: Path) -> dict[str, Path]:
    """Copy the component's files into the state dir and mount that copy at ``/``, read-only."""
    if not component.files:
        return {}
    dest = state_dir / "files" / component.id
    shutil.rmtree(dest, ignore_errors=True)
    try:
        return {"/": materialize_files(app, component, dest)}
    except SpinAppError as exc:
        raise StartupError(str(exc)) from None
    except OSError as exc:
        raise StartupError(f"component {component.id!r}: files: {exc}") from None


def _state_dir(configured: Path | None, app: App) -> Path:
    """``--state-dir``, else ``.spin`` beside the app (as Spin), else a temporary directory."""
    for candidate in (configured, app.app_dir / ".spin"):
        if candidate is None:
            continue
        try:
            candidate.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            if candidate is configured:
                raise StartupError(f"--state-dir {candidate}: {exc.strerror}") from None
            continue
        return candidate.resolve()
    fallback = Path(tempfile.gettempdir()) / "spinkube-runtime" / app.name
    fallback.mkdir(parents=True, exist_ok=True)
    return fallback


def _info(loaded: LoadedApp) -> AppInfo:
    app = loaded.app
    return AppInfo(name=app.name, version=app.version or None, oci_image_digest=loaded.oci_digest)
