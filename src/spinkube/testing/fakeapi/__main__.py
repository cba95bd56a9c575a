"""`python -m spinkube.testing.fakeapi --port N [--kubeconfig-out FILE]`: serve until Ctrl-C."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys

from spinkube.testing.fakeapi.server import FakeApiServer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m spinkube.testing.fakeapi",
        description="Serve a fake Kubernetes API on loopback (for tests and benchmarks).",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--kubeconfig-out", help="write a kubeconfig for the server here")
    args = parser.parse_args(argv)
    asyncio.run(_serve(FakeApiServer(host=args.host, port=args.port), args.kubeconfig_out))
    return 0


async def _serve(server: FakeApiServer, kubeconfig_out: str | None) -> None:
    loop = asyncio.get_running_loop()
    task = asyncio.create_task(server.serve())
    while server.fake is None and not task.done():
        await asyncio.sleep(0.01)
    if task.done():
        error = task.exception()
        raise SystemExit(f"fakeapi: cannot serve on {server.host}:{server.port}: {error}")
    if kubeconfig_out:
        server.write_kubeconfig(kubeconfig_out)
    print(f"fake Kubernetes API serving on {server.url}", flush=True)
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, server.stop)
    with contextlib.suppress(asyncio.CancelledError):
        await task


if __name__ == "__main__":
    sys.exit(main())
