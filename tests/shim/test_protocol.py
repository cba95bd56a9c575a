"""The shim's protocol side without containerd: command line, ttrpc framing and concurrency,
events, the Task service state machine, the start/delete handshake, image classification."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from google.protobuf import empty_pb2
from google.protobuf.message import Message

from spinkube.shim import ttrpc
from spinkube.shim.args import ArgsError, parse
from spinkube.shim.cgroups import Cgroup
from spinkube.shim.container import is_linux_container
from spinkube.shim.errors import Code, ShimError
from spinkube.shim.events import envelope
from spinkube.shim.mounts import MS_BIND, MS_RDONLY, MS_REC, parse_options
from spinkube.shim.proto import events_pb2, events_task_pb2, shim_pb2, ttrpc_pb2
from spinkube.shim.service import SERVICE, TaskService
from spinkube.shim.start import group_id, socket_path
from spinkube.testing import eventually

# command line


def test_parses_containerds_go_style_flags():
    args = parse(["-namespace", "k8s.io", "-address=/run/c.sock", "-id", "abc", "-debug", "start"])
    assert (args.action, args.namespace, args.address, args.id, args.debug) == (
        "start", "k8s.io", "/run/c.sock", "abc", True,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["-bogus", "x", "start"], "flag provided but not defined: -bogus"),
        (["-id", "x", "launch"], "action must be one of start, delete"),
    ],
    ids=["unknown-flag", "unknown-action"],
)
def test_rejects_bad_command_lines(argv: list[str], message: str):
    with pytest.raises(ArgsError, match=message):
        parse(argv)


# ttrpc


def test_frames_round_trip_over_a_socket():
    left, right = socket.socketpair()
    with left, right:
        left.sendall(ttrpc.Frame(7, ttrpc.REQUEST, b"payload").encode())
        assert ttrpc.read_frame(right) == ttrpc.Frame(7, ttrpc.REQUEST, b"payload")
        left.close()
        assert ttrpc.read_frame(right) is None


def test_oversized_frames_are_refused():
    with pytest.raises(ttrpc.ProtocolError, match="exceeds"):
        ttrpc.Frame(1, ttrpc.REQUEST, b"x" * (ttrpc.MAX_PAYLOAD + 1)).encode()


@pytest.fixture
def served(tmp_path: Path):
    """A ttrpc server whose ``Wait`` blocks until ``Kill``; yields its socket path."""
    released = threading.Event()

    def handler(service: str, method: str, payload: bytes) -> bytes:
        if method == "Wait":
            released.wait(30)
            return b"waited"
        if method == "Kill":
            released.set()
            return b"killed"
        if method == "State":
            return b"state"
        raise ShimError(Code.UNIMPLEMENTED, f"{method}: unimplemented")

    listener = socket.socket(socket.AF_UNIX)
    path = str(tmp_path / "shim.sock")
    listener.bind(path)
    listener.listen()
    server = ttrpc.Server(listener, handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield path
    released.set()
    server.close()
    thread.join(5)


def _request(stream: int, method: str) -> bytes:
    request = ttrpc_pb2.Request(service=SERVICE, method=method, payload=b"")
    return ttrpc.Frame(stream, ttrpc.REQUEST, request.SerializeToString()).encode()


def test_a_blocked_wait_does_not_hold_up_later_requests_on_the_connection(served: str):
    with socket.socket(socket.AF_UNIX) as conn:
        conn.settimeout(30)
        conn.connect(served)

        def reply() -> tuple[int, bytes]:
            frame = ttrpc.read_frame(conn)
            assert frame is not None
            return frame.stream_id, ttrpc_pb2.Response.FromString(frame.payload).payload

        # Wait cannot finish before Kill arrives, so the first answer must be State's.
        conn.sendall(_request(1, "Wait") + _request(3, "State"))
        assert reply() == (3, b"state")
        # Kill, sent on the same connection while Wait still blocks, releases it.
        conn.sendall(_request(5, "Kill"))
        assert dict([reply(), reply()]) == {1: b"waited", 5: b"killed"}


def test_errors_carry_grpc_codes(served: str):
    with ttrpc.connect(served) as client, pytest.raises(ShimError) as caught:
        client.call(SERVICE, "Checkpoint", b"")
    assert caught.value.code == Code.UNIMPLEMENTED


# events


def test_events_use_the_bare_proto_name_and_the_topic():
    event = events_task_pb2.TaskExit(container_id="c1", pid=42, exit_status=137)
    forward = events_pb2.ForwardRequest.FromString(envelope("k8s.io", event, now=1.5))
    assert forward.envelope.topic == "/tasks/exit"
    assert forward.envelope.namespace == "k8s.io"
    assert forward.envelope.event.type_url == "containerd.events.TaskExit"
    assert events_task_pb2.TaskExit.FromString(forward.envelope.event.value) == event


# the Task service


class FakeContainer:
    kind = "fake"

    def __init__(self) -> None:
        self.pid = 4242
        self.signals: list[tuple[int, bool]] = []
        self.deleted = False

    def start(self) -> None:
        pass

    def kill(self, signal: int, *, all: bool) -> None:
        self.signals.append((signal, all))

    def pids(self) -> list[int]:
        return [self.pid]

    def cgroup(self) -> Cgroup | None:
        return None

    def update(self, resources: object) -> None:
        pass

    def exited(self) -> None:
        pass

    def delete(self) -> None:
        self.deleted = True


class Harness:
    def __init__(self) -> None:
        self.events: list[Message] = []
        self.exit_callbacks: dict[str, object] = {}
        self.container = FakeContainer()
        self.service = TaskService(
            factory=lambda req, mounts: self.container,
            publish=self.events.append,
            watch_exit=lambda task, cb: self.exit_callbacks.__setitem__(task.id, cb),
            shutdown=lambda: None,
        )

    def call(self, method: str, request: Message) -> bytes:
        return self.service.handle(SERVICE, method, request.SerializeToString())

    def exit(self, task_id: str, status: int) -> None:
        self.exit_callbacks[task_id](status)  # type: ignore[operator]

    def topics(self) -> list[str]:
        return [type(e).__name__ for e in self.events]


@pytest.fixture
def harness() -> Harness:
    harness = Harness()
    harness.call("Create", shim_pb2.CreateTaskRequest(id="c1", bundle="/b/c1"))
    return harness


def _status(harness: Harness) -> int:
    reply = harness.call("State", shim_pb2.StateRequest(id="c1"))
    return shim_pb2.StateResponse.FromString(reply).status


def test_task_goes_created_running_stopped_and_wait_returns_the_status(harness: Harness):
    assert _status(harness) == 1  # CREATED
    started = shim_pb2.StartResponse.FromString(
        harness.call("Start", shim_pb2.StartRequest(id="c1"))
    )
    assert started.pid == 4242
    assert _status(harness) == 2  # RUNNING
    waited: list[bytes] = []
    waiter = threading.Thread(
        target=lambda: waited.append(harness.call("Wait", shim_pb2.WaitRequest(id="c1")))
    )
    waiter.start()
    harness.exit("c1", 137)
    waiter.join(10)
    assert shim_pb2.WaitResponse.FromString(waited[0]).exit_status == 137
    assert _status(harness) == 3  # STOPPED
    deleted = shim_pb2.DeleteResponse.FromString(
        harness.call("Delete", shim_pb2.DeleteRequest(id="c1"))
    )
    assert (deleted.pid, deleted.exit_status) == (4242, 137)
    assert harness.container.deleted
    assert harness.topics() == ["TaskCreate", "TaskStart", "TaskExit", "TaskDelete"]


def test_delete_of_a_running_task_is_a_failed_precondition(harness: Harness):
    harness.call("Start", shim_pb2.StartRequest(id="c1"))
    with pytest.raises(ShimError) as caught:
        harness.call("Delete", shim_pb2.DeleteRequest(id="c1"))
    assert caught.value.code == Code.FAILED_PRECONDITION
    assert not harness.container.deleted


def test_kill_all_reaches_the_container(harness: Harness):
    harness.call("Start", shim_pb2.StartRequest(id="c1"))
    harness.call("Kill", shim_pb2.KillRequest(id="c1", signal=9, all=True))
    assert harness.container.signals == [(9, True)]


@pytest.mark.parametrize(
    ("method", "request_", "code"),
    [
        ("State", shim_pb2.StateRequest(id="nope"), Code.NOT_FOUND),
        ("Create", shim_pb2.CreateTaskRequest(id="c1"), Code.ALREADY_EXISTS),
        ("Exec", shim_pb2.ExecProcessRequest(id="c1", exec_id="e1"), Code.UNIMPLEMENTED),
        ("Pause", shim_pb2.PauseRequest(id="c1"), Code.UNIMPLEMENTED),
        ("Stats", shim_pb2.StatsRequest(id="c1"), Code.FAILED_PRECONDITION),
    ],
    ids=["unknown-task", "duplicate", "exec", "pause", "stats-without-cgroup"],
)
def test_calls_fail_with_the_code_containerd_maps(
    harness: Harness, method: str, request_: Message, code: Code
):
    with pytest.raises(ShimError) as caught:
        harness.call(method, request_)
    assert caught.value.code == code


def test_update_passes_linux_resources_json(harness: Harness):
    from google.protobuf import any_pb2

    seen = []
    harness.container.update = seen.append  # type: ignore[method-assign]
    resources = any_pb2.Any(type_url="x", value=b'{"memory": {"limit": 1048576}}')
    reply = harness.call("Update", shim_pb2.UpdateTaskRequest(id="c1", resources=resources))
    assert reply == empty_pb2.Empty().SerializeToString()
    assert seen == [{"memory": {"limit": 1048576}}]


# classification, grouping


def test_the_pause_binary_is_a_linux_container_and_slash_is_not(tmp_path: Path):
    (tmp_path / "pause").write_bytes(b"\x7fELF rest")
    (tmp_path / "pause").chmod(0o755)
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "busybox").write_bytes(b"\x7fELF")
    (tmp_path / "bin" / "busybox").chmod(0o755)
    (tmp_path / "bin" / "sh").symlink_to("busybox")
    (tmp_path / "spin.toml").write_text("")
    env = ["PATH=/bin"]
    assert is_linux_container(["/pause"], env, tmp_path)
    assert is_linux_container(["sh", "-c", "x"], env, tmp_path)
    assert not is_linux_container(["/"], env, tmp_path)
    assert not is_linux_container(["/spin.toml"], env, tmp_path)
    assert not is_linux_container([], env, tmp_path)


def test_pod_containers_group_by_sandbox_id(tmp_path: Path):
    (tmp_path / "config.json").write_text(
        '{"annotations": {"io.kubernetes.cri.sandbox-id": "sandbox1"}}'
    )
    assert group_id(tmp_path, "app1") == "sandbox1"
    assert group_id(tmp_path / "missing", "app1") == "app1"
    path = socket_path("/run/containerd/containerd.sock", "k8s.io", "sandbox1")
    assert path.parent == Path("/run/containerd/s")
    assert len(str(path)) < 108


def test_mount_options_split_into_flags_and_data():
    flags, data = parse_options(["rbind", "ro", "lowerdir=/a:/b", "rw"])
    assert flags == MS_BIND | MS_REC | MS_RDONLY
    assert data == "lowerdir=/a:/b"


# start and delete as containerd runs them


def _shim(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "spinkube.shim", *args],
        cwd=cwd, env=env, capture_output=True, timeout=60, check=False,
    )  # fmt: skip


def test_start_prints_only_the_address_and_leaves_a_server_that_shuts_down(tmp_path: Path):
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    (bundle / "config.json").write_text("{}")
    flags = ["-namespace", "ns1", "-address", str(tmp_path / "c.sock"), "-id", "t1"]
    env = {**os.environ, "TTRPC_ADDRESS": ""}
    done = _shim(*flags, "start", cwd=bundle, env=env)
    address = done.stdout.decode()
    assert done.returncode == 0, done.stderr
    assert address.startswith("unix://")
    assert "\n" not in address
    assert (bundle / "address").read_text() == address
    path = address.removeprefix("unix://")
    with ttrpc.connect(path) as client:
        reply = client.call(
            SERVICE, "Connect", shim_pb2.ConnectRequest(id="t1").SerializeToString()
        )
        shim_pid = shim_pb2.ConnectResponse.FromString(reply).shim_pid
        assert shim_pid > 0
        client.call(SERVICE, "Shutdown", shim_pb2.ShutdownRequest(id="t1").SerializeToString())
    eventually(lambda: not Path(path).exists(), timeout=30)
    eventually(lambda: not Path(f"/proc/{shim_pid}/cmdline").exists()
               or not Path(f"/proc/{shim_pid}/cmdline").read_bytes(), timeout=30)  # fmt: skip


def test_delete_with_nothing_left_is_harmless_and_answers(tmp_path: Path):
    flags = ["-namespace", "ns1", "-address", str(tmp_path / "c.sock"), "-id", "gone"]
    done = _shim(*flags, "-bundle", str(tmp_path), "delete", cwd=tmp_path, env=dict(os.environ))
    assert done.returncode == 0, done.stderr
    response = shim_pb2.DeleteResponse.FromString(done.stdout)
    assert response.exit_status == 137
    assert response.exited_at.seconds > 0
