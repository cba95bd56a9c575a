"""Logging of the manager: plain or JSON lines, each about one object prefixed with
`[namespace/name]` (kopf's object formatters). Configured only here, by the entry point."""

from __future__ import annotations

import logging

import kopf

from spinkube.operator.config import LogFormat

QUIET_LOGGERS = ("httpx", "httpx2", "httpcore", "aiohttp.access", "asyncio")

_CHILD_HANDLERS = ("Handler 'deployment'", "Handler 'service'")

# kopf's FULL format with the logger name in full (kopf cuts it to 20 characters).
TEXT_FORMAT = "[%(asctime)s] %(name)s [%(levelname)-8.8s] %(message)s"


class _ChildSuccessFilter(logging.Filter):
    """Drop kopf's "Handler 'deployment' succeeded." line, logged for every watch event of
    every owned Deployment (about 7 per app while it rolls out)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = str(record.msg)
        return not (message.startswith(_CHILD_HANDLERS) and message.endswith("succeeded."))


def configure_logging(*, level: str, log_format: LogFormat) -> None:
    kopf_format = kopf.LogFormat.JSON if log_format == "json" else kopf.LogFormat.FULL
    kopf.configure(log_format=kopf_format, log_prefix=True, debug=level == "debug")
    root = logging.getLogger()
    root.setLevel(level.upper())
    for handler in root.handlers:
        handler.addFilter(_ChildSuccessFilter())
        if log_format != "json" and handler.formatter is not None:
            # The same (object-prefixing) formatter class kopf chose, with the uncut format.
            handler.setFormatter(type(handler.formatter)(TEXT_FORMAT))
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
