"""How a reconciliation that cannot finish says so: retry later, or give up until a change."""

from __future__ import annotations


class ReconcileError(Exception):
    """The reconciliation stopped; `reason` is the event reason, the message is for users."""

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason


class RetryLater(ReconcileError):  # noqa: N818 (an instruction, not a failure)
    """Something the app needs is missing or unreachable: try again with backoff."""


class Rejected(ReconcileError):  # noqa: N818
    """The object itself is wrong: nothing to do until it changes."""


def backoff(retry: int, *, base: float = 1.0, cap: float = 30.0) -> float:
    """Seconds before retry number `retry` (0, 1, ...): doubling from `base`, at most `cap`."""
    return float(min(cap, base * 2 ** min(retry, 16)))
