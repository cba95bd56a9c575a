"""The images scripts/build-images.py builds (no Docker), imported into a real containerd and
run with runc: each executable starts on its minimal root filesystem, as its user; the node
installer installs a shim into a node root the test makes."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import subprocess
import tarfile
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from spinkube.testing import eventually
from spinkube.testing.containerd import Containerd, in_netns, netns_path, network_namespace

from .conftest import stopped_cleanly

PREFIX = "docker.io/spinkube"
VERSION = "0.1.0"
IMAGES = {
    # image: (console script, uid, words its --help prints)
    "spin-operator-python": ("spin-operator", 65532, "--leader-elect"),
    "spinkube-runtime": ("spinkube-runtime", 10001, "registry"),
    "shim-downloader-python": ("shim-downloader", 0, "SHIM_LOCATION"),
    "node-installer-python": ("kwasm-node-installer", 0, "uninstall"),
}
CONTAINERD_CONFIG = Path(__file__).parents[1] / "unit/rcm_node/testdata/containerd-1.6-default.toml"


def image_config(tar: Path) -> dict[str, Any]:
    with tarfile.open(tar) as layout:

        def read(name: str) -> Any:
            member = layout.extractfile(name)
            assert member is not None
            return json.loads(member.read())

        (entry,) = read("index.json")["manifests"]
        manifest = read(f"blobs/sha256/{entry['digest'][7:]}")
        return dict(read(f"blobs/sha256/{manifest['config']['digest'][7:]}"))


def imported(containerd: Containerd, images_dir: Path, image: str) -> str:
    containerd.import_image(images_dir / f"{image}.tar")
    return f"{PREFIX}/{image}:{VERSION}"


@pytest.mark.parametrize("image", sorted(IMAGES))
def test_image_runs_its_executable_as_its_user(
    images_dir: Path, containerd: Containerd, image: str
) -> None:
    script, uid, words = IMAGES[image]
    ref = imported(containerd, images_dir, image)

    result = containerd.ctr(
        "run", "--rm", ref, f"help-{os.getpid()}", script, "--help", check=False
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert words in result.stdout
    config = image_config(images_dir / f"{image}.tar")["config"]
    assert config["User"] == f"{uid}:{uid}"
    assert config["Entrypoint"] == [f"/usr/local/bin/{script}"]
    assert config["Labels"]["org.opencontainers.image.version"] == VERSION


@pytest.mark.apps
def test_runtime_image_serves_an_app_on_port_80_as_its_user(
    images_dir: Path, containerd: Containerd
) -> None:
    app = Path(__file__).parents[2] / "apps/hello"
    if not (app / "app.wasm").is_file():
        pytest.skip("apps/hello is not built (scripts/build-apps.sh)")
    ref = imported(containerd, images_dir, "spinkube-runtime")
    with network_namespace() as netns:
        containerd.ctr(
            "run", "-d", "--with-ns", f"network:{netns_path(netns)}",
            "--mount", f"type=bind,src={app},dst=/app,options=rbind:ro",
            ref, "runtime", "spinkube-runtime", "up", "-f", "/app",
        )  # fmt: skip

        def answered() -> str | None:
            reply = in_netns(netns, "curl", "-s", "-m", "5", "http://127.0.0.1:80/")
            return reply.stdout if reply.returncode == 0 else None

        assert eventually(answered, timeout=60) == "Hello world from Spin!"
        containerd.ctr("task", "kill", "-s", "SIGTERM", "runtime")
        assert stopped_cleanly(containerd, "runtime")


@pytest.fixture
def node_root(tmp_path: Path) -> Path:
    root = tmp_path / "node"
    (root / "etc/containerd").mkdir(parents=True)
    (root / "proc").mkdir()
    shutil.copyfile(CONTAINERD_CONFIG, root / "etc/containerd/config.toml")
    return root


def test_node_installer_image_installs_and_uninstalls_a_shim(
    images_dir: Path, containerd: Containerd, node_root: Path, tmp_path: Path
) -> None:
    ref = imported(containerd, images_dir, "node-installer-python")
    assets = tmp_path / "assets"
    assets.mkdir()
    (assets / "containerd-shim-spin-v2").write_bytes(b"#!/bin/sh\n")
    original = (node_root / "etc/containerd/config.toml").read_bytes()
    # A stand-in containerd (a copy of sleep with that name) the installer may signal: it sees
    # only the processes listed in the node root's /proc, from this pid namespace, as a Job
    # with hostPID does.
    standin = tmp_path / "containerd"
    shutil.copyfile(shutil.which("sleep") or "/bin/sleep", standin)
    standin.chmod(0o755)

    def start_containerd() -> subprocess.Popen[bytes]:
        process = subprocess.Popen([str(standin), "600"])
        for old in (node_root / "proc").iterdir():
            old.unlink()
        (node_root / "proc" / str(process.pid)).symlink_to(f"/proc/{process.pid}")
        return process

    sleeper = start_containerd()
    try:

        def installer(*args: str) -> subprocess.CompletedProcess[str]:
            return containerd.ctr(
                "run", "--rm", "--privileged",
                "--with-ns", f"pid:/proc/{os.getpid()}/ns/pid",
                "--mount", f"type=bind,src={node_root},dst=/mnt/node-root,options=rbind:rw",
                "--mount", f"type=bind,src={assets},dst=/assets,options=rbind:ro",
                ref, f"installer-{args[0]}-{os.getpid()}",
                "kwasm-node-installer", *args, "-H", "/mnt/node-root", "-r", "spin-v2",
                check=False,
            )  # fmt: skip

        installed = installer("install")

        assert installed.returncode == 0, installed.stdout + installed.stderr
        config = (node_root / "etc/containerd/config.toml").read_text()
        assert "runtimes.spin-v2]" in config
        assert 'runtime_type = "/opt/kwasm/bin/containerd-shim-spin-v2"' in config
        binary = node_root / "opt/kwasm/bin/containerd-shim-spin-v2"
        assert binary.read_bytes() == b"#!/bin/sh\n"
        eventually(lambda: sleeper.poll() is not None, timeout=30)
        assert sleeper.returncode == -1  # SIGHUP: the config is reloaded

        sleeper = start_containerd()
        removed = installer("uninstall")

        assert removed.returncode == 0, removed.stdout + removed.stderr
        assert (node_root / "etc/containerd/config.toml").read_bytes() == original
        assert not binary.exists()
    finally:
        sleeper.kill()
        sleeper.wait(timeout=30)


@pytest.fixture
def served(archive: Path) -> Iterator[str]:
    """The shim archive's URL on a loopback HTTP server."""
    handler = functools.partial(QuietHandler, directory=str(archive.parent))
    with ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}/{archive.name}"
        finally:
            server.shutdown()
            thread.join(timeout=30)


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def test_downloader_image_fetches_the_shim_archive_renamed_after_the_shim(
    images_dir: Path, containerd: Containerd, archive: Path, served: str, tmp_path: Path
) -> None:
    ref = imported(containerd, images_dir, "shim-downloader-python")
    assets = tmp_path / "assets"
    assets.mkdir()
    sha256 = hashlib.sha256(archive.read_bytes()).hexdigest()

    result = containerd.ctr(
        "run", "--rm", "--net-host",
        "--env", "SHIM_NAME=spin-test", "--env", f"SHIM_LOCATION={served}",
        "--env", f"SHIM_SHA256={sha256}",
        "--mount", f"type=bind,src={assets},dst=/assets,options=rbind:rw",
        ref, f"downloader-{os.getpid()}",
        check=False,
    )  # fmt: skip

    assert result.returncode == 0, result.stdout + result.stderr
    with tarfile.open(archive) as tar:
        shim = tar.extractfile("containerd-shim-spin-v2")
        assert shim is not None
        expected = shim.read()
    assert [p.name for p in assets.iterdir()] == ["containerd-shim-spin-test"]
    assert (assets / "containerd-shim-spin-test").read_bytes() == expected
