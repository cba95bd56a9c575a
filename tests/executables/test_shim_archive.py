"""The shim's release archive from scripts/build-shim.py: one self-contained executable at the
top, as upstream's; that executable, with no Python or venv on containerd's PATH, runs a Spin app
image (built with ``registry push --format image``'s code) under a real containerd."""

from __future__ import annotations

import os
import stat
import subprocess
import tarfile
from pathlib import Path

import pytest

from spinkube.oci import Reference
from spinkube.oci.app_image import build_app_image
from spinkube.oci.image_layout import Named, save_layout
from spinkube.spinapp import load_manifest
from spinkube.testing import eventually
from spinkube.testing.containerd import (
    containerd_missing,
    in_netns,
    netns_path,
    network_namespace,
    running_containerd,
)

from .conftest import ROOT, SHIM, stopped_cleanly


@pytest.fixture(scope="session")
def shim_bin(archive: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory holding only the extracted shim executable."""
    directory = tmp_path_factory.mktemp("shim-bin")
    with tarfile.open(archive) as tar:
        tar.extractall(directory, filter="data")
    return directory


def test_archive_holds_one_executable_at_the_top(archive: Path) -> None:
    with tarfile.open(archive) as tar:
        members = tar.getmembers()

    assert [(m.name, m.isfile(), stat.S_IMODE(m.mode)) for m in members] == [(SHIM, True, 0o755)]


def test_executable_runs_without_the_venv(shim_bin: Path) -> None:
    env = {"PATH": "/usr/bin:/bin"}  # no venv, no PYTHONPATH

    result = subprocess.run(
        [str(shim_bin / SHIM), "-v"], capture_output=True, text=True, env=env, check=False
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"{SHIM} (spinkube) version")


def test_renamed_executable_unpacks_once_even_when_started_twice_at_once(
    shim_bin: Path, tmp_path: Path
) -> None:
    renamed = tmp_path / "containerd-shim-spin-test"  # as the downloader renames it
    renamed.write_bytes((shim_bin / SHIM).read_bytes())
    renamed.chmod(0o755)

    runs = [
        subprocess.Popen([str(renamed), "-v"], stdout=subprocess.PIPE, text=True) for _ in range(2)
    ]
    outputs = [run.communicate(timeout=120)[0] for run in runs]

    assert [run.returncode for run in runs] == [0, 0]
    assert all(out.startswith(f"{SHIM} (spinkube) version") for out in outputs)
    unpacked = [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]
    assert len(unpacked) == 1, unpacked
    assert unpacked[0].startswith(".containerd-shim-spin-test-")
    assert ".partial" not in unpacked[0]


@pytest.mark.apps
def test_built_shim_runs_a_plain_app_image_under_containerd(shim_bin: Path, tmp_path: Path) -> None:
    reason = containerd_missing()
    if reason:
        pytest.skip(reason)
    app = ROOT / "apps/hello"
    if not (app / "app.wasm").is_file():
        pytest.skip("apps/hello is not built (scripts/build-apps.sh)")
    ref = Reference.parse("docker.io/local/hello-plain:1")
    tar = save_layout([Named(ref, build_app_image(load_manifest(app)))], tmp_path / "hello.tar")
    with running_containerd(path=[shim_bin]) as ctrd, network_namespace() as netns:
        ctrd.import_image(tar)
        ctrd.ctr(
            "run", "-d", "--runtime", "io.containerd.spin.v2",
            "--with-ns", f"network:{netns_path(netns)}", str(ref), "hello",
        )  # fmt: skip

        def body() -> str | None:
            done = in_netns(netns, "curl", "-s", "-m", "5", "http://127.0.0.1:80/")
            return done.stdout if done.returncode == 0 else None

        assert eventually(body, timeout=90) == "Hello world from Spin!"
        shims = ctrd.shim_pids()
        assert shims
        assert all(os.readlink(f"/proc/{pid}/exe").endswith(SHIM) for pid in shims)
        ctrd.ctr("task", "kill", "hello")  # SIGTERM: the app drains and exits 0
        assert stopped_cleanly(ctrd, "hello")
