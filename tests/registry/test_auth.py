"""Registry auth against a real registry: htpasswd (basic), the bearer-token flow, Docker
config.json and Kubernetes dockerconfigjson pull secrets."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from spinkube import oci
from spinkube.oci import AuthError, BlobCache, Credentials, RegistryClient
from spinkube.testing.registry import RunningRegistry

from .conftest import PASSWORD, USER


def _round_trip(
    registry: RunningRegistry, client: RegistryClient, cache: BlobCache, app: Path
) -> str:
    pushed = oci.push(app, registry.ref("private/hello", "v1"), client=client)
    pulled = oci.pull(registry.ref("private/hello", "v1"), client=client, cache=cache)
    assert pulled.digest == pushed.digest
    assert pulled.load().name == "hello-test"
    return pulled.digest


def test_basic_auth_with_the_right_password(
    basic_registry: RunningRegistry, alice: RegistryClient, cache: BlobCache, spin_app: Path
) -> None:
    _round_trip(basic_registry, alice, cache, spin_app)


@pytest.mark.parametrize(
    ("credentials", "message"),
    [
        pytest.param(Credentials(USER, "wrong"), "refused the credentials of alice", id="wrong"),
        pytest.param(None, "requires credentials and none were found", id="anonymous"),
    ],
)
def test_basic_auth_failures_are_auth_errors(
    basic_registry: RunningRegistry,
    cache: BlobCache,
    spin_app: Path,
    credentials: Credentials | None,
    message: str,
) -> None:
    with RegistryClient(credentials=credentials) as client, pytest.raises(AuthError) as caught:
        oci.push(spin_app, basic_registry.ref("private/hello"), client=client)

    assert message in str(caught.value)
    assert basic_registry.host in str(caught.value)


def test_bearer_token_flow(
    token_registry: RunningRegistry, alice: RegistryClient, cache: BlobCache, spin_app: Path
) -> None:
    _round_trip(token_registry, alice, cache, spin_app)

    assert token_registry.issuer is not None
    # The registry's challenge lists the actions in no fixed order ("push,pull" or "pull,push").
    scopes = {
        (scope.rpartition(":")[0], frozenset(scope.rpartition(":")[2].split(",")))
        for query in token_registry.issuer.requests
        for scope in query["scope"]
    }
    assert ("repository:private/hello", frozenset({"pull", "push"})) in scopes
    assert ("repository:private/hello", frozenset({"pull"})) in scopes
    assert {s for q in token_registry.issuer.requests for s in q["service"]} == {
        "spinkube-test-registry"
    }


def test_bearer_token_flow_with_a_wrong_password(
    token_registry: RunningRegistry, cache: BlobCache, spin_app: Path
) -> None:
    with (
        RegistryClient(credentials=Credentials(USER, "wrong")) as client,
        pytest.raises(AuthError, match="refused the credentials of alice"),
    ):
        oci.push(spin_app, token_registry.ref("private/hello"), client=client)


def _docker_config(registry: RunningRegistry, password: str = PASSWORD) -> dict[str, object]:
    auth = base64.b64encode(f"{USER}:{password}".encode()).decode()
    return {"auths": {f"http://{registry.host}": {"auth": auth}, "ghcr.io": {"auth": "eDp5"}}}


def test_docker_config_json_credentials(
    basic_registry: RunningRegistry, cache: BlobCache, spin_app: Path, tmp_path: Path
) -> None:
    path = tmp_path / "docker" / "config.json"
    path.parent.mkdir()
    path.write_text(json.dumps(_docker_config(basic_registry)))

    with RegistryClient(credentials=oci.load_docker_config(path)) as client:
        _round_trip(basic_registry, client, cache, spin_app)


def test_kubernetes_dockerconfigjson_secret_credentials(
    basic_registry: RunningRegistry, cache: BlobCache, spin_app: Path
) -> None:
    encoded = base64.b64encode(json.dumps(_docker_config(basic_registry)).encode()).decode()
    secret_data = {".dockerconfigjson": encoded}  # as `kubectl create secret docker-registry`

    with RegistryClient(credentials=oci.from_pull_secret(secret_data)) as client:
        _round_trip(basic_registry, client, cache, spin_app)


def test_a_pull_secret_with_a_stale_password_is_an_auth_error(
    basic_registry: RunningRegistry, alice: RegistryClient, cache: BlobCache, spin_app: Path
) -> None:
    oci.push(spin_app, basic_registry.ref("private/hello"), client=alice)
    secret_data = {".dockerconfigjson": json.dumps(_docker_config(basic_registry, "stale"))}

    with (
        RegistryClient(credentials=oci.from_pull_secret(secret_data)) as client,
        pytest.raises(AuthError, match="refused"),
    ):
        oci.pull(basic_registry.ref("private/hello"), client=client, cache=cache)


def test_identity_token_from_docker_config_uses_the_oauth2_refresh_flow(
    token_registry: RunningRegistry, cache: BlobCache, spin_app: Path
) -> None:
    assert token_registry.issuer is not None
    entry = {"auth": base64.b64encode(b"<token>:").decode()}
    entry["identitytoken"] = token_registry.issuer.refresh_token
    store = oci.from_docker_config({"auths": {token_registry.host: entry}})

    with RegistryClient(credentials=store) as client:
        _round_trip(token_registry, client, cache, spin_app)

    grants = {g for form in token_registry.issuer.requests for g in form.get("grant_type", [])}
    assert grants == {"refresh_token"}
