"""Save images as an OCI image layout: a directory, or a tar of one (``ctr images import``).

The layout (image-spec ``image-layout.md``): ``oci-layout``, ``index.json`` naming each
manifest, and every blob under ``blobs/sha256/``. Each manifest entry carries the full name in
``io.containerd.image.name`` (what ``ctr images import`` uses) and the tag in
``org.opencontainers.image.ref.name`` (what other tools use), as ``ctr images export`` writes.
The tar is reproducible: sorted members, zero mtimes.
"""

from __future__ import annotations

import io
import json
import tarfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spinkube.oci.image import Image
from spinkube.oci.layout import OCI_INDEX, OCI_MANIFEST, Artifact, Blob
from spinkube.oci.reference import Reference

CONTAINERD_NAME = "io.containerd.image.name"
REF_NAME = "org.opencontainers.image.ref.name"
LAYOUT_VERSION = b'{"imageLayoutVersion":"1.0.0"}'


@dataclass(frozen=True, slots=True)
class Named:
    reference: Reference
    image: Image | Artifact


def save_layout(images: Sequence[Named], dest: Path) -> Path:
    """Write the images to ``dest``: a tar when it ends in ``.tar``, else a directory."""
    files = _layout_files(images)
    if dest.suffix == ".tar":
        _write_tar(files, dest)
    else:
        _write_dir(files, dest)
    return dest


def _layout_files(images: Sequence[Named]) -> dict[str, bytes]:
    files: dict[str, bytes] = {"oci-layout": LAYOUT_VERSION}
    manifests = []
    for named in images:
        image = named.image
        manifest = Blob.of(OCI_MANIFEST, image.manifest)
        for blob in (*image.layers, image.config, manifest):
            files[_blob_path(blob.digest)] = blob.data
        manifests.append(_index_entry(named.reference, manifest, image))
    index = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": manifests}
    files["index.json"] = json.dumps(index, separators=(",", ":")).encode()
    return files


def _index_entry(ref: Reference, manifest: Blob, image: Image | Artifact) -> dict[str, Any]:
    entry = manifest.descriptor()
    entry["annotations"] = {CONTAINERD_NAME: str(ref), REF_NAME: ref.tag or ref.ref}
    if isinstance(image, Image):
        platform = {"architecture": image.platform.architecture, "os": image.platform.os}
        if image.platform.variant:
            platform["variant"] = image.platform.variant
        entry["platform"] = platform
    return entry


def _blob_path(digest: str) -> str:
    algorithm, _, hex_digest = digest.partition(":")
    return f"blobs/{algorithm}/{hex_digest}"


def _write_dir(files: dict[str, bytes], dest: Path) -> None:
    for name, data in files.items():
        path = dest / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def _write_tar(files: dict[str, bytes], dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_name(f".{dest.name}.partial")
    with tarfile.open(partial, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for directory in _directories(files):
            info = tarfile.TarInfo(directory)
            info.type, info.mode = tarfile.DIRTYPE, 0o755
            tar.addfile(info)
        for name in sorted(files):
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(files[name]), 0o644
            tar.addfile(info, io.BytesIO(files[name]))
    partial.replace(dest)


def _directories(files: Iterable[str]) -> list[str]:
    found = {str(p) for name in files for p in Path(name).parents if str(p) != "."}
    return sorted(found)
