"""Errors the Task service returns: a gRPC status code and a message, which containerd maps with
``errdefs.FromGRPC`` (NotFound, AlreadyExists, FailedPrecondition, Unimplemented...)."""

from __future__ import annotations

from enum import IntEnum


class Code(IntEnum):
    OK = 0
    UNKNOWN = 2
    INVALID_ARGUMENT = 3
    NOT_FOUND = 5
    ALREADY_EXISTS = 6
    FAILED_PRECONDITION = 9
    UNIMPLEMENTED = 12
    INTERNAL = 13
    UNAVAILABLE = 14


class ShimError(Exception):
    def __init__(self, code: Code, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def not_found(what: str) -> ShimError:
    return ShimError(Code.NOT_FOUND, f"{what}: not found")


def failed_precondition(message: str) -> ShimError:
    return ShimError(Code.FAILED_PRECONDITION, message)


class ContainerError(Exception):
    """The container work failed (mount, cgroup, runc, the app's setup): a one-line reason."""
