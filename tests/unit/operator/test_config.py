"""The manager's flags, as the Helm chart passes them."""

from __future__ import annotations

from pathlib import Path

import pytest

from spinkube.operator.config import BindAddress, parse_args


def test_defaults_are_upstreams() -> None:
    config = parse_args([], environ={})

    assert config.health_address == BindAddress("0.0.0.0", 8082)
    assert config.metrics_address == BindAddress("0.0.0.0", 8080)
    assert config.webhooks.enabled is False
    assert config.webhooks.address == BindAddress("0.0.0.0", 9443)
    assert config.webhooks.cert_file == Path("/tmp/k8s-webhook-server/serving-certs/tls.crt")
    assert config.leader_election.enabled is False
    assert config.leader_election.lease_name == "spin-operator-leader"
    assert (config.log_level, config.log_format, config.namespace) == ("info", "plain", None)
    assert config.metrics_secure is True
    assert config.sync_period == 36000.0


@pytest.mark.parametrize(
    ("flags", "secure"),
    [
        (["--metrics-secure"], True),
        (["--metrics-secure=true"], True),
        (["--metrics-secure=false"], False),
        (["--metrics-secure=false", "--metrics-secure"], True),
    ],
)
def test_metrics_secure_is_a_go_style_boolean(flags: list[str], secure: bool) -> None:
    assert parse_args(flags, environ={}).metrics_secure is secure


@pytest.mark.parametrize("flags", [["--metrics-secure=maybe"], ["--sync-period=-1"]])
def test_bad_values_are_flag_errors(flags: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        parse_args(flags, environ={})
    assert caught.value.code == 2
    assert flags[0].split("=")[0] in capsys.readouterr().err


def test_the_charts_flags_and_the_pod_environment() -> None:
    config = parse_args(
        [
            "--health-probe-bind-address=:8082",
            "--metrics-bind-address=:8443",
            "--leader-elect",
            "--enable-webhooks",
            "--log-format=json",
            "--log-level=debug",
            "--leader-election-namespace=spin-operator",
        ],
        environ={"POD_NAME": "spin-operator-abc", "POD_NAMESPACE": "ignored"},
    )

    assert config.metrics_address.port == 8443
    assert config.webhooks.enabled is True
    assert config.leader_election.enabled is True
    assert config.leader_election.namespace == "spin-operator"
    assert config.leader_election.identity == "spin-operator-abc"
    assert (config.leader_election.lease_duration, config.leader_election.renew_deadline) == (
        15.0,
        10.0,
    )
    assert config.leader_election.retry_period == 2.0
    assert config.log_format == "json"


def test_the_lease_namespace_defaults_to_the_pods() -> None:
    config = parse_args(["--leader-elect"], environ={"POD_NAMESPACE": "spin-operator"})

    assert config.leader_election.namespace == "spin-operator"
    assert config.leader_election.identity  # hostname_pid without POD_NAME


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(":8080", BindAddress("0.0.0.0", 8080), id="port-only"),
        pytest.param("127.0.0.1:9443", BindAddress("127.0.0.1", 9443), id="host-and-port"),
        pytest.param("[::1]:8082", BindAddress("::1", 8082), id="ipv6"),
        pytest.param("0", None, id="no-colon"),
        pytest.param("host:http", None, id="named-port"),
    ],
)
def test_bind_addresses(text: str, expected: BindAddress | None) -> None:
    if expected is None:
        with pytest.raises(ValueError, match="invalid bind address"):
            BindAddress.parse(text)
    else:
        assert BindAddress.parse(text) == expected


def test_port_zero_disables_a_server() -> None:
    assert parse_args(["--metrics-bind-address=:0"], environ={}).metrics_address.enabled is False


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(["--metrics-bind-address=nonsense"], id="bad-address"),
        pytest.param(["--leader-election-renew-deadline=20"], id="deadline-beyond-duration"),
        pytest.param(["--log-format=xml"], id="unknown-format"),
    ],
)
def test_bad_flags_are_usage_errors(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        parse_args(argv, environ={})

    assert exit_info.value.code == 2
    assert "spin-operator: error:" in capsys.readouterr().err
