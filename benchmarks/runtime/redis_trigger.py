"""Messages per second through the Redis trigger, against a plain redis-py subscriber doing the
same work (SET ``last-message``, SADD ``messages``) in the same run.

Usage: python benchmarks/runtime/redis_trigger.py [--messages N]

Starts its own redis-server (Debian's) on a free loopback port and ``spinkube-runtime up -f
apps/redis-trigger``, publishes N distinct messages as fast as possible, and times from the first
publish until the set ``messages`` holds all N. Then the same with an in-process redis-py
subscriber thread. Prints both rates and their ratio.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import redis

from spinkube.testing import free_port

REPO = Path(__file__).resolve().parents[2]
DEADLINE_S = 600.0


def wait_for(check: object, what: str) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.01)
    raise SystemExit(f"timed out waiting for {what}")


def run_batch(client: redis.Redis, channel: str, count: int) -> float:
    client.delete("messages")
    started = time.perf_counter()
    for i in range(count):
        client.publish(channel, f"m{i}".encode())
    wait_for(lambda: client.scard("messages") >= count, "all messages handled")
    return count / (time.perf_counter() - started)


def plain_subscriber(url: str, channel: str, ready: threading.Event, stop: threading.Event) -> None:
    client = redis.Redis.from_url(url)
    pubsub = client.pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe(channel)
    ready.set()
    while not stop.is_set():
        message = pubsub.get_message(timeout=0.5)
        if message is not None and message["type"] == "message":
            data = bytes(message["data"])
            client.set("last-message", data)
            client.sadd("messages", data.decode())
    pubsub.close()
    client.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=2000)
    args = parser.parse_args()
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("needs Debian's redis-server")
    work = Path(tempfile.mkdtemp(prefix="bench-redis-"))
    port = free_port()
    url = f"redis://127.0.0.1:{port}"
    server = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        cwd=work,
    )
    client = redis.Redis.from_url(url)
    runtime: subprocess.Popen[bytes] | None = None
    try:
        wait_for(lambda: _pings(client), "redis-server")
        env = {"SPIN_VARIABLE_REDIS_ADDRESS": url, "SPIN_VARIABLE_REDIS_CHANNEL": "bench"}
        runtime = subprocess.Popen(
            [sys.executable, "-m", "spinkube.runtime", "up", "-f", str(REPO / "apps/redis-trigger"),
             "--state-dir", str(work / "state")],
            env={**_environ(), **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for(lambda: _subscribers(client, "bench") >= 1, "the runtime's subscription")
        run_batch(client, "bench", min(100, args.messages))  # warm-up
        trigger_rate = run_batch(client, "bench", args.messages)
        runtime.terminate()
        runtime.wait(60)

        ready, stop = threading.Event(), threading.Event()
        thread = threading.Thread(target=plain_subscriber, args=(url, "plain", ready, stop))
        thread.start()
        ready.wait(60)
        run_batch(client, "plain", min(100, args.messages))
        plain_rate = run_batch(client, "plain", args.messages)
        stop.set()
        thread.join()
    finally:
        if runtime is not None and runtime.poll() is None:
            runtime.kill()
            runtime.wait()
        client.close()
        server.terminate()
        server.wait(30)
        shutil.rmtree(work, ignore_errors=True)
    print(f"messages: {args.messages}")
    print(
        f"redis trigger (apps/redis-trigger, fresh instance per message): {trigger_rate:,.0f} msg/s"
    )
    print(f"plain redis-py subscriber, same work:                          {plain_rate:,.0f} msg/s")
    print(f"ratio trigger / plain: {trigger_rate / plain_rate:.3f}")


def _pings(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.ConnectionError:
        return False


def _subscribers(client: redis.Redis, channel: str) -> int:
    reply = client.pubsub_numsub(channel)
    return int(reply[0][1]) if reply else 0


def _environ() -> dict[str, str]:
    import os

    return dict(os.environ)


if __name__ == "__main__":
    main()
