"""Parsing OCI image references the way the Docker reference grammar does.

Upstream validates `--from` with the Go package novln/docker-parser (the Docker reference grammar)
and names the app after the last path segment of the repository (`ShortName()`): the registry, tag
and digest never take part in the name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_PATH_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN = re.compile(rf"{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*(?::[0-9]+)?")
_REMAINDER = re.compile(
    rf"(?P<path>{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*)"
    r"(?::(?P<tag>[\w][\w.-]{0,127}))?"
    r"(?:@(?P<digest>[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}))?"
)
_HEX64 = re.compile(r"[a-f0-9]{64}")
_NAME_TOTAL_MAX = 255


class InvalidReferenceError(ValueError):
    """The text is not a valid image reference."""


@dataclass(frozen=True)
class ImageReference:
    registry: str
    repository: str
    tag: str
    digest: str

    @property
    def last_segment(self) -> str:
        """The last `/` segment of the repository: upstream's app name."""
        return self.repository.rsplit("/", 1)[-1]


def _split_domain(reference: str) -> tuple[str, str]:
    first, slash, rest = reference.partition("/")
    if slash and ("." in first or ":" in first or first == "localhost"):
        return first, rest
    return "", reference


def parse(reference: str) -> ImageReference:
    """Parse `reference`, raising InvalidReferenceError if the Docker grammar does not accept it."""
    domain, remainder = _split_domain(reference)
    if domain and not _DOMAIN.fullmatch(domain):
        raise InvalidReferenceError(reference)
    match = _REMAINDER.fullmatch(remainder)
    if match is None or _HEX64.fullmatch(match["path"]):
        raise InvalidReferenceError(reference)
    if len(domain) + len(match["path"]) + (1 if domain else 0) > _NAME_TOTAL_MAX:
        raise InvalidReferenceError(reference)
    return ImageReference(domain, match["path"], match["tag"] or "", match["digest"] or "")


def app_name(reference: str) -> str:
    """The SpinApp name upstream derives from an image reference."""
    return parse(reference).last_segment
