"""What the webhooks look up in the cluster: the executors of a namespace.

Upstream reads them from controller-runtime's informer cache; here every replica asks the API
through the shared client, and keeps a found executor for a few seconds (one app after
another names the same executor). Only found executors are cached, so a new executor is
usable at once; a deleted one may still be accepted for `ttl` seconds, which the reconciler
then reports as `MissingExecutor`.
"""

from __future__ import annotations

import logging
import time
from typing import Protocol

from pydantic import ValidationError

from spinkube.api import SpinAppExecutor
from spinkube.kube import Kube, KubeError, NotFound
from spinkube.kube import SpinAppExecutor as ExecutorResource
from spinkube.operator.context import to_json

logger = logging.getLogger(__name__)

EXECUTOR_TTL_SECONDS = 5.0


class Lookups(Protocol):
    async def executor(self, namespace: str, name: str) -> SpinAppExecutor | None:
        """The executor, or None when it cannot be read (upstream: any error is "missing")."""

    async def executor_names(self, namespace: str) -> list[str]:
        """The names of the namespace's executors."""


class ApiLookups:
    def __init__(self, kube: Kube, *, ttl: float = EXECUTOR_TTL_SECONDS) -> None:
        self._kube = kube
        self._ttl = ttl
        self._found: dict[tuple[str, str], tuple[float, SpinAppExecutor]] = {}

    async def executor(self, namespace: str, name: str) -> SpinAppExecutor | None:
        if not name:
            return None
        cached = self._found.get((namespace, name))
        if cached is not None and time.monotonic() - cached[0] < self._ttl:
            return cached[1]
        try:
            found = await self._kube.aio.get(ExecutorResource, name, namespace=namespace)
            body = {k: v for k, v in to_json(found).items() if k != "status"}
            executor = SpinAppExecutor.model_validate(body)
        except NotFound:
            self._found.pop((namespace, name), None)
            return None
        except (KubeError, ValidationError) as error:
            logger.warning("cannot read SpinAppExecutor %s/%s: %s", namespace, name, error)
            return None
        self._found[(namespace, name)] = (time.monotonic(), executor)
        return executor

    async def executor_names(self, namespace: str) -> list[str]:
        executors = await self._kube.aio.list(ExecutorResource, namespace=namespace)
        return [e.metadata.name for e in executors if e.metadata and e.metadata.name]
