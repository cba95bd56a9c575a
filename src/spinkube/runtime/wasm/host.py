"""The component host: one compiled component, a fresh store and instance per request."""

from __future__ import annotations

import ctypes
import math
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from wasmtime.component import Component

from spinkube.runtime.wasm import capi, resources, vals
from spinkube.runtime.wasm.api import (
    ComponentContext,
    GuestError,
    GuestExit,
    GuestRequest,
    GuestResponse,
    GuestTimeoutError,
    ResponseSink,
)
from spinkube.runtime.wasm.errors import instantiate_error, trap_error
from spinkube.runtime.wasm.exports import (
    HANDLER,
    exported_interface,
    func_export_index,
    handler_export_index,
    handler_name,
    world_func_export_index,
)
from spinkube.runtime.wasm.interfaces.cli import flush_output
from spinkube.runtime.wasm.interfaces.http import INCOMING_REQUEST, RESPONSE_OUTPARAM
from spinkube.runtime.wasm.interfaces.http_objects import (
    Fields,
    IncomingRequest,
    ResponseOutparam,
)
from spinkube.runtime.wasm.linker import Linked, build_linker
from spinkube.runtime.wasm.session import RequestState, Session
from spinkube.runtime.wasm.streamer import ResponseStreamer

if TYPE_CHECKING:
    from spinkube.runtime.wasm.runtime import WasmRuntime

LogLine = Callable[[str, str, str], None]
"""(component id, ``stdout`` or ``stderr``, line) -> None."""

NO_DEADLINE = 1 << 62
INBOUND_REDIS = "fermyon:spin/inbound-redis"
MQTT_HANDLER = "handle-message"
"""The spin-trigger-mqtt plugin's export: a function of the component itself, in no interface."""
MQTT_WORLD = "spin:mqtt-trigger/spin-mqtt"
CLI_RUN = "wasi:cli/run@0.2."
CRON_HANDLER = "handle-cron-event"
"""The spin-trigger-cron plugin's export: a function of the component itself, in no interface."""
CRON_WORLD = "fermyon:spin-cron/spin-cron@2.0.0"
NO_REQUEST = GuestRequest("GET", "/", "http", "localhost", [], b"")
"""The request state of a non-HTTP call (a Redis message, a command): no HTTP request."""

T = TypeVar("T")


def print_line(component_id: str, stream: str, line: str) -> None:
    """Default guest output: the host's own stdout/stderr, one line each, prefixed."""
    out = sys.stdout if stream == "stdout" else sys.stderr
    print(f"[{component_id}] {line}", file=out, flush=True)


class _CallSlots:
    """The C structs one export call fills in (per call: calls run on several threads)."""

    __slots__ = ("args", "func", "instance")

    def __init__(self) -> None:
        self.instance = ctypes.create_string_buffer(capi.INSTANCE_SIZE)
        self.func = ctypes.create_string_buffer(capi.FUNC_SIZE)
        self.args = ctypes.create_string_buffer(64)


class WasmComponentHost:
    """Serves one component: ``handle`` runs a request in a fresh store and instance.

    ``handle`` may be called from several threads at once: each call has its own store,
    instance and request state (the session's, per thread), and wasm runs without the GIL.
    Instances alive at once per process are bounded by ``EngineSettings.pooling_instances``;
    past it instantiation fails (a ``GuestError``). A thread must not re-enter ``handle`` of
    the same host from inside one of its host calls (the trigger refuses that with 508).
    """

    def __init__(
        self,
        *,
        runtime: WasmRuntime,
        component: Component,
        context: ComponentContext,
        log_line: LogLine = print_line,
    ) -> None:
        self.runtime = runtime
        self.context = context
        self._component = component
        self._component_ptr = capi.address(component)
        cid = context.component_id
        self._session = Session(context, lambda stream, line: log_line(cid, stream, line))
        self._linked: Linked = build_linker(runtime.engine, component, self._session)
        exports_http = exported_interface(runtime.engine, component, HANDLER) is not None
        self._export = handler_export_index(runtime.engine, component) if exports_http else 0
        self._exports: dict[tuple[str, str], int] = {}

    @property
    def unprovided_imports(self) -> list[str]:
        """Imports (interfaces, or functions of partly provided ones) that trap when called."""
        return list(self._linked.unprovided)

    def handle(
        self,
        request: GuestRequest,
        *,
        deadline_s: float | None = None,
        sink: ResponseSink | None = None,
    ) -> GuestResponse:
        outparam = ResponseOutparam()
        streamer = ResponseStreamer(sink, outparam) if sink is not None else None
        self._run(request, outparam, deadline_s, streamer)
        response = self._response(outparam)
        if streamer is not None and streamer.started:
            streamer.finish()
        return response

    def handle_redis_message(self, payload: bytes, *, deadline_s: float | None = None) -> None:
        """Runs ``inbound-redis#handle-message`` with ``payload`` in a fresh instance."""
        index = self._export_index(INBOUND_REDIS, "handle-message")

        def args(addr: int) -> int:
            vals.write_u8_list(addr, payload)
            return 1

        ok = self._in_store(
            NO_REQUEST, deadline_s, None, lambda ctx: self._call_func(ctx, index, args)
        )
        if not ok:
            cid = self.context.component_id
            raise GuestError(f"component {cid} answered the Redis message with an error")

    def handle_mqtt_message(
        self, payload: bytes, topic: str, *, deadline_s: float | None = None
    ) -> None:
        """Runs the top-level ``handle-message`` export (spin-trigger-mqtt's world) with the
        payload and its metadata (the topic) in a fresh instance."""
        index = self._top_level_export_index(MQTT_HANDLER, world=MQTT_WORLD)

        def args(addr: int) -> int:
            vals.write_u8_list(addr, payload)
            (topic_slot,) = vals.write_record(vals.arg(addr, 1), ["topic"])
            vals.write_str(topic_slot, topic)
            return 2

        error = self._in_store(
            NO_REQUEST, deadline_s, None, lambda ctx: self._call_result(ctx, index, args)
        )
        if error is not None:
            cid = self.context.component_id
            raise GuestError(f"component {cid} answered the MQTT message with error {error}")

    def handle_cron_event(self, timestamp: int, *, deadline_s: float | None = None) -> None:
        """Runs the top-level ``handle-cron-event(metadata {timestamp})`` export (spin-cron's
        world) in a fresh instance."""
        index = self._top_level_export_index(CRON_HANDLER, world=CRON_WORLD)

        def args(addr: int) -> int:
            (slot,) = vals.write_record(addr, ["timestamp"])
            vals.write_u64(slot, vals.U64, timestamp)
            return 1

        error = self._in_store(
            NO_REQUEST, deadline_s, None, lambda ctx: self._call_result(ctx, index, args)
        )
        if error is not None:
            cid = self.context.component_id
            raise GuestError(f"component {cid} answered the cron event with error {error}")

    def run_command(self, arguments: list[str]) -> int:
        """Runs ``wasi:cli/run#run`` once; returns the exit code (see ``TriggerHost``)."""
        index = self._export_index(CLI_RUN, "run")
        try:
            ok = self._in_store(
                NO_REQUEST,
                None,
                None,
                lambda ctx: self._call_func(ctx, index, lambda _addr: 0),
                arguments=tuple(arguments),
            )
        except GuestExit as exc:
            return exc.code
        return 0 if ok else 1

    def _export_index(self, prefix: str, func: str) -> int:
        key = (prefix, func)
        index = self._exports.get(key)
        if index is None:
            iface = exported_interface(self.runtime.engine, self._component, prefix)
            if iface is None:
                cid = self.context.component_id
                raise GuestError(f"component {cid} does not export {prefix.rstrip('@.')}")
            index = self._exports[key] = func_export_index(self._component, iface, func)
        return index

    def _top_level_export_index(self, func: str, *, world: str) -> int:
        """The index of the component's own function export ``func`` (of ``world``, named in
        the error when the component lacks it)."""
        key = ("", func)
        index = self._exports.get(key)
        if index is None:
            found = world_func_export_index(self._component, func)
            if found is None:
                cid = self.context.component_id
                raise GuestError(f"component {cid} does not export {func} (world {world})")
            self._exports[key] = index = found
        return index

    def _call_func(self, ctx: int, index: int, write_args: Callable[[int], int]) -> bool:
        """Instantiates and calls the export ``index`` whose one result is a ``result`` with no
        ``ok`` payload; whether it was ``ok``."""
        return self._call_result(ctx, index, write_args) is None

    def _call_result(self, ctx: int, index: int, write_args: Callable[[int], int]) -> str | None:
        """Like :meth:`_call_func`; None for ``ok``, else the ``err`` payload described."""
        cid = self.context.component_id
        slots = _CallSlots()
        instance = ctypes.addressof(slots.instance)
        err = capi.linker_instantiate(self._linked.ptr, ctx, self._component_ptr, instance)
        if err:
            raise instantiate_error(capi.take_error_message(err), cid)
        func = ctypes.addressof(slots.func)
        if not capi.instance_get_func(instance, ctx, index, func):
            raise GuestError(f"component {cid}: cannot find the export to call")
        args = ctypes.addressof(slots.args)
        nargs = write_args(args)
        results = ctypes.create_string_buffer(vals.VAL_SIZE)
        err = capi.func_call(func, ctx, args, nargs, ctypes.addressof(results), 1)
        for i in range(nargs):
            capi.val_delete(vals.arg(args, i))
        if err:
            raise self._trap(err, None)
        result = ctypes.addressof(results)
        error = None if vals.read_bool(result) else vals.describe_err(result)
        capi.val_delete(result)
        err = capi.func_post_return(func, ctx)
        if err:
            raise self._trap(err, None)
        return error

    def _run(
        self,
        request: GuestRequest,
        outparam: ResponseOutparam,
        deadline_s: float | None,
        streamer: ResponseStreamer | None,
    ) -> None:
        self._in_store(
            request,
            deadline_s,
            streamer,
            lambda ctx: self._call(ctx, request, outparam, deadline_s),
        )

    def _in_store(
        self,
        request: GuestRequest,
        deadline_s: float | None,
        streamer: ResponseStreamer | None,
        call: Callable[[int], T],
        *,
        arguments: tuple[str, ...] = (),
    ) -> T:
        """Runs ``call`` with a fresh store's context, the session's state set for it."""
        runtime = self.runtime
        store = capi.store_new(runtime.engine_ptr, None, capi.NO_FINALIZER)
        try:
            ctx = int(capi.store_context(store))
            if runtime.max_instance_memory is not None:
                capi.store_limiter(store, runtime.max_instance_memory, -1, -1, -1, -1)
            capi.context_set_epoch_deadline(ctx, self._ticks(deadline_s))
            state = RequestState(request, arguments=arguments)
            if streamer is not None:
                state.on_wait = streamer.flush
            if deadline_s is not None:
                state.deadline_ns = time.monotonic_ns() + int(deadline_s * 1e9)
            self._session.state = state
            try:
                return call(ctx)
            finally:
                flush_output(self._session)
                self._session.state = None
        finally:
            capi.store_delete(store)

    def _ticks(self, deadline_s: float | None) -> int:
        if deadline_s is None:
            return NO_DEADLINE
        self.runtime.ticker.ensure_running()
        return max(1, math.ceil(deadline_s / self.runtime.ticker.tick_s))

    def _call(
        self, ctx: int, request: GuestRequest, outparam: ResponseOutparam, deadline_s: float | None
    ) -> None:
        cid = self.context.component_id
        slots = _CallSlots()
        instance = ctypes.addressof(slots.instance)
        err = capi.linker_instantiate(self._linked.ptr, ctx, self._component_ptr, instance)
        if err:
            raise instantiate_error(capi.take_error_message(err), cid)
        if not self._export:
            handler_name(self.runtime.engine, self._component)  # raises, saying what is missing
        func = ctypes.addressof(slots.func)
        if not capi.instance_get_func(instance, ctx, self._export, func):
            raise GuestError(f"component {cid} does not export wasi:http/incoming-handler")
        table = self._session.current.table
        incoming = IncomingRequest(request, Fields(list(request.headers), mutable=False))
        args = ctypes.addressof(slots.args)
        resources.write_own(ctx, args, table.add(incoming), INCOMING_REQUEST)
        resources.write_own(ctx, args + 32, table.add(outparam), RESPONSE_OUTPARAM)
        err = capi.func_call(func, ctx, args, 2, None, 0)
        capi.val_delete(args)
        capi.val_delete(args + 32)
        if err:
            raise self._trap(err, deadline_s)
        err = capi.func_post_return(func, ctx)
        if err:
            raise self._trap(err, deadline_s)

    def _trap(self, err: int, deadline_s: float | None) -> GuestError:
        """The error for a failed call; a wait stopped at the deadline (the host's own trap,
        see ``interfaces/waiting.py``) is a timeout like an epoch interrupt."""
        cid = self.context.component_id
        message = capi.take_error_message(err)
        if self._session.current.exit_code is not None:
            return GuestExit(self._session.current.exit_code, cid)
        if self._session.current.timed_out:
            return GuestTimeoutError(
                f"guest exceeded its {deadline_s} s deadline in component {cid}"
            )
        return trap_error(message, cid, deadline_s)

    def _response(self, outparam: ResponseOutparam) -> GuestResponse:
        cid = self.context.component_id
        response = outparam.response
        if response is None:
            if outparam.error is not None:
                raise GuestError(f"component {cid} answered with error {outparam.error}")
            raise GuestError(f"component {cid} returned without setting a response")
        # Streamed: the chunks went to the sink and the list is empty.
        body = b"".join(response.body.stream.chunks) if response.body else b""
        return GuestResponse(response.status, list(response.headers.entries), body)

    def close(self) -> None:
        """Frees the linker; the host must not be used afterwards."""
        self._linked.close()
        if self._export:
            capi.export_index_delete(self._export)
            self._export = 0
