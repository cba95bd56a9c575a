from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spinkube.oci import Reference, ReferenceError

DIGEST = "sha256:" + "ab" * 32

GOOD = [
    pytest.param("nginx", "docker.io", "library/nginx", "latest", None, id="docker-library"),
    pytest.param("user/app", "docker.io", "user/app", "latest", None, id="docker-user"),
    pytest.param("ttl.sh/hello-k3s:0.1.0", "ttl.sh", "hello-k3s", "0.1.0", None, id="ttl"),
    pytest.param("ghcr.io/spinkube/samples/hello:v1", "ghcr.io", "spinkube/samples/hello", "v1",
                 None, id="nested"),
    pytest.param("localhost/app", "localhost", "app", "latest", None, id="localhost"),
    pytest.param("localhost:5000/app:dev", "localhost:5000", "app", "dev", None, id="port"),
    pytest.param(f"127.0.0.1:5000/app@{DIGEST}", "127.0.0.1:5000", "app", None, DIGEST,
                 id="digest-only"),
    pytest.param(f"ghcr.io/a/b:v1@{DIGEST}", "ghcr.io", "a/b", "v1", DIGEST, id="tag-and-digest"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "registry", "repository", "tag", "digest"), GOOD)
def test_references_default_like_docker(
    text: str, registry: str, repository: str, tag: str | None, digest: str | None
) -> None:
    ref = Reference.parse(text)

    assert (ref.registry, ref.repository, ref.tag, ref.digest) == (
        registry,
        repository,
        tag,
        digest,
    )
    assert ref.ref == (digest or tag)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        pytest.param("", "empty", id="empty"),
        pytest.param("ghcr.io/Upper/case", "invalid repository name", id="uppercase"),
        pytest.param("app:bad/tag:x", "invalid", id="tag-slash"),
        pytest.param("app@sha256:123", "64 hex digits", id="short-digest"),
        pytest.param("app@md5:" + "a" * 32, "sha256", id="other-algorithm"),
        pytest.param("app:-tag", "invalid tag", id="tag-dash"),
        pytest.param("ghcr.io/", "invalid repository name", id="no-repo"),
        pytest.param("a b", "whitespace", id="space"),
    ],
)
def test_bad_references_name_the_reference(text: str, problem: str) -> None:
    with pytest.raises(ReferenceError) as caught:
        Reference.parse(text)

    assert repr(text) in str(caught.value)
    assert problem in str(caught.value)


@pytest.mark.parametrize(
    ("text", "loopback"),
    [("localhost:5000/a", True), ("127.0.0.1:41234/a", True), ("localhost/a", True),
     ("[::1]:5000/a", True), ("ttl.sh/a", False), ("a", False)],
)  # fmt: skip
def test_loopback_registries_are_plain_http_candidates(text: str, loopback: bool) -> None:
    assert Reference.parse(text).is_loopback is loopback


def test_docker_hub_uses_its_api_host() -> None:
    assert Reference.parse("nginx").api_host == "registry-1.docker.io"


component = st.from_regex(r"[a-z0-9]+([._-][a-z0-9]+)?", fullmatch=True)
registries = st.sampled_from(["ghcr.io", "localhost:5000", "127.0.0.1:1234", "ttl.sh", "docker.io"])
tags = st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}", fullmatch=True)
digests = st.from_regex(r"sha256:[a-f0-9]{64}", fullmatch=True)


@given(
    registry=registries,
    path=st.lists(component, min_size=1, max_size=3),
    tag=st.none() | tags,
    digest=st.none() | digests,
)
def test_a_printed_reference_parses_back_to_itself(
    registry: str, path: list[str], tag: str | None, digest: str | None
) -> None:
    text = (
        f"{registry}/{'/'.join(path)}"
        + (f":{tag}" if tag else "")
        + (f"@{digest}" if digest else "")
    )

    ref = Reference.parse(text)

    assert Reference.parse(str(ref)) == ref
    assert ref.digest == digest
    assert ref.tag == (tag or (None if digest else "latest"))
