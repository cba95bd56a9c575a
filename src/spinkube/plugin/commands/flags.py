"""Parsing of pflag-style list and map flags, so that `-s a,b` and `-v a=1,b=2` work as upstream."""

from __future__ import annotations

import csv
from collections.abc import Iterable

from spinkube.plugin.errors import UsageError


def string_slice(values: Iterable[str]) -> tuple[str, ...]:
    """pflag StringSlice: each occurrence is a comma-separated (CSV) list."""
    items: list[str] = []
    for value in values:
        if value:
            items.extend(next(csv.reader([value])))
    return tuple(items)


def string_to_string(values: Iterable[str], *, flag: str) -> dict[str, str]:
    """pflag StringToString: `k=v` (commas allowed in v), or `k1=v1,k2=v2` (CSV)."""
    result: dict[str, str] = {}
    for value in values:
        result.update(_pairs(value, flag=flag))
    return result


def _pairs(value: str, *, flag: str) -> dict[str, str]:
    count = value.count("=")
    if count == 0:
        raise _not_a_pair(value, value, flag)
    pairs = [value.strip('"')] if count == 1 else next(csv.reader([value]))
    result: dict[str, str] = {}
    for pair in pairs:
        key, sep, item = pair.partition("=")
        if not sep or not key:
            raise _not_a_pair(value, pair, flag)
        result[key] = item
    return result


def _not_a_pair(value: str, pair: str, flag: str) -> UsageError:
    return UsageError(
        f'invalid argument "{value}" for "{flag}" flag: {pair} must be formatted as key=value'
    )
