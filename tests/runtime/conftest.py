"""Fixtures for the HTTP runtime tests: `spinkube-runtime up` (or a test server) as a subprocess
on a free loopback port, stopped after the test, and test guests built with the sample apps' tools.
"""

from __future__ import annotations

import contextlib
import getpass
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import httptools
import httpx
import pytest
import redis

from spinkube.testing import free_port

REPO = Path(__file__).resolve().parents[2]
APPS_DIR = REPO / "apps"
BUILD_VENV = REPO / ".cache" / "build-venv"
PROBE_DIR = REPO / "tests" / "runtime" / "wasm" / "guests"
RUNTIME = [sys.executable, "-m", "spinkube.runtime"]
ECHO_SERVER = Path(__file__).parent / "echo_server.py"

READY_SECONDS = 240.0
"""A first start compiles the guest (tens of seconds for the Python and JS samples)."""
STOP_SECONDS = 30.0


class ChunkedBody:
    """A chunked response body as a client decodes it (llhttp's response parser): ``data``,
    whether the last chunk came (``complete``) and whether any byte followed it (``followed``)."""

    def __init__(self) -> None:
        self.data = bytearray()
        self.complete = False
        self.followed = False
        self._parser = httptools.HttpResponseParser(self)
        self._parser.feed_data(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")

    def feed(self, wire: bytes) -> ChunkedBody:
        self._parser.feed_data(wire)
        return self

    def on_message_begin(self) -> None:
        self.followed = self.complete

    def on_body(self, data: bytes) -> None:
        self.data += data

    def on_message_complete(self) -> None:
        self.complete = True


@dataclass
class Served:
    """A server process on ``127.0.0.1:<port>``; its stderr goes to ``log``."""

    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_ready(self, path: str = "/.well-known/spin/health") -> None:
        deadline = time.monotonic() + READY_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"server exited with {self.process.returncode}:\n{self.output()}")
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(self.url(path), timeout=5).status_code == 200:
                    return
            time.sleep(0.05)
        pytest.fail(f"server not ready after {READY_SECONDS}s:\n{self.output()}")

    def terminate(self) -> int:
        """SIGTERM, then wait for the exit code (SIGKILL if it does not come)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            kill_group(self.process)
            pytest.fail(f"server ignored SIGTERM:\n{self.output()}")


EVENT_DEADLINE_S = 60.0
"""How long a test waits for a trigger's effect (a message handled, a tick logged)."""


def eventually(
    what: str,
    check: Callable[[], bool],
    *,
    deadline_s: float = EVENT_DEADLINE_S,
    served: Served | None = None,
) -> None:
    """Polls ``check`` until it holds; fails naming ``what`` after the deadline, or at once when
    ``served``'s runtime has exited (with its log either way)."""
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if check():
            return
        if served is not None and served.process.poll() is not None:
            pytest.fail(
                f"runtime exited ({served.process.returncode}) before {what}:\n{served.output()}"
            )
        time.sleep(0.05)
    log = f":\n{served.output()}" if served is not None else ""
    pytest.fail(f"not within {deadline_s}s: {what}{log}")


def _spawn(
    argv: Sequence[str], env: Mapping[str, str] | None, log: Path
) -> subprocess.Popen[bytes]:
    full_env = {k: v for k, v in os.environ.items() if k != "SPIN_HTTP_LISTEN_ADDR"}
    full_env.update(env or {})
    with log.open("wb") as out:
        return subprocess.Popen(
            list(argv),
            stdout=out,
            stderr=subprocess.STDOUT,
            env=full_env,
            cwd=log.parent,
            start_new_session=True,  # its own process group: see kill_group
        )


def kill_group(process: subprocess.Popen[bytes]) -> None:
    """SIGKILLs the process and every process it forked (its process group), and reaps it."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


@pytest.fixture
def processes() -> Iterator[list[Served]]:
    started: list[Served] = []
    yield started
    for served in started:
        kill_group(served.process)  # also the children of a parent that has already exited


@pytest.fixture(scope="session")
def compile_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("compile-cache")


RunRuntime = Callable[..., Served]


@pytest.fixture
def run_runtime(
    tmp_path: Path, compile_cache: Path, processes: list[Served]
) -> Callable[..., Served]:
    """Start ``spinkube-runtime up -f SOURCE`` on a free port; ``wait=False`` for failing starts."""
    counter = iter(range(1000))

    def start(
        source: str | Path,
        *args: str,
        env: Mapping[str, str] | None = None,
        workers: int = 1,
        wait: bool = True,
        port: int | None = None,
        listen_flag: bool = True,
    ) -> Served:
        n = next(counter)
        port = port or free_port()
        state = tmp_path / f"state-{n}"
        listen = ["--listen", f"127.0.0.1:{port}"] if listen_flag else []
        argv = [
            *RUNTIME,
            "up",
            "-f",
            str(source),
            *listen,
            "--workers",
            str(workers),
            "--state-dir",
            str(state),
            "--cache-dir",
            str(compile_cache),
            *args,
        ]
        served = Served(
            _spawn(argv, env, tmp_path / f"runtime-{n}.log"), port, tmp_path / f"runtime-{n}.log"
        )
        processes.append(served)
        if wait:
            served.wait_ready()
        return served

    return start


@pytest.fixture
def echo_server(tmp_path: Path, processes: list[Served]) -> Callable[..., Served]:
    """The server package with a Python handler (``echo_server.py``): HTTP mechanics alone."""

    def start(
        *,
        workers: int = 1,
        max_body: int = 1 << 20,
        idle_timeout_s: float = 60.0,
        head_timeout_s: float = 10.0,
    ) -> Served:
        port = free_port()
        argv = [
            sys.executable,
            str(ECHO_SERVER),
            f"127.0.0.1:{port}",
            str(workers),
            str(max_body),
            str(idle_timeout_s),
            str(head_timeout_s),
        ]
        served = Served(_spawn(argv, None, tmp_path / "echo.log"), port, tmp_path / "echo.log")
        processes.append(served)
        served.wait_ready("/ok")
        return served

    return start


def run_to_exit(
    argv: Sequence[str], *, env: Mapping[str, str] | None = None, cwd: Path
) -> subprocess.CompletedProcess[str]:
    """Run the runtime CLI expecting it to stop by itself (a start-up error)."""
    full_env = {**os.environ, **(env or {})}
    full_env.pop("SPIN_HTTP_LISTEN_ADDR", None)
    return subprocess.run(
        [*RUNTIME, *argv], capture_output=True, text=True, env=full_env, cwd=cwd, timeout=120
    )


def pull_to_exit(reference: str, *, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``up -f <reference>`` on a free port with a fresh cache in ``cwd``, expected to fail
    while pulling."""
    listen = f"127.0.0.1:{free_port()}"
    argv = ["up", "-f", reference, "--listen", listen, "--cache-dir", str(cwd)]
    return run_to_exit(argv, cwd=cwd)


# -- guests -----------------------------------------------------------------------------------


def app_wasm(name: str) -> Path:
    wasm = APPS_DIR / name / "app.wasm"
    if not wasm.is_file():
        pytest.skip(f"apps/{name} is not built (run scripts/build-apps.sh)")
    return wasm


def _wasm_tools() -> tuple[Path, Path]:
    tools = BUILD_VENV / "bin" / "wasm-tools"
    wit = next(BUILD_VENV.glob("lib/python*/site-packages/spin_sdk/wit"), None)
    if not tools.exists() or wit is None:
        pytest.skip("wasm-tools and spin_sdk from .cache/build-venv are needed (scripts/setup.sh)")
    return tools, wit


@pytest.fixture(scope="session")
def probe_wasm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Wasm host's probe guest (tests/runtime/wasm/guests/probe.wat): echo, trap, loop,
    variables and files, by path."""
    tools, sdk_wit = _wasm_tools()
    work = tmp_path_factory.mktemp("probe")
    deps = work / "wit" / "deps"
    deps.mkdir(parents=True)
    (work / "wit" / "probe.wit").write_text((PROBE_DIR / "probe.wit").read_text())
    for dep in (sdk_wit / "deps").iterdir():
        (deps / dep.name).symlink_to(dep)
    spin = deps / "spin"
    spin.mkdir()
    for wit in sdk_wit.glob("*.wit"):
        (spin / wit.name).write_text(wit.read_text())
    core, embedded, component = work / "core.wasm", work / "embed.wasm", work / "probe.wasm"
    for step in (
        ["parse", str(PROBE_DIR / "probe.wat"), "-o", str(core)],
        [
            "component",
            "embed",
            str(work / "wit"),
            "--world",
            "probe",
            str(core),
            "-o",
            str(embedded),
        ],
        ["component", "new", str(embedded), "-o", str(component)],
    ):
        done = subprocess.run([str(tools), *step], capture_output=True, text=True)
        if done.returncode != 0:
            pytest.fail(f"building the probe guest failed: {done.stderr}")
    return component


@dataclass(frozen=True)
class Helpers:
    """Plain functions the test modules use (they cannot import this conftest)."""

    app_wasm: Callable[[str], Path]
    free_port: Callable[[], int]
    run_to_exit: Callable[..., subprocess.CompletedProcess[str]]
    pull_to_exit: Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def helpers() -> Helpers:
    return Helpers(
        app_wasm=app_wasm,
        free_port=free_port,
        run_to_exit=run_to_exit,
        pull_to_exit=pull_to_exit,
    )


# -- a raw HTTP/1.1 client, for what httpx hides (keep-alive, pipelining, partial requests) ----


class RawConnection:
    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self._buf = b""

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def _fill(self) -> bool:
        chunk = self.sock.recv(1 << 16)
        self._buf += chunk
        return bool(chunk)

    def read_head(self) -> tuple[int, dict[str, str]]:
        while b"\r\n\r\n" not in self._buf:
            if not self._fill():
                raise ConnectionError(f"closed before a response head: {self._buf!r}")
        head, self._buf = self._buf.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ")[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        return status, headers

    def read_response(self) -> tuple[int, dict[str, str], bytes]:
        status, headers = self.read_head()
        length = int(headers.get("content-length", "0"))
        while len(self._buf) < length:
            if not self._fill():
                raise ConnectionError("closed in the middle of a body")
        body, self._buf = self._buf[:length], self._buf[length:]
        return status, headers, body

    def is_closed_by_peer(self) -> bool:
        try:
            return self.sock.recv(1) == b""
        except ConnectionResetError:
            return True

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def raw() -> Iterator[Callable[[int], RawConnection]]:
    opened: list[RawConnection] = []

    def connect(port: int) -> RawConnection:
        conn = RawConnection(port)
        opened.append(conn)
        return conn

    yield connect
    for conn in opened:
        conn.close()


# -- a real Redis (Debian's redis-server), for the host-API tests ----------------------------

REDIS_START_SECONDS = 20.0
NO_PERSIST = ("--save", "", "--appendonly", "no")


@dataclass
class RedisServer:
    port: int

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}"

    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port)


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("needs Debian's redis-server")
    workdir = tmp_path_factory.mktemp("redis")
    port = free_port()
    log = (workdir / "redis.log").open("wb")
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(workdir), *NO_PERSIST],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    server = RedisServer(port)
    try:
        _wait_for_redis(server, process, workdir / "redis.log")
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=REDIS_START_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _wait_for_redis(server: RedisServer, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + REDIS_START_SECONDS
    client = server.client()
    try:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"redis-server exited: {log.read_text()}")
            try:
                if client.ping():
                    return
            except redis.ConnectionError:
                time.sleep(0.02)
        pytest.fail("redis-server did not answer PING in time")
    finally:
        client.close()


# -- a real PostgreSQL (Debian's postgresql), for outbound PostgreSQL ---------------------------

POSTGRES_USER = "postgres"
"""The system user the server runs as (initdb and postgres refuse to run as root)."""


@dataclass
class PostgresServer:
    port: int

    @property
    def url(self) -> str:
        return f"postgres://spin@127.0.0.1:{self.port}/postgres"


def _as_server_user(argv: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return argv
    return ["runuser", "-u", POSTGRES_USER, "--", *argv]


@pytest.fixture(scope="module")
def postgres_server() -> Iterator[PostgresServer]:
    """A throwaway cluster (trust auth, user ``spin``) on a free loopback port, in a temp dir
    the server user owns; stopped and removed after the module."""
    import tempfile

    bindirs = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
    if not bindirs:
        pytest.skip("needs Debian's postgresql")
    bindir = bindirs[-1]
    workdir = Path(tempfile.mkdtemp(prefix="spinkube-pg-"))
    if os.geteuid() == 0:
        shutil.chown(workdir, POSTGRES_USER)
    data, port = workdir / "data", free_port()
    server = PostgresServer(port)
    try:
        subprocess.run(
            _as_server_user([str(bindir / "initdb"), "-D", str(data), "-U", "spin",
                             "--auth=trust", "-E", "UTF8"]),
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        options = f"-h 127.0.0.1 -p {port} -k {workdir}"
        subprocess.run(
            _as_server_user([str(bindir / "pg_ctl"), "-D", str(data), "-o", options,
                             "-l", str(workdir / "log"), "-w", "-t", "60", "start"]),
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        yield server
    finally:
        subprocess.run(
            _as_server_user([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w",
                             "stop"]),
            capture_output=True, timeout=120,
        )  # fmt: skip
        shutil.rmtree(workdir, ignore_errors=True)


# -- a real MySQL (Debian's mariadb-server), for outbound MySQL --------------------------------

MYSQL_USER = "mysql"


@dataclass
class MysqlServer:
    port: int

    @property
    def url(self) -> str:
        return f"mysql://root@127.0.0.1:{self.port}/spin"


@pytest.fixture(scope="module")
def mysql_server() -> Iterator[MysqlServer]:
    """A throwaway MariaDB (grant tables skipped: any user, no password) on a free loopback
    port, with an empty database ``spin``; stopped and removed after the module."""
    import tempfile

    server_bin, install = (
        shutil.which("mariadbd", path="/usr/sbin:/usr/bin"),
        shutil.which("mariadb-install-db"),
    )
    if server_bin is None or install is None:
        pytest.skip("needs Debian's mariadb-server")
    workdir = Path(tempfile.mkdtemp(prefix="spinkube-mysql-"))
    try:
        data = workdir / "data"
        data.mkdir()
        user = ["--user", MYSQL_USER] if os.geteuid() == 0 else []
        if os.geteuid() == 0:
            workdir.chmod(0o755)
            for path in (workdir, data):
                shutil.chown(path, MYSQL_USER, MYSQL_USER)
        subprocess.run(
            [install, "--no-defaults", f"--datadir={data}", *user, "--skip-test-db"],
            check=True, capture_output=True, timeout=180, cwd=workdir,
        )  # fmt: skip
        (data / "spin").mkdir()
        if os.geteuid() == 0:
            shutil.chown(data / "spin", MYSQL_USER, MYSQL_USER)
        yield from _run_mysqld(server_bin, data, workdir, user)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _run_mysqld(
    server_bin: str, data: Path, workdir: Path, user: list[str]
) -> Iterator[MysqlServer]:
    port = free_port()
    with (workdir / "log").open("wb") as log:
        process = subprocess.Popen(
            [server_bin, "--no-defaults", f"--datadir={data}", f"--socket={workdir}/sock",
             f"--port={port}", "--bind-address=127.0.0.1", "--skip-grant-tables",
             f"--pid-file={workdir}/pid", *user],
            stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        _wait_for_port(port, process, workdir / "log")
        yield MysqlServer(port)
    finally:
        process.terminate()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited: {log.read_text(errors='replace')}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
            return
        time.sleep(0.05)
    pytest.fail(f"nothing listens on {port} after 120 s")


# -- a real MQTT broker (Debian's mosquitto), for outbound MQTT and the MQTT trigger ------------


@dataclass
class MqttBroker:
    port: int

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"


class Mosquitto:
    """Debian's mosquitto on a fixed free loopback port, logging to ``log``; a test may stop and
    start it again (same port). ``users`` (name -> password) turns anonymous access off;
    ``log_all`` logs every packet (``Sending PUBLISH to <client> (d0, q1, ...)``)."""

    def __init__(
        self, workdir: Path, *, users: Mapping[str, str] | None = None, log_all: bool = False
    ) -> None:
        binary = shutil.which("mosquitto", path="/usr/sbin:/usr/bin")
        if binary is None:
            pytest.skip("needs Debian's mosquitto")
        self.binary = binary
        self.broker = MqttBroker(free_port())
        self.log = workdir / "log"
        self.config = workdir / "mosquitto.conf"
        # Started as root, mosquitto would switch to its own user, who cannot read the test's
        # private temp dir (the password file); as anyone else, `user` is ignored.
        lines = [f"listener {self.broker.port} 127.0.0.1", "persistence false"]
        lines.append(f"user {getpass.getuser()}")
        lines.append(f"allow_anonymous {'false' if users else 'true'}")
        if users:
            lines.append(f"password_file {self._password_file(workdir, users)}")
        if log_all:
            lines.append("log_type all")
        self.config.write_text("\n".join(lines) + "\n")
        self.process: subprocess.Popen[bytes] | None = None

    @staticmethod
    def _password_file(workdir: Path, users: Mapping[str, str]) -> Path:
        tool = shutil.which("mosquitto_passwd", path="/usr/bin:/usr/sbin")
        if tool is None:
            pytest.skip("needs Debian's mosquitto_passwd")
        path = workdir / "passwords"
        path.touch(mode=0o600)
        for name, password in users.items():
            subprocess.run([tool, "-b", str(path), name, password], check=True, timeout=30)
        return path

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [self.binary, "-c", str(self.config)], stdout=log, stderr=subprocess.STDOUT
            )
        _wait_for_port(self.broker.port, self.process, self.log)

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture(scope="module")
def mqtt_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MqttBroker]:
    broker = Mosquitto(tmp_path_factory.mktemp("mosquitto"))
    try:
        broker.start()
        yield broker.broker
    finally:
        broker.stop()
