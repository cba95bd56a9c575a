"""Pull a Spin app into a directory the runtime loads: ``<dest>/spin.lock`` plus files.

Accepted layouts, in the order they are recognised:

1. the locked app as the manifest's config (``application/vnd.fermyon.spin.application.v1+config``,
   Spin before 2.0);
2. the locked app as a layer with that media type next to an image config (Spin 2+);
3. an ordinary image whose filesystem layers hold ``spin.toml`` and the Wasm files.

For Spin artifacts the locked app's Wasm sources then name files in the blob cache and each
component's files are copied into ``<dest>/files/<component>``. For images the layers are
unpacked into ``<dest>/rootfs`` and ``spin.toml`` there is locked the same way.
"""

from __future__ import annotations

import base64
import json
import logging
import shutil
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from spinkube.oci.cache import BlobCache, digest_hex
from spinkube.oci.client import RegistryClient
from spinkube.oci.errors import OciError, UnsupportedArtifact
from spinkube.oci.layout import (
    ARCHIVE_MEDIA_TYPE,
    EMPTY_LAYER_ANNOTATION,
    INDEX_TYPES,
    SPIN_APPLICATION_MEDIA_TYPE,
    TAR_LAYERS,
)
from spinkube.oci.reference import Reference
from spinkube.oci.registry import FetchedManifest, ensure_blob, get_manifest
from spinkube.oci.unpack import apply_image_layer, unpack_archive_layer
from spinkube.spinapp import (
    App,
    SpinAppError,
    load_locked_file,
    load_manifest,
    materialize_files,
    to_locked,
)
from spinkube.spinapp.locked import file_url

logger = logging.getLogger(__name__)

LOCKED_FILE = "spin.lock"


@dataclass(frozen=True, slots=True)
class PulledApp:
    reference: Reference
    digest: str
    """The manifest digest: ``reference.with_digest(digest)`` names exactly what was pulled."""
    directory: Path
    layout: str
    """``spin-config``, ``spin-layer`` or ``image``."""

    @property
    def locked_path(self) -> Path:
        return self.directory / LOCKED_FILE

    def load(self) -> App:
        return load_locked_file(self.locked_path)


def pull(
    reference: str | Reference,
    *,
    client: RegistryClient,
    cache: BlobCache,
    dest: Path | None = None,
) -> PulledApp:
    """Fetch (or reuse from the cache) every blob of the app and lay it out in ``dest``
    (default ``<cache>/apps/<manifest hex>``)."""
    ref = reference if isinstance(reference, Reference) else Reference.parse(reference)
    fetched = _resolve_manifest(client, ref)
    cache.put(fetched.data, fetched.digest)
    manifest = _json_object(fetched.data, f"manifest of {ref}")
    config, layers = _descriptors(manifest, ref)
    for descriptor in [config, *layers]:
        ensure_blob(client, ref, descriptor["digest"], cache)
    dest = dest or cache.root / "apps" / digest_hex(fetched.digest)
    _reset(dest)
    layout = _lay_out(ref, config, layers, cache, dest)
    pulled = PulledApp(ref, fetched.digest, dest, layout)
    try:
        pulled.load()
    except SpinAppError as e:
        raise OciError(f"{ref}: the pulled app is not valid: {e}") from e
    logger.info("pulled %s@%s (%s) into %s", ref, fetched.digest, layout, dest)
    return pulled


def _resolve_manifest(client: RegistryClient, ref: Reference) -> FetchedManifest:
    fetched = get_manifest(client, ref)
    if fetched.media_type not in INDEX_TYPES:
        return fetched
    index = _json_object(fetched.data, f"index of {ref}")
    entries = index.get("manifests") or []
    if not entries:
        raise UnsupportedArtifact(f"{ref}: the image index lists no manifests")
    chosen = next((m for m in entries if _is_wasm_platform(m.get("platform", {}))), entries[0])
    return get_manifest(client, ref, chosen["digest"])


def _is_wasm_platform(platform: dict[str, Any]) -> bool:
    return platform.get("architecture") == "wasm" or str(platform.get("os", "")).startswith("wasi")


def _descriptors(
    manifest: dict[str, Any], ref: Reference
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    config = manifest.get("config")
    layers = manifest.get("layers", [])
    if not isinstance(config, dict) or not isinstance(layers, list):
        raise UnsupportedArtifact(f"{ref}: not an image manifest (no config or layers)")
    return config, layers


def _lay_out(
    ref: Reference,
    config: dict[str, Any],
    layers: list[dict[str, Any]],
    cache: BlobCache,
    dest: Path,
) -> str:
    if config.get("mediaType") == SPIN_APPLICATION_MEDIA_TYPE:
        _write_spin_app(cache.read(config["digest"]), layers, cache, dest, ref)
        return "spin-config"
    spin_layers = [d for d in layers if d.get("mediaType") == SPIN_APPLICATION_MEDIA_TYPE]
    if spin_layers:
        _write_spin_app(cache.read(spin_layers[-1]["digest"]), layers, cache, dest, ref)
        return "spin-layer"
    image_layers = [d for d in layers if d.get("mediaType") in TAR_LAYERS]
    if image_layers:
        _write_image_app(image_layers, cache, dest, ref)
        return "image"
    types = sorted({str(d.get("mediaType")) for d in layers}) or ["no layers"]
    raise UnsupportedArtifact(
        f"{ref}: neither a Spin app nor an image with spin.toml (config {config.get('mediaType')}, "
        f"layers: {', '.join(types)})"
    )


def _write_spin_app(
    locked_bytes: bytes, layers: list[dict[str, Any]], cache: BlobCache, dest: Path, ref: Reference
) -> None:
    for layer in layers:
        if layer.get("mediaType") == ARCHIVE_MEDIA_TYPE:
            unpack_archive_layer(cache, cache.path(layer["digest"]))
    empty = {
        d["digest"]
        for d in layers
        if (d.get("annotations") or {}).get(EMPTY_LAYER_ANNOTATION) == "true"
    }
    locked = _json_object(locked_bytes, f"locked app of {ref}")
    for component in locked.get("components", []):
        component["source"] = _local_source(component.get("source", {}), cache, ref)
        files = component.get("files") or []
        if files:
            mount = dest / "files" / str(component.get("id"))
            for entry in files:
                _place_file(entry, mount, cache, empty, ref)
            component["files"] = [{"source": file_url(mount.resolve()), "path": "/"}]
    (dest / "spin.lock").write_text(json.dumps(locked, indent=2), encoding="utf-8")


def _local_source(source: dict[str, Any], cache: BlobCache, ref: Reference) -> dict[str, Any]:
    out = dict(source)
    if "inline" in source:
        out["digest"] = cache.put(base64.b64decode(source["inline"]))
        del out["inline"]
    digest = out.get("digest")
    if not digest:
        raise OciError(f"{ref}: a component source has neither digest nor inline content")
    if not cache.has(digest):
        raise OciError(f"{ref}: component Wasm {digest} is not among the image's layers")
    out["source"] = file_url(cache.path(digest).resolve())
    return out


def _place_file(
    entry: dict[str, Any], mount: Path, cache: BlobCache, empty: set[str], ref: Reference
) -> None:
    relative = PurePosixPath(str(entry.get("path", "")).lstrip("/"))
    if not relative.parts or ".." in relative.parts:
        raise OciError(f"{ref}: file path {entry.get('path')!r} escapes the component's files")
    target = mount.joinpath(*relative.parts)
    target.parent.mkdir(parents=True, exist_ok=True)
    if "inline" in entry:
        target.write_bytes(base64.b64decode(entry["inline"]))
    elif entry.get("digest") in empty:
        target.write_bytes(b"")
    elif entry.get("digest") and cache.has(entry["digest"]):
        cache.copy_out(entry["digest"], target)
    else:
        raise OciError(f"{ref}: content {entry.get('digest')} of file {relative} is missing")


def _write_image_app(
    layers: list[dict[str, Any]], cache: BlobCache, dest: Path, ref: Reference
) -> None:
    rootfs = dest / "rootfs"
    rootfs.mkdir(parents=True)
    for layer in layers:
        compressed = TAR_LAYERS[layer["mediaType"]]
        apply_image_layer(
            cache.path(layer["digest"]), rootfs, compressed=compressed, name=layer["digest"]
        )
    if not (rootfs / "spin.toml").is_file():
        raise UnsupportedArtifact(f"{ref}: the image has no /spin.toml")
    try:
        app = load_manifest(rootfs / "spin.toml")
        mounted = {
            c.id: materialize_files(app, c, dest / "files" / c.id)
            for c in app.components.values()
            if c.files
        }
        locked = to_locked(app, mounted=mounted)
    except SpinAppError as e:
        raise OciError(f"{ref}: {e}") from e
    (dest / "spin.lock").write_text(json.dumps(locked, indent=2), encoding="utf-8")


def _reset(dest: Path) -> None:
    """Empty what a previous pull left in ``dest``; refuse a directory holding anything else."""
    if dest.is_dir() and any(dest.iterdir()) and not (dest / LOCKED_FILE).is_file():
        raise OciError(f"cannot pull into {dest}: it is not empty and holds no previous pull")
    for owned in ("files", "rootfs"):
        if (dest / owned).exists():
            shutil.rmtree(dest / owned)
    (dest / LOCKED_FILE).unlink(missing_ok=True)
    dest.mkdir(parents=True, exist_ok=True)


def _json_object(data: bytes, what: str) -> dict[str, Any]:
    try:
        value = json.loads(data)
    except ValueError:
        raise UnsupportedArtifact(f"{what} is not JSON") from None
    if not isinstance(value, dict):
        raise UnsupportedArtifact(f"{what} is not a JSON object")
    return value
