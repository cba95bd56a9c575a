"""Unpacking layers: Spin archive layers into the blob cache, image filesystem layers into a
directory (with the ``data`` extraction filter, so no entry can escape it)."""

from __future__ import annotations

import gzip
import io
import shutil
import tarfile
from pathlib import Path

from spinkube.oci.cache import BlobCache, sha256_digest
from spinkube.oci.errors import OciError

_WHITEOUT = ".wh."
_OPAQUE = ".wh..wh..opq"


def unpack_archive_layer(cache: BlobCache, archive: Path) -> None:
    """Spin's archive layer: a tar+gzip of files; each file is stored in the cache by digest,
    where the locked app's file entries find it."""
    with tarfile.open(archive, "r:*") as tar:
        for member in tar:
            if not member.isfile():
                continue
            extracted = tar.extractfile(member)
            if extracted is None:
                continue
            data = extracted.read()
            digest = sha256_digest(data)
            if not cache.has(digest):
                cache.put(data, digest)


def apply_image_layer(layer: Path, rootfs: Path, *, compressed: bool, name: str) -> None:
    """Apply one filesystem layer on top of ``rootfs``, honouring whiteouts."""
    raw = layer.read_bytes()
    try:
        data = gzip.decompress(raw) if compressed or raw[:2] == b"\x1f\x8b" else raw
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as tar:
            _apply(tar, rootfs)
    except (tarfile.TarError, OSError, EOFError) as e:
        raise OciError(f"layer {name}: cannot unpack: {e}") from e


def _apply(tar: tarfile.TarFile, rootfs: Path) -> None:
    for member in tar.getmembers():
        path = Path(member.name)
        if path.name == _OPAQUE:
            _remove_children(rootfs / path.parent)
        elif path.name.startswith(_WHITEOUT):
            _remove(rootfs / path.parent / path.name[len(_WHITEOUT) :])
        else:
            tar.extract(member, rootfs, filter="data")


def _remove_children(directory: Path) -> None:
    if directory.is_dir():
        for child in directory.iterdir():
            _remove(child)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)
