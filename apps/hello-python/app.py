"""hello-python: a greeting at `/...` and a request echo at `/echo/...` (Spin Python SDK 3.4.1)."""

import json

from spin_sdk import http
from spin_sdk.http import Request, Response

GREETING = b"Hello from Python!"


def echo(request: Request) -> Response:
    """Describes the request as JSON, so a host's HTTP trigger can be checked from a guest."""
    path, _, query = request.uri.partition("?")
    spin_headers = {k: v for k, v in request.headers.items() if k.lower().startswith("spin-")}
    described = {
        "method": request.method,
        "path": path,
        "query": query,
        "headers": dict(sorted(spin_headers.items())),
        "body_length": len(request.body or b""),
    }
    body = json.dumps(described, sort_keys=True).encode()
    return Response(200, {"content-type": "application/json"}, body)


class IncomingHandler(http.IncomingHandler):
    def handle_request(self, request: Request) -> Response:
        path = request.uri.partition("?")[0]
        if path == "/echo" or path.startswith("/echo/"):
            return echo(request)
        return Response(200, {"content-type": "text/plain"}, GREETING)
