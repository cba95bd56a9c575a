"""Lowering the host-API backends' results and errors (:mod:`spinkube.runtime.hostapi`).

Every Spin host API answers ``result<T, error>`` where ``error`` is a variant with some cases
without a payload and one or more string cases. :class:`ErrorVariant` describes one interface's
``error``; :func:`fallible` runs a host function body and turns a
:class:`~spinkube.runtime.hostapi.HostApiError` into ``err(case)``.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from spinkube.runtime.hostapi import ComponentApis, HostApiError
from spinkube.runtime.wasm import vals
from spinkube.runtime.wasm.session import HostFn, Session

VAL = vals.VAL_SIZE
F64 = 10
_MASK64 = (1 << 64) - 1
_SIGN64 = 1 << 63
_u8_at = ctypes.c_uint8.from_address
_f64_at = ctypes.c_double.from_address


@dataclass(frozen=True, slots=True)
class ErrorVariant:
    """An interface's ``error`` variant: cases without payload, string cases, and the string
    case that takes any case the interface does not have."""

    plain: frozenset[str]
    strings: frozenset[str]
    fallback: str

    def image(self, exc: HostApiError) -> vals.Image:
        if exc.case in self.plain:
            return vals.image(vals.write_variant, exc.case)
        case = exc.case if exc.case in self.strings else self.fallback
        message = exc.detail or str(exc)
        return vals.image(vals.write_variant, case, vals.image(vals.write_str, message))


def fallible(
    errors: ErrorVariant | Callable[[HostApiError], vals.Image],
) -> Callable[[HostFn], HostFn]:
    """Wraps a body that writes ``ok(...)``: a :class:`HostApiError` it raises becomes
    ``err(error)`` (lowered by ``errors``, an :class:`ErrorVariant` or a function). The body
    must raise before it writes anything."""
    lower = errors.image if isinstance(errors, ErrorVariant) else errors

    def wrap(body: HostFn) -> HostFn:
        def run(ctx: int, args: int, results: int) -> None:
            try:
                body(ctx, args, results)
            except HostApiError as exc:
                vals.write_result(results, False, lower(exc))

        return run

    return wrap


def apis_of(session: Session) -> ComponentApis | None:
    return session.context.apis


def read_s64(addr: int) -> int:
    value = vals.read_u64(addr)
    return value - (1 << 64) if value & _SIGN64 else value


def write_s64(addr: int, value: int) -> None:
    vals.write_u64(addr, vals.S64, value & _MASK64)


def s64_image(value: int) -> vals.Image:
    return vals.image(write_s64, value)


def read_f64(addr: int) -> float:
    return float(_f64_at(addr + 8).value)


def write_f64(addr: int, value: float) -> None:
    _u8_at(addr).value = F64
    _f64_at(addr + 8).value = value


def read_str_list(addr: int) -> list[str]:
    count, first = vals.read_list(addr)
    return [vals.read_str(first + VAL * i) for i in range(count)]


def write_str_list(addr: int, items: Sequence[str]) -> None:
    first = vals.write_list(addr, len(items))
    for i, item in enumerate(items):
        vals.write_str(first + VAL * i, item)


def str_list_image(items: Sequence[str]) -> vals.Image:
    return vals.image(write_str_list, items)


def optional_bytes_image(value: bytes | None) -> vals.Image:
    """An ``option<list<u8>>``."""
    payload = vals.image(vals.write_u8_list, value) if value is not None else None
    return vals.image(vals.write_option, payload)


def u32_image(value: int) -> vals.Image:
    return vals.image(vals.write_u64, vals.U32, value & 0xFFFFFFFF)
