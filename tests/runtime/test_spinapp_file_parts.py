"""What `up -f spinapp.yaml` builds from the file alone, before anything is pulled: the pod's
variable environment, the runtime config, the checks, and the one-line errors."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
import yaml

from spinkube.runtime.errors import StartupError, UsageError
from spinkube.runtime.spinapp_file import load_spinapp_file
from spinkube.runtime.variables import parse_variable_flags

RUNTIME_CONFIG_TOML = "[[config_provider]]\ntype = 'env'\nprefix = 'SPIN_VARIABLE_'\n"


def write(tmp_path: Path, *documents: object) -> Path:
    path = tmp_path / "spinapp.yaml"
    path.write_text(yaml.safe_dump_all(documents))
    return path


def spinapp(**spec: object) -> dict[str, object]:
    return {
        "apiVersion": "core.spinoperator.dev/v1alpha1",
        "kind": "SpinApp",
        "metadata": {"name": "demo"},
        "spec": {"image": "localhost:5000/demo:v1", "executor": "containerd-shim-spin", **spec},
    }


def test_literal_and_in_file_values_become_the_pods_environment(tmp_path: Path) -> None:
    secret = {
        "kind": "Secret",
        "metadata": {"name": "s"},
        "data": {"pw": base64.b64encode(b"from data").decode()},
        "stringData": {"token": "from stringData"},
    }
    variables = [
        {"name": "plain", "value": "literal"},
        {"name": "pw", "valueFrom": {"secretKeyRef": {"name": "s", "key": "pw"}}},
        {"name": "token", "valueFrom": {"secretKeyRef": {"name": "s", "key": "token"}}},
        {
            "name": "maybe",
            "valueFrom": {"configMapKeyRef": {"name": "absent", "key": "k", "optional": True}},
        },
    ]
    local = load_spinapp_file(
        write(tmp_path, secret, spinapp(variables=variables, components=["web"])),
        variables={"plain": "flag wins"},
    )
    assert local.environ == {
        "SPIN_VARIABLE_PW": "from data",
        "PW": "from data",
        "SPIN_VARIABLE_TOKEN": "from stringData",
        "TOKEN": "from stringData",
        "SPIN_VARIABLE_PLAIN": "flag wins",
        "PLAIN": "flag wins",
    }
    assert (local.image, local.components) == ("localhost:5000/demo:v1", ("web",))
    assert local.runtime_config == RUNTIME_CONFIG_TOML  # what the operator writes for no config


def test_a_field_ref_is_named_as_needing_a_pod(tmp_path: Path) -> None:
    variables = [{"name": "pod", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}]
    path = write(tmp_path, spinapp(variables=variables))
    with pytest.raises(StartupError) as error:
        load_spinapp_file(path, variables={})
    assert str(error.value) == (
        f"{path}: cannot resolve without a cluster: spec.variables[0].valueFrom.fieldRef "
        "(only a pod has it) for 'pod' (define it in the same file, or give it with "
        "--variable NAME=VALUE)"
    )


def test_runtime_config_from_a_secret_in_the_file(tmp_path: Path) -> None:
    toml = '[key_value_store.default]\ntype = "spin"\n'
    secret = {
        "kind": "Secret",
        "metadata": {"name": "rc"},
        "stringData": {"runtime-config.toml": toml},
    }
    local = load_spinapp_file(
        write(tmp_path, secret, spinapp(runtimeConfig={"loadFromSecret": "rc"})), variables={}
    )
    assert local.runtime_config == toml


@pytest.mark.parametrize(
    ("documents", "message"),
    [
        ([], "expected one SpinApp (kind: SpinApp), found 0"),
        (
            [spinapp(replicas="two")],
            'spec.replicas: Invalid value: "two": Input should be a valid integer',
        ),
        (
            [
                spinapp(
                    runtimeConfig={
                        "keyValueStores": [
                            {
                                "name": "default",
                                "type": "redis",
                                "options": [
                                    {
                                        "name": "url",
                                        "valueFrom": {"secretKeyRef": {"name": "db", "key": "url"}},
                                    }
                                ],
                            }
                        ]
                    }
                )
            ],
            "spec.runtimeConfig reads Secret default/db, which cannot be read without a cluster",
        ),
        (
            [spinapp(checks={"liveness": {"periodSeconds": 3}})],
            "spec.checks: failed to construct liveness probe",
        ),
    ],
    ids=["no-spinapp", "invalid-field", "runtime-config-secret", "check-without-http-get"],
)
def test_mistakes_are_one_line_naming_the_file_and_field(
    tmp_path: Path, documents: list[object], message: str
) -> None:
    path = write(tmp_path, *documents) if documents else tmp_path / "empty.yaml"
    if not documents:
        path.write_text("# nothing\n")
    with pytest.raises(StartupError) as error:
        load_spinapp_file(path, variables={})
    assert str(error.value).startswith(f"{path}: {message}")
    assert "\n" not in str(error.value)


def test_variable_flags_need_a_name_and_an_equals_sign() -> None:
    assert parse_variable_flags(["a=1", "b==2", "c="]) == {"a": "1", "b": "=2", "c": ""}
    with pytest.raises(UsageError, match="--variable: expected NAME=VALUE, got 'oops'"):
        parse_variable_flags(["oops"])
