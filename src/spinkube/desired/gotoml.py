"""A TOML writer that produces exactly what go-toml v2's `Marshal` writes for the runtime config.

The runtime-config Secret is named after a hash of its bytes, so the bytes must match the Go
operator's: literal single-quoted strings unless a value needs escaping (then a basic string
with go-toml's escapes), bare keys when they can be, sorted map keys, a blank line between
tables, none between a table header and its first sub-table (go-toml v2 `marshaler.go`:
`encodeString`, `encodeKey`, `encodeTable`).

Only the shapes the runtime config uses are supported: flat tables of strings, tables of such
tables, and one array of tables.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from spinkube.desired.redact import SecretString, reveal

Value = str | SecretString
Table = Mapping[str, Value]
"""A flat table of string values; written with sorted keys, like a Go map."""

_BARE_KEY = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
_ESCAPES = {
    "\\": "\\\\",
    '"': '\\"',
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
}


def _invalid_ascii(char: str) -> bool:
    """Control characters other than tab, which a literal string cannot hold."""
    code = ord(char)
    return code <= 0x08 or 0x0A <= code <= 0x1F or code == 0x7F


def _needs_quoting(text: str) -> bool:
    return any(c in "'\r\n" or _invalid_ascii(c) for c in text)


def _basic_string(text: str) -> str:
    out = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif _invalid_ascii(char):
            out.append(f"\\u00{ord(char):02X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def encode_string(text: str) -> str:
    """A string value: `'literal'` unless it holds a quote or control character."""
    return _basic_string(text) if _needs_quoting(text) else f"'{text}'"


def encode_key(key: str) -> str:
    """A key: bare when it is made of `A-Za-z0-9_-`, else quoted like a string."""
    if not key:
        return "''"
    if all(c in _BARE_KEY for c in key):
        return key
    if "'" in key or _needs_quoting(key):
        return _basic_string(key)
    return f"'{key}'"


def _key_values(pairs: Sequence[tuple[str, Value]]) -> str:
    return "".join(f"{encode_key(k)} = {encode_string(reveal(v))}\n" for k, v in pairs)


def array_of_tables(name: str, entries: Sequence[Sequence[tuple[str, Value]]]) -> str:
    """`[[name]]` entries whose keys keep the given (struct field) order."""
    header = f"[[{encode_key(name)}]]\n"
    return "\n".join(header + _key_values(entry) for entry in entries)


def table(name: str, values: Table) -> str:
    """`[name]` with its values, keys sorted."""
    return f"[{encode_key(name)}]\n" + _key_values(sorted(values.items()))


def table_of_tables(name: str, tables: Mapping[str, Table]) -> str:
    """`[name]` followed directly by `[name.key]` sub-tables, sorted and blank-line separated."""
    parent = encode_key(name)
    subtables = [
        f"[{parent}.{encode_key(key)}]\n" + _key_values(sorted(values.items()))
        for key, values in sorted(tables.items())
    ]
    return f"[{parent}]\n" + "\n".join(subtables)


def document(sections: Sequence[str]) -> str:
    """Top-level tables, a blank line between each (empty sections are left out)."""
    return "\n".join(s for s in sections if s)
