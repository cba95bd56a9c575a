"""The container environment of a SpinApp, in upstream's order (`ConstructEnvForApp`)."""

from __future__ import annotations

from spinkube.api import DEFAULT_HTTP_PORT, ExecutorDeploymentConfig, OtelConfig, SpinApp, SpinVar
from spinkube.desired.meta import Manifest
from spinkube.desired.runtime_config import ENV_PREFIX

LISTEN_ADDR_ENV = "SPIN_HTTP_LISTEN_ADDR"
COMPONENTS_ENV = "SPIN_COMPONENTS_TO_RETAIN"
_OTEL_ENV = (
    ("exporter_otlp_endpoint", "OTEL_EXPORTER_OTLP_ENDPOINT"),
    ("exporter_otlp_traces_endpoint", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"),
    ("exporter_otlp_metrics_endpoint", "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"),
    ("exporter_otlp_logs_endpoint", "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT"),
)


def variable_env_name(name: str) -> str:
    """`SPIN_VARIABLE_` + the name upper-cased, nothing else changed."""
    return ENV_PREFIX + name.upper()


def _variable(var: SpinVar) -> Manifest:
    env: Manifest = {"name": variable_env_name(var.name)}
    if var.value:
        env["value"] = var.value
    if var.value_from is not None:
        env["valueFrom"] = var.value_from.model_dump(mode="json", exclude_none=True)
    return env


def _otel(otel: OtelConfig | None) -> list[Manifest]:
    if otel is None:
        return []
    pairs = ((env, getattr(otel, field)) for field, env in _OTEL_ENV)
    return [{"name": env, "value": value} for env, value in pairs if value]


def listen_port(app: SpinApp) -> int:
    """The port the app listens on in its pod: `spec.listenPort`, else 80 as upstream."""
    return app.spec.listen_port or DEFAULT_HTTP_PORT


def build_env(app: SpinApp, config: ExecutorDeploymentConfig) -> list[Manifest]:
    """Variables, listen address, OTel endpoints, the components to retain, then `spec.env`."""
    env = [_variable(v) for v in app.spec.variables or []]
    env.append({"name": LISTEN_ADDR_ENV, "value": f"0.0.0.0:{listen_port(app)}"})
    env += _otel(config.otel)
    if app.spec.components is not None:
        env.append({"name": COMPONENTS_ENV, "value": ",".join(app.spec.components)})
    env += [var.model_dump(mode="json", exclude_none=True) for var in app.spec.env or []]
    return env
