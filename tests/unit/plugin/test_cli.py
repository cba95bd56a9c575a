"""The root command, version, completion and the cluster commands' usage errors (no cluster)."""

from __future__ import annotations

import subprocess
import sys

import pytest
import yaml

from spinkube.plugin.__main__ import run
from spinkube.plugin.errors import ExitCode
from spinkube.plugin.settings import Settings
from spinkube.plugin.version import plugin_version

CLUSTER_COMMANDS = ["connect", "delete", "deploy", "get", "list", "logs"]


def _listed_commands(help_text: str) -> list[str]:
    section = help_text.split("Commands:\n", 1)[1]
    return [line.split()[0] for line in section.splitlines() if line.startswith("  ")]


def test_help_lists_the_spec_commands_only(kube):
    result = kube(["--help"])
    assert result.code == 0
    assert _listed_commands(result.out) == ["completion", "scaffold", "version"]
    assert "--kubeconfig PATH" in result.out
    assert "-n, --namespace NAME" in result.out


def test_help_lists_cluster_commands_with_spin_experimental(kube, monkeypatch):
    monkeypatch.setenv("SPIN_EXPERIMENTAL", "1")
    listed = _listed_commands(kube(["--help"]).out)
    assert listed == sorted(["completion", "scaffold", "version", *CLUSTER_COMMANDS])


@pytest.mark.parametrize("command", CLUSTER_COMMANDS)
def test_hidden_cluster_commands_still_run(kube, command):
    result = kube([command, "--help"])
    assert result.code == 0
    assert result.out.startswith(f"Usage: kube {command} ")


@pytest.mark.parametrize("flag", ["-v", "--version"])
def test_root_version_flag(kube, flag):
    assert kube([flag]).out == f"kube version {plugin_version()}\n"


def test_version_without_a_cluster(kube):
    result = kube(["version"])
    assert (result.code, result.out) == (0, f"Plugin Version: {plugin_version()}\n")


def test_version_with_spin_version(kube, monkeypatch):
    monkeypatch.setenv("SPIN_VERSION", "3.2.0")
    assert kube(["version"]).out == (
        f"Plugin Version: {plugin_version()}\nSpin Version  : v3.2.0\n"
    )


@pytest.mark.parametrize("flag", ["-s", "--short"])
def test_version_short(kube, flag, monkeypatch):
    monkeypatch.setenv("SPIN_VERSION", "3.2.0")
    assert kube(["version", flag]).out == f"{plugin_version()}\n"


SCRIPT_MARKERS = {
    "bash": ["_KUBE_COMPLETE=bash_complete", "complete -o nosort -F"],
    "zsh": ["#compdef kube", "_KUBE_COMPLETE=zsh_complete"],
    "fish": ["_KUBE_COMPLETE=fish_complete", "complete --no-files --command kube"],
    "powershell": ["Register-ArgumentCompleter -Native -CommandName kube", "powershell_complete"],
}


@pytest.mark.parametrize("shell", sorted(SCRIPT_MARKERS))
def test_completion_scripts_generate(kube, shell):
    result = kube(["completion", shell])
    assert result.code == 0
    for marker in SCRIPT_MARKERS[shell]:
        assert marker in result.out
    assert result.out.endswith("\n")


@pytest.mark.parametrize(("shell", "instruction"), [("zsh", "zshnodesc"), ("fish", "fishnodesc")])
def test_completion_without_descriptions(kube, shell, instruction):
    assert (
        f"_KUBE_COMPLETE={instruction}_complete"
        in kube(["completion", shell, "--no-descriptions"]).out
    )


def test_bash_completion_script_parses(kube, tmp_path):
    script = tmp_path / "kube.bash"
    script.write_text(kube(["completion", "bash"]).out)
    assert subprocess.run(["bash", "-n", str(script)], check=False).returncode == 0


@pytest.mark.parametrize(
    ("shell", "words", "cword", "expected"),
    [
        ("bash", "kube sc", "1", "plain,scaffold"),
        (
            "zshnodesc",
            "kube scaffold --autoscaler-target-c",
            "2",
            "plain\n--autoscaler-target-cpu-utilization\n_",
        ),
    ],
)
def test_completion_protocol_answers(monkeypatch, capsys, shell, words, cword, expected):
    monkeypatch.setenv("_KUBE_COMPLETE", f"{shell}_complete")
    monkeypatch.setenv("COMP_WORDS", words)
    monkeypatch.setenv("COMP_CWORD", cword)
    with pytest.raises(SystemExit) as exit_info:
        run([], prog_name="kube")
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == expected


def test_deploy_dry_run_needs_no_cluster(kube):
    result = kube(["-n", "apps", "deploy", "-f", "ghcr.io/foo/hello:v1", "--dry-run", "-r", "3"])
    assert result.code == 0
    assert yaml.safe_load(result.out) == {
        "apiVersion": "core.spinoperator.dev/v1alpha1",
        "kind": "SpinApp",
        "metadata": {"name": "hello", "namespace": "apps"},
        "spec": {
            "image": "ghcr.io/foo/hello:v1",
            "executor": "containerd-shim-spin",
            "replicas": 3,
        },
    }


USAGE_ERRORS = [
    ("deploy_without_from", ["deploy"], 'required flag(s) "from" not set'),
    (
        "deploy_bad_image",
        ["deploy", "-f", "Bad Ref"],
        "invalid image reference provided: 'Bad Ref'",
    ),
    (
        "deploy_zero_replicas",
        ["deploy", "-f", "x/hello", "-r", "0"],
        "invalid value for --replicas: 0 must be at least 1",
    ),
    (
        "deploy_bad_name",
        ["deploy", "-f", "x/my_app"],
        "invalid application name 'my_app' (the name derived from --from 'x/my_app'): it must be a "
        "DNS-1035 label (lowercase letters, digits and '-', starting with a letter, at most 63 "
        "characters)",
    ),
    ("delete_without_name", ["delete"], "no application name specified to delete"),
    (
        "get_without_name",
        ["get"],
        "no application name specified to get: give <name> or run it in a directory with a "
        "spin.toml",
    ),
    (
        "logs_without_name",
        ["logs"],
        "no application name specified to show logs of: give <name> or run it in a directory with "
        "a spin.toml",
    ),
    (
        "connect_port_with_colon",
        ["connect", "hello", "-p", "8080:80"],
        "local port should not contain ':' character",
    ),
    (
        "connect_bad_port",
        ["connect", "hello", "-p", "http"],
        "invalid value for --local-port: 'http' is not a port number",
    ),
]


@pytest.mark.parametrize(
    ("argv", "message"), [c[1:] for c in USAGE_ERRORS], ids=[c[0] for c in USAGE_ERRORS]
)
def test_usage_errors(kube, argv, message):
    result = kube(argv)
    assert (result.code, result.out) == (ExitCode.USAGE, "")
    assert result.err == f"Error: {message}\n"


def test_cluster_command_without_kubeconfig_is_exit_code_3(kube):
    result = kube(["list"])
    assert result.code == ExitCode.NO_CLUSTER
    assert result.err.startswith("Error: cannot load the kubeconfig")
    assert result.err.count("\n") == 1


@pytest.mark.parametrize(
    ("content", "name"),
    [
        ('spin_manifest_version = 2\n[application]\nname = "hello"\n', "hello"),
        ("spin_manifest_version = 2\n", ""),
    ],
)
def test_app_name_from_spin_toml(tmp_path, content, name):
    (tmp_path / "spin.toml").write_text(content)
    assert Settings().app_name_from_dir(tmp_path) == name
    assert Settings(dir_context=False).app_name_from_dir(tmp_path) == ""


def test_app_name_without_spin_toml(tmp_path):
    assert Settings().app_name_from_dir(tmp_path) == ""


def test_broken_spin_toml_is_a_usage_error(kube, tmp_path, monkeypatch):
    (tmp_path / "spin.toml").write_text("[application\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SPIN_KUBE_DISABLE_DIR_CONTEXT")
    result = kube(["get"])
    assert result.code == ExitCode.USAGE
    assert result.err.startswith(f"Error: cannot parse {tmp_path / 'spin.toml'}: ")


def test_console_script_module_runs():
    proc = subprocess.run(
        [sys.executable, "-m", "spinkube.plugin", "scaffold", "-f", "x/hello"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "  name: hello\n" in proc.stdout
