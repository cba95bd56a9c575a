"""wasi:random (0.2.x) from the operating system's CSPRNG."""

from __future__ import annotations

import os
from collections.abc import Mapping

from spinkube.runtime.wasm import vals
from spinkube.runtime.wasm.session import GuestTrapError, HostFn, Session

MAX_RANDOM_BYTES = 1 << 20
"""A larger request traps rather than answer short (the WIT promises exactly ``len`` bytes)."""


def _bytes(ctx: int, args: int, results: int) -> None:
    size = vals.read_u64(args)
    if size > MAX_RANDOM_BYTES:
        raise GuestTrapError(f"asked for {size} random bytes; the host gives at most 1 MiB")
    vals.write_u8_list(results, os.urandom(size))


def _u64(ctx: int, args: int, results: int) -> None:
    vals.write_u64(results, vals.U64, int.from_bytes(os.urandom(8), "little"))


def _seed(ctx: int, args: int, results: int) -> None:
    first = vals.write_tuple(results, 2)
    vals.write_u64(first, vals.U64, int.from_bytes(os.urandom(8), "little"))
    vals.write_u64(first + vals.VAL_SIZE, vals.U64, int.from_bytes(os.urandom(8), "little"))


def secure(session: Session) -> Mapping[str, HostFn]:
    return {"get-random-bytes": _bytes, "get-random-u64": _u64}


def insecure(session: Session) -> Mapping[str, HostFn]:
    return {"get-insecure-random-bytes": _bytes, "get-insecure-random-u64": _u64}


def insecure_seed(session: Session) -> Mapping[str, HostFn]:
    return {"insecure-seed": _seed}
