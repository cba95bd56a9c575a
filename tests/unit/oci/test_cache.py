from __future__ import annotations

from pathlib import Path

import pytest

from spinkube.oci import BlobCache, DigestMismatch, default_cache_dir
from spinkube.oci.cache import sha256_digest


def test_put_then_read_verifies_and_names_by_digest(tmp_path: Path) -> None:
    cache = BlobCache(tmp_path)

    digest = cache.put(b"hello")

    assert digest == sha256_digest(b"hello")
    assert cache.read(digest) == b"hello"
    assert cache.path(digest) == tmp_path / "blobs" / "sha256" / digest.split(":")[1]


def test_content_not_matching_its_digest_never_enters_the_cache(tmp_path: Path) -> None:
    cache = BlobCache(tmp_path)
    wanted = sha256_digest(b"expected")

    with pytest.raises(DigestMismatch) as caught:
        cache.put(b"something else", wanted)

    assert caught.value.expected == wanted
    assert not cache.has(wanted)
    assert list((tmp_path / "tmp").iterdir()) == []


def test_an_interrupted_write_leaves_neither_blob_nor_temp_file(tmp_path: Path) -> None:
    cache = BlobCache(tmp_path)
    digest = sha256_digest(b"whole content")

    def interrupted_download() -> None:
        with cache.writer(digest) as writer:
            writer.write(b"whole")
            raise ConnectionError("connection reset")

    with pytest.raises(ConnectionError):
        interrupted_download()

    assert not cache.has(digest)
    assert list((tmp_path / "tmp").iterdir()) == []


def test_a_corrupted_blob_is_reported_and_dropped(tmp_path: Path) -> None:
    cache = BlobCache(tmp_path)
    digest = cache.put(b"original")
    cache.path(digest).write_bytes(b"bit rot")

    with pytest.raises(DigestMismatch, match="cached blob"):
        cache.verified_path(digest)

    assert not cache.has(digest)


def test_default_location_follows_xdg_cache_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))

    assert default_cache_dir() == tmp_path / "spinkube" / "oci"
    assert BlobCache().root == tmp_path / "spinkube" / "oci"
