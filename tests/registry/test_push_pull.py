"""Push then pull against a real registry: byte-identical content, references, cache reuse,
corruption and interrupted downloads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from spinkube import oci
from spinkube.oci import BlobCache, DigestMismatch, NotFound, RegistryClient, RegistryUnreachable
from spinkube.oci.push import push_artifact
from spinkube.spinapp import load_manifest, resolve_files
from spinkube.testing import free_port
from spinkube.testing.registry import RunningRegistry

from .conftest import STATIC_FILES, BreakingTransport


def test_push_then_pull_is_byte_identical(
    registry: RunningRegistry, client: RegistryClient, cache: BlobCache, spin_app: Path
) -> None:
    pushed = oci.push(spin_app, registry.ref("apps/hello", "v1"), client=client)

    pulled = oci.pull(registry.ref("apps/hello", "v1"), client=client, cache=cache)

    assert pulled.digest == pushed.digest
    assert pulled.layout == "spin-layer"
    assert cache.read(pulled.digest) == pushed.artifact.manifest
    assert cache.read(pushed.artifact.config.digest) == pushed.artifact.config.data
    for layer in pushed.artifact.layers:
        assert cache.read(layer.digest) == layer.data, layer.media_type


def test_pulled_app_loads_with_cached_wasm_and_its_files(
    registry: RunningRegistry, client: RegistryClient, cache: BlobCache, spin_app: Path
) -> None:
    oci.push(spin_app, registry.ref("apps/hello"), client=client)

    app = oci.pull(registry.ref("apps/hello"), client=client, cache=cache).load()

    original = load_manifest(spin_app)
    assert (app.name, app.version, app.variables) == (
        original.name,
        original.version,
        original.variables,
    )
    assert app.http_triggers == original.http_triggers
    hello = app.components["hello"]
    assert hello.source.path is not None
    assert hello.source.path.is_relative_to(cache.root)
    assert hello.source.path.read_bytes() == (spin_app / "hello.wasm").read_bytes()
    assert hello.variables == {"greeting": "Hello from {{ platform_name }}"}
    guest_files = {guest: host.read_text() for host, guest in resolve_files(app, "assets")}
    assert guest_files == {
        "/jabberwocky.txt": STATIC_FILES["static/jabberwocky.txt"],
        "/css/site.css": STATIC_FILES["static/css/site.css"],
        "/empty.txt": "",
        "/notes/public.txt": "public notes",
    }


def test_tag_and_digest_references_pull_the_same_content(
    registry: RunningRegistry, client: RegistryClient, cache: BlobCache, spin_app: Path
) -> None:
    pushed = oci.push(spin_app, registry.ref("apps/hello", "1.0"), client=client)

    by_digest = oci.pull(f"{registry.host}/apps/hello@{pushed.digest}", client=client, cache=cache)
    by_both = oci.pull(
        f"{registry.ref('apps/hello', '1.0')}@{pushed.digest}", client=client, cache=cache
    )

    assert by_digest.digest == by_both.digest == pushed.digest
    assert by_digest.load().components.keys() == by_both.load().components.keys()


def test_a_second_push_and_pull_reuse_what_is_there(
    registry: RunningRegistry, cache: BlobCache, spin_app: Path
) -> None:
    transport = BreakingTransport()
    with RegistryClient(transport=transport) as client:
        first = oci.push(spin_app, registry.ref("apps/hello", "a"), client=client)
        second = oci.push(spin_app, registry.ref("apps/hello", "b"), client=client)
        oci.pull(registry.ref("apps/hello", "a"), client=client, cache=cache)
        fetched = len(transport.blob_gets)
        oci.pull(registry.ref("apps/hello", "b"), client=client, cache=cache)

    assert first.uploaded == len(first.artifact.layers) + 1
    assert second.uploaded == 0
    assert second.digest == first.digest
    assert fetched == len(first.artifact.layers) + 1
    assert len(transport.blob_gets) == fetched, "the second pull fetched blobs again"


def test_a_missing_tag_is_not_found_and_named(
    registry: RunningRegistry, client: RegistryClient, cache: BlobCache, spin_app: Path
) -> None:
    oci.push(spin_app, registry.ref("apps/hello", "v1"), client=client)

    with pytest.raises(NotFound, match="tag 'v2' not found"):
        oci.pull(registry.ref("apps/hello", "v2"), client=client, cache=cache)
    with pytest.raises(NotFound, match="apps/nothing"):
        oci.pull(registry.ref("apps/nothing", "v1"), client=client, cache=cache)


def test_a_corrupted_cached_blob_is_fetched_again(
    registry: RunningRegistry, client: RegistryClient, cache: BlobCache, spin_app: Path
) -> None:
    pushed = oci.push(spin_app, registry.ref("apps/hello"), client=client)
    oci.pull(registry.ref("apps/hello"), client=client, cache=cache)
    wasm = pushed.artifact.layers[0]
    cache.path(wasm.digest).write_bytes(b"bit rot")

    with pytest.raises(DigestMismatch):
        cache.verified_path(wasm.digest)
    pulled = oci.pull(registry.ref("apps/hello"), client=client, cache=cache)

    assert cache.read(wasm.digest) == wasm.data
    assert pulled.load().components["hello"].source.path == cache.path(wasm.digest)


def test_a_corrupted_blob_in_the_registry_is_a_digest_mismatch(
    registry: RunningRegistry, client: RegistryClient, cache: BlobCache, spin_app: Path
) -> None:
    pushed = oci.push(spin_app, registry.ref("apps/hello"), client=client)
    wasm = pushed.artifact.layers[0]
    stored = registry.blob_file(wasm.digest)
    stored.write_bytes(b"X" * len(wasm.data))

    with pytest.raises(DigestMismatch) as caught:
        oci.pull(registry.ref("apps/hello"), client=client, cache=cache)

    assert caught.value.expected == wasm.digest
    assert wasm.digest in str(caught.value)
    assert not cache.has(wasm.digest)


def test_an_interrupted_download_leaves_the_cache_intact(
    registry: RunningRegistry, client: RegistryClient, cache: BlobCache, spin_app: Path
) -> None:
    pushed = oci.push(spin_app, registry.ref("apps/hello"), client=client)
    data_layer = next(
        layer for layer in pushed.artifact.layers if layer.media_type.endswith("+data")
    )

    with (
        RegistryClient(transport=BreakingTransport(data_layer.digest, keep=100)) as flaky,
        pytest.raises(RegistryUnreachable, match="interrupted"),
    ):
        oci.pull(registry.ref("apps/hello"), client=flaky, cache=cache)

    assert not cache.has(data_layer.digest)
    assert list((cache.root / "tmp").iterdir()) == []
    for blob in (cache.root / "blobs" / "sha256").iterdir():
        assert oci.cache.file_digest(blob) == f"sha256:{blob.name}"
    pulled = oci.pull(registry.ref("apps/hello"), client=client, cache=cache)
    assert cache.read(data_layer.digest) == data_layer.data
    assert pulled.digest == pushed.digest


def test_an_unreachable_registry_is_reported(client: RegistryClient, cache: BlobCache) -> None:
    with pytest.raises(RegistryUnreachable, match=r"cannot reach registry 127\.0\.0\.1"):
        oci.pull(f"127.0.0.1:{free_port()}/apps/hello", client=client, cache=cache)


def test_pushed_manifest_uses_spins_media_types(
    registry: RunningRegistry, client: RegistryClient, cache: BlobCache, spin_app: Path
) -> None:
    pushed = oci.push(spin_app, registry.ref("apps/hello"), client=client)
    oci.pull(registry.ref("apps/hello"), client=client, cache=cache)

    manifest = json.loads(cache.read(pushed.digest))

    assert manifest["mediaType"] == "application/vnd.oci.image.manifest.v1+json"
    assert {layer["mediaType"] for layer in manifest["layers"]} == {
        "application/vnd.wasm.content.layer.v1+wasm",
        "application/vnd.wasm.content.layer.v1+data",
        "application/vnd.fermyon.spin.application.v1+config",
    }


def test_archive_layer_push_round_trips(
    registry: RunningRegistry, client: RegistryClient, cache: BlobCache, spin_app: Path
) -> None:
    artifact = oci.build_artifact(load_manifest(spin_app), archive=True)
    pushed = push_artifact(
        artifact, oci.Reference.parse(registry.ref("apps/archived")), client=client
    )

    app = oci.pull(registry.ref("apps/archived"), client=client, cache=cache).load()

    types = [layer.media_type for layer in pushed.artifact.layers]
    assert types.count("application/vnd.wasm.content.bundle.v1.tar+gzip") == 1
    assert "application/vnd.wasm.content.layer.v1+data" not in types
    found = {guest: host.read_text() for host, guest in resolve_files(app, "assets")}
    assert found["/jabberwocky.txt"] == STATIC_FILES["static/jabberwocky.txt"]
    assert found["/notes/public.txt"] == "public notes"
    assert "/notes/private.txt" not in found


def test_pull_refuses_to_overwrite_a_directory_it_did_not_create(
    registry: RunningRegistry, client: RegistryClient, cache: BlobCache, spin_app: Path
) -> None:
    oci.push(spin_app, registry.ref("apps/hello"), client=client)

    with pytest.raises(oci.OciError, match="not empty"):
        oci.pull(registry.ref("apps/hello"), client=client, cache=cache, dest=spin_app)
    again = oci.pull(registry.ref("apps/hello"), client=client, cache=cache, dest=spin_app / "out")
    oci.pull(registry.ref("apps/hello"), client=client, cache=cache, dest=again.directory)

    assert (spin_app / "static" / "jabberwocky.txt").is_file()
    assert again.locked_path == spin_app / "out" / "spin.lock"
