"""The v2 ``rdbms-types`` shared by outbound PostgreSQL and MySQL: values, columns, row sets and
the ``error`` variant's cases."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from spinkube.runtime.hostapi.errors import HostApiError


class RdbmsError(HostApiError):
    case = "other"


class ConnectionFailedError(RdbmsError):
    case = "connection-failed"


class BadParameterError(RdbmsError):
    case = "bad-parameter"


class QueryFailedError(RdbmsError):
    case = "query-failed"


class ValueConversionFailedError(RdbmsError):
    case = "value-conversion-failed"


DbValue = tuple[str, Any]
"""A ``db-value`` / ``parameter-value``: the WIT case and its payload (None for ``db-null``,
``unsupported``)."""


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    data_type: str
    """The ``db-data-type`` case."""


@dataclass(frozen=True, slots=True)
class RowSet:
    columns: list[Column]
    rows: list[list[DbValue]]
