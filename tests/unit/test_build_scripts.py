"""The build scripts' decisions that need no PyInstaller run: what invalidates a cached build,
the release archive's shape, and which host files an image's root filesystem gets."""

from __future__ import annotations

import importlib.util
import stat
import sys
import tarfile
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name.replace("-", "_"), ROOT / "scripts" / name)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def build_shim() -> ModuleType:
    return load("build-shim.py")


@pytest.fixture(scope="module")
def build_images() -> ModuleType:
    return load("build-images.py")


def _packages(build_shim: ModuleType, module: str) -> set[str]:
    base = ROOT / "src" / "spinkube"
    return {p.relative_to(base).parts[0] for p in build_shim._sources(module)}


def test_cache_key_covers_what_the_entry_point_reaches_only(build_shim: ModuleType) -> None:
    operator = _packages(build_shim, "spinkube.operator.__main__")
    runtime = _packages(build_shim, "spinkube.runtime.__main__")

    assert {"operator", "kube", "api"} <= operator
    assert "runtime" not in operator
    assert {"runtime", "spinapp", "oci"} <= runtime
    assert "operator" not in runtime


def test_entry_points_come_from_pyproject(build_shim: ModuleType) -> None:
    target = build_shim.target_for("spinkube-runtime", None, "onedir")

    assert (target.module, target.function) == ("spinkube.runtime.__main__", "main")
    with pytest.raises(build_shim.BuildError, match="--script nope: not in"):
        build_shim.target_for("nope", None, "onefile")


def test_release_archive_holds_the_binary_alone_at_the_top(
    build_shim: ModuleType, tmp_path: Path
) -> None:
    binary = tmp_path / "built"
    binary.write_bytes(b"\x7fELF...")

    archive = build_shim.release_archive(binary, tmp_path / "out")

    assert archive.name.startswith("containerd-shim-spin-v2-linux-")
    with tarfile.open(archive) as tar:
        (member,) = tar.getmembers()
        data = tar.extractfile(member).read()  # type: ignore[union-attr]
    assert (member.name, stat.S_IMODE(member.mode), member.uid, data) == (
        "containerd-shim-spin-v2",
        0o755,
        0,
        b"\x7fELF...",
    )


def test_image_root_gets_glibc_with_the_symlinks_on_its_path(build_images: ModuleType) -> None:
    libraries = build_images._ldd(Path("/bin/ls"))
    loader = next(p for p in libraries if p.name.startswith("ld-linux"))

    entries = build_images.host_file_entries(loader)

    assert any(p.name == "libc.so.6" for p in libraries)
    assert entries[-1].kind == "file"
    assert Path("/", entries[-1].path).resolve() == loader.resolve()
    links = {e.path: e.target for e in entries if e.kind == "symlink"}
    if Path("/lib64").is_symlink():
        assert links["lib64"] == str(Path("/lib64").readlink())
