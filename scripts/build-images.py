#!/usr/bin/env python3
"""Build the project's container images without Docker, as OCI images.

    .venv/bin/python scripts/build-images.py                      # every image -> dist/images/*.tar
    .venv/bin/python scripts/build-images.py --image spin-operator-python --output /tmp/img
    .venv/bin/python scripts/build-images.py --push --prefix localhost:5000/spinkube
    ctr images import dist/images/spin-operator-python.tar

Each image is two layers written with the project's own OCI code (``spinkube.oci``):
1. a minimal root filesystem taken from this machine's Debian packages: the glibc files the
   executable links against (libc6), the CA bundle (ca-certificates), ``/etc/passwd`` and
   ``/etc/group`` with the image's user, ``/tmp``; and busybox-static with its applets for the
   node tools (downloader, installer), which run as root on nodes where a shell helps debugging;
2. the entry point as a PyInstaller onedir bundle (``scripts/build-shim.py``, cached) under
   ``/opt/spinkube/<script>/``, linked from ``/usr/local/bin/<script>``.

The images are named ``<prefix>/<image>:<version>`` (the names the Helm charts use; the version
is pyproject's, the charts' appVersion). Each is saved as an OCI image-layout tar
(``<output>/<image>.tar``, for ``ctr images import``) and, with ``--push``, pushed to its
registry with Docker's credentials (``spinkube-runtime registry push`` does the same).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import struct
import subprocess
import sys
import tomllib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from spinkube.oci import Reference, RegistryClient, load_docker_config  # noqa: E402
from spinkube.oci.image import (  # noqa: E402
    Entry,
    Image,
    ImageConfig,
    Platform,
    build_image,
    build_layer,
)
from spinkube.oci.image_layout import Named, save_layout  # noqa: E402
from spinkube.oci.push import push_artifact  # noqa: E402

DEFAULT_PREFIX = "ghcr.io/spinkube"
CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
BUSYBOX = Path("/bin/busybox")
PATH = "/usr/local/bin:/usr/bin:/bin"
CAP_NET_BIND_SERVICE = 10


@dataclass(frozen=True)
class Spec:
    """One image: which console script it runs, as whom, and what else it needs."""

    image: str
    script: str
    description: str
    user: tuple[int, str] = (65532, "nonroot")
    cmd: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)
    shell: bool = False
    bind_low_ports: bool = False
    home: str = ""
    exposed_ports: tuple[str, ...] = ()


IMAGES = (
    Spec("spin-operator-python", "spin-operator", "The Spin Operator manager."),
    Spec(
        "spinkube-runtime",
        "spinkube-runtime",
        "The Spin runtime, a SpinAppExecutor's spinImage: serves a Spin app's triggers.",
        user=(10001, "spin"),
        cmd=("up",),
        env={"SPIN_HTTP_LISTEN_ADDR": "0.0.0.0:80", "XDG_CACHE_HOME": "/home/spin/.cache"},
        bind_low_ports=True,
        home="/home/spin",
        exposed_ports=("80/tcp",),
    ),
    Spec(
        "shim-downloader-python",
        "shim-downloader",
        "The runtime-class-manager's downloader: fetches and unpacks a shim into /assets.",
        user=(0, "root"),
        shell=True,
    ),
    Spec(
        "node-installer-python",
        "kwasm-node-installer",
        "The runtime-class-manager's node installer: installs a shim into the node's containerd.",
        user=(0, "root"),
        shell=True,
    ),
    Spec(
        "runtime-class-manager-python",
        "runtime-class-manager",
        "The runtime-class-manager controller.",
    ),
)


def load_builder() -> ModuleType:
    """scripts/build-shim.py, the PyInstaller builder (its file name is not importable)."""
    spec = importlib.util.spec_from_file_location("build_shim", ROOT / "scripts/build-shim.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_shim"] = module
    spec.loader.exec_module(module)
    return module


def project() -> dict[str, object]:
    with (ROOT / "pyproject.toml").open("rb") as f:
        return dict(tomllib.load(f)["project"])


def build_spec(spec: Spec, builder: ModuleType, version: str) -> Image:
    target = builder.target_for(spec.script, None, "onedir")
    executable: Path = builder.build(target)
    bundle = executable.parent
    base = build_layer(base_entries(spec, bundle, executable))
    app = build_layer(bundle_entries(spec, bundle))
    return build_image([base, app], image_config(spec, version), annotations=_labels(spec, version))


def image_config(spec: Spec, version: str) -> ImageConfig:
    uid, _ = spec.user
    env = {"PATH": PATH, "SSL_CERT_FILE": str(CA_BUNDLE), **spec.env}
    if spec.home:
        env["HOME"] = spec.home
    return ImageConfig(
        platform=Platform.host(),
        entrypoint=(f"/usr/local/bin/{spec.script}",),
        cmd=spec.cmd,
        env=env,
        user=f"{uid}:{uid}",
        working_dir=spec.home or "/",
        labels=_labels(spec, version),
        exposed_ports=spec.exposed_ports,
        stop_signal="SIGTERM",
    )


def _labels(spec: Spec, version: str) -> dict[str, str]:
    return {
        "org.opencontainers.image.title": spec.image,
        "org.opencontainers.image.description": spec.description,
        "org.opencontainers.image.version": version,
        "org.opencontainers.image.licenses": "Apache-2.0",
        "dev.spinkube.debian-packages": ",".join(debian_packages(spec)),
    }


DEFAULT_LIBRARY_DIR = "usr/lib/x86_64-linux-gnu"
"""Where the dynamic loader looks by default on Debian (x86_64, the only architecture built)."""


def base_entries(spec: Spec, bundle: Path, executable: Path) -> list[Entry]:
    uid, name = spec.user
    entries = [
        Entry.directory("tmp", mode=0o1777),
        Entry.file("etc/passwd", _passwd(uid, name, spec.home)),
        Entry.file("etc/group", _group(uid, name)),
        Entry.file("etc/nsswitch.conf", b"passwd: files\ngroup: files\nhosts: files dns\n"),
        Entry.file(str(CA_BUNDLE).lstrip("/"), CA_BUNDLE.read_bytes()),
        Entry.symlink("usr/lib/ssl/cert.pem", str(CA_BUNDLE)),
    ]
    if spec.home:
        entries.append(Entry.directory(spec.home, mode=0o755, uid=uid, gid=uid))
    bundle_root = bundle.resolve()
    for library in system_libraries(bundle, executable):
        resolved = Path(os.path.normpath(library))
        if resolved.is_relative_to(bundle_root) or resolved.is_relative_to(bundle):
            # A wheel's own vendored library (psycopg_binary.libs/...), found through $ORIGIN:
            # also in a default directory, for the secure-execution case described above.
            entries.append(
                Entry.file(f"{DEFAULT_LIBRARY_DIR}/{resolved.name}", resolved, mode=0o755)
            )
        else:
            entries.extend(host_file_entries(library))
    if spec.shell:
        entries.extend(busybox_entries())
    return entries


def _passwd(uid: int, name: str, home: str) -> bytes:
    lines = ["root:x:0:0:root:/root:/bin/sh"]
    if uid != 0:
        lines.append(f"{name}:x:{uid}:{uid}:{name}:{home or '/'}:/sbin/nologin")
    return ("\n".join(lines) + "\n").encode()


def _group(uid: int, name: str) -> bytes:
    lines = ["root:x:0:"] + ([f"{name}:x:{uid}:"] if uid != 0 else [])
    return ("\n".join(lines) + "\n").encode()


def bundle_entries(spec: Spec, bundle: Path) -> list[Entry]:
    """The onedir bundle under /opt/spinkube/<script>/, and its link on PATH."""
    prefix = f"opt/spinkube/{spec.script}"
    entries = []
    for path in sorted(bundle.rglob("*")):
        relative = f"{prefix}/{path.relative_to(bundle).as_posix()}"
        if path.is_symlink():
            entries.append(Entry.symlink(relative, os.readlink(path)))
        elif path.is_file():
            entries.append(Entry.file(relative, path, mode=path.stat().st_mode & 0o755))
    main = f"{prefix}/{spec.script}"
    if spec.bind_low_ports:
        # File capability cap_net_bind_service (the runtime binds :80 as a non-root user).
        entries = [_with_capability(e) if e.path == main else e for e in entries]
    entries.append(Entry.symlink(f"usr/local/bin/{spec.script}", f"/{main}"))
    return entries


def _with_capability(entry: Entry) -> Entry:
    # struct vfs_cap_data, revision 2 with the effective flag: cap_net_bind_service=+ep.
    data = struct.pack("<IIIII", 0x02000001, 1 << CAP_NET_BIND_SERVICE, 0, 0, 0)
    return replace(entry, xattrs={"security.capability": data})


def system_libraries(bundle: Path, executable: Path) -> list[Path]:
    """Every library the executable and the bundle's libraries link, as ``ldd`` resolves them on
    this machine (glibc's, zlib for the bootloader, and the host copies of the bundled ones).

    The host copies matter for the runtime: its file capability puts the loader in
    secure-execution mode, which ignores the bundle's ``$ORIGIN`` search paths, so the bundled
    extension modules find their libraries only in the default directories."""
    found = set(_ldd(executable))
    for elf in _elf_files(bundle):
        found.update(_ldd(elf))
    return sorted(found)


def _ldd(elf: Path) -> list[Path]:
    result = subprocess.run(["ldd", str(elf)], capture_output=True, text=True, check=False)
    found = []
    for line in result.stdout.splitlines():
        match = re.match(r"\s*(\S+)\s+=>\s+(/\S+)", line) or re.match(r"\s*(/\S+)\s+\(", line)
        if match is not None:
            found.append(Path(match.groups()[-1]))
    return found


def _elf_files(bundle: Path) -> Iterator[Path]:
    for path in bundle.rglob("*"):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as f:
                if f.read(4) == b"\x7fELF":
                    yield path


def host_file_entries(path: Path) -> list[Entry]:
    """A host file at the same path, with every symlink on the way (``/lib64`` -> ``usr/lib64``,
    ``ld-linux-x86-64.so.2`` -> ...) recreated, so the dynamic loader finds it as on the host."""
    entries: list[Entry] = []
    current = Path("/")
    for part in path.parts[1:]:
        current = current / part
        if current.is_symlink():
            target = os.readlink(current)
            entries.append(Entry.symlink(str(current).lstrip("/"), target))
            resolved = (current.parent / target) if not target.startswith("/") else Path(target)
            rest = path.relative_to(current)
            return entries + host_file_entries(Path(os.path.normpath(resolved / rest)))
    entries.append(Entry.file(str(path).lstrip("/"), path, mode=path.stat().st_mode & 0o755))
    return entries


def busybox_entries() -> list[Entry]:
    applets = subprocess.run(
        [str(BUSYBOX), "--list"], capture_output=True, text=True, check=True
    ).stdout.split()
    entries = [Entry.file("bin/busybox", BUSYBOX, mode=0o755)]
    entries += [
        Entry.symlink(f"bin/{applet}", "busybox") for applet in applets if applet != "busybox"
    ]
    return entries


def debian_packages(spec: Spec) -> list[str]:
    packages = ["libc6", "ca-certificates"] + (["busybox-static"] if spec.shell else [])
    return [f"{name}={_dpkg_version(name)}" for name in packages]


def _dpkg_version(package: str) -> str:
    result = subprocess.run(
        ["dpkg-query", "-W", "-f=${Version}", package], capture_output=True, text=True, check=False
    )
    return result.stdout.strip() or "unknown"


def selected(names: Sequence[str], scripts: dict[str, str]) -> list[Spec]:
    known = {spec.image: spec for spec in IMAGES}
    unknown = [name for name in names if name not in known]
    if unknown:
        raise SystemExit(f"build-images: error: unknown image {unknown[0]!r} ({', '.join(known)})")
    chosen = [known[name] for name in names] if names else list(IMAGES)
    missing = [spec for spec in chosen if spec.script not in scripts]
    for spec in missing:
        message = f"{spec.image}: console script {spec.script!r} is not in pyproject.toml"
        if names:
            raise SystemExit(f"build-images: error: {message}")
        log(f"skipped {message} (yet)")
    return [spec for spec in chosen if spec not in missing]


def log(message: str) -> None:
    print(f"build-images: {message}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--image", action="append", default=[], help="build only this image")
    parser.add_argument("--output", type=Path, default=ROOT / "dist" / "images")
    parser.add_argument("--prefix", default=DEFAULT_PREFIX, help="registry/namespace of names")
    parser.add_argument("--tag", help="image tag (default: pyproject's version)")
    parser.add_argument("--push", action="store_true", help="also push each image")
    parser.add_argument("--insecure", action="store_true", help="plain HTTP to the registry")
    args = parser.parse_args(argv)
    meta = project()
    version = args.tag or str(meta["version"])
    scripts = dict(meta.get("scripts", {}))  # type: ignore[call-overload]
    builder = load_builder()
    for spec in selected(args.image, scripts):
        reference = Reference.parse(f"{args.prefix}/{spec.image}:{version}")
        image = build_spec(spec, builder, version)
        tar = save_layout([Named(reference, image)], args.output / f"{spec.image}.tar")
        size = sum(len(layer.data) for layer in image.layers)
        log(f"{reference} {image.digest} ({size / 2**20:.1f} MiB compressed) -> {tar}")
        if args.push:
            credentials = load_docker_config()
            with RegistryClient(credentials=credentials, insecure=args.insecure or None) as c:
                push_artifact(image, reference, client=c)
            log(f"pushed {reference}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
