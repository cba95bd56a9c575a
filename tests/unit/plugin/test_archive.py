"""The plugin archive: built by scripts/build-plugin.py, unpacked, and run with a clean Python
(a fresh `venv --without-pip`, `python -I`: nothing but the standard library)."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).parents[3]
BUILD_TIMEOUT_SECONDS = 600


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("plugin-dist")
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build-plugin.py"), "--out", str(out)],
        check=True,
        capture_output=True,
        timeout=BUILD_TIMEOUT_SECONDS,
    )
    return out


@pytest.fixture(scope="module")
def clean_kube(built: Path, tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """The command that runs the unpacked `kube` with a Python that has no site-packages."""
    work = tmp_path_factory.mktemp("plugin-run")
    (archive,) = built.glob("spin-plugin-kube-*.tar.gz")
    with tarfile.open(archive) as tar:
        assert tar.getnames() == ["kube"]
        assert tar.getmember("kube").mode == 0o755
        tar.extractall(work, filter="data")
    subprocess.run(
        [sys.base_exec_prefix + "/bin/python3", "-m", "venv", "--without-pip", str(work / "py")],
        check=True,
    )
    return [str(work / "py" / "bin" / "python"), "-I", str(work / "kube")]


def _run(command: list[str], tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "SPIN_KUBE_CACHE_DIR": str(tmp_path)}
    return subprocess.run(
        [*command, *args], capture_output=True, text=True, env=env, check=False, timeout=60
    )


def test_manifest_describes_the_archive(built: Path) -> None:
    index = json.loads((built / "kube.json").read_text())
    assert (index["name"], index["spinCompatibility"], index["license"]) == (
        "kube",
        ">=2.0",
        "Apache-2.0",
    )
    (package,) = index["packages"]
    archive = Path(package["url"].removeprefix("file://"))
    assert archive.exists()
    assert package["sha256"] == hashlib.sha256(archive.read_bytes()).hexdigest()
    assert (package["os"], package["arch"]) in {
        ("linux", "amd64"),
        ("linux", "aarch64"),
        ("macos", "amd64"),
        ("macos", "aarch64"),
    }


def test_help_runs_with_a_clean_python(clean_kube: list[str], tmp_path: Path) -> None:
    result = _run(clean_kube, tmp_path, "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Usage: kube [OPTIONS] COMMAND [ARGS]...")
    assert "scaffold" in result.stdout


def test_scaffold_runs_from_the_archive(clean_kube: list[str], tmp_path: Path) -> None:
    result = _run(clean_kube, tmp_path, "scaffold", "-f", "ghcr.io/foo/example-app:v0.1.0")
    assert result.returncode == 0, result.stderr
    golden = Path(__file__).parent / "golden" / "scaffold_image.yml"
    assert result.stdout == golden.read_text()


@pytest.mark.api
def test_the_archive_talks_to_the_api(clean_kube: list[str], tmp_path: Path) -> None:
    """lightkube and its compiled msgspec load from the unpacked archive."""
    from spinkube.testing.fakeapi import FakeApiServer

    with FakeApiServer() as server:
        kubeconfig = server.write_kubeconfig(tmp_path / "kubeconfig")
        result = _run(clean_kube, tmp_path, "version", "--kubeconfig", str(kubeconfig))
    assert result.returncode == 0, result.stderr
    assert "Kubernetes Version: v" in result.stdout
