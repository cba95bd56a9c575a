"""Core-module Spin apps (the form Rust and TinyGo build) through containerd-shim-spin-v2 under
Debian's containerd: componentized at load by the runtime the shim runs, served in the task's
network namespace, logging through WASI preview1."""

from __future__ import annotations

from pathlib import Path

import pytest

from spinkube.testing import eventually
from spinkube.testing.containerd import Containerd, network_namespace

from .conftest import REPO, ImportApp
from .test_ctr import exit_code, http_get, remove, run_app, shim_left_nothing

pytestmark = pytest.mark.slow

EXPECTED = {
    "core-hello": ["Hello from a core module!", "Hello from a core module!"],
    "core-variables": ["Hello from a variable", "Hello from a variable"],
    "core-kv": ["1", "2"],
}


@pytest.mark.parametrize("app", list(EXPECTED))
def test_core_module_app_serves_through_the_shim(
    containerd: Containerd, import_app: ImportApp, tmp_path: Path, app: str
) -> None:
    source = REPO / "apps" / app
    if not (source / "app.wasm").exists():
        pytest.skip(f"apps/{app} is not built (scripts/build-apps.sh)")
    ref = import_app(
        f"docker.io/local/{app}:1",
        {"spin.toml": source / "spin.toml", "app.wasm": source / "app.wasm"},
    )
    log = tmp_path / "app.log"
    with network_namespace() as netns:
        run_app(containerd, ref, "app", netns, log)
        assert eventually(lambda: http_get(netns), timeout=60) == EXPECTED[app][0]
        assert http_get(netns, "/again") == EXPECTED[app][1]
        eventually(lambda: f"[{app}] {app}: " in log.read_text(), timeout=30)
        containerd.ctr("task", "kill", "app")
        assert exit_code(containerd, "app") == 0
        remove(containerd, "app")
    shim_left_nothing(containerd)
