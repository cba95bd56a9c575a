"""Prometheus metrics of the manager, named as controller-runtime names them.

Upstream's dashboards and its e2e test look for `controller_runtime_reconcile_total`; the
same names here keep them working. The metrics controller-runtime has no name for carry the
program's own prefix (`spin_operator_api_requests_total`,
`runtime_class_manager_api_requests_total`). Each `Metrics` has its own registry, so tests
and a process with several managers never share counters.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

CONTENT_TYPE = CONTENT_TYPE_LATEST

SPIN_OPERATOR = "spin_operator"
RUNTIME_CLASS_MANAGER = "runtime_class_manager"
"""The programs' metric name prefixes."""

SUCCESS = "success"
ERROR = "error"
REQUEUE = "requeue"


class Metrics:
    """The manager's metrics: reconciles, webhook requests, API requests and leader status;
    `program` prefixes the names of the program's own metrics."""

    def __init__(self, *, program: str) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.reconcile_total = Counter(
            "controller_runtime_reconcile_total",
            "Total number of reconciliations per controller and result",
            ["controller", "result"],
            registry=r,
        )
        self.reconcile_errors = Counter(
            "controller_runtime_reconcile_errors_total",
            "Total number of reconciliation errors per controller",
            ["controller"],
            registry=r,
        )
        self.reconcile_time = Histogram(
            "controller_runtime_reconcile_time_seconds",
            "Length of time per reconciliation per controller",
            ["controller"],
            registry=r,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
        )
        self.active_workers = Gauge(
            "controller_runtime_active_workers",
            "Number of reconciliations running now per controller",
            ["controller"],
            registry=r,
        )
        self.queue_depth = Gauge(
            "workqueue_depth",
            "Objects waiting for a retry after a failed reconciliation",
            ["name"],
            registry=r,
        )
        self.webhook_requests = Counter(
            "controller_runtime_webhook_requests_total",
            "Total number of admission requests by HTTP status code",
            ["webhook", "code"],
            registry=r,
        )
        self.webhook_latency = Histogram(
            "controller_runtime_webhook_latency_seconds",
            "Histogram of the latency of processing admission requests",
            ["webhook"],
            registry=r,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1),
        )
        self.webhook_in_flight = Gauge(
            "controller_runtime_webhook_requests_in_flight",
            "Current number of admission requests being served",
            ["webhook"],
            registry=r,
        )
        self.api_requests = Counter(
            f"{program}_api_requests_total",
            "API requests of the program's client, by verb (apply for a server-side apply) "
            "and resource (kopf's watches are not counted)",
            ["verb", "resource"],
            registry=r,
        )
        self.leader = Gauge(
            "leader_election_master_status",
            "1 while this replica holds the leader Lease, else 0",
            ["name"],
            registry=r,
        )

    @contextmanager
    def reconciling(self, controller: str) -> Iterator[None]:
        """Time one reconciliation and count it as in flight while it runs."""
        self.active_workers.labels(controller).inc()
        start = time.perf_counter()
        try:
            yield
        finally:
            self.reconcile_time.labels(controller).observe(time.perf_counter() - start)
            self.active_workers.labels(controller).dec()

    def reconciled(self, controller: str, result: str) -> None:
        self.reconcile_total.labels(controller, result).inc()
        if result == ERROR:
            self.reconcile_errors.labels(controller).inc()

    def api_request(self, verb: str, resource: str) -> None:
        self.api_requests.labels(verb, resource).inc()

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
