"""HTTP trigger routes, with Spin's rules.

A route is an exact path (``/hello``), a path with a trailing wildcard (``/static/...``, which
also matches ``/static`` itself) or a parameterised path (``/users/:id``). ``{ private = true }``
declares a component reachable only through service chaining, never by URL. The application's
HTTP base is joined in front. One trailing slash is not significant, as in Spin.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

WILDCARD_SUFFIX = "/..."


class RouteError(ValueError):
    """A route value that is neither a path starting with ``/`` nor ``{ private = true }``."""


@dataclass(frozen=True, slots=True)
class RouteMatch:
    route: Route
    path_info: str
    """The part of the request path after the route's fixed prefix (Spin's ``spin-path-info``)."""
    params: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Route:
    """A route joined with the app base: ``pattern`` has no trailing slash (``""`` is the root)."""

    pattern: str
    wildcard: bool = False
    private: bool = False
    raw: str = ""
    """The route as written in the manifest (``private`` for private routes)."""

    @classmethod
    def parse(cls, value: Any, *, base: str = "/") -> Route:
        if isinstance(value, Mapping):
            if value.get("private") is True and set(value) == {"private"}:
                return cls(pattern="", private=True, raw="private")
            raise RouteError("expected a path or { private = true }")
        if not isinstance(value, str):
            raise RouteError("expected a path or { private = true }")
        if not value.startswith("/"):
            raise RouteError(f"route {value!r} must start with '/'")
        path = _join(base, value)
        if path == "/..." or path.endswith(WILDCARD_SUFFIX):
            return cls(pattern=path[: -len(WILDCARD_SUFFIX)], wildcard=True, raw=value)
        if "..." in path:
            raise RouteError(f"route {value!r}: '...' is allowed only as the last segment")
        return cls(pattern=_strip_slash(path), raw=value)

    @property
    def segments(self) -> tuple[str, ...]:
        return tuple(s for s in self.pattern.split("/") if s)

    def match(self, path: str) -> RouteMatch | None:
        """Match a request path (without the query); None when the route does not apply."""
        if self.private:
            return None
        wanted = [s for s in _strip_slash(path.split("?", 1)[0]).split("/")[1:] if s != ""]
        own = self.segments
        if len(wanted) < len(own) or (not self.wildcard and len(wanted) != len(own)):
            return None
        params: dict[str, str] = {}
        for pattern_segment, segment in zip(own, wanted, strict=False):
            if pattern_segment.startswith(":"):
                params[pattern_segment[1:]] = segment
            elif pattern_segment != segment:
                return None
        rest = wanted[len(own) :]
        return RouteMatch(self, "/" + "/".join(rest) if rest else "", params)

    def specificity(self) -> tuple[int, int, int]:
        """Sort key: exact beats wildcard, then more segments, then more literal segments."""
        literal = sum(1 for s in self.segments if not s.startswith(":"))
        return (0 if self.wildcard else 1, len(self.segments), literal)

    def __str__(self) -> str:
        if self.private:
            return "private"
        return (self.pattern or "") + (WILDCARD_SUFFIX if self.wildcard else "") or "/"


T = TypeVar("T")


def best_match(routes: Iterable[tuple[Route, T]], path: str) -> tuple[RouteMatch, T] | None:
    """The most specific route matching ``path`` with its payload (e.g. a component id)."""
    found = [(m, payload) for route, payload in routes if (m := route.match(path)) is not None]
    if not found:
        return None
    return max(found, key=lambda pair: pair[0].route.specificity())


def _join(base: str, route: str) -> str:
    return _strip_slash("/" + base.strip("/")) + route if base.strip("/") else route


def _strip_slash(path: str) -> str:
    return path[:-1] if path.endswith("/") else path
