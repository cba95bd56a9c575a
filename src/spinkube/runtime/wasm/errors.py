"""Turning wasmtime's error text into :class:`GuestError` messages that say what happened."""

from __future__ import annotations

from spinkube.runtime.wasm.api import GuestError, GuestTimeoutError


def cause(message: str) -> str:
    """The root cause of a wasmtime error chain (its last ``Caused by`` entry, or line one)."""
    lines = [line.strip() for line in message.strip().splitlines() if line.strip()]
    if "Caused by:" in lines:
        rest = lines[lines.index("Caused by:") + 1 :]
        if rest:
            return rest[-1].split(": ", 1)[-1] if rest[-1][:2].isdigit() else rest[-1]
    return lines[0] if lines else "unknown error"


def trap_error(message: str, component_id: str, deadline_s: float | None) -> GuestError:
    root = cause(message)
    if deadline_s is not None and "interrupt" in root:
        return GuestTimeoutError(
            f"guest exceeded its {deadline_s} s deadline in component {component_id}"
        )
    root = root.removeprefix("wasm trap: ")
    return GuestError(f"guest trapped: {root} in component {component_id}")


def instantiate_error(message: str, component_id: str) -> GuestError:
    return GuestError(f"cannot instantiate component {component_id}: {cause(message)}")
