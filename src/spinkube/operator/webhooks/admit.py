"""The four webhooks: one AdmissionRequest in, one AdmissionReview out.

The rules are `spinkube.admission`'s; this module only fetches what they look up (the
executors of the app's namespace, through `Lookups`) and turns field errors into denials.
An object the schema models refuse is denied with those field errors too.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from pydantic import ValidationError

from spinkube.admission import (
    default_spinapp,
    invalid_message,
    validate_executor,
    validate_spinapp,
)
from spinkube.api import (
    EXECUTOR_KIND,
    SPINAPP_KIND,
    SpinApp,
    SpinAppExecutor,
    field_errors,
)
from spinkube.operator.webhooks.lookups import Lookups
from spinkube.operator.webhooks.review import (
    AdmissionRequest,
    Json,
    allowed,
    denied,
    set_field_patch,
)

Admit = Callable[[AdmissionRequest, Lookups], Awaitable[Json]]

DELETE = "DELETE"


def _essence(obj: Json | None) -> Json:
    """The object without its status, which the models do not check."""
    return {k: v for k, v in (obj or {}).items() if k != "status"}


def _parse_app(request: AdmissionRequest) -> SpinApp | Json:
    """The app's model, or the denial for an object the model refuses."""
    try:
        return SpinApp.model_validate(_essence(request.object))
    except ValidationError as error:
        message = invalid_message(SPINAPP_KIND, request.name, field_errors(error))
        return denied(request.uid, message)


async def mutate_spinapp(request: AdmissionRequest, lookups: Lookups) -> Json:
    """Default `spec.executor` to the alphabetically first executor of the app's namespace,
    or to `""` when there is none."""
    if request.operation == DELETE or request.object is None:
        return allowed(request.uid)
    app = _parse_app(request)
    if not isinstance(app, SpinApp) or app.spec.executor:
        return allowed(request.uid)  # the validating webhook explains what is wrong
    names = await lookups.executor_names(request.namespace)
    defaulted = default_spinapp(app, list_executors=lambda _ns: names)
    if not defaulted.spec.executor and "executor" in (request.object.get("spec") or {}):
        return allowed(request.uid)
    # With no executor installed this writes `executor: ""`, as upstream does: the schema
    # (which requires the field) then lets the app through to the validating webhook, whose
    # message says that no executor is installed.
    patch = set_field_patch(request.object, ("spec", "executor"), defaulted.spec.executor)
    return allowed(request.uid, patch)


async def validate_spinapp_request(request: AdmissionRequest, lookups: Lookups) -> Json:
    if request.operation == DELETE or request.object is None:
        return allowed(request.uid)
    app = _parse_app(request)
    if not isinstance(app, SpinApp):
        return app
    executor = await lookups.executor(request.namespace, app.spec.executor)
    errors = validate_spinapp(app, get_executor=lambda _ns, _name: executor)
    if errors:
        return denied(request.uid, invalid_message(SPINAPP_KIND, request.name, errors))
    return allowed(request.uid)


async def mutate_executor(request: AdmissionRequest, lookups: Lookups) -> Json:
    """Upstream's executor defaulting is a no-op; kept so the four paths exist."""
    return allowed(request.uid)


async def validate_executor_request(request: AdmissionRequest, lookups: Lookups) -> Json:
    if request.operation == DELETE or request.object is None:
        return allowed(request.uid)
    try:
        executor = SpinAppExecutor.model_validate(_essence(request.object))
    except ValidationError as error:
        return denied(
            request.uid, invalid_message(EXECUTOR_KIND, request.name, field_errors(error))
        )
    errors = validate_executor(executor)
    if errors:
        return denied(request.uid, invalid_message(EXECUTOR_KIND, request.name, errors))
    return allowed(request.uid)


WEBHOOKS: dict[str, tuple[str, Admit]] = {
    "/mutate-core-spinoperator-dev-v1alpha1-spinapp": ("mspinapp.kb.io", mutate_spinapp),
    "/validate-core-spinoperator-dev-v1alpha1-spinapp": (
        "vspinapp.kb.io",
        validate_spinapp_request,
    ),
    "/mutate-core-spinoperator-dev-v1alpha1-spinappexecutor": (
        "mspinappexecutor.kb.io",
        mutate_executor,
    ),
    "/validate-core-spinoperator-dev-v1alpha1-spinappexecutor": (
        "vspinappexecutor.kb.io",
        validate_executor_request,
    ),
}
"""Path -> (webhook name, handler), as in the chart's webhook configurations."""
