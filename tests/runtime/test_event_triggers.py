"""The Redis and command triggers, and several triggers in one app, through `spinkube-runtime up`
against a real redis-server (Debian's), with the sample apps apps/redis-trigger,
apps/multi-trigger and apps/command."""

from __future__ import annotations

import shutil
import signal
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis

from spinkube.testing import free_port

from .conftest import (
    APPS_DIR,
    NO_PERSIST,
    READY_SECONDS,
    STOP_SECONDS,
    Helpers,
    RedisServer,
    RunRuntime,
    Served,
    eventually,
)

pytestmark = [pytest.mark.apps, pytest.mark.slow]


def subscribers(client: redis.Redis, channel: str) -> int:
    reply = client.pubsub_numsub(channel)
    return int(reply[0][1]) if reply else 0


def app_env(server: RedisServer, channel: str) -> dict[str, str]:
    return {"SPIN_VARIABLE_REDIS_ADDRESS": server.url, "SPIN_VARIABLE_REDIS_CHANNEL": channel}


def wait_subscribed(client: redis.Redis, channel: str, served: Served) -> None:
    eventually(
        f"a subscriber on {channel!r}:\n{served.output()}",
        lambda: subscribers(client, channel) >= 1,
        deadline_s=READY_SECONDS,
    )


# -- the Redis trigger ------------------------------------------------------------------------


@pytest.fixture
def redis_client(redis_server: RedisServer) -> Iterator[redis.Redis]:
    client = redis_server.client()
    client.flushall()
    yield client
    client.close()


def test_each_message_runs_the_component_and_a_trap_does_not_stop_the_subscription(
    run_runtime: RunRuntime,
    helpers: Helpers,
    redis_server: RedisServer,
    redis_client: redis.Redis,
) -> None:
    helpers.app_wasm("redis-trigger")
    channel = f"ch-{uuid.uuid4().hex[:8]}"
    served = run_runtime(APPS_DIR / "redis-trigger", env=app_env(redis_server, channel), wait=False)
    wait_subscribed(redis_client, channel, served)

    redis_client.publish(channel, b"first")
    eventually("first handled", lambda: redis_client.get("last-message") == b"first")
    redis_client.publish(channel, b"trap")
    eventually(
        "the trap logged",
        lambda: "failed on a message from channel" in served.output(),
    )
    redis_client.publish(channel, b"second")
    eventually("second handled", lambda: redis_client.get("last-message") == b"second")
    assert redis_client.smembers("messages") == {b"first", b"second"}
    assert "got message: trap" in served.output()
    assert served.terminate() == 0


class RestartableRedis:
    """A redis-server on a fixed port that the test stops and starts again."""

    def __init__(self, workdir: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.skip("needs Debian's redis-server")
        self.binary = binary
        self.workdir = workdir
        self.server = RedisServer(free_port())
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        argv = [self.binary, "--port", str(self.server.port), "--bind", "127.0.0.1"]
        with (self.workdir / "redis.log").open("ab") as log:
            self.process = subprocess.Popen(
                [*argv, "--dir", str(self.workdir), *NO_PERSIST], stdout=log, stderr=log
            )
        client = self.server.client()

        def answers() -> bool:
            try:
                return bool(client.ping())
            except redis.ConnectionError:
                return False

        try:
            eventually("redis-server answering PING", answers)
        finally:
            client.close()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(STOP_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


@pytest.fixture
def restartable_redis(tmp_path: Path) -> Iterator[RestartableRedis]:
    server = RestartableRedis(tmp_path)
    server.start()
    yield server
    server.stop()


def test_the_subscription_comes_back_after_the_server_restarts(
    run_runtime: RunRuntime, helpers: Helpers, restartable_redis: RestartableRedis
) -> None:
    helpers.app_wasm("redis-trigger")
    server = restartable_redis.server
    served = run_runtime(APPS_DIR / "redis-trigger", env=app_env(server, "events"), wait=False)
    client = server.client()
    try:
        wait_subscribed(client, "events", served)
        restartable_redis.stop()
        eventually(
            "the lost connection logged",
            lambda: "unreachable" in served.output(),
        )
        restartable_redis.start()
        wait_subscribed(client, "events", served)
        client.publish("events", b"after the restart")
        eventually(
            "a message after the restart handled",
            lambda: client.get("last-message") == b"after the restart",
        )
    finally:
        client.close()


# -- several triggers, and what the runtime refuses -------------------------------------------


def test_one_app_answers_http_and_handles_redis_messages(
    run_runtime: RunRuntime,
    helpers: Helpers,
    redis_server: RedisServer,
    redis_client: redis.Redis,
) -> None:
    """Upstream's shim integration test: the multi-trigger app answers HTTP and handles a
    Redis message, in one process with HTTP workers."""
    helpers.app_wasm("multi-trigger")
    env = {"SPIN_VARIABLE_REDIS_ADDRESS": redis_server.url}
    served = run_runtime(APPS_DIR / "multi-trigger", env=env, workers=2)
    response = httpx.get(served.url("/hello"), timeout=30)
    assert (response.status_code, response.text) == (200, "Hello from the multi-trigger app")
    wait_subscribed(redis_client, "multi", served)
    redis_client.publish("multi", b"Eureka!")
    eventually("the message handled", lambda: redis_client.get("multi-last-message") == b"Eureka!")
    assert served.terminate() == 0


def test_the_process_ends_when_one_trigger_ends(
    run_runtime: RunRuntime, helpers: Helpers, tmp_path: Path
) -> None:
    """HTTP and a command in one app: the command finishing stops the HTTP server too."""
    helpers.app_wasm("command")
    app = tmp_path / "http-and-command"
    app.mkdir()
    (app / "spin.toml").write_text(
        'spin_manifest_version = 2\n[application]\nname = "both"\n'
        '[[trigger.http]]\nroute = "/..."\ncomponent = "web"\n'
        '[[trigger.command]]\ncomponent = "cmd"\n'
        f'[component.web]\nsource = "{APPS_DIR / "hello-python" / "app.wasm"}"\n'
        f'[component.cmd]\nsource = "{APPS_DIR / "command" / "app.wasm"}"\n'
    )
    helpers.app_wasm("hello-python")
    served = run_runtime(app, "--", "fail", wait=False)
    assert served.process.wait(READY_SECONDS) == 1, served.output()
    assert "[cmd] args: fail" in served.output()
    assert "ended with exit code 1; stopping the others" in served.output()


def test_an_unsupported_trigger_type_fails_at_load(helpers: Helpers, tmp_path: Path) -> None:
    (tmp_path / "spin.toml").write_text(
        'spin_manifest_version = 2\n[application]\nname = "queue"\n'
        '[[trigger.sqs]]\nqueue_url = "https://sqs.example/q"\ncomponent = "c"\n'
        '[component.c]\nsource = "app.wasm"\n'
    )
    done = helpers.run_to_exit(["up", "-f", str(tmp_path)], cwd=tmp_path)
    assert done.returncode != 0
    assert done.stderr.strip() == (
        "error: Only Http, Redis, MQTT, Command, and Cron triggers are currently supported. "
        'Found unsupported trigger: "sqs"'
    )


# -- the command trigger ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "code"),
    [(["hello", "world"], 0), (["fail"], 1), (["exit-ok", "x"], 0), (["exit-err"], 1)],
    ids=["ok", "err", "exit-ok", "exit-err"],
)
def test_a_command_runs_once_with_the_arguments_and_its_exit_code(
    run_runtime: RunRuntime,
    helpers: Helpers,
    args: list[str],
    code: int,
) -> None:
    helpers.app_wasm("command")
    served = run_runtime(APPS_DIR / "command", "--", *args, wait=False)
    assert served.process.wait(READY_SECONDS) == code, served.output()
    assert f"[command] args: {' '.join(args)}\n" in served.output()
    assert "not reached" not in served.output()


def test_a_stop_signal_ends_a_redis_only_app_with_code_0(
    run_runtime: RunRuntime,
    helpers: Helpers,
    redis_server: RedisServer,
    redis_client: redis.Redis,
) -> None:
    helpers.app_wasm("redis-trigger")
    served = run_runtime(APPS_DIR / "redis-trigger", env=app_env(redis_server, "stop"), wait=False)
    wait_subscribed(redis_client, "stop", served)
    process: subprocess.Popen[bytes] = served.process
    process.send_signal(signal.SIGTERM)
    assert process.wait(STOP_SECONDS) == 0
    eventually("the subscription gone", lambda: subscribers(redis_client, "stop") == 0)
