"""The WASI preview1 reactor adapter: where it is installed and that it is the pinned one.

A core module built for ``wasm32-wasip1`` (Rust's spin-sdk, TinyGo) imports
``wasi_snapshot_preview1``; turning it into a component takes the Bytecode Alliance's adapter, a
small Wasm module that implements preview1 on top of WASI 0.2. It comes from the npm package
``@bytecodealliance/jco`` (``lib/wasi_snapshot_preview1.reactor.wasm``), fetched and checked
when the project is installed (``scripts/fetch-adapter.sh``, run by ``scripts/setup.sh``; the
runtime image does the same) into ``<prefix>/share/spinkube/adapters/``. It is never committed.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

ENV_VAR = "SPINKUBE_WASI_ADAPTER"
"""A path that overrides where the adapter is looked for."""


@dataclass(frozen=True, slots=True)
class AdapterPin:
    file_name: str
    package: str
    version: str
    member: str
    sha256: str

    @property
    def origin(self) -> str:
        return f"{self.member} of npm {self.package}@{self.version}"


PREVIEW1_REACTOR = AdapterPin(
    file_name="wasi_snapshot_preview1.reactor.wasm",
    package="@bytecodealliance/jco",
    version="1.35.0",
    member="lib/wasi_snapshot_preview1.reactor.wasm",
    sha256="b857310c4753c8fafaa0f890e9ccf978dc3d9dbe8804b1125291a627485041d0",
)
"""The same jco release ``apps/hello-js/package-lock.json`` pins for the JavaScript build."""


class AdapterError(RuntimeError):
    """The adapter is missing or is not the pinned file."""


def default_adapter_dir() -> Path:
    """``<prefix>/share/spinkube/adapters`` of the running Python (the project's venv)."""
    return Path(sys.prefix) / "share" / "spinkube" / "adapters"


def adapter_path(
    pin: AdapterPin = PREVIEW1_REACTOR, *, environ: Mapping[str, str] | None = None
) -> Path:
    """Where the adapter is looked for: ``$SPINKUBE_WASI_ADAPTER``, else the default dir."""
    configured = (os.environ if environ is None else environ).get(ENV_VAR)
    return Path(configured) if configured else default_adapter_dir() / pin.file_name


def load_adapter(pin: AdapterPin = PREVIEW1_REACTOR, *, path: Path | None = None) -> Path:
    """The adapter's path once its sha256 matches the pin; AdapterError names what is wrong."""
    path = path or adapter_path(pin)
    try:
        data = path.read_bytes()
    except OSError:
        raise AdapterError(
            f"the WASI preview1 adapter {pin.file_name} ({pin.origin}) is not installed at "
            f"{path}: run scripts/fetch-adapter.sh (scripts/setup.sh does) or set {ENV_VAR}"
        ) from None
    digest = hashlib.sha256(data).hexdigest()
    if digest != pin.sha256:
        raise AdapterError(
            f"the WASI preview1 adapter at {path} has sha256 {digest}, not the pinned "
            f"{pin.sha256} ({pin.origin})"
        )
    return path
