"""`spin-operator`: the manager's entry point (flags in `spinkube.operator.config`)."""

from __future__ import annotations

import asyncio
import logging
import ssl
import sys
from collections.abc import Sequence

from spinkube.kube import KubeConfigError
from spinkube.operator.config import parse_args
from spinkube.operator.logs import configure_logging

logger = logging.getLogger("spinkube.operator")

USAGE_ERROR = 2


def main(argv: Sequence[str] | None = None) -> int:
    config = parse_args(argv)
    configure_logging(level=config.log_level, log_format=config.log_format)
    from spinkube.operator.manager import run

    try:
        return asyncio.run(run(config))
    except KubeConfigError as error:
        logger.error("%s", error)
        return USAGE_ERROR
    except (OSError, ssl.SSLError) as error:
        logger.error("cannot start: %s", error)
        return 1
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
