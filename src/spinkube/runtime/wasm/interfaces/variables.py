"""Spin variables: ``fermyon:spin/variables@2.0.0#get`` and ``wasi:config/store#get``/``get-all``,
through ``ComponentContext.get_variable`` (and ``variable_names`` for ``get-all``)."""

from __future__ import annotations

from collections.abc import Mapping

from spinkube.runtime.wasm import vals
from spinkube.runtime.wasm.interfaces._common import ok
from spinkube.runtime.wasm.session import HostFn, Session


def _error(case: str, message: str) -> vals.Image:
    return vals.image(vals.write_variant, case, vals.image(vals.write_str, message))


def spin_variables(session: Session) -> Mapping[str, HostFn]:
    def get(ctx: int, args: int, results: int) -> None:
        name = vals.read_str(args)
        value = session.context.get_variable(name)
        if value is None:
            vals.write_result(results, False, _error("undefined", f"no variable named {name!r}"))
        else:
            ok(results, vals.image(vals.write_str, value))

    return {"get": get}


def config_store(session: Session) -> Mapping[str, HostFn]:
    def get(ctx: int, args: int, results: int) -> None:
        value = session.context.get_variable(vals.read_str(args))
        found = vals.image(vals.write_str, value) if value is not None else None
        ok(results, vals.image(vals.write_option, found))

    def get_all(ctx: int, args: int, results: int) -> None:
        context = session.context
        pairs = [(name, context.get_variable(name)) for name in context.variable_names]
        ok(results, vals.image(_write_pairs, [(k, v) for k, v in pairs if v is not None]))

    return {"get": get, "get-all": get_all}


def _write_pairs(addr: int, pairs: list[tuple[str, str]]) -> None:
    """A ``list<tuple<string, string>>``."""
    first = vals.write_list(addr, len(pairs))
    for i, (name, value) in enumerate(pairs):
        pair = vals.write_tuple(first + vals.VAL_SIZE * i, 2)
        vals.write_str(pair, name)
        vals.write_str(pair + vals.VAL_SIZE, value)
