"""Fixtures for the distribution tests: the container images and the shim's release archive,
built once per session by the project's scripts (PyInstaller builds are cached under
``.cache/executables`` by input hash, so only changed inputs cost a rebuild), and a private
containerd to run them."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from spinkube.testing import eventually
from spinkube.testing.containerd import Containerd, containerd_missing, running_containerd

ROOT = Path(__file__).resolve().parents[2]
SHIM = "containerd-shim-spin-v2"
BUILD_TIMEOUT = 1800


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.slow)
            # The first test of a session pays the cold PyInstaller builds (minutes on a busy
            # 2-core machine); later ones and warm caches take seconds.
            item.add_marker(pytest.mark.timeout(BUILD_TIMEOUT))


def run_script(*args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=BUILD_TIMEOUT,
    )
    assert result.returncode == 0, f"{' '.join(args)} failed:\n{result.stderr[-4000:]}"
    return result


@pytest.fixture(scope="session")
def images_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every image scripts/build-images.py builds, as OCI layout tars named ``<image>.tar``."""
    out = tmp_path_factory.mktemp("images")
    run_script("scripts/build-images.py", "--output", str(out), "--prefix", "docker.io/spinkube")
    return out


@pytest.fixture(scope="session")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shim's release archive built by scripts/build-shim.py (onefile, cached)."""
    out = tmp_path_factory.mktemp("shim-archive")
    run_script("scripts/build-shim.py", "--out", str(out))
    (built,) = out.glob(f"{SHIM}-linux-*.tar.gz")
    return built


@pytest.fixture
def containerd() -> Iterator[Containerd]:
    reason = containerd_missing()
    if reason:
        pytest.skip(reason)
    with running_containerd() as ctrd:
        yield ctrd


def stopped_cleanly(containerd: Containerd, name: str) -> bool:
    """Waits until the task stopped, then removes it; ``ctr task rm`` reports a non-zero exit
    status on stderr."""

    def status() -> str:
        rows = (line.split() for line in containerd.ctr("task", "ls").stdout.splitlines()[1:])
        return next((row[2] for row in rows if row and row[0] == name), "MISSING")

    eventually(lambda: status() == "STOPPED", timeout=60)
    return "non-zero exit code" not in containerd.ctr("task", "rm", name).stderr
