"""Fixtures for the shim tests: a private containerd (Debian's, started per test in a temp dir,
with this venv's ``bin`` on its PATH so it finds ``containerd-shim-spin-v2``) and images built
from files."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from spinkube.testing.containerd import (
    Containerd,
    busybox_files,
    containerd_missing,
    image_tar,
    running_containerd,
)

VENV_BIN = Path(sys.executable).parent
BUSYBOX_REF = "docker.io/local/busybox:1"


@pytest.fixture
def containerd() -> Iterator[Containerd]:
    reason = containerd_missing()
    if reason:
        pytest.skip(reason)
    with running_containerd(path=[VENV_BIN]) as ctrd:
        yield ctrd


@pytest.fixture
def busybox_image(containerd: Containerd, tmp_path: Path) -> str:
    """A busybox image imported into ``containerd``; its reference."""
    containerd.import_image(image_tar(tmp_path / "busybox.tar", BUSYBOX_REF, busybox_files()))
    return BUSYBOX_REF
