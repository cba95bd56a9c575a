"""The manager's plain log lines carry the whole logger name (kopf's own format cuts it to 20
characters: `spinkube.operator.ma`)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from spinkube.operator.logs import configure_logging


@pytest.fixture
def restored_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.mark.usefixtures("restored_logging")
def test_plain_lines_name_the_whole_logger(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(level="info", log_format="plain")
    logging.getLogger("spinkube.operator.manager.leader").info("became the leader")
    line = capsys.readouterr().err.strip()
    assert "spinkube.operator.manager.leader [INFO    ] became the leader" in line
