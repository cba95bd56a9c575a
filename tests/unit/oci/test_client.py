from __future__ import annotations

import pytest

from spinkube.oci import Reference, RegistryClient


@pytest.mark.parametrize(
    ("reference", "insecure", "url"),
    [
        pytest.param("ghcr.io/a/b:v1", None, "https://ghcr.io/v2/a/b/manifests/v1", id="https"),
        pytest.param("localhost:5000/a", None, "http://localhost:5000/v2/a/manifests/latest",
                     id="localhost-plain"),
        pytest.param("127.0.0.1:5000/a", None, "http://127.0.0.1:5000/v2/a/manifests/latest",
                     id="loopback-plain"),
        pytest.param("registry.lan:5000/a", True, "http://registry.lan:5000/v2/a/manifests/latest",
                     id="insecure-flag"),
        pytest.param("localhost:5000/a", False, "https://localhost:5000/v2/a/manifests/latest",
                     id="secure-flag"),
        pytest.param("nginx", None, "https://registry-1.docker.io/v2/library/nginx/manifests/latest",
                     id="docker-hub"),
    ],
)  # fmt: skip
def test_scheme_follows_the_insecure_convention(
    reference: str, insecure: bool | None, url: str
) -> None:
    ref = Reference.parse(reference)

    with RegistryClient(insecure=insecure) as client:
        assert client.url(ref, f"manifests/{ref.ref}") == url
