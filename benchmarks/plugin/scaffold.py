"""Wall time of `spin-kube scaffold`, beside a bare Python start-up in the same run.

Usage: python benchmarks/plugin/scaffold.py [--runs N]

Runs each command alternately N times and prints the median and p90 wall time in ms, the
ratio to a bare `python -c pass` (the floor any Python CLI pays) and the target (150 ms).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

TARGET_MS = 150.0
SCAFFOLD = [
    sys.executable,
    "-m",
    "spinkube.plugin",
    "scaffold",
    "--from",
    "ghcr.io/spinkube/containerd-shim-spin/examples/spin-rust-hello:v0.13.0",
    "--autoscaler",
    "hpa",
    "--cpu-limit",
    "100m",
    "--memory-limit",
    "128Mi",
    "--variable",
    "greeting=hello",
]
BARE = [sys.executable, "-c", "pass"]


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.machine(),
    )
    return f"{cpu} | {os.cpu_count()} cores | Python {platform.python_version()}"


def once(command: list[str]) -> float:
    env = {**os.environ, "SPIN_KUBE_DISABLE_DIR_CONTEXT": "true"}
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=env)
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    runs = parser.parse_args().runs
    once(SCAFFOLD)  # warm the page cache and bytecode
    times: dict[str, list[float]] = {"scaffold": [], "python -c pass": []}
    for _ in range(runs):
        times["scaffold"].append(once(SCAFFOLD))
        times["python -c pass"].append(once(BARE))
    print(f"machine: {machine()}")
    bare = statistics.median(times["python -c pass"])
    for name, samples in times.items():
        median = statistics.median(samples)
        p90 = statistics.quantiles(samples, n=10)[-1]
        print(f"{name:16} median {median:6.1f} ms  p90 {p90:6.1f} ms  ratio {median / bare:4.2f}x")
    median = statistics.median(times["scaffold"])
    verdict = "met" if median < TARGET_MS else "NOT met"
    print(f"target: scaffold median < {TARGET_MS:.0f} ms: {verdict}")


if __name__ == "__main__":
    main()
