"""What the component context provides: files, variables, stdout."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from spinkube.runtime.wasm.api import GuestRequest
from spinkube.runtime.wasm.host import WasmComponentHost

FILES = [
    ("hello.txt", 200, b"file contents\n"),
    ("sub/inner.txt", 200, b"inner"),
    ("sub/../hello.txt", 200, b"file contents\n"),
    ("inside-link.txt", 200, b"inner"),
    ("../secret.txt", 404, None),
    ("sub/../../secret.txt", 404, None),
    ("escape-link.txt", 404, None),
    ("/hello.txt", 404, None),
    ("missing.txt", 404, None),
]


@pytest.mark.parametrize(("path", "status", "body"), FILES, ids=[f[0] for f in FILES])
def test_files_are_read_only_and_confined_to_the_mount(
    probe: WasmComponentHost,
    request_for: Callable[..., GuestRequest],
    path: str,
    status: int,
    body: bytes | None,
) -> None:
    response = probe.handle(request_for(f"/file/{path}"))
    assert response.status == status
    if body is not None:
        assert response.body == body


@pytest.mark.parametrize(
    ("name", "status", "body"),
    [("greeting", 200, b"hello from a variable"), ("empty", 200, b""), ("missing", 404, None)],
)
@pytest.mark.parametrize("interface", ["var", "config"])
def test_variables_come_from_the_context(
    probe: WasmComponentHost,
    request_for: Callable[..., GuestRequest],
    name: str,
    status: int,
    body: bytes | None,
    interface: str,
) -> None:
    response = probe.handle(request_for(f"/{interface}/{name}"))
    assert response.status == status
    if body is not None:
        assert response.body == body


def test_config_get_all_lists_every_variable_of_the_component(
    probe: WasmComponentHost, request_for: Callable[..., GuestRequest]
) -> None:
    response = probe.handle(request_for("/all-config"))
    assert (response.status, response.body) == (200, b"greeting=hello from a variable\nempty=\n")


def test_stdout_lines_are_forwarded_with_the_component_id(
    probe: WasmComponentHost,
    request_for: Callable[..., GuestRequest],
    output_lines: list[tuple[str, str, str]],
) -> None:
    assert probe.handle(request_for("/print")).body == b"printed"
    assert output_lines == [("probe", "stdout", "printed by probe")]


def test_environment_comes_from_the_context(
    probe: WasmComponentHost, request_for: Callable[..., GuestRequest]
) -> None:
    assert probe.handle(request_for("/dump-env")).body == b"NAME=probe"
