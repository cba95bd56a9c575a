"""Loading a core module (as Rust and TinyGo build Spin apps) beside the same app as a component.

Usage: python benchmarks/runtime/core_modules.py [--runs N] [MODULE ...]
       (default: apps/core-hello/app.wasm apps/core-kv/app.wasm, built by scripts/build-apps.sh)

For each core module, the component that the runtime makes of it is written next to a scratch
compile cache, so both forms load the same code. Then, with a fresh cache each run:

* first load: ``WasmRuntime.compile`` on an empty cache (the module: conversion with wasm-tools
  and the preview1 adapter, compile, store; the component: compile, store);
* warm load: ``compile`` again from a new runtime on that cache (verify and map the entry);
* conversion alone: ``componentize_if_necessary`` on the module's bytes.

Wall-clock milliseconds, median of N runs.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from spinkube.runtime.wasm.componentize import componentize_if_necessary
from spinkube.runtime.wasm.runtime import WasmRuntime

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = [ROOT / "apps" / "core-hello" / "app.wasm", ROOT / "apps" / "core-kv" / "app.wasm"]


def machine() -> str:
    return (
        f"{platform.platform()} | {platform.processor() or platform.machine()} | "
        f"{os.cpu_count()} cores | Python {platform.python_version()}"
    )


def timed_ms(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1e3


def load_times(wasm: Path, scratch: Path) -> tuple[float, float]:
    """(first load, warm load) in ms, on a fresh cache in ``scratch``."""
    cache = Path(tempfile.mkdtemp(dir=scratch))
    first = WasmRuntime(cache_dir=cache)
    cold = timed_ms(lambda: first.compile(wasm))
    second = WasmRuntime(cache_dir=cache)
    warm = timed_ms(lambda: second.compile(wasm))
    assert (second.cache.stats.hits, second.cache.stats.misses) == (1, 0)
    return cold, warm


def report(label: str, runs: list[tuple[float, float]]) -> tuple[float, float]:
    cold = statistics.median(r[0] for r in runs)
    warm = statistics.median(r[1] for r in runs)
    print(f"  {label:<10} first load {cold:8.1f} ms   warm load {warm:6.2f} ms")
    return cold, warm


def bench(module: Path, runs: int, scratch: Path) -> None:
    data = module.read_bytes()
    component = scratch / f"{module.parent.name}.component.wasm"
    component.write_bytes(componentize_if_necessary(data, source=str(module)))
    convert = statistics.median(
        timed_ms(lambda: componentize_if_necessary(data, source=str(module))) for _ in range(runs)
    )
    print(
        f"{module.parent.name}: module {len(data):,} B -> component {component.stat().st_size:,} B"
    )
    print(f"  conversion alone (wasm-tools component new --adapt): {convert:.1f} ms")
    module_cold, module_warm = report("module", [load_times(module, scratch) for _ in range(runs)])
    comp_cold, comp_warm = report(
        "component", [load_times(component, scratch) for _ in range(runs)]
    )
    print(
        f"  module / component: first load x{module_cold / comp_cold:.2f}, "
        f"warm load x{module_warm / comp_warm:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", type=Path, default=DEFAULT)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    print(f"median of {args.runs} runs, each on a fresh compile cache")
    with tempfile.TemporaryDirectory(prefix="core-modules-bench-") as scratch:
        for module in args.modules:
            bench(module, args.runs, Path(scratch))


if __name__ == "__main__":
    main()
