"""wasi:http/types ``fields`` (headers and trailers) (0.2.x).

A name that is not an HTTP token, or a value holding a control character (CR, LF, NUL...),
is refused with ``header-error.invalid-syntax`` by ``from-list``, ``set``, ``append`` and
``delete``, as wasmtime does: a guest cannot smuggle a header line into a response.
"""

from __future__ import annotations

from spinkube.runtime.fieldsyntax import is_field_value, is_token
from spinkube.runtime.wasm import resources, vals
from spinkube.runtime.wasm.interfaces._common import err_case, ok
from spinkube.runtime.wasm.interfaces.http_objects import Fields
from spinkube.runtime.wasm.resources import own_image, rep_of, write_own
from spinkube.runtime.wasm.session import HostFn, Session

FIELDS = resources.type_id("wasi:http/types", "fields")
arg = vals.arg
VAL = vals.VAL_SIZE


def write_entries(addr: int, entries: list[tuple[str, bytes]]) -> None:
    """A ``list<tuple<string, list<u8>>>``."""
    first = vals.write_list(addr, len(entries))
    for i, (name, value) in enumerate(entries):
        pair = vals.write_tuple(first + VAL * i, 2)
        vals.write_str(pair, name)
        vals.write_u8_list(pair + VAL, value)


def read_entries(addr: int) -> list[tuple[str, bytes]]:
    count, first = vals.read_list(addr)
    entries = []
    for i in range(count):
        _, pair = vals.read_list(first + VAL * i)
        entries.append((vals.read_str(pair).lower(), vals.read_u8_list(pair + VAL)))
    return entries


def valid(name: str, values: list[bytes]) -> bool:
    return is_token(name) and all(is_field_value(value) for value in values)


def fields_functions(session: Session) -> dict[str, HostFn]:
    def get(ctx: int, addr: int) -> Fields:
        found: Fields = session.current.table.get(rep_of(ctx, addr))
        return found

    def new(ctx: int, args: int, results: int) -> None:
        write_own(ctx, results, session.current.table.add(Fields()), FIELDS)

    def from_list(ctx: int, args: int, results: int) -> None:
        entries = read_entries(args)
        if not all(valid(name, [value]) for name, value in entries):
            err_case(results, "invalid-syntax")
            return
        rep = session.current.table.add(Fields(entries))
        ok(results, own_image(ctx, rep, FIELDS))

    def get_values(ctx: int, args: int, results: int) -> None:
        values = get(ctx, args).get(vals.read_str(arg(args, 1)))
        first = vals.write_list(results, len(values))
        for i, value in enumerate(values):
            vals.write_u8_list(first + VAL * i, value)

    def has(ctx: int, args: int, results: int) -> None:
        vals.write_bool(results, bool(get(ctx, args).get(vals.read_str(arg(args, 1)))))

    def mutate(ctx: int, args: int, results: int, append: bool, values: list[bytes]) -> None:
        fields = get(ctx, args)
        if not fields.mutable:
            err_case(results, "immutable")
            return
        name = vals.read_str(arg(args, 1)).lower()
        if not valid(name, values):
            err_case(results, "invalid-syntax")
            return
        if not append:
            fields.delete(name)
        fields.entries.extend((name, v) for v in values)
        ok(results)

    def set_values(ctx: int, args: int, results: int) -> None:
        count, first = vals.read_list(arg(args, 2))
        values = [vals.read_u8_list(first + VAL * i) for i in range(count)]
        mutate(ctx, args, results, False, values)

    def delete(ctx: int, args: int, results: int) -> None:
        mutate(ctx, args, results, False, [])

    def append(ctx: int, args: int, results: int) -> None:
        mutate(ctx, args, results, True, [vals.read_u8_list(arg(args, 2))])

    def entries(ctx: int, args: int, results: int) -> None:
        write_entries(results, get(ctx, args).entries)

    def clone(ctx: int, args: int, results: int) -> None:
        copy = Fields(list(get(ctx, args).entries))
        write_own(ctx, results, session.current.table.add(copy), FIELDS)

    return {
        "[constructor]fields": new,
        "[static]fields.from-list": from_list,
        "[method]fields.get": get_values,
        "[method]fields.has": has,
        "[method]fields.set": set_values,
        "[method]fields.delete": delete,
        "[method]fields.append": append,
        "[method]fields.entries": entries,
        "[method]fields.clone": clone,
    }
