"""A Spin app pushed as a plain runnable image (``--format image``) to a real registry, pulled
back blob by blob: the layer holds spin.toml and the files at the paths spin.toml names, the
config is runnable on this machine's platform, and every digest checks out."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from spinkube import oci
from spinkube.oci import BlobCache, OciError, Reference, RegistryClient
from spinkube.oci.image import OCI_LAYER_GZIP, Platform
from spinkube.oci.push import push_app_image
from spinkube.oci.registry import fetch_blob, get_manifest
from spinkube.spinapp import load_manifest, resolve_files, wasm_path
from spinkube.testing.registry import RunningRegistry

from .conftest import SPIN_TOML, STATIC_FILES

EXPECTED_FILES = {
    "spin.toml": SPIN_TOML,
    "static/jabberwocky.txt": STATIC_FILES["static/jabberwocky.txt"],
    "static/css/site.css": STATIC_FILES["static/css/site.css"],
    "static/empty.txt": "",
    "notes/public.txt": "public notes",
}


def pulled_image(
    client: RegistryClient, cache: BlobCache, reference: str
) -> tuple[dict[str, object], dict[str, object], bytes]:
    """The manifest, the config and the (only) layer, fetched from the registry."""
    ref = Reference.parse(reference)
    manifest = json.loads(get_manifest(client, ref).data)
    blobs = [manifest["config"]["digest"], *(layer["digest"] for layer in manifest["layers"])]
    for digest in blobs:
        fetch_blob(client, ref, digest, cache)  # verifies each digest
    config = json.loads(cache.read(manifest["config"]["digest"]))
    (layer,) = manifest["layers"]
    return manifest, config, cache.read(layer["digest"])


def files_of(layer: bytes) -> dict[str, bytes]:
    with tarfile.open(fileobj=io.BytesIO(layer), mode="r:gz") as tar:
        return {
            m.name: tar.extractfile(m).read()  # type: ignore[union-attr]
            for m in tar.getmembers()
            if m.isfile()
        }


def test_plain_image_holds_spin_toml_and_files_at_their_manifest_paths(
    registry: RunningRegistry, client: RegistryClient, cache: BlobCache, spin_app: Path
) -> None:
    pushed = push_app_image(spin_app, registry.ref("apps/plain", "v1"), client=client)

    manifest, _, layer = pulled_image(client, cache, registry.ref("apps/plain", "v1"))

    wasm = (spin_app / "hello.wasm").read_bytes()
    expected = {name: text.encode() for name, text in EXPECTED_FILES.items()}
    assert files_of(layer) == {**expected, "hello.wasm": wasm}
    served = get_manifest(client, pushed.reference).data
    assert pushed.digest == "sha256:" + hashlib.sha256(served).hexdigest()
    assert manifest["mediaType"] == "application/vnd.oci.image.manifest.v1+json"
    assert manifest["config"]["mediaType"] == "application/vnd.oci.image.config.v1+json"
    assert [entry["mediaType"] for entry in manifest["layers"]] == [OCI_LAYER_GZIP]


def test_plain_image_config_runs_on_this_platform_with_entrypoint_slash(
    registry: RunningRegistry, client: RegistryClient, cache: BlobCache, spin_app: Path
) -> None:
    push_app_image(spin_app, registry.ref("apps/plain"), client=client)

    manifest, config, layer = pulled_image(client, cache, registry.ref("apps/plain"))

    host = Platform.host()
    assert (config["os"], config["architecture"]) == (host.os, host.architecture)
    assert config["config"] == {"Entrypoint": ["/"]}
    diff_id = "sha256:" + hashlib.sha256(gzip.decompress(layer)).hexdigest()
    assert config["rootfs"] == {"type": "layers", "diff_ids": [diff_id]}
    assert manifest["annotations"]["org.opencontainers.image.title"] == "hello-test"


def test_plain_image_for_another_platform(
    registry: RunningRegistry, client: RegistryClient, cache: BlobCache, spin_app: Path
) -> None:
    push_app_image(
        spin_app, registry.ref("apps/arm"), client=client, platform=Platform.parse("linux/arm64")
    )

    _, config, _ = pulled_image(client, cache, registry.ref("apps/arm"))

    assert (config["os"], config["architecture"]) == ("linux", "arm64")


def test_a_component_outside_the_app_directory_is_refused(
    registry: RunningRegistry, client: RegistryClient, spin_app: Path
) -> None:
    (spin_app.parent / "outside.wasm").write_bytes((spin_app / "hello.wasm").read_bytes())
    toml = spin_app / "spin.toml"
    toml.write_text(
        toml.read_text().replace('source = "hello.wasm"', 'source = "../outside.wasm"', 1)
    )

    with pytest.raises(OciError, match=r"component 'hello': source: .* is outside the application"):
        push_app_image(spin_app, registry.ref("apps/bad"), client=client)


def registry_push(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "spinkube.runtime", "registry", "push", *args]
    return subprocess.run(command, capture_output=True, text=True, check=False)


def test_cli_pushes_the_image_form(
    registry: RunningRegistry, client: RegistryClient, cache: BlobCache, spin_app: Path
) -> None:
    reference = registry.ref("cli/plain", "v2")

    result = registry_push(reference, "-f", str(spin_app), "--format", "image")

    assert result.returncode == 0, result.stderr
    _, config, layer = pulled_image(client, cache, reference)
    assert config["config"] == {"Entrypoint": ["/"]}
    assert set(files_of(layer)) == {*EXPECTED_FILES, "hello.wasm"}


def test_runtime_pull_reads_the_plain_image_back_as_the_same_app(
    registry: RunningRegistry, client: RegistryClient, cache: BlobCache, spin_app: Path
) -> None:
    push_app_image(spin_app, registry.ref("apps/plain"), client=client)

    pulled = oci.pull(registry.ref("apps/plain"), client=client, cache=cache)

    app, original = pulled.load(), load_manifest(spin_app)
    assert pulled.layout == "image"
    assert app.http_triggers == original.http_triggers
    assert wasm_path(app, "hello").read_bytes() == (spin_app / "hello.wasm").read_bytes()
    guest_files = {guest: host.read_text() for host, guest in resolve_files(app, "assets")}
    assert guest_files["/jabberwocky.txt"] == STATIC_FILES["static/jabberwocky.txt"]
    assert "/notes/private.txt" not in guest_files
