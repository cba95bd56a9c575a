"""Listen addresses and the per-worker ``SO_REUSEPORT`` listeners."""

from __future__ import annotations

import errno
import socket

from spinkube.runtime.errors import ListenError, UsageError

BACKLOG = 1024


def parse_listen(address: str) -> tuple[str, int]:
    """``host:port`` or ``[v6]:port`` into its parts; the port is required, as in Spin."""
    host, sep, port_text = address.rpartition(":")
    if not sep or not port_text.isdigit() or not host:
        raise UsageError(f"invalid listen address {address!r}: expected HOST:PORT")
    port = int(port_text)
    if port > 65535:
        raise UsageError(f"invalid listen address {address!r}: port out of range")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    return host, port


def bind_listeners(address: str, count: int) -> list[socket.socket]:
    """``count`` listening sockets on one address, each with ``SO_REUSEPORT``.

    An exclusive probe bind comes first, so that a port already served by anyone (even another
    ``SO_REUSEPORT`` group of the same user) is reported instead of silently shared.
    """
    host, port = parse_listen(address)
    family, sockaddr = _resolve(address, host, port)
    probe = _socket(address, family, reuse_port=False)
    try:
        _bind(probe, sockaddr, address)
        port = probe.getsockname()[1]
    finally:
        probe.close()
    sockaddr = (sockaddr[0], port, *sockaddr[2:])
    listeners: list[socket.socket] = []
    try:
        for _ in range(count):
            sock = _socket(address, family, reuse_port=True)
            listeners.append(sock)
            _bind(sock, sockaddr, address)
            sock.listen(BACKLOG)
            sock.setblocking(False)
    except BaseException:
        for sock in listeners:
            sock.close()
        raise
    return listeners


def bound_address(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _resolve(address: str, host: str, port: int) -> tuple[socket.AddressFamily, tuple[object, ...]]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise ListenError(f"cannot listen on {address}: {exc.strerror}") from None
    family, _type, _proto, _name, sockaddr = infos[0]
    return family, tuple(sockaddr)


def _socket(address: str, family: socket.AddressFamily, *, reuse_port: bool) -> socket.socket:
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    if family == socket.AF_INET6:
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    return sock


def _bind(sock: socket.socket, sockaddr: tuple[object, ...], address: str) -> None:
    try:
        sock.bind(sockaddr)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise ListenError(f"cannot listen on {address}: address already in use") from None
        if exc.errno == errno.EACCES:
            raise ListenError(f"cannot listen on {address}: permission denied") from None
        raise ListenError(f"cannot listen on {address}: {exc.strerror}") from None
