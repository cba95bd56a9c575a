"""The long-lived shim process (``serve``, started by ``start``): the Task service on the
inherited socket, containers made by runc or the Spin engine, exits from the reaper, events to
containerd. Exits once its last task is deleted and containerd calls Shutdown."""

from __future__ import annotations

import json
import logging
import os
import socket
import sys
import threading
from pathlib import Path

from spinkube.shim import ttrpc
from spinkube.shim.args import ShimArgs
from spinkube.shim.container import Container, CreateSpec, is_linux_container
from spinkube.shim.errors import ContainerError
from spinkube.shim.events import Publisher
from spinkube.shim.mounts import Mount, is_mounted, mount_rootfs, umount
from spinkube.shim.oom import OomWatcher
from spinkube.shim.proto import shim_pb2 as pb
from spinkube.shim.reaper import Reaper, become_subreaper
from spinkube.shim.runc import RuncContainer
from spinkube.shim.service import TaskService
from spinkube.shim.spin import MANIFEST, SpinContainer, no_app_message
from spinkube.shim.task import Task

log = logging.getLogger(__name__)

CACHE_DIR_ENV = "SPINKUBE_SHIM_CACHE_DIR"
DEFAULT_CACHE_DIR = Path("/var/lib/containerd-shim-spin/cache")
LISTEN_FD_ENV = "SPINKUBE_SHIM_LISTEN_FD"


def runc_root(args: ShimArgs) -> Path:
    """``<containerd's socket dir>/runc/<namespace>`` (``/run/containerd/runc/k8s.io`` on a node,
    as containerd-shim-runc-v2 uses)."""
    return Path(args.address).parent / "runc" / args.namespace


def cache_dir() -> Path:
    return Path(os.environ.get(CACHE_DIR_ENV) or DEFAULT_CACHE_DIR)


class Shim:
    def __init__(self, args: ShimArgs) -> None:
        self.args = args
        become_subreaper()
        self.reaper = Reaper()
        self.publisher = Publisher(os.environ.get("TTRPC_ADDRESS", ""), args.namespace)
        self.service = TaskService(
            factory=self.make_container,
            publish=self.publisher.publish,
            watch_exit=self.watch_exit,
            shutdown=self.stop,
        )
        self.oom = OomWatcher(self.service, self.publisher.publish)
        listener = socket.socket(fileno=int(os.environ.pop(LISTEN_FD_ENV)))
        self.server = ttrpc.Server(listener, self.service.handle)
        self._stopped = threading.Event()

    def run(self) -> int:
        self.oom.start()
        self.server.serve_forever()
        self._stopped.wait(5)
        return 0

    def stop(self) -> None:
        self.publisher.close()
        if self.args.socket:
            Path(self.args.socket).unlink(missing_ok=True)
        self.server.close()
        self._stopped.set()

    def watch_exit(self, task: Task, callback: object) -> None:
        self.reaper.on_exit(task.pid, lambda _pid, status: callback(status))  # type: ignore[operator]

    def make_container(self, req: pb.CreateTaskRequest, mounts: tuple[Mount, ...]) -> Container:
        bundle = Path(req.bundle)
        try:
            spec = json.loads((bundle / "config.json").read_text())
        except (OSError, ValueError) as exc:
            raise ContainerError(f"{bundle}/config.json: {exc}") from None
        create = CreateSpec(
            id=req.id,
            bundle=bundle,
            rootfs_mounts=mounts,
            stdout=req.stdout,
            stderr=req.stderr,
            spec=spec,
            namespace=self.args.namespace,
            runc_root=runc_root(self.args),
        )
        if req.terminal:
            raise ContainerError("terminal (tty) containers are not supported by this shim")
        return self._create(create)

    def _create(self, spec: CreateSpec) -> Container:
        kind = self._classify(spec)
        if kind == "runc":
            runc = RuncContainer(spec, self.reaper)
            runc.create()
            return runc
        spin = SpinContainer(spec, cache_dir=cache_dir())
        spin.create()
        return spin

    def _classify(self, spec: CreateSpec) -> str:
        """Looks at the rootfs (mounted for the look, left mounted for the container)."""
        mounted_here = bool(spec.rootfs_mounts) and not is_mounted(spec.rootfs)
        if mounted_here:
            mount_rootfs(spec.rootfs_mounts, spec.rootfs)
        try:
            if is_linux_container(spec.args, spec.env, spec.rootfs):
                return "runc"
            if (spec.rootfs / MANIFEST).is_file():
                return "spin"
            raise ContainerError(no_app_message(spec))
        finally:
            if mounted_here:
                umount(str(spec.rootfs))


def main(args: ShimArgs) -> int:
    logging.raiseExceptions = False  # the log FIFO may be full while containerd restarts
    logging.basicConfig(
        level=logging.DEBUG if args.debug else logging.WARNING,
        format="containerd-shim-spin: %(levelname)s %(message)s",
        stream=sys.stderr,
    )
    return Shim(args).run()
