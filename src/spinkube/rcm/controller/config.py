"""The runtime-class-manager's configuration: flags and environment, read once at the edge.

Flags as upstream's `cmd/rcm/main.go` (controller-runtime's); the Job settings from the
environment variables upstream reads (the chart sets them from its values):

| variable | meaning |
|---|---|
| `CONTROLLER_NAMESPACE` | where the install/uninstall Jobs run (default `$POD_NAMESPACE`) |
| `SHIM_DOWNLOADER_IMAGE` | the downloader image (required) |
| `SHIM_NODE_INSTALLER_IMAGE` | the node-installer image (required) |
| `SHIM_NODE_INSTALLER_JOB_TTL` | `ttlSecondsAfterFinished` of the Jobs; 0 or unset: none |
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
from spinkube.rcm.desired import JobSettings

DEFAULT_LEADER_ELECTION_ID = "7584d300.kwasm.sh"
"""Upstream's leader election ID."""


class ConfigError(Exception):
    """A missing or bad environment variable; the message names it."""


@dataclass(frozen=True)
class RcmConfig:
    jobs: JobSettings
    kubeconfig: Path | None = None
    health_address: BindAddress = BindAddress("0.0.0.0", 8082)
    metrics_address: BindAddress = BindAddress("0.0.0.0", 8080)
    leader_election: LeaderElection = field(
        default_factory=lambda: LeaderElection(lease_name=DEFAULT_LEADER_ELECTION_ID)
    )
    log_level: str = "info"
    log_format: LogFormat = "plain"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="runtime-class-manager",
        description="runtime-class-manager: installs containerd shims on the nodes a Shim "
        "selects, labels the nodes and creates the Shim's RuntimeClass.",
        epilog="Environment: CONTROLLER_NAMESPACE, SHIM_DOWNLOADER_IMAGE, "
        "SHIM_NODE_INSTALLER_IMAGE, SHIM_NODE_INSTALLER_JOB_TTL "
        "(see docs/runtime-class-manager.md).",
    )
    p.add_argument(
        "--kubeconfig",
        type=Path,
        help="kubeconfig file (default: $KUBECONFIG, the in-cluster service account, "
        "~/.kube/config)",
    )
    p.add_argument(
        "--health-probe-bind-address",
        default=":8082",
        help="address of /healthz and /readyz (default %(default)s)",
    )
    p.add_argument(
        "--metrics-bind-address",
        default=":8080",
        help="address of the Prometheus /metrics endpoint; port 0 disables it "
        "(default %(default)s)",
    )
    add_leader_election_flags(p, default_id=DEFAULT_LEADER_ELECTION_ID)
    add_logging_flags(p)
    return p


def _required(env: Mapping[str, str], name: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise ConfigError(f"{name}: required, the image the install Jobs run")
    return value


def _ttl(env: Mapping[str, str]) -> int:
    text = env.get("SHIM_NODE_INSTALLER_JOB_TTL", "").strip() or "0"
    try:
        ttl = int(text)
    except ValueError:
        ttl = -1
    if ttl < 0:
        raise ConfigError(
            f"SHIM_NODE_INSTALLER_JOB_TTL: Invalid value: {text!r}: must be a whole number of "
            "seconds >= 0"
        )
    return ttl


def job_settings(env: Mapping[str, str]) -> JobSettings:
    """The Job settings from the environment; raises `ConfigError` naming a bad variable."""
    namespace = env.get("CONTROLLER_NAMESPACE") or env.get("POD_NAMESPACE")
    if not namespace:
        raise ConfigError("CONTROLLER_NAMESPACE: required, the namespace the Jobs run in")
    return JobSettings(
        namespace=namespace,
        downloader_image=_required(env, "SHIM_DOWNLOADER_IMAGE"),
        installer_image=_required(env, "SHIM_NODE_INSTALLER_IMAGE"),
        ttl_seconds=_ttl(env),
    )


def parse_args(
    argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None
) -> RcmConfig:
    """The configuration from flags and environment; a bad one exits 2 with the reason."""
    env = os.environ if environ is None else environ
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        jobs = job_settings(env)
    except ConfigError as error:
        parser.error(str(error))
    return RcmConfig(
        jobs=jobs,
        kubeconfig=args.kubeconfig,
        health_address=address_flag(
            parser, "--health-probe-bind-address", args.health_probe_bind_address
        ),
        metrics_address=address_flag(parser, "--metrics-bind-address", args.metrics_bind_address),
        leader_election=leader_election_from(parser, args, env),
        log_level=args.log_level,
        log_format=args.log_format,
    )
