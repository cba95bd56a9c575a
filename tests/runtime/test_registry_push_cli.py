"""`spinkube-runtime registry push` (as `spin registry push`), against a real registry."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from spinkube.oci.auth import Credentials
from spinkube.oci.cache import BlobCache
from spinkube.oci.client import RegistryClient
from spinkube.oci.pull import pull
from spinkube.spinapp import wasm_path
from spinkube.testing.registry import registry_available, running_registry

pytestmark = [
    pytest.mark.registry,
    pytest.mark.skipif(not registry_available(), reason="needs Debian's docker-registry"),
]

APP = """
spin_manifest_version = 2
[application]
name = "pushed-by-cli"
version = "1.2.3"
[[trigger.http]]
route = "/..."
component = "web"
[component.web]
source = "web.wasm"
"""
WASM = b"\0asm\x01\0\0\0"


def registry_push(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "spinkube.runtime", "registry", "push", *args]
    return subprocess.run(command, input=stdin, capture_output=True, text=True, check=False)


@pytest.fixture
def app_dir(tmp_path: Path) -> Path:
    app = tmp_path / "app"
    app.mkdir()
    (app / "spin.toml").write_text(APP)
    (app / "web.wasm").write_bytes(WASM)
    return app


def test_push_prints_the_digest_and_the_app_pulls_back_identical(
    app_dir: Path, tmp_path: Path
) -> None:
    with running_registry(tmp_path / "registry") as registry:
        reference = registry.ref("cli/app", "v1")
        result = registry_push(reference, "-f", str(app_dir))
        assert result.returncode == 0, result.stderr
        digest = result.stdout.strip().removeprefix("Pushed with digest ")
        assert digest.startswith("sha256:")
        with RegistryClient() as client:
            pulled = pull(reference, client=client, cache=BlobCache(tmp_path / "cache"))
    app = pulled.load()
    assert pulled.digest == digest
    assert (app.name, app.version) == ("pushed-by-cli", "1.2.3")
    assert wasm_path(app, app.component("web")).read_bytes() == WASM


def test_push_with_credentials_from_stdin(app_dir: Path, tmp_path: Path) -> None:
    with running_registry(tmp_path / "registry", credentials=("alice", "s3cret")) as registry:
        reference = registry.ref("private/app", "v1")
        denied = registry_push(
            reference, "-f", str(app_dir), "-u", "alice", "--password-stdin", stdin="wrong\n"
        )
        allowed = registry_push(
            reference, "-f", str(app_dir), "-u", "alice", "--password-stdin", stdin="s3cret\n"
        )
        with RegistryClient(credentials=Credentials("alice", "s3cret")) as client:
            pulled = pull(reference, client=client, cache=BlobCache(tmp_path / "cache"))
    assert denied.returncode == 4
    assert denied.stderr.startswith(f"error: cannot push {app_dir} to {reference}")
    assert "s3cret" not in denied.stderr + allowed.stderr
    assert allowed.returncode == 0, allowed.stderr
    assert pulled.load().name == "pushed-by-cli"


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["Not A Reference!"], 2, "error: invalid reference 'Not A Reference!'"),
        (
            ["127.0.0.1:9/x:v1", "-f", "missing/spin.toml"],
            1,
            "error: cannot package missing/spin.toml",
        ),
        (
            ["127.0.0.1:9/x:v1", "-f", "WASM"],
            1,
            "error: cannot package WASM: WASM: not a spin.toml (a Wasm binary)",
        ),
        (["127.0.0.1:9/x:v1", "--password-stdin"], 2, "error: --password-stdin needs --username"),
    ],
    ids=["bad-reference", "missing-manifest", "wasm-file", "password-without-user"],
)
def test_bad_input_is_one_clear_line(
    app_dir: Path, args: list[str], code: int, message: str
) -> None:
    wasm = str(app_dir / "web.wasm")
    result = registry_push(*(wasm if arg == "WASM" else arg for arg in args))
    assert result.returncode == code
    assert result.stderr.startswith(message.replace("WASM", wasm))
    assert result.stderr.count("\n") == 1
    assert result.stderr.count("invalid reference") <= 1
    assert "Traceback" not in result.stderr
