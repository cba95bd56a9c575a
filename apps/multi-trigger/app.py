"""multi-trigger: one component with an HTTP and a Redis trigger (upstream's shim test app).

    GET /...       -> "Hello from the multi-trigger app"
    a message      -> stored under the key `multi-last-message` on the Redis server at the
                      `redis_address` variable
"""

from spin_sdk import http, redis, variables
from spin_sdk.http import Request, Response
from spin_sdk.wit import exports


class IncomingHandler(http.IncomingHandler):
    def handle_request(self, request: Request) -> Response:
        body = b"Hello from the multi-trigger app"
        return Response(200, {"content-type": "text/plain"}, body)


class InboundRedis(exports.InboundRedis):
    def handle_message(self, message: bytes) -> None:
        print(f"got message: {message.decode(errors='replace')}")
        with redis.open(variables.get("redis_address")) as conn:
            conn.set("multi-last-message", message)
