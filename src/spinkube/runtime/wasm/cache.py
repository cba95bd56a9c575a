"""The on-disk compile cache: compiled components keyed by wasmtime, engine config and digest.

A compiled component is native code, so an entry is only ever loaded from this cache's own
directory, under the exact key computed from (wasmtime version, engine settings, sha256 of the
wasm); its sidecar records the key and the entry's own sha256, both verified before the entry
is memory-mapped with ``deserialize_file``. Entries are written to a temporary file and renamed,
so a reader never sees half an entry. A bad entry is recompiled and replaced.

A core module is turned into a component before it is compiled (``componentize.py``); its entry
is keyed by the module's own digest, with the conversion's tools (wasm-tools, the adapter) in the
key, so the conversion runs once per module per machine.
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

from spinkube.runtime.wasm.componentize import componentize_if_necessary, conversion_tag
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
        self.tag = f"{settings.cache_tag()};{conversion_tag()}"
        self.tag_digest = hashlib.sha256(self.tag.encode()).hexdigest()[:16]
        self.stats = CacheStats()

    def entry_path(self, wasm_digest: str) -> Path:
        return self.directory / f"{wasm_digest}-{self.tag_digest}.cwasm"

    def load(
        self, engine: wasmtime.Engine, wasm: Path, *, verified_digest: str | None = None
    ) -> Component:
        """The compiled component for ``wasm``: from the cache, or compiled and stored.

        ``verified_digest``: the wasm's sha256, whose entry :meth:`verify` has already checked
        in this run (a parent process before forking its workers), so neither the wasm nor the
        entry is hashed again; on a cache hit the wasm is not even read.
        """
        data: bytes | None = None
        if verified_digest is None:
            data = wasm.read_bytes()
            digest = hashlib.sha256(data).hexdigest()
        else:
            digest = verified_digest
        entry = self.entry_path(digest)
        component = self._load_entry(engine, entry, digest, checked=verified_digest is not None)
        if component is not None:
            self.stats.hits += 1
            return component
        self.stats.misses += 1
        logger.info("compiling %s (no usable compile-cache entry)", wasm)
        data = wasm.read_bytes() if data is None else data
        component = Component(engine, componentize_if_necessary(data, source=str(wasm)))
        self._store(entry, digest, bytes(component.serialize()))
        return component

    def verify(self, wasm_digest: str) -> bool:
        """Whether the entry for this wasm digest exists with the right key and checksum."""
        try:
            return self._entry_problem(self.entry_path(wasm_digest), wasm_digest) is None
        except (ValueError, OSError):
            return False

    def _meta(self, digest: str, entry_digest: str) -> dict[str, str]:
        return {"key": f"{digest}-{self.tag_digest}", "tag": self.tag, "sha256": entry_digest}

    def _entry_problem(self, entry: Path, digest: str) -> str | None:
        meta = json.loads(entry.with_suffix(".json").read_text())
        if meta != self._meta(digest, _sha256_file(entry)):
            return "key or checksum mismatch"
        return None

    def _load_entry(
        self, engine: wasmtime.Engine, entry: Path, digest: str, *, checked: bool
    ) -> Component | None:
        if not entry.is_file() or not entry.with_suffix(".json").is_file():
            return None
        try:
            problem = None if checked else self._entry_problem(entry, digest)
            if problem is not None:
                raise ValueError(problem)
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
