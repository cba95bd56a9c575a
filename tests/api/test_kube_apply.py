"""Server-side apply through `spinkube.kube`: idempotent, and it keeps other managers' fields."""

from __future__ import annotations

import pytest
from lightkube.models.meta_v1 import ObjectMeta
from lightkube.resources.core_v1 import ConfigMap

from spinkube.kube import Conflict, Kube

pytestmark = pytest.mark.api


def config_map(namespace: str, data: dict[str, str]) -> ConfigMap:
    return ConfigMap(metadata=ObjectMeta(name="applied", namespace=namespace), data=data)


def managers(obj: ConfigMap) -> set[str]:
    assert obj.metadata is not None
    return {entry.manager for entry in obj.metadata.managedFields or [] if entry.manager}


def test_apply_creates_and_records_the_field_manager(kube: Kube, namespace: str) -> None:
    applied = kube.apply(config_map(namespace, {"a": "1"}), field_manager="first")
    assert applied.data == {"a": "1"}
    assert "first" in managers(applied)


def test_applying_the_same_object_twice_changes_nothing(kube: Kube, namespace: str) -> None:
    first = kube.apply(config_map(namespace, {"a": "1"}))
    second = kube.apply(config_map(namespace, {"a": "1"}))
    assert first.metadata is not None
    assert second.metadata is not None
    assert second.metadata.resourceVersion == first.metadata.resourceVersion
    assert second.data == {"a": "1"}


def test_a_second_managers_field_survives_the_first_managers_reapply(
    kube: Kube, namespace: str
) -> None:
    kube.apply(config_map(namespace, {"a": "1", "gone": "x"}), field_manager="first")
    kube.apply(config_map(namespace, {"b": "2"}), field_manager="second")

    result = kube.apply(config_map(namespace, {"a": "1"}), field_manager="first")

    assert result.data == {"a": "1", "b": "2"}, "first's dropped field goes, second's stays"
    assert {"first", "second"} <= managers(result)


def test_apply_without_force_refuses_to_take_another_managers_field(
    kube: Kube, namespace: str
) -> None:
    kube.apply(config_map(namespace, {"a": "1"}), field_manager="first")
    with pytest.raises(Conflict):
        kube.apply(config_map(namespace, {"a": "2"}), field_manager="second", force=False)

    forced = kube.apply(config_map(namespace, {"a": "2"}), field_manager="second", force=True)
    assert forced.data == {"a": "2"}
