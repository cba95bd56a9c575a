"""wasi:io error, poll and streams (0.2.x) over in-memory streams."""

from __future__ import annotations

import time
from collections.abc import Mapping

from spinkube.runtime.wasm import resources, vals
from spinkube.runtime.wasm.interfaces._common import err_closed, ok, u8_list_image, u64_image
from spinkube.runtime.wasm.interfaces.objects import (
    WRITE_BUDGET,
    InputStream,
    IoError,
    OutputStream,
    Pollable,
)
from spinkube.runtime.wasm.interfaces.waiting import is_due, wait_for_any
from spinkube.runtime.wasm.resources import rep_of, write_own
from spinkube.runtime.wasm.session import HostFn, Session

POLLABLE = resources.type_id("wasi:io/poll", "pollable")
INPUT_STREAM = resources.type_id("wasi:io/streams", "input-stream")
OUTPUT_STREAM = resources.type_id("wasi:io/streams", "output-stream")
arg = vals.arg


def error(session: Session) -> Mapping[str, HostFn]:
    def to_debug_string(ctx: int, args: int, results: int) -> None:
        err: IoError = session.current.table.get(rep_of(ctx, args))
        vals.write_str(results, err.message)

    return {"[method]error.to-debug-string": to_debug_string}


def poll(session: Session) -> Mapping[str, HostFn]:
    def due(ctx: int, addr: int) -> int | None:
        pollable: Pollable = session.current.table.get(rep_of(ctx, addr))
        return pollable.due_ns

    def ready(ctx: int, args: int, results: int) -> None:
        vals.write_bool(results, is_due(due(ctx, args), time.monotonic_ns()))

    def block(ctx: int, args: int, results: int) -> None:
        wait_for_any(session.current, [due(ctx, args)])

    def poll_all(ctx: int, args: int, results: int) -> None:
        count, first = vals.read_list(args)
        dues = [due(ctx, first + vals.VAL_SIZE * i) for i in range(count)]
        indices = wait_for_any(session.current, dues)
        out = vals.write_list(results, len(indices))
        for n, i in enumerate(indices):
            vals.write_u64(out + vals.VAL_SIZE * n, vals.U32, i)

    return {"[method]pollable.ready": ready, "[method]pollable.block": block, "poll": poll_all}


def new_pollable(session: Session, ctx: int, results: int, due_ns: int | None = None) -> None:
    """A new pollable at ``results``: ready at once, or at ``due_ns`` (monotonic)."""
    write_own(ctx, results, session.current.table.add(Pollable(due_ns)), POLLABLE)


def streams(session: Session) -> Mapping[str, HostFn]:
    def stream(ctx: int, args: int) -> object:
        return session.current.table.get(rep_of(ctx, args))

    def read(ctx: int, args: int, results: int) -> None:
        src: InputStream = stream(ctx, args)  # type: ignore[assignment]
        chunk = src.read(vals.read_u64(arg(args, 1)))
        if chunk is None:
            err_closed(results)
        else:
            ok(results, u8_list_image(chunk))

    def skip(ctx: int, args: int, results: int) -> None:
        src: InputStream = stream(ctx, args)  # type: ignore[assignment]
        chunk = src.read(vals.read_u64(arg(args, 1)))
        if chunk is None:
            err_closed(results)
        else:
            ok(results, u64_image(len(chunk)))

    def subscribe(ctx: int, args: int, results: int) -> None:
        stream(ctx, args)
        new_pollable(session, ctx, results)

    def check_write(ctx: int, args: int, results: int) -> None:
        dst: OutputStream = stream(ctx, args)  # type: ignore[assignment]
        if dst.closed:
            err_closed(results)
        else:
            ok(results, u64_image(WRITE_BUDGET))

    def write(ctx: int, args: int, results: int) -> None:
        dst: OutputStream = stream(ctx, args)  # type: ignore[assignment]
        if dst.closed:
            err_closed(results)
            return
        dst.write(vals.read_u8_list(arg(args, 1)))
        ok(results)

    def flush(ctx: int, args: int, results: int) -> None:
        dst: OutputStream = stream(ctx, args)  # type: ignore[assignment]
        if dst.closed:
            err_closed(results)
        else:
            ok(results)

    def write_zeroes(ctx: int, args: int, results: int) -> None:
        dst: OutputStream = stream(ctx, args)  # type: ignore[assignment]
        dst.write(bytes(vals.read_u64(arg(args, 1))))
        ok(results)

    def splice(ctx: int, args: int, results: int) -> None:
        dst: OutputStream = stream(ctx, args)  # type: ignore[assignment]
        src: InputStream = session.current.table.get(rep_of(ctx, arg(args, 1)))
        chunk = src.read(vals.read_u64(arg(args, 2)))
        if chunk is None:
            err_closed(results)
            return
        dst.write(chunk)
        ok(results, u64_image(len(chunk)))

    return {
        "[method]input-stream.read": read,
        "[method]input-stream.blocking-read": read,
        "[method]input-stream.skip": skip,
        "[method]input-stream.blocking-skip": skip,
        "[method]input-stream.subscribe": subscribe,
        "[method]output-stream.check-write": check_write,
        "[method]output-stream.write": write,
        "[method]output-stream.blocking-write-and-flush": write,
        "[method]output-stream.flush": flush,
        "[method]output-stream.blocking-flush": flush,
        "[method]output-stream.subscribe": subscribe,
        "[method]output-stream.write-zeroes": write_zeroes,
        "[method]output-stream.blocking-write-zeroes-and-flush": write_zeroes,
        "[method]output-stream.splice": splice,
        "[method]output-stream.blocking-splice": splice,
    }
