"""Fixtures for the plugin's unit tests: run the CLI in-process and capture what it prints."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from spinkube.plugin.__main__ import run

TESTDATA = Path(__file__).parent / "testdata"


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str


Invoke = Callable[[Sequence[str]], Result]


@pytest.fixture
def kube(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Invoke:
    """Run `kube ARGS...` in-process, with no cluster configured and no spin.toml context."""
    monkeypatch.setenv("KUBECONFIG", str(TESTDATA / "no-such-kubeconfig"))
    monkeypatch.setenv("SPIN_KUBE_DISABLE_DIR_CONTEXT", "true")
    monkeypatch.delenv("SPIN_VERSION", raising=False)
    monkeypatch.delenv("SPIN_EXPERIMENTAL", raising=False)

    def invoke(argv: Sequence[str]) -> Result:
        capsys.readouterr()
        code = run(list(argv), prog_name="kube")
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return invoke


@pytest.fixture
def testdata() -> Path:
    return TESTDATA
