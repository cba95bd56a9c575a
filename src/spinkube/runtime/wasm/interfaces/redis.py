"""Outbound Redis: ``fermyon:spin/redis@2.0.0`` (the ``connection`` resource) over the
component's :class:`~spinkube.runtime.hostapi.OutboundRedis`.

``open`` checks the address against ``allowed_outbound_hosts``; without host APIs in the context
every address is ``invalid-address``, as a denied one is in Spin.
"""

from __future__ import annotations

from collections.abc import Mapping

from spinkube.runtime.hostapi import InvalidAddressError, RedisConnection, Status
from spinkube.runtime.hostapi.outbound_redis import RedisParameter, RedisResult
from spinkube.runtime.wasm import resources, vals
from spinkube.runtime.wasm.interfaces._common import ok
from spinkube.runtime.wasm.interfaces._hostapi import (
    VAL,
    ErrorVariant,
    apis_of,
    fallible,
    optional_bytes_image,
    read_s64,
    read_str_list,
    s64_image,
    str_list_image,
    u32_image,
    write_s64,
)
from spinkube.runtime.wasm.resources import own_image, rep_of
from spinkube.runtime.wasm.session import HostFn, Session

IFACE = "fermyon:spin/redis"
CONNECTION = resources.type_id(IFACE, "connection")
ERRORS = ErrorVariant(
    plain=frozenset({"invalid-address", "too-many-connections", "type-error"}),
    strings=frozenset({"other"}),
    fallback="other",
)
arg = vals.arg


def read_parameters(addr: int) -> list[RedisParameter]:
    count, first = vals.read_list(addr)
    params: list[RedisParameter] = []
    for i in range(count):
        item = first + VAL * i
        payload = vals.read_ptr(item, 24)
        if vals.read_case(item) == "int64":
            params.append(read_s64(payload))
        else:
            params.append(vals.read_u8_list(payload))
    return params


def write_result_value(addr: int, value: RedisResult) -> None:
    if value is None:
        vals.write_variant(addr, "nil")
    elif isinstance(value, Status):
        vals.write_variant(addr, "status", vals.image(vals.write_str, str(value)))
    elif isinstance(value, int):
        vals.write_variant(addr, "int64", vals.image(write_s64, value))
    else:
        vals.write_variant(addr, "binary", vals.image(vals.write_u8_list, bytes(value)))


def write_results(addr: int, values: list[RedisResult]) -> None:
    first = vals.write_list(addr, len(values))
    for i, value in enumerate(values):
        write_result_value(first + VAL * i, value)


def open_connection(session: Session, address: str) -> RedisConnection:
    apis = apis_of(session)
    if apis is None:
        raise InvalidAddressError("outbound Redis is not available to this component")
    return apis.redis.open(address)


def spin_redis(session: Session) -> Mapping[str, HostFn]:
    def conn(ctx: int, args: int) -> RedisConnection:
        found: RedisConnection = session.current.table.get(rep_of(ctx, args))
        return found

    def key(args: int) -> str:
        return vals.read_str(arg(args, 1))

    @fallible(ERRORS)
    def open_(ctx: int, args: int, results: int) -> None:
        opened = open_connection(session, vals.read_str(args))
        ok(results, own_image(ctx, session.current.table.add(opened), CONNECTION))

    @fallible(ERRORS)
    def publish(ctx: int, args: int, results: int) -> None:
        conn(ctx, args).publish(key(args), vals.read_u8_list(arg(args, 2)))
        ok(results)

    @fallible(ERRORS)
    def get(ctx: int, args: int, results: int) -> None:
        ok(results, optional_bytes_image(conn(ctx, args).get(key(args))))

    @fallible(ERRORS)
    def set_(ctx: int, args: int, results: int) -> None:
        conn(ctx, args).set(key(args), vals.read_u8_list(arg(args, 2)))
        ok(results)

    @fallible(ERRORS)
    def incr(ctx: int, args: int, results: int) -> None:
        ok(results, s64_image(conn(ctx, args).incr(key(args))))

    @fallible(ERRORS)
    def del_(ctx: int, args: int, results: int) -> None:
        ok(results, u32_image(conn(ctx, args).delete(read_str_list(arg(args, 1)))))

    @fallible(ERRORS)
    def sadd(ctx: int, args: int, results: int) -> None:
        added = conn(ctx, args).sadd(key(args), read_str_list(arg(args, 2)))
        ok(results, u32_image(added))

    @fallible(ERRORS)
    def smembers(ctx: int, args: int, results: int) -> None:
        ok(results, str_list_image(conn(ctx, args).smembers(key(args))))

    @fallible(ERRORS)
    def srem(ctx: int, args: int, results: int) -> None:
        removed = conn(ctx, args).srem(key(args), read_str_list(arg(args, 2)))
        ok(results, u32_image(removed))

    @fallible(ERRORS)
    def execute(ctx: int, args: int, results: int) -> None:
        replies = conn(ctx, args).execute(key(args), read_parameters(arg(args, 2)))
        ok(results, vals.image(write_results, replies))

    return {
        "[static]connection.open": open_,
        "[method]connection.publish": publish,
        "[method]connection.get": get,
        "[method]connection.set": set_,
        "[method]connection.incr": incr,
        "[method]connection.del": del_,
        "[method]connection.sadd": sadd,
        "[method]connection.smembers": smembers,
        "[method]connection.srem": srem,
        "[method]connection.execute": execute,
    }
