"""SpinApp validation: upstream's rules (executor, replicas, annotations) and the whole check.

Each rule is a small function returning its field errors; `validate_spinapp` runs them all.
The executor lookup is passed in, so the webhook passes an API call and tests a lambda.
"""

from __future__ import annotations

from collections.abc import Callable

from spinkube.admission import extra
from spinkube.admission.errors import FieldError
from spinkube.api import SpinApp, SpinAppExecutor, SpinAppSpec

ExecutorGetter = Callable[[str, str], SpinAppExecutor | None]
"""(namespace, name) -> that SpinAppExecutor, or None when it cannot be fetched."""

NO_EXECUTOR = (
    "executor must be set, likely no default executor was set because you have no executors "
    "installed"
)
EXECUTOR_NOT_FOUND = "executor does not exist in namespace"
REPLICAS_WITH_AUTOSCALING = "replicas cannot be set when autoscaling is enabled"
REPLICAS_TOO_LOW = "replicas must be > 0"
NO_OPERATOR_DEPLOYMENT = "can't be set when the executor does not use operator deployments"


def validate_executor_ref(
    app: SpinApp, get_executor: ExecutorGetter
) -> tuple[SpinAppExecutor | None, list[FieldError]]:
    """The app's executor, which must be named and exist in the app's namespace."""
    name = app.spec.executor
    if not name:
        return None, [FieldError("spec.executor", name, NO_EXECUTOR)]
    executor = get_executor(app.metadata.namespace or "default", name)
    if executor is None:
        return None, [FieldError("spec.executor", name, EXECUTOR_NOT_FOUND)]
    return executor, []


def validate_replicas(spec: SpinAppSpec) -> list[FieldError]:
    """No replicas with autoscaling; at least one without (an unset count is 0)."""
    replicas = spec.replicas or 0
    if spec.enable_autoscaling and replicas != 0:
        return [FieldError("spec.replicas", replicas, REPLICAS_WITH_AUTOSCALING)]
    if not spec.enable_autoscaling and replicas < 1:
        return [FieldError("spec.replicas", replicas, REPLICAS_TOO_LOW)]
    return []


def validate_annotations(spec: SpinAppSpec, executor: SpinAppExecutor | None) -> list[FieldError]:
    """Deployment and pod annotations need a Deployment; at most one error, as upstream."""
    if executor is None or executor.spec.create_deployment:
        return []
    for field, value in (
        ("deploymentAnnotations", spec.deployment_annotations),
        ("podAnnotations", spec.pod_annotations),
    ):
        if value:
            return [FieldError(f"spec.{field}", value, f"{field} {NO_OPERATOR_DEPLOYMENT}")]
    return []


def validate_spinapp(app: SpinApp, *, get_executor: ExecutorGetter) -> list[FieldError]:
    """Every problem with `app`, upstream's rules first, then ours; empty when it is valid."""
    executor, errors = validate_executor_ref(app, get_executor)
    errors += validate_replicas(app.spec)
    errors += validate_annotations(app.spec, executor)
    errors += extra.validate_spec(app.spec)
    return errors
