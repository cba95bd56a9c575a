"""static-files: serves the files mounted into the component (its `files`) under `/static/...`.

The file is the request's path below the route (Spin's `spin-path-info` header, or the path
without `/static` when no Spin host set it), read through the WASI filesystem; `/` is
`/index.html`. Missing files are 404.
"""

from spin_sdk import http
from spin_sdk.http import Request, Response

ROUTE_PREFIX = "/static"
CONTENT_TYPES = {
    "css": "text/css",
    "html": "text/html; charset=utf-8",
    "txt": "text/plain; charset=utf-8",
}


def path_info(request: Request) -> str:
    info = request.headers.get("spin-path-info")
    if info is None:
        path = request.uri.partition("?")[0]
        info = path[len(ROUTE_PREFIX) :] if path.startswith(ROUTE_PREFIX) else path
    return info if info not in ("", "/") else "/index.html"


def not_found() -> Response:
    return Response(404, {"content-type": "text/plain"}, b"Not Found")


class IncomingHandler(http.IncomingHandler):
    def handle_request(self, request: Request) -> Response:
        path = path_info(request)
        if ".." in path.split("/"):
            return not_found()
        try:
            with open(path, "rb") as file:
                body = file.read()
        except OSError:
            return not_found()
        content_type = CONTENT_TYPES.get(path.rpartition(".")[2], "application/octet-stream")
        return Response(200, {"content-type": content_type}, body)
