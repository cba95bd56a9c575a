"""The plugin's own version: the `spinkube` package version (kept equal to pyproject's)."""

from __future__ import annotations

from spinkube import __version__


def plugin_version() -> str:
    return __version__
