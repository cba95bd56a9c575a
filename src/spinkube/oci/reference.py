"""Image references, parsed and defaulted like Docker does.

``nginx`` is ``docker.io/library/nginx:latest``; the first path component is a registry when it
has a ``.`` or a ``:`` or is ``localhost``. A ``@sha256:...`` digest pins the content (a tag next to
it is kept for display only). Loopback registries (``localhost``, ``127.0.0.1``, ``[::1]``) are
spoken to over plain HTTP, as Spin and containerd do for local development registries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spinkube.oci.errors import ReferenceError

DOCKER_HUB = "docker.io"
DOCKER_HUB_API = "registry-1.docker.io"
_REPO = re.compile(
    r"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$"
)
_TAG = re.compile(r"^[\w][\w.-]{0,127}$")
_DIGEST = re.compile(r"^sha256:[a-f0-9]{64}$")
_REGISTRY = re.compile(
    r"^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::\d+)?$"
)
_LOOPBACK = ("localhost", "127.0.0.1", "[::1]", "::1")


@dataclass(frozen=True, slots=True)
class Reference:
    registry: str
    repository: str
    tag: str | None = "latest"
    digest: str | None = None

    @classmethod
    def parse(cls, text: str) -> Reference:
        raw = text.strip()
        if not raw or raw != text or any(c.isspace() for c in raw):
            raise ReferenceError(text, "empty or contains whitespace")
        rest, _, digest = raw.partition("@")
        if digest and not _DIGEST.match(digest):
            raise ReferenceError(text, "a digest must be sha256: followed by 64 hex digits")
        registry, rest = _split_registry(rest)
        if not _REGISTRY.match(registry):
            raise ReferenceError(text, f"invalid registry {registry!r}")
        name, tag = _split_tag(rest)
        if tag is not None and not _TAG.match(tag):
            raise ReferenceError(text, f"invalid tag {tag!r}")
        if not name or not _REPO.match(name):
            raise ReferenceError(text, f"invalid repository name {name!r}")
        if registry == DOCKER_HUB and "/" not in name:
            name = f"library/{name}"
        if tag is None and not digest:
            tag = "latest"
        return cls(registry=registry, repository=name, tag=tag, digest=digest or None)

    @property
    def ref(self) -> str:
        """What to ask the manifests endpoint for: the digest when pinned, else the tag."""
        return self.digest or self.tag or "latest"

    @property
    def api_host(self) -> str:
        return DOCKER_HUB_API if self.registry == DOCKER_HUB else self.registry

    @property
    def is_loopback(self) -> bool:
        host = (
            self.registry.rsplit(":", 1)[0]
            if not self.registry.startswith("[")
            else (self.registry.split("]")[0] + "]")
        )
        return host in _LOOPBACK

    def with_digest(self, digest: str) -> Reference:
        return Reference(self.registry, self.repository, self.tag, digest)

    def __str__(self) -> str:
        text = f"{self.registry}/{self.repository}"
        if self.tag:
            text += f":{self.tag}"
        if self.digest:
            text += f"@{self.digest}"
        return text


def _split_registry(text: str) -> tuple[str, str]:
    first, sep, rest = text.partition("/")
    if sep and ("." in first or ":" in first or first == "localhost" or first.startswith("[")):
        return first, rest
    return DOCKER_HUB, text


def _split_tag(text: str) -> tuple[str, str | None]:
    name, sep, tag = text.rpartition(":")
    if sep and "/" not in tag:
        return name, tag
    return text, None
