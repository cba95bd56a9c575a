"""kopf's credentials come from the same kubeconfig as the shared client."""

from __future__ import annotations

from pathlib import Path

import yaml
from lightkube import KubeConfig

from spinkube.manager.login import connection_info


def write(path: Path, cluster: dict[str, object], user: dict[str, object]) -> KubeConfig:
    path.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [{"name": "c", "cluster": cluster}],
                "users": [{"name": "u", "user": user}],
                "contexts": [
                    {"name": "x", "context": {"cluster": "c", "user": "u", "namespace": "spin"}}
                ],
                "current-context": "x",
            }
        )
    )
    return KubeConfig.from_file(path)


def test_a_token_and_relative_files(tmp_path: Path) -> None:
    config = write(
        tmp_path / "kubeconfig",
        {"server": "https://k8s:6443", "certificate-authority": "ca.crt"},
        {"token": "secret-token"},
    )

    info = connection_info(config)

    assert info.server == "https://k8s:6443"
    assert info.ca_path == str(tmp_path / "ca.crt")
    assert (info.scheme, info.token) == ("Bearer", "secret-token")
    assert info.default_namespace == "spin"


def test_a_token_file_is_read(tmp_path: Path) -> None:
    (tmp_path / "token").write_text("from-file\n")
    config = write(tmp_path / "kubeconfig", {"server": "https://k8s"}, {"tokenFile": "token"})

    assert connection_info(config).token == "from-file"


def test_client_certificates_as_data(tmp_path: Path) -> None:
    config = write(
        tmp_path / "kubeconfig",
        {
            "server": "https://k8s",
            "certificate-authority-data": "Q0E=",
            "insecure-skip-tls-verify": True,
        },
        {"client-certificate-data": "Q0VSVA==", "client-key-data": "S0VZ"},
    )

    info = connection_info(config)

    assert (info.ca_data, info.certificate_data, info.private_key_data) == (
        "Q0E=",
        "Q0VSVA==",
        "S0VZ",
    )
    assert info.insecure is True
    assert info.token is None
