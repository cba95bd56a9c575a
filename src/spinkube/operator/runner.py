"""kopf, configured for this operator and run as one task of the manager.

Settings come from the scale findings (`operator-scale-findings.md`): no worker limit (it
throttles to `worker_limit / idle_timeout` objects per second), a longer consistency timeout
(fewer duplicate create runs when the watch lags), a short worker idle time (kopf's
shutdown waits for idle workers), server-side label selectors for the
owned Deployments, Services and Secrets, kopf's bookkeeping kept in memory (nothing written on
users' objects: `storage.py`), and our finalizer name for the executors (the only kind with a
deletion handler).
"""

from __future__ import annotations

import asyncio
import datetime

import kopf

from spinkube.api import APP_NAME_LABEL, FINALIZER
from spinkube.manager.login import login_with_kubeconfig
from spinkube.operator.config import ManagerConfig
from spinkube.operator.context import MEMO_KEY, Context
from spinkube.operator.handlers import DEPLOYMENTS, SECRETS, SERVICES, STORAGE_KEY, register
from spinkube.operator.storage import MemoryStorage

REPORTING_COMPONENT = "spin-operator"
CONSISTENCY_TIMEOUT = 15.0
WATCH_SERVER_TIMEOUT = 270
WATCH_CLIENT_TIMEOUT = 300.0
WORKER_IDLE_TIMEOUT = 1.0
"""kopf keeps a finished object's worker for this long; on shutdown kopf waits for idle
workers to exit by themselves (5 s by default), so a short idle time is a fast shutdown."""


def settings(identity: str, storage: MemoryStorage) -> kopf.OperatorSettings:
    s = kopf.OperatorSettings()
    s.persistence.finalizer = FINALIZER
    s.persistence.consistency_timeout = CONSISTENCY_TIMEOUT
    s.persistence.progress_storage = storage.progress
    s.persistence.diffbase_storage = storage.diffbase
    s.posting.reporting_component = REPORTING_COMPONENT
    s.posting.reporting_instance = identity
    s.queueing.idle_timeout = WORKER_IDLE_TIMEOUT
    s.watching.server_timeout = WATCH_SERVER_TIMEOUT
    s.watching.client_timeout = WATCH_CLIENT_TIMEOUT
    s.watching.label_selectors[DEPLOYMENTS] = APP_NAME_LABEL
    s.watching.label_selectors[SERVICES] = APP_NAME_LABEL
    s.watching.label_selectors[SECRETS] = APP_NAME_LABEL
    return s


def registry(config: ManagerConfig) -> kopf.OperatorRegistry:
    reg = register(kopf.OperatorRegistry())
    login_with_kubeconfig(reg, config.kubeconfig)
    return reg


async def run_controllers(
    config: ManagerConfig,
    ctx: Context,
    *,
    stop: asyncio.Event,
    ready: asyncio.Event,
    started: datetime.datetime,
) -> None:
    """Run kopf until `stop` is set (kopf also stops on SIGTERM/SIGINT itself). Objects
    created before `started` are resumed, later ones created (`storage.py`)."""
    namespaces = [config.namespace] if config.namespace else []
    storage = MemoryStorage(started=started)
    await kopf.operator(
        registry=registry(config),
        settings=settings(config.leader_election.identity, storage),
        standalone=True,
        clusterwide=not namespaces,
        namespaces=namespaces,
        stop_flag=stop,
        ready_flag=ready,
        memo=kopf.Memo({MEMO_KEY: ctx, STORAGE_KEY: storage}),
    )
