"""Run controllers only while leading, as controller-runtime's manager does.

(leader election: wait for the Lease)  ->  run the controllers while the Lease is renewed
stop (SIGTERM/SIGINT): stop the controllers, release the Lease, 0.
Lease lost or controllers crashed: 1 (Kubernetes restarts the pod, a candidate again).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable
from typing import Any

from spinkube.manager.leader import LeaderElector

logger = logging.getLogger(__name__)

FAILED = 1
"""Exit code after losing the Lease or a crash of the controllers: Kubernetes restarts the pod."""
SHUTDOWN_TIMEOUT = 8.0

Controllers = Callable[[asyncio.Event, asyncio.Event], Awaitable[None]]
"""Runs the controllers until its first event (stop) is set; sets its second (ready) once up."""


def stop_on_signals(stop: asyncio.Event) -> None:
    """SIGTERM and SIGINT set `stop`."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        # Not available outside the main thread (an embedded or test runner) or on Windows:
        # the caller then stops the manager some other way.
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)


async def _first(*aws: asyncio.Future[Any]) -> set[asyncio.Future[Any]]:
    done, _ = await asyncio.wait(aws, return_when=asyncio.FIRST_COMPLETED)
    return set(done)


async def lead_and_run(
    controllers: Controllers, *, stop: asyncio.Event, elector: LeaderElector | None
) -> int:
    """Wait for the Lease (when electing), then run `controllers` until stopped (0), the Lease
    is lost (1) or they crash (1)."""
    stopping = asyncio.ensure_future(stop.wait())
    if elector is not None and not await _acquired(elector, stopping):
        return 0
    code = await _run(controllers, stop, stopping, elector)
    if elector is not None and code == 0:
        await elector.release()
    return code


async def _acquired(elector: LeaderElector, stopping: asyncio.Future[Any]) -> bool:
    """Wait for the Lease; False when stopped first."""
    acquiring = asyncio.ensure_future(elector.acquire())
    if stopping in await _first(acquiring, stopping):
        acquiring.cancel()
        return False
    acquiring.result()  # re-raise what went wrong
    return True


async def _run(
    controllers: Controllers,
    stop: asyncio.Event,
    stopping: asyncio.Future[Any],
    elector: LeaderElector | None,
) -> int:
    inner_stop, inner_ready = asyncio.Event(), asyncio.Event()
    # Every task of ours exists before kopf starts: kopf waits for "hung" tasks created
    # while it ran before it returns.
    losing = asyncio.ensure_future(elector.hold()) if elector else asyncio.Future()
    ready = asyncio.ensure_future(inner_ready.wait())
    running = asyncio.ensure_future(controllers(inner_stop, inner_ready))
    if ready in await _first(ready, running, stopping, losing):
        # kopf installed its own signal handlers; ours stop kopf through its stop flag,
        # which ends its flag waiter at once (kopf waits 5 s for such tasks otherwise).
        stop_on_signals(stop)
        logger.info("controllers started")
    done = await _first(running, stopping, losing)
    code = 0
    if losing in done:
        logger.error("leader election lost: %s; exiting", losing.result())
        code = FAILED
    elif running in done and not running.cancelled() and running.exception():
        logger.error("the controllers stopped: %r", running.exception())
        code = FAILED
    for waiter in (losing, stopping, ready):
        waiter.cancel()
    inner_stop.set()
    with contextlib.suppress(asyncio.TimeoutError, asyncio.CancelledError):
        await asyncio.wait_for(running, SHUTDOWN_TIMEOUT)
    return code
