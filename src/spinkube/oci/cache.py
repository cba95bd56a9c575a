"""A content-addressed blob cache: ``<root>/blobs/sha256/<hex>``.

Blobs are written to a temporary file in ``<root>/tmp`` and renamed into place only once their
sha256 matches, so an interrupted or corrupt download never leaves a blob behind. Reads that
verify (:meth:`BlobCache.verified_path`) drop a blob whose content no longer matches its name.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from spinkube.oci.errors import DigestMismatch, OciError


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/spinkube/oci``, else ``~/.cache/spinkube/oci``."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "spinkube" / "oci"


def sha256_digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def file_digest(path: Path) -> str:
    with path.open("rb") as f:
        return "sha256:" + hashlib.file_digest(f, "sha256").hexdigest()


def digest_hex(digest: str) -> str:
    algorithm, _, hexpart = digest.partition(":")
    if (
        algorithm != "sha256"
        or len(hexpart) != 64
        or not all(c in "0123456789abcdef" for c in hexpart)
    ):
        raise OciError(f"unsupported digest {digest!r}: expected sha256:<64 hex digits>")
    return hexpart


class BlobWriter:
    """Receives a blob's bytes; hashes as it goes."""

    def __init__(self, file: BinaryIO) -> None:
        self._file = file
        self._hash = hashlib.sha256()
        self.size = 0

    def write(self, chunk: bytes) -> None:
        self._file.write(chunk)
        self._hash.update(chunk)
        self.size += len(chunk)

    @property
    def digest(self) -> str:
        return "sha256:" + self._hash.hexdigest()


class BlobCache:
    def __init__(self, root: Path | None = None) -> None:
        self.root = root if root is not None else default_cache_dir()

    def path(self, digest: str) -> Path:
        return self.root / "blobs" / "sha256" / digest_hex(digest)

    def has(self, digest: str) -> bool:
        return self.path(digest).is_file()

    def verified_path(self, digest: str) -> Path:
        """The blob's path after re-hashing it; a blob that does not match is removed."""
        path = self.path(digest)
        if not path.is_file():
            raise OciError(f"blob {digest} is not in the cache {self.root}")
        actual = file_digest(path)
        if actual != digest:
            path.unlink(missing_ok=True)
            raise DigestMismatch(digest, actual, f"cached blob {path}")
        return path

    def read(self, digest: str) -> bytes:
        return self.verified_path(digest).read_bytes()

    def put(self, data: bytes, digest: str | None = None) -> str:
        """Store ``data`` (checking it against ``digest`` when given); returns its digest."""
        expected = digest or sha256_digest(data)
        with self.writer(expected, where="blob") as writer:
            writer.write(data)
        return expected

    @contextlib.contextmanager
    def writer(self, digest: str, *, where: str = "") -> Iterator[BlobWriter]:
        """Stream a blob in; it appears in the cache only if the block ends without an error
        and the content matches ``digest``."""
        final = self.path(digest)
        tmp_dir = self.root / "tmp"
        tmp_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=tmp_dir, prefix=digest_hex(digest)[:12] + ".")
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as file:
                writer = BlobWriter(file)
                yield writer
            if writer.digest != digest:
                raise DigestMismatch(digest, writer.digest, where or f"blob {digest}")
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, final)
        finally:
            tmp.unlink(missing_ok=True)

    def copy_out(self, digest: str, dest: Path) -> None:
        """Copy a cached blob to ``dest`` (a copy, so editing it cannot corrupt the cache)."""
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.path(digest), dest)
