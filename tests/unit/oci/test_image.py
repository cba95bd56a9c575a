"""Plain OCI images: reproducible layers, the config, platforms and the image-layout export."""

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

from spinkube.oci import Reference
from spinkube.oci.app_image import build_app_image
from spinkube.oci.image import (
    Entry,
    ImageConfig,
    Platform,
    build_image,
    build_layer,
    layer_members,
)
from spinkube.oci.image_layout import Named, save_layout
from spinkube.spinapp import load_manifest

APP = """spin_manifest_version = 2
[application]
name = "layout-app"
[[trigger.http]]
route = "/..."
component = "web"
[component.web]
source = "target/web.wasm"
files = [{ source = "assets", destination = "/" }]
"""


@pytest.fixture
def app_dir(tmp_path: Path) -> Path:
    app = tmp_path / "app"
    (app / "target").mkdir(parents=True)
    (app / "assets").mkdir()
    (app / "spin.toml").write_text(APP)
    (app / "target" / "web.wasm").write_bytes(b"\0asm\x01\0\0\0")
    (app / "assets" / "index.html").write_text("<h1>hi</h1>")
    return app


def test_layer_is_reproducible_and_adds_parent_directories() -> None:
    entries = [
        Entry.file("usr/bin/tool", b"#!", mode=0o755),
        Entry.symlink("bin", "usr/bin"),
        Entry.directory("home/app", uid=10001, gid=10001),
    ]

    first, second = build_layer(entries), build_layer(reversed(entries))

    assert first == second
    members = layer_members(first.blob)
    assert sorted(members) == ["bin", "home", "home/app", "usr", "usr/bin", "usr/bin/tool"]
    assert (members["usr/bin/tool"].mode, members["usr/bin/tool"].mtime) == (0o755, 0)
    assert members["bin"].linkname == "usr/bin"
    assert (members["home/app"].uid, members["home"].uid) == (10001, 0)
    assert first.diff_id == "sha256:" + hashlib.sha256(gzip.decompress(first.blob.data)).hexdigest()


@pytest.mark.parametrize("path", ["../etc/passwd", "a/../../b", "/", ""])
def test_layer_paths_must_stay_under_the_root(path: str) -> None:
    with pytest.raises(ValueError, match="must name a file under the image root"):
        Entry.file(path, b"x")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("linux/amd64", Platform("linux", "amd64")),
        ("linux/arm64/v8", Platform("linux", "arm64", "v8")),
        ("wasi/wasm", Platform("wasi", "wasm")),
    ],
)
def test_platform_parses(text: str, expected: Platform) -> None:
    assert Platform.parse(text) == expected
    assert str(expected) == text


@pytest.mark.parametrize("text", ["amd64", "linux/", "a/b/c/d"])
def test_platform_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="expected os/architecture"):
        Platform.parse(text)


def test_config_holds_only_what_was_set() -> None:
    config = ImageConfig(
        platform=Platform("linux", "arm64", "v8"),
        entrypoint=["/bin/app"],
        env={"PATH": "/bin"},
        user="65532:65532",
        labels={"org.opencontainers.image.title": "app"},
    )
    image = build_image([build_layer([Entry.file("bin/app", b"x")])], config)

    document = json.loads(image.config.data)

    assert document["config"] == {
        "Entrypoint": ["/bin/app"],
        "Env": ["PATH=/bin"],
        "User": "65532:65532",
        "Labels": {"org.opencontainers.image.title": "app"},
    }
    assert (document["os"], document["architecture"], document["variant"]) == (
        "linux",
        "arm64",
        "v8",
    )
    manifest = json.loads(image.manifest)
    assert manifest["config"]["digest"] == image.config.digest
    assert [layer["digest"] for layer in manifest["layers"]] == [image.layers[0].digest]


def test_app_image_layer_mirrors_the_app_directory(app_dir: Path) -> None:
    image = build_app_image(load_manifest(app_dir), platform=Platform("linux", "amd64"))

    members = layer_members(image.layers[0])

    files = {name for name, m in members.items() if m.isfile()}
    assert files == {"spin.toml", "target/web.wasm", "assets/index.html"}


def _tar_files(path: Path) -> dict[str, bytes]:
    with tarfile.open(path) as tar:
        return {
            m.name: tar.extractfile(m).read()  # type: ignore[union-attr]
            for m in tar.getmembers()
            if m.isfile()
        }


def test_layout_tar_indexes_the_image_by_name_with_every_blob(
    app_dir: Path, tmp_path: Path
) -> None:
    image = build_app_image(load_manifest(app_dir), platform=Platform("linux", "amd64"))
    ref = Reference.parse("localhost:5000/apps/web:v1")

    files = _tar_files(save_layout([Named(ref, image)], tmp_path / "web.tar"))

    assert json.loads(files["oci-layout"]) == {"imageLayoutVersion": "1.0.0"}
    (entry,) = json.loads(files["index.json"])["manifests"]
    assert entry["digest"] == image.digest
    assert entry["annotations"] == {
        "io.containerd.image.name": "localhost:5000/apps/web:v1",
        "org.opencontainers.image.ref.name": "v1",
    }
    assert entry["platform"] == {"architecture": "amd64", "os": "linux"}
    for name, data in files.items():
        if name.startswith("blobs/sha256/"):
            assert hashlib.sha256(data).hexdigest() == name.rsplit("/", 1)[1]
    blobs = {n.rsplit("/", 1)[1] for n in files if n.startswith("blobs/")}
    manifest = json.loads(files[f"blobs/sha256/{image.digest.removeprefix('sha256:')}"])
    wanted = [manifest["config"], *manifest["layers"]]
    assert blobs == {image.digest[7:], *(d["digest"][7:] for d in wanted)}


def test_layout_directory_matches_the_tar(app_dir: Path, tmp_path: Path) -> None:
    image = build_app_image(load_manifest(app_dir))
    named = [Named(Reference.parse("example.com/web:v1"), image)]

    directory = save_layout(named, tmp_path / "layout")
    archive = _tar_files(save_layout(named, tmp_path / "layout.tar"))

    on_disk = {
        p.relative_to(directory).as_posix(): p.read_bytes()
        for p in directory.rglob("*")
        if p.is_file()
    }
    assert on_disk == archive


def registry_push(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "spinkube.runtime", "registry", "push", *args]
    return subprocess.run(command, capture_output=True, text=True, check=False)


def test_cli_output_saves_a_layout_without_a_registry(app_dir: Path, tmp_path: Path) -> None:
    result = registry_push(
        "apps/web:v1", "-f", str(app_dir), "--format", "image", "-o", str(tmp_path / "web.tar")
    )

    assert result.returncode == 0, result.stderr
    files = _tar_files(tmp_path / "web.tar")
    (entry,) = json.loads(files["index.json"])["manifests"]
    assert entry["annotations"]["io.containerd.image.name"] == "docker.io/apps/web:v1"
    assert result.stdout.strip() == (
        f"Saved docker.io/apps/web:v1 with digest {entry['digest']} to {tmp_path / 'web.tar'}"
    )
    manifest = json.loads(files[f"blobs/sha256/{entry['digest'][7:]}"])
    layer = files[f"blobs/sha256/{manifest['layers'][0]['digest'][7:]}"]
    with tarfile.open(fileobj=io.BytesIO(layer), mode="r:gz") as tar:
        assert "target/web.wasm" in tar.getnames()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--platform", "linux"],
            "error: --platform: platform 'linux': expected os/architecture[/variant]",
        ),
        (
            ["--format", "artifact", "--platform", "linux/amd64"],
            "error: --platform applies to --format image only",
        ),
    ],
    ids=["bad-platform", "platform-with-artifact"],
)
def test_cli_platform_errors_are_one_line(
    app_dir: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    defaults = ["--format", "image"] if "--format" not in args else []
    result = registry_push("apps/web:v1", "-f", str(app_dir), "-o", str(tmp_path / "x.tar"),
                           *defaults, *args)  # fmt: skip

    assert (result.returncode, result.stderr.strip()) == (2, message)
    assert not (tmp_path / "x.tar").exists()
