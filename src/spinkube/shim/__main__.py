"""``containerd-shim-spin-v2``: the entry point containerd runs (``start``, ``delete``) and the
long-lived server ``start`` spawns (``serve``). ``start`` imports only the standard library."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from spinkube.shim.args import ArgsError, parse

VERSION = "0.1.0"


def main(argv: list[str] | None = None) -> None:
    try:
        args = parse(sys.argv[1:] if argv is None else argv)
    except ArgsError as exc:
        print(f"containerd-shim-spin-v2: {exc}", file=sys.stderr)
        sys.exit(2)
    if args.version:
        print(f"containerd-shim-spin-v2 (spinkube) version {VERSION}")
        return
    bundle = Path(args.bundle or os.getcwd())
    if args.action == "start":
        from spinkube.shim.start import start

        sys.stdout.write(start(args, bundle=bundle))
        sys.stdout.flush()
    elif args.action == "delete":
        from spinkube.shim.delete import delete

        sys.stdout.buffer.write(delete(args, bundle=bundle))
        sys.stdout.flush()
    else:
        from spinkube.shim.server import main as serve

        sys.exit(serve(args))


if __name__ == "__main__":
    main()
