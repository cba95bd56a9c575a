"""Spin's ``{{ var }}`` templates for component variables, and its variable-name rules.

A template is literal text with expressions in double braces; an expression is the name of an
application variable (whitespace around it is ignored). Names are lower-case ASCII letters, digits
and single underscores, start with a letter and end with a letter or digit (Spin's ``Key``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass


class TemplateError(ValueError):
    """A malformed template, a bad variable name, or a reference to an undefined variable."""


@dataclass(frozen=True, slots=True)
class Template:
    parts: tuple[tuple[bool, str], ...]
    """(is_expression, text) in order."""

    @property
    def variables(self) -> tuple[str, ...]:
        return tuple(text for is_expr, text in self.parts if is_expr)


def parse_template(text: str) -> Template:
    parts: list[tuple[bool, str]] = []
    rest = text
    while rest:
        if rest.startswith("{{"):
            expr, sep, after = rest[2:].partition("}}")
            if not sep:
                raise TemplateError(f"unmatched '{{{{' in template {text!r}")
            parts.append((True, expr.strip()))
            rest = after
        else:
            literal, sep, after = rest.partition("{{")
            parts.append((False, literal))
            rest = sep + after
    return Template(tuple(parts))


def variable_name_problem(name: str) -> str | None:
    """Why ``name`` is not a valid Spin variable name, or None when it is."""
    if not name:
        return "must not be empty"
    bad = next(
        (c for c in name if not ((c.islower() and c.isascii()) or c.isdigit() or c == "_")), None
    )
    if bad is not None:
        return (
            f"invalid character {bad!r}; variable names may contain only lower-case letters, "
            "numbers, and underscores"
        )
    if not ("a" <= name[0] <= "z"):
        return "must start with a lowercase ASCII letter"
    if not name[-1].isalnum():
        return "must end with a lowercase ASCII letter or digit"
    if "__" in name:
        return "must not contain multiple consecutive underscores"
    return None


def check_template(text: str, known: Mapping[str, object] | frozenset[str]) -> Template:
    """Parse ``text`` and check that every expression names a known application variable."""
    template = parse_template(text)
    for name in template.variables:
        if name not in known:
            raise TemplateError(f"unknown variable {name!r}")
    return template


def render(text: str, lookup: Mapping[str, str] | Callable[[str], str | None]) -> str:
    """Render a template; ``lookup`` maps a variable name to its value (None: undefined)."""
    get = lookup.get if isinstance(lookup, Mapping) else lookup
    out: list[str] = []
    for is_expr, part in parse_template(text).parts:
        if not is_expr:
            out.append(part)
            continue
        value = get(part)
        if value is None:
            raise TemplateError(f"undefined variable {part!r} in template {text!r}")
        out.append(value)
    return "".join(out)
