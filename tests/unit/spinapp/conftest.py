"""Helpers for the app model tests: write a manifest (and the files it names) into a temp dir."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

WriteApp = Callable[..., Path]


@pytest.fixture
def write_app(tmp_path: Path) -> WriteApp:
    def write(manifest: str, files: dict[str, str] | None = None, name: str = "spin.toml") -> Path:
        for relative, text in (files or {}).items():
            path = tmp_path / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        path = tmp_path / name
        path.write_text(manifest)
        return path

    return write
