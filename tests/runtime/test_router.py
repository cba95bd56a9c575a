"""The trigger's route table: Spin's rules, and agreement with the app model's reference matcher."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spinkube.runtime.trigger.router import Router
from spinkube.spinapp import Route, best_match


def router(*routes: tuple[str, str], base: str = "/") -> Router:
    return Router((Route.parse(route, base=base), component) for route, component in routes)


TABLE = router(
    ("/...", "fallback"),
    ("/static/...", "static"),
    ("/static/deep/...", "deep"),
    ("/api", "api-exact"),
    ("/api/:version/items", "items"),
    ("/api/v1/items", "v1-items"),
    ("/", "root"),
)


@pytest.mark.parametrize(
    ("path", "component", "path_info"),
    [
        ("/", "root", ""),
        ("/nothing", "fallback", "/nothing"),
        ("/static", "static", ""),
        ("/static/", "static", ""),
        ("/static/a/b.css", "static", "/a/b.css"),
        ("/static/deep/x", "deep", "/x"),
        ("/staticx", "fallback", "/staticx"),
        ("/api", "api-exact", ""),
        ("/api/", "api-exact", ""),
        ("/api//", "api-exact", ""),
        ("/api/v2/items", "items", ""),
        ("/api/v1/items", "v1-items", ""),
        ("/api/v1/items/more", "fallback", "/api/v1/items/more"),
    ],
)
def test_spin_routing_rules(path: str, component: str, path_info: str) -> None:
    routed = TABLE.route(path)
    assert routed is not None
    assert (routed.entry.component_id, routed.path_info) == (component, path_info)


def test_parameters_are_captured() -> None:
    routed = TABLE.route("/api/v7/items")
    assert routed is not None
    assert dict(routed.params) == {"version": "v7"}


def test_no_route_means_none() -> None:
    assert router(("/a", "a")).route("/b") is None


def test_private_routes_are_unroutable() -> None:
    table = Router([(Route.parse({"private": True}), "hidden"), (Route.parse("/x"), "x")])
    assert table.route("/") is None
    assert [e.component_id for e in table.entries] == ["x"]


def test_the_first_listed_of_duplicate_routes_wins() -> None:
    for route in ("/dup", "/dup/..."):
        routed = router((route, "first"), (route, "second")).route("/dup")
        assert routed is not None
        assert routed.entry.component_id == "first"


def test_header_values_with_a_base() -> None:
    routed = router(("/files/...", "f"), base="/app").route("/app/files/a")
    assert routed is not None
    entry = routed.entry
    assert (entry.matched_route, entry.raw_route, entry.component_route) == (
        b"/app/files/...",
        b"/files/...",
        b"/files",
    )
    assert routed.path_info == "/a"


segments = st.sampled_from(["a", "b", "c", ":p", ":q"])
route_texts = st.builds(
    lambda parts, wildcard: (
        "/" + "/".join(parts) + ("/..." if wildcard else "") if parts or not wildcard else "/..."
    ),
    st.lists(segments, max_size=3),
    st.booleans(),
)
paths = st.builds(
    lambda parts, slash: "/" + "/".join(parts) + ("/" if slash and parts else ""),
    st.lists(st.sampled_from(["a", "b", "c", "d", ""]), max_size=4),
    st.booleans(),
)


@given(st.lists(route_texts, min_size=1, max_size=6), paths)
def test_router_agrees_with_the_app_models_best_match(texts: list[str], path: str) -> None:
    routes = [(Route.parse(text), f"c{i}") for i, text in enumerate(texts)]
    fast = Router(routes).route(path)
    reference = best_match(routes, path)
    if reference is None:
        assert fast is None
        return
    assert fast is not None
    match, _component = reference
    # Among equally specific matches either may win in best_match; compare what matters.
    assert fast.entry.route.specificity() == match.route.specificity()
    assert fast.entry.route.match(path) is not None
