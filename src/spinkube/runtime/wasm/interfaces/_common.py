"""Result shapes shared by many interfaces."""

from __future__ import annotations

from spinkube.runtime.wasm import vals


def ok(results: int, payload: vals.Image | None = None) -> None:
    vals.write_result(results, True, payload)


def err_closed(results: int) -> None:
    """``err(stream-error::closed)``."""
    vals.write_result(results, False, vals.image(vals.write_variant, "closed"))


def err_case(results: int, case: str) -> None:
    """``err(E)`` for a payload-less variant case of E."""
    vals.write_result(results, False, vals.image(vals.write_variant, case))


def err_enum(results: int, case: str) -> None:
    """``err(E)`` for an enum E."""
    vals.write_result(results, False, vals.image(vals.write_enum, case))


def u64_image(value: int) -> vals.Image:
    return vals.image(vals.write_u64, vals.U64, value)


def u8_list_image(data: bytes) -> vals.Image:
    return vals.image(vals.write_u8_list, data)
