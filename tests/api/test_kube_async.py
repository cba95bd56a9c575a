"""The async helpers (`Kube.aio`) and watching, on one shared `AsyncClient`."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from lightkube.models.meta_v1 import ObjectMeta
from lightkube.resources.core_v1 import ConfigMap

from spinkube.kube import Kube, NotFound

pytestmark = pytest.mark.api

EVENT_TIMEOUT_SECONDS = 30


def config_map(name: str, namespace: str, **data: str) -> ConfigMap:
    metadata = ObjectMeta(name=name, namespace=namespace, labels={"suite": "async"})
    return ConfigMap(metadata=metadata, data=data)


async def next_event(events: AsyncIterator[tuple[str, Any]]) -> tuple[str, str, Any]:
    kind, obj = await asyncio.wait_for(anext(events), EVENT_TIMEOUT_SECONDS)
    return kind, obj.metadata.name, obj.data


def test_async_helpers_share_one_client(kube_api: Any, namespace: str) -> None:
    async def scenario() -> None:
        kube = Kube.from_kubeconfig(kube_api.kubeconfig, field_manager="spinkube-tests")
        try:
            applied = await kube.aio.apply(config_map("cfg", namespace, a="1"))
            patched = await kube.aio.patch(
                ConfigMap, "cfg", {"data": {"b": "2"}}, namespace=namespace
            )
            listed = await kube.aio.list(ConfigMap, namespace=namespace)
            assert kube.aio.client is kube.async_client
            await kube.aio.delete(ConfigMap, "cfg", namespace=namespace)
            with pytest.raises(NotFound):
                await kube.aio.get(ConfigMap, "cfg", namespace=namespace)
        finally:
            await kube.aclose()
        assert applied.data == {"a": "1"}
        assert patched.data == {"a": "1", "b": "2"}
        assert "cfg" in {cm.metadata.name for cm in listed if cm.metadata}

    asyncio.run(scenario())


def test_watch_reports_added_modified_deleted(kube_api: Any, namespace: str) -> None:
    async def scenario() -> list[tuple[str, str, Any]]:
        kube = Kube.from_kubeconfig(kube_api.kubeconfig, field_manager="spinkube-tests")
        try:
            await kube.aio.apply(config_map("watched", namespace, v="1"))
            events = aiter(
                kube.async_client.watch(ConfigMap, namespace=namespace, labels={"suite": "async"})
            )
            seen = [await next_event(events)]
            await kube.aio.patch(ConfigMap, "watched", {"data": {"v": "2"}}, namespace=namespace)
            seen.append(await next_event(events))
            await kube.aio.delete(ConfigMap, "watched", namespace=namespace)
            seen.append(await next_event(events))
            await events.aclose()  # type: ignore[attr-defined]
            return seen
        finally:
            await kube.aclose()

    events = asyncio.run(scenario())

    assert events == [
        ("ADDED", "watched", {"v": "1"}),
        ("MODIFIED", "watched", {"v": "2"}),
        ("DELETED", "watched", {"v": "2"}),
    ]
