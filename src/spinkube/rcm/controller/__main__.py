"""`runtime-class-manager`: the entry point (flags and environment in `config`)."""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence

from spinkube.manager.entry import exit_code
from spinkube.manager.logs import configure_logging
from spinkube.rcm.controller.config import parse_args

logger = logging.getLogger("spinkube.rcm")


def main(argv: Sequence[str] | None = None) -> int:
    config = parse_args(argv)
    configure_logging(level=config.log_level, log_format=config.log_format)
    from spinkube.rcm.controller.manager import run

    return exit_code(run(config), logger=logger)


if __name__ == "__main__":
    sys.exit(main())
