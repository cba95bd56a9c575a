"""kopf's bookkeeping in memory: nothing written on the object, resume versus create."""

from __future__ import annotations

import datetime

import kopf

from spinkube.operator.storage import MemoryStorage

STARTED = datetime.datetime(2026, 1, 1, 12, 0, tzinfo=datetime.UTC)


def body(created: str, uid: str = "u1") -> kopf.Body:
    return kopf.Body(
        {
            "apiVersion": "core.spinoperator.dev/v1alpha1",
            "kind": "SpinApp",
            "metadata": {"name": "a", "uid": uid, "creationTimestamp": created},
            "spec": {"image": "x"},
        }
    )


def test_an_object_older_than_the_process_is_resumed_a_newer_one_created() -> None:
    storage = MemoryStorage(started=STARTED)
    old, new = body("2026-01-01T11:00:00Z"), body("2026-01-01T12:00:01Z", uid="u2")

    assert storage.diffbase.fetch(body=old) == storage.diffbase.build(body=old)
    assert storage.diffbase.fetch(body=new) is None


def test_stored_state_stays_off_the_object_and_is_forgotten() -> None:
    storage = MemoryStorage(started=STARTED)
    obj = body("2026-01-01T12:30:00Z")
    patch = kopf.Patch()

    storage.diffbase.store(body=obj, patch=patch, essence=storage.diffbase.build(body=obj))
    storage.progress.store(key="reconcile", record={"retries": 1}, body=obj, patch=patch)
    storage.progress.touch(body=obj, patch=patch, value="now")

    assert not patch
    assert storage.progress.fetch(key="reconcile", body=obj) == {"retries": 1}
    storage.forget("u1")
    assert storage.diffbase.fetch(body=obj) is None
    assert storage.progress.fetch(key="reconcile", body=obj) is None
