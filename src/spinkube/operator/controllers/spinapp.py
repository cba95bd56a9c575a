"""The SpinApp reconciler: a short script of named steps (upstream-behaviour §1.4-§1.5).

    know what exists                         controllers.cache: listed once, then watched
    app       = parse_app(body)
    executor  = executor_of(...)             from the cache; missing: Warning, retry
    inputs    = resolve_inputs(...)          ConfigMaps and Secrets of the runtime config
    children  = build(...)                   spinkube.desired; a missing reference: retry
    create the CA Secret and the runtime-config Secret if missing
    apply the Deployment (or delete it: createDeployment false) and the Service
    write the status when it changed

A child is written with server-side apply (field manager `spin-operator`, force) only when
what exists differs from it: each applied manifest carries the hash of its content
(`APPLIED_HASH`), and a child whose watched body still has the hash and every applied field
(`drift.conforms`) is left alone. So a restart or a resync with nothing changed writes
nothing, and one after a deleted child or a hand edit converges it back.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Mapping
from typing import Any

from lightkube.resources.apps_v1 import Deployment
from lightkube.resources.core_v1 import Secret

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
from spinkube.operator.controllers.cache import DEPLOYMENT, SECRET, SERVICE
from spinkube.operator.controllers.drift import conforms
from spinkube.operator.controllers.errors import ReconcileError, Rejected, RetryLater
from spinkube.operator.controllers.inputs import (
    INVALID_SPEC,
    MISSING_REFERENCE,
    executor_of,
    parse_app,
    resolve_inputs,
)
from spinkube.operator.controllers.state import AppKey, Applied

Json = dict[str, Any]
EXECUTOR_MISCONFIGURED = "ExecutorMisconfigured"
RECONCILED_REASON = "ReconcileSucceeded"
APPLIED_HASH = "core.spinoperator.dev/applied-hash"
"""Annotation on an applied child: the hash of the manifest the operator applied."""


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
    await ctx.cache.warm(ctx.kube, ctx.namespace)
    executor = await executor_of(ctx.kube, ctx.cache, app)
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


def stamped(manifest: Json) -> Json:
    """`manifest` with the hash of its content in the `APPLIED_HASH` annotation."""
    digest = hashlib.sha256(json.dumps(manifest, sort_keys=True).encode()).hexdigest()[:16]
    meta = manifest["metadata"]
    annotations = {**(meta.get("annotations") or {}), APPLIED_HASH: digest}
    return {**manifest, "metadata": {**meta, "annotations": annotations}}


async def ensure_applied(ctx: Context, kind: str, manifest: Json) -> Json:
    """The child as it is once it matches `manifest`: the watched one when it already does
    (no request), else the answer of a server-side apply."""
    meta = manifest["metadata"]
    observed = ctx.cache.get(kind, str(meta.get("namespace") or "default"), meta["name"])
    if observed is not None and conforms(observed, manifest):
        return observed
    result = to_json(await ctx.kube.aio.apply(load_manifest(manifest)))
    ctx.cache.seen(kind, result)
    return result


async def ensure_ca_secret(ctx: Context, manifest: Json | None) -> None:
    """Create the namespace's shared CA Secret unless it exists (never updated, as upstream).
    It has no app label, so no watch sees it: whether it exists is asked once per namespace
    and remembered."""
    if manifest is None:
        return
    meta = manifest["metadata"]
    known = (str(meta["namespace"]), str(meta["name"]))
    if known in ctx.apps.ca_secrets:
        return
    async with ctx.apps.ca_lock:  # the apps of a namespace ask once, not each
        if known in ctx.apps.ca_secrets:
            return
        try:
            await ctx.kube.aio.get(Secret, known[1], namespace=known[0])
        except NotFound:
            with contextlib.suppress(Conflict):
                await ctx.kube.aio.create(load_manifest(manifest))
        ctx.apps.ca_secrets.add(known)


async def ensure_secrets(ctx: Context, key: AppKey, children: Children) -> None:
    """The CA Secret if missing; the runtime-config Secret if missing or hand-edited (its
    name is the hash of its content: a new configuration is a new Secret)."""
    await ensure_ca_secret(ctx, children.ca_secret)
    applied = ctx.apps.applied.setdefault(key, Applied())
    secret = children.runtime_config_secret
    if secret is None:
        applied.secret = applied.secret_version = None
        return
    result = await ensure_applied(ctx, SECRET, secret)
    applied.secret = secret
    applied.secret_version = (result.get("metadata") or {}).get("resourceVersion")


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
    manifest = stamped(children.deployment)
    result = await ensure_applied(ctx, DEPLOYMENT, manifest)
    applied.deployment_generation = (result.get("metadata") or {}).get("generation")
    applied.deployment = manifest
    return result


async def delete_deployment(kube: Kube, key: AppKey) -> bool:
    try:
        await kube.aio.delete(Deployment, key.name, namespace=key.namespace)
    except NotFound:
        return False
    return True


async def apply_service(ctx: Context, key: AppKey, children: Children) -> None:
    manifest = stamped(children.service)
    result = await ensure_applied(ctx, SERVICE, manifest)
    applied = ctx.apps.applied.setdefault(key, Applied())
    applied.service_version = (result.get("metadata") or {}).get("resourceVersion")
    applied.service = manifest


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
