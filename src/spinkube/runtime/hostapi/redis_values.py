"""Redis reply values shared by the outbound Redis API and its client, without importing redis."""

from __future__ import annotations


class Status(str):
    """A Redis status reply such as ``OK`` or ``PONG``."""

    __slots__ = ()
