"""Every sample app in ``apps/`` loads, pushes to and pulls from a real registry unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest

from spinkube import oci
from spinkube.oci import BlobCache, RegistryClient
from spinkube.spinapp import load_manifest, resolve_files, wasm_path
from spinkube.testing.registry import RunningRegistry

APPS = Path(__file__).resolve().parents[2] / "apps"
MANIFESTS = sorted(APPS.glob("*/spin.toml"))


def _built(manifest: Path) -> bool:
    app = load_manifest(manifest)
    return all(wasm_path(app, c).is_file() for c in app.components.values())


@pytest.mark.apps
@pytest.mark.parametrize("manifest", MANIFESTS, ids=[m.parent.name for m in MANIFESTS])
def test_sample_app_round_trips_through_the_registry(
    manifest: Path, registry: RunningRegistry, client: RegistryClient, cache: BlobCache
) -> None:
    if not _built(manifest):
        pytest.skip(f"{manifest.parent.name} is not built (run scripts/build-apps.sh)")
    original = load_manifest(manifest)
    reference = registry.ref(f"samples/{manifest.parent.name}", original.version or "latest")

    pushed = oci.push(manifest.parent, reference, client=client)
    pulled = oci.pull(reference, client=client, cache=cache)
    app = pulled.load()

    assert pulled.digest == pushed.digest
    for layer in pushed.artifact.layers:
        assert cache.read(layer.digest) == layer.data
    assert (app.name, app.variables) == (original.name, original.variables)
    assert app.http_triggers == original.http_triggers
    for component in original.components.values():
        pulled_component = app.components[component.id]
        assert (
            wasm_path(app, pulled_component).read_bytes()
            == wasm_path(original, component).read_bytes()
        )
        assert pulled_component.variables == component.variables
        want = {guest: host.read_bytes() for host, guest in resolve_files(original, component)}
        got = {guest: host.read_bytes() for host, guest in resolve_files(app, pulled_component)}
        assert got == want
