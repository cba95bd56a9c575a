"""outbound-http: fetches a URL through Spin's outbound HTTP and reports what came back.

GET /?url=<url> fetches <url> (a relative `/path` is a request to the app itself), or the
`target_url` variable without `url`. The answer is 200 with `<status>\n<body>`, or 502 with
`error: <error-code>` (`HTTP-request-denied` when `allowed_outbound_hosts` does not allow it).
"""

from urllib.parse import parse_qs

from spin_sdk import http, variables
from spin_sdk.http import Request, Response
from spin_sdk.wit.types import Err


class IncomingHandler(http.IncomingHandler):
    def handle_request(self, request: Request) -> Response:
        query = parse_qs(request.uri.partition("?")[2])
        url = query["url"][0] if "url" in query else variables.get("target_url")
        try:
            fetched = http.send(Request("GET", url, {}, None))
        except Err as exc:
            return text(502, "error: " + error_name(exc.value))
        return text(200, f"{fetched.status}\n" + (fetched.body or b"").decode(errors="replace"))


def error_name(value: object) -> str:
    """`ErrorCode_HttpRequestDenied` -> `HTTP-request-denied`, the WIT case name."""
    name = type(value).__name__.removeprefix("ErrorCode_")
    return CASES.get(name, name)


CASES = {
    "HttpRequestDenied": "HTTP-request-denied",
    "ConnectionRefused": "connection-refused",
    "DnsError": "DNS-error",
    "HttpRequestUriInvalid": "HTTP-request-URI-invalid",
    "InternalError": "internal-error",
}


def text(status: int, body: str) -> Response:
    return Response(status, {"content-type": "text/plain"}, body.encode())
