"""`spec.env`: extra container variables Kubernetes accepts and the operator does not set."""

from __future__ import annotations

from typing import Any

import pytest

from spinkube.admission import validate_env
from spinkube.api import SpinApp


def _errors(*env: dict[str, Any]) -> list[str]:
    app = SpinApp.model_validate(
        {"metadata": {"name": "a"}, "spec": {"image": "x", "env": list(env)}}
    )
    return [str(e) for e in validate_env(app.spec)]


def test_values_and_sources_are_accepted() -> None:
    source = {"fieldRef": {"fieldPath": "status.hostIP"}}
    assert (
        _errors({"name": "RUST_LOG", "value": "info"}, {"name": "NODE_IP", "valueFrom": source})
        == []
    )


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        pytest.param(
            [{"name": "SPIN_HTTP_LISTEN_ADDR", "value": "0.0.0.0:1"}],
            'spec.env[0].name: Invalid value: "SPIN_HTTP_LISTEN_ADDR": the operator sets this '
            "variable itself: use listenPort, variables or the executor's otel",
            id="listen-address",
        ),
        pytest.param(
            [{"name": "SPIN_VARIABLE_X", "value": "1"}],
            'spec.env[0].name: Invalid value: "SPIN_VARIABLE_X": the operator sets this '
            "variable itself: use listenPort, variables or the executor's otel",
            id="variable-prefix",
        ),
        pytest.param(
            [{"name": "A", "value": "1"}, {"name": "A", "value": "2"}],
            'spec.env[1].name: Duplicate value: "A"',
            id="duplicate",
        ),
        pytest.param(
            [{"name": "1A", "value": "1"}],
            'spec.env[0].name: Invalid value: "1A": a valid environment variable name',
            id="bad-name",
        ),
        pytest.param(
            [{"name": "A", "value": "1", "valueFrom": {"fieldRef": {"fieldPath": "x"}}}],
            'spec.env[0].valueFrom: Invalid value: "": may not be specified when `value` is not '
            "empty",
            id="value-and-source",
        ),
    ],
)
def test_refused(env: list[dict[str, Any]], expected: str) -> None:
    (error,) = _errors(*env)
    assert error.startswith(expected)
