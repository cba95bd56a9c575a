"""The docs' runnable blocks run as written, so that a doc cannot rot silently.

A fenced block whose info string is ``sh runnable`` (or ``python runnable``) in README.md or
docs/*.md is run from the repository root, as a reader would after ``scripts/setup.sh`` and
``export PATH=$PWD/.venv/bin:$PATH``: shell blocks with ``bash -euo pipefail``, Python blocks
with the virtualenv's interpreter. Each runs in its own network namespace (only loopback, so a
fixed port in a doc never meets another test's), with its own ``TMPDIR``, ``XDG_CACHE_HOME`` and
``DOCKER_CONFIG``; whatever it leaves running is stopped with its process group.

Runnable blocks must be cheap (seconds: the WAT sample, a local registry) and stop what they
start; see docs/testing.md.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
FENCE = re.compile(r"^```(\w+) runnable\s*$")
INTERPRETERS = {"sh": ["bash", "-euo", "pipefail"], "python": [sys.executable]}
DEADLINE_S = 240.0


@dataclass(frozen=True)
class Block:
    doc: Path
    line: int
    language: str
    code: str

    @property
    def id(self) -> str:
        return f"{self.doc.relative_to(REPO)}:{self.line}"


def runnable_blocks() -> list[Block]:
    blocks = []
    for doc in DOCS:
        lines = doc.read_text().splitlines()
        i = 0
        while i < len(lines):
            match = FENCE.match(lines[i])
            if match is None:
                i += 1
                continue
            end = lines.index("```", i + 1)
            code = "\n".join(lines[i + 1 : end]) + "\n"
            blocks.append(Block(doc, i + 1, match.group(1), code))
            i = end + 1
    return blocks


BLOCKS = runnable_blocks()


def test_the_docs_have_runnable_blocks_in_known_languages() -> None:
    assert len(BLOCKS) >= 4
    assert {b.language for b in BLOCKS} <= set(INTERPRETERS)


def _netns_available() -> bool:
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        return False
    probe = subprocess.run(["unshare", "-n", "true"], capture_output=True, check=False)
    return probe.returncode == 0


@pytest.mark.slow
@pytest.mark.skipif(not _netns_available(), reason="needs unshare -n (root) and iproute2")
@pytest.mark.parametrize("block", BLOCKS, ids=[b.id for b in BLOCKS])
def test_runnable_block(block: Block, tmp_path: Path) -> None:
    script = tmp_path / f"block.{block.language}"
    script.write_text(block.code)
    env = {
        **os.environ,
        "PATH": f"{REPO / '.venv' / 'bin'}:{os.environ['PATH']}",
        "TMPDIR": str(tmp_path),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "DOCKER_CONFIG": str(tmp_path / "docker"),
    }
    for name in ("SPIN_HTTP_LISTEN_ADDR", "KUBECONFIG", "VIRTUAL_ENV"):
        env.pop(name, None)
    run = " ".join([*INTERPRETERS[block.language], str(script)])
    process = subprocess.Popen(
        ["unshare", "-n", "bash", "-c", f"ip link set lo up && exec {run}"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=DEADLINE_S)
    except subprocess.TimeoutExpired:
        _stop_group(process.pid)
        output, _ = process.communicate()
        pytest.fail(f"{block.id} still running after {DEADLINE_S} s:\n{output}")
    finally:
        _stop_group(process.pid)
    assert process.returncode == 0, f"{block.id} failed ({process.returncode}):\n{output}"


def _stop_group(pgid: int) -> None:
    """Whatever the block left running is in its process group: SIGTERM, then SIGKILL."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if _signal_group(pgid, sig) and not _group_gone(pgid, within_s=30):
            continue
        return


def _signal_group(pgid: int, sig: signal.Signals) -> bool:
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        return False
    return True


def _group_gone(pgid: int, *, within_s: float) -> bool:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        if not _signal_group(pgid, 0):  # type: ignore[arg-type]
            return True
        time.sleep(0.1)
    return False
