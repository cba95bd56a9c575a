"""variable-explorer: reads three Spin variables, prints them and greets from `platform_name`.

The Python version of the SpinKube tutorial's sample ("Assigning variables to Spin Apps").
"""

from spin_sdk import http, variables
from spin_sdk.http import Request, Response


class IncomingHandler(http.IncomingHandler):
    def handle_request(self, request: Request) -> Response:
        log_level = variables.get("log_level")
        platform_name = variables.get("platform_name")
        db_password = variables.get("db_password")
        print(f"# Log Level: {log_level}", flush=True)
        print(f"# Platform Name: {platform_name}", flush=True)
        print(f"# DB Password: {db_password}", flush=True)
        body = f"Hello from {platform_name}".encode()
        return Response(200, {"content-type": "text/plain"}, body)
