"""Port-forwarding to a pod through the API's `portforward` subresource, over WebSocket.

The API server speaks the `v4.channel.k8s.io` protocol there: every binary message starts with
a channel byte; for one forwarded port, channel 0 carries the data and channel 1 the errors, and
the first message on each channel is the port number (2 bytes, little-endian). One WebSocket
carries one TCP connection, so each local connection opens its own.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger(__name__)

PROTOCOL = "v4.channel.k8s.io"
DATA_CHANNEL = 0
ERROR_CHANNEL = 1
PORT_PREFIX_BYTES = 2
CHUNK = 64 * 1024
RECEIVE_POLL_SECONDS = 0.2
"""How often a connection's receive loop checks whether the local side has closed."""


@dataclass(frozen=True)
class Target:
    namespace: str
    pod: str
    port: int

    @property
    def path(self) -> str:
        return f"/api/v1/namespaces/{self.namespace}/pods/{self.pod}/portforward"


class ChannelDemuxer:
    """Splits the server's messages into data and error bytes, dropping each channel's
    leading port number."""

    def __init__(self) -> None:
        self._prefix_left = {DATA_CHANNEL: PORT_PREFIX_BYTES, ERROR_CHANNEL: PORT_PREFIX_BYTES}

    def feed(self, message: bytes) -> tuple[int, bytes]:
        if not message:
            return DATA_CHANNEL, b""
        channel, payload = message[0], message[1:]
        skip = min(self._prefix_left.get(channel, 0), len(payload))
        if skip:
            self._prefix_left[channel] -= skip
        return channel, payload[skip:]


def frame(data: bytes) -> bytes:
    """Local bytes as a data-channel message."""
    return bytes((DATA_CHANNEL,)) + data


class PortForwarder:
    """Listens on a local port and forwards each connection to `target` through the API.

    `open_ws(target)` returns a context manager yielding a WebSocket session (httpx2's); tests
    pass their own.
    """

    def __init__(
        self,
        target: Target,
        open_ws: Callable[[Target], Any],
        *,
        local_port: int = 0,
        host: str = "127.0.0.1",
        on_error: Callable[[str], None] = logger.warning,
    ) -> None:
        self.target = target
        self._open_ws = open_ws
        self._on_error = on_error
        self._server = socket.create_server((host, local_port))
        self._stopped = threading.Event()

    @property
    def local_port(self) -> int:
        port: int = self._server.getsockname()[1]
        return port

    def serve_forever(self) -> None:
        """Accept connections until `stop()`; each is served on its own thread."""
        while not self._stopped.is_set():
            try:
                conn, _ = self._server.accept()
            except OSError:
                break
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def stop(self) -> None:
        self._stopped.set()
        with contextlib.suppress(OSError):
            self._server.shutdown(socket.SHUT_RDWR)
        self._server.close()

    def _serve(self, conn: socket.socket) -> None:
        """One local connection: pump both ways until either side ends, then close both.

        The WebSocket is closed only by leaving its `with` block, on this thread: httpx2's
        session is not closed reliably from another thread while this one receives.
        """
        local_closed = threading.Event()
        try:
            with conn, self._open_ws(self.target) as ws:
                pump = threading.Thread(
                    target=_local_to_ws, args=(conn, ws, local_closed), daemon=True
                )
                pump.start()
                self._ws_to_local(ws, conn, local_closed)
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
        except Exception as error:  # one broken connection must not stop the forwarder
            self._on_error(f"port-forward to pod/{self.target.pod}: {error}")

    def _ws_to_local(self, ws: Any, conn: socket.socket, local_closed: threading.Event) -> None:
        from httpx2.websockets import WebSocketDisconnect

        demux = ChannelDemuxer()
        while not local_closed.is_set():
            try:
                message = ws.receive_bytes(timeout=RECEIVE_POLL_SECONDS)
            except TimeoutError:
                continue
            except WebSocketDisconnect:
                return
            channel, payload = demux.feed(message)
            if channel == DATA_CHANNEL and payload:
                conn.sendall(payload)
            elif channel == ERROR_CHANNEL and payload:
                self._on_error(payload.decode("utf-8", "replace"))


def _local_to_ws(conn: socket.socket, ws: Any, local_closed: threading.Event) -> None:
    try:
        while data := conn.recv(CHUNK):
            ws.send_bytes(frame(data))
    except Exception:  # the other side is gone: nothing left to pump
        pass
    finally:
        local_closed.set()


def websocket_opener(http_client: Any) -> Callable[[Target], Any]:
    """`open_ws` for a real API server: the httpx2 client lightkube authenticates with."""

    def open_ws(target: Target) -> Any:
        return http_client.websocket(
            target.path, subprotocols=[PROTOCOL], params={"ports": str(target.port)}
        )

    return open_ws
