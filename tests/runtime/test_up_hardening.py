"""`spinkube-runtime up` attacked as a hostile client and with misbehaving guests (issue 17),
over real sockets with the host's probe guest: no file leaks through links, no header injection
or response splitting, no desync past a declared length, no spoofed ``spin-*`` headers."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.apps

MANIFEST = """
spin_manifest_version = 2
[application]
name = "hardening"
[[trigger.http]]
route = "/..."
component = "probe"
[[trigger.http]]
route = "/q/:name"
component = "probe"
[component.probe]
source = "{probe}"
files = {files}
"""


def write_app(directory: Path, probe: Path, files: str = "[]") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "spin.toml").write_text(MANIFEST.format(probe=probe, files=files))
    return directory


@pytest.fixture
def app(tmp_path: Path, probe_wasm: Path) -> Path:
    return write_app(tmp_path / "app", probe_wasm)


def exchange(port: int, wire: bytes) -> bytes:
    """Sends ``wire`` and returns every byte the server sends until it closes the connection."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(wire)
        received = b""
        try:
            while data := sock.recv(1 << 16):
                received += data
        except ConnectionResetError:
            pass
        return received


def get(path: str, *headers: str, close: bool = False) -> bytes:
    lines = [f"GET {path} HTTP/1.1", "Host: test", *headers]
    if close:
        lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def split_response(data: bytes) -> tuple[int, dict[str, list[str]], bytes]:
    """The first response (with a content-length body) and what follows it."""
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers: dict[str, list[str]] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers.setdefault(name.strip().lower(), []).append(value.strip())
    length = int(headers.get("content-length", ["0"])[0])
    return int(lines[0].split(" ")[1]), headers, rest[:length] + b"|" + rest[length:]


# -- 1. static files never leak through links -------------------------------------------------

FORMS = [
    pytest.param('["static"]', "/static", id="directory"),
    pytest.param('[{ source = "static", destination = "/" }]', "", id="placement"),
    pytest.param('["static/**/*"]', "/static", id="glob"),
]


@pytest.mark.parametrize(("files", "prefix"), FORMS)
def test_links_leaving_the_source_folder_are_not_served(
    run_runtime, tmp_path: Path, probe_wasm: Path, files: str, prefix: str
) -> None:
    app = write_app(tmp_path / "app", probe_wasm, files)
    static = app / "static"
    static.mkdir()
    (static / "hello.txt").write_text("static hello\n")
    (app / "secret.txt").write_text("app secret\n")
    (tmp_path / "host-secret.txt").write_text("host secret\n")
    (static / "passwd").symlink_to(tmp_path / "host-secret.txt")
    (static / "secret").symlink_to("../secret.txt")
    (static / "alias.txt").symlink_to("hello.txt")

    served = run_runtime(app)

    def fetch(name: str) -> bytes:
        status, _, body = split_response(
            exchange(served.port, get(f"/file{prefix}/{name}", close=True))
        )
        return b"%d %s" % (status, body.partition(b"|")[0])

    assert fetch("alias.txt") == b"200 static hello\n"
    assert fetch("hello.txt") == b"200 static hello\n"
    assert fetch("passwd") == b"404 no such thing"
    assert fetch("secret") == b"404 no such thing"
    log = served.output()
    assert "skipping" in log
    assert "outside its source folder" in log
    assert "passwd" in log


# -- 2. no header injection, no response splitting --------------------------------------------


def test_a_guest_cannot_inject_a_header_line(run_runtime, app: Path) -> None:
    served = run_runtime(app)
    data = exchange(served.port, get("/header", close=True))
    status, headers, body = split_response(data)
    assert (status, body) == (200, b"refused|")
    assert b"X-Injected" not in data
    assert "x-echo" not in headers


# -- 3. a declared content-length is enforced -------------------------------------------------


def test_a_collected_body_longer_than_its_length_gives_500_and_no_forged_response(
    run_runtime, app: Path
) -> None:
    served = run_runtime(app)
    data = exchange(served.port, get("/k-lie") + get("/", close=True))
    first, _, rest = data.partition(b"\r\n\r\n")
    assert first.startswith(b"HTTP/1.1 500 ")
    assert b"0123456789" not in data
    assert rest.count(b"HTTP/1.1 ") == 1
    assert rest.endswith(b"hello")
    assert "does not match its content-length 5" in served.output()


def test_a_streamed_body_longer_than_its_length_is_cut_there_and_the_connection_closed(
    run_runtime, app: Path
) -> None:
    served = run_runtime(app)
    data = exchange(served.port, get("/j-lie") + get("/"))
    status, headers, body = split_response(data)
    assert (status, headers["content-length"], body) == (200, ["5"], b"01234|")


# -- 4. the runtime's spin-* headers cannot be spoofed ----------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        pytest.param("spin-path-match-name", b"spin-path-match-name\n", id="route-parameter"),
        pytest.param("spin-path-match-other", b"", id="parameter-of-no-route"),
        pytest.param("spin-full-url", b"http://test/q/spin-full-url\n", id="full-url"),
        pytest.param("spin-matched-route", b"/q/:name\n", id="matched-route"),
    ],
)
def test_client_sent_spin_headers_never_reach_the_guest(
    run_runtime, app: Path, header: str, expected: bytes
) -> None:
    served = run_runtime(app)
    wire = get(f"/q/{header}", f"{header}: admin", f"{header.upper()}: admin2", close=True)
    status, _, body = split_response(exchange(served.port, wire))
    assert (status, body) == (200, expected + b"|")


# -- 5. one slow guest never stalls its worker ------------------------------------------------


def answers_within(port: int, path: str, seconds: float) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=seconds) as sock:
        sock.sendall(get(path, close=True))
        received = b""
        while data := sock.recv(1 << 16):
            received += data
        return received


@pytest.mark.parametrize("slow", ["/zzz", "/loop"], ids=["sleeping", "computing"])
def test_a_slow_guest_does_not_stall_the_other_requests_of_its_worker(
    run_runtime, app: Path, slow: str
) -> None:
    served = run_runtime(app, "--request-timeout", "60", "--grace-period", "1")
    with socket.create_connection(("127.0.0.1", served.port), timeout=30) as slow_conn:
        slow_conn.sendall(get(slow))
        for _ in range(3):
            assert answers_within(served.port, "/", 30).endswith(b"\r\n\r\nhello")
        slow_conn.setblocking(False)
        with pytest.raises(BlockingIOError):
            slow_conn.recv(1)  # the slow guest is still at it: nothing came back yet


@pytest.mark.parametrize(
    ("args", "env"),
    [(["--concurrency", "0"], {}), ([], {"SPINKUBE_CONCURRENCY": "17"})],
    ids=["flag", "env"],
)
def test_a_concurrency_out_of_range_is_a_usage_error(
    helpers, app: Path, tmp_path: Path, args: list[str], env: dict[str, str]
) -> None:
    listen = f"127.0.0.1:{helpers.free_port()}"
    result = helpers.run_to_exit(
        ["up", "-f", str(app), "--listen", listen, *args], env=env, cwd=tmp_path
    )
    assert result.returncode == 2
    assert "--concurrency" in result.stderr
    assert "1<=x<=16" in result.stderr


# -- 7. clients that never read do not grow the worker's memory -------------------------------


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError(f"no VmRSS for {pid}")


def worker_pid(parent: int) -> int:
    children = [
        int(pid)
        for task in Path(f"/proc/{parent}/task").iterdir()
        for pid in (task / "children").read_text().split()
    ]
    assert len(children) == 1, children
    return children[0]


def test_responses_to_clients_that_never_read_stay_bounded_per_connection(
    run_runtime, app: Path
) -> None:
    served = run_runtime(app)
    worker = worker_pid(served.process.pid)
    before = rss_bytes(worker)
    clients = [socket.create_connection(("127.0.0.1", served.port), timeout=30) for _ in range(20)]
    try:
        for client in clients:
            client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
            client.sendall(get("/all"))  # 16 MiB each, never read: 320 MiB asked for
        peak = before
        for _ in range(40):  # watch the worker while it answers as far as it can
            peak = max(peak, rss_bytes(worker))
            time.sleep(0.1)
        assert peak - before < 96 * 1024 * 1024
        body = b""
        clients[0].settimeout(60)
        while b"\r\n0\r\n\r\n" not in body[-16:]:
            chunk = clients[0].recv(1 << 20)
            assert chunk, f"the connection closed after {len(body)} bytes, before the body ended"
            body += chunk
        assert len(body) > 16 * 1024 * 1024  # the head, the chunk framing and all 16 MiB
    finally:
        for client in clients:
            client.close()
