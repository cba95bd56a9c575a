"""The fake API's pure pieces: URL routing, selectors, patches and server-side apply."""

from __future__ import annotations

from typing import Any

import pytest

from spinkube.testing.fakeapi.fields import ApplyConflict, server_side_apply
from spinkube.testing.fakeapi.patching import (
    JSON_PATCH,
    MERGE,
    STRATEGIC,
    PatchError,
    apply_patch,
)
from spinkube.testing.fakeapi.paths import Route, parse_route
from spinkube.testing.fakeapi.selectors import SelectorError, field_selector, label_selector


@pytest.mark.parametrize(
    ("path", "route"),
    [
        ("/api/v1/namespaces", Route("", "v1", "namespaces")),
        ("/api/v1/namespaces/a", Route("", "v1", "namespaces", None, "a")),
        ("/api/v1/namespaces/a/status", Route("", "v1", "namespaces", None, "a", "status")),
        ("/api/v1/namespaces/a/configmaps", Route("", "v1", "configmaps", "a")),
        (
            "/apis/apps/v1/namespaces/a/deployments/d/status",
            Route("apps", "v1", "deployments", "a", "d", "status"),
        ),
        ("/apis/node.k8s.io/v1/runtimeclasses", Route("node.k8s.io", "v1", "runtimeclasses")),
        ("/apis/apps/v1", None),
        ("/version/", None),
    ],
)
def test_routes(path: str, route: Route | None) -> None:
    assert parse_route(path) == route


def obj(**labels: str) -> dict[str, Any]:
    return {"metadata": {"name": "n", "labels": labels}, "spec": {"nodeName": "x"}}


@pytest.mark.parametrize(
    ("selector", "labels", "matches"),
    [
        ("a=1", {"a": "1"}, True),
        ("a==1", {"a": "2"}, False),
        ("a!=1", {}, True),
        ("a in (1, 2),b", {"a": "2", "b": ""}, True),
        ("a notin (1,2)", {"a": "2"}, False),
        ("!a", {"a": "1"}, False),
        ("", {"a": "1"}, True),
    ],
)
def test_label_selectors(selector: str, labels: dict[str, str], matches: bool) -> None:
    assert label_selector(selector)(obj(**labels)) is matches


def test_field_selectors_and_bad_selectors() -> None:
    assert field_selector("metadata.name=n,spec.nodeName!=y")(obj())
    assert not field_selector("metadata.name=m")(obj())
    with pytest.raises(SelectorError):
        label_selector("a=1,=b")


def test_patch_flavours() -> None:
    target = {"spec": {"a": 1, "c": [{"name": "x", "v": 1}]}}
    assert apply_patch(target, {"spec": {"a": None, "b": 2}}, MERGE) == {
        "spec": {"b": 2, "c": [{"name": "x", "v": 1}]}
    }
    assert apply_patch(target, {"spec": {"c": [{"name": "y"}]}}, STRATEGIC)["spec"]["c"] == [
        {"name": "x", "v": 1},
        {"name": "y"},
    ]
    ops = [{"op": "test", "path": "/spec/a", "value": 2}]
    with pytest.raises(PatchError):
        apply_patch(target, ops, JSON_PATCH)


def test_apply_removes_only_what_the_manager_dropped_and_nobody_else_owns() -> None:
    obj: dict[str, Any] = {"metadata": {"name": "n"}}
    obj = server_side_apply(obj, {"data": {"a": "1", "b": "1"}}, manager="one", force=False)
    obj = server_side_apply(obj, {"data": {"b": "1", "c": "1"}}, manager="two", force=False)
    obj = server_side_apply(obj, {"data": {}}, manager="one", force=False)
    assert obj["data"] == {"b": "1", "c": "1"}, "a dropped; b still owned by two"
    assert {entry["manager"] for entry in obj["metadata"]["managedFields"]} == {"two"}


def test_apply_conflicts_unless_forced() -> None:
    obj = server_side_apply({"metadata": {}}, {"data": {"a": "1"}}, manager="one", force=False)
    with pytest.raises(ApplyConflict) as caught:
        server_side_apply(obj, {"data": {"a": "2"}}, manager="two", force=False)
    assert caught.value.conflicts == [("one", ("data", "a"))]
    forced = server_side_apply(obj, {"data": {"a": "2"}}, manager="two", force=True)
    assert forced["data"] == {"a": "2"}
    assert {entry["manager"] for entry in forced["metadata"]["managedFields"]} == {"two"}
