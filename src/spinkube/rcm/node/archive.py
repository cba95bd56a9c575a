"""Taking the shim binary out of a release archive (`.tar.gz`), as upstream's downloader does
with `tar --transform "s/containerd-shim-.*/containerd-shim-${SHIM_NAME}/"`.

Nothing is extracted by the names inside the archive: the one regular file whose base name
starts with `containerd-shim-` is read, and the caller writes it under a name of its own, so a
member named `../../etc/passwd` or a symlink cannot write outside the asset directory.
"""

from __future__ import annotations

import gzip
import tarfile
import zlib
from pathlib import PurePosixPath
from typing import IO

from spinkube.rcm.node.errors import DownloadError

SHIM_PREFIX = "containerd-shim-"
MAX_BINARY_BYTES = 1 << 30
"""A shim binary larger than this is refused (a decompression bomb, not a shim)."""


def shim_binary(archive: IO[bytes]) -> tuple[str, bytes]:
    """The name in the archive and the bytes of its one `containerd-shim-*` regular file."""
    try:
        with tarfile.open(fileobj=archive, mode="r:gz") as tar:
            members = [m for m in tar.getmembers() if _is_shim(m)]
            if len(members) != 1:
                raise DownloadError(_count_message(members))
            member = members[0]
            if member.size > MAX_BINARY_BYTES:
                raise DownloadError(f"{member.name}: {member.size} bytes is too large for a shim")
            content = tar.extractfile(member)
            if content is None:
                raise DownloadError(f"{member.name}: cannot be read from the archive")
            return member.name, content.read()
    except (tarfile.TarError, gzip.BadGzipFile, zlib.error, EOFError) as exc:
        raise DownloadError(f"not a .tar.gz archive: {exc}") from exc


def _is_shim(member: tarfile.TarInfo) -> bool:
    return member.isfile() and PurePosixPath(member.name).name.startswith(SHIM_PREFIX)


def _count_message(members: list[tarfile.TarInfo]) -> str:
    if not members:
        return f"the archive has no {SHIM_PREFIX}* file"
    names = ", ".join(m.name for m in members)
    return f"the archive has more than one {SHIM_PREFIX}* file: {names}"
