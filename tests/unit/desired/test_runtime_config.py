"""The runtime-config TOML and Secret (upstream `spinapp_controller_test.go`
`TestReconcile_Integration_RuntimeConfig`, `runtime_config_test.go`)."""

from __future__ import annotations

import base64
import tomllib
import zlib
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spinkube.api import SpinApp, SpinAppExecutor
from spinkube.desired import (
    MissingReferenceError,
    ObjectRef,
    ResolvedInputs,
    RuntimeConfigError,
    build_children,
    render_runtime_config,
    runtime_config_dependencies,
    runtime_config_secret_name,
)

AppFactory = Callable[..., SpinApp]
ExecutorFactory = Callable[..., SpinAppExecutor]

MINIMAL = "[[config_provider]]\ntype = 'env'\nprefix = 'SPIN_VARIABLE_'\n"
REDIS = (
    "[[config_provider]]\n"
    "type = 'env'\n"
    "prefix = 'SPIN_VARIABLE_'\n"
    "\n"
    "[key_value_store]\n"
    "[key_value_store.default]\n"
    "type = 'redis'\n"
    "url = 'redis://localhost:9000'\n"
)


def _opt(name: str, value: str | None = None, **value_from: Any) -> dict[str, Any]:
    option: dict[str, Any] = {"name": name}
    if value is not None:
        option["value"] = value
    if value_from:
        option["valueFrom"] = value_from
    return option


def test_minimal_toml_and_its_name(make_app: AppFactory) -> None:
    """The minimal TOML, exact, hashes to 760b133c (adler32, lowercase hex)."""
    toml = render_runtime_config(make_app())
    assert toml == MINIMAL
    assert runtime_config_secret_name("my-app", toml) == "my-app-760b133c"


def test_name_is_unpadded_hex() -> None:
    toml = "x"
    assert zlib.adler32(toml.encode()) == 0x790079
    assert runtime_config_secret_name("a", toml) == "a-790079"


def test_runtime_config_secret(make_app: AppFactory, make_executor: ExecutorFactory) -> None:
    """TestReconcile_Integration_RuntimeConfig (pure part): volume `spin-runtime-config` refers
    to the Secret, whose `runtime-config.toml` is exactly the documented TOML."""
    store = {"name": "default", "type": "redis", "options": [_opt("url", "redis://localhost:9000")]}
    app = make_app(replicas=1, runtimeConfig={"keyValueStores": [store]})
    children = build_children(app, make_executor())
    secret = children.runtime_config_secret
    assert secret is not None
    assert base64.b64decode(secret["data"]["runtime-config.toml"]).decode() == REDIS
    assert secret["metadata"]["name"] == runtime_config_secret_name("my-app", REDIS)
    assert secret["metadata"]["labels"] == {"core.spinoperator.dev/app-name": "my-app"}
    (owner,) = secret["metadata"]["ownerReferences"]
    assert "controller" not in owner
    assert children.deployment is not None
    (volume,) = [
        v
        for v in children.deployment["spec"]["template"]["spec"]["volumes"]
        if v["name"] == "spin-runtime-config"
    ]
    assert volume["secret"]["secretName"] == secret["metadata"]["name"]


def test_changing_the_image_keeps_the_secret(
    make_app: AppFactory, make_executor: ExecutorFactory
) -> None:
    """..._RuntimeConfig_SecretAlreadyExists (pure part): same config, same secret name;
    the new image still reaches the container."""
    first = build_children(make_app(replicas=1, image="a:1"), make_executor())
    second = build_children(make_app(replicas=1, image="a:2"), make_executor())
    assert first.runtime_config_secret == second.runtime_config_secret
    assert second.deployment is not None
    assert second.deployment["spec"]["template"]["spec"]["containers"][0]["image"] == "a:2"


def test_all_sections_sorted_and_resolved(make_app: AppFactory) -> None:
    """Struct order of sections; sorted keys; value, then ConfigMap, then Secret; missing key ''."""
    app = make_app(
        runtimeConfig={
            "llmCompute": {
                "type": "remote_http",
                "options": [
                    _opt("url", "https://llm"),
                    _opt("auth_token", secretKeyRef={"name": "s", "key": "tok"}),
                ],
            },
            "sqliteDatabases": [
                {
                    "name": "default",
                    "type": "libsql",
                    "options": [_opt("url", configMapKeyRef={"name": "cm", "key": "url"})],
                }
            ],
            "keyValueStores": [
                {"name": "zeta", "type": "spin"},
                {
                    "name": "alpha",
                    "type": "redis",
                    "options": [
                        _opt("url", "redis://r", secretKeyRef={"name": "s", "key": "missing"})
                    ],
                },
                {
                    "name": "beta",
                    "type": "redis",
                    "options": [_opt("url", secretKeyRef={"name": "s", "key": "missing"})],
                },
            ],
        }
    )
    inputs = ResolvedInputs(
        config_maps={"cm": {"url": "libsql://db"}}, secrets={"s": {"tok": b"t0k"}}
    )
    assert render_runtime_config(app, inputs) == (
        MINIMAL + "\n[key_value_store]\n"
        "[key_value_store.alpha]\ntype = 'redis'\nurl = 'redis://r'\n\n"
        "[key_value_store.beta]\ntype = 'redis'\nurl = ''\n\n"
        "[key_value_store.zeta]\ntype = 'spin'\n"
        "\n[sqlite_database]\n[sqlite_database.default]\ntype = 'libsql'\nurl = 'libsql://db'\n"
        "\n[llm_compute]\nauth_token = 't0k'\ntype = 'remote_http'\nurl = 'https://llm'\n"
    )


def test_option_named_type_overrides_the_type(make_app: AppFactory) -> None:
    store = {"name": "s", "type": "redis", "options": [_opt("type", "spin")]}
    toml = render_runtime_config(make_app(runtimeConfig={"keyValueStores": [store]}))
    assert toml.endswith("[key_value_store.s]\ntype = 'spin'\n")


@pytest.mark.parametrize(
    ("field", "message"),
    [
        pytest.param(
            "keyValueStores", "duplicate definition for key value store with name: default", id="kv"
        ),
        pytest.param(
            "sqliteDatabases",
            "duplicate definition for sqlite database with name: default",
            id="sqlite",
        ),
    ],
)
def test_duplicate_store_names(make_app: AppFactory, field: str, message: str) -> None:
    stores = [{"name": "default", "type": "spin"}, {"name": "default", "type": "spin"}]
    with pytest.raises(RuntimeConfigError) as caught:
        render_runtime_config(make_app(runtimeConfig={field: stores}))
    assert str(caught.value) == f"failed to construct RuntimeConfig: {message}"


def test_extract_dependencies(make_app: AppFactory) -> None:
    """Test_ExtractRuntimeConfigDependencies: static values need none; references are
    deduplicated by namespace/name within the app namespace."""
    assert runtime_config_dependencies(make_app()) == []
    static = {"name": "a", "type": "redis", "options": [_opt("url", "redis://x")]}
    assert runtime_config_dependencies(make_app(runtimeConfig={"keyValueStores": [static]})) == []
    app = make_app(
        namespace="apps",
        runtimeConfig={
            "keyValueStores": [
                {
                    "name": "a",
                    "type": "redis",
                    "options": [
                        _opt("url", secretKeyRef={"name": "s1", "key": "k1"}),
                        _opt("pw", secretKeyRef={"name": "s1", "key": "k2"}),
                    ],
                },
                {
                    "name": "b",
                    "type": "redis",
                    "options": [_opt("url", configMapKeyRef={"name": "s1", "key": "k"})],
                },
            ],
            "sqliteDatabases": [
                {
                    "name": "d",
                    "type": "libsql",
                    "options": [_opt("token", secretKeyRef={"name": "s2", "key": "t"})],
                }
            ],
            "llmCompute": {
                "type": "remote_http",
                "options": [_opt("auth_token", secretKeyRef={"name": "s2", "key": "t"})],
            },
        },
    )
    assert runtime_config_dependencies(app) == [
        ObjectRef("Secret", "apps", "s1"),
        ObjectRef("ConfigMap", "apps", "s1"),
        ObjectRef("Secret", "apps", "s2"),
    ]


def test_static_value_wins_over_reference(make_app: AppFactory) -> None:
    option = _opt("url", "redis://x", secretKeyRef={"name": "s", "key": "k"})
    app = make_app(
        runtimeConfig={"keyValueStores": [{"name": "a", "type": "redis", "options": [option]}]}
    )
    assert runtime_config_dependencies(app) == []
    assert "url = 'redis://x'" in render_runtime_config(app)


def test_load_from_secret_has_no_dependencies(make_app: AppFactory) -> None:
    option = _opt("url", secretKeyRef={"name": "s", "key": "k"})
    app = make_app(
        runtimeConfig={
            "loadFromSecret": "mine",
            "keyValueStores": [{"name": "a", "type": "redis", "options": [option]}],
        }
    )
    assert runtime_config_dependencies(app) == []


def test_unnamed_reference_is_an_error_naming_it(make_app: AppFactory) -> None:
    option = _opt("url", secretKeyRef={"key": "k"})
    app = make_app(
        runtimeConfig={"keyValueStores": [{"name": "a", "type": "redis", "options": [option]}]}
    )
    with pytest.raises(MissingReferenceError) as caught:
        runtime_config_dependencies(app)
    assert "spec.runtimeConfig.keyValueStores[0].options[0]" in str(caught.value)
    assert "Secret without a name" in str(caught.value)


@pytest.mark.parametrize(
    ("ref", "kind"),
    [
        pytest.param({"secretKeyRef": {"name": "gone", "key": "k"}}, "Secret", id="secret"),
        pytest.param(
            {"configMapKeyRef": {"name": "gone", "key": "k"}}, "ConfigMap", id="configmap"
        ),
    ],
)
def test_missing_object_is_an_error_naming_it(
    make_app: AppFactory, ref: dict[str, Any], kind: str
) -> None:
    app = make_app(
        runtimeConfig={"llmCompute": {"type": "remote_http", "options": [_opt("t", **ref)]}}
    )
    with pytest.raises(MissingReferenceError) as caught:
        render_runtime_config(app, ResolvedInputs())
    assert str(caught.value) == (
        f'failed to construct RuntimeConfig: {kind} "gone" '
        "(read by spec.runtimeConfig.llmCompute.options[0]) not found"
    )


def test_secret_values_stay_out_of_reprs(
    make_app: AppFactory, make_executor: ExecutorFactory
) -> None:
    option = _opt("url", secretKeyRef={"name": "s", "key": "k"})
    app = make_app(
        runtimeConfig={"keyValueStores": [{"name": "a", "type": "redis", "options": [option]}]}
    )
    inputs = ResolvedInputs(secrets={"s": {"k": b"hunter2-secret"}})
    children = build_children(app, make_executor(), inputs=inputs)
    assert "hunter2" not in repr(inputs)
    assert "hunter2" not in repr(children)
    assert "hunter2" in render_runtime_config(app, inputs)


_store_names = st.text(min_size=1, max_size=6)
_options = st.dictionaries(st.text(min_size=1, max_size=6), st.text(max_size=8), max_size=3)


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(
        _store_names, st.tuples(st.sampled_from(["redis", "spin"]), _options), max_size=3
    ),
    st.one_of(st.none(), _options),
)
def test_rendered_toml_means_what_the_spec_says(
    stores: dict[str, tuple[str, dict[str, str]]], llm: dict[str, str] | None
) -> None:
    """Any static runtime config reads back (tomllib) as the tables Spin will see."""
    spec: dict[str, Any] = {
        "keyValueStores": [
            {"name": n, "type": t, "options": [_opt(k, v) for k, v in o.items()]}
            for n, (t, o) in stores.items()
        ]
    }
    if llm is not None:
        spec["llmCompute"] = {
            "type": "remote_http",
            "options": [_opt(k, v) for k, v in llm.items()],
        }
    app = SpinApp.model_validate(
        {"metadata": {"name": "a"}, "spec": {"image": "i", "runtimeConfig": spec}}
    )
    expected: dict[str, Any] = {"config_provider": [{"type": "env", "prefix": "SPIN_VARIABLE_"}]}
    if stores:
        expected["key_value_store"] = {n: {"type": t, **o} for n, (t, o) in stores.items()}
    if llm is not None:
        expected["llm_compute"] = {"type": "remote_http", **llm}
    assert tomllib.loads(render_runtime_config(app)) == expected
