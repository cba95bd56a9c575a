"""Pulling the other layouts: an ordinary image with spin.toml in a tar.gz layer, the pre-2.0
layout (locked app as the manifest config), and archive layers."""

from __future__ import annotations

import base64
import gzip
import io
import json
import tarfile
from pathlib import Path

import pytest

from spinkube import oci
from spinkube.oci import BlobCache, RegistryClient, UnsupportedArtifact
from spinkube.oci.layout import (
    ARCHIVE_MEDIA_TYPE,
    OCI_CONFIG,
    OCI_MANIFEST,
    SPIN_APPLICATION_MEDIA_TYPE,
    WASM_LAYER_MEDIA_TYPE,
    Artifact,
    Blob,
)
from spinkube.oci.push import push_artifact
from spinkube.spinapp import resolve_files
from spinkube.testing.registry import RunningRegistry

from .conftest import HELLO_WAT, compile_wat

TAR_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"


def _tar_gz(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return gzip.compress(buffer.getvalue(), mtime=0)


def _artifact(config: Blob, layers: list[Blob]) -> Artifact:
    manifest = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": config.descriptor(),
        "layers": [layer.descriptor() for layer in layers],
    }
    return Artifact(json.dumps(manifest).encode(), config, tuple(layers), {})


@pytest.fixture
def wasm(tmp_path: Path) -> bytes:
    compile_wat(HELLO_WAT, tmp_path / "hello.wasm")
    return (tmp_path / "hello.wasm").read_bytes()


IMAGE_SPIN_TOML = b"""spin_manifest_version = 2
[application]
name = "from-image"
[[trigger.http]]
route = "/..."
component = "web"
[component.web]
source = "app/web.wasm"
files = [{ source = "assets", destination = "/" }]
"""


def test_an_ordinary_image_with_spin_toml_in_its_layers(
    registry: RunningRegistry, client: RegistryClient, cache: BlobCache, wasm: bytes
) -> None:
    base = _tar_gz({"spin.toml": IMAGE_SPIN_TOML, "app/web.wasm": b"old", "assets/gone.txt": b"x"})
    top = _tar_gz(
        {"app/web.wasm": wasm, "assets/index.html": b"<h1>hi</h1>", "assets/.wh.gone.txt": b""}
    )
    config = Blob.of(OCI_CONFIG, json.dumps({"architecture": "amd64", "os": "linux"}).encode())
    artifact = _artifact(config, [Blob.of(TAR_GZIP, base), Blob.of(TAR_GZIP, top)])
    push_artifact(artifact, oci.Reference.parse(registry.ref("images/web")), client=client)

    pulled = oci.pull(registry.ref("images/web"), client=client, cache=cache)
    app = pulled.load()

    assert pulled.layout == "image"
    assert app.name == "from-image"
    source = app.components["web"].source.path
    assert source is not None
    assert source.read_bytes() == wasm
    files = {guest: host.read_bytes() for host, guest in resolve_files(app, "web")}
    assert files == {"/index.html": b"<h1>hi</h1>"}


def test_an_image_without_spin_toml_is_unsupported(
    registry: RunningRegistry, client: RegistryClient, cache: BlobCache
) -> None:
    config = Blob.of(OCI_CONFIG, b'{"architecture":"amd64","os":"linux"}')
    artifact = _artifact(config, [Blob.of(TAR_GZIP, _tar_gz({"bin/sh": b"#!"}))])
    push_artifact(artifact, oci.Reference.parse(registry.ref("images/plain")), client=client)

    with pytest.raises(UnsupportedArtifact, match=r"no /spin\.toml"):
        oci.pull(registry.ref("images/plain"), client=client, cache=cache)


def _locked(wasm_digest: str, files: list[dict[str, str]]) -> dict[str, object]:
    return {
        "spin_lock_version": 0,
        "metadata": {"name": "legacy", "trigger": {"type": "http", "base": "/"}},
        "triggers": [
            {
                "id": "t",
                "trigger_type": "http",
                "trigger_config": {"route": "/...", "component": "c"},
            }
        ],
        "components": [
            {
                "id": "c",
                "source": {"content_type": "application/wasm", "digest": wasm_digest},
                "files": files,
            }
        ],
    }


def test_the_pre_2_0_layout_with_the_locked_app_as_config(
    registry: RunningRegistry, client: RegistryClient, cache: BlobCache, wasm: bytes
) -> None:
    wasm_layer = Blob.of(WASM_LAYER_MEDIA_TYPE, wasm)
    data = Blob.of("application/vnd.wasm.content.layer.v1+data", b"d" * 300)
    locked = _locked(
        wasm_layer.digest,
        [
            {"digest": data.digest, "path": "data/big.bin"},
            {"inline": base64.b64encode(b"tiny").decode(), "path": "tiny.txt"},
        ],
    )
    config = Blob.of(SPIN_APPLICATION_MEDIA_TYPE, json.dumps(locked).encode())
    push_artifact(
        _artifact(config, [wasm_layer, data]), oci.Reference.parse(registry.ref("legacy/app")),
        client=client,
    )  # fmt: skip

    pulled = oci.pull(registry.ref("legacy/app"), client=client, cache=cache)
    app = pulled.load()

    assert pulled.layout == "spin-config"
    assert app.name == "legacy"
    files = {guest: host.read_bytes() for host, guest in resolve_files(app, "c")}
    assert files == {"/data/big.bin": b"d" * 300, "/tiny.txt": b"tiny"}


def test_archive_layers_fill_the_files(
    registry: RunningRegistry, client: RegistryClient, cache: BlobCache, wasm: bytes
) -> None:
    wasm_layer = Blob.of(WASM_LAYER_MEDIA_TYPE, wasm)
    contents = {"index.html": b"<p>" * 100, "img/logo.svg": b"<svg/>" * 50}
    archive = Blob.of(ARCHIVE_MEDIA_TYPE, _tar_gz(contents))
    files = [{"digest": Blob.of("x", v).digest, "path": k} for k, v in contents.items()]
    locked_layer = Blob.of(
        SPIN_APPLICATION_MEDIA_TYPE, json.dumps(_locked(wasm_layer.digest, files)).encode()
    )
    config = Blob.of(OCI_CONFIG, b'{"architecture":"wasm","os":"wasip1"}')
    push_artifact(
        _artifact(config, [wasm_layer, archive, locked_layer]),
        oci.Reference.parse(registry.ref("archive/app")), client=client,
    )  # fmt: skip

    app = oci.pull(registry.ref("archive/app"), client=client, cache=cache).load()

    found = {guest: host.read_bytes() for host, guest in resolve_files(app, "c")}
    assert found == {
        "/index.html": contents["index.html"],
        "/img/logo.svg": contents["img/logo.svg"],
    }
