"""Where kopf keeps its bookkeeping: in the operator's memory, not on users' objects.

kopf stores, per object, the last handled configuration (to compute diffs) and the progress
of its handlers; by default it writes both into annotations of the object itself, so every
SpinApp and SpinAppExecutor would carry `.../last-handled-configuration` and a PATCH after
each handling. Upstream's operator writes nothing there, so these storages keep both in
memory instead.

After a restart the memory is empty. An object created before this process started is taken
as handled in its current state, so kopf resumes it (the resume handler reconciles it,
level-based); one created later is new to kopf (its create handlers run). kopf's retry of a
failed handler "touches" the object to get a new watch event; with nothing written to the
object that touch is a no-op, so the handlers retry by themselves (`controllers.requeue`)
instead of raising `kopf.TemporaryError`, and the periodic resync catches everything else.
"""

from __future__ import annotations

import copy
import datetime
from typing import Any

import kopf


def _uid(body: kopf.Body) -> str:
    return str((body.get("metadata") or {}).get("uid") or "")


def _created_before(body: kopf.Body, moment: datetime.datetime) -> bool:
    stamp = (body.get("metadata") or {}).get("creationTimestamp")
    if not stamp:
        return False
    created = datetime.datetime.fromisoformat(str(stamp).replace("Z", "+00:00"))
    return created < moment.replace(microsecond=0)


class MemoryDiffBaseStorage(kopf.DiffBaseStorage):
    """The last handled essence per object uid."""

    def __init__(self, *, started: datetime.datetime) -> None:
        super().__init__()
        self.started = started
        self._essences: dict[str, kopf.BodyEssence] = {}

    def fetch(self, *, body: kopf.Body) -> kopf.BodyEssence | None:
        known = self._essences.get(_uid(body))
        if known is not None:
            return known
        if _created_before(body, self.started):
            return self.build(body=body)  # existed before this process: resume, not create
        return None

    def store(self, *, body: kopf.Body, patch: kopf.Patch, essence: kopf.BodyEssence) -> None:
        self._essences[_uid(body)] = essence

    def forget(self, uid: str) -> None:
        self._essences.pop(uid, None)


class MemoryProgressStorage(kopf.ProgressStorage):
    """Handler progress per object uid and handler id; `touch` writes nothing."""

    def __init__(self) -> None:
        super().__init__()
        self._records: dict[tuple[str, str], kopf.ProgressRecord] = {}

    def fetch(self, *, key: Any, body: kopf.Body) -> kopf.ProgressRecord | None:
        return self._records.get((_uid(body), str(key)))

    def store(
        self, *, key: Any, record: kopf.ProgressRecord, body: kopf.Body, patch: kopf.Patch
    ) -> None:
        self._records[(_uid(body), str(key))] = copy.deepcopy(record)

    def purge(self, *, key: Any, body: kopf.Body, patch: kopf.Patch) -> None:
        self._records.pop((_uid(body), str(key)), None)

    def touch(self, *, body: kopf.Body, patch: kopf.Patch, value: str | None) -> None:
        return None

    def clear(self, *, essence: kopf.BodyEssence) -> kopf.BodyEssence:
        return copy.deepcopy(essence)

    def forget(self, uid: str) -> None:
        for key in [k for k in self._records if k[0] == uid]:
            del self._records[key]


class MemoryStorage:
    """Both storages, forgotten together when an object is gone."""

    def __init__(self, *, started: datetime.datetime) -> None:
        self.diffbase = MemoryDiffBaseStorage(started=started)
        self.progress = MemoryProgressStorage()

    def forget(self, uid: str) -> None:
        self.diffbase.forget(uid)
        self.progress.forget(uid)
