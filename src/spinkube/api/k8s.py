"""Kubernetes core types embedded in SpinApp: typed where this project reads them.

Each model names the Kubernetes definition whose schema the CRD inlines, so `kubectl explain`
shows the upstream Kubernetes descriptions and the API server validates the full type.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, StrictBool, StrictStr

from spinkube.api._base import K8sModel, Quantity, StringMap, kubernetes_type

_NAME_DOC = (
    "Name of the referent. More info: "
    "https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#names"
)


class LocalObjectReference(K8sModel):
    """A reference to an object in the same namespace."""

    model_config = kubernetes_type("io.k8s.api.core.v1.LocalObjectReference")

    name: StrictStr | None = Field(default=None, description=_NAME_DOC)


class ConfigMapKeySelector(K8sModel):
    """Selects a key of a ConfigMap."""

    model_config = kubernetes_type("io.k8s.api.core.v1.ConfigMapKeySelector")

    key: StrictStr = Field(description="The key to select.")
    name: StrictStr | None = Field(default=None, description=_NAME_DOC)
    optional: StrictBool | None = Field(
        default=None, description="Specify whether the ConfigMap or its key must be defined"
    )


class SecretKeySelector(K8sModel):
    """Selects a key of a Secret."""

    model_config = kubernetes_type("io.k8s.api.core.v1.SecretKeySelector")

    key: StrictStr = Field(
        description="The key of the secret to select from. Must be a valid secret key."
    )
    name: StrictStr | None = Field(default=None, description=_NAME_DOC)
    optional: StrictBool | None = Field(
        default=None, description="Specify whether the Secret or its key must be defined"
    )


class ObjectFieldSelector(K8sModel):
    """Selects a field of the pod, e.g. `metadata.name` or `status.podIP`."""

    model_config = kubernetes_type("io.k8s.api.core.v1.ObjectFieldSelector")

    field_path: StrictStr = Field(
        description="Path of the field to select in the specified API version."
    )
    api_version: StrictStr | None = Field(
        default=None,
        description='Version of the schema the FieldPath is written in terms of, defaults to "v1".',
    )


class ResourceFieldSelector(K8sModel):
    """Selects a resource of the container, e.g. `limits.memory`."""

    model_config = kubernetes_type("io.k8s.api.core.v1.ResourceFieldSelector")

    resource: StrictStr = Field(description="Required: resource to select")
    container_name: StrictStr | None = Field(
        default=None, description="Container name: required for volumes, optional for env vars"
    )
    divisor: Quantity | None = Field(
        default=None,
        description='Specifies the output format of the exposed resources, defaults to "1"',
    )


class VolumeMount(K8sModel):
    """Describes a mounting of a Volume within a container."""

    model_config = kubernetes_type("io.k8s.api.core.v1.VolumeMount")

    name: StrictStr = Field(description="This must match the Name of a Volume.")
    mount_path: StrictStr = Field(
        description="Path within the container at which the volume should be mounted. "
        "Must not contain ':'."
    )
    read_only: StrictBool | None = Field(
        default=None,
        description="Mounted read-only if true, read-write otherwise (false or unspecified).",
    )
    sub_path: StrictStr | None = Field(
        default=None,
        description="Path within the volume from which the container's volume should be "
        'mounted. Defaults to "" (volume\'s root).',
    )


class Volume(K8sModel):
    """A named volume in a pod, with exactly one volume source (configMap, secret, ...).

    The volume source is kept as given; the CRD schema validates it against the full
    Kubernetes `Volume` type.
    """

    model_config = kubernetes_type("io.k8s.api.core.v1.Volume")

    name: StrictStr = Field(
        description="Name of the volume. Must be a DNS_LABEL and unique within the pod."
    )

    @property
    def source(self) -> dict[str, Any]:
        """The volume source fields (everything but `name`), as given."""
        return dict(self.model_extra or {})


class ObjectMeta(K8sModel):
    """The metadata every Kubernetes object has; fields not typed here are kept as given."""

    name: StrictStr | None = Field(default=None, description="Name of the object.")
    namespace: StrictStr | None = Field(default=None, description="Namespace of the object.")
    labels: StringMap | None = Field(default=None, description="Labels of the object.")
    annotations: StringMap | None = Field(default=None, description="Annotations of the object.")
    uid: StrictStr | None = Field(default=None, description="Unique id set by the API server.")
    resource_version: StrictStr | None = Field(
        default=None, description="Version for optimistic concurrency, set by the API server."
    )
    generation: int | None = Field(
        default=None, description="Incremented by the API server on every spec change."
    )
    finalizers: list[StrictStr] | None = Field(
        default=None, description="Finalizers that must be removed before deletion completes."
    )
    deletion_timestamp: StrictStr | None = Field(
        default=None, description="Set by the API server when deletion was requested."
    )


class EnvVar(K8sModel):
    """An environment variable of the app's container: a value, or a source (`valueFrom`:
    configMapKeyRef, secretKeyRef, fieldRef, resourceFieldRef), kept as given."""

    model_config = kubernetes_type("io.k8s.api.core.v1.EnvVar")

    name: StrictStr = Field(description="Name of the environment variable.")
    value: StrictStr | None = Field(default=None, description="The variable's value.")


class Toleration(K8sModel):
    """A toleration of a node taint, as in a pod spec; kept as given."""

    model_config = kubernetes_type("io.k8s.api.core.v1.Toleration")


class Affinity(K8sModel):
    """Node affinity, pod affinity and pod anti-affinity, as in a pod spec; kept as given."""

    model_config = kubernetes_type("io.k8s.api.core.v1.Affinity")
