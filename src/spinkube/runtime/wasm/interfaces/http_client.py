"""The client side of wasi:http (0.2.x): ``outgoing-handler.handle`` and the ``wasi:http/types``
resources it uses (``outgoing-request``, ``request-options``, ``future-incoming-response``,
``incoming-response``).

The whole response is fetched synchronously through the component's
:class:`~spinkube.runtime.hostapi.OutboundHttp` (policy, self-requests, service chaining,
timeouts) on the first ``future-incoming-response.get`` after the request body is finished; its
body is then read from memory. Failures are ``wasi:http`` ``error-code`` values.
"""

from __future__ import annotations

from collections.abc import Mapping

from spinkube.runtime.hostapi import (
    DnsError,
    HttpRequestDeniedError,
    OutboundHttpError,
    OutboundRequest,
    OutboundResponse,
)
from spinkube.runtime.wasm import resources, vals
from spinkube.runtime.wasm.interfaces._common import ok
from spinkube.runtime.wasm.interfaces._hostapi import apis_of
from spinkube.runtime.wasm.interfaces.http import (
    INCOMING_BODY,
    OUTGOING_BODY,
    write_method,
    write_scheme,
)
from spinkube.runtime.wasm.interfaces.http_client_objects import (
    FutureResponse,
    IncomingResponse,
    OutgoingRequest,
    RequestOptions,
)
from spinkube.runtime.wasm.interfaces.http_fields import FIELDS
from spinkube.runtime.wasm.interfaces.http_objects import Fields, IncomingBody, OutgoingBody
from spinkube.runtime.wasm.interfaces.io import new_pollable
from spinkube.runtime.wasm.interfaces.objects import InputStream
from spinkube.runtime.wasm.resources import own_image, rep_of, write_own
from spinkube.runtime.wasm.session import HostFn, Session

IFACE = "wasi:http/types"
OUTGOING_REQUEST = resources.type_id(IFACE, "outgoing-request")
REQUEST_OPTIONS = resources.type_id(IFACE, "request-options")
FUTURE_INCOMING_RESPONSE = resources.type_id(IFACE, "future-incoming-response")
INCOMING_RESPONSE = resources.type_id(IFACE, "incoming-response")
arg = vals.arg


def read_method(addr: int) -> str:
    case = vals.read_case(addr)
    return vals.read_str(vals.read_ptr(addr, 24)) if case == "other" else case.upper()


def read_scheme(addr: int) -> str | None:
    """An ``option<scheme>``."""
    payload = vals.read_option(addr)
    if not payload:
        return None
    case = vals.read_case(payload)
    return vals.read_str(vals.read_ptr(payload, 24)) if case == "other" else case.lower()


def read_optional_str(addr: int) -> str | None:
    payload = vals.read_option(addr)
    return vals.read_str(payload) if payload else None


def read_optional_u64(addr: int) -> int | None:
    payload = vals.read_option(addr)
    return vals.read_u64(payload) if payload else None


def optional_str_image(value: str | None) -> vals.Image:
    payload = vals.image(vals.write_str, value) if value is not None else None
    return vals.image(vals.write_option, payload)


def write_error_code(addr: int, exc: OutboundHttpError) -> None:
    """A ``wasi:http/types.error-code`` for the cases the backend raises."""
    case = exc.case
    if isinstance(exc, DnsError):
        vals.write_variant(addr, case, vals.image(_write_dns_payload, exc))
    elif case == "internal-error":
        vals.write_variant(addr, case, optional_str_image(exc.detail or None))
    elif case == "HTTP-response-body-size":
        vals.write_variant(addr, case, vals.image(vals.write_option, None))
    else:
        vals.write_variant(addr, case)


def _write_dns_payload(addr: int, exc: DnsError) -> None:
    rcode, info_code = vals.write_record(addr, ["rcode", "info-code"])
    vals.write_option(rcode, vals.image(vals.write_str, exc.rcode) if exc.rcode else None)
    code = exc.info_code
    vals.write_option(
        info_code, vals.image(vals.write_u64, vals.U16, code) if code is not None else None
    )


def request_functions(session: Session) -> dict[str, HostFn]:
    def get(ctx: int, addr: int) -> OutgoingRequest:
        found: OutgoingRequest = session.current.table.get(rep_of(ctx, addr))
        return found

    def new(ctx: int, args: int, results: int) -> None:
        headers: Fields = session.current.table.get(rep_of(ctx, args))
        request = OutgoingRequest(Fields(list(headers.entries)))
        write_own(ctx, results, session.current.table.add(request), OUTGOING_REQUEST)

    def body(ctx: int, args: int, results: int) -> None:
        request = get(ctx, args)
        if request.body is not None:
            vals.write_result(results, False)
            return
        request.body = OutgoingBody()
        ok(results, own_image(ctx, session.current.table.add(request.body), OUTGOING_BODY))

    def method(ctx: int, args: int, results: int) -> None:
        write_method(results, get(ctx, args).method)

    def set_method(ctx: int, args: int, results: int) -> None:
        get(ctx, args).method = read_method(arg(args, 1))
        ok(results)

    def path_with_query(ctx: int, args: int, results: int) -> None:
        vals.write_option(results, _str_or_none(get(ctx, args).path_with_query))

    def set_path_with_query(ctx: int, args: int, results: int) -> None:
        get(ctx, args).path_with_query = read_optional_str(arg(args, 1))
        ok(results)

    def scheme(ctx: int, args: int, results: int) -> None:
        value = get(ctx, args).scheme
        if value is None:
            vals.write_option(results, None)
        else:
            write_scheme(results, value)

    def set_scheme(ctx: int, args: int, results: int) -> None:
        get(ctx, args).scheme = read_scheme(arg(args, 1))
        ok(results)

    def authority(ctx: int, args: int, results: int) -> None:
        vals.write_option(results, _str_or_none(get(ctx, args).authority))

    def set_authority(ctx: int, args: int, results: int) -> None:
        get(ctx, args).authority = read_optional_str(arg(args, 1))
        ok(results)

    def headers(ctx: int, args: int, results: int) -> None:
        write_own(ctx, results, session.current.table.add(get(ctx, args).headers), FIELDS)

    return {
        "[constructor]outgoing-request": new,
        "[method]outgoing-request.body": body,
        "[method]outgoing-request.method": method,
        "[method]outgoing-request.set-method": set_method,
        "[method]outgoing-request.path-with-query": path_with_query,
        "[method]outgoing-request.set-path-with-query": set_path_with_query,
        "[method]outgoing-request.scheme": scheme,
        "[method]outgoing-request.set-scheme": set_scheme,
        "[method]outgoing-request.authority": authority,
        "[method]outgoing-request.set-authority": set_authority,
        "[method]outgoing-request.headers": headers,
    }


def _str_or_none(value: str | None) -> vals.Image | None:
    return vals.image(vals.write_str, value) if value is not None else None


OPTION_FIELDS = {"connect-timeout": "connect", "first-byte-timeout": "first_byte"}
OPTION_FIELDS["between-bytes-timeout"] = "between_bytes"


def options_functions(session: Session) -> dict[str, HostFn]:
    def new(ctx: int, args: int, results: int) -> None:
        write_own(ctx, results, session.current.table.add(RequestOptions()), REQUEST_OPTIONS)

    def getter(attr: str) -> HostFn:
        def run(ctx: int, args: int, results: int) -> None:
            value = getattr(session.current.table.get(rep_of(ctx, args)), attr)
            payload = vals.image(vals.write_u64, vals.U64, value) if value is not None else None
            vals.write_option(results, payload)

        return run

    def setter(attr: str) -> HostFn:
        def run(ctx: int, args: int, results: int) -> None:
            options = session.current.table.get(rep_of(ctx, args))
            setattr(options, attr, read_optional_u64(arg(args, 1)))
            ok(results)

        return run

    functions: dict[str, HostFn] = {"[constructor]request-options": new}
    for name, attr in OPTION_FIELDS.items():
        functions[f"[method]request-options.{name}"] = getter(attr)
        functions[f"[method]request-options.set-{name}"] = setter(attr)
    return functions


def send(session: Session, future: FutureResponse) -> None:
    request = future.request
    body = b"".join(request.body.stream.chunks) if request.body else b""
    apis = apis_of(session)
    session.current.before_wait()  # the response streamed so far goes out before the wait
    try:
        if apis is None:
            raise HttpRequestDeniedError("outbound HTTP is not available to this component")
        outbound = OutboundRequest(request.method, request.url(), request.headers.entries, body)
        future.outcome = apis.http.send(outbound, timeouts=future.timeouts)
    except OutboundHttpError as exc:
        future.outcome = exc


def response_functions(session: Session) -> dict[str, HostFn]:
    def future_get(ctx: int, args: int, results: int) -> None:
        future: FutureResponse = session.current.table.get(rep_of(ctx, args))
        if future.taken:
            vals.write_option(results, vals.image(vals.write_result, False))
            return
        if not future.ready():
            vals.write_option(results, None)
            return
        if future.outcome is None:
            send(session, future)
        future.taken = True
        outcome = future.outcome
        if isinstance(outcome, OutboundResponse):
            inner = vals.image(vals.write_result, True, _response_image(session, ctx, outcome))
        else:
            assert outcome is not None
            inner = vals.image(vals.write_result, False, vals.image(write_error_code, outcome))
        vals.write_option(results, vals.image(vals.write_result, True, inner))

    def future_subscribe(ctx: int, args: int, results: int) -> None:
        rep_of(ctx, args)
        new_pollable(session, ctx, results)

    def get(ctx: int, addr: int) -> IncomingResponse:
        found: IncomingResponse = session.current.table.get(rep_of(ctx, addr))
        return found

    def status(ctx: int, args: int, results: int) -> None:
        vals.write_u64(results, vals.U16, get(ctx, args).status)

    def headers(ctx: int, args: int, results: int) -> None:
        write_own(ctx, results, session.current.table.add(get(ctx, args).headers), FIELDS)

    def consume(ctx: int, args: int, results: int) -> None:
        response = get(ctx, args)
        if response.consumed:
            vals.write_result(results, False)
            return
        response.consumed = True
        body = IncomingBody(InputStream(response.body))
        ok(results, own_image(ctx, session.current.table.add(body), INCOMING_BODY))

    return {
        "[method]future-incoming-response.get": future_get,
        "[method]future-incoming-response.subscribe": future_subscribe,
        "[method]incoming-response.status": status,
        "[method]incoming-response.headers": headers,
        "[method]incoming-response.consume": consume,
    }


def _response_image(session: Session, ctx: int, response: OutboundResponse) -> vals.Image:
    headers = Fields([(k.lower(), v) for k, v in response.headers], mutable=False)
    incoming = IncomingResponse(response.status, headers, response.body)
    return own_image(ctx, session.current.table.add(incoming), INCOMING_RESPONSE)


def client_types(session: Session) -> Mapping[str, HostFn]:
    """The client-side functions of ``wasi:http/types`` (the server side is in ``http``)."""
    return {
        **request_functions(session),
        **options_functions(session),
        **response_functions(session),
    }


def outgoing_handler(session: Session) -> Mapping[str, HostFn]:
    def handle(ctx: int, args: int, results: int) -> None:
        request: OutgoingRequest = session.current.table.get(rep_of(ctx, args))
        request.headers.mutable = False
        options_addr = vals.read_option(arg(args, 1))
        options = RequestOptions()
        if options_addr:
            options = session.current.table.get(rep_of(ctx, options_addr))
        future = FutureResponse(request, options.timeouts())
        rep = session.current.table.add(future)
        ok(results, own_image(ctx, rep, FUTURE_INCOMING_RESPONSE))

    return {"handle": handle}
