"""The command line containerd gives a shim (Go ``flag`` syntax: ``-name value`` or
``-name=value``, then the action): standard library only, ``start`` must be fast."""

from __future__ import annotations

from dataclasses import dataclass

_VALUE_FLAGS = {"namespace", "address", "publish-binary", "id", "bundle", "socket"}
_BOOL_FLAGS = {"debug", "v"}
ACTIONS = ("start", "delete", "serve")


class ArgsError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class ShimArgs:
    action: str
    namespace: str = ""
    address: str = ""
    """containerd's gRPC socket."""
    publish_binary: str = ""
    id: str = ""
    bundle: str = ""
    socket: str = ""
    """``serve`` only: the socket path ``start`` bound (its fd is inherited)."""
    debug: bool = False
    version: bool = False


def parse(argv: list[str]) -> ShimArgs:
    values: dict[str, str] = {}
    flags: set[str] = set()
    action = ""
    items = iter(argv)
    for item in items:
        if not item.startswith("-"):
            if action:
                raise ArgsError(f"unexpected argument {item!r}")
            action = item
            continue
        name, _, inline = item.lstrip("-").partition("=")
        if name in _BOOL_FLAGS:
            flags.add(name)
        elif name in _VALUE_FLAGS:
            values[name] = inline if "=" in item else next(items, "")
        else:
            raise ArgsError(f"flag provided but not defined: -{name}")
    if "v" not in flags and action not in ACTIONS:
        raise ArgsError(f"action must be one of {', '.join(ACTIONS[:2])}, got {action!r}")
    return ShimArgs(
        action=action,
        namespace=values.get("namespace", ""),
        address=values.get("address", ""),
        publish_binary=values.get("publish-binary", ""),
        id=values.get("id", ""),
        bundle=values.get("bundle", ""),
        socket=values.get("socket", ""),
        debug="debug" in flags,
        version="v" in flags,
    )
