"""Where the operator's CPU went, from a cProfile file of `bench.py --profile FILE`.

    .venv/bin/python benchmarks/operator/profile_summary.py FILE [--top 25]

Sums each function's own time (`tottime`) by the package its code lives in (spinkube, kopf,
aiohttp, httpx/lightkube, pydantic, asyncio, ...), then lists the functions with the most own
time. Own times add up to the process's CPU without double counting, which cumulative times of
coroutines do not.
"""

from __future__ import annotations

import argparse
import pstats
import re
import sys
from collections import Counter

PACKAGE = re.compile(r"(?:site-packages|src)/([A-Za-z0-9_]+)/")
STDLIB = re.compile(r"/python3\.\d+/([A-Za-z0-9_]+)")


def package_of(filename: str) -> str:
    found = PACKAGE.search(filename)
    if found:
        return found.group(1)
    found = STDLIB.search(filename)
    if found:
        return f"stdlib {found.group(1)}"
    return "builtins (C)" if filename == "~" else filename


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("profile")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    stats = pstats.Stats(args.profile)
    raw = stats.stats  # type: ignore[attr-defined]
    by_package: Counter[str] = Counter()
    by_function: Counter[str] = Counter()
    for (filename, line, name), (_, _, tottime, _, _) in raw.items():
        by_package[package_of(filename)] += tottime
        by_function[f"{package_of(filename)}: {name} ({filename.rsplit('/', 1)[-1]}:{line})"] += (
            tottime
        )
    total = sum(by_package.values())
    print(f"total own time {total:.1f} s")
    for package, seconds in by_package.most_common(15):
        print(f"  {seconds:7.2f} s  {seconds / total:6.1%}  {package}")
    print(f"top {args.top} functions by own time:")
    for function, seconds in by_function.most_common(args.top):
        print(f"  {seconds:7.2f} s  {function}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
