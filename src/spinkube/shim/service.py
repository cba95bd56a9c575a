"""The Task service (``containerd.task.v2.Task``) over the tasks of one shim (a pod's
containers share it). Protocol only: containers are made by the ``factory`` passed in, events
go to the ``publish`` callable, and the process exit to ``shutdown``; tests pass fakes."""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from google.protobuf import any_pb2, empty_pb2, timestamp_pb2
from google.protobuf.message import Message

from spinkube.shim.container import Container
from spinkube.shim.errors import Code, ContainerError, ShimError, failed_precondition, not_found
from spinkube.shim.mounts import Mount
from spinkube.shim.proto import events_task_pb2 as ev
from spinkube.shim.proto import shim_pb2 as pb
from spinkube.shim.proto import types_task_pb2
from spinkube.shim.task import Status, Task

log = logging.getLogger(__name__)

SERVICE = "containerd.task.v2.Task"
VERSION = "spinkube-shim-spin 0.1.0"
LINUX_RESOURCES_URL = "opencontainers/runtime-spec/1/LinuxResources"

ContainerFactory = Callable[[pb.CreateTaskRequest, tuple[Mount, ...]], Container]
"""Makes and creates the container for a request (raises ContainerError)."""
Publish = Callable[[Message], None]
OnExit = Callable[[Task, Callable[[int], None]], None]
"""Arranges for the callback to get the task's exit status when its init process ends."""


def timestamp(seconds: float) -> timestamp_pb2.Timestamp:
    stamp = timestamp_pb2.Timestamp()
    if seconds:
        stamp.FromNanoseconds(int(seconds * 1e9))
    return stamp


@dataclass
class TaskService:
    factory: ContainerFactory
    publish: Publish
    watch_exit: OnExit
    shutdown: Callable[[], None]
    tasks: dict[str, Task] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, service: str, method: str, payload: bytes) -> bytes:
        if service != SERVICE:
            raise ShimError(Code.UNIMPLEMENTED, f"service {service} is not served by this shim")
        handler = _METHODS.get(method)
        if handler is None:
            raise ShimError(
                Code.UNIMPLEMENTED, f"{method} is not implemented by containerd-shim-spin"
            )
        request_type, call = handler
        response: Message = call(self, request_type.FromString(payload))
        return response.SerializeToString()

    # calls

    def create(self, req: pb.CreateTaskRequest) -> pb.CreateTaskResponse:
        with self._lock:
            if req.id in self.tasks:
                raise ShimError(Code.ALREADY_EXISTS, f"task {req.id}: already exists")
        mounts = tuple(Mount(m.type, m.source, tuple(m.options)) for m in req.rootfs)
        try:
            container = self.factory(req, mounts)
        except ContainerError as exc:
            raise ShimError(Code.UNKNOWN, f"create {req.id}: {exc}") from None
        task = Task(req.id, Path(req.bundle), container, req.stdin, req.stdout, req.stderr)
        with self._lock:
            self.tasks[req.id] = task
        self.watch_exit(task, lambda status: self._exited(task, status))
        event = ev.TaskCreate(container_id=req.id, bundle=req.bundle, pid=task.pid)
        event.rootfs.extend(req.rootfs)
        event.io.CopyFrom(ev.TaskIO(stdin=req.stdin, stdout=req.stdout, stderr=req.stderr))
        self.publish(event)
        return pb.CreateTaskResponse(pid=task.pid)

    def start(self, req: pb.StartRequest) -> pb.StartResponse:
        task = self._init(req.id, req.exec_id)
        if task.status != Status.CREATED:
            raise failed_precondition(f"task {req.id}: cannot start a task that is {_name(task)}")
        try:
            task.container.start()
        except ContainerError as exc:
            raise ShimError(Code.UNKNOWN, f"start {req.id}: {exc}") from None
        task.started()
        self.publish(ev.TaskStart(container_id=req.id, pid=task.pid))
        return pb.StartResponse(pid=task.pid)

    def state(self, req: pb.StateRequest) -> pb.StateResponse:
        task = self._init(req.id, req.exec_id)
        return pb.StateResponse(
            id=task.id,
            bundle=str(task.bundle),
            pid=task.pid,
            status=int(task.status),  # type: ignore[arg-type]
            stdin=task.stdin,
            stdout=task.stdout,
            stderr=task.stderr,
            exit_status=task.exit_status,
            exited_at=timestamp(task.exited_at),
        )

    def wait(self, req: pb.WaitRequest) -> pb.WaitResponse:
        task = self._init(req.id, req.exec_id)
        task.wait()
        return pb.WaitResponse(exit_status=task.exit_status, exited_at=timestamp(task.exited_at))

    def kill(self, req: pb.KillRequest) -> empty_pb2.Empty:
        task = self._init(req.id, req.exec_id)
        if task.status == Status.STOPPED:
            if req.all:
                return empty_pb2.Empty()
            raise ShimError(Code.NOT_FOUND, f"task {req.id}: process already finished")
        try:
            task.container.kill(req.signal, all=req.all)
        except ContainerError as exc:
            raise ShimError(Code.UNKNOWN, f"kill {req.id}: {exc}") from None
        return empty_pb2.Empty()

    def pids(self, req: pb.PidsRequest) -> pb.PidsResponse:
        task = self._init(req.id, "")
        processes = [types_task_pb2.ProcessInfo(pid=p) for p in task.container.pids()]
        return pb.PidsResponse(processes=processes)

    def delete(self, req: pb.DeleteRequest) -> pb.DeleteResponse:
        task = self._init(req.id, req.exec_id)
        if task.status == Status.RUNNING:
            raise failed_precondition(f"task {req.id}: cannot delete a running task")
        if task.status == Status.CREATED:
            task.exited(137)
        try:
            task.container.delete()
        except ContainerError as exc:
            log.warning("delete %s: %s", req.id, exc)
        with self._lock:
            self.tasks.pop(req.id, None)
        at = timestamp(task.exited_at)
        self.publish(
            ev.TaskDelete(
                container_id=req.id, pid=task.pid, exit_status=task.exit_status, exited_at=at
            )
        )
        return pb.DeleteResponse(pid=task.pid, exit_status=task.exit_status, exited_at=at)

    def connect(self, req: pb.ConnectRequest) -> pb.ConnectResponse:
        task = self.tasks.get(req.id)
        return pb.ConnectResponse(
            shim_pid=os.getpid(), task_pid=task.pid if task else 0, version=VERSION
        )

    def shutdown_call(self, req: pb.ShutdownRequest) -> empty_pb2.Empty:
        with self._lock:
            if self.tasks and not req.now:
                return empty_pb2.Empty()
        threading.Thread(target=self._shutdown_soon, daemon=True).start()
        return empty_pb2.Empty()

    def close_io(self, req: pb.CloseIORequest) -> empty_pb2.Empty:
        self._init(req.id, req.exec_id)
        return empty_pb2.Empty()  # stdin is /dev/null: nothing to close

    def stats(self, req: pb.StatsRequest) -> pb.StatsResponse:
        task = self._init(req.id, "")
        group = task.container.cgroup()
        if group is None:
            raise failed_precondition(f"task {req.id}: no cgroup (linux.cgroupsPath is empty)")
        metrics = group.metrics()
        stats = any_pb2.Any(
            type_url=metrics.DESCRIPTOR.full_name, value=metrics.SerializeToString()
        )
        return pb.StatsResponse(stats=stats)

    def update(self, req: pb.UpdateTaskRequest) -> empty_pb2.Empty:
        task = self._init(req.id, "")
        try:
            resources = json.loads(req.resources.value or b"{}")
        except ValueError:
            raise ShimError(Code.INVALID_ARGUMENT, "update: resources are not JSON") from None
        try:
            task.container.update(resources)
        except (ContainerError, OSError) as exc:
            raise ShimError(Code.UNKNOWN, f"update {req.id}: {exc}") from None
        return empty_pb2.Empty()

    # internals

    def _init(self, task_id: str, exec_id: str) -> Task:
        if exec_id:
            raise ShimError(
                Code.UNIMPLEMENTED, f"exec processes ({exec_id}) are not supported by this shim"
            )
        task = self.tasks.get(task_id)
        if task is None:
            raise not_found(f"task {task_id}")
        return task

    def _exited(self, task: Task, status: int) -> None:
        try:
            task.container.exited()
        except Exception:
            log.exception("cleaning up after %s exited", task.id)
        if task.exited(status):
            self.publish(
                ev.TaskExit(
                    container_id=task.id,
                    id=task.id,
                    pid=task.pid,
                    exit_status=status,
                    exited_at=timestamp(task.exited_at),
                )
            )

    def _shutdown_soon(self) -> None:
        time.sleep(0.05)  # let the reply go out first
        self.shutdown()


def _name(task: Task) -> str:
    return task.status.name.lower()


_METHODS: dict[str, tuple[type[Message], Callable[[TaskService, Message], Message]]] = {
    "Create": (pb.CreateTaskRequest, TaskService.create),  # type: ignore[dict-item]
    "Start": (pb.StartRequest, TaskService.start),  # type: ignore[dict-item]
    "State": (pb.StateRequest, TaskService.state),  # type: ignore[dict-item]
    "Wait": (pb.WaitRequest, TaskService.wait),  # type: ignore[dict-item]
    "Kill": (pb.KillRequest, TaskService.kill),  # type: ignore[dict-item]
    "Pids": (pb.PidsRequest, TaskService.pids),  # type: ignore[dict-item]
    "Delete": (pb.DeleteRequest, TaskService.delete),  # type: ignore[dict-item]
    "Connect": (pb.ConnectRequest, TaskService.connect),  # type: ignore[dict-item]
    "Shutdown": (pb.ShutdownRequest, TaskService.shutdown_call),  # type: ignore[dict-item]
    "CloseIO": (pb.CloseIORequest, TaskService.close_io),  # type: ignore[dict-item]
    "Stats": (pb.StatsRequest, TaskService.stats),  # type: ignore[dict-item]
    "Update": (pb.UpdateTaskRequest, TaskService.update),  # type: ignore[dict-item]
}
