"""Shim: a containerd shim installed on chosen nodes (`runtime.kwasm.sh/v1alpha1`, cluster-scoped).

The fields and their wire names are upstream runtime-class-manager's (`api/v1alpha1/shim_types.go`);
`fetchStrategy.anonHttp.sha256` is ours: the downloader refuses an archive with another digest.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, StrictInt, StrictStr, WithJsonSchema

from spinkube.api._base import ApiModel, Int32, StringMap
from spinkube.api.constants import SHIM_API_VERSION, SHIM_KIND
from spinkube.api.k8s import ObjectMeta
from spinkube.api.spinapp import Condition

SHA256_PATTERN = r"^[0-9a-f]{64}$"
ANONYMOUS_HTTP = "anonymousHttp"
PositiveInt32 = Annotated[
    StrictInt,
    Field(ge=1, le=2**31 - 1),
    WithJsonSchema({"type": "integer", "format": "int32", "minimum": 1}),
]
"""The fetch strategy upstream's sample names; `anonHttp` is what is read."""


class AnonymousHttpConfig(ApiModel):
    """Where to download the shim archive from, without credentials."""

    location: StrictStr = Field(
        min_length=1,
        description="URL of a .tar.gz archive holding a containerd-shim-* binary.",
    )
    sha256: StrictStr | None = Field(
        default=None,
        pattern=SHA256_PATTERN,
        description="Lower-case hex SHA-256 of the archive. When set, the downloader refuses an "
        "archive with another digest and the node is not provisioned. (Not in upstream.)",
    )


class FetchStrategy(ApiModel):
    """How the shim binary reaches the node."""

    type: StrictStr = Field(description="The fetch strategy; `anonymousHttp` is the one there is.")
    anon_http: AnonymousHttpConfig | None = Field(
        default=None,
        alias="anonHttp",
        description="Download over HTTP(S) without credentials.",
    )


class RuntimeClassSpec(ApiModel):
    """The RuntimeClass the manager creates for this shim."""

    name: StrictStr = Field(min_length=1, description="Name of the RuntimeClass.")
    handler: StrictStr = Field(
        min_length=1,
        description="Handler of the RuntimeClass: the containerd runtime name, which is the "
        "Shim's name (the binary is installed as containerd-shim-<shim name>).",
    )


class RollingSpec(ApiModel):
    """Rolling rollout settings."""

    max_update: PositiveInt32 = Field(
        description="How many nodes are installed at once; the next ones start when these are "
        "provisioned (or failed).",
    )


class RolloutStrategy(ApiModel):
    """How the install Jobs are started over the matching nodes."""

    type: Literal["rolling", "recreate"] = Field(
        description="`recreate`: every matching node at once. `rolling`: `rolling.maxUpdate` "
        "nodes at a time (1 when `rolling` is not given)."
    )
    rolling: RollingSpec | None = Field(default=None, description="Settings of `rolling`.")


class ShimSpec(ApiModel):
    """ShimSpec defines the desired state of Shim"""

    node_selector: StringMap | None = Field(
        default=None,
        description="Labels a node must have to get the shim; every node when not set.",
    )
    fetch_strategy: FetchStrategy = Field(description="Where the shim binary comes from.")
    runtime_class: RuntimeClassSpec = Field(description="The RuntimeClass to create.")
    rollout_strategy: RolloutStrategy = Field(description="How nodes are provisioned.")
    containerd_runtime_options: StringMap | None = Field(
        default=None,
        description="Options written under the runtime's `options` table in the containerd "
        'configuration, each value a TOML value as text: `SystemdCgroup: "true"`, '
        "`BinaryName: '\"/usr/bin/crun\"'`.",
    )


class ShimStatus(ApiModel):
    """ShimStatus defines the observed state of Shim"""

    conditions: list[Condition] | None = Field(
        default=None,
        description="`Ready`: every matching node is provisioned. Its reason says why not "
        "(Provisioning, NodesFailed, NoMatchingNodes, InvalidSpec).",
    )
    nodes: Int32 = Field(description="How many nodes match the node selector.")
    nodes_ready: Int32 = Field(description="How many matching nodes are provisioned.")


class Shim(ApiModel):
    """Shim is the Schema for the shims API"""

    api_version: Literal["runtime.kwasm.sh/v1alpha1"] = SHIM_API_VERSION
    kind: Literal["Shim"] = SHIM_KIND
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    spec: ShimSpec = Field(description="ShimSpec defines the desired state of Shim")
    status: ShimStatus | None = Field(
        default=None, description="ShimStatus defines the observed state of Shim"
    )

    def to_manifest(self) -> dict[str, Any]:
        """The object as Kubernetes JSON: wire names, unset optional fields left out."""
        return self.model_dump(mode="json", exclude_none=True)
