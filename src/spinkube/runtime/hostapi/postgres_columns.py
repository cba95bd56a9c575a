"""PostgreSQL columns to ``spin:postgres@4`` values, from the binary result format.

Each column's type OID picks its ``db-data-type`` case and a decoder of the raw binary value, as
Spin's host maps ``tokio-postgres`` types: ``timestamp`` and ``timestamptz`` are ``datetime``
(UTC), ``numeric`` is ``decimal`` (a base-10 string), ``jsonb`` is its JSON text, and any other
type is ``other(<type name>)`` with its raw binary value as ``unsupported``. Numeric values,
ranges and arrays are decoded by psycopg's own binary loaders.
"""

from __future__ import annotations

import json
import struct
import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from spinkube.runtime.hostapi.rdbms import DbValue, ValueConversionFailedError

Decode = Callable[[bytes], Any]

PG_EPOCH = datetime(2000, 1, 1)
PG_EPOCH_ORDINAL = date(2000, 1, 1).toordinal()
_I16, _I32, _I64 = struct.Struct(">h"), struct.Struct(">i"), struct.Struct(">q")
_F32, _F64 = struct.Struct(">f"), struct.Struct(">d")
_INTERVAL = struct.Struct(">qii")


def _date(raw: bytes) -> tuple[int, int, int]:
    day = date.fromordinal(PG_EPOCH_ORDINAL + _I32.unpack(raw)[0])
    return day.year, day.month, day.day


def _time(raw: bytes) -> tuple[int, int, int, int]:
    micros = _I64.unpack(raw)[0]
    seconds, micro = divmod(micros, 1_000_000)
    minutes, second = divmod(seconds, 60)
    hour, minute = divmod(minutes, 60)
    return hour, minute, second, micro * 1000


def _datetime(raw: bytes) -> tuple[int, int, int, int, int, int, int]:
    at = PG_EPOCH + timedelta(microseconds=_I64.unpack(raw)[0])
    return at.year, at.month, at.day, at.hour, at.minute, at.second, at.microsecond * 1000


def _jsonb(raw: bytes) -> bytes:
    """The JSON text, compact (jsonb's binary form is a version byte and the text)."""
    value = json.loads(raw[1:])
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def _range(bound: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def convert(value: Any) -> tuple[Any, Any]:
        lower = (bound(value.lower), _kind(value.lower_inc)) if value.lower is not None else None
        upper = (bound(value.upper), _kind(value.upper_inc)) if value.upper is not None else None
        return lower, upper

    return convert


def _kind(inclusive: bool) -> str:
    return "inclusive" if inclusive else "exclusive"


def _array(item: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def convert(values: list[Any]) -> list[Any]:
        return [None if v is None else item(v) for v in _flat(values)]

    return convert


def _flat(values: list[Any]) -> list[Any]:
    """The WIT's arrays are one-dimensional: a nested one cannot be converted."""
    if any(isinstance(value, list) for value in values):
        raise ValueError("multi-dimensional arrays have no case")
    return values


def _same(value: Any) -> Any:
    return value


# OID -> (data type, decoder of the raw value) for the types decoded here.
RAW: dict[int, tuple[str, Decode]] = {
    16: ("boolean", lambda raw: raw != b"\x00"),
    21: ("int16", lambda raw: _I16.unpack(raw)[0]),
    23: ("int32", lambda raw: _I32.unpack(raw)[0]),
    20: ("int64", lambda raw: _I64.unpack(raw)[0]),
    700: ("floating32", lambda raw: _F32.unpack(raw)[0]),
    701: ("floating64", lambda raw: _F64.unpack(raw)[0]),
    25: ("str", lambda raw: raw.decode("utf-8")),
    1043: ("str", lambda raw: raw.decode("utf-8")),
    1042: ("str", lambda raw: raw.decode("utf-8")),
    17: ("binary", bytes),
    1082: ("date", _date),
    1083: ("time", _time),
    1114: ("datetime", _datetime),
    1184: ("datetime", _datetime),
    2950: ("uuid", lambda raw: str(uuid.UUID(bytes=raw))),
    3802: ("jsonb", _jsonb),
    1186: ("interval", _INTERVAL.unpack),
}

# OID -> (data type, conversion of psycopg's loaded value) for the types psycopg decodes.
LOADED: dict[int, tuple[str, Callable[[Any], Any]]] = {
    1700: ("decimal", str),
    3904: ("range-int32", _range(_same)),
    3926: ("range-int64", _range(_same)),
    3906: ("range-decimal", _range(str)),
    1007: ("array-int32", _array(_same)),
    1016: ("array-int64", _array(_same)),
    1231: ("array-decimal", _array(str)),
    1009: ("array-str", _array(_same)),
    1015: ("array-str", _array(_same)),
    1014: ("array-str", _array(_same)),
}


def data_type(oid: int) -> str:
    known = RAW.get(oid) or LOADED.get(oid)
    return known[0] if known is not None else "other"


def column_decoder(oid: int, load: Callable[[bytes], Any] | None) -> Callable[[bytes], DbValue]:
    """Decodes one column's raw binary values; ``load`` is psycopg's loader for its OID."""
    raw = RAW.get(oid)
    if raw is not None:
        return _decoder(raw[0], raw[1])
    loaded = LOADED.get(oid)
    if loaded is not None and load is not None:
        convert = loaded[1]
        return _decoder(loaded[0], lambda data: convert(load(data)))
    return lambda data: ("unsupported", bytes(data))


def _decoder(case: str, decode: Decode) -> Callable[[bytes], DbValue]:
    def run(data: bytes) -> DbValue:
        try:
            return case, decode(data)
        except (ValueError, OverflowError, struct.error, UnicodeDecodeError) as exc:
            raise ValueConversionFailedError(f"{case}: {exc}") from None

    return run
