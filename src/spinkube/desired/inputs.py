"""What the controller fetches before building: the ConfigMaps and Secrets the runtime config
reads, handed to the builders as plain data so the builders never do I/O themselves."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

RefKind = Literal["ConfigMap", "Secret"]


class ObjectRef(NamedTuple):
    """A ConfigMap or Secret the runtime config reads: fetch it before building."""

    kind: RefKind
    namespace: str
    name: str

    def __str__(self) -> str:
        return f"{self.kind} {self.namespace}/{self.name}"


@dataclass(frozen=True)
class ResolvedInputs:
    """The runtime-config dependencies of one app, fetched from its namespace.

    `config_maps` maps a ConfigMap name to its `data`; `secrets` maps a Secret name to its
    data, already base64-decoded. Secret data is kept out of the repr.
    """

    config_maps: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    secrets: Mapping[str, Mapping[str, bytes]] = field(default_factory=dict, repr=False)
