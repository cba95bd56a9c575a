"""Registry credentials: explicit, from a Docker ``config.json``, or from a Kubernetes
``kubernetes.io/dockerconfigjson`` (or legacy ``kubernetes.io/dockercfg``) secret."""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from spinkube.oci.errors import AuthError
from spinkube.oci.reference import DOCKER_HUB

_HUB_ALIASES = {"docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"}


@dataclass(frozen=True, slots=True)
class Credentials:
    username: str = ""
    password: str = field(default="", repr=False)
    identity_token: str = field(default="", repr=False)
    """An OAuth2 refresh token (config.json ``identitytoken``), exchanged at the token endpoint."""

    def __bool__(self) -> bool:
        return bool(self.username or self.identity_token)


ANONYMOUS = Credentials()


@dataclass(frozen=True, slots=True)
class CredentialStore:
    """Credentials by registry host; lookups normalise Docker Hub's aliases and URLs."""

    by_host: Mapping[str, Credentials] = field(default_factory=dict)

    def for_registry(self, registry: str) -> Credentials:
        wanted = normalize_host(registry)
        for host, creds in self.by_host.items():
            if normalize_host(host) == wanted:
                return creds
        return ANONYMOUS

    def merged(self, other: CredentialStore) -> CredentialStore:
        """This store, with ``other``'s entries taking precedence."""
        return CredentialStore({**self.by_host, **other.by_host})


def normalize_host(server: str) -> str:
    """``https://index.docker.io/v1/`` and ``docker.io`` both become ``docker.io``."""
    host = urlparse(server).netloc if "://" in server else server.split("/", 1)[0]
    return DOCKER_HUB if host in _HUB_ALIASES else host


def from_docker_config(
    config: Mapping[str, Any] | str | bytes, *, source: str = "config.json"
) -> CredentialStore:
    """Parse a Docker config (``{"auths": {host: {auth | username/password | identitytoken}}}``)."""
    data = _json(config, source)
    auths = data.get("auths", {})
    if not isinstance(auths, Mapping):
        raise AuthError(f"{source}: auths: expected an object")
    return CredentialStore({host: _entry(host, entry, source) for host, entry in auths.items()})


def load_docker_config(path: Path | None = None) -> CredentialStore:
    """The user's Docker config (``$DOCKER_CONFIG/config.json`` or ``~/.docker/config.json``);
    empty when there is none."""
    if path is None:
        base = os.environ.get("DOCKER_CONFIG") or str(Path.home() / ".docker")
        path = Path(base) / "config.json"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return CredentialStore()
    except OSError as e:
        raise AuthError(f"{path}: cannot read: {e.strerror}") from None
    return from_docker_config(text, source=str(path))


def from_pull_secret(data: Mapping[str, str | bytes], *, name: str = "secret") -> CredentialStore:
    """A Kubernetes pull secret's ``data`` (base64 values, as the API returns them) or
    ``stringData``; type ``kubernetes.io/dockerconfigjson`` or ``kubernetes.io/dockercfg``."""
    if ".dockerconfigjson" in data:
        return from_docker_config(_secret_value(data[".dockerconfigjson"]), source=name)
    if ".dockercfg" in data:
        legacy = _json(_secret_value(data[".dockercfg"]), name)
        return from_docker_config({"auths": legacy}, source=name)
    raise AuthError(f"{name}: expected a .dockerconfigjson or .dockercfg key")


def _secret_value(value: str | bytes) -> bytes:
    raw = value.encode() if isinstance(value, str) else value
    if raw.lstrip().startswith(b"{"):
        return raw  # stringData, not base64
    try:
        return base64.b64decode(raw, validate=True)
    except ValueError:
        raise AuthError("pull secret value is neither JSON nor base64") from None


def _entry(host: str, entry: Any, source: str) -> Credentials:
    if not isinstance(entry, Mapping):
        raise AuthError(f"{source}: auths.{host}: expected an object")
    token = str(entry.get("identitytoken") or "")
    if entry.get("auth"):
        try:
            decoded = base64.b64decode(str(entry["auth"])).decode()
        except ValueError:
            raise AuthError(
                f"{source}: auths.{host}.auth: expected base64 of user:password"
            ) from None
        user, sep, password = decoded.partition(":")
        if not sep:
            raise AuthError(f"{source}: auths.{host}.auth: expected base64 of user:password")
        return Credentials(user, password, token)
    return Credentials(str(entry.get("username") or ""), str(entry.get("password") or ""), token)


def _json(config: Mapping[str, Any] | str | bytes, source: str) -> Mapping[str, Any]:
    if isinstance(config, Mapping):
        return config
    try:
        data = json.loads(config)
    except ValueError:
        raise AuthError(f"{source}: not valid JSON") from None
    if not isinstance(data, dict):
        raise AuthError(f"{source}: expected a JSON object")
    return data
