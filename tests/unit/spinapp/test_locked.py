from __future__ import annotations

import json
from pathlib import Path

import pytest

from spinkube.spinapp import (
    ComponentSource,
    FilesMount,
    ManifestError,
    SpinAppError,
    Variable,
    dump_locked,
    load_locked,
    load_locked_file,
    load_manifest,
    materialize_files,
    to_locked,
)

from .conftest import WriteApp

# The shape `spin up`/`spin registry push` write (crates/locked-app, crates/loader/src/local.rs).
SPIN_LOCK = {
    "spin_lock_version": 1,
    "must_understand": ["host_requirements"],
    "host_requirements": {"local_service_chaining": "required"},
    "metadata": {
        "name": "hello",
        "version": "0.1.0",
        "authors": ["me"],
        "triggers": {"http": {"base": "/base"}},
        "trigger": {"type": "http", "base": "/base"},
        "origin": "file:///somewhere/spin.toml",
    },
    "variables": {"greeting": {"default": "hi"}, "token": {"secret": True}},
    "triggers": [
        {
            "id": "hello-http-trigger",
            "trigger_type": "http",
            "trigger_config": {"route": "/hello/...", "component": "hello"},
        }
    ],
    "components": [
        {
            "id": "hello",
            "metadata": {
                "allowed_outbound_hosts": ["https://example.com"],
                "key_value_stores": ["default"],
                "databases": ["default"],
            },
            "source": {"content_type": "application/wasm", "source": "file:///apps/hello.wasm"},
            "env": {"A": "b"},
            "files": [{"source": "file:///apps/assets", "path": "/"}],
            "config": {"message": "{{ greeting }}!", "token": "{{ token }}"},
        },
        {
            "id": "remote",
            "source": {"content_type": "application/wasm", "digest": "sha256:ab"},
        },
    ],
}


def test_spin_written_locked_app_loads() -> None:
    app = load_locked(json.dumps(SPIN_LOCK).encode(), Path("/base-dir"))

    assert (app.name, app.version, app.authors, app.http_base) == (
        "hello",
        "0.1.0",
        ("me",),
        "/base",
    )
    assert app.variables == {"greeting": Variable(default="hi"), "token": Variable(secret=True)}
    hello = app.components["hello"]
    assert hello.source == ComponentSource(path=Path("/apps/hello.wasm"))
    assert hello.files == (FilesMount("/apps/assets", "/"),)
    assert hello.key_value_stores == ("default",)
    assert hello.sqlite_databases == ("default",)
    assert hello.environment == {"A": "b"}
    assert hello.variables == {"message": "{{ greeting }}!", "token": "{{ token }}"}
    assert app.components["remote"].source == ComponentSource(digest="sha256:ab")
    (trigger,) = app.http_triggers
    assert str(trigger.route) == "/base/hello/..."


def _broken(**changes: object) -> dict[str, object]:
    return {**json.loads(json.dumps(SPIN_LOCK)), **changes}


BAD = [
    pytest.param(b"{not json", "", "invalid JSON", id="not-json"),
    pytest.param(_broken(spin_lock_version=7), "spin_lock_version", "expected 0 or 1",
                 id="version"),
    pytest.param(_broken(must_understand=["teleport"]), "must_understand[0]", "teleport",
                 id="must-understand"),
    pytest.param(_broken(host_requirements={"gpu": "required"}), "host_requirements.gpu",
                 "does not support", id="host-requirement"),
    pytest.param(_broken(triggers=[{"id": "t", "trigger_type": "timer", "trigger_config": {}}]),
                 "triggers[0].trigger_type", "unsupported trigger type 'timer'", id="timer"),
    pytest.param(_broken(triggers=[{"id": "t", "trigger_type": "http",
                                    "trigger_config": {"route": "/", "component": "x"}}]),
                 "triggers[0].trigger_config.component", "no component 'x'", id="dangling"),
    pytest.param(_broken(components=[{"id": "c", "source": {"content_type": "application/wasm"}}]),
                 "components[0].source", "source URL or a digest", id="empty-source"),
]  # fmt: skip


@pytest.mark.parametrize(("data", "key", "problem"), BAD)
def test_bad_locked_apps_name_the_key(data: object, key: str, problem: str) -> None:
    with pytest.raises(ManifestError) as caught:
        load_locked(data if isinstance(data, bytes) else json.dumps(data), Path("/"))

    assert caught.value.key == key
    assert problem in str(caught.value)


def test_manifest_to_locked_and_back_keeps_the_app(write_app: WriteApp, tmp_path: Path) -> None:
    manifest = """
spin_manifest_version = 2
[application]
name = "round-trip"
version = "1.2.3"
[variables]
who = { default = "world" }
empty = { default = "" }
token = { default = "", secret = true }
needed = { required = true }
[[trigger.http]]
route = "/..."
component = "c"
[component.c]
source = "c.wasm"
files = ["static/*"]
key_value_stores = ["default"]
variables = { greeting = "hello {{ who }}" }
"""
    app = load_manifest(write_app(manifest, {"static/a.txt": "a", "c.wasm": "\0asm"}))
    mount = materialize_files(app, "c", tmp_path / "mount")

    locked = to_locked(app, mounted={"c": mount})
    (tmp_path / "spin.lock").write_bytes(dump_locked(locked))
    again = load_locked_file(tmp_path / "spin.lock")

    assert (again.name, again.version, again.variables) == (app.name, app.version, app.variables)
    assert again.variables["empty"] == Variable(default="")  # an empty default is not "required"
    assert again.variables["token"] == Variable(default="", secret=True)
    assert again.variables["needed"] == Variable(default=None)
    assert again.components["c"].source.path == (app.app_dir / "c.wasm").resolve()
    assert again.components["c"].files == (FilesMount(str(mount.resolve()), "/"),)
    assert again.components["c"].variables == app.components["c"].variables
    assert again.http_triggers == app.http_triggers
    assert locked["metadata"]["origin"].startswith("file://")


def test_to_locked_needs_a_mount_for_file_patterns(write_app: WriteApp) -> None:
    manifest = """
spin_manifest_version = 2
[application]
name = "x"
[[trigger.http]]
route = "/"
component = "c"
[component.c]
source = "c.wasm"
files = ["*.txt"]
"""
    app = load_manifest(write_app(manifest))

    with pytest.raises(SpinAppError, match="materialize"):
        to_locked(app)
