"""The relational interfaces' value codecs and v4's error lowering, without a guest: every case
of each version written as a component value and read back, and the ``db-error`` record."""

from __future__ import annotations

import ctypes
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spinkube.runtime.hostapi.rdbms import (
    BadParameterError,
    DbError,
    DbValue,
    QueryFailedError,
)
from spinkube.runtime.wasm import vals
from spinkube.runtime.wasm.interfaces import rdbms_values
from spinkube.runtime.wasm.interfaces.rdbms import DB_ERROR, v4_error_image
from spinkube.runtime.wasm.interfaces.rdbms_values import Cases, value_codec

V4_VALUES: list[DbValue] = [
    ("boolean", True),
    ("int8", -128),
    ("int16", -32768),
    ("int32", 2**31 - 1),
    ("int64", -(2**63)),
    ("floating32", 0.5),
    ("floating64", -2.25),
    ("str", "héllo"),
    ("binary", b"\x00\xff"),
    ("date", (-4712, 1, 1)),
    ("time", (23, 59, 59, 999_999_999)),
    ("datetime", (2024, 2, 29, 13, 14, 15, 5000)),
    ("timestamp", -1),
    ("uuid", "12345678-1234-5678-1234-567812345678"),
    ("jsonb", b'{"a":1}'),
    ("decimal", "-1.50"),
    ("range-int32", ((1, "inclusive"), (5, "exclusive"))),
    ("range-int64", (None, (2**40, "inclusive"))),
    ("range-decimal", (("1.5", "exclusive"), None)),
    ("array-int32", [1, None, -3]),
    ("array-int64", [None]),
    ("array-decimal", []),
    ("array-str", ["a", None]),
    ("interval", (-5, 2, 14)),
    ("db-null", None),
    ("unsupported", b"\x02 \x00\x04"),
]
V3_VALUES = [v for v in V4_VALUES if v[0] in rdbms_values.V3 and v[0] != "unsupported"] + [
    ("unsupported", None)
]
V2_VALUES = [v for v in V3_VALUES if v[0] in rdbms_values.V2] + [("uint64", 2**64 - 1)]


def round_trip(cases: Cases, value: DbValue) -> Any:
    codec = value_codec(cases)
    image = codec.image(value)  # kept alive while it is read
    return codec.read(ctypes.addressof(image))


@pytest.mark.parametrize(
    ("cases", "value"),
    [(rdbms_values.V4, v) for v in V4_VALUES]
    + [(rdbms_values.V3, v) for v in V3_VALUES]
    + [(rdbms_values.V2, v) for v in V2_VALUES],
    ids=[f"v4-{v[0]}" for v in V4_VALUES]
    + [f"v3-{v[0]}" for v in V3_VALUES]
    + [f"v2-{v[0]}" for v in V2_VALUES],
)
def test_every_case_round_trips(cases: Cases, value: DbValue) -> None:
    assert round_trip(cases, value) == value


bound32 = st.none() | st.tuples(
    st.integers(-(2**31), 2**31 - 1), st.sampled_from(["inclusive", "exclusive"])
)


@given(st.tuples(bound32, bound32), st.lists(st.none() | st.text(), max_size=5))
def test_ranges_and_arrays_round_trip(bounds: tuple[Any, Any], strings: list[str | None]) -> None:
    assert round_trip(rdbms_values.V4, ("range-int32", bounds)) == ("range-int32", bounds)
    assert round_trip(rdbms_values.V4, ("array-str", strings)) == ("array-str", strings)


def test_v4_query_failed_carries_the_servers_fields() -> None:
    found = DbError("ERROR", "42P01", "relation missing", None, [("routine", "parserOpenTable")])
    image = v4_error_image(QueryFailedError("relation missing", found))
    addr = ctypes.addressof(image)
    assert vals.read_case(addr) == "query-failed"
    query_error = vals.read_ptr(addr, 24)
    assert vals.read_case(query_error) == "db-error"
    record = DB_ERROR.read(vals.read_ptr(query_error, 24))
    assert record == (
        "relation missing",
        "ERROR",
        "42P01",
        "relation missing",
        None,
        [("routine", "parserOpenTable")],
    )


def test_v4_other_errors_are_their_string_case() -> None:
    text = v4_error_image(QueryFailedError("lost"))
    query_error = vals.read_ptr(ctypes.addressof(text), 24)
    assert vals.read_case(query_error) == "text"
    assert vals.read_str(vals.read_ptr(query_error, 24)) == "lost"
    bad = v4_error_image(BadParameterError("parameter $1 (uuid): badly formed"))
    assert vals.read_case(ctypes.addressof(bad)) == "bad-parameter"
    assert vals.read_str(vals.read_ptr(ctypes.addressof(bad), 24)).startswith("parameter $1")
