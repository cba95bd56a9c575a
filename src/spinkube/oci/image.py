"""Plain, runnable OCI images: reproducible tar layers, the image config and the manifest.

What ``docker build`` would produce from ``FROM scratch`` and ``COPY`` lines, without Docker:
each layer is a gzip-compressed tar (sorted members, zero mtimes, numeric owners), the config
records the platform, the process to run and the uncompressed layer digests (``diff_ids``), and
the manifest points at both. An :class:`Image` pushes like a Spin artifact
(:func:`spinkube.oci.push.push_artifact`) and saves as an OCI image layout
(:mod:`spinkube.oci.image_layout`).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import platform as _platform
import tarfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from spinkube.oci.layout import OCI_CONFIG, OCI_MANIFEST, Blob

OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"
_MACHINES = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}


@dataclass(frozen=True, slots=True)
class Platform:
    """``os/architecture[/variant]``, as ``--platform`` takes it (``linux/amd64``)."""

    os: str
    architecture: str
    variant: str = ""

    @classmethod
    def parse(cls, text: str) -> Platform:
        parts = text.split("/")
        if len(parts) not in (2, 3) or not all(parts):
            raise ValueError(f"platform {text!r}: expected os/architecture[/variant]")
        return cls(*parts)

    @classmethod
    def host(cls) -> Platform:
        """This machine's platform, named as OCI names it (``x86_64`` is ``amd64``)."""
        machine = _platform.machine()
        return cls("linux", _MACHINES.get(machine, machine))

    def __str__(self) -> str:
        return "/".join(p for p in (self.os, self.architecture, self.variant) if p)


@dataclass(frozen=True, slots=True)
class Entry:
    """One member of a layer. ``path`` is relative to the image root (``etc/ssl/certs``)."""

    path: str
    kind: Literal["file", "dir", "symlink"] = "file"
    data: bytes | None = None
    source: Path | None = None
    target: str = ""
    mode: int = 0o644
    uid: int = 0
    gid: int = 0
    xattrs: Mapping[str, bytes] = field(default_factory=dict)
    """Extended attributes (e.g. ``security.capability``), as PAX ``SCHILY.xattr.`` records."""

    @classmethod
    def file(cls, path: str, source: Path | bytes, *, mode: int = 0o644) -> Entry:
        if isinstance(source, bytes):
            return cls(_clean(path), data=source, mode=mode)
        return cls(_clean(path), source=source, mode=mode)

    @classmethod
    def directory(cls, path: str, *, mode: int = 0o755, uid: int = 0, gid: int = 0) -> Entry:
        return cls(_clean(path), "dir", mode=mode, uid=uid, gid=gid)

    @classmethod
    def symlink(cls, path: str, target: str) -> Entry:
        return cls(_clean(path), "symlink", target=target, mode=0o777)

    def content(self) -> bytes:
        if self.data is not None:
            return self.data
        assert self.source is not None
        return self.source.read_bytes()


@dataclass(frozen=True, slots=True)
class Layer:
    blob: Blob
    diff_id: str
    """sha256 of the uncompressed tar, as the image config's ``rootfs.diff_ids`` records it."""


@dataclass(frozen=True, slots=True)
class ImageConfig:
    """The runnable part of an image config (Docker's ``config`` object), with the platform."""

    platform: Platform = field(default_factory=Platform.host)
    entrypoint: Sequence[str] = ()
    cmd: Sequence[str] = ()
    env: Mapping[str, str] = field(default_factory=dict)
    user: str = ""
    working_dir: str = ""
    labels: Mapping[str, str] = field(default_factory=dict)
    exposed_ports: Sequence[str] = ()
    stop_signal: str = ""

    def document(self, diff_ids: Sequence[str]) -> dict[str, Any]:
        run: dict[str, Any] = {
            "Entrypoint": list(self.entrypoint) or None,
            "Cmd": list(self.cmd) or None,
            "Env": [f"{k}={v}" for k, v in self.env.items()] or None,
            "User": self.user or None,
            "WorkingDir": self.working_dir or None,
            "Labels": dict(self.labels) or None,
            "ExposedPorts": {port: {} for port in self.exposed_ports} or None,
            "StopSignal": self.stop_signal or None,
        }
        document: dict[str, Any] = {
            "architecture": self.platform.architecture,
            "os": self.platform.os,
            "config": {k: v for k, v in run.items() if v is not None},
            "rootfs": {"type": "layers", "diff_ids": list(diff_ids)},
            "history": [{"created_by": "spinkube", "comment": "layer"} for _ in diff_ids],
        }
        if self.platform.variant:
            document["variant"] = self.platform.variant
        return document


@dataclass(frozen=True, slots=True)
class Image:
    """Everything a push uploads, like :class:`~spinkube.oci.layout.Artifact`."""

    manifest: bytes
    config: Blob
    layers: tuple[Blob, ...]
    platform: Platform

    @property
    def digest(self) -> str:
        return Blob.of(OCI_MANIFEST, self.manifest).digest


def build_layer(entries: Iterable[Entry]) -> Layer:
    """A reproducible gzip tar layer; parent directories are added (0755, root) when missing.

    A later entry for the same path replaces an earlier one.
    """
    members = {entry.path: entry for entry in entries}
    for path in list(members):
        for parent in PurePosixPath(path).parents:
            if str(parent) != ".":
                members.setdefault(str(parent), Entry.directory(str(parent)))
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path in sorted(members):
            _add(tar, members[path])
    raw = buffer.getvalue()
    compressed = gzip.compress(raw, compresslevel=6, mtime=0)
    return Layer(Blob.of(OCI_LAYER_GZIP, compressed), f"sha256:{hashlib.sha256(raw).hexdigest()}")


def build_image(
    layers: Sequence[Layer], config: ImageConfig, *, annotations: Mapping[str, str] | None = None
) -> Image:
    config_blob = Blob.of(OCI_CONFIG, _json(config.document([layer.diff_id for layer in layers])))
    manifest: dict[str, Any] = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": config_blob.descriptor(),
        "layers": [layer.blob.descriptor() for layer in layers],
    }
    if annotations:
        manifest["annotations"] = dict(annotations)
    return Image(
        _json(manifest), config_blob, tuple(layer.blob for layer in layers), config.platform
    )


def layer_members(blob: Blob) -> dict[str, tarfile.TarInfo]:
    """The members of a gzip tar layer by path (for checks and tests)."""
    with tarfile.open(fileobj=io.BytesIO(blob.data), mode="r:gz") as tar:
        return {member.name: member for member in tar.getmembers()}


def _add(tar: tarfile.TarFile, entry: Entry) -> None:
    info = tarfile.TarInfo(entry.path)
    info.mode, info.uid, info.gid, info.mtime = entry.mode, entry.uid, entry.gid, 0
    info.pax_headers = {
        f"SCHILY.xattr.{name}": value.decode("utf-8", "surrogateescape")
        for name, value in entry.xattrs.items()
    }
    if entry.kind == "dir":
        info.type = tarfile.DIRTYPE
        tar.addfile(info)
    elif entry.kind == "symlink":
        info.type, info.linkname = tarfile.SYMTYPE, entry.target
        tar.addfile(info)
    else:
        data = entry.content()
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))


def _clean(path: str) -> str:
    clean = PurePosixPath("/", path).relative_to("/")
    if ".." in clean.parts or str(clean) == ".":
        raise ValueError(f"layer path {path!r} must name a file under the image root")
    return str(clean)


def _json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, separators=(",", ":")).encode()
