"""The downloader: fetch the Shim's release archive, verify it, and leave its shim binary in the
asset directory as `containerd-shim-<shim name>`, where the installer picks it up.

As upstream's `images/downloader/download_shim.sh`: follows redirects, retries a failed
download `NUM_RETRY` times (3) `SLEEP_DURATION` seconds (2) apart, and checks the archive's
sha256 against `SHIM_SHA256` when it is set. Unlike it, a mismatch is found before anything is
written, and only a connection failure or a 5xx answer is retried (a 404 will not get better).
"""

from __future__ import annotations

import hashlib
import logging
import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx

from spinkube.rcm.node import archive
from spinkube.rcm.node.errors import DownloadError
from spinkube.rcm.node.host import replace_atomically

log = logging.getLogger(__name__)

_SHIM_NAME = re.compile(r"[a-z0-9]([-a-z0-9.]*[a-z0-9])?")
_SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class Request:
    """What to download: `SHIM_NAME`, `SHIM_LOCATION`, `SHIM_SHA256`, and where to put it."""

    shim_name: str
    location: str
    sha256: str | None = None
    asset_path: Path = Path("/assets")
    retries: int = 3
    retry_delay: float = 2.0
    timeout: float = 60.0


def check(request: Request) -> None:
    """Refuse inputs that name no shim, no URL, or no sha256."""
    if not _SHIM_NAME.fullmatch(request.shim_name) or len(request.shim_name) > 253:
        raise DownloadError(
            f"SHIM_NAME: {request.shim_name!r} is not a Shim name "
            "(lowercase letters, digits, '-' and '.')"
        )
    if not request.location.startswith(("http://", "https://")):
        raise DownloadError(f"SHIM_LOCATION: {request.location!r} is not an http(s) URL")
    if request.sha256 is not None and not _SHA256.fullmatch(request.sha256):
        raise DownloadError(f"SHIM_SHA256: {request.sha256!r} is not 64 lowercase hex digits")


def download(
    request: Request,
    *,
    transport: httpx.BaseTransport | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Path:
    """Fetch, verify and unpack; returns the binary's path."""
    check(request)
    with tempfile.TemporaryFile() as spool:
        digest = _fetch_with_retries(request, spool, transport=transport, sleep=sleep)
        if request.sha256 is not None and digest != request.sha256:
            raise DownloadError(
                f"sha256 mismatch for {request.location}: expected {request.sha256}, "
                f"got {digest}; nothing written"
            )
        spool.seek(0)
        member, data = archive.shim_binary(spool)
    target = request.asset_path / f"{archive.SHIM_PREFIX}{request.shim_name}"
    try:
        replace_atomically(target, data, mode=0o755)
    except OSError as exc:
        raise DownloadError(f"cannot write {target}: {exc.strerror}") from exc
    log.info("%s from %s (sha256 %s) is %s", member, request.location, digest, target)
    return target


def _fetch_with_retries(
    request: Request,
    spool: IO[bytes],
    *,
    transport: httpx.BaseTransport | None,
    sleep: Callable[[float], None],
) -> str:
    attempt = 0
    while True:
        try:
            return _fetch(request, spool, transport=transport)
        except _RetryableError as exc:
            attempt += 1
            if attempt > request.retries:
                raise DownloadError(f"{exc} (tried {attempt} times)") from exc
            log.warning(
                "%s; retry %d/%d in %ss", exc, attempt, request.retries, request.retry_delay
            )
            sleep(request.retry_delay)


class _RetryableError(Exception):
    """A failure that may pass: the connection, or a 5xx answer."""


def _fetch(request: Request, spool: IO[bytes], *, transport: httpx.BaseTransport | None) -> str:
    """Stream the archive into `spool` as the server sends it (no content decoding, as curl
    without `--compressed`); returns its sha256."""
    spool.seek(0)
    spool.truncate()
    digest = hashlib.sha256()
    url = request.location
    try:
        with (
            httpx.Client(transport=transport, follow_redirects=True, timeout=request.timeout) as c,
            c.stream("GET", url, headers={"Accept-Encoding": "identity"}) as response,
        ):
            status = f"GET {url}: {response.status_code} {response.reason_phrase}"
            if response.status_code >= 500:
                raise _RetryableError(status)
            if response.status_code != 200:
                raise DownloadError(status)
            for chunk in response.iter_raw():
                digest.update(chunk)
                spool.write(chunk)
    except httpx.TransportError as exc:
        raise _RetryableError(f"cannot download {url}: {type(exc).__name__}: {exc}") from exc
    except (httpx.RequestError, httpx.InvalidURL) as exc:
        raise DownloadError(f"cannot download {url}: {type(exc).__name__}: {exc}") from exc
    return digest.hexdigest()
