#!/usr/bin/env python3
"""Build self-contained executables with PyInstaller, and the shim's release archive.

    .venv/bin/python scripts/build-shim.py                       # the shim: dist/containerd-shim-
                                                                 #   spin-v2-linux-x86_64.tar.gz
    .venv/bin/python scripts/build-shim.py --script spin-operator --mode onedir
    .venv/bin/python scripts/build-shim.py --script NAME --entry-point pkg.mod:func

One builder for every entry point: ``--script NAME`` names a ``[project.scripts]`` entry of
pyproject.toml (or give ``--entry-point``). The executable bundles CPython, the project and its
dependencies; a node needs nothing but glibc (the build machine's glibc version or newer).

Modes (docs/images.md has the measured start-up):
* ``sfx`` (default): one file, a small static launcher (scripts/sfx-launcher.c, built with gcc)
  followed by a tar of the onedir build; the first start unpacks it beside the executable
  (``.<name>-<id>/``), every later start execs it directly. The release archive uses it: the
  runtime-class-manager's downloader and installer (like upstream's) install every *file* of the
  archive as a shim binary, and the shim starts on every pod's path.
* ``onefile``: PyInstaller's one file, which unpacks itself into ``$TMPDIR`` on *every* start.
* ``onedir``: the executable plus an ``_internal/`` directory; starts without unpacking. The
  container images use it.

Builds are cached under ``.cache/executables/`` by a hash of their inputs (the ``spinkube``
modules the entry point reaches and their packages' data files, this script, the installed
distributions' versions and the Python version), so a second call with nothing changed returns
at once. ``--print-path`` prints the executable's path (for scripts and test fixtures).
"""

from __future__ import annotations

import argparse
import ast
import fcntl
import gzip
import hashlib
import io
import os
import platform
import shutil
import struct
import subprocess
import sys
import tarfile
import tempfile
import time
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".cache" / "executables"
SHIM = "containerd-shim-spin-v2"
SHIM_ENTRY_POINT = "spinkube.shim.__main__:main"
# Packages whose shared libraries or data files PyInstaller's import analysis does not see
# (wasmtime-py loads _libwasmtime.so with ctypes, and collect_dynamic_libs misses it), and the
# entry-point packages that need them: the operator and the node tools stay without wasmtime.
COLLECT_ALL = {"wasmtime": ("spinkube.runtime", "spinkube.shim")}
COLLECT_DATA = ("spinkube",)
LAUNCHER = ROOT / "scripts" / "sfx-launcher.c"
SFX_MAGIC = b"SPINKUBE-SFX-1\0\0"
SOURCE_DATE_EPOCH = int(os.environ.get("SOURCE_DATE_EPOCH", "315532800"))  # 1980-01-01
MACHINES = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "aarch64", "arm64": "aarch64"}


@dataclass(frozen=True)
class Target:
    name: str
    entry_point: str
    mode: str  # onefile | onedir | sfx

    @property
    def module(self) -> str:
        return self.entry_point.partition(":")[0]

    @property
    def function(self) -> str:
        return self.entry_point.partition(":")[2] or "main"


class BuildError(Exception):
    pass


def project_scripts() -> dict[str, str]:
    """Console script -> the part's own ``module:function``: the guard in
    ``spinkube.entrypoints`` (which names a missing extra) is skipped, a bundle has them all."""
    from spinkube.entrypoints import SCRIPTS

    with (ROOT / "pyproject.toml").open("rb") as f:
        scripts = dict(tomllib.load(f)["project"].get("scripts", {}))
    return {
        name: SCRIPTS[name][0] if name in SCRIPTS else target for name, target in scripts.items()
    }


def target_for(name: str, entry_point: str | None, mode: str) -> Target:
    """The target for a console script name, or an explicit entry point."""
    if entry_point is None:
        entry_point = project_scripts().get(name) or (SHIM_ENTRY_POINT if name == SHIM else None)
    if entry_point is None or ":" not in entry_point:
        known = ", ".join(sorted(project_scripts()))
        raise BuildError(f"--script {name}: not in [project.scripts] ({known}); give --entry-point")
    return Target(name, entry_point, mode)


def inputs_hash(target: Target) -> str:
    digest = hashlib.sha256()
    for line in _inputs(target):
        digest.update(line.encode() + b"\n")
    return digest.hexdigest()[:20]


def _inputs(target: Target) -> Iterator[str]:
    yield f"{target.name} {target.entry_point} {target.mode}"
    yield f"python {sys.version} {platform.machine()}"
    for dist in sorted(metadata.distributions(), key=lambda d: d.metadata["Name"].lower()):
        yield f"dist {dist.metadata['Name']} {dist.version}"
    launcher = [LAUNCHER] if target.mode == "sfx" else []
    for path in (Path(__file__).resolve(), *launcher, *_sources(target.module)):
        yield f"{path.relative_to(ROOT)} {hashlib.sha256(path.read_bytes()).hexdigest()}"


def _sources(entry_module: str) -> list[Path]:
    """The project files the entry point can reach: every ``spinkube`` module it imports,
    directly or not (read with ``ast``, without importing), and the data files of their
    packages. A change elsewhere (another part, tests, docs) does not force a rebuild."""
    src = ROOT / "src"
    seen: set[Path] = set()
    pending = [entry_module]
    while pending:
        for path in _module_files(src, pending.pop()):
            if path not in seen:
                seen.add(path)
                pending.extend(_imported(path))
    packages = {p.parent for p in seen}
    data = {
        p for d in packages for p in d.iterdir() if p.is_file() and p.suffix not in (".py", ".pyc")
    }
    return sorted(seen | data)


def _module_files(src: Path, module: str) -> list[Path]:
    """The module's file and its packages' ``__init__.py`` files."""
    parts = module.split(".")
    files = [src.joinpath(*parts[:i], "__init__.py") for i in range(1, len(parts) + 1)]
    files.append(src.joinpath(*parts).with_suffix(".py"))
    return [f for f in files if f.is_file()]


def _imported(path: Path) -> Iterator[str]:
    package = ".".join(path.relative_to(ROOT / "src").with_suffix("").parts)
    if path.name != "__init__.py":
        package = package.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_bytes())):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names if alias.name.startswith("spinkube"))
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, package.removesuffix(".__init__"))
            if base.startswith("spinkube"):
                yield base
                yield from (f"{base}.{alias.name}" for alias in node.names)


def _absolute(node: ast.ImportFrom, package: str) -> str:
    if not node.level:
        return node.module or ""
    parts = package.split(".")
    base = ".".join(parts[: len(parts) - node.level + 1])
    return f"{base}.{node.module}" if node.module else base


def executable_path(target: Target, build_dir: Path) -> Path:
    if target.mode in ("onefile", "sfx"):
        return build_dir / target.name
    return build_dir / target.name / target.name


def build(target: Target, *, force: bool = False) -> Path:
    """The cached build of ``target`` (built first when its inputs changed); its executable."""
    build_dir = CACHE / f"{target.name}-{target.mode}-{inputs_hash(target)}"
    with _lock(CACHE / f".{target.name}-{target.mode}.lock"):
        if build_dir.is_dir() and not force:
            return executable_path(target, build_dir)
        started = time.monotonic()
        if target.mode == "sfx":
            _sfx(target, build_dir)
        else:
            _pyinstaller(target, build_dir)
        _prune_old(target, keep=build_dir)
        log(f"built {target.name} ({target.mode}) in {time.monotonic() - started:.0f} s")
    return executable_path(target, build_dir)


@contextmanager
def _lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def _pyinstaller(target: Target, build_dir: Path) -> None:
    with tempfile.TemporaryDirectory(prefix=f"build-{target.name}-") as scratch:
        work = Path(scratch)
        script = work / f"{target.name.replace('-', '_')}_main.py"
        script.write_text(
            f"import sys\nfrom {target.module} import {target.function} as main\n\n"
            "sys.exit(main())\n"
        )
        dist = work / "dist"
        argv = [
            sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
            f"--{target.mode}", "--strip", "--name", target.name,
            "--distpath", str(dist), "--workpath", str(work / "build"),
            "--specpath", str(work),
            *(arg for pkg in _collected(target) for arg in ("--collect-all", pkg)),
            *(arg for lib in _native_libs(target) for arg in ("--add-binary", lib)),
            *(arg for pkg in COLLECT_DATA for arg in ("--collect-data", pkg)),
            str(script),
        ]  # fmt: skip
        env = {**os.environ, "SOURCE_DATE_EPOCH": str(SOURCE_DATE_EPOCH), "PYTHONHASHSEED": "0"}
        result = subprocess.run(argv, cwd=work, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            raise BuildError(f"PyInstaller failed for {target.name}:\n{result.stderr[-4000:]}")
        partial = build_dir.with_name(build_dir.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        shutil.move(str(dist), partial)
        partial.rename(build_dir)


def _collected(target: Target) -> list[str]:
    """The COLLECT_ALL packages this target's entry point needs."""
    return [
        package
        for package, users in COLLECT_ALL.items()
        if target.module.startswith(users) and _installed(package)
    ]


def _native_libs(target: Target) -> list[str]:
    """``SOURCE:DEST`` for every shared library inside the collected packages."""
    found = []
    for package in _collected(target):
        root = Path(str(metadata.distribution(package).locate_file(package)))
        for lib in sorted(root.rglob("*.so*")):
            found.append(f"{lib}:{lib.parent.relative_to(root.parent).as_posix()}")
    return found


def _sfx(target: Target, build_dir: Path) -> None:
    """One file: the static launcher (scripts/sfx-launcher.c), an uncompressed tar of the
    onedir build and a trailer. The launcher unpacks the tar beside itself on its first start
    only, then execs the bundle's executable, so later starts cost what onedir's do."""
    bundle = build(Target(target.name, target.entry_point, "onedir")).parent
    with tempfile.TemporaryDirectory(prefix=f"sfx-{target.name}-") as scratch:
        launcher = Path(scratch) / "launcher"
        compiled = subprocess.run(
            ["gcc", "-O2", "-static", "-s", f'-DENTRY="{target.name}"', "-o", str(launcher),
             str(LAUNCHER)],
            capture_output=True, text=True,
        )  # fmt: skip
        if compiled.returncode != 0:
            raise BuildError(f"cannot compile {LAUNCHER.name} (gcc, libc6-dev):\n{compiled.stderr}")
        payload = _bundle_tar(bundle)
        head = launcher.read_bytes()
        bundle_id = hashlib.sha256(head + payload).hexdigest()[:40].encode()
        trailer = SFX_MAGIC + struct.pack("<QQ", len(head), len(payload)) + bundle_id
        partial = build_dir.with_name(build_dir.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        (partial / target.name).write_bytes(head + payload + trailer)
        (partial / target.name).chmod(0o755)
        partial.rename(build_dir)


def _bundle_tar(bundle: Path) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for path in sorted(bundle.rglob("*")):
            info = tar.gettarinfo(str(path), arcname=path.relative_to(bundle).as_posix())
            info.mtime, info.uid, info.gid, info.uname, info.gname = SOURCE_DATE_EPOCH, 0, 0, "", ""
            if info.isfile():
                with path.open("rb") as f:
                    tar.addfile(info, f)
            else:
                tar.addfile(info)
    return buffer.getvalue()


def _installed(package: str) -> bool:
    try:
        metadata.distribution(package)
    except metadata.PackageNotFoundError:
        return False
    return True


def _prune_old(target: Target, *, keep: Path) -> None:
    for old in CACHE.glob(f"{target.name}-{target.mode}-*"):
        if old != keep and old.is_dir():
            shutil.rmtree(old, ignore_errors=True)


def release_archive(executable: Path, out_dir: Path, name: str = SHIM) -> Path:
    """``<name>-linux-<arch>.tar.gz`` with the binary at the top, as upstream's releases."""
    machine = MACHINES.get(platform.machine(), platform.machine())
    archive = out_dir / f"{name}-linux-{machine}.tar.gz"
    out_dir.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        info = tar.gettarinfo(str(executable), arcname=name)
        info.mtime, info.uid, info.gid, info.uname, info.gname = SOURCE_DATE_EPOCH, 0, 0, "", ""
        info.mode = 0o755
        with executable.open("rb") as f:
            tar.addfile(info, f)
    archive.write_bytes(gzip.compress(buffer.getvalue(), compresslevel=9, mtime=0))
    return archive


def log(message: str) -> None:
    print(f"build-shim: {message}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--script", default=SHIM, help=f"console script name (default {SHIM})")
    parser.add_argument("--entry-point", help="module:function (default: from pyproject.toml)")
    parser.add_argument("--mode", choices=("sfx", "onefile", "onedir"), default="sfx")
    parser.add_argument("--out", type=Path, default=ROOT / "dist", help="archive directory")
    parser.add_argument("--no-archive", action="store_true", help="build only, no .tar.gz")
    parser.add_argument("--force", action="store_true", help="rebuild even when cached")
    parser.add_argument("--print-path", action="store_true", help="print the executable path")
    args = parser.parse_args(argv)
    try:
        target = target_for(args.script, args.entry_point, args.mode)
        executable = build(target, force=args.force)
    except BuildError as e:
        print(f"build-shim: error: {e}", file=sys.stderr)
        return 1
    if args.print_path:
        print(executable)
    if not args.no_archive and target.mode != "onedir":
        archive = release_archive(executable, args.out, target.name)
        log(f"wrote {archive.relative_to(ROOT) if archive.is_relative_to(ROOT) else archive}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
