"""Key-value: ``fermyon:spin/key-value@2.0.0`` (the ``store`` resource) over the component's
:class:`~spinkube.runtime.hostapi.KeyValue`.

A store handle is the process's shared backend for the label; ``open`` checks the grant.
Without host APIs in the context every label is ``access-denied``.
"""

from __future__ import annotations

from collections.abc import Mapping

from spinkube.runtime.hostapi import KeyValueAccessDeniedError, KeyValueStore
from spinkube.runtime.wasm import resources, vals
from spinkube.runtime.wasm.interfaces._common import ok
from spinkube.runtime.wasm.interfaces._hostapi import (
    ErrorVariant,
    apis_of,
    fallible,
    optional_bytes_image,
    str_list_image,
)
from spinkube.runtime.wasm.resources import own_image, rep_of
from spinkube.runtime.wasm.session import HostFn, Session

IFACE = "fermyon:spin/key-value"
STORE = resources.type_id(IFACE, "store")
ERRORS = ErrorVariant(
    plain=frozenset({"store-table-full", "no-such-store", "access-denied"}),
    strings=frozenset({"other"}),
    fallback="other",
)
arg = vals.arg


def open_store(session: Session, label: str) -> KeyValueStore:
    """The store ``label`` if the component may use it (raises a ``KeyValueError``)."""
    apis = apis_of(session)
    if apis is None:
        raise KeyValueAccessDeniedError(f"no key-value store is available, not even {label!r}")
    return apis.key_value.open(label)


def spin_key_value(session: Session) -> Mapping[str, HostFn]:
    def store(ctx: int, args: int) -> KeyValueStore:
        found: KeyValueStore = session.current.table.get(rep_of(ctx, args))
        return found

    @fallible(ERRORS)
    def open_(ctx: int, args: int, results: int) -> None:
        opened = open_store(session, vals.read_str(args))
        ok(results, own_image(ctx, session.current.table.add(opened), STORE))

    @fallible(ERRORS)
    def get(ctx: int, args: int, results: int) -> None:
        value = store(ctx, args).get(vals.read_str(arg(args, 1)))
        ok(results, optional_bytes_image(value))

    @fallible(ERRORS)
    def set_(ctx: int, args: int, results: int) -> None:
        target = store(ctx, args)
        target.set(vals.read_str(arg(args, 1)), vals.read_u8_list(arg(args, 2)))
        ok(results)

    @fallible(ERRORS)
    def delete(ctx: int, args: int, results: int) -> None:
        store(ctx, args).delete(vals.read_str(arg(args, 1)))
        ok(results)

    @fallible(ERRORS)
    def exists(ctx: int, args: int, results: int) -> None:
        found = store(ctx, args).exists(vals.read_str(arg(args, 1)))
        ok(results, vals.image(vals.write_bool, found))

    @fallible(ERRORS)
    def get_keys(ctx: int, args: int, results: int) -> None:
        ok(results, str_list_image(store(ctx, args).get_keys()))

    return {
        "[static]store.open": open_,
        "[method]store.get": get,
        "[method]store.set": set_,
        "[method]store.delete": delete,
        "[method]store.exists": exists,
        "[method]store.get-keys": get_keys,
    }
