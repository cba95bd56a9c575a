"""Benchmark the `spin-operator` process against the fake Kubernetes API.

    .venv/bin/python benchmarks/operator/bench.py              # 100 and 1,000 apps
    .venv/bin/python benchmarks/operator/bench.py --apps 100   # one size only

    .venv/bin/python benchmarks/operator/bench.py --apps 1000 --profile /tmp/op.prof

Starts the fake API (`python -m spinkube.testing.fakeapi`) and the manager (with webhooks on a
self-signed certificate) as processes, then for each size: creates the SpinApps (32 requests
in flight) and times until every Deployment and Service exists, times an image-update wave,
and finally sends 1,000 AdmissionReviews one at a time to the validating webhook; then
restarts the operator and times the resume of every app. For each wave it prints the
operator's own API requests per reconcile by verb and resource (its
`spin_operator_api_requests_total`), its CPU seconds per reconcile (utime+stime from
`/proc/<pid>/stat`, measured once the operator is idle again) and its RSS. With `--profile`
the operator runs under cProfile (`-m cProfile -o FILE`; the CPU figures then include the
profiler's overhead). Not part of the tests; the fake API is a single Python process, so it
(not the operator) often bounds the wall-clock figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import signal
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml

from spinkube.testing import free_port
from spinkube.testing.certs import self_signed

ROOT = Path(__file__).resolve().parents[2]
GROUP_PATH = "/apis/core.spinoperator.dev/v1alpha1"
IMAGE = "ghcr.io/spinkube/containerd-shim-spin/examples/spin-rust-hello:v0.13.0"
IN_FLIGHT = 32
POLL = 0.25
TIMEOUT = 600.0
TARGETS = {
    "converge_1000": 30.0,
    "rss_mib": 128.0,
    "webhook_p99_ms": 10.0,
}


def cpu_model() -> str:
    with open("/proc/cpuinfo") as info:
        for line in info:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def peak_rss_mib(pid: int, field: str = "VmHWM") -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def rss_mib(pid: int) -> float:
    return peak_rss_mib(pid, "VmRSS")


API_REQUESTS = "spin_operator_api_requests_total"


def api_requests(metrics_port: int) -> dict[str, float]:
    """The operator's own requests so far, as `verb resource` -> count."""
    text = httpx.get(f"http://127.0.0.1:{metrics_port}/metrics", timeout=10).text
    counts: dict[str, float] = {}
    for line in text.splitlines():
        if line.startswith(API_REQUESTS + "{"):
            labels, value = line[len(API_REQUESTS) + 1 :].rsplit("} ", 1)
            fields = dict(part.split("=", 1) for part in labels.split(","))
            counts[f"{fields['verb'].strip(chr(34))} {fields['resource'].strip(chr(34))}"] = float(
                value
            )
    return counts


def per_reconcile(after: dict[str, float], before: dict[str, float], n: int) -> str:
    """`apply deployments 1.00, ...`: the requests of a wave divided by its apps."""
    moved = {k: v - before.get(k, 0) for k, v in after.items() if v != before.get(k, 0)}
    return ", ".join(f"{k} {v / n:.2f}" for k, v in sorted(moved.items())) or "none"


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_idle(pid: int, *, window: float = 1.0, limit: float = 60.0) -> None:
    """Wait until the process used under 5 % of a core over `window` (its backlog is done)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        before = cpu_seconds(pid)
        time.sleep(window)
        if cpu_seconds(pid) - before < 0.05 * window:
            return


def wait_for(check: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.1)


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


@contextmanager
def fake_api(workdir: Path) -> Iterator[tuple[str, Path]]:
    port = free_port()
    kubeconfig = workdir / "kubeconfig"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "spinkube.testing.fakeapi",
            f"--port={port}",
            f"--kubeconfig-out={kubeconfig}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=(workdir / "fakeapi.log").open("wb"),
    )
    try:
        wait_for(kubeconfig.exists, 30, "the fake API")
        yield f"http://127.0.0.1:{port}", kubeconfig
    finally:
        stop(process)


@dataclass
class Operator:
    process: subprocess.Popen[bytes]
    webhook_port: int
    metrics_port: int


@contextmanager
def operator(
    workdir: Path, kubeconfig: Path, *, name: str = "operator", profile: Path | None = None
) -> Iterator[Operator]:
    certs = workdir / "certs"
    if not certs.exists():
        self_signed(certs)
    webhook, health, metrics = free_port(), free_port(), free_port()
    command = [sys.executable, "-m", "spinkube.operator"]
    if profile is not None:
        command = [sys.executable, "-m", "cProfile", "-o", str(profile), "-m", "spinkube.operator"]
    log = workdir / f"{name}.log"
    process = subprocess.Popen(
        [
            *command,
            f"--kubeconfig={kubeconfig}",
            "--enable-webhooks",
            f"--webhook-bind-address=127.0.0.1:{webhook}",
            f"--webhook-cert-dir={certs}",
            f"--health-probe-bind-address=127.0.0.1:{health}",
            f"--metrics-bind-address=127.0.0.1:{metrics}",
            "--metrics-secure=false",
        ],
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for(
            lambda: (
                "controllers started" in log.read_text(errors="replace")
                or process.poll() is not None
            ),
            60,
            "the operator",
        )
        if process.poll() is not None:
            raise SystemExit(f"the operator exited:\n{log.read_text()}")
        yield Operator(process, webhook, metrics)
    finally:
        stop(process)


def api_client(url: str) -> httpx.Client:
    return httpx.Client(base_url=url, timeout=30)


def setup_cluster(client: httpx.Client, namespaces: list[str]) -> None:
    for path in sorted((ROOT / "config" / "crd").glob("*.yaml")):
        crd = yaml.safe_load(path.read_text())
        client.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", json=crd)
    for ns in namespaces:
        client.post("/api/v1/namespaces", json={"metadata": {"name": ns}})
        executor = {
            "apiVersion": "core.spinoperator.dev/v1alpha1",
            "kind": "SpinAppExecutor",
            "metadata": {"name": "containerd-shim-spin", "namespace": ns},
            "spec": {
                "createDeployment": True,
                "deploymentConfig": {"runtimeClassName": "wasmtime-spin-v2"},
            },
        }
        answer = client.post(f"{GROUP_PATH}/namespaces/{ns}/spinappexecutors", json=executor)
        answer.raise_for_status()


def app(ns: str, i: int) -> dict[str, Any]:
    return {
        "apiVersion": "core.spinoperator.dev/v1alpha1",
        "kind": "SpinApp",
        "metadata": {"name": f"app-{i:05d}", "namespace": ns},
        "spec": {"image": IMAGE, "replicas": 1, "executor": "containerd-shim-spin"},
    }


async def send_all(url: str, requests: list[tuple[str, str, Any, dict[str, str]]]) -> float:
    """Send (method, path, body, headers) with IN_FLIGHT concurrent requests; seconds taken."""
    start = time.monotonic()
    queue = list(reversed(requests))
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:

        async def worker() -> None:
            while queue:
                method, path, body, headers = queue.pop()
                answer = await client.request(method, path, json=body, headers=headers)
                answer.raise_for_status()

        await asyncio.gather(*(worker() for _ in range(IN_FLIGHT)))
    return time.monotonic() - start


def count(client: httpx.Client, path: str, predicate: Any = None) -> int:
    items = client.get(path).json().get("items") or []
    return sum(1 for item in items if predicate is None or predicate(item))


def converge(client: httpx.Client, ns: str, n: int, predicate: Any = None) -> float:
    start = time.monotonic()
    while time.monotonic() - start < TIMEOUT:
        deployments = count(client, f"/apis/apps/v1/namespaces/{ns}/deployments", predicate)
        if deployments >= n and (
            predicate is not None or count(client, f"/api/v1/namespaces/{ns}/services") >= n
        ):
            return time.monotonic()
        time.sleep(POLL)
    raise SystemExit(f"{ns}: not converged after {TIMEOUT} s")


def reconcile_runs(log: Path, ns: str) -> int:
    """How often the SpinApp handler ran for apps of `ns` (a create and an update each: 2N)."""
    marker = f"[{ns}/"
    text = log.read_text(errors="replace")
    return sum(
        1 for line in text.splitlines() if marker in line and "Handler 'reconcile' succ" in line
    )


def run_wave(url: str, n: int, op: Operator) -> dict[str, Any]:
    ns, pid = f"bench-{n}", op.process.pid
    with api_client(url) as client:
        requests_before, cpu_before = api_requests(op.metrics_port), cpu_seconds(pid)
        creates = [
            ("POST", f"{GROUP_PATH}/namespaces/{ns}/spinapps", app(ns, i), {}) for i in range(n)
        ]
        start = time.monotonic()
        submit = asyncio.run(send_all(url, creates))
        converged = converge(client, ns, n) - start
        wait_idle(pid)  # the status patches and watch events after the last child
        cpu_create = cpu_seconds(pid) - cpu_before
        requests_created = api_requests(op.metrics_port)

        new_image = IMAGE.replace("v0.13.0", "v0.14.0")
        merge = {"Content-Type": "application/merge-patch+json"}
        updates = [
            (
                "PATCH",
                f"{GROUP_PATH}/namespaces/{ns}/spinapps/app-{i:05d}",
                {"spec": {"image": new_image}},
                merge,
            )
            for i in range(n)
        ]

        def updated(item: dict[str, Any]) -> bool:
            return bool(item["spec"]["template"]["spec"]["containers"][0]["image"] == new_image)

        cpu_before = cpu_seconds(pid)
        start = time.monotonic()
        update_submit = asyncio.run(send_all(url, updates))
        update_converged = converge(client, ns, n, updated) - start
        wait_idle(pid)
        cpu_update = cpu_seconds(pid) - cpu_before
        requests_updated = api_requests(op.metrics_port)
    return {
        "apps": n,
        "create_submit_s": submit,
        "converge_s": converged,
        "reconciles_per_s": n / converged,
        "cpu_create_ms": cpu_create / n * 1000,
        "requests_create": per_reconcile(requests_created, requests_before, n),
        "update_submit_s": update_submit,
        "update_converge_s": update_converged,
        "cpu_update_ms": cpu_update / n * 1000,
        "requests_update": per_reconcile(requests_updated, requests_created, n),
        "peak_rss_mib": peak_rss_mib(pid),
    }


def webhook_latency(port: int, ca: Path, ns: str, reviews: int = 1000) -> dict[str, float]:
    context = ssl.create_default_context(cafile=str(ca))
    path = "/validate-core-spinoperator-dev-v1alpha1-spinapp"
    timings = []
    with httpx.Client(base_url=f"https://127.0.0.1:{port}", verify=context, timeout=10) as client:
        for i in range(reviews):
            obj = app(ns, i)
            obj["spec"]["replicas"] = 0 if i % 10 == 0 else 1  # one in ten is denied
            body = {
                "apiVersion": "admission.k8s.io/v1",
                "kind": "AdmissionReview",
                "request": {
                    "uid": f"uid-{i}",
                    "operation": "CREATE",
                    "namespace": ns,
                    "name": obj["metadata"]["name"],
                    "object": obj,
                },
            }
            start = time.perf_counter()
            answer = client.post(path, content=json.dumps(body))
            timings.append((time.perf_counter() - start) * 1000)
            allowed = answer.json()["response"]["allowed"]
            if allowed == (i % 10 == 0):
                raise SystemExit(f"review {i}: unexpected answer {answer.text}")
    timings.sort()
    return {
        "reviews": reviews,
        "p50_ms": statistics.median(timings),
        "p99_ms": timings[int(len(timings) * 0.99) - 1],
        "max_ms": timings[-1],
    }


def webhook_report(port: int, ca: Path, ns: str) -> str:
    latency = webhook_latency(port, ca, ns)
    return (
        f"webhook: {latency['reviews']:.0f} reviews, one client: p50 "
        f"{latency['p50_ms']:.2f} ms, p99 {latency['p99_ms']:.2f} ms, max "
        f"{latency['max_ms']:.2f} ms (target p99 < {TARGETS['webhook_p99_ms']:.0f} ms)"
    )


def restart(workdir: Path, kubeconfig: Path, total: int, profile: Path | None) -> str:
    """Start a second operator over `total` existing apps: the time until all resumed (from
    process start), its CPU, RSS and requests per app."""
    start = time.monotonic()
    log = workdir / "restarted.log"
    with operator(workdir, kubeconfig, name="restarted", profile=profile) as op:
        wait_for(
            lambda: log.read_text(errors="replace").count("Resuming is processed") >= total,
            TIMEOUT,
            "the resume",
        )
        resumed = time.monotonic() - start
        wait_idle(op.process.pid)
        cpu = cpu_seconds(op.process.pid)
        requests = per_reconcile(api_requests(op.metrics_port), {}, total)
        return (
            f"restart: {total} apps resumed in {resumed:.2f} s (from process start); "
            f"operator CPU {cpu:.1f} s in all ({cpu / total * 1000:.1f} ms an app), peak RSS "
            f"{peak_rss_mib(op.process.pid):.1f} MiB, idle RSS "
            f"{rss_mib(op.process.pid):.1f} MiB\n  requests per app: {requests}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--apps", type=int, action="append", help="sizes (default 100 and 1000)")
    parser.add_argument("--profile", type=Path, help="cProfile output of the first operator")
    args = parser.parse_args()
    sizes = args.apps or [100, 1000]
    print(f"machine: {os.cpu_count()} cores, {cpu_model()}, Python {platform.python_version()}")
    print(
        f"targets: 1,000 apps converge < {TARGETS['converge_1000']:.0f} s, peak RSS < "
        f"{TARGETS['rss_mib']:.0f} MiB, webhook p99 < {TARGETS['webhook_p99_ms']:.0f} ms\n"
    )
    with tempfile.TemporaryDirectory(prefix="spin-operator-bench-") as tmp:
        workdir = Path(tmp)
        with fake_api(workdir) as (url, kubeconfig):
            with api_client(url) as client:
                setup_cluster(client, [f"bench-{n}" for n in sizes])
            with operator(workdir, kubeconfig, profile=args.profile) as op:
                wait_idle(op.process.pid)
                print(f"operator idle RSS: {rss_mib(op.process.pid):.1f} MiB")
                for n in sizes:
                    f = run_wave(url, n, op)
                    extra = reconcile_runs(workdir / "operator.log", f"bench-{n}") - 2 * n
                    print(
                        f"{n:>5} apps: submit {f['create_submit_s']:.2f} s, all Deployments+"
                        f"Services {f['converge_s']:.2f} s ({f['reconciles_per_s']:.1f} "
                        f"reconciles/s), operator CPU {f['cpu_create_ms']:.1f} ms a create; "
                        f"image update wave {f['update_converge_s']:.2f} s (submit "
                        f"{f['update_submit_s']:.2f} s), {f['cpu_update_ms']:.1f} ms an update; "
                        f"peak RSS {f['peak_rss_mib']:.1f} MiB; duplicate handler runs {extra}"
                        f"\n  requests per create: {f['requests_create']}"
                        f"\n  requests per update: {f['requests_update']}"
                    )
                wait_idle(op.process.pid)
                print(f"operator idle RSS after the waves: {rss_mib(op.process.pid):.1f} MiB")
                if args.profile is None:  # the profile is of the reconciliations alone
                    ca = workdir / "certs" / "tls.crt"
                    print(webhook_report(op.webhook_port, ca, f"bench-{sizes[0]}"))
                print(
                    f"operator peak RSS (VmHWM): {peak_rss_mib(op.process.pid):.1f} MiB "
                    f"(target < {TARGETS['rss_mib']:.0f} MiB)"
                )
            print(restart(workdir, kubeconfig, sum(sizes), None))
    return 0


if __name__ == "__main__":
    sys.exit(main())
