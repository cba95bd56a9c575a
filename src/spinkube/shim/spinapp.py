"""The Spin app's own process, forked from the shim: set up at Create, serve after Start.

Setup, in the child, in this order: a new session (one process group to signal), the task's
cgroup, the namespaces the spec names by path (the pod's network namespace) and new ones for
those it does not (network, UTS, IPC), a private mount namespace with the spec's bind mounts
applied onto the rootfs (kubelet's ``/runtime-config.toml``, the CA bundle, the service-account
token), stdio to containerd. It then reports "ready" to the shim and waits for Start.

The app then runs with :mod:`spinkube.runtime` as ``spinkube-runtime up`` would, with the
container's environment (containerd-shim-spin's rules, upstream-behaviour §5.3): ``spin.toml``
and ``/runtime-config.toml`` from the rootfs, ``SPIN_HTTP_LISTEN_ADDR`` (``0.0.0.0:80``),
``SPIN_COMPONENTS_TO_RETAIN``, ``SPIN_MAX_INSTANCE_MEMORY``, ``SPIN_VARIABLE_*`` and plain
upper-case variable names; one worker process (density: a pod is scaled by replicas); compiled
components in the node's cache; no access log (as Spin). SIGTERM drains and exits 0.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import tomllib
import traceback
from collections.abc import Mapping, Sequence
from pathlib import Path

from spinkube.runtime import config as cfg
from spinkube.runtime.errors import ExitCode, StartupError
from spinkube.runtime.hosts import WasmBackend
from spinkube.runtime.logs import configure
from spinkube.runtime.serve import up
from spinkube.shim.cgroups import Cgroup
from spinkube.shim.container import CreateSpec
from spinkube.shim.errors import ContainerError
from spinkube.shim.mounts import bind_spec_mounts, make_private_tree

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWNET = 0x40000000
NAMESPACE_FLAGS = {"network": CLONE_NEWNET, "uts": CLONE_NEWUTS, "ipc": CLONE_NEWIPC}
"""Namespaces a Spin app joins (by path) or gets fresh; pid, mount and user are not joined."""
RETAINED_BY = "configured environment variable SPIN_COMPONENTS_TO_RETAIN"
WORKERS = 1
SETUP_FAILED = 125

_libc = ctypes.CDLL(None, use_errno=True)


def fork_app(
    spec: CreateSpec, stdio: Sequence[int], group: Cgroup | None, cache_dir: Path
) -> tuple[int, int]:
    """Forks the app's process; returns (pid, the fd whose write starts it) once it is set up,
    or raises ContainerError with the child's reason."""
    report_r, report_w = os.pipe()
    go_r, go_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child never returns into the shim's code
        code = SETUP_FAILED
        try:
            os.close(report_r)
            os.close(go_w)
            code = _child(spec, stdio, group, cache_dir, report_w, go_r)
        except BaseException as exc:
            with contextlib.suppress(OSError):
                os.write(report_w, f"setting up the Spin app failed: {exc!r}".encode())
            traceback.print_exc()
        finally:
            os._exit(code)
    os.close(report_w)
    os.close(go_r)
    with os.fdopen(report_r, "rb") as report:
        answer = report.read().decode(errors="replace")
    if answer != "ready":
        os.close(go_w)
        raise ContainerError(answer or "the Spin app process died while setting up")
    return pid, go_w


def _child(
    spec: CreateSpec,
    stdio: Sequence[int],
    group: Cgroup | None,
    cache_dir: Path,
    report_fd: int,
    go_fd: int,
) -> int:
    try:
        set_up(spec, stdio, group)
    except (ContainerError, OSError) as exc:
        os.write(report_fd, str(exc).encode())
        return SETUP_FAILED
    os.write(report_fd, b"ready")
    os.close(report_fd)
    _close_inherited(keep={go_fd})
    started = os.read(go_fd, 1)
    os.close(go_fd)
    if not started:
        return 0  # deleted before Start
    return serve(spec, cache_dir)


def set_up(spec: CreateSpec, stdio: Sequence[int], group: Cgroup | None) -> None:
    os.setsid()
    if group is not None:
        group.add(os.getpid())
    join_namespaces(spec.linux.get("namespaces") or ())
    unshare(CLONE_NEWNS)
    make_private_tree()
    bind_spec_mounts(spec.spec.get("mounts") or (), spec.rootfs)
    for target, fd in enumerate(stdio):
        os.dup2(fd, target)
    os.chdir(spec.rootfs)


def join_namespaces(namespaces: Sequence[Mapping[str, str]]) -> None:
    for namespace in namespaces:
        flag = NAMESPACE_FLAGS.get(namespace.get("type", ""))
        if flag is None:
            continue
        path = namespace.get("path")
        if not path:
            unshare(flag)
            continue
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError as exc:
            raise ContainerError(f"{namespace['type']} namespace {path}: {exc.strerror}") from None
        try:
            if _libc.setns(fd, flag) != 0:
                error = os.strerror(ctypes.get_errno())
                raise ContainerError(f"{namespace['type']} namespace {path}: setns: {error}")
        finally:
            os.close(fd)


def unshare(flags: int) -> None:
    if _libc.unshare(flags) != 0:
        raise ContainerError(f"unshare({flags:#x}): {os.strerror(ctypes.get_errno())}")


def _close_inherited(*, keep: set[int]) -> None:
    """The shim's sockets and pipes are not the app's business."""
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        if fd > 2 and fd not in keep:
            with contextlib.suppress(OSError):
                os.close(fd)


def app_environment(spec: CreateSpec) -> dict[str, str]:
    """Every container env var, plus what the runtime's libraries need to find in the rootfs."""
    env = dict(item.split("=", 1) for item in spec.env if "=" in item)
    hostname = spec.spec.get("hostname")
    if hostname and "HOSTNAME" not in env:
        env["HOSTNAME"] = str(hostname)
    bundle = spec.rootfs / "etc/ssl/certs/ca-certificates.crt"
    if bundle.is_file() and "SSL_CERT_FILE" not in env:
        env["SSL_CERT_FILE"] = str(bundle)
    return env


def serve(spec: CreateSpec, cache_dir: Path) -> int:
    """Runs the app until SIGTERM; the exit code; startup errors as one ``error:`` line."""
    signal.pthread_sigmask(signal.SIG_SETMASK, set())
    for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGCHLD):
        signal.signal(number, signal.SIG_DFL)
    environ = app_environment(spec)
    os.environ.clear()
    os.environ.update(environ)
    configure("plain")
    try:
        config = up_config(spec.rootfs, environ, cache_dir)
        check_trigger_types(config.app.source)
        return up(config, backend=WasmBackend(cache_dir=cache_dir), retained_by=RETAINED_BY)
    except StartupError as exc:
        print(f"error: {exc.message}", file=sys.stderr, flush=True)
        return int(exc.exit_code) or 1
    except Exception:
        traceback.print_exc()
        return int(ExitCode.APP)
    finally:
        sys.stderr.flush()


SUPPORTED_TRIGGERS = ("http", "redis", "sqs", "command", "mqtt", "cron")
"""containerd-shim-spin's triggers, and ``cron``, which upstream refuses (its issue #129) and the
runtime runs; the runtime's loader then refuses what it does not run itself."""


def check_trigger_types(source: str) -> None:
    """Upstream's refusal of trigger types it does not know (upstream-behaviour §5.3), before
    the manifest is loaded; a manifest that does not parse is left to the loader's message."""
    try:
        manifest = tomllib.loads(Path(source).read_text())
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return
    for trigger_type in _trigger_types(manifest):
        if trigger_type not in SUPPORTED_TRIGGERS:
            raise StartupError(
                "Only Http, Redis, MQTT, SQS, Command, and Cron triggers are currently supported. "
                f'Found unsupported trigger: "{trigger_type}"'
            )


def _trigger_types(manifest: Mapping[str, object]) -> list[str]:
    """``[[trigger.<type>]]`` tables (manifest v2), or v1's ``trigger = {type = ...}``."""
    trigger = manifest.get("trigger")
    if not isinstance(trigger, dict):
        return []
    if manifest.get("spin_manifest_version") == 2:
        return [str(name) for name in trigger]
    return [str(trigger["type"])] if "type" in trigger else []


def up_config(rootfs: Path, environ: Mapping[str, str], cache_dir: Path) -> cfg.UpConfig:
    return cfg.UpConfig(
        server=cfg.ServerConfig(
            listen=cfg.listen_address(None, environ), workers=WORKERS, access_log=False
        ),
        app=cfg.AppConfig(
            source=str(rootfs / "spin.toml"),
            runtime_config_file=cfg.runtime_config_file(
                None, default=rootfs / cfg.DEFAULT_RUNTIME_CONFIG.name
            ),
            components=cfg.retained_components((), environ),
            state_dir=rootfs / ".spin",
            cache_dir=cache_dir,
            max_instance_memory=cfg.max_instance_memory(None, environ),
            environ=environ,
        ),
    )
