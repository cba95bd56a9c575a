#!/usr/bin/env python3
"""Start-up of a PyInstaller-built entry point: sfx (first start, which unpacks, and later
ones), onefile, onedir and the venv.

    .venv/bin/python benchmarks/packaging/startup.py [--script containerd-shim-spin-v2] [-n 10]
        [--args=-v]

Builds (or reuses from the cache) both modes with scripts/build-shim.py, then runs each form
``-n`` times with ``--args`` and prints the best and median wall time, the size on disk, and the
machine. Not part of the test run.
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def built(script: str, mode: str) -> Path:
    result = subprocess.run(
        [sys.executable, "scripts/build-shim.py", "--script", script, "--mode", mode,
         "--no-archive", "--print-path"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return Path(result.stdout.strip().splitlines()[-1])


def timings(argv: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - started)
    return times


def size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--script", default="containerd-shim-spin-v2")
    parser.add_argument("-n", type=int, default=10)
    parser.add_argument("--args", default="-v")
    args = parser.parse_args()
    extra = shlex.split(args.args)
    sfx, onefile = built(args.script, "sfx"), built(args.script, "onefile")
    onedir = built(args.script, "onedir")
    venv = shutil.which(args.script, path=str(Path(sys.executable).parent))
    with tempfile.TemporaryDirectory() as scratch:
        cold = []
        for run in range(args.n):
            fresh = Path(scratch) / str(run) / args.script
            fresh.parent.mkdir()
            shutil.copy2(sfx, fresh)
            cold += timings([str(fresh), *extra], 1)
    warm_sfx = Path(tempfile.mkdtemp()) / args.script
    shutil.copy2(sfx, warm_sfx)
    timings([str(warm_sfx), *extra], 1)  # unpacks
    forms = [
        ("sfx", warm_sfx, sfx),
        ("onefile", onefile, onefile),
        ("onedir", onedir, onedir.parent),
    ]
    if venv:
        forms.append(("venv console script", Path(venv), Path(venv)))
    print(f"# {platform.node()} {platform.machine()} {os.cpu_count()} cores, "
          f"load {os.getloadavg()[0]:.1f}; {args.script} {args.args}; {args.n} runs")  # fmt: skip
    print(f"{'form':<22}{'best s':>8}{'median s':>10}{'size MiB':>10}")
    print(f"{'sfx, first start':<22}{min(cold):>8.3f}{statistics.median(cold):>10.3f}")
    for name, exe, on_disk in forms:
        runs = timings([str(exe), *extra], args.n)
        print(f"{name:<22}{min(runs):>8.3f}{statistics.median(runs):>10.3f}"
              f"{size(on_disk) / 2**20:>10.1f}")  # fmt: skip


if __name__ == "__main__":
    main()
