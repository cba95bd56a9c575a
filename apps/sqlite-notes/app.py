"""sqlite-notes: notes in the default SQLite database (`spin:sqlite/sqlite@3.0.0`; spin-sdk
3.4.1's own `spin_sdk.sqlite` module imports bindings componentize-py 0.17.2 names differently).

POST / with a text body adds a note and answers 201 with its id; GET / answers the notes as JSON
(`[{"id": 1, "text": "..."}, ...]`, oldest first). A database error answers 500 with its name.
"""

import json

from spin_sdk import http
from spin_sdk.http import Request, Response
from spin_sdk.wit.imports.spin_sqlite_sqlite import Connection, Value_Text
from spin_sdk.wit.types import Err

SCHEMA = "CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY AUTOINCREMENT, text TEXT)"


class IncomingHandler(http.IncomingHandler):
    def handle_request(self, request: Request) -> Response:
        try:
            with Connection.open("default") as db:
                db.execute(SCHEMA, [])
                if request.method == "POST":
                    return add(db, (request.body or b"").decode())
                return listing(db)
        except Err as exc:
            return Response(500, {"content-type": "text/plain"}, describe(exc).encode())


def add(db, text: str) -> Response:
    db.execute("INSERT INTO notes (text) VALUES (?)", [Value_Text(text)])
    return Response(201, {"content-type": "text/plain"}, str(db.last_insert_rowid()).encode())


def listing(db) -> Response:
    result = db.execute("SELECT id, text FROM notes ORDER BY id", [])
    notes = [{"id": row.values[0].value, "text": row.values[1].value} for row in result.rows]
    return Response(200, {"content-type": "application/json"}, json.dumps(notes).encode())


def describe(exc: Err) -> str:
    value = exc.value
    detail = getattr(value, "value", None)
    name = type(value).__name__.removeprefix("Error_")
    return f"{name}: {detail}" if detail else name
