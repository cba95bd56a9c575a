"""redis-outbound: Spin's outbound Redis against the server at the `redis_address` variable.

    GET /set?key=k&value=v    SET k v                 -> "OK"
    GET /get?key=k            GET k                   -> the value, 404 when missing
    GET /incr?key=k           INCR k                  -> the new value
    GET /publish?channel=c&message=m  PUBLISH c m     -> "published"
    GET /sadd?key=k&value=v   SADD k v, then SMEMBERS -> the members, sorted, one a line
    GET /execute?command=c&arg=a...   any command     -> its results, one a line

A Redis error answers 502 with `error: <case>` (`invalid-address` when the address is not in
`allowed_outbound_hosts`).
"""

from urllib.parse import parse_qs

from spin_sdk import http, redis, variables
from spin_sdk.http import Request, Response
from spin_sdk.wit.imports.redis import RedisParameter_Binary
from spin_sdk.wit.types import Err


class IncomingHandler(http.IncomingHandler):
    def handle_request(self, request: Request) -> Response:
        path, _, query = request.uri.partition("?")
        params = {k: v[0] for k, v in parse_qs(query).items()}
        try:
            with redis.open(variables.get("redis_address")) as conn:
                return run(conn, path.rstrip("/").rsplit("/", 1)[-1], params, parse_qs(query))
        except Err as exc:
            name = type(exc.value).__name__.removeprefix("Error_")
            detail = getattr(exc.value, "value", "")
            return text(502, f"error: {name}" + (f": {detail}" if detail else ""))


def run(conn, action: str, params: dict, multi: dict) -> Response:
    key = params.get("key", "")
    if action == "set":
        conn.set(key, params["value"].encode())
        return text(200, "OK")
    if action == "get":
        value = conn.get(key)
        return text(404, "") if value is None else text(200, value.decode())
    if action == "incr":
        return text(200, str(conn.incr(key)))
    if action == "publish":
        conn.publish(params["channel"], params["message"].encode())
        return text(200, "published")
    if action == "sadd":
        conn.sadd(key, [params["value"]])
        return text(200, "\n".join(sorted(conn.smembers(key))))
    if action == "execute":
        args = [RedisParameter_Binary(a.encode()) for a in multi.get("arg", [])]
        results = conn.execute(params["command"], args)
        return text(200, "\n".join(describe(r) for r in results))
    return text(404, "unknown action")


def describe(result: object) -> str:
    value = getattr(result, "value", None)
    if isinstance(value, bytes):
        return value.decode(errors="replace")
    return "nil" if value is None else str(value)


def text(status: int, body: str) -> Response:
    return Response(status, {"content-type": "text/plain"}, body.encode())
