"""ttrpc, containerd's RPC over unix sockets: 10-byte frame header (``u32 length, u32 stream id,
u8 type, u8 flags``, big-endian), a protobuf ``Request``/``Response`` envelope, odd stream ids
from the client. The server answers each request on its own thread, so a blocking ``Wait``
never holds up the ``Kill`` or ``State`` that arrive after it on the same connection."""

from __future__ import annotations

import contextlib
import logging
import socket
import struct
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from spinkube.shim.errors import Code, ShimError
from spinkube.shim.proto import status_pb2, ttrpc_pb2

log = logging.getLogger(__name__)

HEADER = struct.Struct(">IIBB")
MAX_PAYLOAD = 4 << 20
REQUEST, RESPONSE, DATA = 1, 2, 3

Handler = Callable[[str, str, bytes], bytes]
"""(service, method, request payload) -> response payload; raises ShimError."""


class ProtocolError(Exception):
    pass


@dataclass(frozen=True, slots=True)
class Frame:
    stream_id: int
    type: int
    payload: bytes
    flags: int = 0

    def encode(self) -> bytes:
        if len(self.payload) > MAX_PAYLOAD:
            raise ProtocolError(f"payload of {len(self.payload)} bytes exceeds {MAX_PAYLOAD}")
        return HEADER.pack(len(self.payload), self.stream_id, self.type, self.flags) + self.payload


def read_frame(sock: socket.socket) -> Frame | None:
    """The next frame, or None at a clean end of stream."""
    header = _read_exactly(sock, HEADER.size, eof_ok=True)
    if header is None:
        return None
    length, stream_id, kind, flags = HEADER.unpack(header)
    if length > MAX_PAYLOAD:
        raise ProtocolError(f"frame of {length} bytes exceeds {MAX_PAYLOAD}")
    payload = _read_exactly(sock, length, eof_ok=False) or b""
    return Frame(stream_id, kind, payload, flags)


def _read_exactly(sock: socket.socket, size: int, *, eof_ok: bool) -> bytes | None:
    chunks = bytearray()
    while len(chunks) < size:
        chunk = sock.recv(size - len(chunks))
        if not chunk:
            if eof_ok and not chunks:
                return None
            raise ProtocolError("connection closed inside a frame")
        chunks += chunk
    return bytes(chunks)


def response_payload(result: bytes | ShimError) -> bytes:
    if isinstance(result, ShimError):
        status = status_pb2.Status(code=int(result.code), message=result.message)
        return ttrpc_pb2.Response(status=status).SerializeToString()
    return ttrpc_pb2.Response(payload=result).SerializeToString()


# server


class Server:
    """Serves ``handler`` on a listening unix socket until :meth:`close`."""

    def __init__(self, listener: socket.socket, handler: Handler) -> None:
        self._listener = listener
        self._handler = handler
        self._connections: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._closed = False

    def serve_forever(self) -> None:
        while not self._closed:
            try:
                conn, _addr = self._listener.accept()
            except OSError:
                if self._closed:
                    return
                raise
            with self._lock:
                self._connections.add(conn)
            threading.Thread(target=self._serve_connection, args=(conn,), daemon=True).start()

    def close(self) -> None:
        self._closed = True
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        with self._lock:
            for conn in self._connections:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)

    def file_descriptors(self) -> list[int]:
        with self._lock:
            return [self._listener.fileno(), *(c.fileno() for c in self._connections)]

    def _serve_connection(self, conn: socket.socket) -> None:
        write_lock = threading.Lock()
        try:
            while (frame := read_frame(conn)) is not None:
                if frame.type != REQUEST:
                    continue  # no streams: data frames are ignored
                threading.Thread(
                    target=self._answer, args=(conn, write_lock, frame), daemon=True
                ).start()
        except (OSError, ProtocolError) as exc:
            log.debug("connection ended: %s", exc)
        finally:
            with self._lock:
                self._connections.discard(conn)
            conn.close()

    def _answer(self, conn: socket.socket, write_lock: threading.Lock, frame: Frame) -> None:
        request = ttrpc_pb2.Request.FromString(frame.payload)
        result: bytes | ShimError
        try:
            result = self._handler(request.service, request.method, request.payload)
        except ShimError as exc:
            result = exc
        except Exception as exc:
            log.exception("%s/%s failed", request.service, request.method)
            result = ShimError(Code.INTERNAL, f"{request.method}: {exc}")
        reply = Frame(frame.stream_id, RESPONSE, response_payload(result)).encode()
        with write_lock, contextlib.suppress(OSError):
            conn.sendall(reply)


# client


class Client:
    """A unary ttrpc client (the shim publishing events to containerd; tests calling the shim)."""

    def __init__(self, path: str, *, timeout: float = 10.0) -> None:
        self._sock = socket.socket(socket.AF_UNIX)
        self._sock.settimeout(timeout)
        self._sock.connect(path)
        self._next_stream = 1
        self._lock = threading.Lock()

    def call(
        self, service: str, method: str, payload: bytes, *, metadata: dict[str, str] | None = None
    ) -> bytes:
        request = ttrpc_pb2.Request(service=service, method=method, payload=payload)
        for key, value in (metadata or {}).items():
            request.metadata.add(key=key, value=value)
        with self._lock:
            stream = self._next_stream
            self._next_stream += 2
            self._sock.sendall(Frame(stream, REQUEST, request.SerializeToString()).encode())
            frame = read_frame(self._sock)
        if frame is None:
            raise ProtocolError("connection closed before the response")
        response = ttrpc_pb2.Response.FromString(frame.payload)
        if response.HasField("status") and response.status.code != 0:
            raise ShimError(Code(response.status.code), response.status.message)
        return response.payload

    def close(self) -> None:
        self._sock.close()


@contextlib.contextmanager
def connect(path: str, *, timeout: float = 10.0) -> Iterator[Client]:
    client = Client(path, timeout=timeout)
    try:
        yield client
    finally:
        client.close()
