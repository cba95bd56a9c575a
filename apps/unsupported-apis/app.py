"""unsupported-apis: calls LLM (GET /llm)
and answers 501 with the error the host returned (`RuntimeError: ... is not supported ...`),
or 200 `unexpectedly worked`.
"""

from spin_sdk import http, llm
from spin_sdk.http import Request, Response
from spin_sdk.wit.types import Err

CALLS = {
    "llm": lambda: llm.infer("llama2-chat", "hello"),
}


class IncomingHandler(http.IncomingHandler):
    def handle_request(self, request: Request) -> Response:
        call = CALLS.get(request.uri.partition("?")[0].strip("/"))
        if call is None:
            return Response(
                404, {"content-type": "text/plain"}, b"try /llm"
            )
        try:
            call()
        except Err as exc:
            name = type(exc.value).__name__.removeprefix("Error_")
            body = f"{name}: {getattr(exc.value, 'value', '')}"
            return Response(501, {"content-type": "text/plain"}, body.encode())
        return Response(200, {"content-type": "text/plain"}, b"unexpectedly worked")
