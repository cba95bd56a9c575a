"""The manager programs' last step: run the manager and turn how it ended into an exit code."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

from spinkube.kube import KubeConfigError

USAGE_ERROR = 2
"""A kubeconfig that cannot be used: a mistake in how the program was started."""
STARTUP_FAILED = 1


def exit_code(manager: Coroutine[Any, Any, int], *, logger: logging.Logger) -> int:
    """Run `manager` to its own exit code. A bad kubeconfig is one error line and 2; a server
    that cannot start (a port in use, an unreadable certificate: `OSError`, `ssl.SSLError`
    among them) is one `cannot start:` line and 1; Ctrl-C before the signal handlers are in
    place is 0."""
    try:
        return asyncio.run(manager)
    except KubeConfigError as error:
        logger.error("%s", error)
        return USAGE_ERROR
    except OSError as error:
        logger.error("cannot start: %s", error)
        return STARTUP_FAILED
    except KeyboardInterrupt:
        return 0
