"""Outbound PostgreSQL: ``fermyon:spin/postgres@2.0.0`` (the ``connection`` resource, the v2
``rdbms-types``) over the component's :class:`~spinkube.runtime.hostapi.postgres.OutboundPostgres`.

Without host APIs in the context every address is ``connection-failed``. A dropped connection
goes back to the per-address pool.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from spinkube.runtime.hostapi.postgres import ConnectionFailedError, DbValue, PostgresConnection
from spinkube.runtime.wasm import resources, vals
from spinkube.runtime.wasm.interfaces._common import ok, u64_image
from spinkube.runtime.wasm.interfaces._hostapi import apis_of, fallible
from spinkube.runtime.wasm.interfaces.rdbms import ERRORS, read_parameters, write_row_set
from spinkube.runtime.wasm.resources import own_image, rep_of
from spinkube.runtime.wasm.session import HostFn, Session

IFACE = "fermyon:spin/postgres"
CONNECTION = resources.type_id(IFACE, "connection")
arg = vals.arg


def open_connection(session: Session, address: str) -> PostgresConnection:
    apis = apis_of(session)
    if apis is None:
        raise ConnectionFailedError("outbound PostgreSQL is not available to this component")
    return apis.postgres.open(address)


def spin_postgres(session: Session) -> Mapping[str, HostFn]:
    def conn(ctx: int, args: int) -> PostgresConnection:
        found: PostgresConnection = session.current.table.get(rep_of(ctx, args))
        return found

    def statement(args: int) -> tuple[str, list[DbValue]]:
        return vals.read_str(arg(args, 1)), read_parameters(arg(args, 2))

    @fallible(ERRORS)
    def open_(ctx: int, args: int, results: int) -> None:
        opened = open_connection(session, vals.read_str(args))
        ok(results, own_image(ctx, session.current.table.add(opened), CONNECTION))

    @fallible(ERRORS)
    def query(ctx: int, args: int, results: int) -> None:
        rows = conn(ctx, args).query(*statement(args))
        ok(results, vals.image(write_row_set, rows))

    @fallible(ERRORS)
    def execute(ctx: int, args: int, results: int) -> None:
        ok(results, u64_image(conn(ctx, args).execute(*statement(args))))

    functions: dict[str, Callable[[int, int, int], None]] = {
        "[static]connection.open": open_,
        "[method]connection.query": query,
        "[method]connection.execute": execute,
    }
    return functions
