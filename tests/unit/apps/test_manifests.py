"""Each sample app's spin.toml: a version 2 manifest whose components are built next to it."""

import json
import tomllib
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.apps

COMPONENT_MAGIC = b"\x00asm\x0d\x00\x01\x00"  # a component (layer 1), not a core module


def manifest(apps_dir: Path, app: str) -> dict[str, Any]:
    return tomllib.loads((apps_dir / app / "spin.toml").read_text())


def test_manifest_is_version_2_with_http_triggers_for_its_components(
    apps_dir: Path, app: str
) -> None:
    spin_toml = manifest(apps_dir, app)
    assert spin_toml["spin_manifest_version"] == 2
    assert spin_toml["application"]["name"] == app
    triggers = spin_toml["trigger"]["http"]
    assert triggers
    for trigger in triggers:
        assert trigger["route"].startswith("/")
        assert trigger["component"] in spin_toml["component"]


def test_component_source_is_the_built_component_next_to_the_manifest(
    apps_dir: Path, app: str, wasm_of: Any
) -> None:
    for component in manifest(apps_dir, app)["component"].values():
        source = apps_dir / app / component["source"]
        assert source == wasm_of(app)
        assert source.read_bytes()[:8] == COMPONENT_MAGIC


def test_variable_explorer_declares_the_tutorial_variables(apps_dir: Path) -> None:
    spin_toml = manifest(apps_dir, "variable-explorer")
    assert spin_toml["variables"] == {
        "log_level": {"default": "WARN"},
        "platform_name": {"default": "Fermyon Cloud"},
        "db_password": {"required": True, "secret": True},
    }
    component = spin_toml["component"]["variable-explorer"]
    assert component["variables"] == {name: f"{{{{ {name} }}}}" for name in spin_toml["variables"]}


def test_kv_counter_uses_the_default_store(apps_dir: Path) -> None:
    component = manifest(apps_dir, "kv-counter")["component"]["kv-counter"]
    assert component["key_value_stores"] == ["default"]


def test_static_files_mounts_small_checked_in_files(apps_dir: Path) -> None:
    spin_toml = manifest(apps_dir, "static-files")
    assert [t["route"] for t in spin_toml["trigger"]["http"]] == ["/static/..."]
    app_dir = apps_dir / "static-files"
    mounted: list[Path] = []
    for mount in spin_toml["component"]["static-files"]["files"]:
        if isinstance(mount, str):
            mounted += app_dir.glob(mount)
        else:
            mounted += (p for p in (app_dir / mount["source"]).rglob("*") if p.is_file())
    names = sorted(str(p.relative_to(app_dir)) for p in mounted)
    assert names == ["notes/hello.txt", "static/assets/style.css", "static/index.html"]
    assert sum(p.stat().st_size for p in mounted) < 4096


def test_hello_js_pins_exact_npm_versions_without_registry_addresses(apps_dir: Path) -> None:
    app_dir = apps_dir / "hello-js"
    package = json.loads((app_dir / "package.json").read_text())
    lock = json.loads((app_dir / "package-lock.json").read_text())
    wanted = {**package["dependencies"], **package["devDependencies"]}
    assert wanted == {
        "@bytecodealliance/preview2-shim": "0.25.0",
        "@spinframework/build-tools": "1.0.7",
        "@spinframework/wasi-http-proxy": "1.0.1",
    }
    for name, version in wanted.items():
        assert lock["packages"][f"node_modules/{name}"]["version"] == version
    assert not any("resolved" in entry for entry in lock["packages"].values())
