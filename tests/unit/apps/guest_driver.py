"""Runs a Spin Python SDK app's handler natively, with Spin's host APIs replaced by fakes.

Run by the build venv's Python (which has spin_sdk 3.4.1), not imported by the tests:

    python guest_driver.py APP_DIR < {"variables": {...}, "requests": [{"method", "uri", ...}]}

prints {"responses": [{"status", "headers", "body"}], "stdout": "..."}. The key-value store is
one dict for all the requests, as a Spin host keeps it across requests.
"""

import contextlib
import importlib.util
import io
import json
import sys
from types import TracebackType
from typing import Any, Self

from spin_sdk import key_value, variables
from spin_sdk.http import Request


class FakeStore:
    def __init__(self, data: dict[str, bytes]) -> None:
        self.data = data

    def get(self, key: str) -> bytes | None:
        return self.data.get(key)

    def set(self, key: str, value: bytes) -> None:
        self.data[key] = value

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None


def main(app_dir: str, spec: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, bytes] = {}
    key_value.open_default = lambda: FakeStore(data)  # type: ignore[assignment]
    variables.get = spec.get("variables", {}).__getitem__  # type: ignore[assignment]
    module_spec = importlib.util.spec_from_file_location("app", f"{app_dir}/app.py")
    assert module_spec is not None
    assert module_spec.loader is not None
    app = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(app)
    handler = app.IncomingHandler()
    responses, stdout = [], io.StringIO()
    with contextlib.redirect_stdout(stdout):
        for request in spec["requests"]:
            body = request.get("body", "").encode()
            headers = request.get("headers", {})
            response = handler.handle_request(
                Request(request["method"], request["uri"], headers, body)
            )
            responses.append(
                {
                    "status": response.status,
                    "headers": dict(response.headers),
                    "body": (response.body or b"").decode(),
                }
            )
    return {"responses": responses, "stdout": stdout.getvalue()}


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], json.load(sys.stdin))))
