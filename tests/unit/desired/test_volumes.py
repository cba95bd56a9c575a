"""Volumes and mounts (upstream `deployment_test.go`, `spinapp_controller_test.go`)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from spinkube.api import SpinApp, SpinAppExecutor
from spinkube.desired import (
    CA_PATH,
    RUNTIME_CONFIG_PATH,
    DesiredStateError,
    build_ca_secret,
    build_children,
    build_volumes,
    ca_secret_name,
    ca_volume,
    deployment_config,
    runtime_config_volume,
)

AppFactory = Callable[..., SpinApp]
ExecutorFactory = Callable[..., SpinAppExecutor]


def test_runtime_config_secret_mount_contract() -> None:
    """TestConstructRuntimeConfigSecretMount_Contract: optional volume, `spin-` names."""
    volume, mount = runtime_config_volume("my-secret")
    assert volume["secret"]["optional"] is True
    assert volume["secret"]["secretName"] == "my-secret"
    assert volume["secret"]["items"] == [
        {"key": "runtime-config.toml", "path": "runtime-config.toml"}
    ]
    assert "spin-" in volume["name"]
    assert "spin-" in mount["name"]
    assert mount == {
        "name": volume["name"],
        "readOnly": True,
        "mountPath": RUNTIME_CONFIG_PATH,
        "subPath": "runtime-config.toml",
    }


def test_ca_secret_mount() -> None:
    """TestConstructCASecretMount: mount named like the volume, given secret, read-only."""
    volume, mount = ca_volume("my-ca")
    assert mount["name"] == volume["name"] == "spin-ca"
    assert volume["secret"]["secretName"] == "my-ca"
    assert volume["secret"]["optional"] is True
    assert mount["readOnly"] is True
    assert mount["mountPath"] == CA_PATH == "/etc/ssl/certs/ca-certificates.crt"
    assert mount["subPath"] == "ca-certificates.crt"


def test_user_and_generated_secret_is_an_error(make_app: AppFactory) -> None:
    """TestConstructVolumeMountsForApp_Contract: user secret + generated secret."""
    app = make_app(runtimeConfig={"loadFromSecret": "user-secret"})
    with pytest.raises(DesiredStateError, match="cannot specify both a user-provided runtime"):
        build_volumes(app, runtime_config_secret="generated", ca_secret=None)


def test_no_secrets_no_volumes(make_app: AppFactory) -> None:
    """TestConstructVolumeMountsForApp_Contract: no secrets give 0 volumes."""
    volumes = build_volumes(make_app(), runtime_config_secret=None, ca_secret=None)
    assert volumes.volumes == []
    assert volumes.mounts == []


def test_user_secret_only(make_app: AppFactory) -> None:
    """TestConstructVolumeMountsForApp_Contract: a user secret gives 1 volume using it."""
    app = make_app(runtimeConfig={"loadFromSecret": "user-secret"})
    volumes = build_volumes(app, runtime_config_secret=None, ca_secret=None)
    assert len(volumes.volumes) == 1
    assert volumes.volumes[0]["secret"]["secretName"] == "user-secret"


def test_generated_and_ca_secret(make_app: AppFactory) -> None:
    """TestConstructVolumeMountsForApp_Contract: generated + CA give 2, generated first."""
    volumes = build_volumes(make_app(), runtime_config_secret="gen", ca_secret="ca")
    assert [v["name"] for v in volumes.volumes] == ["spin-runtime-config", "spin-ca"]
    assert volumes.volumes[0]["secret"]["secretName"] == "gen"


def test_user_volumes_between_operator_volumes(make_app: AppFactory) -> None:
    app = make_app(
        volumes=[{"name": "data", "emptyDir": {}}],
        volumeMounts=[{"name": "data", "mountPath": "/mnt/data"}],
    )
    volumes = build_volumes(app, runtime_config_secret="gen", ca_secret="ca")
    assert [v["name"] for v in volumes.volumes] == ["spin-runtime-config", "data", "spin-ca"]
    assert volumes.volumes[1] == {"name": "data", "emptyDir": {}}
    assert [m["name"] for m in volumes.mounts] == ["spin-runtime-config", "data", "spin-ca"]


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        pytest.param({"runtimeClassName": "x"}, None, id="no-ca"),
        pytest.param(
            {"runtimeClassName": "x", "installDefaultCACerts": True}, "spin-ca", id="default"
        ),
        pytest.param(
            {
                "runtimeClassName": "x",
                "installDefaultCACerts": True,
                "caCertSecret": "my-custom-secret-name",
            },
            "my-custom-secret-name",
            id="custom-installed",
        ),
        pytest.param(
            {"runtimeClassName": "x", "caCertSecret": "mine"}, "mine", id="custom-mounted-only"
        ),
    ],
)
def test_ca_secret_name(
    make_executor: ExecutorFactory, config: dict[str, object], expected: str | None
) -> None:
    """..._Deployment_SpinCAInjection (pure part): which CA secret is used."""
    assert ca_secret_name(deployment_config(make_executor(deploymentConfig=config))) == expected


def test_spin_ca_injection(make_app: AppFactory, make_executor: ExecutorFactory) -> None:
    """..._Deployment_SpinCAInjection: secret built, volume `spin-ca` and its mount."""
    executor = make_executor(
        deploymentConfig={
            "runtimeClassName": "x",
            "installDefaultCACerts": True,
            "caCertSecret": "my-custom-secret-name",
        }
    )
    children = build_children(make_app(replicas=1), executor, ca_bundle="PEM BUNDLE")
    assert children.ca_secret == build_ca_secret(
        namespace="default", name="my-custom-secret-name", bundle="PEM BUNDLE"
    )
    assert children.deployment is not None
    pod = children.deployment["spec"]["template"]["spec"]
    (ca,) = [v for v in pod["volumes"] if v["name"] == "spin-ca"]
    assert ca["secret"]["secretName"] == "my-custom-secret-name"
    assert [m["name"] for m in pod["containers"][0]["volumeMounts"]].count("spin-ca") == 1


def test_ca_secret_shape() -> None:
    """Annotation (not label) managed-by, the bundle as stringData, no owner reference."""
    secret = build_ca_secret(namespace="ns", name="spin-ca", bundle="PEM")
    assert secret["metadata"] == {
        "name": "spin-ca",
        "namespace": "ns",
        "annotations": {"app.kubernetes.io/managed-by": "spin-operator.spinoperator.dev"},
    }
    assert secret["stringData"] == {"ca-certificates.crt": "PEM"}


def test_ca_secret_only_when_installing_defaults(
    make_app: AppFactory, make_executor: ExecutorFactory
) -> None:
    executor = make_executor(deploymentConfig={"runtimeClassName": "x", "caCertSecret": "mine"})
    children = build_children(make_app(replicas=1), executor, ca_bundle="PEM")
    assert children.ca_secret is None


def test_default_ca_secret_is_spin_ca(make_app: AppFactory, make_executor: ExecutorFactory) -> None:
    """..._Deployment_SpinCAInjection: installDefaultCACerts without a name gives `spin-ca`."""
    executor = make_executor(
        deploymentConfig={"runtimeClassName": "x", "installDefaultCACerts": True}
    )
    children = build_children(make_app(replicas=1), executor, ca_bundle="PEM")
    assert children.ca_secret is not None
    assert children.ca_secret["metadata"]["name"] == "spin-ca"
    assert "ownerReferences" not in children.ca_secret["metadata"]
