"""API semantics the operator relies on: selectors, status subresource, optimistic
concurrency, named errors, garbage collection, Events and Leases."""

from __future__ import annotations

import datetime

import pytest
from lightkube import operators
from lightkube.generic_resource import GenericNamespacedResource
from lightkube.models.coordination_v1 import LeaseSpec
from lightkube.models.core_v1 import ObjectReference
from lightkube.models.meta_v1 import ObjectMeta, OwnerReference
from lightkube.resources.apps_v1 import Deployment
from lightkube.resources.coordination_v1 import Lease
from lightkube.resources.core_v1 import ConfigMap, Event
from lightkube.resources.events_v1 import Event as EventsV1Event
from lightkube.types import PatchType

from spinkube.kube import Conflict, Invalid, Kube, KubeError, NotFound
from spinkube.testing import eventually

pytestmark = pytest.mark.api


def labelled(name: str, namespace: str, **labels: str) -> ConfigMap:
    return ConfigMap(metadata=ObjectMeta(name=name, namespace=namespace, labels=labels))


def names(objects: list[ConfigMap]) -> set[str]:
    return {obj.metadata.name for obj in objects if obj.metadata and obj.metadata.name}


def test_label_selectors_equality_and_sets(kube: Kube, namespace: str) -> None:
    kube.create(labelled("a", namespace, suite="selectors", tier="web", env="prod"))
    kube.create(labelled("b", namespace, suite="selectors", tier="api", env="prod"))
    kube.create(labelled("c", namespace, suite="selectors", tier="db"))

    def selected(labels: dict[str, object]) -> set[str]:
        scoped = {"suite": "selectors", **labels}
        return names(kube.list(ConfigMap, namespace=namespace, labels=scoped))

    assert selected({"tier": "web"}) == {"a"}
    assert selected({"env": "prod", "tier": operators.not_equal("web")}) == {"b"}
    assert selected({"tier": operators.in_(["web", "db"])}) == {"a", "c"}
    assert selected({"tier": operators.not_in(["web", "db"])}) == {"b"}
    assert selected({"env": operators.exists()}) == {"a", "b"}
    assert selected({"env": operators.not_exists()}) == {"c"}


def test_status_subresource_keeps_spec_and_status_apart(
    kube: Kube, namespace: str, widget: type[GenericNamespacedResource]
) -> None:
    kube.create(widget(metadata=ObjectMeta(name="w", namespace=namespace), spec={"size": 1}))

    after_status = kube.patch_status(
        widget, "w", {"phase": "Ready", "size": 99}, namespace=namespace
    )
    assert after_status["status"] == {"phase": "Ready", "size": 99}
    assert after_status["spec"] == {"size": 1}
    assert after_status.metadata is not None
    assert after_status.metadata.generation == 1

    kube.patch(
        widget,
        "w",
        {"spec": {"size": 3}, "status": {"phase": "Broken"}},
        namespace=namespace,
    )
    stored = kube.get(widget, "w", namespace=namespace)
    assert stored["spec"] == {"size": 3}
    assert stored["status"]["phase"] == "Ready", "status sent to the main resource is ignored"
    assert stored.metadata is not None
    assert stored.metadata.generation == 2


def test_status_writes_ignore_spec(
    kube: Kube, namespace: str, widget: type[GenericNamespacedResource]
) -> None:
    kube.create(widget(metadata=ObjectMeta(name="w", namespace=namespace), spec={"size": 1}))
    kube.patch(
        widget.Status,
        "w",
        {"spec": {"size": 5}, "status": {"phase": "Ready"}},
        namespace=namespace,
    )
    stored = kube.get(widget, "w", namespace=namespace)
    assert stored["spec"] == {"size": 1}
    assert stored["status"] == {"phase": "Ready"}


def test_stale_resource_version_is_a_conflict(kube: Kube, namespace: str) -> None:
    kube.create(ConfigMap(metadata=ObjectMeta(name="cfg", namespace=namespace), data={"a": "1"}))
    first_read = kube.get(ConfigMap, "cfg", namespace=namespace)
    kube.patch(ConfigMap, "cfg", {"data": {"a": "2"}}, namespace=namespace)

    first_read.data = {"a": "3"}
    with pytest.raises(Conflict) as caught:
        kube.replace(first_read)

    assert '"cfg"' in str(caught.value)
    assert kube.get(ConfigMap, "cfg", namespace=namespace).data == {"a": "2"}


def test_not_found_names_the_object_and_namespace(kube: Kube, namespace: str) -> None:
    with pytest.raises(NotFound) as caught:
        kube.get(Deployment, "missing", namespace=namespace)
    assert str(caught.value) == (f'deployments.apps "missing" not found in namespace "{namespace}"')


def test_objects_in_a_missing_namespace_are_refused(kube: Kube) -> None:
    with pytest.raises(NotFound):
        kube.create(ConfigMap(metadata=ObjectMeta(name="x", namespace="no-such-namespace-x1")))


def test_children_of_a_deleted_owner_are_garbage_collected(kube: Kube, namespace: str) -> None:
    owner = kube.create(ConfigMap(metadata=ObjectMeta(name="owner", namespace=namespace)))
    assert owner.metadata is not None
    assert owner.metadata.uid
    reference = OwnerReference(
        apiVersion="v1", kind="ConfigMap", name="owner", uid=owner.metadata.uid
    )
    kube.create(
        ConfigMap(
            metadata=ObjectMeta(name="child", namespace=namespace, ownerReferences=[reference])
        )
    )

    kube.delete(ConfigMap, "owner", namespace=namespace)

    def child_is_gone() -> bool:
        try:
            kube.get(ConfigMap, "child", namespace=namespace)
        except NotFound:
            return True
        return False

    assert eventually(child_is_gone, timeout=60)


def test_events_and_leases_are_stored(kube: Kube, namespace: str) -> None:
    now = datetime.datetime.now(datetime.UTC)
    kube.create(
        Event(
            metadata=ObjectMeta(name="app.1", namespace=namespace),
            involvedObject=ObjectReference(kind="ConfigMap", name="app", namespace=namespace),
            reason="Testing",
            message="an event",
            type="Normal",
            firstTimestamp=now,
            lastTimestamp=now,
        )
    )
    kube.create(
        Lease(
            metadata=ObjectMeta(name="leader", namespace=namespace),
            spec=LeaseSpec(holderIdentity="me", leaseDurationSeconds=15),
        )
    )

    kube.create(
        EventsV1Event(
            metadata=ObjectMeta(name="app.2", namespace=namespace),
            eventTime=now,
            reason="Testing",
            action="Test",
            note="a new-style event",
            type="Normal",
            reportingController="spinkube.dev/tests",
            reportingInstance="tests-1",
            regarding=ObjectReference(kind="ConfigMap", name="app", namespace=namespace),
        )
    )

    events = kube.list(Event, namespace=namespace)
    assert "an event" in {event.message for event in events}
    new_style = kube.get(EventsV1Event, "app.2", namespace=namespace)
    assert new_style.note == "a new-style event"
    lease = kube.get(Lease, "leader", namespace=namespace)
    assert lease.spec is not None
    assert lease.spec.holderIdentity == "me"


def test_finalizers_hold_a_deleted_object_until_removed(kube: Kube, namespace: str) -> None:
    finalizer = "test.spinkube.dev/hold"
    kube.create(
        ConfigMap(metadata=ObjectMeta(name="held", namespace=namespace, finalizers=[finalizer]))
    )

    kube.delete(ConfigMap, "held", namespace=namespace)
    held = kube.get(ConfigMap, "held", namespace=namespace)
    assert held.metadata is not None
    assert held.metadata.deletionTimestamp is not None

    kube.patch(ConfigMap, "held", {"metadata": {"finalizers": None}}, namespace=namespace)

    def released() -> bool:
        try:
            kube.get(ConfigMap, "held", namespace=namespace)
        except NotFound:
            return True
        return False

    assert eventually(released)


@pytest.mark.parametrize(
    ("involved_namespace", "with_event_time"),
    [
        pytest.param("other", False, id="other-namespace"),
        pytest.param(None, True, id="no-namespace-with-event-time"),
    ],
)
def test_an_event_lives_in_its_objects_namespace(
    kube: Kube, namespace: str, involved_namespace: str | None, with_event_time: bool
) -> None:
    now = datetime.datetime.now(datetime.UTC)
    event = Event(
        metadata=ObjectMeta(name="stray", namespace=namespace),
        involvedObject=ObjectReference(kind="ConfigMap", name="app", namespace=involved_namespace),
        reason="Testing",
        message="an event",
        type="Normal",
        eventTime=now if with_event_time else None,
        reportingComponent="spinkube.dev/tests" if with_event_time else None,
        reportingInstance="tests-1" if with_event_time else None,
        action="Test" if with_event_time else None,
        firstTimestamp=None if with_event_time else now,
    )
    with pytest.raises(Invalid) as caught:
        kube.create(event)
    assert caught.value.message == (
        f'Event "stray" is invalid: involvedObject.namespace: Invalid value: '
        f'"{involved_namespace or ""}": does not match event.namespace'
    )


def test_custom_resources_refuse_strategic_merge_patch(
    kube: Kube, namespace: str, widget: type[GenericNamespacedResource]
) -> None:
    kube.create(widget(metadata=ObjectMeta(name="w", namespace=namespace), spec={"size": 1}))
    with pytest.raises(KubeError) as caught:
        kube.patch(
            widget, "w", {"spec": {"size": 2}}, namespace=namespace, patch_type=PatchType.STRATEGIC
        )
    assert caught.value.code == 415
    assert kube.get(widget, "w", namespace=namespace)["spec"] == {"size": 1}
