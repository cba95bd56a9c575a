"""The manager's configuration: its flags and environment, read once at the edge.

Flag names and defaults follow upstream's `cmd/main.go` (controller-runtime) and the Helm
chart in `charts/spin-operator/`; `parse_args` is the only place that reads them.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from spinkube.manager.config import (
    BindAddress,
    LeaderElection,
    LogFormat,
    add_leader_election_flags,
    add_logging_flags,
    address_flag,
    leader_election_from,
)

DEFAULT_HEALTH_ADDRESS = ":8082"
DEFAULT_METRICS_ADDRESS = ":8080"
DEFAULT_WEBHOOK_ADDRESS = ":9443"
DEFAULT_CERT_DIR = "/tmp/k8s-webhook-server/serving-certs"
DEFAULT_LEADER_ELECTION_ID = "spin-operator-leader"
DEFAULT_SYNC_PERIOD = 10 * 60 * 60.0
"""controller-runtime's default SyncPeriod: 10 hours."""
SYSTEM_CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")


@dataclass(frozen=True)
class WebhookServer:
    enabled: bool = False
    address: BindAddress = BindAddress("0.0.0.0", 9443)
    cert_dir: Path = Path(DEFAULT_CERT_DIR)

    @property
    def cert_file(self) -> Path:
        return self.cert_dir / "tls.crt"

    @property
    def key_file(self) -> Path:
        return self.cert_dir / "tls.key"


@dataclass(frozen=True)
class ManagerConfig:
    """Everything the manager needs to know, grouped; defaults are the documented ones."""

    kubeconfig: Path | None = None
    namespace: str | None = None
    """Watch only this namespace; None watches all."""
    health_address: BindAddress = BindAddress("0.0.0.0", 8082)
    metrics_address: BindAddress = BindAddress("0.0.0.0", 8080)
    webhooks: WebhookServer = field(default_factory=WebhookServer)
    leader_election: LeaderElection = field(
        default_factory=lambda: LeaderElection(lease_name=DEFAULT_LEADER_ELECTION_ID)
    )
    log_level: str = "info"
    log_format: LogFormat = "plain"
    metrics_secure: bool = True
    """Serve /metrics over HTTPS to callers allowed to `get /metrics` (TokenReview + SAR)."""
    metrics_cert_dir: Path | None = None
    """tls.crt/tls.key for secure metrics; None: the webhook certificate's directory."""
    ca_bundle: Path | None = None
    """The PEM bundle for executors with `installDefaultCACerts`; None: the system's."""
    sync_period: float = DEFAULT_SYNC_PERIOD
    """Seconds between resyncs of every SpinApp (controller-runtime's SyncPeriod); 0: never."""


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="spin-operator",
        description="The Spin Operator manager: SpinApp and SpinAppExecutor controllers and "
        "their admission webhooks.",
    )
    p.add_argument(
        "--kubeconfig",
        type=Path,
        help="kubeconfig file (default: $KUBECONFIG, "
        "the in-cluster service account, ~/.kube/config)",
    )
    p.add_argument("--namespace", help="watch only this namespace (default: all namespaces)")
    p.add_argument(
        "--health-probe-bind-address",
        default=DEFAULT_HEALTH_ADDRESS,
        help="address of /healthz and /readyz (default %(default)s)",
    )
    p.add_argument(
        "--metrics-bind-address",
        default=DEFAULT_METRICS_ADDRESS,
        help="address of the Prometheus /metrics endpoint (HTTPS unless "
        "--metrics-secure=false); port 0 disables it (default %(default)s)",
    )
    p.add_argument(
        "--metrics-secure",
        nargs="?",
        const=True,
        default=True,
        type=_flag_bool,
        metavar="true|false",
        help="serve /metrics over HTTPS, only to callers the cluster allows to get /metrics "
        "(TokenReview and SubjectAccessReview), as upstream (default: true; "
        "--metrics-secure=false serves plain HTTP to anyone)",
    )
    p.add_argument(
        "--metrics-cert-dir",
        type=Path,
        help="tls.crt and tls.key for --metrics-secure (default: --webhook-cert-dir)",
    )
    add_leader_election_flags(p, default_id=DEFAULT_LEADER_ELECTION_ID)
    p.add_argument(
        "--enable-webhooks", action="store_true", help="serve the admission webhooks over HTTPS"
    )
    p.add_argument(
        "--webhook-bind-address",
        default=DEFAULT_WEBHOOK_ADDRESS,
        help="address of the webhook server (default %(default)s)",
    )
    p.add_argument(
        "--webhook-cert-dir",
        type=Path,
        default=Path(DEFAULT_CERT_DIR),
        help="directory holding tls.crt and tls.key (default %(default)s)",
    )
    p.add_argument(
        "--ca-bundle",
        type=Path,
        help="PEM bundle installed for executors with installDefaultCACerts "
        f"(default: {SYSTEM_CA_BUNDLE}, else certifi's)",
    )
    p.add_argument(
        "--sync-period",
        type=float,
        default=DEFAULT_SYNC_PERIOD,
        help="seconds between reconciliations of every SpinApp even without a change, like "
        "controller-runtime's SyncPeriod; 0 disables (default %(default)s: 10 hours)",
    )
    add_logging_flags(p)
    return p


def _flag_bool(text: str) -> bool:
    """A Go-style boolean flag value: `--metrics-secure=false`."""
    value = text.strip().lower()
    if value in ("true", "1", "t", "yes"):
        return True
    if value in ("false", "0", "f", "no"):
        return False
    raise argparse.ArgumentTypeError(f"invalid boolean value {text!r}: use true or false")


def parse_args(
    argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None
) -> ManagerConfig:
    """The configuration from command-line flags and `$POD_NAME`/`$POD_NAMESPACE`."""
    env = os.environ if environ is None else environ
    parser = _parser()
    args = parser.parse_args(argv)
    election = leader_election_from(parser, args, env)
    if args.sync_period < 0:
        parser.error("--sync-period: must be 0 (off) or a positive number of seconds")
    webhooks = WebhookServer(
        enabled=args.enable_webhooks,
        address=address_flag(parser, "--webhook-bind-address", args.webhook_bind_address),
        cert_dir=args.webhook_cert_dir,
    )
    return ManagerConfig(
        kubeconfig=args.kubeconfig,
        namespace=args.namespace or None,
        health_address=address_flag(
            parser, "--health-probe-bind-address", args.health_probe_bind_address
        ),
        metrics_address=address_flag(parser, "--metrics-bind-address", args.metrics_bind_address),
        webhooks=webhooks,
        leader_election=election,
        log_level=args.log_level,
        log_format=args.log_format,
        metrics_secure=args.metrics_secure,
        metrics_cert_dir=args.metrics_cert_dir,
        ca_bundle=args.ca_bundle,
        sync_period=args.sync_period,
    )
