"""Spin's OCI layouts: media types, and building the artifact ``spin registry push`` publishes.

Published layout (Spin 2+, what containerd-shim-spin reads): an OCI image manifest whose config
is a standard image config (architecture ``wasm``, os ``wasip1``, label
``com.fermyon.spin.lockedAppDigest``); one ``+wasm`` layer per distinct component Wasm, one
``+data`` layer per distinct file larger than 128 bytes (smaller content is inlined in the
locked app), and the locked app itself as a layer with the Spin config media type, last.
"""

from __future__ import annotations

import base64
import dataclasses
import gzip
import io
import json
import tarfile
from dataclasses import dataclass
from typing import Any

from spinkube.oci.cache import sha256_digest
from spinkube.spinapp import App, dump_locked, resolve_files, to_locked, wasm_path

SPIN_APPLICATION_MEDIA_TYPE = "application/vnd.fermyon.spin.application.v1+config"
WASM_LAYER_MEDIA_TYPE = "application/vnd.wasm.content.layer.v1+wasm"
DATA_MEDIA_TYPE = "application/vnd.wasm.content.layer.v1+data"
ARCHIVE_MEDIA_TYPE = "application/vnd.wasm.content.bundle.v1.tar+gzip"
WASM_PLAIN_MEDIA_TYPE = "application/wasm"

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
IMAGE_CONFIGS = (OCI_CONFIG, DOCKER_CONFIG)
MANIFEST_TYPES = (OCI_MANIFEST, DOCKER_MANIFEST)
INDEX_TYPES = (OCI_INDEX, DOCKER_LIST)
TAR_LAYERS = {
    "application/vnd.oci.image.layer.v1.tar": False,
    "application/vnd.oci.image.layer.v1.tar+gzip": True,
    "application/vnd.docker.image.rootfs.diff.tar.gzip": True,
    "application/vnd.docker.image.rootfs.diff.tar": False,
}
"""Ordinary image layer types, and whether they are gzip-compressed."""

LOCKED_DIGEST_LABEL = "com.fermyon.spin.lockedAppDigest"
EMPTY_LAYER_ANNOTATION = "com.fermyon.spin.application.layer.isEmpty"
INLINE_MAX_SIZE = 128
MAX_LAYERS = 500


@dataclass(frozen=True, slots=True)
class Blob:
    media_type: str
    data: bytes
    digest: str

    @classmethod
    def of(cls, media_type: str, data: bytes) -> Blob:
        return cls(media_type, data, sha256_digest(data))

    def descriptor(self) -> dict[str, Any]:
        return {"mediaType": self.media_type, "digest": self.digest, "size": len(self.data)}


@dataclass(frozen=True, slots=True)
class Artifact:
    """Everything a push uploads: the manifest last, after the config and layers."""

    manifest: bytes
    config: Blob
    layers: tuple[Blob, ...]
    locked: dict[str, Any]

    @property
    def digest(self) -> str:
        return sha256_digest(self.manifest)


def build_artifact(app: App, *, archive: bool | None = None) -> Artifact:
    """The Spin OCI artifact for an app loaded from spin.toml (reads its Wasm and files).

    ``archive=True`` packs each component's files into one tar+gzip archive layer (Spin's
    ``SPIN_OCI_ARCHIVE_LAYERS``); None does so only when one layer per file would exceed the
    registry limit of 500 layers.
    """
    if archive is None:
        simple = build_artifact(app, archive=False) if _layer_budget_ok(app) else None
        return simple or build_artifact(app, archive=True)
    layers: dict[str, Blob] = {}
    without_files = {c.id: dataclasses.replace(c, files=()) for c in app.components.values()}
    locked = to_locked(dataclasses.replace(app, components=without_files, origin=None))
    for entry in locked["components"]:
        component = app.components[entry["id"]]
        wasm = Blob.of(WASM_LAYER_MEDIA_TYPE, wasm_path(app, component).read_bytes())
        layers.setdefault(wasm.digest, wasm)
        entry["source"] = {"content_type": WASM_PLAIN_MEDIA_TYPE, **_content_ref(wasm)}
        files = []
        contents: dict[str, bytes] = {}
        for host, guest in resolve_files(app, component):
            data = Blob.of(DATA_MEDIA_TYPE, host.read_bytes())
            if len(data.data) > INLINE_MAX_SIZE and not archive:
                layers.setdefault(data.digest, data)
            contents[guest.lstrip("/")] = data.data
            files.append({**_content_ref(data), "path": guest.lstrip("/")})
        if files:
            entry["files"] = files
        if contents and archive:
            bundle = Blob.of(ARCHIVE_MEDIA_TYPE, _tar_gz(contents))
            layers.setdefault(bundle.digest, bundle)
    return _assemble(app, locked, list(layers.values()))


def _layer_budget_ok(app: App) -> bool:
    """Whether one layer per Wasm and per file stays under the limit (counted generously)."""
    count = 1 + len(app.components)
    for component in app.components.values():
        count += len(resolve_files(app, component))
    return count <= MAX_LAYERS


def _tar_gz(contents: dict[str, bytes]) -> bytes:
    """A reproducible archive: sorted entries, zero mtimes, no owner names."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name in sorted(contents):
            info = tarfile.TarInfo(name)
            info.size = len(contents[name])
            info.mode = 0o644
            tar.addfile(info, io.BytesIO(contents[name]))
    return gzip.compress(buffer.getvalue(), mtime=0)


def _assemble(app: App, locked: dict[str, Any], layers: list[Blob]) -> Artifact:
    locked_blob = Blob.of(SPIN_APPLICATION_MEDIA_TYPE, dump_locked(locked))
    layers.append(locked_blob)
    if len(layers) > MAX_LAYERS:
        raise ValueError(f"app {app.name!r} needs {len(layers)} layers; at most {MAX_LAYERS}")
    image_config = {
        "architecture": "wasm",
        "os": "wasip1",
        "config": {"Labels": {LOCKED_DIGEST_LABEL: locked_blob.digest}},
        "rootfs": {"type": "layers", "diff_ids": []},
    }
    config = Blob.of(OCI_CONFIG, _json(image_config))
    manifest: dict[str, Any] = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": config.descriptor(),
        "layers": [layer.descriptor() for layer in layers],
    }
    annotations = app_annotations(app)
    if annotations:
        manifest["annotations"] = annotations
    return Artifact(_json(manifest), config, tuple(layers), locked)


def _content_ref(blob: Blob) -> dict[str, str]:
    ref = {"digest": blob.digest}
    if len(blob.data) <= INLINE_MAX_SIZE:
        ref["inline"] = base64.b64encode(blob.data).decode()
    return ref


def app_annotations(app: App) -> dict[str, str]:
    values = {
        "org.opencontainers.image.title": app.name,
        "org.opencontainers.image.version": app.version,
        "org.opencontainers.image.description": app.description,
        "org.opencontainers.image.authors": ", ".join(app.authors),
    }
    return {k: v for k, v in values.items() if v}


def _json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, separators=(",", ":")).encode()
