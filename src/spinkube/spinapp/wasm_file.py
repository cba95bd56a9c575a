"""A bare ``.wasm`` file as an app, as ``spin up -f app.wasm`` runs it: one component, named
after the file, answering every path (``/...``) of the HTTP trigger."""

from __future__ import annotations

import re
from pathlib import Path

from spinkube.spinapp.model import App, Component, ComponentSource, Trigger

WASM_MAGIC = b"\0asm"


def is_wasm_file(path: Path) -> bool:
    """Whether ``path`` is a file that starts with the Wasm magic bytes (module or component)."""
    try:
        with path.open("rb") as f:
            return f.read(len(WASM_MAGIC)) == WASM_MAGIC
    except OSError:
        return False


def wasm_file_app(path: Path) -> App:
    """The one-component app of the Wasm file ``path``; its id is the file's stem in kebab case."""
    path = path.resolve()
    name = _kebab(path.stem)
    component = Component(id=name, source=ComponentSource(path=path))
    trigger = Trigger(type="http", id=f"trigger-{name}", component=name, config={"route": "/..."})
    return App(
        name=name,
        components={name: component},
        triggers=(trigger,),
        app_dir=path.parent,
        origin=path,
    )


def _kebab(stem: str) -> str:
    words = re.findall(r"[a-z0-9]+", stem.lower())
    return "-".join(words) if words and words[0][0].isalpha() else "-".join(["app", *words])
