"""Spin's locked app JSON (``spin.lock``, the OCI config layer) to and from the model.

The locked app is what ``spin registry push`` publishes and what a pull leaves on disk: the
manifest with ids normalised, inline components moved out, and content named by ``file://``
URL, by sha256 digest, or inline (base64). See Spin's ``crates/locked-app``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlparse

from spinkube.spinapp._fields import Table
from spinkube.spinapp._parts import (
    check_http,
    parse_variables,
    trigger_settings,
    unsupported_trigger,
)
from spinkube.spinapp.errors import ManifestError, SpinAppError
from spinkube.spinapp.model import (
    SUPPORTED_TRIGGER_TYPES,
    App,
    Component,
    ComponentSource,
    FilesMount,
    Trigger,
    Variable,
)
from spinkube.spinapp.templates import TemplateError, check_template

WASM_CONTENT_TYPE = "application/wasm"
_HOST_REQUIREMENTS = {"local_service_chaining"}


def load_locked_file(path: str | Path) -> App:
    """Read a ``spin.lock`` file; relative sources resolve against its directory."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise ManifestError(str(path), "", f"cannot read the locked app: {e.strerror}") from None
    return load_locked(data, path.parent.resolve(), file=str(path), origin=path)


def load_locked(
    data: bytes | str | Mapping[str, Any],
    base_dir: Path,
    *,
    file: str = "spin.lock",
    origin: Path | None = None,
) -> App:
    """Parse a locked app; relative ``source`` paths resolve against ``base_dir``."""
    doc = Table(_decode(data, file), file)
    _check_version(doc)
    metadata = doc.table("metadata")
    variables = parse_variables(_locked_variables(doc.table("variables")))
    components = {
        c.id: c for c in (_component(t, base_dir, variables) for t in doc.tables("components"))
    }
    triggers = tuple(_trigger(t, components) for t in doc.tables("triggers"))
    return App(
        name=metadata.string("name", ""),
        version=metadata.string("version", ""),
        description=metadata.string("description", ""),
        authors=metadata.strings("authors"),
        variables=variables,
        components=components,
        triggers=triggers,
        http_base=_base(metadata),
        trigger_settings=trigger_settings(metadata.table("triggers")),
        app_dir=base_dir,
        origin=origin,
    )


def to_locked(app: App, *, mounted: Mapping[str, Path] | None = None) -> dict[str, Any]:
    """The locked app JSON for ``app``, with local content named by absolute ``file://`` URL.

    ``mounted`` maps a component id to a directory holding its files (see
    :func:`~spinkube.spinapp.files.materialize_files`); a component with manifest-style
    ``files`` patterns needs one.
    """
    mounted = mounted or {}
    triggers = {"http": {"base": app.http_base}, **app.trigger_settings}
    metadata: dict[str, Any] = {"name": app.name, "triggers": triggers}
    _put(metadata, "version", app.version)
    _put(metadata, "description", app.description)
    _put(metadata, "authors", list(app.authors))
    if app.origin is not None:
        metadata["origin"] = file_url(app.origin.resolve())
    locked: dict[str, Any] = {"spin_lock_version": 0, "metadata": metadata}
    if app.variables:
        locked["variables"] = {name: _locked_variable(var) for name, var in app.variables.items()}
    locked["triggers"] = [_locked_trigger(t) for t in app.triggers]
    locked["components"] = [
        _locked_component(app, c, mounted.get(c.id)) for c in app.components.values()
    ]
    return locked


def dump_locked(locked: Mapping[str, Any]) -> bytes:
    """Deterministic JSON bytes (sorted keys, no whitespace) for publishing and digests."""
    return json.dumps(locked, sort_keys=True, separators=(",", ":")).encode()


def file_url(path: Path) -> str:
    return "file://" + quote(path.as_posix())


def path_from_source(source: str, base_dir: Path) -> Path | None:
    """A local path for a ``source`` that is a file URL or a plain path; None for other URLs."""
    url = urlparse(source)
    if url.scheme == "file":
        return Path(unquote(url.path))
    if url.scheme in ("", None) or len(url.scheme) == 1:  # a plain (or Windows drive) path
        path = Path(source)
        return path if path.is_absolute() else base_dir / path
    return None


def _decode(data: bytes | str | Mapping[str, Any], file: str) -> Mapping[str, Any]:
    if isinstance(data, Mapping):
        return data
    try:
        decoded = json.loads(data)
    except (ValueError, UnicodeDecodeError) as e:
        raise ManifestError(file, "", f"invalid JSON: {e}") from None
    if not isinstance(decoded, dict):
        raise ManifestError(file, "", "expected a JSON object")
    return decoded


def _check_version(doc: Table) -> None:
    version = doc.raw("spin_lock_version")
    if version not in (0, 1):
        raise doc.error("spin_lock_version", f"expected 0 or 1, got {version!r}")
    for i, item in enumerate(doc.strings("must_understand")):
        if item != "host_requirements":
            raise doc.error(f"must_understand[{i}]", f"this host does not understand {item!r}")
    for name, value in doc.table("host_requirements").data.items():
        if name not in _HOST_REQUIREMENTS and value != "optional":
            raise doc.error(f"host_requirements.{name}", "this host does not support the feature")


def _locked_variables(table: Table) -> Table:
    """Locked variables have no ``required``: a variable without a default is required."""
    data = {name: dict(spec.data) for name, spec in table.children()}
    for spec in data.values():
        spec.setdefault("required", "default" not in spec)
    return Table(data, table.file, table.path)


def _base(metadata: Table) -> str:
    http = metadata.table("triggers").table("http")
    if http.has("base"):
        return http.string("base")
    single = metadata.table("trigger")
    return single.string("base", "/") if single.raw("type") == "http" else "/"


def _component(table: Table, base_dir: Path, variables: Mapping[str, Any]) -> Component:
    metadata = table.table("metadata")
    config = table.string_map("config")
    for name, text in config.items():
        try:
            check_template(text, variables)
        except TemplateError as e:
            raise table.error(f"config.{name}", str(e)) from None
    return Component(
        id=table.string("id"),
        source=_source(table.table("source", required=True), base_dir),
        description=metadata.string("description", ""),
        files=tuple(_mount(t, base_dir) for t in table.tables("files")),
        allowed_outbound_hosts=metadata.strings("allowed_outbound_hosts"),
        key_value_stores=metadata.strings("key_value_stores"),
        sqlite_databases=metadata.strings("databases"),
        ai_models=metadata.strings("ai_models"),
        environment=table.string_map("env"),
        variables=config,
    )


def _source(table: Table, base_dir: Path) -> ComponentSource:
    digest = table.optional_string("digest")
    source = table.optional_string("source")
    if source is None:
        if digest is None:
            raise table.error(None, "expected a source URL or a digest")
        return ComponentSource(digest=digest)
    path = path_from_source(source, base_dir)
    if path is None:
        return ComponentSource(url=source, digest=digest)
    return ComponentSource(path=path, digest=digest)


def _mount(table: Table, base_dir: Path) -> FilesMount:
    destination = "/" + table.string("path").lstrip("/")
    source = table.optional_string("source")
    path = path_from_source(source, base_dir) if source else None
    if path is None:
        raise table.error("source", "expected a local directory (pull the app to fetch its files)")
    return FilesMount(source=str(path), destination=destination)


def _trigger(table: Table, components: Mapping[str, Component]) -> Trigger:
    trigger_type = table.string("trigger_type")
    if trigger_type not in SUPPORTED_TRIGGER_TYPES:
        raise table.error("trigger_type", unsupported_trigger(trigger_type))
    config = table.table("trigger_config")
    component = config.optional_string("component")
    if component is not None and component not in components:
        raise config.error("component", f"no component {component!r} is defined")
    if trigger_type == "http":
        check_http(config, component)
    settings = {k: v for k, v in config.data.items() if k != "component"}
    return Trigger(type=trigger_type, id=table.string("id"), component=component, config=settings)


def _locked_variable(var: Variable) -> dict[str, Any]:
    """A variable as Spin locks it: its default when it has one (an empty string is a default:
    such a variable is not required), and ``secret`` only when true."""
    spec: dict[str, Any] = {}
    if var.default is not None:
        spec["default"] = var.default
    if var.secret:
        spec["secret"] = True
    return spec


def _locked_trigger(trigger: Trigger) -> dict[str, Any]:
    config = dict(trigger.config)
    if trigger.component is not None:
        config["component"] = trigger.component
    return {"id": trigger.id, "trigger_type": trigger.type, "trigger_config": config}


def _locked_component(app: App, component: Component, mounted: Path | None) -> dict[str, Any]:
    metadata: dict[str, Any] = {}
    _put(metadata, "description", component.description)
    _put(metadata, "allowed_outbound_hosts", list(component.allowed_outbound_hosts))
    _put(metadata, "key_value_stores", list(component.key_value_stores))
    _put(metadata, "databases", list(component.sqlite_databases))
    _put(metadata, "ai_models", list(component.ai_models))
    locked: dict[str, Any] = {"id": component.id, "metadata": metadata}
    locked["source"] = _locked_source(app, component)
    _put(locked, "env", dict(component.environment))
    _put(locked, "files", _locked_files(component, mounted))
    _put(locked, "config", dict(component.variables))
    return locked


def _locked_source(app: App, component: Component) -> dict[str, Any]:
    source = component.source
    out: dict[str, Any] = {"content_type": WASM_CONTENT_TYPE}
    if source.path is not None:
        path = source.path if source.path.is_absolute() else app.app_dir / source.path
        out["source"] = file_url(path.resolve())
    elif source.url is not None:
        out["source"] = source.url
    _put(out, "digest", source.digest or "")
    return out


def _locked_files(component: Component, mounted: Path | None) -> list[dict[str, str]]:
    if mounted is not None:
        return [{"source": file_url(mounted.resolve()), "path": "/"}]
    if not component.files:
        return []
    if all(m.destination and Path(m.source).is_absolute() for m in component.files):
        return [
            {"source": file_url(Path(m.source)), "path": m.destination or "/"}
            for m in component.files
        ]
    raise SpinAppError(
        f"component {component.id!r} has files patterns; materialize them into a directory first"
    )


def _put(target: dict[str, Any], key: str, value: Any) -> None:
    if value:
        target[key] = value
