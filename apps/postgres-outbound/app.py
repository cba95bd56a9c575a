"""postgres-outbound: Spin's outbound PostgreSQL against the server at the `pg_address` variable.

    POST /exec    body: a statement, each `p=<case>:<value>` query item a parameter -> the count
    POST /query   the same, for a query -> a line of `name:data-type` per column, then one line
                  per row of `case=value` cells separated by ` | ` (binary as hex)

Parameter cases: `str`, `int16`, `int32`, `int64`, `floating64`, `boolean` (`true`/`false`),
`binary` (hex) and `null`. A database error answers 502 with `error: <Case>: <message>`.
"""

from urllib.parse import parse_qs

from spin_sdk import http, postgres, variables
from spin_sdk.http import Request, Response
from spin_sdk.wit.imports import rdbms_types as t
from spin_sdk.wit.types import Err

PARAMS = {
    "str": lambda v: t.ParameterValue_Str(v),
    "int16": lambda v: t.ParameterValue_Int16(int(v)),
    "int32": lambda v: t.ParameterValue_Int32(int(v)),
    "int64": lambda v: t.ParameterValue_Int64(int(v)),
    "floating64": lambda v: t.ParameterValue_Floating64(float(v)),
    "boolean": lambda v: t.ParameterValue_Boolean(v == "true"),
    "binary": lambda v: t.ParameterValue_Binary(bytes.fromhex(v)),
    "null": lambda v: t.ParameterValue_DbNull(),
}


class IncomingHandler(http.IncomingHandler):
    def handle_request(self, request: Request) -> Response:
        path, _, query = request.uri.partition("?")
        params = [parameter(p) for p in parse_qs(query).get("p", [])]
        statement = (request.body or b"").decode()
        try:
            with postgres.open(variables.get("pg_address")) as conn:
                if path.endswith("/exec"):
                    return text(200, str(conn.execute(statement, params)))
                return text(200, render(conn.query(statement, params)))
        except Err as exc:
            name = type(exc.value).__name__.removeprefix("Error_")
            return text(502, f"error: {name}: {getattr(exc.value, 'value', '')}")


def parameter(item: str):
    case, _, value = item.partition(":")
    return PARAMS[case](value)


def render(rows) -> str:
    lines = [" | ".join(f"{c.name}:{c.data_type.name.lower()}" for c in rows.columns)]
    for row in rows.rows:
        lines.append(" | ".join(cell(v) for v in row))
    return "\n".join(lines)


def cell(value) -> str:
    case = type(value).__name__.removeprefix("DbValue_").lower()
    payload = getattr(value, "value", None)
    if isinstance(payload, bytes):
        payload = payload.hex()
    return case if payload is None else f"{case}={payload}"


def text(status: int, body: str) -> Response:
    return Response(status, {"content-type": "text/plain"}, body.encode())
