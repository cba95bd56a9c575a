"""Benchmark the `spin-operator` process against the fake Kubernetes API.

    .venv/bin/python benchmarks/operator/bench.py              # 100 and 1,000 apps
    .venv/bin/python benchmarks/operator/bench.py --apps 100   # one size only

Starts the fake API (`python -m spinkube.testing.fakeapi`) and the manager (with webhooks on a
self-signed certificate) as processes, then for each size: creates the SpinApps (32 requests
in flight) and times until every Deployment and Service exists, times an image-update wave,
and finally sends 1,000 AdmissionReviews one at a time to the validating webhook. Prints the
machine, the figures and the targets from `operator-scale-findings.md`. Not part of the tests;
the fake API is a single Python process, so it (not the operator) often bounds the figures.
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


def peak_rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


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


@contextmanager
def operator(
    workdir: Path, kubeconfig: Path, *, name: str = "operator"
) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    certs = workdir / "certs"
    if not certs.exists():
        self_signed(certs)
    webhook, health = free_port(), free_port()
    script = Path(sys.executable).with_name("spin-operator")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "spinkube.operator"]
    log = workdir / f"{name}.log"
    process = subprocess.Popen(
        [
            *command,
            f"--kubeconfig={kubeconfig}",
            "--enable-webhooks",
            f"--webhook-bind-address=127.0.0.1:{webhook}",
            f"--webhook-cert-dir={certs}",
            f"--health-probe-bind-address=127.0.0.1:{health}",
            "--metrics-bind-address=:0",
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
        yield process, webhook
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


def run_wave(url: str, n: int, op_pid: int) -> dict[str, float]:
    ns = f"bench-{n}"
    with api_client(url) as client:
        cpu_before = cpu_seconds(op_pid)
        creates = [
            ("POST", f"{GROUP_PATH}/namespaces/{ns}/spinapps", app(ns, i), {}) for i in range(n)
        ]
        start = time.monotonic()
        submit = asyncio.run(send_all(url, creates))
        converged = converge(client, ns, n) - start
        cpu_create = cpu_seconds(op_pid) - cpu_before

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

        start = time.monotonic()
        update_submit = asyncio.run(send_all(url, updates))
        update_converged = converge(client, ns, n, updated) - start
    return {
        "apps": n,
        "create_submit_s": submit,
        "converge_s": converged,
        "reconciles_per_s": n / converged,
        "operator_cpu_create_s": cpu_create,
        "update_submit_s": update_submit,
        "update_converge_s": update_converged,
        "peak_rss_mib": peak_rss_mib(op_pid),
    }


def webhook_latency(port: int, ca: Path, reviews: int = 1000) -> dict[str, float]:
    context = ssl.create_default_context(cafile=str(ca))
    path = "/validate-core-spinoperator-dev-v1alpha1-spinapp"
    timings = []
    with httpx.Client(base_url=f"https://127.0.0.1:{port}", verify=context, timeout=10) as client:
        for i in range(reviews):
            obj = app("bench-100", i)
            obj["spec"]["replicas"] = 0 if i % 10 == 0 else 1  # one in ten is denied
            body = {
                "apiVersion": "admission.k8s.io/v1",
                "kind": "AdmissionReview",
                "request": {
                    "uid": f"uid-{i}",
                    "operation": "CREATE",
                    "namespace": "bench-100",
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


def resume_time(workdir: Path, kubeconfig: Path, total: int) -> float:
    """Seconds from starting a second operator until it resumed all `total` apps."""
    start = time.monotonic()
    log = workdir / "restarted.log"
    with operator(workdir, kubeconfig, name="restarted"):
        wait_for(
            lambda: log.read_text(errors="replace").count("Resuming is processed") >= total,
            TIMEOUT,
            "the resume",
        )
        return time.monotonic() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--apps", type=int, action="append", help="sizes (default 100 and 1000)")
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
            with operator(workdir, kubeconfig) as (process, webhook_port):
                print(f"operator idle RSS: {peak_rss_mib(process.pid):.1f} MiB")
                for n in sizes:
                    figures = run_wave(url, n, process.pid)
                    wait_idle(process.pid)
                    extra = reconcile_runs(workdir / "operator.log", f"bench-{n}") - 2 * n
                    print(
                        f"{n:>5} apps: submit {figures['create_submit_s']:.2f} s, "
                        f"all Deployments+Services {figures['converge_s']:.2f} s "
                        f"({figures['reconciles_per_s']:.1f} reconciles/s, operator CPU "
                        f"{figures['operator_cpu_create_s']:.1f} s); image update wave "
                        f"{figures['update_converge_s']:.2f} s (submit "
                        f"{figures['update_submit_s']:.2f} s); peak RSS "
                        f"{figures['peak_rss_mib']:.1f} MiB; duplicate handler runs {extra}"
                    )
                wait_idle(process.pid)  # measure the webhooks alone, not beside a backlog
                latency = webhook_latency(webhook_port, workdir / "certs" / "tls.crt")
                print(
                    f"webhook: {latency['reviews']:.0f} reviews, one client: p50 "
                    f"{latency['p50_ms']:.2f} ms, p99 {latency['p99_ms']:.2f} ms, max "
                    f"{latency['max_ms']:.2f} ms (target p99 < {TARGETS['webhook_p99_ms']:.0f} ms)"
                )
                print(
                    f"operator peak RSS (VmHWM): {peak_rss_mib(process.pid):.1f} MiB "
                    f"(target < {TARGETS['rss_mib']:.0f} MiB)"
                )
            resumed = resume_time(workdir, kubeconfig, sum(sizes))
            print(f"restart: {sum(sizes)} apps resumed in {resumed:.2f} s (from process start)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
