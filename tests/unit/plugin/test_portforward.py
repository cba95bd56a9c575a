"""Port-forwarding over the `v4.channel.k8s.io` protocol, against a scripted WebSocket."""

from __future__ import annotations

import queue
import socket
import threading
from contextlib import contextmanager

import pytest
from httpx2.websockets import WebSocketDisconnect

from spinkube.plugin.portforward import ChannelDemuxer, PortForwarder, Target, frame

DEADLINE_SECONDS = 10.0


class EchoPod:
    """A WebSocket session that behaves like the API server forwarding to an echo server:
    it announces the port on both channels, then echoes every data frame upper-cased."""

    def __init__(self, port: int) -> None:
        prefix = port.to_bytes(2, "little")
        self.inbox: queue.Queue[bytes | None] = queue.Queue()
        self.inbox.put(bytes((0,)) + prefix)
        self.inbox.put(bytes((1,)) + prefix)
        self.sent: list[bytes] = []

    def send_bytes(self, data: bytes) -> None:
        self.sent.append(data)
        self.inbox.put(bytes((0,)) + data[1:].upper())

    def receive_bytes(self, timeout: float | None = None) -> bytes:
        try:
            message = self.inbox.get(timeout=timeout)
        except queue.Empty as empty:
            raise TimeoutError from empty
        if message is None:
            raise WebSocketDisconnect()
        return message

    def close(self) -> None:
        self.inbox.put(None)


def test_demuxer_drops_the_port_prefix_once_per_channel():
    demux = ChannelDemuxer()
    assert demux.feed(b"\x00\x50\x00") == (0, b"")
    assert demux.feed(b"\x01\x50\x00") == (1, b"")
    assert demux.feed(b"\x00hello") == (0, b"hello")
    assert demux.feed(b"\x01oops") == (1, b"oops")


def test_demuxer_handles_a_prefix_split_across_messages():
    demux = ChannelDemuxer()
    assert demux.feed(b"\x00\x50") == (0, b"")
    assert demux.feed(b"\x00\x00data") == (0, b"data")


def test_frame_puts_data_on_channel_zero():
    assert frame(b"abc") == b"\x00abc"


def test_forwards_a_local_connection_through_the_websocket():
    sessions: list[EchoPod] = []
    targets: list[Target] = []

    @contextmanager
    def open_ws(target: Target):
        targets.append(target)
        session = EchoPod(target.port)
        sessions.append(session)
        yield session

    forwarder = PortForwarder(Target("apps", "hello-abc", 80), open_ws)
    thread = threading.Thread(target=forwarder.serve_forever, daemon=True)
    thread.start()
    try:
        with socket.create_connection(("127.0.0.1", forwarder.local_port), timeout=10) as conn:
            conn.sendall(b"ping")
            assert _read_exactly(conn, 4) == b"PING"
    finally:
        forwarder.stop()
        thread.join(DEADLINE_SECONDS)
    assert not thread.is_alive()
    assert targets == [Target("apps", "hello-abc", 80)]
    assert sessions[0].sent[0] == b"\x00ping"
    assert targets[0].path == "/api/v1/namespaces/apps/pods/hello-abc/portforward"


def test_errors_on_the_error_channel_are_reported():
    errors: list[str] = []
    reported = threading.Event()

    class FailingPod(EchoPod):
        def send_bytes(self, data: bytes) -> None:
            self.inbox.put(b"\x01connection refused")
            self.inbox.put(None)

    @contextmanager
    def open_ws(target: Target):
        yield FailingPod(target.port)

    def on_error(message: str) -> None:
        errors.append(message)
        reported.set()

    forwarder = PortForwarder(Target("apps", "hello", 80), open_ws, on_error=on_error)
    thread = threading.Thread(target=forwarder.serve_forever, daemon=True)
    thread.start()
    try:
        with socket.create_connection(("127.0.0.1", forwarder.local_port), timeout=10) as conn:
            conn.sendall(b"x")
            assert reported.wait(DEADLINE_SECONDS)
    finally:
        forwarder.stop()
        thread.join(DEADLINE_SECONDS)
    assert errors == ["connection refused"]


def _read_exactly(conn: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = conn.recv(size - len(data))
        if not chunk:
            pytest.fail(f"connection closed after {data!r}")
        data += chunk
    return data


class PortForwardServer:
    """A loopback WebSocket server speaking the API server's portforward protocol for one
    pod whose port 80 echoes upper-cased bytes (wsproto over a plain socket)."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.requests: list[tuple[str, list[str]]] = []
        self.closed_by_client = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.listener.getsockname()[1]}"

    def close(self) -> None:
        self.listener.close()
        self.thread.join(DEADLINE_SECONDS)

    def _serve(self) -> None:
        try:
            conn, _ = self.listener.accept()
        except OSError:
            return
        with conn:
            self._session(conn)

    def _session(self, conn: socket.socket) -> None:
        from wsproto import ConnectionType, WSConnection
        from wsproto.events import (
            AcceptConnection,
            BytesMessage,
            CloseConnection,
            Request,
        )

        ws = WSConnection(ConnectionType.SERVER)
        conn.settimeout(DEADLINE_SECONDS)
        while True:
            data = conn.recv(65536)
            ws.receive_data(data or None)
            for event in ws.events():
                if isinstance(event, Request):
                    self.requests.append((event.target, list(event.subprotocols)))
                    conn.sendall(ws.send(AcceptConnection(subprotocol=event.subprotocols[0])))
                    port = (80).to_bytes(2, "little")
                    conn.sendall(ws.send(BytesMessage(data=b"\x00" + port)))
                    conn.sendall(ws.send(BytesMessage(data=b"\x01" + port)))
                elif isinstance(event, BytesMessage):
                    payload = bytes(event.data)
                    conn.sendall(ws.send(BytesMessage(data=b"\x00" + payload[1:].upper())))
                elif isinstance(event, CloseConnection):
                    self.closed_by_client = True
                    conn.sendall(ws.send(event.response()))
                    return
            if not data:
                return


def test_forwards_through_a_real_websocket_handshake():
    """The httpx2 client lightkube uses, against a WebSocket server speaking the protocol."""
    import httpx2

    from spinkube.plugin.portforward import PROTOCOL, websocket_opener

    server = PortForwardServer()
    client = httpx2.Client(base_url=server.url)
    forwarder = PortForwarder(Target("apps", "hello-abc", 80), websocket_opener(client))
    thread = threading.Thread(target=forwarder.serve_forever, daemon=True)
    thread.start()
    try:
        with socket.create_connection(("127.0.0.1", forwarder.local_port), timeout=10) as conn:
            conn.sendall(b"hello")
            assert _read_exactly(conn, 5) == b"HELLO"
        server.thread.join(DEADLINE_SECONDS)  # closing locally closes the WebSocket
    finally:
        forwarder.stop()
        thread.join(DEADLINE_SECONDS)
        server.close()
        client.close()
    assert server.closed_by_client
    assert server.requests == [
        ("/api/v1/namespaces/apps/pods/hello-abc/portforward?ports=80", [PROTOCOL])
    ]
