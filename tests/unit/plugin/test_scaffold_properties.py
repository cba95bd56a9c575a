"""Properties of the rendered manifest for open-ended inputs: it is always YAML that reads back
as what was asked for (variable values stay strings, whatever their text)."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from spinkube.plugin.scaffold import ScaffoldOptions, render, validate

NAMES = st.from_regex(r"[a-z][a-z0-9_]{0,15}", fullmatch=True)
TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x85\u2028\u2029"),
    max_size=40,
)
SECRETS = st.from_regex(r"[a-z][a-z0-9-]{0,20}[a-z0-9]", fullmatch=True)


@given(variables=st.dictionaries(NAMES, TEXT, max_size=6))
def test_variables_read_back_as_strings(variables: dict[str, str]) -> None:
    opts = ScaffoldOptions(image="ghcr.io/foo/app:v1", variables=variables)
    (app,) = yaml.safe_load_all(render(opts))
    expected = [{"name": k, "value": variables[k]} for k in sorted(variables)]
    assert app["spec"].get("variables", []) == expected


@given(components=st.lists(TEXT.filter(bool), max_size=4))
def test_components_read_back_as_strings(components: list[str]) -> None:
    opts = ScaffoldOptions(image="ghcr.io/foo/app:v1", components=tuple(components))
    (app,) = yaml.safe_load_all(render(opts))
    assert app["spec"].get("components", []) == components


@given(
    replicas=st.integers(min_value=0, max_value=50),
    extra=st.integers(min_value=0, max_value=50),
    autoscaler=st.sampled_from(["", "hpa", "keda"]),
    cpu=st.integers(min_value=1, max_value=100),
    memory=st.integers(min_value=1, max_value=100),
    secrets=st.lists(SECRETS, max_size=3),
    components=st.lists(SECRETS, max_size=3),
    runtime_config=st.none() | st.binary(max_size=64),
)
def test_manifest_documents_match_the_options(
    replicas: int,
    extra: int,
    autoscaler: str,
    cpu: int,
    memory: int,
    secrets: list[str],
    components: list[str],
    runtime_config: bytes | None,
) -> None:
    opts = ScaffoldOptions(
        image="ghcr.io/foo/app:v1",
        replicas=max(replicas, 0 if autoscaler else 1),
        max_replicas=replicas + extra,
        autoscaler=autoscaler,
        target_cpu_utilization=cpu,
        target_memory_utilization=memory,
        cpu_limit="100m",
        memory_limit="128Mi",
        image_pull_secrets=tuple(secrets),
        components=tuple(components),
        runtime_config=runtime_config,
    )
    validate(opts)
    documents = list(yaml.safe_load_all(render(opts)))
    kinds = [doc["kind"] for doc in documents]
    expected_kinds = ["SpinApp"]
    expected_kinds += ["Secret"] if runtime_config is not None else []
    expected_kinds += {"hpa": ["HorizontalPodAutoscaler"], "keda": ["ScaledObject"]}.get(
        autoscaler, []
    )
    assert kinds == expected_kinds
    spec = documents[0]["spec"]
    assert spec.get("imagePullSecrets", []) == [{"name": s} for s in secrets]
    assert spec.get("components", []) == components
    assert ("replicas" in spec) is (not autoscaler)
    assert spec.get("enableAutoscaling", False) is bool(autoscaler)


@pytest.mark.parametrize("secret", ["no", "yes", "on", "off", "null", "true", "y", "n", "123"])
def test_pull_secret_names_yaml_would_retype_stay_strings(secret: str) -> None:
    opts = ScaffoldOptions(image="ghcr.io/foo/app:v1", image_pull_secrets=(secret,))
    (app,) = yaml.safe_load_all(render(opts))
    assert app["spec"]["imagePullSecrets"] == [{"name": secret}]
