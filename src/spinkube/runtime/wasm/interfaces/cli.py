"""wasi:cli (0.2.x): environment from the component context, empty stdin, stdout/stderr lines
forwarded to the host's log with the component prefix, no terminals, exit traps."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from spinkube.runtime.wasm import resources, vals
from spinkube.runtime.wasm.interfaces.io import INPUT_STREAM, OUTPUT_STREAM
from spinkube.runtime.wasm.interfaces.objects import InputStream, OutputStream
from spinkube.runtime.wasm.resources import write_own
from spinkube.runtime.wasm.session import GuestTrapError, HostFn, Session

TERMINAL_INPUT = resources.type_id("wasi:cli/terminal-input", "terminal-input")
TERMINAL_OUTPUT = resources.type_id("wasi:cli/terminal-output", "terminal-output")


def environment(session: Session) -> Mapping[str, HostFn]:
    def get_environment(ctx: int, args: int, results: int) -> None:
        pairs = list(session.context.environment.items())
        first = vals.write_list(results, len(pairs))
        for i, (name, value) in enumerate(pairs):
            pair = vals.write_tuple(first + vals.VAL_SIZE * i, 2)
            vals.write_str(pair, name)
            vals.write_str(pair + vals.VAL_SIZE, value)

    def get_arguments(ctx: int, args: int, results: int) -> None:
        arguments = session.current.arguments
        first = vals.write_list(results, len(arguments))
        for i, argument in enumerate(arguments):
            vals.write_str(first + vals.VAL_SIZE * i, argument)

    def initial_cwd(ctx: int, args: int, results: int) -> None:
        vals.write_option(results, vals.image(vals.write_str, "/"))

    return {
        "get-environment": get_environment,
        "get-arguments": get_arguments,
        "initial-cwd": initial_cwd,
    }


def exit_(session: Session) -> Mapping[str, HostFn]:
    def exit_guest(ctx: int, args: int, results: int) -> None:
        ok = vals.read_bool(args)
        status = "ok" if ok else "error"
        session.current.exit_code = 0 if ok else 1
        raise GuestTrapError(f"guest called wasi:cli/exit with status {status}")

    return {"exit": exit_guest}


def stdin(session: Session) -> Mapping[str, HostFn]:
    def get_stdin(ctx: int, args: int, results: int) -> None:
        write_own(ctx, results, session.current.table.add(InputStream(b"")), INPUT_STREAM)

    return {"get-stdin": get_stdin}


def line_sink(session: Session, stream: str) -> Callable[[bytes], None]:
    """Buffers a guest's output and logs it one complete line at a time."""

    def sink(data: bytes) -> None:
        buf = session.current.output.setdefault(stream, bytearray())
        buf += data
        while (end := buf.find(b"\n")) >= 0:
            session.log_line(stream, buf[:end].decode("utf-8", "replace"))
            del buf[: end + 1]

    return sink


def flush_output(session: Session) -> None:
    """Logs what is left of a request's output when it did not end with a newline."""
    for stream, buf in session.current.output.items():
        if buf:
            session.log_line(stream, buf.decode("utf-8", "replace"))
            buf.clear()


def output(stream: str) -> Callable[[Session], Mapping[str, HostFn]]:
    def provider(session: Session) -> Mapping[str, HostFn]:
        sink = line_sink(session, stream)

        def get_output(ctx: int, args: int, results: int) -> None:
            rep = session.current.table.add(OutputStream(sink=sink))
            write_own(ctx, results, rep, OUTPUT_STREAM)

        return {f"get-{stream}": get_output}

    return provider


def no_terminal(function: str) -> Callable[[Session], Mapping[str, HostFn]]:
    def provider(session: Session) -> Mapping[str, HostFn]:
        def get_terminal(ctx: int, args: int, results: int) -> None:
            vals.write_option(results, None)

        return {function: get_terminal}

    return provider


def terminal_types(session: Session) -> Mapping[str, HostFn]:
    return {}
