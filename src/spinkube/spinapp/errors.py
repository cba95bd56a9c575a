"""Errors of the app model: each names the file, the key and what was expected."""

from __future__ import annotations


class SpinAppError(ValueError):
    """Base of the app model's errors; the message is a complete one-line explanation."""


class ManifestError(SpinAppError):
    """A malformed spin.toml or locked app, e.g. ``spin.toml: component.hello.source: expected a
    string or a table with url and digest``."""

    def __init__(self, file: str, key: str, problem: str) -> None:
        self.file = file
        self.key = key
        self.problem = problem
        super().__init__(f"{file}: {key}: {problem}" if key else f"{file}: {problem}")


class FilesError(SpinAppError):
    """A ``files`` mount that does not exist, escapes the app directory or cannot be resolved."""
