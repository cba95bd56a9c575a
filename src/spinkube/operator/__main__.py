"""`spin-operator`: the manager's entry point (flags in `spinkube.operator.config`)."""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence

from spinkube.manager.entry import exit_code
from spinkube.operator.config import parse_args
from spinkube.operator.logs import configure_logging

logger = logging.getLogger("spinkube.operator")


def main(argv: Sequence[str] | None = None) -> int:
    config = parse_args(argv)
    configure_logging(level=config.log_level, log_format=config.log_format)
    from spinkube.operator.manager import run

    return exit_code(run(config), logger=logger)


if __name__ == "__main__":
    sys.exit(main())
