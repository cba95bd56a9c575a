"""The per-process Wasm runtime: one engine, compile cache and epoch ticker for all components."""

from __future__ import annotations

import logging
from pathlib import Path

import wasmtime
from wasmtime.component import Component

from spinkube.runtime.wasm.api import ComponentContext
from spinkube.runtime.wasm.cache import CompileCache, default_cache_dir
from spinkube.runtime.wasm.engine import EngineSettings, EpochTicker, engine_ptr, make_engine
from spinkube.runtime.wasm.host import LogLine, WasmComponentHost, print_line
from spinkube.runtime.wasm.linker import summarize

logger = logging.getLogger(__name__)


class WasmRuntime:
    """Loads components into :class:`WasmComponentHost` s sharing one engine.

    Build it in the process that serves (after a pre-fork, not before): engines, the pooling
    allocator and the ticker thread belong to one process.
    """

    def __init__(
        self,
        *,
        settings: EngineSettings | None = None,
        cache_dir: Path | None = None,
        max_instance_memory: int | None = None,
    ) -> None:
        self.settings = settings or EngineSettings()
        self.engine: wasmtime.Engine = make_engine(self.settings)
        self.engine_ptr = engine_ptr(self.engine)
        self.cache = CompileCache(cache_dir or default_cache_dir(), self.settings)
        self.ticker = EpochTicker(self.engine, self.settings.epoch_tick_s)
        self.max_instance_memory = max_instance_memory
        """Bytes one linear memory of an instance may grow to; None: no limit but the pool's."""

    def compile(self, wasm: Path, *, verified_digest: str | None = None) -> Component:
        """The compiled component, through the compile cache (see ``CompileCache.load``)."""
        return self.cache.load(self.engine, wasm, verified_digest=verified_digest)

    def load(
        self,
        wasm: Path,
        context: ComponentContext,
        *,
        log_line: LogLine = print_line,
        verified_digest: str | None = None,
    ) -> WasmComponentHost:
        component = self.compile(wasm, verified_digest=verified_digest)
        host = WasmComponentHost(
            runtime=self, component=component, context=context, log_line=log_line
        )
        if host.unprovided_imports:  # every componentize-py guest has some: not news at INFO
            logger.debug(
                "component %s: imports the host does not provide (they trap when called): %s",
                context.component_id,
                ", ".join(summarize(host.unprovided_imports)),
            )
        return host


def precompile(
    wasm: Path, *, cache_dir: Path | None = None, settings: EngineSettings | None = None
) -> Path:
    """Compiles ``wasm`` into the compile cache ahead of time; returns the cache entry's path.

    Use the same ``settings`` as the serving runtime, or the entry will not match.
    """
    runtime = WasmRuntime(settings=settings, cache_dir=cache_dir)
    runtime.compile(wasm)
    import hashlib

    return runtime.cache.entry_path(hashlib.sha256(wasm.read_bytes()).hexdigest())
