"""The real host backend: wasmtime components through :mod:`spinkube.runtime.wasm`.

The modules are imported here, in the parent: importing wasmtime creates no engine and no thread,
and forked workers then start with them loaded (~70 ms each saved).
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import time
from collections.abc import Mapping
from pathlib import Path

from spinkube.runtime.errors import StartupError
from spinkube.runtime.hostapi import HostApis
from spinkube.runtime.plan import ComponentPlan, ServePlan
from spinkube.runtime.trigger.dispatch import LateDispatch
from spinkube.runtime.wasm.api import ComponentContext, TriggerHost
from spinkube.runtime.wasm.cache import CompileCache, default_cache_dir
from spinkube.runtime.wasm.engine import EngineSettings
from spinkube.runtime.wasm.runtime import WasmRuntime

log = logging.getLogger(__name__)


class WasmBackend:
    """Compiles into the on-disk cache (``precompile``) and loads from it (``build``)."""

    def __init__(self, *, cache_dir: Path | None = None) -> None:
        """``cache_dir`` is ``--cache-dir``: compiled components go to its ``wasm/``."""
        self._cache_dir = cache_dir / "wasm" if cache_dir else None
        self._verified: dict[Path, str] = {}
        """wasm file -> sha256 whose cache entry the parent verified (see ``is_compiled``)."""

    def is_compiled(self, plan: ServePlan) -> bool:
        """Whether every component has a good compile-cache entry (no engine needed).

        Runs in the parent before the workers fork: the digests it verified are remembered, so
        the workers load their entries without hashing the wasm and the entry again.
        """
        cache = CompileCache(self._cache_dir or default_cache_dir(), EngineSettings())
        for component in plan.components:
            digest = _sha256(component.wasm)
            if not cache.verify(digest):
                return False
            self._verified[component.wasm] = digest
        return True

    def precompile(self, plan: ServePlan) -> None:
        runtime = WasmRuntime(cache_dir=self._cache_dir)
        for component in plan.components:
            started = time.monotonic()
            try:
                runtime.compile(component.wasm)
            except Exception as exc:  # wasmtime's errors carry no stable type
                raise StartupError(
                    f"component {component.id!r}: cannot compile {component.wasm}: {_first(exc)}"
                ) from None
            log.debug("component %s ready in %.2fs", component.id, time.monotonic() - started)

    def build(
        self, plan: ServePlan, *, dispatch: LateDispatch | None = None
    ) -> Mapping[str, TriggerHost]:
        """Loads every component with its host APIs (this process's stores; requests to the app
        itself go through ``dispatch`` once it is bound to the trigger)."""
        runtime = WasmRuntime(
            cache_dir=self._cache_dir, max_instance_memory=plan.max_instance_memory
        )
        dispatch = dispatch or LateDispatch()
        apis = HostApis(
            plan.stores, self_dispatch=dispatch.self_request, chain_dispatch=dispatch.chain
        )
        hosts: dict[str, TriggerHost] = {}
        for component in plan.components:
            try:
                hosts[component.id] = runtime.load(
                    component.wasm,
                    _context(component, apis),
                    verified_digest=self._verified.get(component.wasm),
                )
            except Exception as exc:
                raise StartupError(
                    f"component {component.id!r}: cannot load {component.wasm}: {_first(exc)}"
                ) from None
        return hosts


def _context(component: ComponentPlan, apis: HostApis) -> ComponentContext:
    context = component.context
    granted = apis.for_component(
        component.id,
        key_value_stores=context.key_value_stores,
        sqlite_databases=context.sqlite_databases,
        allowed_hosts=component.allowed_hosts,
    )
    return dataclasses.replace(context, apis=granted)


def _first(exc: Exception) -> str:
    lines = [line for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


def _sha256(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()
