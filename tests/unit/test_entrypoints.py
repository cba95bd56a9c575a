"""`pip install spinkube` without an extra: every console script names the extra to install in one
line and exits 1. A subprocess blocks the extra's modules (``sys.modules[name] = None`` makes
their import fail as when they are not installed) and calls the console script's function."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"

# script -> (a module its extra installs, the extra)
SCRIPTS = {
    "spinkube-runtime": ("click", "runtime"),
    "spin-operator": ("kopf", "operator"),
    "spin-kube": ("click", "plugin"),
}


def run_script(script: str, *, blocked: str) -> subprocess.CompletedProcess[str]:
    target = tomllib.loads(PYPROJECT.read_text())["project"]["scripts"][script]
    module, _, function = target.partition(":")
    code = (
        f"import sys; sys.modules[{blocked!r}] = None; sys.argv = [{script!r}, '--help']\n"
        f"import {module}; {module}.{function}()"
    )
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )


@pytest.mark.parametrize(("script", "blocked", "extra"), [(s, *v) for s, v in SCRIPTS.items()])
def test_a_missing_extra_is_named_in_one_line(script: str, blocked: str, extra: str) -> None:
    result = run_script(script, blocked=blocked)
    assert result.returncode == 1
    assert result.stderr == (
        f"{script}: the {blocked!r} module is missing; "
        f"install the {extra} extra: pip install 'spinkube[{extra}]'\n"
    )


@pytest.mark.parametrize("script", SCRIPTS)
def test_with_the_extra_installed_the_script_runs(script: str) -> None:
    result = run_script(script, blocked="no_such_module_blocked")
    assert result.returncode == 0, result.stderr
    assert "usage" in result.stdout.lower()
