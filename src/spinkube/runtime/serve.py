"""``spinkube-runtime up`` as a recipe: plan the app, bind, warm the compile cache, fork, serve.

The parent never creates a Wasm engine: compiling happens in a short-lived child that fills the
on-disk compile cache, and each worker loads its components from that cache after the fork. So
no engine threads or locks are ever inherited across ``fork``.

An app with non-HTTP triggers (Redis, MQTT, command, cron) runs them in a child of their own,
beside the HTTP supervisor's child when it has HTTP routes too (see :mod:`spinkube.runtime.group`):
the process ends when either ends, as upstream's shim does.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys
import traceback
from collections.abc import Callable, Mapping
from typing import Protocol

from spinkube.runtime.config import ServerConfig, UpConfig
from spinkube.runtime.errors import ExitCode, StartupError
from spinkube.runtime.group import run_group
from spinkube.runtime.plan import ServePlan, plan_app
from spinkube.runtime.server.sockets import bind_listeners, bound_address
from spinkube.runtime.server.supervisor import Supervisor
from spinkube.runtime.server.worker import WorkerSettings, run_worker
from spinkube.runtime.trigger.dispatch import InProcessDispatch, LateDispatch
from spinkube.runtime.trigger.events import run_event_triggers
from spinkube.runtime.trigger.http import HttpTrigger
from spinkube.runtime.trigger.router import Router
from spinkube.runtime.wasm.api import ComponentHost, TriggerHost

log = logging.getLogger(__name__)


class HostBackend(Protocol):
    """Builds the component hosts; the real one is :class:`spinkube.runtime.hosts.WasmBackend`."""

    def is_compiled(self, plan: ServePlan) -> bool:
        """Whether the compile cache already holds every component (checked in the parent)."""

    def precompile(self, plan: ServePlan) -> None:
        """Fill the compile cache (runs in a child process, never in the parent)."""

    def build(
        self, plan: ServePlan, *, dispatch: LateDispatch | None = None
    ) -> Mapping[str, TriggerHost]:
        """One ready host per component (runs in each worker, after the fork); the host APIs'
        requests to the app itself go through ``dispatch``, bound to the worker's trigger."""


def up(config: UpConfig, *, backend: HostBackend, retained_by: str) -> int:
    plan = plan_app(config.app, retained_by=retained_by)
    # Bind before compiling: a taken port fails at once, not after a cold compile.
    listeners = bind_listeners(config.server.listen, config.server.workers) if plan.has_http else []
    if not backend.is_compiled(plan):
        run_in_child(lambda: backend.precompile(plan))
    mains: list[Callable[[], int]] = []
    if listeners:
        mains.append(lambda: _serve_http(plan, listeners, config, backend))
    if plan.has_events:
        mains.append(lambda: _run_events(plan, config, backend, listeners))
    if len(mains) == 1 and listeners:
        return mains[0]()  # HTTP alone: the supervisor is this process, as ever
    return run_group(mains, grace_s=config.server.grace_s)


def _run_events(
    plan: ServePlan, config: UpConfig, backend: HostBackend, listeners: list[socket.socket]
) -> int:
    for listener in listeners:  # the HTTP child serves them
        listener.close()
    for sub in plan.redis:
        log.info("  redis %s channel %r -> %s", sub.origin, sub.channel, sub.component_id)
    for run in plan.commands:
        log.info("  command -> %s %s", run.component_id, " ".join(config.guest_args))
    for mqtt in plan.mqtt:
        log.info("  mqtt %s topic %r -> %s", mqtt.broker.origin, mqtt.topic, mqtt.component_id)
    for job in plan.cron:
        log.info("  cron %r (UTC) -> %s", job.schedule.expression, job.component_id)
    return run_event_triggers(
        redis=plan.redis,
        commands=plan.commands,
        hosts=backend.build(plan),
        arguments=list(config.guest_args),
        mqtt=plan.mqtt,
        cron=plan.cron,
    )


def _serve_http(
    plan: ServePlan, listeners: list[socket.socket], config: UpConfig, backend: HostBackend
) -> int:
    address = bound_address(listeners[0])
    _announce(plan, address, config.server)
    settings = WorkerSettings(
        max_body=config.server.max_request_body,
        grace_s=config.server.grace_s,
        access_log=config.server.access_log,
        default_authority=address,
        concurrency=config.server.concurrency,
        head_timeout_s=config.server.request_head_timeout_s,
        max_headers=config.server.max_request_headers,
        max_buffered=config.server.max_buffered_response,
    )

    def worker_main(sock: socket.socket) -> int:
        dispatch = LateDispatch()
        trigger = build_trigger(plan, backend.build(plan, dispatch=dispatch), config.server)
        dispatch.bind(InProcessDispatch(trigger, authority=address))
        return run_worker(sock, trigger, settings, stream_handler=trigger.stream)

    return Supervisor(
        listeners=listeners, worker_main=worker_main, grace_s=config.server.grace_s
    ).run()


def build_trigger(
    plan: ServePlan, hosts: Mapping[str, ComponentHost], server: ServerConfig
) -> HttpTrigger:
    return HttpTrigger(
        router=Router(plan.routes),
        hosts=hosts,
        info=plan.info,
        base=plan.app.http_base,
        deadline_s=server.request_timeout_s,
    )


def run_in_child(step: Callable[[], None]) -> None:
    """Run ``step`` in a forked child; its StartupError comes back as the same one-line error."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        # Ctrl-C ends the child at once, even inside a long compile in wasmtime's native code.
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.close(read_fd)
        os._exit(_child_step(step, write_fd))
    os.close(write_fd)
    try:
        with os.fdopen(read_fd, "rb") as pipe:
            message = pipe.read().decode(errors="replace").strip()
    except BaseException:  # Ctrl-C in the parent: the child goes too, before the parent does
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        raise
    _pid, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise StartupError(message or f"preparing the app failed (exit code {code})")


def _child_step(step: Callable[[], None], write_fd: int) -> int:
    try:
        step()
        return 0
    except StartupError as exc:
        os.write(write_fd, exc.message.encode())
        return int(exc.exit_code) or 1
    except BaseException:
        traceback.print_exc()
        return int(ExitCode.APP)
    finally:
        sys.stderr.flush()
        os.close(write_fd)


def _announce(plan: ServePlan, address: str, server: ServerConfig) -> None:
    app = plan.app
    log.info(
        "serving %s %s on http://%s with %d worker(s), %d request(s) at once each",
        app.name,
        app.version,
        address,
        server.workers,
        server.concurrency,
    )
    for route, component_id in plan.routes:
        log.info("  http://%s%s -> %s", address, route, component_id)
