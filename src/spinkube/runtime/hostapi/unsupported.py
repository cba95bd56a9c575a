"""Host interfaces linked but not served: each call fails with an error naming the interface.

The Wasm interface modules raise :func:`unsupported` for these instead of trapping, so a guest
sees its interface's error (``other``/``io``/``connection-failed`` string cases) with a message
that says what is missing.
"""

from __future__ import annotations

from spinkube.runtime.hostapi.errors import UnsupportedApiError

UNSUPPORTED_INTERFACES = {
    "fermyon:spin/llm": "LLM inferencing (fermyon:spin/llm)",
    "fermyon:spin/mysql": "outbound MySQL (fermyon:spin/mysql)",
    "fermyon:spin/postgres": "outbound PostgreSQL (fermyon:spin/postgres)",
    "spin:postgres/postgres": "outbound PostgreSQL (spin:postgres/postgres)",
    "fermyon:spin/mqtt": "outbound MQTT (fermyon:spin/mqtt)",
    "spin:mqtt/mqtt": "outbound MQTT (spin:mqtt/mqtt)",
}


def unsupported(interface: str) -> UnsupportedApiError:
    """The error for a call into ``interface`` (with or without its ``@version``)."""
    name = interface.split("@", 1)[0]
    return UnsupportedApiError(UNSUPPORTED_INTERFACES.get(name, name))
