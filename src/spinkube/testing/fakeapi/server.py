"""Run the fake API on a loopback port in a background thread, and write a kubeconfig for it."""

from __future__ import annotations

import asyncio
import os
import threading
from pathlib import Path
from types import TracebackType
from typing import Any

import kmock
import yaml

from spinkube.testing.fakeapi.emulator import FakeKubernetes

START_TIMEOUT_SECONDS = 30.0


def kubeconfig_for(url: str, *, namespace: str = "default") -> dict[str, Any]:
    """A kubeconfig with one context, `fakeapi`, pointing at `url` (plain HTTP, no auth)."""
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "fakeapi", "cluster": {"server": url}}],
        "users": [{"name": "fakeapi", "user": {}}],
        "contexts": [
            {
                "name": "fakeapi",
                "context": {"cluster": "fakeapi", "user": "fakeapi", "namespace": namespace},
            }
        ],
        "current-context": "fakeapi",
    }


def write_kubeconfig(path: str | os.PathLike[str], url: str) -> Path:
    target = Path(path)
    target.write_text(yaml.safe_dump(kubeconfig_for(url), sort_keys=False))
    return target


class FakeApiServer:
    """The fake API served on `host:port` (0: a free port) from a background thread.

    Use as a context manager, or `start()` and `stop()`. `fake` is the `FakeKubernetes`
    handler: its `store` holds the objects, its kmock DSL takes extra reactions. The store
    belongs to the server's thread: tests should go through the API, as on a real cluster.

    kmock's `Server` swaps aiohttp's resolver while it runs (process-wide), so run one fake
    API per process, or stop them in the reverse order of starting.
    """

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.port = port
        self.fake: FakeKubernetes | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def write_kubeconfig(self, path: str | os.PathLike[str]) -> Path:
        return write_kubeconfig(path, self.url)

    def start(self) -> FakeApiServer:
        self._thread = threading.Thread(target=self._run, name="fakeapi", daemon=True)
        self._thread.start()
        if not self._ready.wait(START_TIMEOUT_SECONDS):
            raise RuntimeError("the fake Kubernetes API did not start in time")
        if self._error is not None:
            raise RuntimeError(f"the fake Kubernetes API failed to start: {self._error}")
        return self

    def stop(self) -> None:
        if self._loop is not None and self._stopping is not None:
            self._loop.call_soon_threadsafe(self._stopping.set)
        if self._thread is not None:
            self._thread.join(START_TIMEOUT_SECONDS)
            self._thread = None

    def __enter__(self) -> FakeApiServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _run(self) -> None:
        try:
            asyncio.run(self.serve())
        except BaseException as error:  # reported to the starting thread
            self._error = error
            self._ready.set()

    async def serve(self) -> None:
        """Serve until `stop()` (usable directly from an event loop, as the CLI does)."""
        self._loop = asyncio.get_running_loop()
        self._stopping = asyncio.Event()
        fake = FakeKubernetes()
        async with fake, kmock.Server(fake, host=self.host, port=self.port or None) as server:
            self.fake = fake
            self.port = server.port
            self._ready.set()
            await self._stopping.wait()
            fake.close_watches()
            await asyncio.sleep(0)  # let the watch handlers see their end
