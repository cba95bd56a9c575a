"""The runtime-config TOML of a SpinApp: its dependencies, its content and its Secret's name.

Follows upstream `internal/runtimeconfig`: an env config provider with prefix `SPIN_VARIABLE_`
always, then `key_value_store.<name>`, `sqlite_database.<name>` and `llm_compute` tables. A store
table is `type` plus one key per option; an option named `type` overrides it. A non-empty
`value` wins, else the ConfigMap key, else the Secret key; a missing key gives `''`.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator, Sequence

from spinkube.api import (
    KeyValueStoreConfig,
    RuntimeConfig,
    RuntimeConfigOption,
    SpinApp,
    SqliteDatabaseConfig,
)
from spinkube.desired import gotoml
from spinkube.desired.errors import MissingReferenceError, RuntimeConfigError
from spinkube.desired.inputs import ObjectRef, RefKind, ResolvedInputs
from spinkube.desired.redact import SecretString

ENV_PREFIX = "SPIN_VARIABLE_"
_PATH = "spec.runtimeConfig"

Options = dict[str, gotoml.Value]


def _option_lists(config: RuntimeConfig) -> Iterator[tuple[str, Sequence[RuntimeConfigOption]]]:
    """Every option list of the runtime config, with the field path of its owner."""
    for i, kv in enumerate(config.key_value_stores or []):
        yield f"{_PATH}.keyValueStores[{i}]", kv.options or []
    for i, db in enumerate(config.sqlite_databases or []):
        yield f"{_PATH}.sqliteDatabases[{i}]", db.options or []
    if config.llm_compute is not None:
        yield f"{_PATH}.llmCompute", config.llm_compute.options or []


def _reference(option: RuntimeConfigOption) -> tuple[RefKind, str | None, str] | None:
    """The object an option reads (kind, name, key), or None for a static value."""
    if option.value or option.value_from is None:
        return None
    source = option.value_from
    if source.config_map_key_ref is not None:
        ref = source.config_map_key_ref
        return "ConfigMap", ref.name, ref.key
    if source.secret_key_ref is not None:
        secret = source.secret_key_ref
        return "Secret", secret.name, secret.key
    return None


def _named(kind: RefKind, name: str | None, where: str) -> str:
    if not name:
        raise MissingReferenceError(
            f"failed to construct RuntimeConfig: {where} refers to a {kind} without a name"
        )
    return name


def runtime_config_dependencies(app: SpinApp) -> list[ObjectRef]:
    """The ConfigMaps and Secrets to fetch before rendering, deduplicated, in first-use order.

    Empty when `loadFromSecret` is set (the rest of the runtime config is then ignored).
    Raises `MissingReferenceError` for a reference without a name.
    """
    config = app.spec.runtime_config
    if config is None or config.load_from_secret:
        return []
    namespace = app.metadata.namespace or "default"
    refs: dict[ObjectRef, None] = {}
    for owner, options in _option_lists(config):
        for j, option in enumerate(options):
            found = _reference(option)
            if found is not None:
                kind, name, _ = found
                where = f"{owner}.options[{j}]"
                refs[ObjectRef(kind, namespace, _named(kind, name, where))] = None
    return list(refs)


def _resolve(option: RuntimeConfigOption, where: str, inputs: ResolvedInputs) -> gotoml.Value:
    found = _reference(option)
    if found is None:
        return option.value or ""
    kind, name, key = found
    name = _named(kind, name, where)
    if kind == "ConfigMap":
        if name not in inputs.config_maps:
            raise MissingReferenceError(_not_found(kind, name, where))
        return inputs.config_maps[name].get(key, "")
    if name not in inputs.secrets:
        raise MissingReferenceError(_not_found(kind, name, where))
    return SecretString(inputs.secrets[name].get(key, b"").decode("utf-8", "replace"))


def _not_found(kind: RefKind, name: str, where: str) -> str:
    return f'failed to construct RuntimeConfig: {kind} "{name}" (read by {where}) not found'


def _options(
    kind: str, owner: str, options: Sequence[RuntimeConfigOption], inputs: ResolvedInputs
) -> Options:
    rendered: Options = {"type": kind}
    for j, option in enumerate(options):
        rendered[option.name] = _resolve(option, f"{owner}.options[{j}]", inputs)
    return rendered


def _named_stores(
    stores: Sequence[KeyValueStoreConfig | SqliteDatabaseConfig],
    *,
    field: str,
    what: str,
    inputs: ResolvedInputs,
) -> dict[str, Options]:
    """`name -> options` of key-value stores or databases; a repeated name is an error."""
    tables: dict[str, Options] = {}
    for i, store in enumerate(stores):
        if store.name in tables:
            raise RuntimeConfigError(
                f"failed to construct RuntimeConfig: duplicate definition for {what} "
                f"with name: {store.name}"
            )
        owner = f"{_PATH}.{field}[{i}]"
        tables[store.name] = _options(store.type, owner, store.options or [], inputs)
    return tables


def _llm_compute(config: RuntimeConfig, inputs: ResolvedInputs) -> str:
    llm = config.llm_compute
    if llm is None:
        return ""
    owner = f"{_PATH}.llmCompute"
    return gotoml.table("llm_compute", _options(llm.type, owner, llm.options or [], inputs))


def render_runtime_config(app: SpinApp, inputs: ResolvedInputs | None = None) -> str:
    """The runtime-config TOML, byte for byte as the Go operator writes it."""
    inputs = inputs or ResolvedInputs()
    config = app.spec.runtime_config or RuntimeConfig()
    kv = _named_stores(
        config.key_value_stores or [],
        field="keyValueStores",
        what="key value store",
        inputs=inputs,
    )
    sqlite = _named_stores(
        config.sqlite_databases or [],
        field="sqliteDatabases",
        what="sqlite database",
        inputs=inputs,
    )
    sections = [
        gotoml.array_of_tables("config_provider", [[("type", "env"), ("prefix", ENV_PREFIX)]]),
        gotoml.table_of_tables("key_value_store", kv) if kv else "",
        gotoml.table_of_tables("sqlite_database", sqlite) if sqlite else "",
        _llm_compute(config, inputs),
    ]
    return gotoml.document(sections)


def runtime_config_secret_name(app_name: str, toml: str) -> str:
    """`<app>-<adler32 of the TOML, lowercase hex, no padding>`, as upstream names it."""
    return f"{app_name}-{zlib.adler32(toml.encode()):x}"
