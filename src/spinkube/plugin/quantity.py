"""Kubernetes resource quantities (`100m`, `0.5`, `128Mi`, `1e3`), parsed exactly."""

from __future__ import annotations

import re
from fractions import Fraction

_QUANTITY = re.compile(
    r"(?P<number>[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))"
    r"(?P<suffix>Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?"
)
_BINARY = {"Ki": 1, "Mi": 2, "Gi": 3, "Ti": 4, "Pi": 5, "Ei": 6}
_DECIMAL = {"n": -9, "u": -6, "m": -3, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}


class InvalidQuantityError(ValueError):
    """The text is not a Kubernetes quantity."""


def _scale(suffix: str) -> Fraction:
    if suffix in _BINARY:
        return Fraction(1024) ** _BINARY[suffix]
    if suffix in _DECIMAL:
        return Fraction(10) ** _DECIMAL[suffix]
    if suffix:
        return Fraction(10) ** int(suffix[1:])
    return Fraction(1)


def parse_quantity(text: str) -> Fraction:
    """The exact value of a quantity; raises InvalidQuantityError for anything else."""
    match = _QUANTITY.fullmatch(text)
    if match is None:
        raise InvalidQuantityError(text)
    return Fraction(match["number"]) * _scale(match["suffix"] or "")
