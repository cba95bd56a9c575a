"""Distro detection: which containerd config a node's distribution uses."""

from __future__ import annotations

import pytest

from spinkube.rcm.node import presets
from spinkube.rcm.node.errors import DetectError
from spinkube.rcm.node.presets import Setup

K3S = "/var/lib/rancher/k3s/agent/etc/containerd/config.toml"
K0S = "/etc/k0s/containerd.toml"
CONTAINERD = "/etc/containerd/config.toml"


@pytest.mark.parametrize(
    ("present", "name", "config"),
    [
        pytest.param({CONTAINERD}, "containerd", CONTAINERD, id="containerd"),
        pytest.param({CONTAINERD, K3S}, "k3s", K3S + ".tmpl", id="k3s-over-containerd"),
        pytest.param({CONTAINERD, K0S}, "k0s", "/etc/k0s/containerd.d/config.toml", id="k0s"),
        pytest.param({K0S, K3S}, "k3s", K3S + ".tmpl", id="fixed-order"),
    ],
)
def test_the_first_distro_file_found_wins(present: set[str], name: str, config: str) -> None:
    preset = presets.detect(None, exists=present.__contains__)

    assert (preset.name, preset.config_path) == (name, config)


def test_an_explicit_distro_file_selects_the_distro() -> None:
    preset = presets.detect(K3S, exists=lambda _: False)

    assert (preset.name, preset.config_path, preset.setup) == (
        "k3s",
        K3S + ".tmpl",
        Setup.COPY_BASE,
    )


def test_any_other_explicit_file_is_a_plain_containerd_config() -> None:
    preset = presets.detect("/srv/ctrd.toml", exists=lambda _: False)

    assert (preset.name, preset.config_path, preset.setup) == (
        "containerd",
        "/srv/ctrd.toml",
        Setup.NONE,
    )


def test_no_config_found_names_every_place_looked_at() -> None:
    with pytest.raises(DetectError) as caught:
        presets.detect(None, exists=lambda _: False)

    assert caught.value.message.startswith("failed to detect containerd config path: none of ")
    for preset in (*presets.DISTROS, presets.DEFAULT):
        assert preset.detect_path in caught.value.message
