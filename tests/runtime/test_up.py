"""`spinkube-runtime up` end to end: real guests (the sample apps and the host's probe guest)
served over real sockets."""

from __future__ import annotations

import hashlib
import json
import socket
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.apps


def write_app(directory: Path, manifest: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "spin.toml").write_text(manifest)
    return directory


ROUTING = """
spin_manifest_version = 2

[application]
name = "routing"
version = "1.2.3"

[[trigger.http]]
route = "/..."
component = "hello"

[[trigger.http]]
route = "/echo/..."
component = "python"

[[trigger.http]]
route = "/echo/exact"
component = "hello"

[[trigger.http]]
route = "/echo/users/:id"
component = "python"

[[trigger.http]]
route = {{ private = true }}
component = "hidden"

[component.hello]
source = "{hello}"

[component.python]
source = "{python}"

[component.hidden]
source = "{hello}"
"""


@pytest.fixture
def routing_app(helpers, tmp_path: Path) -> Path:
    hello, python = helpers.app_wasm("hello"), helpers.app_wasm("hello-python")
    return write_app(tmp_path / "routing", ROUTING.format(hello=hello, python=python))


def echoed(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 200, response.text
    headers: dict[str, str] = response.json()["headers"]
    return headers


HELLO = "Hello world from Spin!"


# -- the sample apps --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("app", "body"),
    [
        ("hello", HELLO),
        ("hello-python", "Hello from Python!"),
        ("hello-js", "Hello from JavaScript!"),
    ],
)
def test_sample_apps_answer_from_their_directory(helpers, run_runtime, app: str, body: str) -> None:
    served = run_runtime(helpers.app_wasm(app).parent)
    response = httpx.get(served.url("/some/path"))
    assert (response.status_code, response.text) == (200, body)


def test_spin_toml_file_as_source(helpers, run_runtime) -> None:
    served = run_runtime(helpers.app_wasm("hello").parent / "spin.toml")
    assert httpx.get(served.url("/")).text == HELLO


def test_well_known_health_and_info(run_runtime, routing_app: Path) -> None:
    served = run_runtime(routing_app)
    health = httpx.get(served.url("/.well-known/spin/health"))
    assert (health.status_code, health.text) == (200, "OK")
    info = httpx.get(served.url("/.well-known/spin/info"))
    assert info.json() == {"name": "routing", "version": "1.2.3", "oci_image_digest": None}


# -- routing and headers ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "component"),
    [
        ("/", "hello"),
        ("/anything/else", "hello"),
        ("/echo", "python"),
        ("/echo/", "python"),
        ("/echo/a/b", "python"),
        ("/echo/exact", "hello"),
        ("/echo/users/42", "python"),
        ("/echoes", "hello"),
    ],
)
def test_most_specific_route_wins(
    run_runtime, routing_app: Path, path: str, component: str
) -> None:
    served = run_runtime(routing_app)
    response = httpx.get(served.url(path))
    assert response.status_code == 200
    assert (response.text == HELLO) == (component == "hello")


def test_spin_headers_for_a_wildcard_route(run_runtime, routing_app: Path) -> None:
    served = run_runtime(routing_app)
    response = httpx.post(
        served.url("/echo/a/b?x=1"), content=b"12345", headers={"spin-full-url": "spoofed"}
    )
    headers = echoed(response)
    client = headers.pop("spin-client-addr")
    assert client.startswith("127.0.0.1:")
    assert headers == {
        "spin-base-path": "/",
        "spin-component-route": "/echo",
        "spin-full-url": f"http://127.0.0.1:{served.port}/echo/a/b?x=1",
        "spin-matched-route": "/echo/...",
        "spin-path-info": "/a/b",
        "spin-raw-component-route": "/echo/...",
    }
    assert response.json()["body_length"] == 5


def test_spin_headers_for_a_parameter_route(run_runtime, routing_app: Path) -> None:
    served = run_runtime(routing_app)
    headers = echoed(httpx.get(served.url("/echo/users/42")))
    assert headers["spin-matched-route"] == "/echo/users/:id"
    assert headers["spin-path-match-id"] == "42"
    assert headers["spin-path-info"] == ""


BASED = """
spin_manifest_version = 2
[application]
name = "based"
[application.trigger.http]
base = "/echo"
[[trigger.http]]
route = "/..."
component = "python"
[component.python]
source = "{python}"
"""


def test_trigger_base_prefixes_every_route(helpers, run_runtime, tmp_path: Path) -> None:
    app = write_app(tmp_path / "based", BASED.format(python=helpers.app_wasm("hello-python")))
    served = run_runtime(app)
    headers = echoed(httpx.get(served.url("/echo/x")))  # the guest echoes only under /echo
    assert headers["spin-matched-route"] == "/echo/..."
    assert headers["spin-raw-component-route"] == "/..."
    assert headers["spin-component-route"] == ""
    assert headers["spin-path-info"] == "/x"
    assert headers["spin-base-path"] == "/echo"
    assert httpx.get(served.url("/x")).status_code == 404


EXACT = """
spin_manifest_version = 2
[application]
name = "exact"
[[trigger.http]]
route = "/hello"
component = "hello"
[component.hello]
source = "{hello}"
"""


@pytest.mark.parametrize("path", ["/", "/hello/more", "/hell", "/.well-known/spin/nothing"])
def test_unrouted_paths_are_404(helpers, run_runtime, tmp_path: Path, path: str) -> None:
    served = run_runtime(
        write_app(tmp_path / "exact", EXACT.format(hello=helpers.app_wasm("hello")))
    )
    assert httpx.get(served.url("/hello")).text == HELLO
    assert httpx.get(served.url(path)).status_code == 404


def test_selective_components_by_flag(run_runtime, routing_app: Path) -> None:
    served = run_runtime(routing_app, "--component-id", "python")
    assert httpx.get(served.url("/anything")).status_code == 404
    assert echoed(httpx.get(served.url("/echo/x")))["spin-path-info"] == "/x"


def test_selective_components_by_environment(run_runtime, routing_app: Path) -> None:
    served = run_runtime(routing_app, env={"SPIN_COMPONENTS_TO_RETAIN": "hello, "})
    # The python component's triggers are gone, so hello's /... serves its paths (as in Spin).
    assert httpx.get(served.url("/echo/x")).text == HELLO


def test_unknown_retained_component_is_a_startup_error(
    helpers, routing_app: Path, tmp_path: Path
) -> None:
    result = helpers.run_to_exit(
        [
            "up",
            "-f",
            str(routing_app),
            "--listen",
            f"127.0.0.1:{helpers.free_port()}",
            "--component-id",
            "nope",
        ],
        cwd=tmp_path,
    )
    assert result.returncode == 1
    assert "no component 'nope'" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


# -- the probe guest: bodies, traps, deadlines, variables, files -------------------------------


PROBE = """
spin_manifest_version = 2
[application]
name = "probe"
[variables]
greeting = {{ default = "hi" }}
secret = {{ required = true }}
[[trigger.http]]
route = "/..."
component = "probe"
[component.probe]
source = "{probe}"
files = [{{ source = "static", destination = "/" }}]
[component.probe.variables]
message = "{{{{ greeting }}}}, {{{{ secret }}}}"
"""


@pytest.fixture
def probe_app(tmp_path: Path, probe_wasm: Path) -> Path:
    app = write_app(tmp_path / "probe", PROBE.format(probe=probe_wasm))
    (app / "static" / "sub").mkdir(parents=True)
    (app / "static" / "sub" / "hello.txt").write_text("static hello\n")
    (tmp_path / "outside.txt").write_text("outside\n")
    return app


SECRET = {"SPIN_VARIABLE_SECRET": "s1"}


@pytest.mark.parametrize("size", [0, 1, 100_000, 1024 * 1024, 8 * 1024 * 1024], ids=str)
def test_bodies_through_a_guest(run_runtime, probe_app: Path, size: int) -> None:
    served = run_runtime(probe_app, env=SECRET)
    payload = (hashlib.sha256(b"x").hexdigest().encode() * (size // 64 + 1))[:size]
    response = httpx.post(served.url("/echo"), content=payload, timeout=120)
    assert response.status_code == 200
    assert hashlib.sha256(response.content).hexdigest() == hashlib.sha256(payload).hexdigest()


def test_chunked_body_through_a_guest(run_runtime, probe_app: Path) -> None:
    served = run_runtime(probe_app, env=SECRET)
    pieces = [b"first;", b"second;" * 1000, b"third"]
    response = httpx.post(served.url("/echo"), content=iter(pieces))
    assert response.content == b"".join(pieces)


def test_body_over_the_limit_is_413(run_runtime, probe_app: Path) -> None:
    served = run_runtime(probe_app, "--max-request-body", "1000", env=SECRET)
    assert httpx.post(served.url("/echo"), content=b"x" * 1001).status_code == 413
    assert httpx.post(served.url("/echo"), content=b"x" * 1000).status_code == 200


def test_a_trapping_guest_gives_500_and_the_worker_keeps_serving(
    run_runtime, probe_app: Path
) -> None:
    served = run_runtime(probe_app, env=SECRET)
    with httpx.Client() as client:
        assert client.get(served.url("/trap")).status_code == 500
        assert client.get(served.url("/")).text == "hello"
    assert "guest trapped" in served.output()


def test_a_guest_past_its_deadline_gives_500_and_the_worker_keeps_serving(
    run_runtime, probe_app: Path
) -> None:
    served = run_runtime(probe_app, "--request-timeout", "0.3", env=SECRET)
    with httpx.Client(timeout=30) as client:
        assert client.get(served.url("/loop")).status_code == 500
        assert client.get(served.url("/")).text == "hello"
    assert "deadline" in served.output()


@pytest.mark.parametrize(
    ("env", "runtime_config", "expected"),
    [
        ({"SPIN_VARIABLE_SECRET": "s1"}, None, "hi, s1"),
        ({"SPIN_VARIABLE_SECRET": "s1", "SPIN_VARIABLE_GREETING": "hey"}, None, "hey, s1"),
        ({"SPIN_VARIABLE_SECRET": "s1", "SECRET": "plain"}, None, "hi, plain"),
        (
            {"SPIN_VARIABLE_SECRET": "s1", "MYAPP_SECRET": "from-rc"},
            '[[config_provider]]\ntype = "env"\nprefix = "MYAPP_"\n',
            "hi, from-rc",
        ),
    ],
    ids=["default-and-env", "env-overrides-default", "plain-name", "runtime-config-prefix"],
)
def test_variables(
    run_runtime, probe_app: Path, tmp_path: Path, env, runtime_config, expected
) -> None:
    args: list[str] = []
    if runtime_config is not None:
        config = tmp_path / "runtime-config.toml"
        config.write_text(runtime_config)
        args = ["--runtime-config-file", str(config)]
    served = run_runtime(probe_app, *args, env=env)
    response = httpx.get(served.url("/var/message"))
    assert (response.status_code, response.text) == (200, expected)
    assert httpx.get(served.url("/var/undefined")).status_code == 404


def test_a_missing_required_variable_stops_the_start(
    helpers, probe_app: Path, tmp_path: Path
) -> None:
    result = helpers.run_to_exit(
        ["up", "-f", str(probe_app), "--listen", f"127.0.0.1:{helpers.free_port()}"], cwd=tmp_path
    )
    assert result.returncode == 1
    assert result.stderr.startswith("error: variable 'secret' is required but has no value")
    assert "SPIN_VARIABLE_SECRET" in result.stderr


def test_static_files_from_a_files_mount(run_runtime, probe_app: Path, raw) -> None:
    served = run_runtime(probe_app, env=SECRET)
    response = httpx.get(served.url("/file/sub/hello.txt"))
    assert (response.status_code, response.text) == (200, "static hello\n")
    assert httpx.get(served.url("/file/missing.txt")).status_code == 404
    conn = raw(served.port)  # httpx would normalise the dots away
    conn.send(b"GET /file/../../../outside.txt HTTP/1.1\r\nHost: x\r\n\r\n")
    assert conn.read_response()[0] == 404


# -- start-up errors --------------------------------------------------------------------------


def test_port_in_use_names_the_address_before_compiling(helpers, tmp_path: Path) -> None:
    cold_cache = tmp_path / "cache"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        address = f"127.0.0.1:{taken.getsockname()[1]}"
        app = str(helpers.app_wasm("hello").parent)
        result = helpers.run_to_exit(
            ["up", "-f", app, "--listen", address, "--cache-dir", str(cold_cache)], cwd=tmp_path
        )
    assert result.returncode == 3
    assert result.stderr == f"error: cannot listen on {address}: address already in use\n"
    assert not any(cold_cache.rglob("*.cwasm")), "compiled although the port was taken"


@pytest.mark.parametrize(
    ("manifest", "message"),
    [
        (None, "no such file or directory"),
        ("spin_manifest_version = 2\n[application]\nname = 'x'\n[component.a]\n", "spin.toml"),
        ("this is not toml", "spin.toml"),
    ],
    ids=["missing", "bad-key", "bad-toml"],
)
def test_bad_apps_are_one_line_errors(
    helpers, tmp_path: Path, manifest: str | None, message: str
) -> None:
    source = tmp_path / "app"
    if manifest is not None:
        write_app(source, manifest)
    result = helpers.run_to_exit(
        ["up", "-f", str(source), "--listen", f"127.0.0.1:{helpers.free_port()}"], cwd=tmp_path
    )
    assert result.returncode == 1
    assert result.stderr.startswith("error: ")
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_unreachable_registry_is_a_one_line_error(helpers, tmp_path: Path) -> None:
    reference = f"127.0.0.1:{helpers.free_port()}/apps/hello:v1"
    result = helpers.pull_to_exit(reference, cwd=tmp_path)
    assert result.returncode == 4
    assert result.stderr.startswith(f"error: cannot pull {reference}")
    assert len(result.stderr.strip().splitlines()) == 1


# -- serving ----------------------------------------------------------------------------------


def test_listen_address_from_the_environment(helpers, run_runtime, tmp_path: Path) -> None:
    port = helpers.free_port()
    served = run_runtime(
        helpers.app_wasm("hello").parent,
        env={"SPIN_HTTP_LISTEN_ADDR": f"127.0.0.1:{port}"},
        listen_flag=False,
        port=port,
    )
    assert httpx.get(served.url("/")).text == HELLO


def test_sigterm_drains_a_request_in_flight(run_runtime, probe_app: Path, raw) -> None:
    served = run_runtime(probe_app, env=SECRET)
    conn = raw(served.port)
    conn.send(
        b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"
    )
    assert conn.read_head()[0] == 100
    served.process.send_signal(15)
    conn.send(b"drain")
    status, _headers, body = conn.read_response()
    assert (status, body) == (200, b"drain")
    assert served.terminate() == 0


def test_json_access_log(helpers, run_runtime) -> None:
    served = run_runtime(helpers.app_wasm("hello").parent, "--log-format", "json")
    httpx.get(served.url("/logged?q=1"))
    served.terminate()
    entries = [json.loads(line) for line in served.output().splitlines() if line.startswith("{")]
    access = [e for e in entries if e["logger"] == "spinkube.runtime.access"]
    logged = next(e for e in access if e["target"] == "/logged?q=1")
    assert (logged["method"], logged["status"], logged["bytes"]) == ("GET", 200, len(HELLO))


def test_no_access_log(helpers, run_runtime) -> None:
    served = run_runtime(helpers.app_wasm("hello").parent, "--no-access-log")
    httpx.get(served.url("/not-logged"))
    served.terminate()
    assert "/not-logged" not in served.output()


# -- the other samples ------------------------------------------------------------------------


def test_variable_explorer_sample(helpers, run_runtime) -> None:
    app = helpers.app_wasm("variable-explorer").parent
    served = run_runtime(app, env={"SPIN_VARIABLE_DB_PASSWORD": "pw", "PLATFORM_NAME": "Kube"})
    response = httpx.get(served.url("/"))
    assert (response.status_code, response.text) == (200, "Hello from Kube")
    assert "# DB Password: pw" in served.output()


@pytest.mark.parametrize(
    ("path", "status", "start"),
    [
        ("/static/", 200, "<!"),
        ("/static/assets/style.css", 200, ""),
        ("/static/notes/hello.txt", 200, ""),
        ("/static/missing.txt", 404, "Not Found"),
        ("/elsewhere", 404, ""),
    ],
)
def test_static_files_sample(helpers, run_runtime, path: str, status: int, start: str) -> None:
    app = helpers.app_wasm("static-files").parent
    served = run_runtime(app)
    response = httpx.get(served.url(path))
    assert response.status_code == status
    assert response.text.startswith(start)
    if path.endswith(".txt") and status == 200:
        assert response.text == (app / "notes" / "hello.txt").read_text()


def test_kv_counter_sample_counts_across_requests(helpers, run_runtime) -> None:
    served = run_runtime(helpers.app_wasm("kv-counter").parent)
    with httpx.Client() as client:
        counts = [client.get(served.url(p)).text for p in ("/a", "/a", "/b", "/a")]
    assert counts == ["1", "2", "1", "3"]


@pytest.mark.parametrize(
    ("args", "env", "status"),
    [
        ((), {}, 200),
        (("--max-instance-memory", str(64 * 1024 * 1024)), {}, 500),
        ((), {"SPIN_MAX_INSTANCE_MEMORY": str(64 * 1024 * 1024)}, 500),
    ],
    ids=["unlimited", "flag", "environment"],
)
def test_instance_memory_limit(run_runtime, probe_app: Path, args, env, status: int) -> None:
    served = run_runtime(probe_app, *args, env={**SECRET, **env})
    with httpx.Client() as client:
        assert client.get(served.url("/grow")).status_code == status
        assert client.get(served.url("/")).text == "hello"


def test_an_undefined_key_value_store_stops_the_start(helpers, tmp_path: Path) -> None:
    manifest = EXACT.format(hello=helpers.app_wasm("hello")) + 'key_value_stores = ["nope"]\n'
    app = write_app(tmp_path / "kv", manifest)
    result = helpers.run_to_exit(
        ["up", "-f", str(app), "--listen", f"127.0.0.1:{helpers.free_port()}"], cwd=tmp_path
    )
    assert result.returncode == 1
    assert "key_value_stores: 'nope' is not defined" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_component_that_does_not_compile_stops_the_start(helpers, tmp_path: Path) -> None:
    app = write_app(tmp_path / "bad", EXACT.format(hello="app.wasm"))
    (app / "app.wasm").write_bytes(b"not wasm")
    result = helpers.run_to_exit(
        ["up", "-f", str(app), "--listen", f"127.0.0.1:{helpers.free_port()}",
         "--cache-dir", str(tmp_path / "cache")],
        cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(f"error: component 'hello': cannot compile {app / 'app.wasm'}")


def test_precompile_fills_the_compile_cache(helpers, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    result = helpers.run_to_exit(
        ["precompile", "-f", str(helpers.app_wasm("hello").parent), "--cache-dir", str(cache)],
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "compiled 1 component(s) of hello\n"
    assert len(list((cache / "wasm").glob("*.cwasm"))) == 1


def test_a_second_runtime_on_the_same_port_is_refused(helpers, run_runtime, tmp_path: Path) -> None:
    """SO_REUSEPORT would let it share the port silently; the exclusive probe bind prevents that."""
    first = run_runtime(helpers.app_wasm("hello").parent)
    address = f"127.0.0.1:{first.port}"
    result = helpers.run_to_exit(
        ["up", "-f", str(helpers.app_wasm("hello").parent), "--listen", address], cwd=tmp_path
    )
    assert result.returncode == 3
    assert result.stderr == f"error: cannot listen on {address}: address already in use\n"
    assert httpx.get(first.url("/")).text == HELLO
