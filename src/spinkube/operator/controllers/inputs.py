"""Fetching what a SpinApp refers to: its executor and its runtime config's ConfigMaps and
Secrets. Missing objects are left out; the builders then say which one is missing and where."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Mapping

from lightkube.resources.core_v1 import ConfigMap, Secret
from pydantic import ValidationError

from spinkube.api import SpinApp, SpinAppExecutor, field_errors, format_field_errors
from spinkube.desired import ObjectRef, ResolvedInputs, runtime_config_dependencies
from spinkube.kube import Kube, NotFound
from spinkube.kube import SpinAppExecutor as ExecutorResource
from spinkube.operator.context import to_json
from spinkube.operator.controllers.cache import EXECUTOR, Cache
from spinkube.operator.controllers.errors import Rejected, RetryLater

MISSING_EXECUTOR = "MissingExecutor"
MISSING_REFERENCE = "MissingReference"
INVALID_SPEC = "InvalidSpec"


def parse_app(body: Mapping[str, object]) -> SpinApp:
    """The SpinApp model of a watched body (its status and kopf's bookkeeping left out)."""
    try:
        return SpinApp.model_validate({k: v for k, v in body.items() if k != "status"})
    except ValidationError as error:
        detail = format_field_errors(field_errors(error)).replace("\n", "; ")
        raise Rejected(f"invalid SpinApp: {detail}", reason=INVALID_SPEC) from error


def parse_executor(body: Mapping[str, object]) -> SpinAppExecutor:
    try:
        return SpinAppExecutor.model_validate({k: v for k, v in body.items() if k != "status"})
    except ValidationError as error:
        detail = format_field_errors(field_errors(error)).replace("\n", "; ")
        raise RetryLater(f"invalid SpinAppExecutor: {detail}", reason=INVALID_SPEC) from error


async def executor_of(kube: Kube, cache: Cache, app: SpinApp) -> SpinAppExecutor:
    """The app's executor, from the app's namespace: as the watch last saw it, else (an
    executor newer than the watch has told) fetched."""
    namespace, name = app.metadata.namespace or "default", app.spec.executor
    body = cache.get(EXECUTOR, namespace, name)
    if body is not None:
        return parse_executor(body)
    try:
        found = await kube.aio.get(ExecutorResource, name, namespace=namespace)
    except NotFound as error:
        message = f"Could not find SpinAppExecutor {namespace}/{name}"
        raise RetryLater(message, reason=MISSING_EXECUTOR) from error
    return parse_executor(to_json(found))


async def _fetch(kube: Kube, ref: ObjectRef) -> tuple[ObjectRef, dict[str, str] | None]:
    try:
        if ref.kind == "ConfigMap":
            cm = await kube.aio.get(ConfigMap, ref.name, namespace=ref.namespace)
            return ref, dict(cm.data or {})
        secret = await kube.aio.get(Secret, ref.name, namespace=ref.namespace)
        return ref, dict(secret.data or {})
    except NotFound:
        return ref, None


async def resolve_inputs(kube: Kube, app: SpinApp) -> ResolvedInputs:
    """The ConfigMaps and Secrets the runtime config reads, fetched concurrently."""
    refs = runtime_config_dependencies(app)
    if not refs:
        return ResolvedInputs()
    fetched = await asyncio.gather(*(_fetch(kube, ref) for ref in refs))
    config_maps = {r.name: d for r, d in fetched if d is not None and r.kind == "ConfigMap"}
    secrets = {
        r.name: {k: base64.b64decode(v) for k, v in d.items()}
        for r, d in fetched
        if d is not None and r.kind == "Secret"
    }
    return ResolvedInputs(config_maps=config_maps, secrets=secrets)
