"""wasi:http/types (0.2.x), server side: the request the guest reads and the response it sets.

Client-side parts (outgoing-request, request-options, future-incoming-response) are not
provided yet; calling them traps with their name.
"""

from __future__ import annotations

from collections.abc import Mapping

from spinkube.runtime.wasm import resources, vals
from spinkube.runtime.wasm.interfaces._common import ok
from spinkube.runtime.wasm.interfaces.http_fields import FIELDS, fields_functions
from spinkube.runtime.wasm.interfaces.http_objects import (
    Fields,
    FutureTrailers,
    IncomingBody,
    IncomingRequest,
    OutgoingBody,
    OutgoingResponse,
    ResponseOutparam,
)
from spinkube.runtime.wasm.interfaces.io import INPUT_STREAM, OUTPUT_STREAM, new_pollable
from spinkube.runtime.wasm.interfaces.objects import InputStream, OutputStream
from spinkube.runtime.wasm.resources import own_image, rep_of, write_own
from spinkube.runtime.wasm.session import GuestTrapError, HostFn, Session

IFACE = "wasi:http/types"
INCOMING_REQUEST = resources.type_id(IFACE, "incoming-request")
INCOMING_BODY = resources.type_id(IFACE, "incoming-body")
FUTURE_TRAILERS = resources.type_id(IFACE, "future-trailers")
OUTGOING_RESPONSE = resources.type_id(IFACE, "outgoing-response")
OUTGOING_BODY = resources.type_id(IFACE, "outgoing-body")
RESPONSE_OUTPARAM = resources.type_id(IFACE, "response-outparam")
arg = vals.arg
VAL = vals.VAL_SIZE

COLLECT_LIMIT = 1 << 20
"""Body bytes a response collects before it is streamed (when the caller streams at all), so
a large answer never sits whole in memory while its client is slow."""

METHODS = frozenset(
    {"get", "head", "post", "put", "delete", "connect", "options", "trace", "patch"}
)


def write_method(addr: int, method: str) -> None:
    lower = method.lower()
    if lower in METHODS and method.isupper():
        vals.write_variant(addr, lower)
    else:
        vals.write_variant(addr, "other", vals.image(vals.write_str, method))


def write_scheme(addr: int, scheme: str) -> None:
    lower = scheme.lower()
    if lower in ("http", "https"):
        case = vals.image(vals.write_variant, lower.upper())
    else:
        case = vals.image(vals.write_variant, "other", vals.image(vals.write_str, scheme))
    vals.write_option(addr, case)


def request_functions(session: Session) -> dict[str, HostFn]:
    def get(ctx: int, addr: int) -> IncomingRequest:
        found: IncomingRequest = session.current.table.get(rep_of(ctx, addr))
        return found

    def method(ctx: int, args: int, results: int) -> None:
        write_method(results, get(ctx, args).request.method)

    def path_with_query(ctx: int, args: int, results: int) -> None:
        path = get(ctx, args).request.path_with_query
        vals.write_option(results, vals.image(vals.write_str, path))

    def scheme(ctx: int, args: int, results: int) -> None:
        write_scheme(results, get(ctx, args).request.scheme)

    def authority(ctx: int, args: int, results: int) -> None:
        authority = get(ctx, args).request.authority
        vals.write_option(results, vals.image(vals.write_str, authority) if authority else None)

    def headers(ctx: int, args: int, results: int) -> None:
        rep = session.current.table.add(get(ctx, args).headers)
        write_own(ctx, results, rep, FIELDS)

    def consume(ctx: int, args: int, results: int) -> None:
        request = get(ctx, args)
        if request.consumed:
            vals.write_result(results, False)
            return
        request.consumed = True
        body = IncomingBody(InputStream(request.request.body))
        ok(results, own_image(ctx, session.current.table.add(body), INCOMING_BODY))

    return {
        "[method]incoming-request.method": method,
        "[method]incoming-request.path-with-query": path_with_query,
        "[method]incoming-request.scheme": scheme,
        "[method]incoming-request.authority": authority,
        "[method]incoming-request.headers": headers,
        "[method]incoming-request.consume": consume,
    }


def body_functions(session: Session) -> dict[str, HostFn]:
    def table_get(ctx: int, addr: int) -> object:
        return session.current.table.get(rep_of(ctx, addr))

    def incoming_stream(ctx: int, args: int, results: int) -> None:
        body: IncomingBody = table_get(ctx, args)  # type: ignore[assignment]
        if body.taken:
            vals.write_result(results, False)
            return
        body.taken = True
        ok(results, own_image(ctx, session.current.table.add(body.stream), INPUT_STREAM))

    def incoming_finish(ctx: int, args: int, results: int) -> None:
        table_get(ctx, args)
        write_own(ctx, results, session.current.table.add(FutureTrailers()), FUTURE_TRAILERS)

    def trailers_subscribe(ctx: int, args: int, results: int) -> None:
        table_get(ctx, args)
        new_pollable(session, ctx, results)

    def trailers_get(ctx: int, args: int, results: int) -> None:
        table_get(ctx, args)
        none = vals.image(vals.write_option, None)
        inner = vals.image(vals.write_result, True, none)
        vals.write_option(results, vals.image(vals.write_result, True, inner))

    def outgoing_write(ctx: int, args: int, results: int) -> None:
        body: OutgoingBody = table_get(ctx, args)  # type: ignore[assignment]
        if body.written:
            vals.write_result(results, False)
            return
        body.written = True
        ok(results, own_image(ctx, session.current.table.add(body.stream), OUTPUT_STREAM))

    def outgoing_finish(ctx: int, args: int, results: int) -> None:
        body: OutgoingBody = table_get(ctx, args)  # type: ignore[assignment]
        trailers = vals.read_option(arg(args, 1))
        if trailers:
            table_get(ctx, trailers)
        body.finished = True
        body.stream.closed = True
        ok(results)

    return {
        "[method]incoming-body.stream": incoming_stream,
        "[static]incoming-body.finish": incoming_finish,
        "[method]future-trailers.subscribe": trailers_subscribe,
        "[method]future-trailers.get": trailers_get,
        "[method]outgoing-body.write": outgoing_write,
        "[static]outgoing-body.finish": outgoing_finish,
    }


def response_functions(session: Session) -> dict[str, HostFn]:
    def get(ctx: int, addr: int) -> OutgoingResponse:
        found: OutgoingResponse = session.current.table.get(rep_of(ctx, addr))
        return found

    def new(ctx: int, args: int, results: int) -> None:
        headers: Fields = session.current.table.get(rep_of(ctx, args))
        response = OutgoingResponse(Fields(headers.entries))
        write_own(ctx, results, session.current.table.add(response), OUTGOING_RESPONSE)

    def status_code(ctx: int, args: int, results: int) -> None:
        vals.write_u64(results, vals.U16, get(ctx, args).status)

    def set_status_code(ctx: int, args: int, results: int) -> None:
        response = get(ctx, args)
        status = vals.read_u64(arg(args, 1)) & 0xFFFF
        if 100 <= status <= 999:
            response.status = status
        vals.write_result(results, 100 <= status <= 999)

    def headers(ctx: int, args: int, results: int) -> None:
        rep = session.current.table.add(get(ctx, args).headers)
        write_own(ctx, results, rep, FIELDS)

    def body(ctx: int, args: int, results: int) -> None:
        response = get(ctx, args)
        if response.body is not None:
            vals.write_result(results, False)
            return
        stream = OutputStream(
            sink=response.streaming, limit=COLLECT_LIMIT, on_full=session.current.before_wait
        )
        response.body = OutgoingBody(stream)
        ok(results, own_image(ctx, session.current.table.add(response.body), OUTGOING_BODY))

    def outparam_set(ctx: int, args: int, results: int) -> None:
        outparam: ResponseOutparam = session.current.table.get(rep_of(ctx, args))
        if outparam.set:
            raise GuestTrapError("response-outparam.set called twice")
        outparam.set = True
        result = arg(args, 1)
        payload = vals.read_ptr(result, 16)
        if vals.read_bool(result):
            outparam.response = session.current.table.get(rep_of(ctx, payload))
        else:
            outparam.error = vals.read_case(payload)

    def http_error_code(ctx: int, args: int, results: int) -> None:
        rep_of(ctx, args)
        vals.write_option(results, None)

    return {
        "[constructor]outgoing-response": new,
        "[method]outgoing-response.status-code": status_code,
        "[method]outgoing-response.set-status-code": set_status_code,
        "[method]outgoing-response.headers": headers,
        "[method]outgoing-response.body": body,
        "[static]response-outparam.set": outparam_set,
        "http-error-code": http_error_code,
    }


def types(session: Session) -> Mapping[str, HostFn]:
    return {
        **fields_functions(session),
        **request_functions(session),
        **body_functions(session),
        **response_functions(session),
    }
