"""Spin variables: ``fermyon:spin/variables@2.0.0#get`` and ``wasi:config/store#get``, both
through ``ComponentContext.get_variable``."""

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

    return {"get": get}
