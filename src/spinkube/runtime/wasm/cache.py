"""The on-disk compile cache: compiled components keyed by wasmtime, engine config and digest.

A compiled component is native code, so an entry is only ever loaded from this cache's own
directory, under the exact key computed from (wasmtime version, engine settings, sha256 of the
wasm); its sidecar records the key and the entry's own sha256, both verified before the entry
is memory-mapped with ``deserialize_file``. Entries are written to a temporary file and renamed,
so a reader never sees half an entry. A bad entry is recompiled and replaced.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import wasmtime
from wasmtime.component import Component

from spinkube.runtime.wasm.engine import EngineSettings

logger = logging.getLogger(__name__)


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "spinkube" / "wasm"


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass
class CacheStats:
    hits: int = 0
    misses: int = 0
    rejected: int = 0


class CompileCache:
    def __init__(self, directory: Path, settings: EngineSettings) -> None:
        self.directory = directory
        self.tag = settings.cache_tag()
        self.tag_digest = hashlib.sha256(self.tag.encode()).hexdigest()[:16]
        self.stats = CacheStats()

    def entry_path(self, wasm_digest: str) -> Path:
        return self.directory / f"{wasm_digest}-{self.tag_digest}.cwasm"

    def load(self, engine: wasmtime.Engine, wasm: Path) -> Component:
        """The compiled component for ``wasm``: from the cache, or compiled and stored."""
        data = wasm.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        entry = self.entry_path(digest)
        component = self._load_entry(engine, entry, digest)
        if component is not None:
            self.stats.hits += 1
            return component
        self.stats.misses += 1
        logger.info("compiling %s (no usable compile-cache entry)", wasm)
        component = Component(engine, data)
        self._store(entry, digest, bytes(component.serialize()))
        return component

    def _meta(self, digest: str, entry_digest: str) -> dict[str, str]:
        return {"key": f"{digest}-{self.tag_digest}", "tag": self.tag, "sha256": entry_digest}

    def _load_entry(self, engine: wasmtime.Engine, entry: Path, digest: str) -> Component | None:
        meta_path = entry.with_suffix(".json")
        if not entry.is_file() or not meta_path.is_file():
            return None
        try:
            meta = json.loads(meta_path.read_text())
            if meta != self._meta(digest, _sha256_file(entry)):
                raise ValueError("key or checksum mismatch")
            return Component.deserialize_file(engine, str(entry))
        except (ValueError, OSError, wasmtime.WasmtimeError) as exc:
            self.stats.rejected += 1
            logger.warning("ignoring compile-cache entry %s: %s", entry.name, exc)
            return None

    def _store(self, entry: Path, digest: str, blob: bytes) -> None:
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        _write_atomic(entry, blob)
        meta = self._meta(digest, hashlib.sha256(blob).hexdigest())
        _write_atomic(entry.with_suffix(".json"), json.dumps(meta).encode())


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
