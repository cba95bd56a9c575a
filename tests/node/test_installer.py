"""`kwasm-node-installer` against a temp host root: what lands on the node, the lock file, the
config block, SIGHUP to containerd, byte-exact uninstall, and refusals that change nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from spinkube.rcm.node import installer
from spinkube.rcm.node.containerd_config import CRI_PLUGIN_V2, CRI_PLUGIN_V3, Runtime, runtime_block
from spinkube.rcm.node.errors import ConfigError, DetectError, LockError, RestartError

from .conftest import SHIM, V2_DEFAULT, V3_CONFIG, Host, settings, sha256, was_signalled

Start = Callable[[], subprocess.Popen[bytes]]
CONFIG = "/etc/containerd/config.toml"
BINARY = "/opt/kwasm/bin/containerd-shim-spin-v2"
LOCK = "/opt/kwasm/kwasm-lock.json"


def block(plugin: str = CRI_PLUGIN_V2, **options: str) -> bytes:
    return runtime_block(Runtime("spin-v2", BINARY, options), plugin).encode()


def test_install_puts_the_shim_the_lock_and_the_block_on_the_node_and_signals_containerd(
    default_host: Host, assets: Path, start_containerd: Start
) -> None:
    containerd = start_containerd()

    outcome = installer.install(settings(default_host, assets))

    binary = default_host.path(BINARY)
    assert binary.read_bytes() == SHIM
    assert binary.stat().st_mode & 0o777 == 0o755
    assert default_host.path(LOCK).read_text() == (
        '{\n "shims": {\n  "spin-v2": {\n'
        f'   "sha256": "{sha256(SHIM)}",\n   "path": "{BINARY}"\n'
        "  }\n }\n}"
    )
    assert default_host.path(CONFIG).read_bytes() == V2_DEFAULT + block()
    assert was_signalled(containerd)
    assert outcome == installer.Outcome(
        "containerd", CONFIG, ("spin-v2",), config_changed=True, signalled_pid=containerd.pid
    )


def test_installing_the_same_shim_again_changes_nothing_and_leaves_containerd_alone(
    default_host: Host, assets: Path, start_containerd: Start
) -> None:
    first = start_containerd()
    installer.install(settings(default_host, assets))
    assert was_signalled(first)
    second = start_containerd()
    before = default_host.snapshot()

    outcome = installer.install(settings(default_host, assets))

    assert default_host.snapshot() == before
    assert outcome.signalled_pid is None
    assert second.poll() is None


def test_a_new_shim_version_replaces_the_binary_and_signals_containerd(
    default_host: Host, assets: Path, start_containerd: Start
) -> None:
    first = start_containerd()
    installer.install(settings(default_host, assets))
    assert was_signalled(first)
    new = SHIM + b" v2"
    (assets / "containerd-shim-spin-v2").write_bytes(new)
    containerd = start_containerd()

    outcome = installer.install(settings(default_host, assets))

    assert default_host.path(BINARY).read_bytes() == new
    assert json.loads(default_host.path(LOCK).read_text())["shims"]["spin-v2"]["sha256"] == (
        sha256(new)
    )
    assert default_host.path(CONFIG).read_bytes() == V2_DEFAULT + block()
    assert outcome.config_changed is False
    assert was_signalled(containerd)


def test_containerd_2x_config_gets_the_version_3_block_with_options(
    host: Host, assets: Path, start_containerd: Start
) -> None:
    host.write(CONFIG, V3_CONFIG)
    start_containerd()
    options = {"SystemdCgroup": "true"}

    installer.install(settings(host, assets, runtime_options=options))

    assert host.path(CONFIG).read_bytes() == V3_CONFIG + block(CRI_PLUGIN_V3, **options)


def test_uninstall_gives_the_config_back_byte_for_byte(
    default_host: Host, assets: Path, start_containerd: Start
) -> None:
    first = start_containerd()
    installer.install(settings(default_host, assets, runtime_options={"SystemdCgroup": "true"}))
    assert was_signalled(first)
    containerd = start_containerd()

    outcome = installer.uninstall(settings(default_host))

    assert default_host.path(CONFIG).read_bytes() == V2_DEFAULT
    assert not default_host.path(BINARY).exists()
    assert json.loads(default_host.path(LOCK).read_text()) == {"shims": {}}
    assert was_signalled(containerd)
    assert outcome.signalled_pid == containerd.pid


def test_uninstalling_a_shim_that_is_not_installed_fails_and_changes_nothing(
    default_host: Host, start_containerd: Start
) -> None:
    containerd = start_containerd()
    before = default_host.snapshot()

    with pytest.raises(LockError, match=r"^shim spin-v2 not installed; nothing was changed$"):
        installer.uninstall(settings(default_host))

    assert default_host.snapshot() == before
    assert containerd.poll() is None


@pytest.mark.parametrize(
    ("config", "message"),
    [
        pytest.param(b"version = 2\n[plugins\n", r"not valid TOML: .*line 2", id="not-toml"),
        pytest.param(b"version = 2\n\xff\n", "not valid TOML: not UTF-8", id="not-utf8"),
    ],
)
def test_a_bad_config_fails_with_its_path_and_changes_nothing(
    host: Host, assets: Path, start_containerd: Start, config: bytes, message: str
) -> None:
    host.write(CONFIG, config)
    containerd = start_containerd()
    before = host.snapshot()

    with pytest.raises(ConfigError, match=f"config.toml: {message}.*; nothing was changed$"):
        installer.install(settings(host, assets))

    assert host.snapshot() == before
    assert containerd.poll() is None


@pytest.mark.parametrize("count", [0, 2])
def test_not_exactly_one_containerd_fails_with_upstreams_error_and_changes_nothing(
    default_host: Host, assets: Path, start_containerd: Start, count: int
) -> None:
    processes = [start_containerd() for _ in range(count)]
    before = default_host.snapshot()

    with pytest.raises(RestartError, match=f"need exactly one containerd process, found: {count}"):
        installer.install(settings(default_host, assets))

    assert default_host.snapshot() == before
    assert all(p.poll() is None for p in processes)


def test_uninstall_with_no_containerd_changes_nothing(
    default_host: Host, assets: Path, start_containerd: Start
) -> None:
    first = start_containerd()
    installer.install(settings(default_host, assets))
    assert was_signalled(first)
    before = default_host.snapshot()

    with pytest.raises(RestartError, match="found: 0"):
        installer.uninstall(settings(default_host))

    assert default_host.snapshot() == before


def test_no_containerd_config_on_the_node_is_reported(host: Host, assets: Path) -> None:
    with pytest.raises(DetectError, match=r"^failed to detect containerd config path: none of "):
        installer.install(settings(host, assets))


@pytest.mark.parametrize(
    ("present", "edited", "created"),
    [
        pytest.param(
            "/var/snap/microk8s/current/args/containerd-template.toml",
            "/var/snap/microk8s/current/args/containerd-template.toml",
            False,
            id="microk8s",
        ),
        pytest.param(
            "/var/lib/rancher/rke2/agent/etc/containerd/config.toml",
            "/var/lib/rancher/rke2/agent/etc/containerd/config.toml.tmpl",
            True,
            id="rke2",
        ),
        pytest.param(
            "/var/lib/rancher/k3s/agent/etc/containerd/config.toml",
            "/var/lib/rancher/k3s/agent/etc/containerd/config.toml.tmpl",
            True,
            id="k3s",
        ),
        pytest.param(
            "/etc/k0s/containerd.toml", "/etc/k0s/containerd.d/config.toml", True, id="k0s"
        ),
    ],
)
def test_distro_presets_edit_their_own_file(
    host: Host, assets: Path, start_containerd: Start, present: str, edited: str, created: bool
) -> None:
    # The plain containerd config is there too: the distro's file wins, as upstream.
    host.write(CONFIG, V2_DEFAULT)
    host.write(present, V2_DEFAULT)
    start_containerd()

    installer.install(settings(host, assets))

    expected_base = b"" if edited.startswith("/etc/k0s/") else V2_DEFAULT
    assert host.path(edited).read_bytes() == expected_base + block()
    if edited != present:
        assert host.path(present).read_bytes() == V2_DEFAULT
    assert host.path(CONFIG).read_bytes() == V2_DEFAULT
    assert created == (edited != present)


def test_an_existing_k3s_template_is_edited_and_the_rendered_config_left_alone(
    host: Host, assets: Path, start_containerd: Start
) -> None:
    base = "/var/lib/rancher/k3s/agent/etc/containerd/config.toml"
    template = b'{{ template "base" . }}\n'
    host.write(base, V2_DEFAULT)
    host.write(base + ".tmpl", template)
    start_containerd()

    installer.install(settings(host, assets))

    assert host.path(base + ".tmpl").read_bytes() == template + block()
    assert host.path(base).read_bytes() == V2_DEFAULT


def test_an_explicit_runtime_config_is_edited_wherever_it_is(
    host: Host, assets: Path, start_containerd: Start
) -> None:
    host.write("/srv/containerd.toml", V2_DEFAULT)
    start_containerd()

    outcome = installer.install(settings(host, assets, runtime_config="/srv/containerd.toml"))

    assert host.path("/srv/containerd.toml").read_bytes() == V2_DEFAULT + block()
    assert outcome.preset == "containerd"


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", "from spinkube.rcm.node.installer_cli import main; main()"]
    return subprocess.run(
        [*command, *args],
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_cli_takes_the_jobs_arguments_and_the_runtime_options_from_the_environment(
    default_host: Host, assets: Path, start_containerd: Start
) -> None:
    containerd = start_containerd()

    result = run_cli(
        "install",
        "-H",
        str(default_host.root),
        "-r",
        "spin-v2",
        env={"KWASM_ASSET_PATH": str(assets), "SHIM_RUNTIME_OPTIONS": '{"SystemdCgroup": "true"}'},
    )

    assert result.returncode == 0, result.stderr
    assert default_host.path(CONFIG).read_bytes() == V2_DEFAULT + block(SystemdCgroup="true")
    assert f"sent SIGHUP to containerd (pid {containerd.pid})" in result.stderr
    assert was_signalled(containerd)


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        pytest.param(
            ["install"],
            {"SHIM_RUNTIME_OPTIONS": '{"BinaryName": "/usr/bin/crun"}'},
            "error: SHIM_RUNTIME_OPTIONS.BinaryName: '/usr/bin/crun' is not a one-line TOML value",
            id="bad-options",
        ),
        pytest.param(
            ["uninstall", "-r", "nope"], {}, "error: shim nope not installed", id="not-installed"
        ),
    ],
)
def test_the_cli_reports_a_failure_as_one_line_and_exit_code_1(
    default_host: Host, assets: Path, args: list[str], env: dict[str, str], message: str
) -> None:
    before = default_host.snapshot()

    result = run_cli(
        *args, "-H", str(default_host.root), env={"KWASM_ASSET_PATH": str(assets), **env}
    )

    assert result.returncode == 1
    assert result.stderr.startswith(message)
    assert len(result.stderr.strip().splitlines()) == 1
    assert default_host.snapshot() == before


@pytest.mark.parametrize(
    "link",
    [
        pytest.param("/etc/kubernetes/containerd.toml", id="absolute"),
        pytest.param("../kubernetes/containerd.toml", id="relative"),
    ],
)
def test_a_config_symlink_is_followed_inside_the_host_root(
    host: Host, assets: Path, start_containerd: Start, link: str
) -> None:
    target = host.write("/etc/kubernetes/containerd.toml", V2_DEFAULT)
    host.path(CONFIG).parent.mkdir(parents=True)
    host.path(CONFIG).symlink_to(link)
    start_containerd()

    installer.install(settings(host, assets))

    assert host.path(CONFIG).is_symlink()
    assert target.read_bytes() == V2_DEFAULT + block()


def test_a_symlink_loop_is_refused(host: Host, assets: Path) -> None:
    host.path("/etc/containerd").mkdir(parents=True)
    host.path(CONFIG).symlink_to(CONFIG)

    with pytest.raises(ConfigError, match="too many levels of symbolic links; nothing was changed"):
        installer.install(settings(host, assets))
