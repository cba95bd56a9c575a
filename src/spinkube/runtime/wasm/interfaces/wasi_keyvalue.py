"""Key-value: ``wasi:keyvalue/{store,atomics,batch}@0.2.0-draft2`` over the same backends as
``fermyon:spin/key-value`` (a bucket is a store; ``open`` checks the grant the same way).

``atomics.cas`` remembers the value seen by ``cas.new``; ``swap`` sets the new value only if the
key still holds it (the backend's ``compare_and_swap``), and answers ``cas-failed`` otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from spinkube.runtime.hostapi import HostApiError, KeyValueStore
from spinkube.runtime.wasm import resources, vals
from spinkube.runtime.wasm.interfaces._common import ok
from spinkube.runtime.wasm.interfaces._hostapi import (
    VAL,
    ErrorVariant,
    fallible,
    optional_bytes_image,
    read_s64,
    read_str_list,
    s64_image,
    write_str_list,
)
from spinkube.runtime.wasm.interfaces.key_value import open_store
from spinkube.runtime.wasm.resources import own_image, rep_of
from spinkube.runtime.wasm.session import HostFn, Session

BUCKET = resources.type_id("wasi:keyvalue/store", "bucket")
CAS = resources.type_id("wasi:keyvalue/atomics", "cas")
ERRORS = ErrorVariant(
    plain=frozenset({"no-such-store", "access-denied"}),
    strings=frozenset({"other"}),
    fallback="other",
)
arg = vals.arg


@dataclass(slots=True)
class Cas:
    store: KeyValueStore
    key: str
    seen: bytes | None


def _bucket(session: Session, ctx: int, addr: int) -> KeyValueStore:
    found: KeyValueStore = session.current.table.get(rep_of(ctx, addr))
    return found


def write_key_response(addr: int, keys: list[str]) -> None:
    keys_slot, cursor_slot = vals.write_record(addr, ["keys", "cursor"])
    write_str_list(keys_slot, keys)
    vals.write_option(cursor_slot, None)


def store(session: Session) -> Mapping[str, HostFn]:
    @fallible(ERRORS)
    def open_(ctx: int, args: int, results: int) -> None:
        opened = open_store(session, vals.read_str(args))
        ok(results, own_image(ctx, session.current.table.add(opened), BUCKET))

    @fallible(ERRORS)
    def get(ctx: int, args: int, results: int) -> None:
        value = _bucket(session, ctx, args).get(vals.read_str(arg(args, 1)))
        ok(results, optional_bytes_image(value))

    @fallible(ERRORS)
    def set_(ctx: int, args: int, results: int) -> None:
        bucket = _bucket(session, ctx, args)
        bucket.set(vals.read_str(arg(args, 1)), vals.read_u8_list(arg(args, 2)))
        ok(results)

    @fallible(ERRORS)
    def delete(ctx: int, args: int, results: int) -> None:
        _bucket(session, ctx, args).delete(vals.read_str(arg(args, 1)))
        ok(results)

    @fallible(ERRORS)
    def exists(ctx: int, args: int, results: int) -> None:
        found = _bucket(session, ctx, args).exists(vals.read_str(arg(args, 1)))
        ok(results, vals.image(vals.write_bool, found))

    @fallible(ERRORS)
    def list_keys(ctx: int, args: int, results: int) -> None:
        keys = _bucket(session, ctx, args).get_keys()
        ok(results, vals.image(write_key_response, keys))

    return {
        "open": open_,
        "[method]bucket.get": get,
        "[method]bucket.set": set_,
        "[method]bucket.delete": delete,
        "[method]bucket.exists": exists,
        "[method]bucket.list-keys": list_keys,
    }


def atomics(session: Session) -> Mapping[str, HostFn]:
    @fallible(ERRORS)
    def increment(ctx: int, args: int, results: int) -> None:
        bucket = _bucket(session, ctx, args)
        value = bucket.increment(vals.read_str(arg(args, 1)), read_s64(arg(args, 2)))
        ok(results, s64_image(value))

    @fallible(ERRORS)
    def cas_new(ctx: int, args: int, results: int) -> None:
        bucket = _bucket(session, ctx, args)
        key = vals.read_str(arg(args, 1))
        cas = Cas(bucket, key, bucket.get(key))
        ok(results, own_image(ctx, session.current.table.add(cas), CAS))

    @fallible(ERRORS)
    def cas_current(ctx: int, args: int, results: int) -> None:
        cas: Cas = session.current.table.get(rep_of(ctx, args))
        ok(results, optional_bytes_image(cas.seen))

    def swap(ctx: int, args: int, results: int) -> None:
        rep = rep_of(ctx, args)
        cas: Cas = session.current.table.get(rep)
        try:
            swapped = cas.store.compare_and_swap(cas.key, cas.seen, vals.read_u8_list(arg(args, 1)))
        except HostApiError as exc:
            error = vals.image(vals.write_variant, "store-error", ERRORS.image(exc))
            vals.write_result(results, False, error)
            return
        if swapped:
            session.current.table.drop(rep)
            ok(results)
        else:
            failed = vals.image(vals.write_variant, "cas-failed", own_image(ctx, rep, CAS))
            vals.write_result(results, False, failed)

    return {
        "increment": increment,
        "[static]cas.new": cas_new,
        "[method]cas.current": cas_current,
        "swap": swap,
    }


def write_pairs(addr: int, pairs: list[tuple[str, bytes | None]]) -> None:
    """A ``list<tuple<string, option<list<u8>>>>``."""
    first = vals.write_list(addr, len(pairs))
    for i, (key, value) in enumerate(pairs):
        pair = vals.write_tuple(first + VAL * i, 2)
        vals.write_str(pair, key)
        payload = vals.image(vals.write_u8_list, value) if value is not None else None
        vals.write_option(pair + VAL, payload)


def read_pairs(addr: int) -> list[tuple[str, bytes]]:
    count, first = vals.read_list(addr)
    pairs = []
    for i in range(count):
        _, pair = vals.read_list(first + VAL * i)
        pairs.append((vals.read_str(pair), vals.read_u8_list(pair + VAL)))
    return pairs


def batch(session: Session) -> Mapping[str, HostFn]:
    @fallible(ERRORS)
    def get_many(ctx: int, args: int, results: int) -> None:
        found = _bucket(session, ctx, args).get_many(read_str_list(arg(args, 1)))
        ok(results, vals.image(write_pairs, found))

    @fallible(ERRORS)
    def set_many(ctx: int, args: int, results: int) -> None:
        _bucket(session, ctx, args).set_many(read_pairs(arg(args, 1)))
        ok(results)

    @fallible(ERRORS)
    def delete_many(ctx: int, args: int, results: int) -> None:
        _bucket(session, ctx, args).delete_many(read_str_list(arg(args, 1)))
        ok(results)

    return {"get-many": get_many, "set-many": set_many, "delete-many": delete_many}
