"""Pure pieces of the host: path confinement and error messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from spinkube.runtime.wasm.errors import cause, trap_error
from spinkube.runtime.wasm.interfaces.fs_objects import FsError, preopen
from spinkube.runtime.wasm.linker import summarize


@pytest.mark.parametrize(
    ("relative", "code"),
    [("../x", "not-permitted"), ("/etc/passwd", "not-permitted"), ("nope", "no-entry")],
)
def test_paths_outside_a_mount_are_refused(tmp_path: Path, relative: str, code: str) -> None:
    (tmp_path / "x").write_text("x")
    mount = tmp_path / "mount"
    mount.mkdir()
    with pytest.raises(FsError, match=code):
        preopen(mount).resolve(relative)


def test_a_path_inside_a_mount_resolves(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "b.txt").write_text("b")
    assert preopen(tmp_path).at("a").resolve("../a/b.txt") == (tmp_path / "a" / "b.txt").resolve()


WASMTIME_TRAP = """error while executing at wasm backtrace:
    0:   0x1f2 - <unknown>!handle

Caused by:
    wasm trap: wasm `unreachable` instruction executed"""


def test_the_root_cause_is_the_last_caused_by_line() -> None:
    assert cause(WASMTIME_TRAP) == "wasm trap: wasm `unreachable` instruction executed"


def test_an_interrupt_with_a_deadline_reads_as_a_timeout() -> None:
    message = WASMTIME_TRAP.replace("wasm `unreachable` instruction executed", "interrupt")
    assert str(trap_error(message, "app", 1.5)) == (
        "guest exceeded its 1.5 s deadline in component app"
    )


def test_unprovided_imports_summarize_per_interface() -> None:
    unprovided = [
        "wasi:http/types@0.2.0#[constructor]outgoing-request",
        "fermyon:spin/llm@2.0.0",
        "wasi:http/types@0.2.0#[method]outgoing-request.body",
    ]
    assert summarize(unprovided) == [
        "fermyon:spin/llm@2.0.0",
        "wasi:http/types@0.2.0 (2 functions)",
    ]
