"""Moving a guest's response into a :class:`ResponseSink` at the points where the guest waits.

Until the guest first waits (a timer, a poll, an outbound request) with its response set, the
response is collected exactly as without a sink, so a guest that answers at once costs nothing
extra. At that first wait the sink gets the head and the body so far, and from then on every
body write goes straight to it.
"""

from __future__ import annotations

from spinkube.runtime.wasm.api import ResponseSink
from spinkube.runtime.wasm.interfaces.http_objects import ResponseOutparam


class ResponseStreamer:
    __slots__ = ("_outparam", "_sink", "started")

    def __init__(self, sink: ResponseSink, outparam: ResponseOutparam) -> None:
        self._sink = sink
        self._outparam = outparam
        self.started = False

    def flush(self) -> None:
        """Called before every wait: starts the sink once the response is set, then flushes."""
        response = self._outparam.response
        if response is None:
            return
        sink = self._sink
        if not self.started:
            self.started = True
            sink.start(response.status, list(response.headers.entries))
            response.streaming = sink.write  # a body opened later writes straight through
        body = response.body
        if body is not None and body.stream.sink is None:
            stream = body.stream
            for chunk in stream.chunks:
                sink.write(chunk)
            stream.chunks.clear()
            stream.sink = sink.write
        sink.flush()

    def finish(self) -> None:
        self._sink.finish()
