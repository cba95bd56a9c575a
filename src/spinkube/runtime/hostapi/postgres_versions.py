"""Narrowing v4's row sets to what ``spin:postgres@3`` and ``fermyon:spin/postgres@2`` have,
as Spin's host converts them: a data type the version lacks is ``other``, a value of it
``unsupported`` (without payload), as are v4's ``unsupported`` raw bytes."""

from __future__ import annotations

from spinkube.runtime.hostapi.rdbms import Column, DbValue, RowSet

V2_CASES = frozenset(
    {"boolean", "int8", "int16", "int32", "int64", "floating32", "floating64", "str", "binary"}
)
V3_CASES = V2_CASES | {"date", "time", "datetime", "timestamp"}
CASES = {2: V2_CASES, 3: V3_CASES}


def lower_row_set(rows: RowSet, version: int) -> RowSet:
    """``rows`` as version 2 or 3 answers them (version 4: unchanged)."""
    cases = CASES.get(version)
    if cases is None:
        return rows
    columns = [_column(c, cases) for c in rows.columns]
    return RowSet(columns, [[_value(v, cases) for v in row] for row in rows.rows])


def _column(column: Column, cases: frozenset[str]) -> Column:
    return column if column.data_type in cases else Column(column.name, "other")


def _value(value: DbValue, cases: frozenset[str]) -> DbValue:
    case = value[0]
    return value if case in cases or case == "db-null" else ("unsupported", None)
