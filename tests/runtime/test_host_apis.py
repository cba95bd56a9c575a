"""Spin's host APIs end to end: the sample apps served by `spinkube-runtime up` over real sockets,
against real SQLite files, a loopback HTTP server and Debian's redis-server."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

pytestmark = pytest.mark.apps


def write_app(directory: Path, manifest: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "spin.toml").write_text(manifest)
    return directory


def get_all(served, paths: list[str]) -> list[tuple[int, str]]:
    with httpx.Client(timeout=30) as client:
        return [(r.status_code, r.text) for r in (client.get(served.url(p)) for p in paths)]


# -- key-value --------------------------------------------------------------------------------


def test_kv_counter_survives_a_restart(helpers, run_runtime, tmp_path: Path) -> None:
    app = helpers.app_wasm("kv-counter").parent
    state = ["--state-dir", str(tmp_path / "state")]
    served = run_runtime(app, *state)
    assert get_all(served, ["/a", "/a", "/b"]) == [(200, "1"), (200, "2"), (200, "1")]
    assert served.terminate() == 0
    again = run_runtime(app, *state)
    assert get_all(again, ["/a", "/b"]) == [(200, "3"), (200, "2")]
    assert (tmp_path / "state" / "sqlite_key_value.db").is_file()


KV_NOT_GRANTED = """
spin_manifest_version = 2
[application]
name = "kv-denied"
[[trigger.http]]
route = "/api/..."
component = "kv"
[component.kv]
source = "{wasm}"
"""


def test_a_store_not_granted_is_access_denied(helpers, run_runtime, tmp_path: Path) -> None:
    wasm = helpers.app_wasm("kv-redis")
    served = run_runtime(write_app(tmp_path / "denied", KV_NOT_GRANTED.format(wasm=wasm)))
    assert get_all(served, ["/api?key=foo"]) == [(500, "AccessDenied")]


def test_redis_key_value_store_from_runtime_config(
    helpers, run_runtime, tmp_path: Path, redis_server
) -> None:
    """upstream-behaviour §5.3 "Redis KV via runtimeConfig"."""
    config = tmp_path / "runtime-config.toml"
    config.write_text(f'[key_value_store.default]\ntype = "redis"\nurl = "{redis_server.url}"\n')
    app = helpers.app_wasm("kv-redis").parent
    served = run_runtime(app, "--runtime-config-file", str(config))
    with httpx.Client(timeout=30) as client:
        posted = client.post(served.url("/api"), json={"key": "foo", "value": "bar"})
        assert posted.status_code == 200, posted.text
        assert client.get(served.url("/api?key=foo")).text == "bar"
        assert client.delete(served.url("/api?key=foo")).status_code == 200
        assert client.post(served.url("/api"), json={"key": "foo", "value": "bar"}).is_success
        check_wasi_keyvalue_counts(client, served)
    keys = redis_server.client()
    try:
        assert b"foo" in keys.keys("*")
        assert keys.get("foo") == b"bar"
        assert keys.get("n") == b"3"
    finally:
        keys.close()
    assert redis_server.url.split("//")[1] not in served.output()


# -- SQLite -----------------------------------------------------------------------------------


def test_sqlite_notes_survive_a_restart(helpers, run_runtime, tmp_path: Path) -> None:
    app = helpers.app_wasm("sqlite-notes").parent
    state = ["--state-dir", str(tmp_path / "state")]
    served = run_runtime(app, *state)
    with httpx.Client(timeout=30) as client:
        ids = [client.post(served.url("/"), content=t).text for t in ("first", "second")]
        assert ids == ["1", "2"]
        assert client.get(served.url("/")).json() == [
            {"id": 1, "text": "first"},
            {"id": 2, "text": "second"},
        ]
    assert served.terminate() == 0
    again = run_runtime(app, *state)
    with httpx.Client(timeout=30) as client:
        assert client.post(again.url("/"), content="third").status_code == 201
        texts = [note["text"] for note in client.get(again.url("/")).json()]
    assert texts == ["first", "second", "third"]


SQLITE_NOT_GRANTED = """
spin_manifest_version = 2
[application]
name = "sqlite-denied"
[[trigger.http]]
route = "/..."
component = "notes"
[component.notes]
source = "{wasm}"
"""


def test_a_database_not_granted_is_access_denied(helpers, run_runtime, tmp_path: Path) -> None:
    wasm = helpers.app_wasm("sqlite-notes")
    served = run_runtime(write_app(tmp_path / "denied", SQLITE_NOT_GRANTED.format(wasm=wasm)))
    assert get_all(served, ["/"]) == [(500, "AccessDenied")]


# -- outbound HTTP ----------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = f"upstream saw {self.path}".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def upstream() -> Iterator[int]:
    """A loopback HTTP server; yields its port."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


OUTBOUND = """
spin_manifest_version = 2
[application]
name = "outbound"
[variables]
allowed_host = {{ required = true }}
[[trigger.http]]
route = "/..."
component = "outbound"
[[trigger.http]]
route = "/hello"
component = "hello"
[component.outbound]
source = "{outbound}"
allowed_outbound_hosts = ["{{{{ allowed_host }}}}", "http://self"]
[component.outbound.variables]
target_url = "http://127.0.0.1:1/never"
[component.hello]
source = "{hello}"
"""


@pytest.fixture
def outbound_app(helpers, tmp_path: Path) -> Path:
    manifest = OUTBOUND.format(
        outbound=helpers.app_wasm("outbound-http"), hello=helpers.app_wasm("hello")
    )
    return write_app(tmp_path / "outbound", manifest)


def test_outbound_http_allowed_denied_and_self(
    run_runtime, outbound_app: Path, upstream: int
) -> None:
    allowed = f"http://127.0.0.1:{upstream}"
    served = run_runtime(outbound_app, env={"SPIN_VARIABLE_ALLOWED_HOST": allowed})
    answers = get_all(
        served,
        [
            "/?url=" + quote(f"{allowed}/x?y=1", safe=""),
            "/?url=" + quote("http://localhost:1/elsewhere", safe=""),
            "/",
            "/?url=/hello",
        ],
    )
    assert answers == [
        (200, "200\nupstream saw /x?y=1"),
        (502, "error: HTTP-request-denied"),
        (502, "error: HTTP-request-denied"),
        (200, "200\nHello world from Spin!"),
    ]
    assert "request to http://localhost:1 denied" in served.output()


def test_service_chaining_reaches_a_component(run_runtime, outbound_app: Path) -> None:
    served = run_runtime(outbound_app, env={"SPIN_VARIABLE_ALLOWED_HOST": "http://*.spin.internal"})
    chained = "/?url=" + quote("http://hello.spin.internal/anything", safe="")
    missing = "/?url=" + quote("http://nobody.spin.internal/", safe="")
    assert get_all(served, [chained, missing]) == [
        (200, "200\nHello world from Spin!"),
        (200, "404\n"),
    ]


# -- outbound Redis ---------------------------------------------------------------------------


def test_outbound_redis(helpers, run_runtime, redis_server) -> None:
    app = helpers.app_wasm("redis-outbound").parent
    served = run_runtime(app, env={"SPIN_VARIABLE_REDIS_ADDRESS": redis_server.url})
    subscriber = redis_server.client().pubsub()
    subscriber.subscribe("news")
    try:
        assert subscriber.get_message(timeout=5)["type"] == "subscribe"
        answers = get_all(
            served,
            [
                "/set?key=greeting&value=hi",
                "/get?key=greeting",
                "/get?key=missing",
                "/incr?key=visits",
                "/incr?key=visits",
                "/sadd?key=team&value=b",
                "/sadd?key=team&value=a",
                "/execute?command=GET&arg=greeting",
                "/publish?channel=news&message=Eureka!",
            ],
        )
        message = _next_message(subscriber)
    finally:
        subscriber.close()
    assert answers == [
        (200, "OK"),
        (200, "hi"),
        (404, ""),
        (200, "1"),
        (200, "2"),
        (200, "b"),
        (200, "a\nb"),
        (200, "hi"),
        (200, "published"),
    ]
    assert message == b"Eureka!"


def _next_message(subscriber) -> bytes:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        message = subscriber.get_message(timeout=1)
        if message and message["type"] == "message":
            data: bytes = message["data"]
            return data
    pytest.fail("no message published")


REDIS_DENIED = """
spin_manifest_version = 2
[application]
name = "redis-denied"
[variables]
redis_address = {{ required = true }}
[[trigger.http]]
route = "/..."
component = "redis"
[component.redis]
source = "{wasm}"
allowed_outbound_hosts = ["redis://127.0.0.1:1"]
[component.redis.variables]
redis_address = "{{{{ redis_address }}}}"
"""


def test_outbound_redis_address_not_allowed(
    helpers, run_runtime, tmp_path: Path, redis_server
) -> None:
    wasm = helpers.app_wasm("redis-outbound")
    app = write_app(tmp_path / "denied", REDIS_DENIED.format(wasm=wasm))
    served = run_runtime(app, env={"SPIN_VARIABLE_REDIS_ADDRESS": redis_server.url})
    assert get_all(served, ["/get?key=x"]) == [(502, "error: InvalidAddress")]


# -- unsupported APIs -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "error", "names"),
    [
        ("/llm", "RuntimeError", "LLM inferencing (fermyon:spin/llm)"),
    ],
    ids=["llm"],
)
def test_unsupported_apis_fail_with_a_clear_error(
    helpers, run_runtime, path: str, error: str, names: str
) -> None:
    served = run_runtime(helpers.app_wasm("unsupported-apis").parent)
    ((status, body),) = get_all(served, [path])
    assert status == 501
    assert body == f"{error}: {names} is not supported by spinkube-runtime"


def test_spin_and_wasi_key_value_on_the_default_store(helpers, run_runtime) -> None:
    """The kv-redis app on the default (SQLite) store, without a runtime config."""
    served = run_runtime(helpers.app_wasm("kv-redis").parent)
    with httpx.Client(timeout=30) as client:
        body = json.dumps({"key": "k", "value": "v"})
        assert client.post(served.url("/api"), content=body).status_code == 200
        assert client.get(served.url("/api?key=k")).text == "v"
        assert client.delete(served.url("/api?key=k")).status_code == 200
        assert client.get(served.url("/api?key=k")).status_code == 404
        check_wasi_keyvalue(client, served)


def check_wasi_keyvalue_counts(client: httpx.Client, served) -> None:
    for delta, total in ((5, "5"), (-2, "3")):
        response = client.get(served.url(f"/api/incr?key=n&delta={delta}"))
        assert (response.status_code, response.text) == (200, total)
    cas = client.get(served.url("/api/cas?key=c&value=one"))
    assert (cas.status_code, cas.text) == (200, "none -> one")


def check_wasi_keyvalue(client: httpx.Client, served) -> None:
    def get(path: str) -> tuple[int, str]:
        response = client.get(served.url(path))
        return response.status_code, response.text

    assert get("/api/incr?key=n&delta=5") == (200, "5")
    assert get("/api/incr?key=n&delta=-2") == (200, "3")
    assert get("/api/cas?key=c&value=one") == (200, "none -> one")
    assert get("/api/cas?key=c&value=two") == (200, "one -> two")
    posted = client.post(served.url("/api/batch"), json={"a": "1", "b": "2"})
    assert posted.status_code == 200
    assert json.loads(get("/api/batch?key=a&key=b&key=z")[1]) == {"a": "1", "b": "2", "z": None}
    assert client.delete(served.url("/api/batch?key=a&key=b")).status_code == 200
    assert json.loads(get("/api/batch?key=a")[1]) == {"a": None}
    assert get("/api/keys") == (200, json.dumps(["c", "n"]))


def test_workers_share_the_default_store(helpers, run_runtime) -> None:
    served = run_runtime(helpers.app_wasm("kv-counter").parent, workers=2)
    with httpx.Client(timeout=30) as client:
        counts = [int(client.get(served.url("/shared")).text) for _ in range(12)]
    assert counts == list(range(1, 13))


# -- start-up errors --------------------------------------------------------------------------

BAD_START = """
spin_manifest_version = 2
[application]
name = "bad"
[[trigger.http]]
route = "/..."
component = "web"
[component.web]
source = "{wasm}"
key_value_stores = ["default"]
allowed_outbound_hosts = {hosts}
"""


@pytest.mark.parametrize(
    ("hosts", "config", "message"),
    [
        (
            '["https://example.com"]',
            '[key_value_store.default]\ntype = "memcached"\n',
            "key_value_store.default.type: unknown store type 'memcached' "
            "(supported: 'spin', 'redis')",
        ),
        (
            '["example.com"]',
            "",
            "component 'web': allowed_outbound_hosts: invalid pattern 'example.com'",
        ),
    ],
    ids=["store-type", "host-pattern"],
)
def test_host_api_configuration_errors_stop_the_start(
    helpers, tmp_path: Path, hosts: str, config: str, message: str
) -> None:
    app = write_app(tmp_path / "bad", BAD_START.format(wasm=helpers.app_wasm("hello"), hosts=hosts))
    runtime_config = tmp_path / "runtime-config.toml"
    runtime_config.write_text(config)
    argv = ["up", "-f", str(app), "--listen", f"127.0.0.1:{helpers.free_port()}"]
    argv += ["--runtime-config-file", str(runtime_config), "--state-dir", str(tmp_path / "s")]
    result = helpers.run_to_exit(argv, cwd=tmp_path)
    assert result.returncode == 1
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
