"""A small CRI client (``runtime.v1.RuntimeService`` over containerd's gRPC socket) that drives
a pod as the kubelet does: RunPodSandbox, CreateContainer, StartContainer, ContainerStatus,
ContainerStats, StopContainer, RemoveContainer, StopPodSandbox, RemovePodSandbox.

Only the messages and fields these calls need are declared, with the CRI's field numbers (no
.proto file on this machine kind ships the CRI API); the classes are built at import time.
Needs ``grpcio`` (dev extra).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

SERVICE = "/runtime.v1.RuntimeService/"
_F = descriptor_pb2.FieldDescriptorProto
_STRING, _BOOL, _INT64, _UINT32, _UINT64, _INT32, _MSG = (
    _F.TYPE_STRING, _F.TYPE_BOOL, _F.TYPE_INT64, _F.TYPE_UINT32, _F.TYPE_UINT64, _F.TYPE_INT32,
    _F.TYPE_MESSAGE,
)  # fmt: skip
_REPEATED = "repeated"

# message -> [(field, number, type, message type or "", "repeated" or "")]
_MESSAGES: dict[str, list[tuple[str, int, int, str, str]]] = {
    "KeyValue": [("key", 1, _STRING, "", ""), ("value", 2, _STRING, "", "")],
    "PodSandboxMetadata": [
        ("name", 1, _STRING, "", ""), ("uid", 2, _STRING, "", ""),
        ("namespace", 3, _STRING, "", ""), ("attempt", 4, _UINT32, "", ""),
    ],
    "LinuxPodSandboxConfig": [("cgroup_parent", 1, _STRING, "", "")],
    "PodSandboxConfig": [
        ("metadata", 1, _MSG, "PodSandboxMetadata", ""), ("hostname", 2, _STRING, "", ""),
        ("log_directory", 3, _STRING, "", ""), ("linux", 8, _MSG, "LinuxPodSandboxConfig", ""),
    ],
    "RunPodSandboxRequest": [
        ("config", 1, _MSG, "PodSandboxConfig", ""), ("runtime_handler", 2, _STRING, "", ""),
    ],
    "RunPodSandboxResponse": [("pod_sandbox_id", 1, _STRING, "", "")],
    "ContainerMetadata": [("name", 1, _STRING, "", ""), ("attempt", 2, _UINT32, "", "")],
    "ImageSpec": [("image", 1, _STRING, "", "")],
    "LinuxContainerResources": [("memory_limit_in_bytes", 4, _INT64, "", "")],
    "LinuxContainerConfig": [("resources", 1, _MSG, "LinuxContainerResources", "")],
    "ContainerConfig": [
        ("metadata", 1, _MSG, "ContainerMetadata", ""), ("image", 2, _MSG, "ImageSpec", ""),
        ("command", 3, _STRING, "", _REPEATED), ("args", 4, _STRING, "", _REPEATED),
        ("envs", 6, _MSG, "KeyValue", _REPEATED), ("log_path", 11, _STRING, "", ""),
        ("linux", 15, _MSG, "LinuxContainerConfig", ""),
    ],
    "CreateContainerRequest": [
        ("pod_sandbox_id", 1, _STRING, "", ""), ("config", 2, _MSG, "ContainerConfig", ""),
        ("sandbox_config", 3, _MSG, "PodSandboxConfig", ""),
    ],
    "CreateContainerResponse": [("container_id", 1, _STRING, "", "")],
    "ContainerIdRequest": [("container_id", 1, _STRING, "", "")],
    "StopContainerRequest": [
        ("container_id", 1, _STRING, "", ""), ("timeout", 2, _INT64, "", ""),
    ],
    "PodSandboxIdRequest": [("pod_sandbox_id", 1, _STRING, "", "")],
    "Empty": [],
    "ContainerStatus": [
        ("id", 1, _STRING, "", ""), ("state", 3, _INT32, "", ""),
        ("exit_code", 7, _INT32, "", ""), ("reason", 10, _STRING, "", ""),
        ("message", 11, _STRING, "", ""),
    ],
    "ContainerStatusRequest": [
        ("container_id", 1, _STRING, "", ""), ("verbose", 2, _BOOL, "", ""),
    ],
    "ContainerStatusResponse": [("status", 1, _MSG, "ContainerStatus", "")],
    "UInt64Value": [("value", 1, _UINT64, "", "")],
    "MemoryUsage": [
        ("timestamp", 1, _INT64, "", ""), ("working_set_bytes", 2, _MSG, "UInt64Value", ""),
    ],
    "ContainerStats": [("memory", 3, _MSG, "MemoryUsage", "")],
    "ContainerStatsResponse": [("stats", 1, _MSG, "ContainerStats", "")],
}  # fmt: skip

CONTAINER_RUNNING, CONTAINER_EXITED = 1, 2


def _build() -> dict[str, Any]:
    proto = descriptor_pb2.FileDescriptorProto(
        name="spinkube/testing/cri_subset.proto", package="runtime.v1", syntax="proto3"
    )
    for name, fields in _MESSAGES.items():
        message = proto.message_type.add(name=name)
        for field_name, number, kind, type_name, label in fields:
            field = message.field.add(name=field_name, number=number, type=kind)
            field.label = _F.LABEL_REPEATED if label == _REPEATED else _F.LABEL_OPTIONAL
            if type_name:
                field.type_name = f".runtime.v1.{type_name}"
    pool = descriptor_pool.DescriptorPool()
    pool.Add(proto)
    return {
        name: message_factory.GetMessageClass(pool.FindMessageTypeByName(f"runtime.v1.{name}"))
        for name in _MESSAGES
    }


M = _build()
"""The message classes by name."""


class CriClient:
    def __init__(self, socket_path: str, *, timeout: float = 120.0) -> None:
        self._channel = grpc.insecure_channel(f"unix://{socket_path}")
        self._timeout = timeout

    def close(self) -> None:
        self._channel.close()

    def _call(self, method: str, request: Any, response: str) -> Any:
        call = self._channel.unary_unary(
            SERVICE + method,
            request_serializer=lambda m: m.SerializeToString(),
            response_deserializer=M[response].FromString,
        )
        return call(request, timeout=self._timeout)

    def run_pod_sandbox(self, config: Any, handler: str) -> str:
        request = M["RunPodSandboxRequest"](config=config, runtime_handler=handler)
        return str(self._call("RunPodSandbox", request, "RunPodSandboxResponse").pod_sandbox_id)

    def create_container(self, sandbox_id: str, config: Any, sandbox_config: Any) -> str:
        request = M["CreateContainerRequest"](
            pod_sandbox_id=sandbox_id, config=config, sandbox_config=sandbox_config
        )
        return str(self._call("CreateContainer", request, "CreateContainerResponse").container_id)

    def start_container(self, container_id: str) -> None:
        self._call("StartContainer", M["ContainerIdRequest"](container_id=container_id), "Empty")

    def container_status(self, container_id: str) -> Any:
        request = M["ContainerStatusRequest"](container_id=container_id)
        return self._call("ContainerStatus", request, "ContainerStatusResponse").status

    def container_stats(self, container_id: str) -> Any:
        request = M["ContainerIdRequest"](container_id=container_id)
        return self._call("ContainerStats", request, "ContainerStatsResponse").stats

    def stop_container(self, container_id: str, timeout: int = 10) -> None:
        request = M["StopContainerRequest"](container_id=container_id, timeout=timeout)
        self._call("StopContainer", request, "Empty")

    def remove_container(self, container_id: str) -> None:
        self._call("RemoveContainer", M["ContainerIdRequest"](container_id=container_id), "Empty")

    def stop_pod_sandbox(self, sandbox_id: str) -> None:
        self._call("StopPodSandbox", M["PodSandboxIdRequest"](pod_sandbox_id=sandbox_id), "Empty")

    def remove_pod_sandbox(self, sandbox_id: str) -> None:
        request = M["PodSandboxIdRequest"](pod_sandbox_id=sandbox_id)
        self._call("RemovePodSandbox", request, "Empty")


def pod_config(name: str, uid: str, *, cgroup_parent: str, log_directory: str) -> Any:
    return M["PodSandboxConfig"](
        metadata=M["PodSandboxMetadata"](name=name, uid=uid, namespace="default"),
        hostname=name,
        log_directory=log_directory,
        linux=M["LinuxPodSandboxConfig"](cgroup_parent=cgroup_parent),
    )


def container_config(
    name: str,
    image: str,
    *,
    command: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    log_path: str = "",
    memory_limit: int = 0,
) -> Any:
    resources = M["LinuxContainerResources"](memory_limit_in_bytes=memory_limit)
    return M["ContainerConfig"](
        metadata=M["ContainerMetadata"](name=name),
        image=M["ImageSpec"](image=image),
        command=list(command),
        envs=[M["KeyValue"](key=k, value=v) for k, v in (env or {}).items()],
        log_path=log_path,
        linux=M["LinuxContainerConfig"](resources=resources),
    )
