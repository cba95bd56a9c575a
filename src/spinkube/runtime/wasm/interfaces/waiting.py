"""Waiting on timer pollables, bounded by the request's deadline.

An epoch deadline interrupts wasm code, not a host call: a guest sleeping in ``poll`` would
outlive its deadline. The wait therefore stops at the deadline itself and traps the guest,
marking the request as timed out so the host reports a timeout, not a plain trap.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from spinkube.runtime.wasm.session import GuestTrapError, RequestState


def is_due(due_ns: int | None, now_ns: int) -> bool:
    return due_ns is None or due_ns <= now_ns


def wait_for_any(state: RequestState, dues: Sequence[int | None]) -> list[int]:
    """The indices of the pollables ready now, waiting for the first one when none is."""
    now = time.monotonic_ns()
    ready = [i for i, due in enumerate(dues) if is_due(due, now)]
    if ready or not dues:
        return ready
    first = min(due for due in dues if due is not None)
    now = sleep_until(state, first)
    return [i for i, due in enumerate(dues) if is_due(due, now)]


def sleep_until(state: RequestState, due_ns: int) -> int:
    """Sleeps until ``due_ns`` and returns the time; traps at the request deadline if earlier."""
    state.before_wait()
    deadline = state.deadline_ns
    limit = due_ns if deadline is None else min(due_ns, deadline)
    now = time.monotonic_ns()
    while now < limit:
        time.sleep((limit - now) / 1e9)
        now = time.monotonic_ns()
    if now < due_ns:
        state.timed_out = True
        raise GuestTrapError("the request deadline passed while the guest was waiting")
    return now
