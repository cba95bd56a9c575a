"""Where `Kube` finds its cluster: an explicit path, `$KUBECONFIG`, or nowhere (a clear error)."""

from __future__ import annotations

from pathlib import Path

import pytest

from spinkube.kube import Kube, KubeConfigError, load_kubeconfig
from spinkube.testing.fakeapi import write_kubeconfig


def test_an_explicit_path_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "other"))
    path = write_kubeconfig(tmp_path / "config", "http://127.0.0.1:1234")
    config = load_kubeconfig(path).get()
    assert config is not None
    assert config.cluster.server == "http://127.0.0.1:1234"


def test_kubeconfig_env_uses_its_first_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = write_kubeconfig(tmp_path / "first", "http://127.0.0.1:1111")
    second = write_kubeconfig(tmp_path / "second", "http://127.0.0.1:2222")
    monkeypatch.setenv("KUBECONFIG", f"{first}:{second}")
    assert Kube.from_kubeconfig().server == "http://127.0.0.1:1111"


def test_a_missing_kubeconfig_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(KubeConfigError, match="not found"):
        load_kubeconfig(tmp_path / "missing")


def test_one_client_per_connection(tmp_path: Path) -> None:
    kube = Kube.from_kubeconfig(write_kubeconfig(tmp_path / "c", "http://127.0.0.1:1"))
    try:
        assert kube.client is kube.client
        assert kube.async_client is kube.async_client
    finally:
        kube.close()
