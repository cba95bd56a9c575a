"""Errors that stop ``spinkube-runtime`` before it serves: each becomes one line and an exit code.

| code | meaning                                                          |
|------|------------------------------------------------------------------|
| 0    | served and shut down cleanly (SIGTERM, SIGINT)                   |
| 1    | the application could not be loaded or started                   |
| 2    | invalid usage: a bad flag or environment value                   |
| 3    | the listen address could not be bound (in use, not permitted)    |
| 4    | the application could not be pulled from its registry            |
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    APP = 1
    USAGE = 2
    LISTEN = 3
    REGISTRY = 4


class StartupError(Exception):
    """A problem the user must fix; the message says what and where, without a traceback."""

    exit_code: ExitCode = ExitCode.APP

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UsageError(StartupError):
    exit_code = ExitCode.USAGE


class ListenError(StartupError):
    exit_code = ExitCode.LISTEN


class RegistryError(StartupError):
    exit_code = ExitCode.REGISTRY
