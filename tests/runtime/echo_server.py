"""A test server: the runtime's pre-fork HTTP server with a Python handler instead of a guest.

Usage: python echo_server.py HOST:PORT WORKERS MAX_BODY [IDLE_TIMEOUT_S [HEAD_TIMEOUT_S]]

  /echo   200 with the request body (and x-body-length)
  /raise  the handler raises (the server must answer 500 and keep serving)
  /exit   the worker process dies (the supervisor must restart it)
  /pid    200 with the worker's pid
  /split  a header value holding CR LF and a whole second response (the server must answer 500)
  /lie    content-length 5 on a 50-byte body (the server must answer 500)
  other   200 "ok"
"""

from __future__ import annotations

import logging
import os
import sys

from spinkube.runtime.server.messages import Request, Response
from spinkube.runtime.server.sockets import bind_listeners
from spinkube.runtime.server.supervisor import Supervisor
from spinkube.runtime.server.worker import WorkerSettings, run_worker


def handle(request: Request) -> Response:
    path = request.target.partition("?")[0]
    if path == "/echo":
        length = str(len(request.body)).encode()
        return Response(200, [("x-body-length", length)], request.body)
    if path == "/raise":
        raise RuntimeError("handler failed on purpose")
    if path == "/exit":
        os._exit(3)
    if path == "/split":
        forged = b"ok\r\ncontent-length: 0\r\n\r\nHTTP/1.1 200 OK\r\nx-forged: yes"
        return Response(200, [("x-value", forged)], b"split")
    if path == "/lie":
        return Response(200, [("content-length", b"5")], b"0123456789" * 5)
    if path == "/pid":
        return Response(200, [], str(os.getpid()).encode())
    return Response(200, [("content-type", b"text/plain")], b"ok")


def main() -> int:
    address, workers, max_body = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    idle_timeout_s = float(sys.argv[4]) if len(sys.argv) > 4 else 60.0
    head_timeout_s = float(sys.argv[5]) if len(sys.argv) > 5 else 10.0
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    listeners = bind_listeners(address, workers)
    settings = WorkerSettings(
        max_body=max_body,
        grace_s=10.0,
        access_log=True,
        default_authority=address,
        idle_timeout_s=idle_timeout_s,
        head_timeout_s=head_timeout_s,
    )
    supervisor = Supervisor(
        listeners=listeners,
        worker_main=lambda sock: run_worker(sock, handle, settings),
        grace_s=10.0,
    )
    return supervisor.run()


if __name__ == "__main__":
    sys.exit(main())
