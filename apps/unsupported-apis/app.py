"""unsupported-apis: calls LLM or MQTT (GET /llm, /mqtt)
and answers 501 with the error the host returned (`RuntimeError: ... is not supported ...`),
or 200 `unexpectedly worked`.
"""

from spin_sdk import http, llm, mqtt
from spin_sdk.http import Request, Response
from spin_sdk.wit.types import Err

CALLS = {
    "llm": lambda: llm.infer("llama2-chat", "hello"),
    "mqtt": lambda: mqtt.open("mqtt://127.0.0.1:1883", "", "", 30),
}


class IncomingHandler(http.IncomingHandler):
    def handle_request(self, request: Request) -> Response:
        call = CALLS.get(request.uri.partition("?")[0].strip("/"))
        if call is None:
            return Response(
                404, {"content-type": "text/plain"}, b"try /llm, /mqtt"
            )
        try:
            call()
        except Err as exc:
            name = type(exc.value).__name__.removeprefix("Error_")
            body = f"{name}: {getattr(exc.value, 'value', '')}"
            return Response(501, {"content-type": "text/plain"}, body.encode())
        return Response(200, {"content-type": "text/plain"}, b"unexpectedly worked")
