"""Queries per second through the PostgreSQL interface, against psycopg from the host, same run.

Usage: python benchmarks/runtime/postgres_queries.py [--queries N]

Starts a throwaway cluster of Debian's postgresql (as the ``postgres`` user when run as root) on a
free loopback port, loads apps/postgres-outbound (``fermyon:spin/postgres@2.0.0``) and
apps/postgres-types (``spin:postgres/postgres@4.0.0``) in process (no HTTP server: the host calls
the component's handler directly), and times N requests to each that open a connection and run
``SELECT id, body FROM notes WHERE id = $1``. The reference is the same query through psycopg
with one pooled connection. Prints the rates and their ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import psycopg

from spinkube.runtime.hostapi import HostApis, parse_allowed_hosts
from spinkube.runtime.hostapi.catalogue import build_catalogue
from spinkube.runtime.wasm.api import ComponentContext, GuestRequest
from spinkube.runtime.wasm.runtime import WasmRuntime
from spinkube.testing import free_port

REPO = Path(__file__).resolve().parents[2]
STATEMENT = "SELECT id, body FROM notes WHERE id = $1"


def as_server_user(argv: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


def start_cluster(work: Path, port: int) -> Path:
    bindir = sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1]
    if os.geteuid() == 0:
        shutil.chown(work, "postgres")
    data = work / "data"
    initdb = [str(bindir / "initdb"), "-D", str(data), "-U", "spin", "--auth=trust"]
    subprocess.run(as_server_user(initdb), check=True, capture_output=True)
    options = f"-h 127.0.0.1 -p {port} -k {work}"
    start = [str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(work / "log")]
    subprocess.run(as_server_user([*start, "-w", "start"]), check=True, capture_output=True)
    return bindir


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--queries", type=int, default=2000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-pg-"))
    port = free_port()
    url = f"postgres://spin@127.0.0.1:{port}/postgres"
    bindir = start_cluster(work, port)
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE TABLE notes (id int PRIMARY KEY, body text)")
            conn.execute("INSERT INTO notes SELECT g, 'note ' || g FROM generate_series(1, 100) g")
        guest_rate = through_interface(url, port, args.queries, work, V2_APP)
        v4_rate = through_interface(url, port, args.queries, work, V4_APP)
        host_rate = through_psycopg(url, args.queries)
    finally:
        stop = [str(bindir / "pg_ctl"), "-D", str(work / "data"), "-m", "immediate", "stop"]
        subprocess.run(as_server_user(stop), capture_output=True)
        shutil.rmtree(work, ignore_errors=True)
    print(f"queries: {args.queries}")
    print(f"through fermyon:spin/postgres@2 (apps/postgres-outbound): {guest_rate:,.0f} q/s")
    print(f"through spin:postgres/postgres@4 (apps/postgres-types):   {v4_rate:,.0f} q/s")
    print(f"psycopg from the host, one pooled connection:             {host_rate:,.0f} q/s")
    print(f"ratio v2 interface / psycopg: {guest_rate / host_rate:.3f}")
    print(f"ratio v4 interface / psycopg: {v4_rate / host_rate:.3f}")


def v2_request(i: int) -> GuestRequest:
    target = f"/query?p=int32:{i % 100 + 1}"
    return GuestRequest("POST", target, "http", "localhost", [], STATEMENT.encode())


def v4_request(i: int) -> GuestRequest:
    body = json.dumps({"statement": STATEMENT, "params": [["int32", i % 100 + 1]]})
    return GuestRequest("POST", "/v4/query", "http", "localhost", [], body.encode())


V2_APP = ("apps/postgres-outbound/app.wasm", v2_request)
V4_APP = ("apps/postgres-types/app.wasm", v4_request)


def through_interface(
    url: str, port: int, count: int, work: Path, app: tuple[str, Callable[[int], GuestRequest]]
) -> float:
    allowed = parse_allowed_hosts([f"postgres://127.0.0.1:{port}"], {}, component_id="pg")
    catalogue = build_catalogue(
        key_value_stores={}, sqlite_databases={}, state_dir=work, config_dir=None, work_dir=work
    )
    apis = HostApis(catalogue).for_component(
        "pg", key_value_stores=(), sqlite_databases=(), allowed_hosts=allowed
    )
    variables = {"pg_address": url}
    context = ComponentContext(component_id="pg", get_variable=variables.get, apis=apis)
    wasm, request = app
    host = WasmRuntime().load(REPO / wasm, context)
    for i in range(50):
        assert host.handle(request(i)).status == 200
    started = time.perf_counter()
    for i in range(count):
        host.handle(request(i))
    return count / (time.perf_counter() - started)


def through_psycopg(url: str, count: int) -> float:
    with psycopg.connect(url, autocommit=True, cursor_factory=psycopg.RawCursor) as conn:
        for i in range(50):
            conn.execute(STATEMENT, [i % 100 + 1]).fetchall()
        started = time.perf_counter()
        for i in range(count):
            conn.execute(STATEMENT, [i % 100 + 1]).fetchall()
        return count / (time.perf_counter() - started)


if __name__ == "__main__":
    main()
