"""kv-counter: counts the requests to each path in the default key-value store.

Every request increments the counter stored under `count:<path>` and answers with its new value,
so `/a` answers 1, 2, 3, ... and `/b` counts on its own.
"""

from spin_sdk import http, key_value
from spin_sdk.http import Request, Response


class IncomingHandler(http.IncomingHandler):
    def handle_request(self, request: Request) -> Response:
        key = "count:" + request.uri.partition("?")[0]
        with key_value.open_default() as store:
            count = int(store.get(key) or b"0") + 1
            store.set(key, str(count).encode())
        return Response(200, {"content-type": "text/plain"}, str(count).encode())
