"""Outbound MySQL: ``fermyon:spin/mysql@2.0.0`` (the ``connection`` resource, the v2
``rdbms-types``) over the component's :class:`~spinkube.runtime.hostapi.mysql.OutboundMysql`.

Without host APIs in the context every address is ``connection-failed``. A dropped connection
goes back to the per-address pool. ``execute`` answers nothing (no row count), as the WIT says.
"""

from __future__ import annotations

from spinkube.runtime.hostapi.mysql import MysqlConnection
from spinkube.runtime.hostapi.rdbms import ConnectionFailedError
from spinkube.runtime.wasm.interfaces import rdbms_values
from spinkube.runtime.wasm.interfaces._hostapi import apis_of
from spinkube.runtime.wasm.interfaces.rdbms import Dialect, connection_provider
from spinkube.runtime.wasm.session import Session

IFACE = "fermyon:spin/mysql"


def open_connection(session: Session, address: str) -> MysqlConnection:
    apis = apis_of(session)
    if apis is None:
        raise ConnectionFailedError("outbound MySQL is not available to this component")
    return apis.mysql.open(address)


spin_mysql = connection_provider(
    IFACE, Dialect(rdbms_values.V2, execute_count=False), open_connection
)
