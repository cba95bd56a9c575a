"""The HTTP field grammar (RFC 9110 §5): what a header name and a header value may hold.

One rule for both sides: ``wasi:http`` ``fields`` refuse what breaks it with
``header-error.invalid-syntax`` (as wasmtime does, through the ``http`` crate's checks), and the
server never writes a header that breaks it (requests that break it are refused by llhttp).
"""

from __future__ import annotations

_TOKEN = b"!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_CONTROL = bytes(b for b in range(256) if (b < 0x20 and b != 0x09) or b == 0x7F)
"""Bytes a field value may not hold: controls (CR, LF, NUL, ...) but HTAB, and DEL."""


def is_token(name: str | bytes) -> bool:
    """Whether ``name`` is a valid header name (a non-empty RFC 9110 token)."""
    raw = name if isinstance(name, bytes) else name.encode("utf-8")
    return bool(raw) and not raw.translate(None, _TOKEN)


def is_field_value(value: bytes) -> bool:
    """Whether ``value`` is a valid header value (visible bytes, obs-text, SP and HTAB)."""
    return len(value.translate(None, _CONTROL)) == len(value)
