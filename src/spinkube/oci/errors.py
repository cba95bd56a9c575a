"""The registry client's errors: one hierarchy, each a clear one-line message."""

from __future__ import annotations


class OciError(Exception):
    """Base of every registry client error."""


class ReferenceError(OciError):
    """A reference that cannot be parsed; the message names it."""

    def __init__(self, reference: str, problem: str) -> None:
        self.reference = reference
        super().__init__(f"invalid reference {reference!r}: {problem}")


class PackagingError(OciError):
    """The app to push could not be read or packaged: a local problem, not the registry's."""


class NotFound(OciError):  # noqa: N818 - named like the registry's answer
    """The repository, tag, manifest or blob does not exist."""


class AuthError(OciError):
    """The registry refused the credentials (or there were none and it wants some)."""


class DigestMismatch(OciError):  # noqa: N818
    """Content whose sha256 is not the digest it was asked for."""

    def __init__(self, expected: str, actual: str, where: str) -> None:
        self.expected = expected
        self.actual = actual
        super().__init__(f"digest mismatch for {where}: expected {expected}, got {actual}")


class RegistryUnreachable(OciError):  # noqa: N818
    """The registry could not be reached, or the connection broke."""


class UnsupportedArtifact(OciError):  # noqa: N818
    """A manifest that is neither a Spin app nor an image holding spin.toml."""
