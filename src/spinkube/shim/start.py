"""The ``start`` action: bind the shim's socket (or reuse the pod's), start the long-lived server
detached from containerd's pipes, write ``address`` in the bundle and print only the address.

Containers of one pod share one shim, grouped by the ``io.kubernetes.cri.sandbox-id``
annotation as containerd-shim-runc-v2 does. Standard library only: this runs for every task.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from spinkube.shim.args import ShimArgs

SANDBOX_ID_ANNOTATION = "io.kubernetes.cri.sandbox-id"
ADDRESS_FILE = "address"


def start(args: ShimArgs, *, bundle: Path) -> str:
    """Returns the ``unix://`` address of the shim serving this task."""
    group = group_id(bundle, args.id)
    path = socket_path(args.address, args.namespace, group)
    if not _serving(path):
        _spawn_server(args, path, bundle)
    address = f"unix://{path}"
    (bundle / ADDRESS_FILE).write_text(address)
    return address


def group_id(bundle: Path, container_id: str) -> str:
    """The pod's sandbox id when the CRI set one, else the container's own id."""
    try:
        spec = json.loads((bundle / "config.json").read_text())
    except (OSError, ValueError):
        return container_id
    annotations = spec.get("annotations") or {}
    return str(annotations.get(SANDBOX_ID_ANNOTATION) or container_id)


def socket_path(containerd_address: str, namespace: str, group: str) -> Path:
    """``<containerd's socket dir>/s/<sha256(address, namespace, group)>`` (short: unix socket
    paths are limited to 108 bytes)."""
    digest = hashlib.sha256(f"{containerd_address}{namespace}{group}".encode()).hexdigest()
    return Path(containerd_address).parent / "s" / digest[:32]


def _serving(path: Path) -> bool:
    if not path.exists():
        return False
    with socket.socket(socket.AF_UNIX) as probe:
        try:
            probe.connect(str(path))
        except OSError:
            path.unlink(missing_ok=True)  # a dead shim's socket
            return False
    return True


def _spawn_server(args: ShimArgs, path: Path, bundle: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o711)
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(path))
    listener.listen(32)
    command = [*self_command(), *_forwarded_flags(args), "-socket", str(path), "serve"]
    with contextlib.ExitStack() as stack:
        log = stack.enter_context(_log_fifo(bundle))
        subprocess.Popen(
            command,
            cwd=bundle,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=log,
            pass_fds=(listener.fileno(),),
            env={**os.environ, "SPINKUBE_SHIM_LISTEN_FD": str(listener.fileno())},
            start_new_session=True,
        )
    listener.close()


def self_command() -> list[str]:
    """How to run this program again: the frozen executable, or this Python with the module."""
    if getattr(sys, "frozen", False):
        return [sys.executable]
    return [sys.executable, "-m", "spinkube.shim"]


def _forwarded_flags(args: ShimArgs) -> list[str]:
    flags = ["-namespace", args.namespace, "-address", args.address, "-id", args.id]
    if args.publish_binary:
        flags += ["-publish-binary", args.publish_binary]
    return [*flags, "-debug"] if args.debug else flags


@contextlib.contextmanager
def _log_fifo(bundle: Path) -> Iterator[int]:
    """containerd reads the bundle's ``log`` FIFO and copies it to its own log; the server's
    stderr goes there (or nowhere when containerd made none). It stays non-blocking: while
    containerd restarts nobody reads it, and the shim must not stall on a log line."""
    fifo = bundle / "log"
    try:
        fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
    except OSError:
        fd = os.open(os.devnull, os.O_WRONLY)
    try:
        yield fd
    finally:
        os.close(fd)
