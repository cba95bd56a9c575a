"""One line per request on the ``spinkube.runtime.access`` logger.

Plain: ``127.0.0.1:51234 "GET /hello HTTP/1.1" 200 22 0.41ms``. With ``--log-format json`` the
same fields are attached to the record (``client``, ``method``, ``target``, ``status``, ``bytes``,
``duration_ms``), which the JSON formatter writes out.
"""

from __future__ import annotations

import logging
import time

from spinkube.runtime.server.messages import Request

ACCESS_LOGGER = "spinkube.runtime.access"


class AccessLog:
    __slots__ = ("_logger",)

    def __init__(self, logger: logging.Logger | None = None) -> None:
        self._logger = logger or logging.getLogger(ACCESS_LOGGER)

    def record(
        self, request: Request, version: str, status: int, sent: int, started: float
    ) -> None:
        duration_ms = (time.perf_counter() - started) * 1000.0
        self._logger.info(
            '%s "%s %s HTTP/%s" %d %d %.2fms',
            request.client,
            request.method,
            request.target,
            version,
            status,
            sent,
            duration_ms,
            extra={
                "client": request.client,
                "method": request.method,
                "target": request.target,
                "status": status,
                "bytes": sent,
                "duration_ms": round(duration_ms, 3),
            },
        )
