"""The node programs' errors: each is one line for the Job's log, and exit code 1 (as
upstream's installer and downloader exit 1 on any failure)."""

from __future__ import annotations


class NodeError(Exception):
    """A failure the node programs report as one line, without a traceback."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigError(NodeError):
    """The containerd config cannot be read or edited: not TOML, not UTF-8, a clashing table."""


class OptionsError(NodeError):
    """`SHIM_RUNTIME_OPTIONS` is not a JSON object of option names to TOML values."""


class DetectError(NodeError):
    """No containerd config was found under the host root."""


class LockError(NodeError):
    """The lock file cannot be read, or the shim to uninstall is not in it."""


class RestartError(NodeError):
    """containerd cannot be signalled: not exactly one containerd process, or kill failed."""


class DownloadError(NodeError):
    """The shim archive cannot be fetched, verified or unpacked."""
