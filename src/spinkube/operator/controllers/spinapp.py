"""The SpinApp reconciler: a short script of named steps (upstream-behaviour §1.4-§1.5).

    app       = parse_app(body)
    executor  = get_executor(...)            missing: Warning MissingExecutor, retry
    inputs    = resolve_inputs(...)          ConfigMaps and Secrets of the runtime config
    children  = build(...)                   spinkube.desired; a missing reference: retry
    create the CA Secret if missing, apply the runtime-config Secret
    apply the Deployment (or delete it: createDeployment false) and the Service
    write the status when it changed

Children are written with server-side apply (field manager `spin-operator`, force) every
time, so a reconciliation is idempotent: run it again after a restart, a deleted child or a
hand edit and the children converge back.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Any

from lightkube.resources.apps_v1 import Deployment

from spinkube.api import SpinApp, SpinAppExecutor
from spinkube.desired import (
    Children,
    DesiredStateError,
    ExecutorConfigError,
    MissingReferenceError,
    ResolvedInputs,
    build_children,
)
from spinkube.kube import Conflict, Kube, NotFound, load_manifest
from spinkube.kube import SpinApp as SpinAppResource
from spinkube.operator.context import NORMAL, WARNING, Context, Logger, Recorder, to_json
from spinkube.operator.controllers import status as st
from spinkube.operator.controllers.errors import ReconcileError, Rejected, RetryLater
from spinkube.operator.controllers.inputs import (
    INVALID_SPEC,
    MISSING_REFERENCE,
    get_executor,
    parse_app,
    resolve_inputs,
)
from spinkube.operator.controllers.state import AppKey, Applied

Json = dict[str, Any]
EXECUTOR_MISCONFIGURED = "ExecutorMisconfigured"
RECONCILED_REASON = "ReconcileSucceeded"


def key_of(app: SpinApp) -> AppKey:
    return AppKey(app.metadata.namespace or "default", str(app.metadata.name))


def key_of_body(body: Mapping[str, Any]) -> AppKey:
    meta = body.get("metadata") or {}
    return AppKey(str(meta.get("namespace") or "default"), str(meta.get("name")))


async def reconcile_spinapp(
    body: Mapping[str, Any], *, ctx: Context, record: Recorder, logger: Logger
) -> Children:
    """Bring the children of the app in `body` to their desired state, under the app's lock.

    Raises `RetryLater` or `Rejected` (after posting a Warning event and setting the
    `Reconciled` condition to False) when it cannot.
    """
    key = key_of_body(body)
    async with ctx.apps.lock(key), ctx.reconcile_slots:  # lock first: no wait cycles
        ctx.apps.status.setdefault(key, dict(body.get("status") or {}))
        try:
            children = await _steps(parse_app(body), ctx=ctx, record=record, logger=logger)
        except ReconcileError as error:
            record(WARNING, error.reason, error.message)
            await _set_reconciled(ctx, key, "False", error.reason, error.message)
            ctx.apps.waiting.add(key)
            raise
        ctx.apps.waiting.discard(key)
        return children


async def _steps(app: SpinApp, *, ctx: Context, record: Recorder, logger: Logger) -> Children:
    key = key_of(app)
    executor = await get_executor(ctx.kube, app)
    children = build(app, executor, await _inputs(ctx.kube, app), ca_bundle=ctx.ca_bundle)
    await ensure_secrets(ctx, key, children)
    deployment = await apply_deployment(ctx, key, children, record=record, logger=logger)
    await apply_service(ctx, key, children)
    if executor.spec.create_deployment:
        ctx.apps.reconciled[key] = _reconciled_condition()
        await write_status(ctx, key, executor=executor.metadata.name or "", deployment=deployment)
    return children


async def _inputs(kube: Kube, app: SpinApp) -> ResolvedInputs:
    try:
        return await resolve_inputs(kube, app)
    except DesiredStateError as error:
        raise Rejected(str(error), reason=INVALID_SPEC) from error


def build(
    app: SpinApp, executor: SpinAppExecutor, inputs: ResolvedInputs, *, ca_bundle: str | None
) -> Children:
    """The desired children; builder errors become retries (the fix may be in another
    object: a missing ConfigMap, the executor) or rejections (the app itself is wrong)."""
    try:
        return build_children(app, executor, inputs=inputs, ca_bundle=ca_bundle)
    except MissingReferenceError as error:
        raise RetryLater(str(error), reason=MISSING_REFERENCE) from error
    except ExecutorConfigError as error:
        raise RetryLater(str(error), reason=EXECUTOR_MISCONFIGURED) from error
    except DesiredStateError as error:
        raise Rejected(str(error), reason=INVALID_SPEC) from error


async def _create_if_missing(kube: Kube, manifest: Json | None) -> None:
    """Create an object; one that already exists is left as it is."""
    if manifest is None:
        return
    with contextlib.suppress(Conflict):
        await kube.aio.create(load_manifest(manifest))


async def ensure_secrets(ctx: Context, key: AppKey, children: Children) -> None:
    """Create the shared CA Secret unless it exists (never updated, as upstream); apply the
    runtime-config Secret, so that a hand edit reverts (its name is the hash of its content:
    a new configuration is a new Secret)."""
    await _create_if_missing(ctx.kube, children.ca_secret)
    applied = ctx.apps.applied.setdefault(key, Applied())
    secret = children.runtime_config_secret
    if secret is None:
        applied.secret = applied.secret_version = None
        return
    result: Any = await ctx.kube.aio.apply(load_manifest(secret))
    applied.secret = secret
    applied.secret_version = result.metadata.resourceVersion if result.metadata else None


async def apply_deployment(
    ctx: Context, key: AppKey, children: Children, *, record: Recorder, logger: Logger
) -> Json | None:
    """Apply the Deployment, or delete any Deployment of the app when the executor wants none."""
    applied = ctx.apps.applied.setdefault(key, Applied())
    if children.deployment is None:
        applied.deployment_generation = applied.deployment = None
        if await delete_deployment(ctx.kube, key):
            logger.info("deleted Deployment %s: the executor creates no Deployments", key.name)
            record(
                NORMAL,
                "DeploymentDeleted",
                f"Deleted Deployment {key.name}: the executor does not use operator deployments",
            )
        return None
    result: Any = await ctx.kube.aio.apply(load_manifest(children.deployment))
    applied.deployment_generation = result.metadata.generation if result.metadata else None
    applied.deployment = children.deployment
    return to_json(result)


async def delete_deployment(kube: Kube, key: AppKey) -> bool:
    try:
        await kube.aio.delete(Deployment, key.name, namespace=key.namespace)
    except NotFound:
        return False
    return True


async def apply_service(ctx: Context, key: AppKey, children: Children) -> None:
    result: Any = await ctx.kube.aio.apply(load_manifest(children.service))
    applied = ctx.apps.applied.setdefault(key, Applied())
    applied.service_version = result.metadata.resourceVersion if result.metadata else None
    applied.service = children.service


def _reconciled_condition() -> Json:
    return st.condition(
        st.RECONCILED, "True", RECONCILED_REASON, "children are up to date", at=st.now()
    )


async def write_status(
    ctx: Context, key: AppKey, *, executor: str, deployment: Mapping[str, Any] | None
) -> None:
    """Patch the app's status from its Deployment, only when it changed; never from a
    Deployment older than one the status already came from (a watch event that waited for
    the app's lock while a reconciliation wrote a newer state)."""
    if deployment is not None and not ctx.apps.newest_deployment(key, deployment):
        return
    previous = ctx.apps.status.get(key)
    new = st.deployment_status(
        executor=executor,
        deployment=deployment,
        reconciled=ctx.apps.reconciled.get(key),
        previous=previous,
        app=key.name,
    )
    await _patch_status(ctx, key, previous, new)


async def _set_reconciled(ctx: Context, key: AppKey, status: str, reason: str, msg: str) -> None:
    cond = st.condition(st.RECONCILED, status, reason, msg, at=st.now())
    ctx.apps.reconciled[key] = cond
    previous = ctx.apps.status.get(key)
    # The app may be gone or changing; the next reconciliation writes the status then.
    with contextlib.suppress(NotFound, Conflict):
        await _patch_status(ctx, key, previous, st.with_condition(previous, cond))


async def _patch_status(
    ctx: Context, key: AppKey, previous: Mapping[str, Any] | None, new: Json
) -> None:
    if not st.changed(previous, new):
        return
    await ctx.kube.aio.patch(
        SpinAppResource.Status, key.name, {"status": new}, namespace=key.namespace
    )
    ctx.apps.status[key] = new


__all__ = ["RetryLater", "key_of", "reconcile_spinapp"]
