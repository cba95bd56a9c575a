"""postgres-types: every value case of `spin:postgres/postgres@4.0.0` and `@3.0.0` through a real
table, with spin-sdk's generated bindings (no SDK module wraps v3 or v4).

    POST /v4/query, /v4/execute, /v3/query, /v3/execute
         body: {"statement": "...", "params": [["<case>", <value>], ...]}

Values are JSON: dates and times as their tuples (lists), binary, jsonb and unsupported bytes as
hex, ranges as [lower, upper] with each bound null or [value, "inclusive"|"exclusive"], arrays as
lists, an interval as [micros, days, months], db-null as ["db-null", null]. A query answers
{"columns": [[name, data-type], ...], "rows": [[[case, value], ...], ...]} (v4's other(name)
as "other:<name>"); an execute {"count": n}. A database error answers 502 with
{"error": "<case>", "message": "...", "db_error": {...} or null}.
"""

import json
import re

from spin_sdk import http, variables
from spin_sdk.http import Request, Response
from spin_sdk.wit.imports import spin_postgres_postgres_3_0_0 as v3
from spin_sdk.wit.imports import spin_postgres_postgres_4_0_0 as v4
from spin_sdk.wit.types import Err

VERSIONS = {"v3": v3, "v4": v4}


class IncomingHandler(http.IncomingHandler):
    def handle_request(self, request: Request) -> Response:
        version, action = request.uri.split("?")[0].split("/")[-2:]
        pg = VERSIONS[version]
        body = json.loads(request.body or b"{}")
        params = [parameter(pg, case, value) for case, value in body.get("params", [])]
        try:
            with pg.Connection.open(variables.get("pg_address")) as conn:
                if action == "execute":
                    return answer(200, {"count": conn.execute(body["statement"], params)})
                return answer(200, row_set(conn.query(body["statement"], params)))
        except Err as exc:
            return answer(502, error(exc.value))


def parameter(pg, case: str, value):
    cls = getattr(pg, "ParameterValue_" + "".join(p.capitalize() for p in case.split("-")))
    if case == "db-null":
        return cls()
    if case in ("binary", "jsonb"):
        return cls(bytes.fromhex(value))
    if case in ("date", "time", "datetime"):
        return cls(tuple(value))
    if case.startswith("range-"):
        return cls(tuple(bound(pg, b) for b in value))
    if case == "interval":
        return cls(pg.Interval(*value))
    return cls(value)


def bound(pg, value):
    return None if value is None else (value[0], pg.RangeBoundKind[value[1].upper()])


def row_set(rows) -> dict:
    columns = [[c.name, data_type(c.data_type)] for c in rows.columns]
    return {"columns": columns, "rows": [[db_value(v) for v in row] for row in rows.rows]}


def data_type(value) -> str:
    if hasattr(value, "name") and not hasattr(value, "__dataclass_fields__"):
        return value.name.lower().replace("_", "-")  # v3: an enum
    case = kebab(type(value).__name__.removeprefix("DbDataType_"))
    return f"other:{value.value}" if case == "other" else case


def db_value(value) -> list:
    return [kebab(type(value).__name__.removeprefix("DbValue_")), plain(getattr(value, "value", None))]


def kebab(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


def plain(value):
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, (tuple, list)):
        return [plain(v) for v in value]
    if hasattr(value, "micros"):
        return [value.micros, value.days, value.months]
    if hasattr(value, "name") and hasattr(value, "value") and not isinstance(value, str):
        return value.name.lower()  # RangeBoundKind
    return value


def error(value) -> dict:
    case = kebab(type(value).__name__.removeprefix("Error_"))
    payload = value.value
    if hasattr(payload, "value"):  # v4 query-failed: a query-error
        inner = payload.value
        if hasattr(inner, "as_text"):
            details = {
                "severity": inner.severity, "code": inner.code, "message": inner.message,
                "detail": inner.detail, "extras": [list(e) for e in inner.extras],
            }
            return {"error": case, "message": inner.as_text, "db_error": details}
        return {"error": case, "message": inner, "db_error": None}
    return {"error": case, "message": payload, "db_error": None}


def answer(status: int, body: dict) -> Response:
    return Response(status, {"content-type": "application/json"}, json.dumps(body).encode())
