from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from spinkube.oci import (
    AuthError,
    Credentials,
    from_docker_config,
    from_pull_secret,
    load_docker_config,
)


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


CONFIG = {
    "auths": {
        "https://index.docker.io/v1/": {"auth": _b64("hubuser:hubpass")},
        "ghcr.io": {"username": "gh", "password": "pat"},
        "registry.example.com:5000": {"auth": _b64("u:p:with:colons")},
        "acr.example.io": {"identitytoken": "refresh-me"},
    }
}


@pytest.mark.parametrize(
    ("registry", "expected"),
    [
        pytest.param("docker.io", Credentials("hubuser", "hubpass"), id="hub-url-key"),
        pytest.param("index.docker.io", Credentials("hubuser", "hubpass"), id="hub-alias"),
        pytest.param("ghcr.io", Credentials("gh", "pat"), id="username-password"),
        pytest.param("registry.example.com:5000", Credentials("u", "p:with:colons"), id="colons"),
        pytest.param("acr.example.io", Credentials("", "", "refresh-me"), id="identitytoken"),
        pytest.param("quay.io", Credentials(), id="anonymous"),
    ],
)
def test_docker_config_credentials_by_registry(registry: str, expected: Credentials) -> None:
    assert from_docker_config(CONFIG).for_registry(registry) == expected


def test_docker_config_file_is_read_from_docker_config_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "config.json").write_text(json.dumps(CONFIG))
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))

    assert load_docker_config().for_registry("ghcr.io") == Credentials("gh", "pat")


def test_a_missing_docker_config_means_no_credentials(tmp_path: Path) -> None:
    assert not load_docker_config(tmp_path / "nope.json").for_registry("ghcr.io")


def test_kubernetes_dockerconfigjson_secret_data_is_base64() -> None:
    data = {".dockerconfigjson": _b64(json.dumps(CONFIG))}

    assert from_pull_secret(data).for_registry("ghcr.io") == Credentials("gh", "pat")


def test_kubernetes_secret_string_data_and_legacy_dockercfg() -> None:
    legacy = {".dockercfg": json.dumps({"ghcr.io": {"auth": _b64("a:b")}})}

    assert from_pull_secret(legacy).for_registry("ghcr.io") == Credentials("a", "b")
    string_data = {".dockerconfigjson": json.dumps(CONFIG)}
    assert from_pull_secret(string_data).for_registry("docker.io").username == "hubuser"


@pytest.mark.parametrize(
    ("config", "problem"),
    [
        pytest.param("{", "not valid JSON", id="json"),
        pytest.param({"auths": {"h": {"auth": _b64("nocolon")}}}, "user:password", id="auth"),
        pytest.param({"auths": []}, "expected an object", id="auths-list"),
    ],
)
def test_bad_docker_config_is_an_auth_error(config: object, problem: str) -> None:
    with pytest.raises(AuthError, match=problem):
        from_docker_config(config)  # type: ignore[arg-type]


def test_a_secret_without_docker_config_is_an_auth_error() -> None:
    with pytest.raises(AuthError, match=r"\.dockerconfigjson"):
        from_pull_secret({"token": "x"})


def test_credentials_never_show_the_password() -> None:
    assert "pat" not in repr(Credentials("gh", "pat", "tok"))
