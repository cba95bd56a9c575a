"""Host resources: per-request handle tables and the three-call conversions at the boundary.

A host resource is a ``u32`` rep the host chooses plus a type id. The guest sees a handle; the
host sees the rep, which indexes :class:`ResourceTable`, a dict that lives for one request (a
fresh instance per request means nothing outlives it). Resource type ids are fixed per
(interface without version, resource name), so the 0.2.x minors of one interface share them.
"""

from __future__ import annotations

import ctypes
from typing import Any

from spinkube.runtime.wasm import capi, vals

_type_ids: dict[tuple[str, str], int] = {}


def type_id(interface: str, resource: str) -> int:
    """The host type id of ``interface``'s ``resource`` (assigned once per process)."""
    key = (interface, resource)
    found = _type_ids.get(key)
    if found is None:
        found = _type_ids[key] = len(_type_ids) + 1
    return found


class ResourceTable:
    """The host objects of one request, by rep."""

    __slots__ = ("_next", "objects")

    def __init__(self) -> None:
        self.objects: dict[int, Any] = {}
        self._next = 1

    def add(self, obj: Any) -> int:
        rep = self._next
        self._next = rep + 1
        self.objects[rep] = obj
        return rep

    def get(self, rep: int) -> Any:
        return self.objects[rep]

    def drop(self, rep: int) -> None:
        """Forgets the object; one with an ``on_drop`` method (a pooled connection) is told."""
        dropped = self.objects.pop(rep, None)
        on_drop = getattr(dropped, "on_drop", None)
        if on_drop is not None:
            on_drop()


_any_to_host = capi.resource_any_to_host
_host_rep = capi.resource_host_rep
_host_delete = capi.resource_host_delete
_host_new = capi.resource_host_new
_host_to_any = capi.resource_host_to_any


def rep_of(ctx: int, val_addr: int) -> int:
    """The rep of a borrowed or owned resource argument (every borrow must be taken once)."""
    out = ctypes.c_void_p()
    capi.check(_any_to_host(ctx, vals.read_ptr(val_addr), ctypes.addressof(out)))
    host = out.value
    rep: int = _host_rep(host)
    _host_delete(host)
    return rep


def new_own(ctx: int, rep: int, type_id: int) -> int:
    """A ``resource_any`` pointer for a new owned handle to ``rep``, for a result slot."""
    out = ctypes.c_void_p()
    host = _host_new(True, rep, type_id)
    err = _host_to_any(ctx, host, ctypes.addressof(out))
    _host_delete(host)
    capi.check(err)
    value: int | None = out.value
    assert value is not None
    return value


def write_own(ctx: int, addr: int, rep: int, type_id: int) -> None:
    vals.write_resource(addr, new_own(ctx, rep, type_id))


def own_image(ctx: int, rep: int, type_id: int) -> vals.Image:
    """A 32-byte value image of an owned handle, to box inside a result or option."""
    return vals.image(vals.write_resource, new_own(ctx, rep, type_id))
