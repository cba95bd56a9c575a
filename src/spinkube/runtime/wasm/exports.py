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
    ptr = capi.address(component)
    iface = handler_name(engine, component).encode()
    parent = capi.component_get_export_index(ptr, None, iface, len(iface))
    if not parent:
        raise GuestError("cannot find the incoming-handler export")
    try:
        func = capi.component_get_export_index(ptr, parent, b"handle", 6)
    finally:
        capi.export_index_delete(parent)
    if not func:
        raise GuestError("the incoming-handler export has no handle function")
    return int(func)
