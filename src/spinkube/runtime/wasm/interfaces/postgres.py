"""Outbound PostgreSQL: ``fermyon:spin/postgres@2.0.0`` (v2 ``rdbms-types``) and
``spin:postgres/postgres@3.0.0`` / ``@4.0.0``, each the ``connection`` resource over the one
backend, :class:`~spinkube.runtime.hostapi.postgres.OutboundPostgres`.

The versions differ in their shapes only (:class:`~.rdbms.Dialect`): rows are narrowed to the
version's cases (:func:`~spinkube.runtime.hostapi.postgres_versions.lower_row_set`) and v4's
``query-failed`` carries the server's error fields. Without host APIs in the context every
address is ``connection-failed``. A dropped connection goes back to the per-address pool.
"""

from __future__ import annotations

from functools import partial

from spinkube.runtime.hostapi.postgres import ConnectionFailedError, PostgresConnection
from spinkube.runtime.hostapi.postgres_versions import lower_row_set
from spinkube.runtime.wasm.interfaces import rdbms_values
from spinkube.runtime.wasm.interfaces._hostapi import apis_of
from spinkube.runtime.wasm.interfaces.rdbms import Dialect, connection_provider, v4_error_image
from spinkube.runtime.wasm.session import Provider, Session

V2 = "fermyon:spin/postgres"
V3 = "spin:postgres/postgres@3"
V4 = "spin:postgres/postgres@4"


def open_connection(session: Session, address: str) -> PostgresConnection:
    apis = apis_of(session)
    if apis is None:
        raise ConnectionFailedError("outbound PostgreSQL is not available to this component")
    return apis.postgres.open(address)


DIALECTS = {
    V2: Dialect(rdbms_values.V2, lower=partial(lower_row_set, version=2)),
    V3: Dialect(rdbms_values.V3, lower=partial(lower_row_set, version=3)),
    V4: Dialect(rdbms_values.V4, error_image=v4_error_image, data_type_variant=True),
}

PROVIDERS: dict[str, Provider] = {
    iface: connection_provider(iface, dialect, open_connection)
    for iface, dialect in DIALECTS.items()
}
