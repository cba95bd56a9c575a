"""Task events forwarded to containerd (``$TTRPC_ADDRESS``, ``Events.Forward``) from a queue on
one thread, in order, so the Task service never waits on containerd. ``Any.type_url`` is the bare
proto name (``containerd.events.TaskExit``): containerd's typeurl registry expects that. While
containerd restarts, events are retried for a while, then dropped with a log line."""

from __future__ import annotations

import logging
import queue
import threading
import time
from dataclasses import dataclass

from google.protobuf import any_pb2, timestamp_pb2
from google.protobuf.message import Message

from spinkube.shim import ttrpc
from spinkube.shim.proto import events_pb2

log = logging.getLogger(__name__)

SERVICE = "containerd.services.events.ttrpc.v1.Events"
NAMESPACE_METADATA = "containerd-namespace-ttrpc"
RETRY_S = 30.0

TOPICS = {
    "TaskCreate": "/tasks/create",
    "TaskStart": "/tasks/start",
    "TaskExit": "/tasks/exit",
    "TaskDelete": "/tasks/delete",
    "TaskOOM": "/tasks/oom",
}


def envelope(namespace: str, event: Message, *, now: float | None = None) -> bytes:
    """The serialized ``ForwardRequest`` for one event."""
    name = event.DESCRIPTOR.name
    stamp = timestamp_pb2.Timestamp()
    stamp.FromNanoseconds(int((now if now is not None else time.time()) * 1e9))
    body = any_pb2.Any(type_url=event.DESCRIPTOR.full_name, value=event.SerializeToString())
    wrapped = events_pb2.Envelope(timestamp=stamp, namespace=namespace, topic=TOPICS[name])
    wrapped.event.CopyFrom(body)
    return events_pb2.ForwardRequest(envelope=wrapped).SerializeToString()


@dataclass
class Publisher:
    address: str
    """containerd's ttrpc socket path (``$TTRPC_ADDRESS``); empty: events are only logged."""
    namespace: str

    def __post_init__(self) -> None:
        self._queue: queue.Queue[bytes | None] = queue.Queue()
        self._client: ttrpc.Client | None = None
        self._thread = threading.Thread(target=self._run, name="events", daemon=True)
        self._thread.start()

    def publish(self, event: Message) -> None:
        log.debug("event %s %s", TOPICS[event.DESCRIPTOR.name], event)
        self._queue.put(envelope(self.namespace, event))

    def close(self, timeout: float = 5.0) -> None:
        """Sends what is queued (up to ``timeout``), then stops."""
        self._queue.put(None)
        self._thread.join(timeout)

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            self._send(item)

    def _send(self, payload: bytes) -> None:
        if not self.address:
            return
        deadline = time.monotonic() + RETRY_S
        while True:
            try:
                client = self._client or ttrpc.Client(self.address)
                self._client = client
                client.call(
                    SERVICE, "Forward", payload, metadata={NAMESPACE_METADATA: self.namespace}
                )
                return
            except (OSError, ttrpc.ProtocolError) as exc:
                self._drop_client()
                if time.monotonic() > deadline:
                    log.error("dropping an event: containerd unreachable: %s", exc)
                    return
                time.sleep(0.2)
            except Exception as exc:
                log.error("containerd refused an event: %s", exc)
                return

    def _drop_client(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
