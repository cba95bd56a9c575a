"""A Spin app as a plain, runnable OCI image (containerd-shim-spin's "File" source).

What upstream builds with a ``FROM scratch`` Dockerfile that copies the app: one tar layer
holding ``/spin.toml`` and, at the paths spin.toml names (relative to its directory), every
component's Wasm and every file its ``files`` mounts resolve to. The shim loads ``/spin.toml``
from the container's root filesystem, so sources resolve exactly as they did beside the original
spin.toml. Unlike the Spin artifact this runs on every containerd (1.6 cannot pull artifacts).

The entrypoint is ``/``, the command the operator gives Spin containers, so ``ctr run`` works
without arguments. Components fetched by URL stay URLs (the runtime fetches them), as a
Dockerfile copying spin.toml would leave them.
"""

from __future__ import annotations

from pathlib import Path

from spinkube.oci.image import Entry, Image, ImageConfig, Platform, build_image, build_layer
from spinkube.oci.layout import app_annotations
from spinkube.spinapp import App, SpinAppError, resolve_files, wasm_path

APP_ENTRYPOINT = ("/",)


def build_app_image(app: App, *, platform: Platform | None = None) -> Image:
    """The plain image of an app loaded from spin.toml (reads its Wasm and files)."""
    if app.origin is None:
        raise SpinAppError(f"app {app.name!r} was not loaded from a spin.toml")
    root = app.app_dir.resolve()
    entries = [Entry.file("spin.toml", app.origin.read_bytes())]
    for component in app.components.values():
        if component.source.path is not None:
            wasm = _relative(root, wasm_path(app, component), f"component {component.id!r}: source")
            entries.append(Entry.file(wasm, root / wasm))
        for host, _guest in resolve_files(app, component):
            path = _relative(root, host, f"component {component.id!r}: files")
            entries.append(Entry.file(path, host))
    config = ImageConfig(platform=platform or Platform.host(), entrypoint=APP_ENTRYPOINT)
    return build_image([build_layer(entries)], config, annotations=app_annotations(app))


def _relative(root: Path, path: Path, what: str) -> str:
    resolved = path.resolve()
    if not resolved.is_relative_to(root):
        raise SpinAppError(
            f"{what}: {path} is outside the application directory {root}; "
            "a plain image holds only files under it"
        )
    if not resolved.is_file():
        raise SpinAppError(f"{what}: {path} does not exist")
    return resolved.relative_to(root).as_posix()
