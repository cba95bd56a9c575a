"""The CLI's error hierarchy: every error a user can cause becomes one line on stderr.

Exit codes are part of the interface (documented in docs/plugin.md):

| code | meaning                                                           |
|------|-------------------------------------------------------------------|
| 0    | success (also: the user answered "no" to a confirmation)          |
| 1    | the operation failed (the API refused it, an I/O error)           |
| 2    | invalid usage: a bad flag, argument or value                      |
| 3    | no cluster: no usable kubeconfig, or the API server is unreachable |
| 4    | not found: the SpinApp (or its pods) does not exist               |
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    FAILURE = 1
    USAGE = 2
    NO_CLUSTER = 3
    NOT_FOUND = 4


class PluginError(Exception):
    """A failure the user should see as one line, without a traceback."""

    exit_code: ExitCode = ExitCode.FAILURE

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UsageError(PluginError):
    """A flag, argument or value the command cannot accept."""

    exit_code = ExitCode.USAGE


class ClusterUnavailableError(PluginError):
    """No kubeconfig could be loaded, or the API server could not be reached."""

    exit_code = ExitCode.NO_CLUSTER


class AppNotFoundError(PluginError):
    """The named SpinApp (or a pod of it) does not exist."""

    exit_code = ExitCode.NOT_FOUND


class OperationFailedError(PluginError):
    """The API server refused the request, or another I/O step failed."""

    exit_code = ExitCode.FAILURE
