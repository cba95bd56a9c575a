"""The setup scripts' apt-get waits for another apt to release its lock instead of failing.

apt 2.6's own ``DPkg::Lock::Timeout`` does not cover the directory locks (``apt-get update``'s
``/var/lib/apt/lists/lock``), so ``scripts/lib/apt.sh`` retries. Shown here on ``apt-get clean``,
which takes the lists lock too, with every directory it touches in a temporary one: the
machine's apt state is never changed.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    shutil.which("apt-get") is None or os.geteuid() != 0, reason="needs apt-get, as root"
)


def apt_clean(tmp_path: Path, *, through_script: bool) -> subprocess.Popen[str]:
    options = f"-o Dir::Cache={tmp_path}/cache -o Dir::State::Lists={tmp_path}/lists clean"
    if through_script:
        command = f"source scripts/lib/apt.sh && APT_LOCK_TIMEOUT=60 apt_get {options}"
    else:
        command = f"apt-get {options}"
    return subprocess.Popen(["bash", "-c", command], cwd=REPO, stderr=subprocess.PIPE, text=True)


class HeldLock:
    """An apt lock file held as apt holds it (an fcntl lock), until ``release``."""

    def __init__(self, path: Path) -> None:
        self._fd: int | None = os.open(path, os.O_RDWR | os.O_CREAT)
        fcntl.lockf(self._fd, fcntl.LOCK_EX)

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


@pytest.fixture
def held_lists_lock(tmp_path: Path) -> Iterator[HeldLock]:
    for directory in ("lists/partial", "cache/archives/partial"):
        (tmp_path / directory).mkdir(parents=True)
    lock = HeldLock(tmp_path / "lists" / "lock")
    yield lock
    lock.release()


def test_plain_apt_get_fails_at_once_on_a_held_lock(
    held_lists_lock: HeldLock, tmp_path: Path
) -> None:
    process = apt_clean(tmp_path, through_script=False)
    _out, err = process.communicate(timeout=60)
    assert process.returncode != 0
    assert "Could not get lock" in err


@pytest.mark.slow
def test_the_scripts_apt_get_waits_for_the_lock(held_lists_lock: HeldLock, tmp_path: Path) -> None:
    process = apt_clean(tmp_path, through_script=True)
    try:
        assert process.stderr is not None
        first = process.stderr.readline()  # blocks until the wrapper says it waits
        assert first.startswith("apt: waiting for another apt-get to release its lock")
        time.sleep(0.5)  # still holding: the wrapper must keep waiting, not fail
        assert process.poll() is None
        held_lists_lock.release()
        _out, rest = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, rest
