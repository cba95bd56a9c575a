"""A clean run of the outbound-HTTP tests prints no traceback: their loopback server meets
clients that gave up (a read timeout, a size limit) and must take that quietly."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

MODULE = Path(__file__).with_name("test_outbound_http.py")


@pytest.mark.slow
def test_the_outbound_http_tests_print_no_traceback(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider", str(MODULE)],
        capture_output=True,
        text=True,
        timeout=240,
        cwd=tmp_path,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Traceback" not in output
    assert "BrokenPipeError" not in output
