"""LLM: linked, and every entry point answers its interface's error with a message naming
what is unsupported (:func:`spinkube.runtime.hostapi.unsupported`)."""

from __future__ import annotations

from collections.abc import Mapping

from spinkube.runtime.hostapi import unsupported
from spinkube.runtime.wasm import vals
from spinkube.runtime.wasm.session import HostFn, Provider, Session


def failing(interface: str, case: str, functions: tuple[str, ...]) -> Provider:
    """A provider whose ``functions`` answer ``err(case(message))``."""
    message = str(unsupported(interface))

    def fail(ctx: int, args: int, results: int) -> None:
        error = vals.image(vals.write_variant, case, vals.image(vals.write_str, message))
        vals.write_result(results, False, error)

    def provider(session: Session) -> Mapping[str, HostFn]:
        return dict.fromkeys(functions, fail)

    return provider


PROVIDERS: dict[str, Provider] = {
    "fermyon:spin/llm": failing(
        "fermyon:spin/llm", "runtime-error", ("infer", "generate-embeddings")
    ),
}
