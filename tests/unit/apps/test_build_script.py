"""scripts/build-apps.sh: rebuilds an app only when its inputs change, and atomically.

Runs the real script on a copy of the `hello` app (a sub-second WAT build) in a temporary tree
that shares the build venv with the checkout.
"""

import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.apps


@pytest.fixture
def tree(repo: Path, tmp_path: Path) -> Path:
    tree = tmp_path / "tree"
    (tree / "scripts").mkdir(parents=True)
    shutil.copy(repo / "scripts" / "build-apps.sh", tree / "scripts" / "build-apps.sh")
    shutil.copytree(repo / "scripts" / "lib", tree / "scripts" / "lib")
    shutil.copytree(
        repo / "apps" / "hello",
        tree / "apps" / "hello",
        ignore=shutil.ignore_patterns("*.wasm", "*.inputs-sha256", "*.tmp"),
    )
    (tree / ".cache").symlink_to(repo / ".cache", target_is_directory=True)
    return tree


def build(tree: Path) -> subprocess.CompletedProcess[str]:
    script = tree / "scripts" / "build-apps.sh"
    return subprocess.run(["bash", str(script)], capture_output=True, text=True, check=False)


def leftovers(tree: Path) -> list[str]:
    return sorted(p.name for p in (tree / "apps" / "hello").iterdir() if p.name.endswith(".tmp"))


def test_builds_once_then_reports_up_to_date(tree: Path) -> None:
    first = build(tree)
    second = build(tree)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("apps: hello built in ")
    assert second.stdout == "apps: hello up to date\n"
    wasm = tree / "apps" / "hello" / "app.wasm"
    assert wasm.read_bytes()[:4] == b"\x00asm"
    assert leftovers(tree) == []


def test_rebuilds_when_a_source_changes_or_the_output_is_gone(tree: Path) -> None:
    assert build(tree).returncode == 0
    wat = tree / "apps" / "hello" / "hello.wat"
    wat.write_text(wat.read_text() + ";; an edit\n")
    after_edit = build(tree)
    (tree / "apps" / "hello" / "app.wasm").unlink()
    after_delete = build(tree)
    assert after_edit.stdout.startswith("apps: hello built in ")
    assert after_delete.stdout.startswith("apps: hello built in ")


def test_a_failed_build_keeps_the_previous_component(tree: Path) -> None:
    assert build(tree).returncode == 0
    wasm = tree / "apps" / "hello" / "app.wasm"
    before = wasm.read_bytes()
    wat = tree / "apps" / "hello" / "hello.wat"
    wat.write_text(wat.read_text().replace("(module", "(module (func $broken (result i32))", 1))
    failed = build(tree)
    assert failed.returncode != 0
    assert "building hello failed" in failed.stderr
    assert wasm.read_bytes() == before
    assert leftovers(tree) == []
    # The failure is not recorded as up to date: fixing the source builds again.
    wat.write_text(wat.read_text().replace("(func $broken (result i32))", "", 1))
    assert build(tree).stdout.startswith("apps: hello built in ")
