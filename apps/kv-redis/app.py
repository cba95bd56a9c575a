"""kv-redis: the upstream key-value check app's `/api` (SpinKube's "Redis KV via runtimeConfig"),
plus the `wasi:keyvalue` interfaces on the same default store.

`fermyon:spin/key-value`:

    POST   /api  {"key": "foo", "value": "bar"}  stores bar under foo   -> 200 "stored"
    GET    /api?key=foo                          the value              -> 200, 404 when missing
    DELETE /api?key=foo                          removes it             -> 200 "deleted"

`wasi:keyvalue/{store,atomics,batch}@0.2.0-draft2`:

    GET    /api/incr?key=n&delta=2     atomics.increment            -> the new value
    GET    /api/cas?key=k&value=v      cas.new, current, swap       -> "<old or none> -> v"
    POST   /api/batch {"a": "1", ...}  batch.set-many               -> "stored"
    GET    /api/batch?key=a&key=b      batch.get-many               -> {"a": "1", "b": null}
    DELETE /api/batch?key=a            batch.delete-many            -> "deleted"
    GET    /api/keys                   bucket.list-keys             -> ["a", ...] sorted

A store error answers 500 with its name (`AccessDenied`, `Other: ...`).
"""

import json
from urllib.parse import parse_qs

from spin_sdk import http, key_value
from spin_sdk.http import Request, Response
from spin_sdk.wit.imports import atomics, batch, wasi_keyvalue_store
from spin_sdk.wit.types import Err


class IncomingHandler(http.IncomingHandler):
    def handle_request(self, request: Request) -> Response:
        path, _, query = request.uri.partition("?")
        params = parse_qs(query)
        action = path.rstrip("/").removeprefix("/api").strip("/")
        try:
            if action:
                return wasi(request.method, action, params, request.body or b"")
            return spin(request.method, params.get("key", [""])[0], request.body or b"")
        except Err as exc:
            name = type(exc.value).__name__.removeprefix("Error_")
            detail = getattr(exc.value, "value", "")
            return text(500, name + (f": {detail}" if detail else ""))


def spin(method: str, key: str, body: bytes) -> Response:
    with key_value.open_default() as store:
        if method == "POST":
            pair = json.loads(body or b"{}")
            store.set(pair["key"], str(pair["value"]).encode())
            return text(200, "stored")
        if method == "DELETE":
            store.delete(key)
            return text(200, "deleted")
        value = store.get(key)
        return text(404, "") if value is None else text(200, value.decode())


def wasi(method: str, action: str, params: dict, body: bytes) -> Response:
    with wasi_keyvalue_store.open("default") as bucket:
        first = {k: v[0] for k, v in params.items()}
        if action == "incr":
            return text(200, str(atomics.increment(bucket, first["key"], int(first["delta"]))))
        if action == "cas":
            return cas(bucket, first["key"], first["value"].encode())
        if action == "keys":
            return text(200, json.dumps(sorted(bucket.list_keys(None).keys)))
        if action == "batch":
            return many(bucket, method, params.get("key", []), body)
    return text(404, "unknown action")


def cas(bucket, key: str, value: bytes) -> Response:
    handle = atomics.Cas.new(bucket, key)  # no `with`: swap takes the handle
    old = handle.current()
    try:
        atomics.swap(handle, value)
    except Err as exc:
        return text(409, type(exc.value).__name__)
    return text(200, f"{old.decode() if old is not None else 'none'} -> {value.decode()}")


def many(bucket, method: str, keys: list, body: bytes) -> Response:
    if method == "POST":
        pairs = json.loads(body)
        batch.set_many(bucket, [(k, str(v).encode()) for k, v in pairs.items()])
        return text(200, "stored")
    if method == "DELETE":
        batch.delete_many(bucket, keys)
        return text(200, "deleted")
    found = batch.get_many(bucket, keys)
    return text(200, json.dumps({k: v.decode() if v is not None else None for k, v in found}))


def text(status: int, body: str) -> Response:
    return Response(status, {"content-type": "text/plain"}, body.encode())
