"""Registry tier: a real Debian docker-registry per test (plain, htpasswd or token auth) and
small Spin apps built in temp dirs (WAT compiled with wat2wasm)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from spinkube.oci import BlobCache, Credentials, RegistryClient
from spinkube.testing.registry import RunningRegistry, registry_available, running_registry

USER, PASSWORD = "alice", "correct-horse"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.registry)
            if not registry_available():
                item.add_marker(
                    pytest.mark.skip(reason="needs /usr/bin/docker-registry and htpasswd")
                )


@pytest.fixture
def registry(tmp_path: Path) -> Iterator[RunningRegistry]:
    with running_registry(tmp_path / "registry") as running:
        yield running


@pytest.fixture
def basic_registry(tmp_path: Path) -> Iterator[RunningRegistry]:
    with running_registry(tmp_path / "registry", credentials=(USER, PASSWORD)) as running:
        yield running


@pytest.fixture
def token_registry(tmp_path: Path) -> Iterator[RunningRegistry]:
    with running_registry(
        tmp_path / "registry", credentials=(USER, PASSWORD), token_auth=True
    ) as running:
        yield running


@pytest.fixture
def cache(tmp_path: Path) -> BlobCache:
    return BlobCache(tmp_path / "cache")


@pytest.fixture
def client() -> Iterator[RegistryClient]:
    with RegistryClient() as c:
        yield c


@pytest.fixture
def alice() -> Iterator[RegistryClient]:
    with RegistryClient(credentials=Credentials(USER, PASSWORD)) as c:
        yield c


HELLO_WAT = """(module
  (memory (export "memory") 1)
  (data (i32.const 0) "Hello world from Spin!")
  (func (export "hello") (result i32) (i32.const 22)))
"""

SPIN_TOML = """spin_manifest_version = 2

[application]
name = "hello-test"
version = "0.1.0"
authors = ["SpinKube tests"]

[variables]
platform_name = { default = "SpinKube" }

[[trigger.http]]
route = "/..."
component = "hello"

[[trigger.http]]
route = "/static/..."
component = "assets"

[component.hello]
source = "hello.wasm"
key_value_stores = ["default"]
[component.hello.variables]
greeting = "Hello from {{ platform_name }}"

[component.assets]
source = "hello.wasm"
files = [{ source = "static", destination = "/" }, "notes/*.txt"]
exclude_files = ["notes/private.txt"]
"""

STATIC_FILES = {
    "static/jabberwocky.txt": "'Twas brillig, and the slithy toves\n" * 20,
    "static/css/site.css": "body { color: black }\n",
    "static/empty.txt": "",
    "notes/public.txt": "public notes",
    "notes/private.txt": "private notes",
}


def compile_wat(source: str, dest: Path) -> None:
    wat = dest.with_suffix(".wat")
    wat.write_text(source)
    subprocess.run([shutil.which("wat2wasm") or "wat2wasm", str(wat), "-o", str(dest)], check=True)


@pytest.fixture
def spin_app(tmp_path: Path) -> Path:
    """A two-component Spin app with data files, an empty file and an excluded file."""
    app = tmp_path / "app"
    app.mkdir()
    compile_wat(HELLO_WAT, app / "hello.wasm")
    for relative, text in STATIC_FILES.items():
        (app / relative).parent.mkdir(parents=True, exist_ok=True)
        (app / relative).write_text(text)
    (app / "spin.toml").write_text(SPIN_TOML)
    return app


class BreakingTransport(httpx.HTTPTransport):
    """The real transport, but a GET of one blob breaks after ``keep`` bytes (a dropped
    connection in the middle of a download). Counts the blob GETs it sees."""

    def __init__(self, digest: str | None = None, keep: int = 10) -> None:
        super().__init__()
        self.digest = digest
        self.keep = keep
        self.blob_gets: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        if request.method == "GET" and "/blobs/" in request.url.path:
            digest = request.url.path.rsplit("/", 1)[-1]
            self.blob_gets.append(digest)
            if digest == self.digest and response.status_code == 200:
                return httpx.Response(
                    response.status_code,
                    headers=response.headers,
                    stream=_Broken(response.stream, self.keep),  # type: ignore[arg-type]
                    request=request,
                )
        return response


class _Broken(httpx.SyncByteStream):
    def __init__(self, inner: httpx.SyncByteStream, keep: int) -> None:
        self.inner = inner
        self.keep = keep

    def __iter__(self) -> Iterator[bytes]:
        sent = 0
        for chunk in self.inner:
            part = chunk[: max(self.keep - sent, 0)]
            sent += len(part)
            if part:
                yield part
            if sent >= self.keep:
                raise httpx.ReadError("connection reset by peer")

    def close(self) -> None:
        self.inner.close()
