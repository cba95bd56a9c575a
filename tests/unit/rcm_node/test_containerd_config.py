"""The containerd-config edits: the block upstream writes, containerd 1.x and 2.x, options, and
byte-exact removal."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spinkube.rcm.node import containerd_config as cc
from spinkube.rcm.node.containerd_config import Runtime, Templating
from spinkube.rcm.node.errors import ConfigError, OptionsError

TESTDATA = Path(__file__).parent / "testdata"
V2_DEFAULT = (TESTDATA / "containerd-1.6-default.toml").read_text()
V3_CONFIG = (TESTDATA / "containerd-2.x.toml").read_text()
SPIN = Runtime("spin-v2", "/opt/kwasm/bin/containerd-shim-spin-v2")

# containerd 2.x, docs/cri/config.md: the fields of [plugins.'io.containerd.cri.v1.runtime'
# .containerd.runtimes.<name>] (options being the runtime's own table).
V3_RUNTIME_FIELDS = {
    "runtime_type",
    "runtime_path",
    "pod_annotations",
    "container_annotations",
    "privileged_without_host_devices",
    "privileged_without_host_devices_all_devices_allowed",
    "base_runtime_spec",
    "cni_conf_dir",
    "cni_max_conf_num",
    "snapshotter",
    "sandboxer",
    "io_type",
    "options",
}


def runtimes(text: str, plugin: str) -> dict[str, dict[str, object]]:
    return tomllib.loads(text)["plugins"][plugin]["containerd"]["runtimes"]  # type: ignore[no-any-return]


def test_containerd_1x_gets_upstreams_block_after_the_last_byte() -> None:
    edited = cc.add_runtime(V2_DEFAULT, SPIN)

    assert edited == V2_DEFAULT + (
        "\n"
        "# KWASM runtime config for spin-v2\n"
        '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.spin-v2]\n'
        'runtime_type = "/opt/kwasm/bin/containerd-shim-spin-v2"\n'
    )
    found = runtimes(edited, cc.CRI_PLUGIN_V2)
    assert found["spin-v2"] == {"runtime_type": "/opt/kwasm/bin/containerd-shim-spin-v2"}
    assert found["runc"] == runtimes(V2_DEFAULT, cc.CRI_PLUGIN_V2)["runc"]


def test_containerd_2x_runtime_lands_where_the_documented_schema_has_it() -> None:
    spin = Runtime(SPIN.name, SPIN.binary_path, {"SystemdCgroup": "true"})

    edited = cc.add_runtime(V3_CONFIG, spin)

    assert edited.startswith(V3_CONFIG)
    config = tomllib.loads(edited)
    assert config["version"] == 3
    runtime = config["plugins"]["io.containerd.cri.v1.runtime"]["containerd"]["runtimes"]["spin-v2"]
    assert set(runtime) <= V3_RUNTIME_FIELDS
    assert runtime == {"runtime_type": SPIN.binary_path, "options": {"SystemdCgroup": True}}
    # 2.x's grpc CRI plugin holds server settings only: nothing may land there.
    assert "containerd" not in config["plugins"]["io.containerd.grpc.v1.cri"]
    assert "# the admin's choice: must survive the edit" in edited


def test_options_are_written_sorted_as_toml_values() -> None:
    options = {"SystemdCgroup": "true", "BinaryName": '"/usr/bin/crun"', "Io.Uid": "0"}

    block = cc.runtime_block(Runtime("spin", "/opt/kwasm/bin/containerd-shim-spin", options), "p")

    assert block.splitlines()[-4:] == [
        '[plugins."p".containerd.runtimes.spin.options]',
        'BinaryName = "/usr/bin/crun"',
        '"Io.Uid" = 0',
        "SystemdCgroup = true",
    ]


def test_a_runtime_name_toml_cannot_write_bare_is_quoted() -> None:
    edited = cc.add_runtime(
        V2_DEFAULT, Runtime("spin.v2", "/opt/kwasm/bin/containerd-shim-spin.v2")
    )

    assert '.containerd.runtimes."spin.v2"]' in edited
    assert "spin.v2" in runtimes(edited, cc.CRI_PLUGIN_V2)


@pytest.mark.parametrize(
    "existing",
    [
        pytest.param(
            '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.spin-v2]\n'
            'runtime_type = "x"\n',
            id="user-configured",
        ),
        pytest.param(cc.runtime_block(SPIN, cc.CRI_PLUGIN_V2), id="installed-before"),
    ],
)
def test_a_configured_runtime_is_left_alone(existing: str) -> None:
    text = "version = 2\n" + existing

    assert cc.add_runtime(text, SPIN) == text


def test_a_runtime_whose_name_occurs_elsewhere_is_still_added() -> None:
    # Upstream skips on a substring match: runtime "spin" was never added next to "spin-v2".
    text = cc.add_runtime("version = 2\n", SPIN)

    edited = cc.add_runtime(text, Runtime("spin", "/opt/kwasm/bin/containerd-shim-spin"))

    assert set(runtimes(edited, cc.CRI_PLUGIN_V2)) == {"spin-v2", "spin"}


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("version = 2\n[plugins\nx = 1\n", id="unclosed-table"),
        pytest.param("version = 2\nversion = 3\n", id="duplicate-key"),
        pytest.param('root = "/var/lib/containerd\n', id="unterminated-string"),
        pytest.param('[plugins."io.containerd.grpc.v1.cri".containerd]\n{{ .x }}\n', id="template"),
    ],
)
def test_a_file_that_is_not_toml_is_refused(text: str) -> None:
    with pytest.raises(ConfigError, match=r"^not valid TOML: .*line \d+"):
        cc.add_runtime(text, SPIN)


def test_a_block_that_would_clash_with_the_file_is_refused() -> None:
    text = '[plugins."io.containerd.grpc.v1.cri".containerd]\nruntimes = "none"\n'

    with pytest.raises(ConfigError, match="adding runtime spin-v2 would break the config"):
        cc.add_runtime(text, SPIN)


@pytest.mark.parametrize(
    ("templating", "text"),
    [
        pytest.param(
            Templating.SHELL,
            'version = 2\n[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.${RUNTIME}]\n'
            '  runtime_type = "${RUNTIME_TYPE}"\n',
            id="microk8s",
        ),
        pytest.param(
            Templating.GO,
            '{{ template "base" . }}\n\n[plugins."io.containerd.grpc.v1.cri".cni]\n'
            '  bin_dir = "{{ .NodeConfig.AgentConfig.CNIBinDir }}"\n',
            id="k3s",
        ),
    ],
)
def test_distro_templates_are_checked_around_their_placeholders(
    templating: Templating, text: str
) -> None:
    edited = cc.add_runtime(text, SPIN, templating=templating)

    assert edited == text + cc.runtime_block(SPIN, cc.CRI_PLUGIN_V2)
    assert cc.remove_runtime(edited, SPIN.name, SPIN.binary_path, templating=templating) == text


@pytest.mark.parametrize(
    "original",
    [
        pytest.param(V2_DEFAULT, id="containerd-1.6-default"),
        pytest.param(V3_CONFIG, id="containerd-2.x"),
        pytest.param("version = 2\nroot = '/x'", id="no-final-newline"),
        pytest.param("version = 2\r\n# comment\r\n[grpc]\r\n", id="crlf"),
        pytest.param("", id="empty-k0s-drop-in"),
    ],
)
@pytest.mark.parametrize("options", [{}, {"SystemdCgroup": "true", "Root": '"/r"'}])
def test_remove_gives_back_the_file_byte_for_byte(original: str, options: dict[str, str]) -> None:
    spin = Runtime(SPIN.name, SPIN.binary_path, options)
    edited = cc.add_runtime(original, spin)

    restored = cc.remove_runtime(edited, spin.name, spin.binary_path, templating=Templating.NONE)

    assert restored == original


def test_remove_finds_the_block_whatever_options_it_was_written_with() -> None:
    edited = cc.add_runtime(V2_DEFAULT, Runtime(SPIN.name, SPIN.binary_path, {"A": "1", "B": "2"}))

    restored = cc.remove_runtime(edited, SPIN.name, SPIN.binary_path, templating=Templating.NONE)

    assert restored == V2_DEFAULT


def test_remove_keeps_other_runtimes_and_what_follows_the_block() -> None:
    other = Runtime("spin", "/opt/kwasm/bin/containerd-shim-spin")
    tail = (
        "\n# the admin's own runtime\n"
        '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.x]\n'
    )
    edited = cc.add_runtime(cc.add_runtime(V2_DEFAULT, SPIN), other) + tail

    restored = cc.remove_runtime(edited, SPIN.name, SPIN.binary_path, templating=Templating.NONE)

    assert restored == cc.add_runtime(V2_DEFAULT, other) + tail


def test_remove_leaves_a_block_for_another_binary_alone() -> None:
    edited = cc.add_runtime(V2_DEFAULT, Runtime(SPIN.name, "/elsewhere/containerd-shim-spin-v2"))

    assert (
        cc.remove_runtime(edited, SPIN.name, SPIN.binary_path, templating=Templating.NONE) == edited
    )


def test_remove_refuses_a_file_that_is_not_toml() -> None:
    with pytest.raises(ConfigError, match=r"^not valid TOML"):
        cc.remove_runtime("[x\n", SPIN.name, SPIN.binary_path, templating=Templating.NONE)


_comment = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=20).map(
    lambda s: f"# {s}"
)
_assignment = st.sampled_from(["a = 1", "b = 'x'", '"spin-v2" = true', "c = [1, 2]"])


@settings(max_examples=150, deadline=None)
@given(
    lines=st.lists(st.one_of(_comment, st.just("")), max_size=6),
    assignments=st.lists(_assignment, max_size=4, unique=True),
    newline=st.sampled_from(["\n", "\r\n"]),
    final=st.booleans(),
    options=st.dictionaries(
        st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=8),
        st.sampled_from(["true", "0", '"s"', "[1]"]),
        max_size=3,
    ),
)
def test_install_then_uninstall_is_the_identity(
    lines: list[str], assignments: list[str], newline: str, final: bool, options: dict[str, str]
) -> None:
    original = newline.join(lines + assignments) + (newline if final else "")
    spin = Runtime(SPIN.name, SPIN.binary_path, options)

    edited = cc.add_runtime(original, spin)

    assert runtimes(edited, cc.CRI_PLUGIN_V2)["spin-v2"]["runtime_type"] == SPIN.binary_path
    assert cc.remove_runtime(edited, SPIN.name, SPIN.binary_path, templating=Templating.NONE) == (
        original
    )


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        pytest.param("{", "SHIM_RUNTIME_OPTIONS: not JSON", id="not-json"),
        pytest.param('["a"]', "must be a JSON object", id="not-object"),
        pytest.param('{"SystemdCgroup": true}', r"SystemdCgroup: must be a string", id="bool"),
        pytest.param(
            '{"BinaryName": "/usr/bin/crun"}', r"BinaryName: '/usr/bin/crun' is not", id="bare"
        ),
        pytest.param('{"A": "true\\n[evil]"}', r"A: .* is not a one-line TOML value", id="newline"),
        pytest.param('{"A": "1 B = 2"}', r"A: .* is not a one-line TOML value", id="two-keys"),
        pytest.param('{"": "1"}', "an option name is empty", id="empty-key"),
    ],
)
def test_bad_runtime_options_are_refused_by_name(raw: str, message: str) -> None:
    with pytest.raises(OptionsError, match=message):
        cc.parse_options(raw)


def test_runtime_options_from_the_environment() -> None:
    raw = '{"SystemdCgroup": "true", "BinaryName": "\\"/usr/bin/crun\\""}'

    assert cc.parse_options(raw) == {"SystemdCgroup": "true", "BinaryName": '"/usr/bin/crun"'}
    assert cc.parse_options(None) == {}
    assert cc.parse_options("") == {}
