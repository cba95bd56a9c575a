"""Fixtures for the shim tests: a private containerd (Debian's, started per test in a temp dir,
with this venv's ``bin`` on its PATH so it finds ``containerd-shim-spin-v2``), images built from
files, and Spin app images built from ``apps/``."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest

from spinkube.testing.containerd import (
    Containerd,
    ImageEntry,
    busybox_files,
    containerd_missing,
    image_tar,
    running_containerd,
)

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
BUSYBOX_REF = "docker.io/local/busybox:1"
HELLO_REF = "docker.io/local/hello:1"


@pytest.fixture(scope="session")
def shim_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The node's compile cache, shared by the session's containerds (as on one node)."""
    return tmp_path_factory.mktemp("shim-cache")


@pytest.fixture
def containerd(shim_cache: Path) -> Iterator[Containerd]:
    reason = containerd_missing()
    if reason:
        pytest.skip(reason)
    env = {"SPINKUBE_SHIM_CACHE_DIR": str(shim_cache)}
    with running_containerd(path=[VENV_BIN], env=env) as ctrd:
        yield ctrd


@pytest.fixture
def busybox_image(containerd: Containerd, tmp_path: Path) -> str:
    """A busybox image imported into ``containerd``; its reference."""
    containerd.import_image(image_tar(tmp_path / "busybox.tar", BUSYBOX_REF, busybox_files()))
    return BUSYBOX_REF


ImportApp = Callable[[str, Mapping[str, ImageEntry]], str]


@pytest.fixture
def import_app(containerd: Containerd, tmp_path: Path) -> ImportApp:
    """Imports an image made of the given files (a plain Spin app image: spin.toml and the
    files it names); returns the reference."""

    def do_import(ref: str, files: Mapping[str, ImageEntry]) -> str:
        tar = tmp_path / f"{ref.rsplit('/', 1)[-1].replace(':', '-')}.tar"
        containerd.import_image(image_tar(tar, ref, files))
        return ref

    return do_import


@pytest.fixture
def hello_image(import_app: ImportApp) -> str:
    """apps/hello (WAT: tiny, compiles fast) as a plain Spin app image."""
    app = REPO / "apps" / "hello"
    if not (app / "app.wasm").exists():
        pytest.skip("apps/hello is not built (scripts/build-apps.sh)")
    return import_app(HELLO_REF, {"spin.toml": app / "spin.toml", "app.wasm": app / "app.wasm"})
