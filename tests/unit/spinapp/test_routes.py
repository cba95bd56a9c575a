from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spinkube.spinapp import Route, RouteError, best_match

MATCHES = [
    pytest.param("/", "/hello", "/hello", True, "", id="exact"),
    pytest.param("/", "/hello", "/hello/", True, "", id="exact-trailing-slash"),
    pytest.param("/", "/hello", "/hello/x", False, None, id="exact-not-prefix"),
    pytest.param("/", "/hello", "/hell", False, None, id="exact-not-shorter"),
    pytest.param("/", "/...", "/", True, "", id="root-wildcard-root"),
    pytest.param("/", "/...", "/a/b", True, "/a/b", id="root-wildcard-deep"),
    pytest.param("/", "/static/...", "/static", True, "", id="wildcard-own-prefix"),
    pytest.param("/", "/static/...", "/static/css/a.css", True, "/css/a.css", id="wildcard-deep"),
    pytest.param("/", "/static/...", "/staticky", False, None, id="wildcard-segment-boundary"),
    pytest.param("/api", "/hello", "/api/hello", True, "", id="base-joined"),
    pytest.param("/api/", "/hello/", "/api/hello", True, "", id="base-slashes"),
    pytest.param("/api", "/hello", "/hello", False, None, id="base-required"),
    pytest.param("/api", "/", "/api", True, "", id="base-root-route"),
    pytest.param("/", "/users/:id", "/users/42", True, "", id="param"),
    pytest.param("/", "/hello", "/hello?x=1", True, "", id="query-ignored"),
]


@pytest.mark.parametrize(("base", "route", "path", "matches", "path_info"), MATCHES)
def test_route_matching_follows_spin(
    base: str, route: str, path: str, matches: bool, path_info: str | None
) -> None:
    match = Route.parse(route, base=base).match(path)

    assert (match is not None) == matches
    if match is not None:
        assert match.path_info == path_info


def test_params_are_captured() -> None:
    match = Route.parse("/users/:id/posts/:post").match("/users/7/posts/hello")

    assert match is not None
    assert match.params == {"id": "7", "post": "hello"}


def test_private_routes_never_match() -> None:
    route = Route.parse({"private": True})

    assert route.private
    assert route.match("/") is None
    assert str(route) == "private"


@pytest.mark.parametrize(
    "value", [pytest.param("hello", id="relative"), pytest.param(3, id="int"),
              pytest.param({"private": False}, id="not-private"),
              pytest.param("/a/.../b", id="inner-wildcard")],
)  # fmt: skip
def test_bad_routes_are_refused(value: object) -> None:
    with pytest.raises(RouteError):
        Route.parse(value)


def test_best_match_prefers_exact_then_longer_wildcards() -> None:
    routes = [
        (Route.parse("/..."), "catch-all"),
        (Route.parse("/static/..."), "static"),
        (Route.parse("/static/index.html"), "index"),
        (Route.parse("/users/:id"), "user"),
        (Route.parse("/users/me"), "me"),
    ]

    def winner(path: str) -> str | None:
        found = best_match(routes, path)
        return found[1] if found else None

    assert winner("/static/index.html") == "index"
    assert winner("/static/app.js") == "static"
    assert winner("/other") == "catch-all"
    assert winner("/users/me") == "me"
    assert winner("/users/42") == "user"
    assert best_match(routes[1:3], "/nothing") is None


segment = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_.", min_size=1, max_size=8
).filter(lambda s: s not in (".", "..", "..."))
paths = st.lists(segment, min_size=0, max_size=4).map(lambda parts: "/" + "/".join(parts))


@given(prefix=paths, rest=st.lists(segment, max_size=3))
def test_a_wildcard_matches_everything_below_its_prefix(prefix: str, rest: list[str]) -> None:
    route = Route.parse(prefix.rstrip("/") + "/...")
    path = prefix.rstrip("/") + "".join("/" + s for s in rest)

    match = route.match(path or "/")

    assert match is not None
    assert match.path_info == "".join("/" + s for s in rest)


@given(path=paths, base=paths)
def test_an_exact_route_matches_its_own_path_with_or_without_trailing_slash(
    path: str, base: str
) -> None:
    route = Route.parse(path, base=base)
    full = (base.rstrip("/") + path) if base != "/" else path

    assert route.match(full) is not None
    assert route.match(full.rstrip("/") + "/") is not None
    assert route.match(full.rstrip("/") + "/extra") is None
