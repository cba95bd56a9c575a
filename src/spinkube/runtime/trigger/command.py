"""The command trigger: the component's ``wasi:cli/run`` once, with the command line's arguments;
its exit code is the process's."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from spinkube.runtime.wasm.api import GuestError, TriggerHost

log = logging.getLogger(__name__)

FAILED = 1


@dataclass(frozen=True, slots=True)
class CommandRun:
    trigger_id: str
    component_id: str


def run_command(run: CommandRun, host: TriggerHost, arguments: list[str]) -> int:
    """The exit code: the guest's (0 for ``ok``, 1 for ``err``, or its ``wasi:cli/exit``), and 1
    when it traps."""
    log.info("command trigger %r: running %s %s", run.trigger_id, run.component_id, arguments)
    try:
        code = host.run_command(arguments)
    except GuestError as exc:
        log.error("command trigger %r: %s", run.trigger_id, exc)
        return FAILED
    log.info("command trigger %r: %s exited with code %d", run.trigger_id, run.component_id, code)
    return code
