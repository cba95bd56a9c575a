"""`shim-downloader` over a local HTTP server: the binary renamed after the Shim, sha256
verification before anything is written, safe extraction, retries, and clear failures."""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
import tarfile
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from spinkube.rcm.node import download
from spinkube.rcm.node.errors import DownloadError
from spinkube.testing import free_port

SHIM = b"\x7fELF the spin shim"


class Server:
    """A loopback HTTP server answering from `routes`: path -> list of (status, body, headers),
    one per request (the last repeats)."""

    def __init__(self) -> None:
        self.routes: dict[str, list[tuple[int, bytes, dict[str, str]]]] = {}
        self.requests: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append(self.path)
                answers = server.routes.get(self.path, [(404, b"not found", {})])
                status, body, headers = answers.pop(0) if len(answers) > 1 else answers[0]
                self.send_response(status)
                for name, value in {"Content-Length": str(len(body)), **headers}.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def serve(self, path: str, body: bytes, status: int = 200, **headers: str) -> str:
        self.routes.setdefault(path, []).append((status, body, headers))
        return self.url + path


@pytest.fixture
def server() -> Iterator[Server]:
    srv = Server()
    thread = threading.Thread(target=srv.httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield srv
    srv.httpd.shutdown()
    srv.httpd.server_close()
    thread.join(timeout=30)


def tar_gz(*members: tuple[str, bytes | None, str | None]) -> bytes:
    """A .tar.gz of (name, content, symlink target) members."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as tar:
        for name, content, link in members:
            info = tarfile.TarInfo(name)
            if link is not None:
                info.type, info.linkname = tarfile.SYMTYPE, link
                tar.addfile(info)
            else:
                info.size, info.mode = len(content or b""), 0o755
                tar.addfile(info, io.BytesIO(content or b""))
    return out.getvalue()


RELEASE = tar_gz(("containerd-shim-spin-v2", SHIM, None))


def request(url: str, assets: Path, **extra: object) -> download.Request:
    values: dict[str, object] = {"retries": 0, "retry_delay": 0.0, "timeout": 10.0}
    values.update(extra)
    return download.Request("spin", url, asset_path=assets, **values)  # type: ignore[arg-type]


def run_cli(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", "from spinkube.rcm.node.downloader_cli import main; main()"]
    return subprocess.run(
        command, env={**os.environ, **env}, capture_output=True, text=True, timeout=60, check=False
    )


def test_the_cli_unpacks_the_shim_renamed_after_the_shim_resource(
    server: Server, tmp_path: Path
) -> None:
    url = server.serve("/v0.23.0/containerd-shim-spin-v2-linux-x86_64.tar.gz", RELEASE)
    assets = tmp_path / "assets"

    result = run_cli(
        {
            "SHIM_NAME": "spin",
            "SHIM_LOCATION": url,
            "SHIM_SHA256": hashlib.sha256(RELEASE).hexdigest(),
            "SHIM_ASSET_PATH": str(assets),
        }
    )

    assert result.returncode == 0, result.stderr
    assert [p.name for p in assets.iterdir()] == ["containerd-shim-spin"]
    assert (assets / "containerd-shim-spin").read_bytes() == SHIM
    assert (assets / "containerd-shim-spin").stat().st_mode & 0o777 == 0o755


def test_a_wrong_sha256_is_refused_and_nothing_is_written(server: Server, tmp_path: Path) -> None:
    url = server.serve("/shim.tar.gz", RELEASE)
    assets = tmp_path / "assets"

    result = run_cli(
        {
            "SHIM_NAME": "spin",
            "SHIM_LOCATION": url,
            "SHIM_SHA256": "0" * 64,
            "SHIM_ASSET_PATH": str(assets),
        }
    )

    assert result.returncode == 1
    last_line = result.stderr.splitlines()[-1]
    assert last_line.startswith(f"error: sha256 mismatch for {url}: expected {'0' * 64}, got ")
    assert not assets.exists()


def test_an_unreachable_host_is_reported_after_the_retries(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/shim.tar.gz"
    slept: list[float] = []

    with pytest.raises(DownloadError, match=r"cannot download .*ConnectError.*\(tried 3 times\)"):
        download.download(request(url, tmp_path, retries=2, retry_delay=1.5), sleep=slept.append)

    assert slept == [1.5, 1.5]
    assert list(tmp_path.iterdir()) == []


def test_a_server_error_is_retried(server: Server, tmp_path: Path) -> None:
    server.serve("/shim.tar.gz", b"busy", status=503)
    url = server.serve("/shim.tar.gz", RELEASE)

    target = download.download(request(url, tmp_path, retries=1), sleep=lambda _: None)

    assert target.read_bytes() == SHIM
    assert server.requests == ["/shim.tar.gz", "/shim.tar.gz"]


def test_not_found_fails_at_once(server: Server, tmp_path: Path) -> None:
    with pytest.raises(DownloadError, match=r"GET .*/missing.tar.gz: 404 Not Found"):
        download.download(request(server.url + "/missing.tar.gz", tmp_path, retries=3))

    assert server.requests == ["/missing.tar.gz"]


def test_redirects_are_followed(server: Server, tmp_path: Path) -> None:
    real = server.serve("/real.tar.gz", RELEASE)
    url = server.serve("/latest.tar.gz", b"", status=302, Location=real)

    assert download.download(request(url, tmp_path)).read_bytes() == SHIM


@pytest.mark.parametrize(
    ("archive", "message"),
    [
        pytest.param(b"<html>not an archive</html>", "not a .tar.gz archive", id="not-gzip"),
        pytest.param(RELEASE[: len(RELEASE) // 2], "not a .tar.gz archive", id="truncated"),
        pytest.param(tar_gz(("README.md", b"x", None)), "no containerd-shim-", id="no-shim"),
        pytest.param(
            tar_gz(("containerd-shim-spin-v2", None, "/etc/passwd")),
            "no containerd-shim-",
            id="symlink-only",
        ),
        pytest.param(
            tar_gz(("a/containerd-shim-a", b"a", None), ("b/containerd-shim-b", b"b", None)),
            "more than one containerd-shim-.*a/containerd-shim-a, b/containerd-shim-b",
            id="two-shims",
        ),
    ],
)
def test_a_bad_archive_is_refused_and_nothing_is_written(
    server: Server, tmp_path: Path, archive: bytes, message: str
) -> None:
    url = server.serve("/shim.tar.gz", archive)
    assets = tmp_path / "assets"

    with pytest.raises(DownloadError, match=message):
        download.download(request(url, assets))

    assert not assets.exists()


def test_member_names_cannot_write_outside_the_asset_directory(
    server: Server, tmp_path: Path
) -> None:
    evil = tar_gz(
        ("../../../containerd-shim-evil", SHIM, None),
        ("../../outside.txt", b"x", None),
        ("/etc/containerd-shim-link", None, "/etc/shadow"),
    )
    url = server.serve("/shim.tar.gz", evil)
    assets = tmp_path / "deep" / "down" / "assets"

    target = download.download(request(url, assets))

    assert target == assets / "containerd-shim-spin"
    written = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    assert written == ["deep/down/assets/containerd-shim-spin"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        pytest.param("shim_name", "../etc", "SHIM_NAME: '../etc' is not a Shim name", id="name"),
        pytest.param("location", "file:///etc/passwd", "SHIM_LOCATION: .* not an http", id="url"),
        pytest.param("sha256", "abc", "SHIM_SHA256: 'abc' is not 64 lowercase hex", id="sha"),
    ],
)
def test_bad_inputs_are_refused_by_name(
    tmp_path: Path, field: str, value: str, message: str
) -> None:
    values = {"shim_name": "spin", "location": "http://127.0.0.1:1/x", "sha256": None}
    values[field] = value

    with pytest.raises(DownloadError, match=message):
        download.download(download.Request(asset_path=tmp_path, **values))  # type: ignore[arg-type]


def test_the_archive_is_taken_as_served_whatever_its_content_encoding(
    server: Server, tmp_path: Path
) -> None:
    # A server that labels a .tar.gz with Content-Encoding: gzip (curl saves it as it is).
    url = server.serve("/shim.tar.gz", RELEASE, **{"Content-Encoding": "gzip"})
    digest = hashlib.sha256(RELEASE).hexdigest()

    target = download.download(request(url, tmp_path, sha256=digest))

    assert target.read_bytes() == SHIM


def test_an_asset_path_that_cannot_be_written_is_reported(server: Server, tmp_path: Path) -> None:
    url = server.serve("/shim.tar.gz", RELEASE)
    (tmp_path / "file").write_text("not a directory")

    with pytest.raises(DownloadError, match=r"cannot write .*/file/assets/containerd-shim-spin"):
        download.download(request(url, tmp_path / "file" / "assets"))
