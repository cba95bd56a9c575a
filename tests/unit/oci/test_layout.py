from __future__ import annotations

import base64
import json
from pathlib import Path

from spinkube.oci import build_artifact
from spinkube.oci.cache import sha256_digest
from spinkube.oci.layout import (
    DATA_MEDIA_TYPE,
    LOCKED_DIGEST_LABEL,
    OCI_CONFIG,
    SPIN_APPLICATION_MEDIA_TYPE,
    WASM_LAYER_MEDIA_TYPE,
)
from spinkube.spinapp import load_locked, load_manifest

MANIFEST = """
spin_manifest_version = 2
[application]
name = "layout"
version = "1.0.0"
[[trigger.http]]
route = "/..."
component = "a"
[[trigger.http]]
route = "/b"
component = "b"
[component.a]
source = "app.wasm"
files = ["static/*"]
[component.b]
source = "app.wasm"
"""


def _app(tmp_path: Path) -> Path:
    (tmp_path / "spin.toml").write_text(MANIFEST)
    (tmp_path / "app.wasm").write_bytes(b"\0asm" + bytes(300))
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "big.txt").write_bytes(b"x" * 200)
    (tmp_path / "static" / "small.txt").write_bytes(b"tiny")
    return tmp_path


def test_artifact_uses_spins_media_types_and_inlines_small_files(tmp_path: Path) -> None:
    artifact = build_artifact(load_manifest(_app(tmp_path)))
    manifest = json.loads(artifact.manifest)

    types = [layer["mediaType"] for layer in manifest["layers"]]
    assert types == [WASM_LAYER_MEDIA_TYPE, DATA_MEDIA_TYPE, SPIN_APPLICATION_MEDIA_TYPE]
    assert manifest["config"]["mediaType"] == OCI_CONFIG
    config = json.loads(artifact.config.data)
    assert (config["architecture"], config["os"]) == ("wasm", "wasip1")
    locked_layer = artifact.layers[-1]
    assert config["config"]["Labels"][LOCKED_DIGEST_LABEL] == locked_layer.digest
    assert manifest["annotations"]["org.opencontainers.image.title"] == "layout"
    files = {f["path"]: f for f in artifact.locked["components"][0]["files"]}
    assert set(files) == {"static/big.txt", "static/small.txt"}
    assert "inline" not in files["static/big.txt"]
    assert base64.b64decode(files["static/small.txt"]["inline"]) == b"tiny"
    assert files["static/small.txt"]["digest"] == sha256_digest(b"tiny")


def test_locked_layer_is_a_valid_locked_app_naming_layers_by_digest(tmp_path: Path) -> None:
    artifact = build_artifact(load_manifest(_app(tmp_path)))
    layer_digests = {layer.digest for layer in artifact.layers}

    locked = json.loads(artifact.layers[-1].data)
    without_files = [{**c, "files": []} for c in locked["components"]]
    app = load_locked({**locked, "components": without_files}, tmp_path)

    assert "origin" not in locked["metadata"]
    assert list(app.components) == ["a", "b"]
    for component in app.components.values():
        assert component.source.path is None
        assert component.source.digest in layer_digests
    big = next(f for f in locked["components"][0]["files"] if f["path"] == "static/big.txt")
    assert big["digest"] in layer_digests
    assert artifact.digest == sha256_digest(artifact.manifest)


def test_the_same_app_builds_the_same_bytes(tmp_path: Path) -> None:
    app_dir = _app(tmp_path)

    assert (
        build_artifact(load_manifest(app_dir)).manifest
        == build_artifact(load_manifest(app_dir)).manifest
    )
