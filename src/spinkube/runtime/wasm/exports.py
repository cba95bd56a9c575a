"""Finding the ``handle`` export of a component's ``wasi:http/incoming-handler@0.2.x``."""

from __future__ import annotations

import wasmtime
from wasmtime.component import Component

from spinkube.runtime.wasm import capi
from spinkube.runtime.wasm.api import GuestError

HANDLER = "wasi:http/incoming-handler@0.2."


def handler_name(engine: wasmtime.Engine, component: Component) -> str:
    for name in component.type.exports(engine):
        if name.startswith(HANDLER):
            return name
    raise GuestError(
        "the component does not export wasi:http/incoming-handler@0.2.x "
        "(a WASIp3 guest, such as one built with spin-sdk 5, is not supported)"
    )


def handler_export_index(engine: wasmtime.Engine, component: Component) -> int:
    """The component-level export index of ``handle``: valid for every instance of it."""
    return func_export_index(component, handler_name(engine, component), "handle")


def exported_interface(engine: wasmtime.Engine, component: Component, prefix: str) -> str | None:
    """The full name of the exported interface starting with ``prefix``, or None."""
    return next((n for n in component.type.exports(engine) if n.startswith(prefix)), None)


def func_export_index(component: Component, interface: str, func: str) -> int:
    """The export index of ``func`` in the exported ``interface`` (its full, versioned name)."""
    ptr = capi.address(component)
    iface = interface.encode()
    parent = capi.component_get_export_index(ptr, None, iface, len(iface))
    if not parent:
        raise GuestError(f"cannot find the {interface} export")
    try:
        name = func.encode()
        index = capi.component_get_export_index(ptr, parent, name, len(name))
    finally:
        capi.export_index_delete(parent)
    if not index:
        raise GuestError(f"the {interface} export has no {func} function")
    return int(index)


def world_func_export_index(component: Component, func: str) -> int | None:
    """The export index of a function the component exports directly (not in an interface),
    such as spin-cron's ``handle-cron-event``; None when it has no such export."""
    ptr = capi.address(component)
    name = func.encode()
    index = capi.component_get_export_index(ptr, None, name, len(name))
    return int(index) if index else None
