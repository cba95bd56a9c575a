"""A pod through containerd's CRI plugin, as the kubelet drives it (RunPodSandbox,
CreateContainer, StartContainer, ContainerStats, StopContainer, RemoveContainer,
StopPodSandbox, RemovePodSandbox), with the ``spin`` handler: the pause sandbox runs through the
shim's runc path and the Spin app joins the sandbox's network namespace."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from spinkube.testing import eventually
from spinkube.testing.containerd import (
    CNI_BIN_DIR,
    Containerd,
    busybox_files,
    containerd_missing,
    image_tar,
    running_containerd,
)

grpc = pytest.importorskip("grpc", reason="the CRI client needs grpcio (dev extra)")
from spinkube.testing import cri  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
PAUSE_REF = "docker.io/local/pause:1"
HELLO_REF = "docker.io/local/hello:1"
pytestmark = pytest.mark.slow


@pytest.fixture
def cri_containerd(tmp_path: Path, shim_cache: Path) -> Iterator[Containerd]:
    reason = containerd_missing()
    if reason:
        pytest.skip(reason)
    if not (CNI_BIN_DIR / "ptp").exists():
        pytest.skip("Debian's containernetworking-plugins are not installed (scripts/setup.sh)")
    net = tmp_path / "net.d"
    net.mkdir()
    (net / "10-pods.conflist").write_text(json.dumps(_point_to_point(tmp_path)))
    env = {"SPINKUBE_SHIM_CACHE_DIR": str(shim_cache)}
    venv_bin = Path(sys.executable).parent
    with running_containerd(
        path=[venv_bin], cri=True, sandbox_image=PAUSE_REF, cni_conf_dir=net, env=env
    ) as ctrd:
        pause = {**busybox_files()}
        cmd = ["/bin/sleep", "2147483647"]
        ctrd.import_image(image_tar(tmp_path / "pause.tar", PAUSE_REF, pause, cmd=cmd))
        hello = REPO / "apps" / "hello"
        files = {"spin.toml": hello / "spin.toml", "app.wasm": hello / "app.wasm"}
        ctrd.import_image(image_tar(tmp_path / "hello.tar", HELLO_REF, files))
        yield ctrd


def _point_to_point(tmp_path: Path) -> dict[str, object]:
    """A CNI network of its own (unique name, random 10.x subnet, IPAM state in the temp dir):
    Debian's ``ptp`` plugin, whose host side goes away with the pod."""
    subnet = f"10.{random.randint(200, 250)}.{random.randint(0, 255)}.0/24"
    ipam = {"type": "host-local", "subnet": subnet, "dataDir": str(tmp_path / "ipam")}
    return {
        "cniVersion": "1.0.0",
        "name": f"spinkube-test-{uuid.uuid4().hex[:8]}",
        "plugins": [{"type": "ptp", "ipMasq": False, "ipam": ipam}, {"type": "loopback"}],
    }


def test_kubelet_style_pod_runs_the_spin_app_in_the_sandbox_network(
    cri_containerd: Containerd, tmp_path: Path
):
    ctrd = cri_containerd
    client = cri.CriClient(str(ctrd.address))
    logs = tmp_path / "pods"
    logs.mkdir()
    uid = uuid.uuid4().hex
    sandbox_config = cri.pod_config(
        "hello-pod", uid, cgroup_parent=ctrd.cgroup_parent, log_directory=str(logs)
    )
    try:
        sandbox = _eventually_ok(lambda: client.run_pod_sandbox(sandbox_config, "spin"))
        config = cri.container_config(
            "hello", HELLO_REF, command=["/"], log_path="hello.log", memory_limit=256 << 20
        )
        container = client.create_container(sandbox, config, sandbox_config)
        client.start_container(container)
        app_pid = _task_pid(ctrd, container)
        netns = f"/proc/{app_pid}/ns/net"
        assert eventually(lambda: _get(netns), timeout=60) == "Hello world from Spin!"
        assert _task_pid(ctrd, sandbox) != app_pid
        assert Path(f"/proc/{_task_pid(ctrd, sandbox)}/ns/net").readlink() == Path(netns).readlink()

        stats = client.container_stats(container)
        assert stats.memory.working_set_bytes.value > 0
        cgroup = Path("/sys/fs/cgroup/memory") / ctrd.cgroup_parent.strip("/") / container
        if cgroup.exists():  # cgroup v1 (hybrid) hosts
            assert (cgroup / "memory.limit_in_bytes").read_text().strip() == str(256 << 20)
        log = logs / "hello.log"
        eventually(lambda: log.exists() and "serving hello" in log.read_text(), timeout=30)

        client.stop_container(container, timeout=10)
        status = client.container_status(container)
        assert (status.state, status.exit_code) == (cri.CONTAINER_EXITED, 0)
        client.remove_container(container)
        client.stop_pod_sandbox(sandbox)
        client.remove_pod_sandbox(sandbox)
    finally:
        client.close()

    def clean() -> bool:
        assert ctrd.leftovers() == []
        return True

    eventually(clean, timeout=60)


def _eventually_ok(call: Callable[[], str]) -> str:
    """The CRI plugin may see images imported with ctr a moment later."""

    def attempt() -> str:
        try:
            return call()
        except grpc.RpcError as exc:
            if "not found" in str(exc):
                raise AssertionError(str(exc)) from None
            raise

    return eventually(attempt, timeout=30)


def _task_pid(ctrd: Containerd, task_id: str) -> int:
    line = next(ln for ln in ctrd.ctr("task", "ls").stdout.splitlines() if ln.startswith(task_id))
    return int(line.split()[1])


def _get(netns: str) -> str | None:
    done = subprocess.run(
        ["nsenter", f"--net={netns}", "busybox", "wget", "-q", "-O-", "http://127.0.0.1:80/"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    return done.stdout if done.returncode == 0 else None
