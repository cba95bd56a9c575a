"""The informer-style cache: what exists, as the newest watch event or answer says."""

from __future__ import annotations

from typing import Any

from spinkube.operator.controllers.cache import DEPLOYMENT, Cache, Observed
from spinkube.operator.controllers.drift import conforms
from spinkube.operator.controllers.spinapp import APPLIED_HASH, stamped


def body(version: str, image: str = "a", **meta: Any) -> dict[str, Any]:
    return {
        "metadata": {"name": "hello", "namespace": "ns", "resourceVersion": version, **meta},
        "spec": {"image": image},
    }


def test_the_newest_version_wins_whatever_the_order() -> None:
    observed = Observed()
    observed.seen(body("7", "new"))
    observed.seen(body("5", "old"))  # a late watch event

    assert observed.get("ns", "hello") == body("7", "new")


def test_a_deleted_object_is_gone_until_a_newer_one_comes() -> None:
    observed = Observed()
    observed.seen(body("5"))
    observed.seen(body("6"), deleted=True)
    observed.seen(body("5"))  # a list answer older than the deletion

    assert observed.get("ns", "hello") is None
    observed.seen(body("9", "again"))
    assert observed.get("ns", "hello") == body("9", "again")


def test_managed_fields_are_not_kept() -> None:
    cache = Cache()
    cache.seen(DEPLOYMENT, body("3", managedFields=[{"manager": "x"}]))

    found = cache.get(DEPLOYMENT, "ns", "hello")
    assert found is not None
    assert "managedFields" not in found["metadata"]


def test_the_applied_hash_moves_with_the_manifest_and_only_then() -> None:
    manifest = {"metadata": {"name": "hello", "namespace": "ns"}, "spec": {"image": "a"}}
    same = stamped(dict(manifest))
    changed = stamped({**manifest, "spec": {"image": "b"}})

    assert stamped(manifest) == same
    assert (
        same["metadata"]["annotations"][APPLIED_HASH]
        != (changed["metadata"]["annotations"][APPLIED_HASH])
    )


def test_a_field_dropped_from_the_manifest_makes_the_observed_child_differ() -> None:
    """Without the hash, a child with a field the operator no longer wants would still
    contain the manifest, and would never be applied again."""
    before = stamped(
        {"metadata": {"name": "hello"}, "spec": {"nodeSelector": {"a": "1", "b": "2"}}}
    )
    after = stamped({"metadata": {"name": "hello"}, "spec": {"nodeSelector": {"a": "1"}}})

    assert conforms(before, before)
    assert not conforms(before, after)
