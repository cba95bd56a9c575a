"""In-process cost of the Wasm host: CPU µs per request (fresh store + instance + handle).

Usage: python benchmarks/runtime/engine_inproc.py [--requests N] [--no-pooling] WASM [WASM ...]

Prints the machine, then one line per component. CPU time (not wall time) so that a busy
machine disturbs the figure less; the compile cache makes repeated runs start fast.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

from spinkube.runtime.wasm.api import ComponentContext, GuestRequest
from spinkube.runtime.wasm.engine import EngineSettings
from spinkube.runtime.wasm.runtime import WasmRuntime

REQUEST = GuestRequest("GET", "/", "http", "localhost", [("host", b"localhost")], b"")


def machine() -> str:
    return (
        f"{platform.platform()} | {platform.processor() or platform.machine()} | "
        f"{os.cpu_count()} cores | Python {platform.python_version()}"
    )


def measure(runtime: WasmRuntime, wasm: Path, requests: int) -> tuple[float, float]:
    host = runtime.load(wasm, ComponentContext(component_id=wasm.stem))
    for _ in range(min(50, requests)):
        host.handle(REQUEST)
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(requests):
        host.handle(REQUEST)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return cpu / requests * 1e6, wall / requests * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("wasm", nargs="+", type=Path)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--no-pooling", action="store_true")
    args = parser.parse_args()
    runtime = WasmRuntime(settings=EngineSettings(pooling=not args.no_pooling))
    print(f"machine: {machine()}")
    print(f"pooling allocator: {not args.no_pooling}, requests per guest: {args.requests}")
    for wasm in args.wasm:
        cpu_us, wall_us = measure(runtime, wasm, args.requests)
        print(
            f"{wasm.parent.name}/{wasm.name}: {cpu_us:8.1f} µs/req CPU  "
            f"{wall_us:8.1f} µs/req wall  "
            f"(~{1e6 / cpu_us:,.0f} req/s per core)"
        )


if __name__ == "__main__":
    main()
