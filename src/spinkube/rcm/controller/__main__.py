"""`runtime-class-manager`: the entry point (flags and environment in `config`)."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Sequence

from spinkube.kube import KubeConfigError
from spinkube.manager.logs import configure_logging
from spinkube.rcm.controller.config import parse_args

logger = logging.getLogger("spinkube.rcm")

USAGE_ERROR = 2


def main(argv: Sequence[str] | None = None) -> int:
    config = parse_args(argv)
    configure_logging(level=config.log_level, log_format=config.log_format)
    from spinkube.rcm.controller.manager import run

    try:
        return asyncio.run(run(config))
    except KubeConfigError as error:
        logger.error("%s", error)
        return USAGE_ERROR
    except OSError as error:
        logger.error("cannot start: %s", error)
        return 1
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
