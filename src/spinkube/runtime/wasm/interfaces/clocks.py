"""wasi:clocks (0.2.x). Timer pollables become ready at their time (see ``waiting``)."""

from __future__ import annotations

import time
from collections.abc import Mapping

from spinkube.runtime.wasm import vals
from spinkube.runtime.wasm.interfaces.io import new_pollable
from spinkube.runtime.wasm.session import HostFn, Session


def monotonic(session: Session) -> Mapping[str, HostFn]:
    def now(ctx: int, args: int, results: int) -> None:
        vals.write_u64(results, vals.U64, time.monotonic_ns())

    def resolution(ctx: int, args: int, results: int) -> None:
        vals.write_u64(results, vals.U64, 1)

    def subscribe_instant(ctx: int, args: int, results: int) -> None:
        new_pollable(session, ctx, results, vals.read_u64(args))

    def subscribe_duration(ctx: int, args: int, results: int) -> None:
        new_pollable(session, ctx, results, time.monotonic_ns() + vals.read_u64(args))

    return {
        "now": now,
        "resolution": resolution,
        "subscribe-instant": subscribe_instant,
        "subscribe-duration": subscribe_duration,
    }


def write_datetime(addr: int, ns: int) -> None:
    seconds, nanos = vals.write_record(addr, ["seconds", "nanoseconds"])
    vals.write_u64(seconds, vals.U64, ns // 1_000_000_000)
    vals.write_u64(nanos, vals.U32, ns % 1_000_000_000)


def wall(session: Session) -> Mapping[str, HostFn]:
    def now(ctx: int, args: int, results: int) -> None:
        write_datetime(results, time.time_ns())

    def resolution(ctx: int, args: int, results: int) -> None:
        write_datetime(results, 1)

    return {"now": now, "resolution": resolution}
