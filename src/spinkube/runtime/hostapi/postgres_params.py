"""``parameter-value`` cases (v2, v3 and v4) to the values psycopg sends, typed as the case says.

Integers go as ``int2``/``int4``/``int8`` by width (v2's ``int8`` and ``uint8`` as ``int2``:
PostgreSQL has no one-byte integer), ``datetime`` as ``timestamp``, ``timestamp`` (seconds since
the epoch) as ``timestamptz``, arrays and intervals with dumpers of their own (registered on each
connection by :func:`register_dumpers`), so a list of NULLs still has its type. A value the case
cannot hold (an invalid date, UUID, JSON or decimal) is ``bad-parameter`` naming ``$N``.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any
from uuid import UUID

from spinkube.runtime.hostapi.rdbms import BadParameterError, DbValue

if TYPE_CHECKING:
    import psycopg


@dataclass(frozen=True, slots=True)
class PgArray:
    """An array parameter: its type OID and its text literal (``{1,NULL}``)."""

    oid: int
    literal: str


@dataclass(frozen=True, slots=True)
class PgInterval:
    micros: int
    days: int
    months: int


_INTERVAL = struct.Struct(">qii")
ARRAY_OIDS = {"array-int32": 1007, "array-int64": 1016, "array-decimal": 1231, "array-str": 1009}


def parameter(index: int, value: DbValue) -> Any:
    case, payload = value
    if case == "db-null":
        return None
    convert = _CONVERT.get(case)
    if convert is None:
        raise BadParameterError(f"parameter ${index + 1}: no {case} case is supported")
    try:
        return convert(payload)
    except (ValueError, TypeError, OverflowError, OSError, InvalidOperation) as exc:
        raise BadParameterError(f"parameter ${index + 1} ({case}): {exc}") from None


def _int(bits: int) -> Callable[[int], Any]:
    def wrap(value: int) -> Any:
        from psycopg.types.numeric import Int2, Int4, Int8

        if not -(1 << (bits - 1)) <= value < 1 << (bits - 1):
            raise ValueError(f"{value} does not fit a PostgreSQL int{bits // 8}")
        return {16: Int2, 32: Int4, 64: Int8}[bits](value)

    return wrap


def _float4(value: float) -> Any:
    from psycopg.types.numeric import Float4

    return Float4(value)


def _date(value: tuple[int, int, int]) -> date:
    return date(*value)


def _time(value: tuple[int, int, int, int]) -> time:
    hour, minute, second, nanos = value
    return time(hour, minute, second, nanos // 1000)


def _datetime(value: tuple[int, int, int, int, int, int, int]) -> datetime:
    year, month, day, hour, minute, second, nanos = value
    return datetime(year, month, day, hour, minute, second, nanos // 1000)


def _timestamp(value: int) -> datetime:
    return datetime.fromtimestamp(value, UTC)


def _jsonb(value: bytes) -> Any:
    from psycopg.types.json import Jsonb

    return Jsonb(json.loads(value))


def _decimal(value: str) -> Decimal:
    return Decimal(value)


def _range(kind: str, bound: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def convert(value: tuple[Any, Any]) -> Any:
        from psycopg.types import range as pg_range

        lower, upper = value
        bounds = ("[" if lower and lower[1] == "inclusive" else "(") + (
            "]" if upper and upper[1] == "inclusive" else ")"
        )
        low = bound(lower[0]) if lower is not None else None
        high = bound(upper[0]) if upper is not None else None
        return getattr(pg_range, kind)(low, high, bounds)

    return convert


def _array(case: str, item: Callable[[Any], str]) -> Callable[[list[Any]], PgArray]:
    def convert(values: list[Any]) -> PgArray:
        cells = ["NULL" if v is None else item(v) for v in values]
        return PgArray(ARRAY_OIDS[case], "{" + ",".join(cells) + "}")

    return convert


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _interval(value: tuple[int, int, int]) -> PgInterval:
    return PgInterval(*value)


_CONVERT: dict[str, Callable[[Any], Any]] = {
    "boolean": bool,
    "int8": _int(16),
    "int16": _int(16),
    "uint8": _int(16),
    "int32": _int(32),
    "uint16": _int(32),
    "int64": _int(64),
    "uint32": _int(64),
    "uint64": _int(64),
    "floating32": _float4,
    "floating64": float,
    "str": str,
    "binary": bytes,
    "date": _date,
    "time": _time,
    "datetime": _datetime,
    "timestamp": _timestamp,
    "uuid": UUID,
    "jsonb": _jsonb,
    "decimal": _decimal,
    "range-int32": _range("Int4Range", int),
    "range-int64": _range("Int8Range", int),
    "range-decimal": _range("NumericRange", Decimal),
    "array-int32": _array("array-int32", lambda v: str(int(v))),
    "array-int64": _array("array-int64", lambda v: str(int(v))),
    "array-decimal": _array("array-decimal", lambda v: str(Decimal(v))),
    "array-str": _array("array-str", _quoted),
    "interval": _interval,
}


def register_dumpers(conn: psycopg.Connection[Any]) -> None:
    """Dumpers for :class:`PgArray` and :class:`PgInterval` on ``conn`` (not psycopg's
    global adapters, which the host's own psycopg users share)."""
    from psycopg.adapt import Dumper
    from psycopg.pq import Format

    class ArrayDumper(Dumper):
        def dump(self, obj: PgArray) -> bytes:
            return obj.literal.encode()

        def get_key(self, obj: PgArray, format: Any) -> Any:
            return (PgArray, obj.oid)

        def upgrade(self, obj: PgArray, format: Any) -> Dumper:
            dumper = ArrayDumper(PgArray, self.connection)
            dumper.oid = obj.oid
            return dumper

    class IntervalDumper(Dumper):
        format = Format.BINARY
        oid = 1186

        def dump(self, obj: PgInterval) -> bytes:
            return _INTERVAL.pack(obj.micros, obj.days, obj.months)

    conn.adapters.register_dumper(PgArray, ArrayDumper)
    conn.adapters.register_dumper(PgInterval, IntervalDumper)
