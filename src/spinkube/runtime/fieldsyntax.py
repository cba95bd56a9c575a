"""The HTTP field grammar (RFC 9110 §5): what a header name and a header value may hold.

One rule for both sides: ``wasi:http`` ``fields`` refuse what breaks it with
``header-error.invalid-syntax`` (as wasmtime does, through the ``http`` crate's checks), the
server refuses requests that break it and never writes a header that breaks it.
"""

from __future__ import annotations

_TOKEN = b"!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_NOT_TOKEN = bytes(b for b in range(256) if b not in _TOKEN)
_CONTROL = bytes(b for b in range(256) if (b < 0x20 and b != 0x09) or b == 0x7F)
"""Bytes a field value may not hold: controls (CR, LF, NUL, ...) but HTAB, and DEL."""
_NOT_VISIBLE = bytes(range(0x21)) + bytes(range(0x7F, 0x100))


def is_token(name: str | bytes) -> bool:
    """Whether ``name`` is a valid header name (a non-empty RFC 9110 token)."""
    raw = name if isinstance(name, bytes) else name.encode("utf-8")
    return bool(raw) and not raw.translate(None, _TOKEN)


def is_field_value(value: bytes) -> bool:
    """Whether ``value`` is a valid header value (visible bytes, obs-text, SP and HTAB)."""
    return len(value.translate(None, _CONTROL)) == len(value)


def is_visible_ascii(data: bytes) -> bool:
    """Whether every byte of ``data`` is visible ASCII (what a request target may hold)."""
    return len(data.translate(None, _NOT_VISIBLE)) == len(data)
