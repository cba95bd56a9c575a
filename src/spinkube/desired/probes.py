"""Health checks to Kubernetes probes (upstream `SpinHealthCheckToCoreProbe`)."""

from __future__ import annotations

from spinkube.api import DEFAULT_HTTP_PORT, HealthProbe, SpinApp
from spinkube.desired.env import listen_port
from spinkube.desired.errors import ProbeError
from spinkube.desired.meta import Manifest

UNKNOWN_PROBE = "probe exists but with unknown configuration, expected httpGet"


def build_probe(check: HealthProbe | None, *, port: int = DEFAULT_HTTP_PORT) -> Manifest | None:
    """An httpGet probe on the app's port with the check's headers and its five numbers."""
    if check is None:
        return None
    if check.http_get is None:
        raise ProbeError(UNKNOWN_PROBE)
    http_get: Manifest = {"path": check.http_get.path, "port": port}
    if check.http_get.http_headers:
        http_get["httpHeaders"] = [
            {"name": h.name, "value": h.value} for h in check.http_get.http_headers
        ]
    return {
        "httpGet": http_get,
        "initialDelaySeconds": check.initial_delay_seconds,
        "timeoutSeconds": check.timeout_seconds,
        "periodSeconds": check.period_seconds,
        "successThreshold": check.success_threshold,
        "failureThreshold": check.failure_threshold,
    }


def build_probes(app: SpinApp) -> Manifest:
    """`livenessProbe` and `readinessProbe` for the container, each only when its check is set."""
    checks = app.spec.checks
    if checks is None:
        return {}
    probes: Manifest = {}
    for kind, check in (("readiness", checks.readiness), ("liveness", checks.liveness)):
        try:
            probe = build_probe(check, port=listen_port(app))
        except ProbeError as e:
            raise ProbeError(f"failed to construct {kind} probe: {e}") from e
        if probe is not None:
            probes[f"{kind}Probe"] = probe
    return dict(sorted(probes.items()))
