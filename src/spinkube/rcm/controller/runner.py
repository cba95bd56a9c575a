"""kopf, configured for runtime-class-manager and run as one task of the manager.

The finalizer is `rcm.spinkube.dev/finalizer` (upstream's name) and kopf keeps its bookkeeping
in annotations under `rcm.spinkube.dev`. Jobs are watched only in the controller's namespace
and only those labelled `kwasm.sh/shimName` (a server-side label selector); Shims and Nodes
are cluster-scoped.
"""

from __future__ import annotations

import asyncio

import kopf

from spinkube.api.constants import RCM_FINALIZER, SHIM_NAME_LABEL
from spinkube.manager.login import login_with_kubeconfig
from spinkube.rcm.controller.config import RcmConfig
from spinkube.rcm.controller.context import MEMO_KEY, Context
from spinkube.rcm.controller.handlers import JOBS, register

PREFIX = "rcm.spinkube.dev"
REPORTING_COMPONENT = "runtime-class-manager"
WORKER_IDLE_TIMEOUT = 1.0


def settings(identity: str) -> kopf.OperatorSettings:
    s = kopf.OperatorSettings()
    s.persistence.finalizer = RCM_FINALIZER
    s.persistence.progress_storage = kopf.AnnotationsProgressStorage(prefix=PREFIX)
    s.persistence.diffbase_storage = kopf.AnnotationsDiffBaseStorage(
        prefix=PREFIX, key="last-handled-configuration"
    )
    s.posting.reporting_component = REPORTING_COMPONENT
    s.posting.reporting_instance = identity
    s.queueing.idle_timeout = WORKER_IDLE_TIMEOUT
    s.watching.label_selectors[JOBS] = SHIM_NAME_LABEL
    return s


def registry(config: RcmConfig) -> kopf.OperatorRegistry:
    reg = register(kopf.OperatorRegistry())
    login_with_kubeconfig(reg, config.kubeconfig)
    return reg


async def run_controllers(
    config: RcmConfig, ctx: Context, *, stop: asyncio.Event, ready: asyncio.Event
) -> None:
    await kopf.operator(
        registry=registry(config),
        settings=settings(config.leader_election.identity),
        standalone=True,
        namespaces=[config.jobs.namespace],
        stop_flag=stop,
        ready_flag=ready,
        memo=kopf.Memo({MEMO_KEY: ctx}),
    )
