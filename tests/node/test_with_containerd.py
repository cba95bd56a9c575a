"""The installer on a node whose containerd is real (Debian's, with its own default config): the
SIGHUP ends it, containerd started again (as systemd would) loads the edited config, a task runs
on the installed runtime, and uninstall gives the config back byte for byte.

The node is a temp dir (the harness's containerd dir) used as the host root. containerd runs in
a private mount namespace where the host root's /opt/kwasm is mounted at /opt/kwasm, so the
`runtime_type = "/opt/kwasm/bin/..."` the installer writes names the installed binary, as on a
real node, and nothing is written to this machine's /opt.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tomllib
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from spinkube.rcm.node import installer
from spinkube.rcm.node.containerd_config import CRI_PLUGIN_V2
from spinkube.testing import eventually
from spinkube.testing.containerd import (
    Containerd,
    busybox_files,
    cleanup,
    containerd_missing,
    image_tar,
)

pytestmark = [pytest.mark.containerd, pytest.mark.slow]

RUNTIME = f"rcmtest-{uuid.uuid4().hex[:6]}"
IMAGE = "docker.io/local/busybox:1"
CONFIG = "/etc/containerd/config.toml"
WRAPPER = """#!/bin/sh
# containerd in its own mount namespace, with the node's /opt/kwasm at /opt/kwasm.
exec unshare --mount --propagation private -- /bin/sh -c '
  mount -t tmpfs rcm-node-test /opt && mkdir /opt/kwasm &&
  mount --bind "$0/opt/kwasm" /opt/kwasm && exec "$1" --config "$2"
' {host} {containerd} "$2"
"""


def debian_default_config(node: Path) -> bytes:
    """`containerd config default`, with the node's state, sockets and opt dir moved into it."""
    text = subprocess.run(
        ["containerd", "config", "default"], capture_output=True, text=True, check=True
    ).stdout
    moves = {
        'root = "/var/lib/containerd"': f'root = "{node}/root"',
        'state = "/run/containerd"': f'state = "{node}/state"',
        'address = "/run/containerd/containerd.sock"': f'address = "{node}/run/containerd.sock"',
        'path = "/opt/containerd"': f'path = "{node}/opt/containerd"',
    }
    for old, new in moves.items():
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text.encode()


@pytest.fixture
def node(tmp_path: Path) -> Iterator[Containerd]:
    """A node: host root with Debian's default containerd config, containerd running on it."""
    reason = containerd_missing()
    if reason:
        pytest.skip(reason)
    root = Path(f"/tmp/rcmn-{uuid.uuid4().hex[:8]}")  # short: unix socket paths are limited
    namespace = f"spinkube-test-{uuid.uuid4().hex[:8]}"
    # ctr puts tasks under /<namespace>: the only cgroups cleanup may touch.
    ctrd = Containerd(dir=root, namespace=namespace, cgroup_parent=f"/{namespace}")
    try:
        for sub in ("root", "state", "run", "proc", "opt/kwasm", "etc/containerd", "wrap"):
            (root / sub).mkdir(parents=True)
        (root / CONFIG.lstrip("/")).write_bytes(debian_default_config(root))
        ctrd.config.symlink_to(root / CONFIG.lstrip("/"))
        wrapper = root / "wrap" / "containerd"
        containerd = shutil.which("containerd")
        wrapper.write_text(WRAPPER.format(host=root, containerd=containerd))
        wrapper.chmod(0o755)
        ctrd.env = {**os.environ, "PATH": f"{wrapper.parent}:{os.environ['PATH']}"}
        start(ctrd)
        ctrd.import_image(image_tar(tmp_path / "busybox.tar", IMAGE, busybox_files()))
        yield ctrd
    finally:
        cleanup(ctrd)


def start(ctrd: Containerd) -> None:
    """Start containerd (as systemd does after it exits) and show it in the node's /proc."""
    ctrd.start()
    proc = ctrd.dir / "proc"
    for entry in proc.iterdir():
        entry.unlink()
    (proc / str(ctrd.pid)).symlink_to(f"/proc/{ctrd.pid}")


def exited_on_sighup(ctrd: Containerd) -> bool:
    assert ctrd.process is not None
    return eventually(lambda: ctrd.process is not None and ctrd.process.poll() == -1, timeout=60)


def loaded_runtimes(ctrd: Containerd) -> dict[str, dict[str, object]]:
    """The CRI runtimes containerd reads from its config file (`containerd config dump`)."""
    dump = subprocess.run(
        ["containerd", "--config", str(ctrd.config), "config", "dump"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    cri = tomllib.loads(dump)["plugins"][CRI_PLUGIN_V2]
    return cri["containerd"]["runtimes"]  # type: ignore[no-any-return]


def shim_binary_of(ctrd: Containerd, task: str) -> os.stat_result:
    """The executable of the shim that runs a task (the parent of the task's process)."""
    listing = ctrd.ctr("task", "ls").stdout.splitlines()[1:]
    pid = next(int(line.split()[1]) for line in listing if line.split()[0] == task)
    stat = Path(f"/proc/{pid}/stat").read_text()
    parent = int(stat.rsplit(")", 1)[1].split()[1])
    return os.stat(f"/proc/{parent}/exe")


def test_containerd_runs_a_task_on_the_installed_runtime_and_uninstall_restores_the_config(
    node: Containerd, tmp_path: Path
) -> None:
    original = (node.dir / CONFIG.lstrip("/")).read_bytes()
    assets = tmp_path / "assets"
    assets.mkdir()
    # runc's shim under another name stands in for a Wasm shim: the test needs only a runtime.
    shutil.copy(
        shutil.which("containerd-shim-runc-v2") or "", assets / f"containerd-shim-{RUNTIME}"
    )
    settings = installer.Settings(
        host_root=node.dir,
        runtime=RUNTIME,
        asset_path=assets,
        runtime_options={"SystemdCgroup": "false"},
    )

    outcome = installer.install(settings)

    assert outcome.signalled_pid == node.pid
    assert exited_on_sighup(node)
    start(node)
    plugins = node.ctr("plugins", "ls").stdout.splitlines()
    assert any(line.split()[1:2] == ["cri"] and line.split()[-1] == "ok" for line in plugins)
    runtime = loaded_runtimes(node)[RUNTIME]
    binary = f"/opt/kwasm/bin/containerd-shim-{RUNTIME}"
    assert runtime["runtime_type"] == binary
    assert runtime["options"] == {"SystemdCgroup": False}

    echoed = node.ctr("run", "--rm", "--runtime", binary, IMAGE, "t1", "/bin/echo", "hello")
    assert echoed.stdout.strip() == "hello"
    node.ctr("run", "-d", "--runtime", binary, IMAGE, "t2", "/bin/sleep", "600")
    installed = (node.dir / binary.lstrip("/")).stat()
    shim = shim_binary_of(node, "t2")
    assert (shim.st_dev, shim.st_ino) == (installed.st_dev, installed.st_ino)
    node.ctr("task", "kill", "-s", "SIGKILL", "t2")
    eventually(lambda: "STOPPED" in node.ctr("task", "ls").stdout, timeout=60)
    node.ctr("task", "rm", "t2")
    node.ctr("container", "rm", "t2")

    outcome = installer.uninstall(settings)

    assert outcome.signalled_pid == node.pid
    assert exited_on_sighup(node)
    assert (node.dir / CONFIG.lstrip("/")).read_bytes() == original
    assert not (node.dir / binary.lstrip("/")).exists()
    start(node)
    assert RUNTIME not in loaded_runtimes(node)
