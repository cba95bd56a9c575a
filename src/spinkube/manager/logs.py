"""Logging of a manager process: plain or JSON lines, each about one object prefixed with
`[namespace/name]` (kopf's object formatters). Configured only by entry points."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import kopf

from spinkube.manager.config import LogFormat

QUIET_LOGGERS = ("httpx", "httpx2", "httpcore", "aiohttp.access", "asyncio")

# kopf's FULL format with the logger name in full (kopf cuts it to 20 characters).
TEXT_FORMAT = "[%(asctime)s] %(name)s [%(levelname)-8.8s] %(message)s"


def configure_logging(
    *, level: str, log_format: LogFormat, filters: Sequence[logging.Filter] = ()
) -> None:
    kopf_format = kopf.LogFormat.JSON if log_format == "json" else kopf.LogFormat.FULL
    kopf.configure(log_format=kopf_format, log_prefix=True, debug=level == "debug")
    root = logging.getLogger()
    root.setLevel(level.upper())
    for handler in root.handlers:
        for log_filter in filters:
            handler.addFilter(log_filter)
        if log_format != "json" and handler.formatter is not None:
            # The same (object-prefixing) formatter class kopf chose, with the uncut format.
            handler.setFormatter(type(handler.formatter)(TEXT_FORMAT))
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
