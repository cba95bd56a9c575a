"""A private containerd for tests and benchmarks: Debian's containerd (1.6) with its own config,
root, state and sockets in a short temp dir, a ``ctr`` bound to a unique namespace, OCI image
tarballs built from files, and a cleanup that removes everything it started, by pid.

    with running_containerd(path=[venv_bin]) as ctrd:
        ctrd.import_image(image_tar(tmp / "bb.tar", "docker.io/local/bb:1", busybox_files()))
        ctrd.ctr("run", "-d", "docker.io/local/bb:1", "t1", "/bin/sleep", "60")

Cleanup (also after a failed test): containerd, every shim whose ``-address`` is this
containerd's socket and their descendants, every process in this namespace's cgroups, mounts under
the temp dir, the run's cgroups (``cgroup_parent``), and the temp dir. Needs root (mounts, cgroups).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import signal
import subprocess
import tarfile
import tempfile
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from spinkube.testing import eventually

CONTAINERD = "containerd"
CTR = "ctr"
RUNC = "runc"
BUSYBOX = Path("/bin/busybox")
CNI_BIN_DIR = Path("/usr/lib/cni")
RUNTIME_TYPES = {"runc": "io.containerd.runc.v2", "spin": "io.containerd.spin.v2"}
"""The handlers a CRI-enabled containerd gets by default (name -> runtime type)."""


def containerd_missing() -> str | None:
    """Why the containerd tests cannot run here (a sentence for ``pytest.skip``), or None."""
    for binary in (CONTAINERD, CTR, RUNC):
        if shutil.which(binary) is None:
            return f"{binary} is not installed (scripts/setup.sh installs Debian's containerd/runc)"
    if os.geteuid() != 0:
        return "containerd tests need root (mounts, cgroups, network namespaces)"
    return None


@dataclass
class Containerd:
    """A running private containerd. ``ctr`` talks to it in ``namespace``."""

    dir: Path
    """The temp dir holding config, root, state, sockets and the log."""
    namespace: str
    cgroup_parent: str = ""
    """The top cgroup of this run's tasks (``/<name>``), the only cgroups cleanup touches.
    ``ctr`` puts tasks in ``/<namespace>/<id>``, so it is the namespace; CRI users (namespace
    ``k8s.io``, shared with other runs) must set ``linux.cgroup_parent`` of their pod sandboxes
    to it."""
    path: tuple[Path, ...] = ()
    """Directories put in front of containerd's PATH (where it looks up ``containerd-shim-*``)."""
    cri: bool = False
    process: subprocess.Popen[bytes] | None = None
    env: dict[str, str] = field(default_factory=dict)
    helpers: list[subprocess.Popen[bytes]] = field(default_factory=list)
    """Long-running ``ctr`` processes (``events``), stopped at cleanup."""

    @property
    def address(self) -> Path:
        """The gRPC socket (``ctr --address``)."""
        return self.dir / "run" / "containerd.sock"

    @property
    def ttrpc_address(self) -> Path:
        return self.dir / "run" / "containerd.sock.ttrpc"

    @property
    def root(self) -> Path:
        return self.dir / "root"

    @property
    def state(self) -> Path:
        return self.dir / "state"

    @property
    def config(self) -> Path:
        return self.dir / "config.toml"

    @property
    def log(self) -> Path:
        """containerd's own output, which includes what the shims write to their ``log`` FIFO."""
        return self.dir / "containerd.log"

    @property
    def pid(self) -> int:
        assert self.process is not None, "containerd is not running"
        return self.process.pid

    def bundle(self, container_id: str) -> Path:
        """The task's bundle dir (``config.json``, ``rootfs/``, the shim's ``address``)."""
        return self.state / "io.containerd.runtime.v2.task" / self.namespace / container_id

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def ctr(
        self,
        *args: str,
        check: bool = True,
        timeout: float = 120.0,
        input: bytes | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """Runs ``ctr --address <sock> -n <namespace> *args``; output as text.

        ``check`` raises AssertionError with ctr's output on a non-zero exit.
        """
        command = [CTR, "--address", str(self.address), "-n", self.namespace, *args]
        result = subprocess.run(
            command,
            input=input,
            capture_output=True,
            timeout=timeout,
            env=self.env,
            check=False,
        )
        done = subprocess.CompletedProcess(
            command,
            result.returncode,
            result.stdout.decode(errors="replace"),
            result.stderr.decode(errors="replace"),
        )
        if check and done.returncode != 0:
            raise AssertionError(
                f"ctr {' '.join(args)} exited {done.returncode}:\n{done.stdout}{done.stderr}"
            )
        return done

    def import_image(self, tar: Path) -> None:
        """``ctr images import`` of an OCI image-layout tar (see :func:`image_tar`)."""
        self.ctr("images", "import", str(tar))

    def events(self, path: Path) -> Path:
        """Starts ``ctr events`` writing every event (topic and body) to ``path`` until cleanup."""
        with path.open("wb") as out:
            self.helpers.append(
                subprocess.Popen(
                    [CTR, "--address", str(self.address), "events"],
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    env=self.env,
                )
            )
        return path

    def start(self) -> None:
        """Starts containerd on the existing config, and waits until ``ctr version`` answers."""
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [CONTAINERD, "--config", str(self.config)],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=self.env,
                start_new_session=True,
            )
        eventually(self._answers, timeout=60)

    def stop(self) -> None:
        """Stops containerd only (its shims and tasks keep running, as on a restart)."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=30)

    def restart(self) -> None:
        self.stop()
        self.start()

    def shim_pids(self) -> list[int]:
        """Every running shim of this containerd (any runtime)."""
        marker = str(self.address)
        return [pid for pid, argv in _processes() if "-address" in argv and marker in argv]

    def leftovers(self) -> list[str]:
        """What the tasks of this containerd left behind: running shims, mounts under its dirs,
        cgroups below the namespace's, shim sockets. Empty once everything was cleaned up."""
        found = [f"shim pid {pid}" for pid in self.shim_pids()]
        found += [f"mount {point}" for point in mounts_under(self.dir)]
        top = self.cgroup_parent.strip("/")
        found += [f"cgroup {group}" for group in _namespace_cgroups(top)]
        found = [f for f in found if not f.endswith(f"/{top}")]
        sockets = self.address.parent / "s"
        found += [f"socket {s}" for s in sockets.iterdir()] if sockets.is_dir() else []
        return found

    def _answers(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise RuntimeError(f"containerd exited early:\n{self.log_text()[-3000:]}")
        probe = subprocess.run(
            [CTR, "--address", str(self.address), "version"],
            capture_output=True,
            timeout=30,
            check=False,
        )
        return probe.returncode == 0


@contextlib.contextmanager
def running_containerd(
    *,
    path: Sequence[Path] = (),
    cri: bool = False,
    runtimes: Mapping[str, str] = RUNTIME_TYPES,
    sandbox_image: str = "docker.io/local/pause:1",
    cni_conf_dir: Path | None = None,
    namespace: str | None = None,
    env: Mapping[str, str] | None = None,
) -> Iterator[Containerd]:
    """A private containerd, stopped and cleaned up on exit.

    ``path``: directories containerd searches first for shim binaries (a venv's ``bin``).
    ``cri``: enable the CRI plugin (its gRPC on ``address``) with ``runtimes`` as handlers,
    ``sandbox_image`` as the pause image and ``cni_conf_dir`` for CNI (Debian's plugins); off,
    the plugin is disabled. The namespace is unique per call unless given (CRI uses ``k8s.io``).
    ``env``: extra environment for containerd, which its shims inherit.
    """
    # Unix socket paths are limited to 108 bytes: keep the dir short, not under pytest's tmp.
    workdir = Path(tempfile.mkdtemp(prefix="ctrd-", dir="/tmp"))
    unique = f"spinkube-test-{uuid.uuid4().hex[:8]}"
    chosen = namespace or ("k8s.io" if cri else unique)
    ctrd = Containerd(
        dir=workdir,
        namespace=chosen,
        cgroup_parent="/" + (unique if cri or namespace else chosen),
        path=tuple(path),
        cri=cri,
    )
    ctrd.env = {**_environment(ctrd.path), **(env or {})}
    for sub in ("root", "state", "run"):
        (workdir / sub).mkdir()
    ctrd.config.write_text(
        render_config(ctrd, runtimes=runtimes, sandbox_image=sandbox_image, cni=cni_conf_dir)
    )
    try:
        ctrd.start()
        yield ctrd
    finally:
        cleanup(ctrd)


def render_config(
    ctrd: Containerd, *, runtimes: Mapping[str, str], sandbox_image: str, cni: Path | None
) -> str:
    lines = [
        "version = 2",
        f'root = "{ctrd.root}"',
        f'state = "{ctrd.state}"',
        "[grpc]",
        f'  address = "{ctrd.address}"',
        "[ttrpc]",
        f'  address = "{ctrd.ttrpc_address}"',
        "[debug]",
        '  level = "info"',
    ]
    if not ctrd.cri:
        lines.insert(3, 'disabled_plugins = ["io.containerd.grpc.v1.cri"]')
        return "\n".join(lines) + "\n"
    cri = 'plugins."io.containerd.grpc.v1.cri"'
    lines += [
        f"[{cri}]",
        f'  sandbox_image = "{sandbox_image}"',
        "  restrict_oom_score_adj = true",
        "  netns_mounts_under_state_dir = true",
        f"[{cri}.containerd]",
        '  snapshotter = "overlayfs"',
        '  default_runtime_name = "runc"',
    ]
    for name, runtime_type in runtimes.items():
        lines += [f"[{cri}.containerd.runtimes.{name}]", f'  runtime_type = "{runtime_type}"']
    if cni is not None:
        lines += [f"[{cri}.cni]", f'  bin_dir = "{CNI_BIN_DIR}"', f'  conf_dir = "{cni}"']
    return "\n".join(lines) + "\n"


def _environment(path: Sequence[Path]) -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([*map(str, path), env.get("PATH", "/usr/bin:/bin")])
    return env


# cleanup


def cleanup(ctrd: Containerd) -> None:
    """Stops containerd, kills its shims, their workloads and everything in the run's cgroups
    (by pid), unmounts what is mounted under the temp dir, removes the run's cgroups (never a
    shared one: ``cgroup_parent`` is unique per run) and the temp dir."""
    for process in [*ctrd.helpers, ctrd.process]:
        if process is not None and process.poll() is None:
            process.kill()
            process.wait(timeout=30)
    victims = set(ctrd.shim_pids())
    victims |= _descendants(victims)
    top = ctrd.cgroup_parent.strip("/")
    victims |= set(_cgroup_pids(top))
    _kill_all(victims)
    _unmount_under(ctrd.dir)
    _remove_cgroups(top)
    shutil.rmtree(ctrd.dir, ignore_errors=True)


def _processes() -> Iterator[tuple[int, list[str]]]:
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            raw = (entry / "cmdline").read_bytes()
            yield int(entry.name), raw.decode(errors="replace").split("\0")


def _parent_of(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])


def _descendants(roots: set[int]) -> set[int]:
    parents = {pid: _parent_of(pid) for pid, _argv in _processes()}
    found: set[int] = set()
    frontier = set(roots)
    while frontier:
        children = {pid for pid, ppid in parents.items() if ppid in frontier} - found
        found |= children
        frontier = children
    return found


def cgroup_mounts() -> list[Path]:
    """Every cgroup (v1 hierarchy or v2) mount point of this machine."""
    mounts = []
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        fields = line.split(" - ", 1)
        if len(fields) == 2 and fields[1].split()[0] in ("cgroup", "cgroup2"):
            mounts.append(Path(fields[0].split()[4]))
    return mounts


def _namespace_cgroups(name: str) -> list[Path]:
    """The cgroup dirs at and below ``/<name>`` in each hierarchy, deepest first."""
    if not name.strip("/"):
        # The root cgroup holds every process of the machine: cleanup must never walk it.
        raise ValueError("refusing to clean up the root cgroup: give the run a cgroup_parent")
    found: list[Path] = []
    for mount in cgroup_mounts():
        top = mount / name
        if top.is_dir():
            found += [Path(d) for d, _s, _f in os.walk(top)]
    return sorted(found, key=lambda p: len(p.parts), reverse=True)


def _cgroup_pids(name: str) -> list[int]:
    pids = []
    for group in _namespace_cgroups(name):
        with contextlib.suppress(OSError):
            pids += [int(p) for p in (group / "cgroup.procs").read_text().split()]
    return pids


def _kill_all(pids: set[int]) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)

    def gone() -> bool:
        return not any(_alive(pid) for pid in pids)

    eventually(gone, timeout=30)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def mounts_under(directory: Path) -> list[Path]:
    """Mount points at or below ``directory`` (deepest first), from /proc/self/mountinfo."""
    prefix = str(directory).rstrip("/") + "/"
    points = []
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        point = line.split()[4].replace("\\040", " ")
        if point.startswith(prefix):
            points.append(Path(point))
    return sorted(points, key=lambda p: len(p.parts), reverse=True)


def _unmount_under(directory: Path) -> None:
    for _round in range(3):
        points = mounts_under(directory)
        if not points:
            return
        for point in points:
            if subprocess.run(["umount", str(point)], capture_output=True, check=False).returncode:
                subprocess.run(["umount", "-l", str(point)], capture_output=True, check=False)


def _remove_cgroups(name: str) -> None:
    def removed() -> bool:
        for group in _namespace_cgroups(name):
            with contextlib.suppress(OSError):
                group.rmdir()
        return not _namespace_cgroups(name)

    eventually(removed, timeout=30)


# network namespaces


@contextlib.contextmanager
def network_namespace(prefix: str = "spinkube-test") -> Iterator[str]:
    """A fresh ``ip netns`` (unique name, loopback up) removed on exit; its path is
    ``/var/run/netns/<name>`` (see :func:`netns_path`)."""
    name = f"{prefix}-{uuid.uuid4().hex[:8]}"
    subprocess.run(["ip", "netns", "add", name], check=True, capture_output=True)
    try:
        subprocess.run(
            ["ip", "-n", name, "link", "set", "lo", "up"], check=True, capture_output=True
        )
        yield name
    finally:
        subprocess.run(["ip", "netns", "delete", name], check=False, capture_output=True)


def netns_path(name: str) -> Path:
    return Path("/var/run/netns") / name


def in_netns(name: str, *command: str, timeout: float = 60.0) -> subprocess.CompletedProcess[str]:
    """Runs ``command`` inside network namespace ``name`` (``ip netns exec``)."""
    return subprocess.run(
        ["ip", "netns", "exec", name, *command],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


# images


@dataclass(frozen=True, slots=True)
class Symlink:
    target: str


ImageEntry = bytes | Path | Symlink
"""A file's content, a host file to copy (its mode kept), or a symlink."""


def busybox_files() -> dict[str, ImageEntry]:
    """A minimal Linux rootfs: Debian's static busybox with ``sh``, ``sleep``, ``httpd`` and
    friends as symlinks (busybox-static)."""
    files: dict[str, ImageEntry] = {"bin/busybox": BUSYBOX}
    for applet in ("sh", "sleep", "echo", "cat", "httpd", "ls", "true", "false", "wget"):
        files[f"bin/{applet}"] = Symlink("busybox")
    return files


def image_tar(
    path: Path,
    ref: str,
    files: Mapping[str, ImageEntry],
    *,
    cmd: Sequence[str] = (),
    entrypoint: Sequence[str] = (),
    env: Sequence[str] = ("PATH=/bin:/usr/bin",),
    architecture: str = "amd64",
) -> Path:
    """Writes an OCI image-layout tar that ``ctr images import`` accepts as ``ref``: one
    uncompressed layer holding ``files`` (paths relative to the rootfs)."""
    layer = _layer(files)
    diff_id = _digest(layer)
    config = _json(
        {
            "architecture": architecture,
            "os": "linux",
            "config": _image_config(cmd, entrypoint, env),
            "rootfs": {"type": "layers", "diff_ids": [diff_id]},
        }
    )
    manifest = _json(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": _descriptor("application/vnd.oci.image.config.v1+json", config),
            "layers": [_descriptor("application/vnd.oci.image.layer.v1.tar", layer)],
        }
    )
    index = {
        "schemaVersion": 2,
        "manifests": [
            {
                **_descriptor("application/vnd.oci.image.manifest.v1+json", manifest),
                "annotations": {
                    "io.containerd.image.name": ref,
                    "org.opencontainers.image.ref.name": ref.rsplit(":", 1)[-1],
                },
            }
        ],
    }
    return write_layout(path, [config, manifest, layer], index)


def _image_config(
    cmd: Sequence[str], entrypoint: Sequence[str], env: Sequence[str]
) -> dict[str, object]:
    config: dict[str, object] = {"Env": list(env)}
    if cmd:
        config["Cmd"] = list(cmd)
    if entrypoint:
        config["Entrypoint"] = list(entrypoint)
    return config


def write_layout(path: Path, blobs: Sequence[bytes], index: Mapping[str, object]) -> Path:
    """Writes an OCI image-layout tar with ``blobs`` and ``index.json``."""
    entries = {"oci-layout": _json({"imageLayoutVersion": "1.0.0"}), "index.json": _json(index)}
    for blob in blobs:
        entries["blobs/sha256/" + _digest(blob).split(":", 1)[1]] = blob
    with tarfile.open(path, "w") as tar:
        for name, data in entries.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o644
            tar.addfile(info, io.BytesIO(data))
    return path


def _layer(files: Mapping[str, ImageEntry]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for directory in sorted(_parents(files)):
            info = tarfile.TarInfo(directory)
            info.type, info.mode = tarfile.DIRTYPE, 0o755
            tar.addfile(info)
        for name in sorted(files):
            _add(tar, name, files[name])
    return buffer.getvalue()


def _parents(files: Mapping[str, ImageEntry]) -> set[str]:
    parents = set()
    for name in files:
        parts = name.strip("/").split("/")[:-1]
        parents |= {"/".join(parts[: i + 1]) for i in range(len(parts))}
    return parents


def _add(tar: tarfile.TarFile, name: str, entry: ImageEntry) -> None:
    info = tarfile.TarInfo(name.strip("/"))
    if isinstance(entry, Symlink):
        info.type, info.linkname = tarfile.SYMTYPE, entry.target
        tar.addfile(info)
        return
    data = entry.read_bytes() if isinstance(entry, Path) else entry
    info.size = len(data)
    info.mode = (entry.stat().st_mode & 0o7777) if isinstance(entry, Path) else 0o644
    tar.addfile(info, io.BytesIO(data))


def _digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _descriptor(media_type: str, data: bytes) -> dict[str, object]:
    return {"mediaType": media_type, "digest": _digest(data), "size": len(data)}


def _json(data: Mapping[str, object]) -> bytes:
    return json.dumps(data, separators=(",", ":")).encode()
