"""Logging of the operator: the manager's (`spinkube.manager.logs`), less kopf's success line
for every event of an owned child."""

from __future__ import annotations

import logging

from spinkube.manager import logs
from spinkube.manager.config import LogFormat

_CHILD_HANDLERS = ("Handler 'deployment'", "Handler 'service'")


class _ChildSuccessFilter(logging.Filter):
    """Drop kopf's "Handler 'deployment' succeeded." line, logged for every watch event of
    every owned Deployment (about 7 per app while it rolls out)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = str(record.msg)
        return not (message.startswith(_CHILD_HANDLERS) and message.endswith("succeeded."))


def configure_logging(*, level: str, log_format: LogFormat) -> None:
    logs.configure_logging(level=level, log_format=log_format, filters=[_ChildSuccessFilter()])
