"""Probe conversion (upstream `deployment_test.go` `TestSpinHealthCheckToCoreProbe`)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from spinkube.api import HealthProbe, SpinApp
from spinkube.desired import ProbeError, build_probe, build_probes

AppFactory = Callable[..., SpinApp]


def test_nil_check_gives_no_probe() -> None:
    """TestSpinHealthCheckToCoreProbe: nil gives nil."""
    assert build_probe(None) is None


def test_empty_check_is_an_error() -> None:
    """TestSpinHealthCheckToCoreProbe: `{}` gives "probe exists but with unknown configuration"."""
    with pytest.raises(ProbeError, match="probe exists but with unknown configuration"):
        build_probe(HealthProbe.model_validate({}))


def test_full_check_maps_to_port_80_with_all_fields() -> None:
    """TestSpinHealthCheckToCoreProbe: a full probe maps to port 80 with every field."""
    check = HealthProbe.model_validate(
        {
            "httpGet": {"path": "/healthz", "httpHeaders": [{"name": "X-Probe", "value": "1"}]},
            "initialDelaySeconds": 2,
            "timeoutSeconds": 3,
            "periodSeconds": 4,
            "successThreshold": 5,
            "failureThreshold": 6,
        }
    )
    assert build_probe(check) == {
        "httpGet": {
            "path": "/healthz",
            "port": 80,
            "httpHeaders": [{"name": "X-Probe", "value": "1"}],
        },
        "initialDelaySeconds": 2,
        "timeoutSeconds": 3,
        "periodSeconds": 4,
        "successThreshold": 5,
        "failureThreshold": 6,
    }


def test_defaults_are_the_crd_defaults() -> None:
    probe = build_probe(HealthProbe.model_validate({"httpGet": {"path": "/"}}))
    assert probe is not None
    numbers = [probe[k] for k in ("initialDelaySeconds", "timeoutSeconds", "periodSeconds")]
    assert [*numbers, probe["successThreshold"], probe["failureThreshold"]] == [10, 1, 10, 1, 3]


@pytest.mark.parametrize("kind", ["readiness", "liveness"])
def test_check_error_is_wrapped_with_its_kind(make_app: AppFactory, kind: str) -> None:
    app = make_app(checks={kind: {}})
    with pytest.raises(ProbeError) as caught:
        build_probes(app)
    assert str(caught.value) == (
        f"failed to construct {kind} probe: "
        "probe exists but with unknown configuration, expected httpGet"
    )


def test_no_checks_no_probes(make_app: AppFactory) -> None:
    assert build_probes(make_app()) == {}
    assert build_probes(make_app(checks={})) == {}


def test_only_given_checks_become_probes(make_app: AppFactory) -> None:
    probes = build_probes(make_app(checks={"readiness": {"httpGet": {"path": "/ready"}}}))
    assert list(probes) == ["readinessProbe"]
    assert probes["readinessProbe"]["httpGet"] == {"path": "/ready", "port": 80}
