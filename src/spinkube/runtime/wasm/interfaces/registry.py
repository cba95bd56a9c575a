"""The table of host interfaces, by interface name without version."""

from __future__ import annotations

from collections.abc import Mapping

from spinkube.runtime.wasm.interfaces import (
    cli,
    clocks,
    filesystem,
    http,
    http_client,
    io,
    key_value,
    mqtt,
    mysql,
    postgres,
    random,
    redis,
    sqlite,
    unsupported,
    variables,
    wasi_keyvalue,
)
from spinkube.runtime.wasm.session import HostFn, Provider, Session


def http_types(session: Session) -> Mapping[str, HostFn]:
    """``wasi:http/types``: the server side and the client side (outbound requests)."""
    return {**http.types(session), **http_client.client_types(session)}


def types_only(_session: Session) -> Mapping[str, HostFn]:
    """An interface that declares only types, no functions (spin-trigger-mqtt's
    ``spin-mqtt-types``): nothing to provide, so nothing is missing."""
    return {}


PROVIDERS: dict[str, Provider] = {
    "wasi:io/error": io.error,
    "wasi:io/poll": io.poll,
    "wasi:io/streams": io.streams,
    "wasi:http/types": http_types,
    "wasi:http/outgoing-handler": http_client.outgoing_handler,
    "wasi:cli/environment": cli.environment,
    "wasi:cli/exit": cli.exit_,
    "wasi:cli/stdin": cli.stdin,
    "wasi:cli/stdout": cli.output("stdout"),
    "wasi:cli/stderr": cli.output("stderr"),
    "wasi:cli/terminal-input": cli.terminal_types,
    "wasi:cli/terminal-output": cli.terminal_types,
    "wasi:cli/terminal-stdin": cli.no_terminal("get-terminal-stdin"),
    "wasi:cli/terminal-stdout": cli.no_terminal("get-terminal-stdout"),
    "wasi:cli/terminal-stderr": cli.no_terminal("get-terminal-stderr"),
    "wasi:clocks/monotonic-clock": clocks.monotonic,
    "wasi:clocks/wall-clock": clocks.wall,
    "wasi:random/random": random.secure,
    "wasi:random/insecure": random.insecure,
    "wasi:random/insecure-seed": random.insecure_seed,
    "wasi:filesystem/types": filesystem.types,
    "wasi:filesystem/preopens": filesystem.preopens,
    "fermyon:spin/variables": variables.spin_variables,
    "wasi:config/store": variables.config_store,
    "fermyon:spin/key-value": key_value.spin_key_value,
    "wasi:keyvalue/store": wasi_keyvalue.store,
    "wasi:keyvalue/atomics": wasi_keyvalue.atomics,
    "wasi:keyvalue/batch": wasi_keyvalue.batch,
    "fermyon:spin/sqlite": sqlite.sqlite("fermyon:spin/sqlite"),
    "spin:sqlite/sqlite": sqlite.sqlite("spin:sqlite/sqlite"),
    "fermyon:spin/redis": redis.spin_redis,
    **postgres.PROVIDERS,
    "fermyon:spin/mysql": mysql.spin_mysql,
    "fermyon:spin/mqtt": mqtt.spin_mqtt,
    "spin:mqtt-trigger/spin-mqtt-types": types_only,
    **unsupported.PROVIDERS,
}


def interface_name(import_name: str) -> str:
    """``wasi:io/streams@0.2.3`` -> ``wasi:io/streams``: every 0.2.x minor is served alike.

    An interface whose majors differ in shape is registered per major
    (``spin:postgres/postgres@4``): its name keeps the major, so each major also gets resource
    types of its own."""
    name, _, version = import_name.partition("@")
    major = f"{name}@{version.split('.', 1)[0]}"
    return major if version and major in PROVIDERS else name
