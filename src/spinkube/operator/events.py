"""Events posted straight through the API (the manager's `Context.events`), by the handlers,
the periodic resync and the retries alike, so that they are counted with the operator's own
requests (`spin_operator_api_requests_total`)."""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import logging
from collections.abc import Mapping
from typing import Any

from lightkube.models.core_v1 import EventSource, ObjectReference
from lightkube.models.meta_v1 import ObjectMeta
from lightkube.resources.core_v1 import Event

from spinkube.kube import Kube, KubeError
from spinkube.operator.context import Recorder

logger = logging.getLogger(__name__)


def build_event(
    body: Mapping[str, Any], type_: str, reason: str, message: str, *, component: str
) -> Event:
    """A core/v1 Event about `body`, in its namespace (as the API server requires)."""
    meta = body.get("metadata") or {}
    now = datetime.datetime.now(datetime.UTC)
    namespace = meta.get("namespace") or "default"
    return Event(
        metadata=ObjectMeta(generateName=f"{meta.get('name', 'object')}.", namespace=namespace),
        involvedObject=ObjectReference(
            apiVersion=body.get("apiVersion"),
            kind=body.get("kind"),
            name=meta.get("name"),
            namespace=meta.get("namespace"),
            uid=meta.get("uid"),
        ),
        type=type_,
        reason=reason,
        message=message,
        source=EventSource(component=component),
        firstTimestamp=now,
        lastTimestamp=now,
        count=1,
    )


class EventPoster:
    """Posts Events in the background; `recorder(body)` has the handlers' `Recorder` shape."""

    def __init__(self, kube: Kube, *, component: str) -> None:
        self._kube = kube
        self._component = component
        self._tasks: set[asyncio.Task[None]] = set()

    def recorder(self, body: Mapping[str, Any]) -> Recorder:
        def record(type_: str, reason: str, message: str) -> None:
            event = build_event(body, type_, reason, message, component=self._component)
            task = asyncio.ensure_future(self._post(event))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

        return record

    async def _post(self, event: Event) -> None:
        try:
            await self._kube.aio.create(event)
        except KubeError as error:
            logger.debug("could not post event %s: %s", event.reason, error)

    async def close(self) -> None:
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(task, 2.0)
