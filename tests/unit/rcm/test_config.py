"""The controller's flags and environment: upstream's defaults, clear errors naming the input."""

from __future__ import annotations

import pytest

from spinkube.manager.config import BindAddress
from spinkube.rcm.controller.config import parse_args

ENV = {
    "CONTROLLER_NAMESPACE": "rcm",
    "SHIM_DOWNLOADER_IMAGE": "d:1",
    "SHIM_NODE_INSTALLER_IMAGE": "i:1",
}


def test_defaults_are_upstreams() -> None:
    config = parse_args([], ENV)
    assert config.health_address == BindAddress("0.0.0.0", 8082)
    assert config.metrics_address == BindAddress("0.0.0.0", 8080)
    assert config.leader_election.lease_name == "7584d300.kwasm.sh"
    assert config.leader_election.enabled is False
    assert (config.jobs.namespace, config.jobs.ttl_seconds) == ("rcm", 0)


def test_environment_sets_the_job_settings() -> None:
    env = {**ENV, "SHIM_NODE_INSTALLER_JOB_TTL": "300"}
    jobs = parse_args(["--leader-elect"], env).jobs
    assert (jobs.downloader_image, jobs.installer_image, jobs.ttl_seconds) == ("d:1", "i:1", 300)


def test_namespace_falls_back_to_the_pods() -> None:
    env = {**ENV, "CONTROLLER_NAMESPACE": "", "POD_NAMESPACE": "kube-system"}
    assert parse_args([], env).jobs.namespace == "kube-system"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        pytest.param(
            {**ENV, "SHIM_DOWNLOADER_IMAGE": ""},
            "SHIM_DOWNLOADER_IMAGE: required",
            id="no-downloader",
        ),
        pytest.param(
            {**ENV, "SHIM_NODE_INSTALLER_JOB_TTL": "soon"},
            "SHIM_NODE_INSTALLER_JOB_TTL: Invalid value: 'soon'",
            id="ttl-text",
        ),
        pytest.param(
            {**ENV, "SHIM_NODE_INSTALLER_JOB_TTL": "-1"},
            "SHIM_NODE_INSTALLER_JOB_TTL: Invalid value",
            id="ttl-negative",
        ),
        pytest.param(
            {k: v for k, v in ENV.items() if k != "CONTROLLER_NAMESPACE"},
            "CONTROLLER_NAMESPACE: required",
            id="no-namespace",
        ),
    ],
)
def test_bad_environment_is_a_usage_error_naming_the_variable(
    env: dict[str, str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        parse_args([], env)
    assert exited.value.code == 2
    assert message in capsys.readouterr().err
