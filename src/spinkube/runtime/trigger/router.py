"""Spin's route table, built once: exact paths in a dict, patterns in specificity order.

The rules are the spin manifest model's (:mod:`spinkube.spinapp.routes`): an exact path beats a
parameterised one, which beats a wildcard; among wildcards the longer prefix wins; on a tie the
route listed first in the manifest wins. Private routes are never added.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from spinkube.spinapp.routes import WILDCARD_SUFFIX, Route

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RouteEntry:
    """A routable component with the ``spin-*`` header values that depend only on its route."""

    route: Route
    component_id: str
    matched_route: bytes
    """``spin-matched-route``: the route joined with the base, as Spin prints it."""
    raw_route: bytes
    """``spin-raw-component-route``: the route as written in the manifest."""
    component_route: bytes
    """``spin-component-route``: the raw route without its ``/...`` wildcard."""
    prefix: str | None
    """For a wildcard route without parameters, its fixed part: matched by a string compare."""


@dataclass(frozen=True, slots=True)
class Routed:
    entry: RouteEntry
    path_info: str
    params: Mapping[str, str]


_NO_PARAMS: Mapping[str, str] = {}


class Router:
    __slots__ = ("_exact", "_patterns")

    def __init__(self, routes: Iterable[tuple[Route, str]]) -> None:
        self._exact: dict[str, RouteEntry] = {}
        patterns: list[RouteEntry] = []
        for route, component_id in routes:
            if route.private:
                continue
            entry = _entry(route, component_id)
            if _is_exact(route):
                self._add_exact(entry)
            else:
                patterns.append(entry)
        # sorted() is stable, so among equally specific routes the first listed stays first
        self._patterns = sorted(patterns, key=lambda e: e.route.specificity(), reverse=True)

    def _add_exact(self, entry: RouteEntry) -> None:
        existing = self._exact.setdefault(entry.route.pattern, entry)
        if existing is not entry:
            log.warning(
                "route %s is handled by both %r and %r; %r wins",
                entry.route,
                existing.component_id,
                entry.component_id,
                existing.component_id,
            )

    def route(self, path: str) -> Routed | None:
        """The most specific route for a request path (without its query), or None."""
        key = _exact_key(path)
        entry = self._exact.get(key)
        if entry is not None:
            return Routed(entry, "", _NO_PARAMS)
        for entry in self._patterns:
            prefix = entry.prefix
            if prefix is None:
                match = entry.route.match(path)
                if match is not None:
                    return Routed(entry, match.path_info, match.params)
            elif key.startswith(prefix) and (len(key) == len(prefix) or key[len(prefix)] == "/"):
                return Routed(entry, key[len(prefix) :], _NO_PARAMS)
        return None

    @property
    def entries(self) -> list[RouteEntry]:
        return [*self._exact.values(), *self._patterns]


def _is_exact(route: Route) -> bool:
    return (
        not route.wildcard
        and ":" not in route.pattern
        and _exact_key(route.pattern) == route.pattern
    )


def _exact_key(path: str) -> str:
    """The request path as an exact route's pattern: no trailing, doubled or empty segments."""
    key = path[:-1] if path.endswith("/") else path
    if "//" in path or key.endswith("/"):
        key = "".join("/" + segment for segment in key.split("/") if segment)
    return key


def _entry(route: Route, component_id: str) -> RouteEntry:
    raw = route.raw
    prefix = raw[: -len(WILDCARD_SUFFIX)] if raw.endswith(WILDCARD_SUFFIX) else raw
    return RouteEntry(
        route=route,
        component_id=component_id,
        matched_route=str(route).encode(),
        raw_route=raw.encode(),
        component_route=prefix.encode(),
        prefix=route.pattern if _is_plain_wildcard(route) else None,
    )


def _is_plain_wildcard(route: Route) -> bool:
    return (
        route.wildcard and ":" not in route.pattern and _exact_key(route.pattern) == route.pattern
    )


def chained_entry(component_id: str) -> RouteEntry:
    """The route a service-chained request is seen under: ``/...`` of the component itself."""
    return _entry(Route.parse("/..."), component_id)
