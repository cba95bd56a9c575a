"""Create, read, update and delete built-in objects through `spinkube.kube`."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from lightkube.generic_resource import GenericNamespacedResource
from lightkube.models.apps_v1 import DeploymentSpec
from lightkube.models.core_v1 import Container, PodSpec, PodTemplateSpec
from lightkube.models.meta_v1 import LabelSelector, ObjectMeta
from lightkube.resources.apps_v1 import Deployment
from lightkube.resources.core_v1 import ConfigMap, Secret
from lightkube.types import PatchType

from spinkube.kube import Conflict, Kube, NotFound
from spinkube.testing import eventually

pytestmark = pytest.mark.api


def deployment(name: str, namespace: str, image: str = "ghcr.io/example/app:v1") -> Deployment:
    labels = {"app": name}
    return Deployment(
        metadata=ObjectMeta(name=name, namespace=namespace, labels=labels),
        spec=DeploymentSpec(
            replicas=1,
            selector=LabelSelector(matchLabels=labels),
            template=PodTemplateSpec(
                metadata=ObjectMeta(labels=labels),
                spec=PodSpec(containers=[Container(name="app", image=image)]),
            ),
        ),
    )


def replace_image(kube: Kube, namespace: str, image: str) -> Deployment:
    """Read, modify, replace; again on Conflict (a real cluster's deployment controller
    writes the Deployment's status meanwhile)."""
    for _ in range(10):
        current = kube.get(Deployment, "web", namespace=namespace)
        current.spec.template.spec.containers[0].image = image  # type: ignore[union-attr]
        try:
            return kube.replace(current)
        except Conflict:
            continue
    raise AssertionError("the Deployment kept changing under the test")


def test_configmap_lifecycle(kube: Kube, namespace: str) -> None:
    created = kube.create(
        ConfigMap(metadata=ObjectMeta(name="settings", namespace=namespace), data={"a": "1"})
    )
    assert created.metadata is not None
    assert created.metadata.uid
    assert created.metadata.resourceVersion
    assert created.metadata.creationTimestamp is not None

    kube.patch(ConfigMap, "settings", {"data": {"b": "2"}}, namespace=namespace)
    assert kube.get(ConfigMap, "settings", namespace=namespace).data == {"a": "1", "b": "2"}

    kube.delete(ConfigMap, "settings", namespace=namespace)
    with pytest.raises(NotFound):
        kube.get(ConfigMap, "settings", namespace=namespace)


def test_secret_string_data_is_stored_as_base64_data(kube: Kube, namespace: str) -> None:
    kube.create(
        Secret(
            metadata=ObjectMeta(name="creds", namespace=namespace),
            stringData={"password": "s3cret"},
        )
    )
    stored = kube.get(Secret, "creds", namespace=namespace)
    assert stored.data == {"password": base64.b64encode(b"s3cret").decode()}


def test_deployment_replace_changes_spec_and_bumps_generation(kube: Kube, namespace: str) -> None:
    created = kube.create(deployment("web", namespace))
    assert created.metadata is not None
    assert created.metadata.generation == 1

    replaced = replace_image(kube, namespace, "ghcr.io/example/app:v2")

    assert replaced.metadata is not None
    assert replaced.metadata.generation == 2
    assert replaced.metadata.uid == created.metadata.uid
    stored = kube.get(Deployment, "web", namespace=namespace)
    assert stored.spec is not None
    assert stored.spec.template.spec is not None
    assert stored.spec.template.spec.containers[0].image == "ghcr.io/example/app:v2"


REVISION = "deployment.kubernetes.io/revision"


def annotations_of(kube: Kube, namespace: str) -> dict[str, str]:
    metadata = kube.get(Deployment, "web", namespace=namespace).metadata
    return dict((metadata.annotations if metadata else None) or {})


def test_deployment_generation_follows_spec_and_annotations_not_labels(
    kube_api: Any, kube: Kube, namespace: str
) -> None:
    """kube-apiserver's Deployment strategy bumps the generation on annotation changes too
    (annotations are copied to the ReplicaSets); labels alone keep it."""
    kube.create(deployment("web", namespace))
    if kube_api.real_cluster:  # the deployment controller annotates (and so bumps) first
        assert eventually(lambda: REVISION in annotations_of(kube, namespace), timeout=60)

    relabelled = kube.patch(
        Deployment, "web", {"metadata": {"labels": {"tier": "front"}}}, namespace=namespace
    )
    annotated = kube.patch(
        Deployment, "web", {"metadata": {"annotations": {"note": "x"}}}, namespace=namespace
    )

    assert relabelled.metadata is not None
    assert annotated.metadata is not None
    assert relabelled.metadata.generation is not None
    assert annotated.metadata.generation == relabelled.metadata.generation + 1
    if not kube_api.real_cluster:
        assert relabelled.metadata.generation == 1
    assert annotated.metadata.annotations is not None
    assert annotated.metadata.annotations["note"] == "x"


def test_custom_resource_generation_ignores_metadata(
    kube: Kube, namespace: str, widget: type[GenericNamespacedResource]
) -> None:
    kube.create(widget(metadata=ObjectMeta(name="w", namespace=namespace), spec={"size": 1}))
    patch = {"metadata": {"annotations": {"note": "x"}, "labels": {"a": "b"}}}
    patched = kube.patch(widget, "w", patch, namespace=namespace)
    assert patched.metadata is not None
    assert patched.metadata.generation == 1


def test_kinds_without_a_generation_get_none(kube: Kube, namespace: str) -> None:
    created = kube.create(
        ConfigMap(metadata=ObjectMeta(name="plain", namespace=namespace), data={"a": "1"})
    )
    updated = kube.patch(ConfigMap, "plain", {"data": {"a": "2"}}, namespace=namespace)
    assert created.metadata is not None
    assert updated.metadata is not None
    assert (created.metadata.generation, updated.metadata.generation) == (None, None)


def test_json_patch_applies_operations(kube: Kube, namespace: str) -> None:
    kube.create(ConfigMap(metadata=ObjectMeta(name="cfg", namespace=namespace), data={"a": "1"}))
    patched = kube.patch(
        ConfigMap,
        "cfg",
        [{"op": "replace", "path": "/data/a", "value": "2"}],
        namespace=namespace,
        patch_type=PatchType.JSON,
    )
    assert patched.data == {"a": "2"}


def test_list_in_one_namespace_and_in_all(kube: Kube, namespace: str) -> None:
    kube.create(ConfigMap(metadata=ObjectMeta(name="one", namespace=namespace)))
    kube.create(ConfigMap(metadata=ObjectMeta(name="two", namespace=namespace)))

    here = {cm.metadata.name for cm in kube.list(ConfigMap, namespace=namespace) if cm.metadata}
    everywhere = {
        (cm.metadata.namespace, cm.metadata.name) for cm in kube.list(ConfigMap) if cm.metadata
    }

    assert {"one", "two"} <= here
    assert {(namespace, "one"), (namespace, "two")} <= everywhere
