from __future__ import annotations

from pathlib import Path

import pytest

from spinkube.spinapp import FilesError, load_manifest, materialize_files, resolve_files

from .conftest import WriteApp

TREE = {
    "static/index.html": "<h1>hi</h1>",
    "static/css/site.css": "body{}",
    "static/secret.key": "k",
    "static/.hidden": "h",
    "docs/readme.md": "# readme",
    "single.txt": "one",
}


def _manifest(files: str, exclude: str = "[]") -> str:
    return f"""
spin_manifest_version = 2
[application]
name = "files"
[[trigger.http]]
route = "/..."
component = "c"
[component.c]
source = "c.wasm"
files = {files}
exclude_files = {exclude}
"""


CASES = [
    pytest.param('["single.txt"]', "[]", {"/single.txt"}, id="single-file"),
    pytest.param('["static"]', "[]",
                 {"/static/index.html", "/static/css/site.css", "/static/secret.key",
                  "/static/.hidden"}, id="directory"),
    pytest.param('["static/*"]', "[]",
                 {"/static/index.html", "/static/secret.key", "/static/.hidden"}, id="glob"),
    pytest.param('["static/**/*.css"]', "[]", {"/static/css/site.css"}, id="recursive-glob"),
    pytest.param('["static/**/*"]', '["**/*.key", "static/.hidden"]',
                 {"/static/index.html", "/static/css/site.css"}, id="exclude"),
    pytest.param('[{ source = "docs", destination = "/help" }]', "[]", {"/help/readme.md"},
                 id="placement-dir"),
    pytest.param('[{ source = "single.txt", destination = "/etc/one.txt" }]', "[]",
                 {"/etc/one.txt"}, id="placement-file"),
]  # fmt: skip


@pytest.mark.parametrize(("files", "exclude", "guests"), CASES)
def test_files_resolve_to_guest_paths(
    write_app: WriteApp, files: str, exclude: str, guests: set[str]
) -> None:
    app = load_manifest(write_app(_manifest(files, exclude), TREE))

    pairs = resolve_files(app, "c")

    assert {guest for _, guest in pairs} == guests
    for host, guest in pairs:
        assert host.read_text() == TREE[host.relative_to(app.app_dir).as_posix()]
        assert guest.startswith("/")


@pytest.mark.parametrize(
    "files",
    [
        pytest.param('["../outside.txt"]', id="dotdot-file"),
        pytest.param('[{ source = "..", destination = "/" }]', id="dotdot-placement"),
        pytest.param('["link/*"]', id="symlink-glob"),
    ],
)
def test_paths_escaping_the_app_directory_are_refused(
    write_app: WriteApp, tmp_path: Path, files: str
) -> None:
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    outside.mkdir()
    (outside / "x.txt").write_text("secret")
    (tmp_path.parent / "outside.txt").write_text("secret")
    (tmp_path / "link").symlink_to(outside)
    app = load_manifest(write_app(_manifest(files), TREE))

    with pytest.raises(FilesError, match="outside the application directory"):
        resolve_files(app, "c")


def test_a_missing_non_glob_path_is_an_error(write_app: WriteApp) -> None:
    app = load_manifest(write_app(_manifest('["nowhere"]'), TREE))

    with pytest.raises(FilesError, match="'nowhere' does not exist"):
        resolve_files(app, "c")


def test_materialize_copies_files_to_their_guest_paths(write_app: WriteApp, tmp_path: Path) -> None:
    app = load_manifest(
        write_app(_manifest('["static/*.html", { source = "docs", destination = "/" }]'), TREE)
    )

    root = materialize_files(app, "c", tmp_path / "mount")

    found = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
    assert found == {"static/index.html", "readme.md"}
    assert (root / "readme.md").read_text() == "# readme"


LINK_FORMS = [
    pytest.param('["static"]', "/static", id="directory"),
    pytest.param('[{ source = "static", destination = "/" }]', "", id="placement"),
    pytest.param('["static/**/*"]', "/static", id="recursive-glob"),
    pytest.param('["static/*"]', "/static", id="glob"),
]


@pytest.mark.parametrize(("files", "prefix"), LINK_FORMS)
def test_links_leaving_their_source_folder_are_skipped_with_a_warning(
    write_app: WriteApp, tmp_path: Path, files: str, prefix: str, caplog: pytest.LogCaptureFixture
) -> None:
    app_dir = write_app(_manifest(files), {**TREE, "secret.txt": "app secret"})
    outside = tmp_path.parent / f"{tmp_path.name}-outside.txt"
    outside.write_text("host secret")
    static = app_dir.parent / "static"
    (static / "passwd").symlink_to(outside)
    (static / "secret").symlink_to("../secret.txt")
    (static / "docs").symlink_to("../docs", target_is_directory=True)
    (static / "alias.html").symlink_to("index.html")
    app = load_manifest(app_dir)

    pairs = resolve_files(app, "c")

    served = {guest: host.read_text() for host, guest in pairs}
    assert served[f"{prefix}/alias.html"] == "<h1>hi</h1>"
    assert "host secret" not in served.values()
    assert "app secret" not in served.values()
    assert "# readme" not in served.values()
    skipped = " ".join(r.getMessage() for r in caplog.records if r.levelname == "WARNING")
    assert "passwd" in skipped
    assert "outside its source folder" in skipped
    assert "secret" in skipped
