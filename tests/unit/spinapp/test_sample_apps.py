"""The sample apps' manifests (``apps/*/spin.toml``) load into the model."""

from __future__ import annotations

from pathlib import Path

import pytest

from spinkube.spinapp import load_manifest, resolve_files

APPS = Path(__file__).resolve().parents[3] / "apps"
MANIFESTS = sorted(APPS.glob("*/spin.toml"))


@pytest.mark.apps
@pytest.mark.parametrize("manifest", MANIFESTS, ids=[m.parent.name for m in MANIFESTS])
def test_sample_manifest_loads(manifest: Path) -> None:
    app = load_manifest(manifest)

    assert app.name
    assert app.triggers, "every sample app has a trigger"
    for trigger in app.triggers:
        assert trigger.component in app.components
    for component in app.components.values():
        for host, guest in resolve_files(app, component):
            assert host.is_file()
            assert guest.startswith("/")
