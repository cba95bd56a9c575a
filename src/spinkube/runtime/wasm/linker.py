"""Builds a component linker from the component's own imports, on raw C-API callbacks.

Every imported instance is walked: resources are defined as host resources (skipping ``use``
aliases of a resource already defined, which would break type matching), functions get the
provider's implementation or a trap that names the import. The linker is built once per
component and reused by every request.
"""

from __future__ import annotations

import ctypes
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import wasmtime
from wasmtime.component import Component, ComponentInstanceType, FuncType, ResourceType

from spinkube.runtime.wasm import capi, resources
from spinkube.runtime.wasm.interfaces.registry import PROVIDERS, interface_name
from spinkube.runtime.wasm.session import GuestTrapError, HostFn, Session

logger = logging.getLogger(__name__)


@dataclass
class Linked:
    """A built linker and what keeps its callbacks alive."""

    ptr: int
    unprovided: list[str] = field(default_factory=list)
    keep_alive: list[Any] = field(default_factory=list)

    def close(self) -> None:
        if self.ptr:
            capi.linker_delete(self.ptr)
            self.ptr = 0


def trap(message: str) -> HostFn:
    def unprovided(ctx: int, args: int, results: int) -> None:
        raise GuestTrapError(message)

    return unprovided


def callback(fn: HostFn, label: str) -> Any:
    """Wraps a host function body as a C callback; exceptions become guest traps."""
    new_error = capi.new_error

    def invoke(env: int, ctx: int, ty: int, args: int, nargs: int, results: int, nres: int) -> int:
        try:
            fn(ctx, args, results)
        except GuestTrapError as exc:
            return new_error(str(exc))
        except Exception as exc:
            logger.exception("host function %s failed", label)
            return new_error(f"host error in {label}: {exc!r}")
        return 0

    return capi.FUNC_CALLBACK(invoke)


def destructor(session: Session) -> Any:
    def drop(env: int, ctx: int, rep: int) -> int:
        if session.state is not None:
            session.state.table.drop(rep)
        return 0

    return capi.RESOURCE_DTOR(drop)


def _add_instance(parent: int, name: str) -> int:
    out = ctypes.c_void_p()
    raw = name.encode()
    capi.check(capi.linker_instance_add_instance(parent, raw, len(raw), ctypes.addressof(out)))
    value: int | None = out.value
    assert value is not None
    return value


class _Builder:
    def __init__(self, engine: wasmtime.Engine, session: Session) -> None:
        self.engine = engine
        self.session = session
        self.linked = Linked(int(capi.linker_new(capi.address(engine))))
        self.dtor = destructor(session)
        self.linked.keep_alive.append(self.dtor)
        self.seen: list[ResourceType] = []

    def add_func(self, instance: int, name: str, fn: HostFn, label: str) -> None:
        cb = callback(fn, label)
        self.linked.keep_alive.append(cb)
        raw = name.encode()
        capi.check(
            capi.linker_instance_add_func(instance, raw, len(raw), cb, None, capi.NO_FINALIZER)
        )

    def add_resource(self, instance: int, iface: str, name: str, ty: ResourceType) -> None:
        if any(ty == seen for seen in self.seen):
            return
        self.seen.append(ty)
        host_type = capi.resource_type_new_host(resources.type_id(iface, name))
        raw = name.encode()
        try:
            capi.check(
                capi.linker_instance_add_resource(
                    instance, raw, len(raw), host_type, self.dtor, None, capi.NO_FINALIZER
                )
            )
        finally:
            capi.resource_type_delete(host_type)

    def add_import(self, root: int, name: str, ty: ComponentInstanceType) -> None:
        iface = interface_name(name)
        provider = PROVIDERS.get(iface)
        functions: Mapping[str, HostFn] = provider(self.session) if provider else {}
        if provider is None:
            self.linked.unprovided.append(name)
        instance = _add_instance(root, name)
        try:
            for item_name, item in ty.exports(self.engine).items():
                self.add_item(instance, name, iface, item_name, item.ty, functions, provider)
        finally:
            capi.linker_instance_delete(instance)

    def add_item(
        self,
        instance: int,
        name: str,
        iface: str,
        item_name: str,
        item: object,
        functions: Mapping[str, HostFn],
        provider: object,
    ) -> None:
        if isinstance(item, ResourceType):
            self.add_resource(instance, iface, item_name, item)
        elif isinstance(item, FuncType):
            label = f"{name}#{item_name}"
            fn = functions.get(item_name)
            if fn is None:
                fn = trap(f"the host does not provide {label}")
                if provider is not None:
                    self.linked.unprovided.append(label)
            self.add_func(instance, item_name, fn, label)


def build_linker(engine: wasmtime.Engine, component: Component, session: Session) -> Linked:
    """A linker satisfying every import of ``component``; lists what traps in ``unprovided``."""
    builder = _Builder(engine, session)
    root = int(capi.linker_root(builder.linked.ptr))
    try:
        for name, extern in component.type.imports(engine).items():
            ty = extern.ty
            if isinstance(ty, ComponentInstanceType):
                builder.add_import(root, name, ty)
            elif isinstance(ty, FuncType):
                builder.linked.unprovided.append(name)
                builder.add_func(root, name, trap(f"the host does not provide {name}"), name)
            else:
                builder.linked.unprovided.append(name)
    finally:
        capi.linker_instance_delete(root)
    return builder.linked


def summarize(unprovided: list[str]) -> list[str]:
    """One entry per interface: ``iface`` when wholly unprovided, ``iface (N functions)`` when
    only some of its functions are (for a start-up log line)."""
    partly: dict[str, int] = {}
    whole: list[str] = []
    for name in unprovided:
        iface, sep, _ = name.partition("#")
        if sep:
            partly[iface] = partly.get(iface, 0) + 1
        else:
            whole.append(name)
    return whole + [f"{iface} ({n} functions)" for iface, n in partly.items()]
