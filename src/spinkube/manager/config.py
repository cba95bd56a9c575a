"""What every manager process configures alike: bind addresses, leader election, log format."""

from __future__ import annotations

import argparse
import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

LogFormat = Literal["plain", "json"]


@dataclass(frozen=True)
class BindAddress:
    """Where a server listens: `:8082` means every interface, `0` as port disables it."""

    host: str
    port: int

    @classmethod
    def parse(cls, text: str) -> BindAddress:
        """`host:port`, `:port` or `[v6]:port`; raises ValueError otherwise."""
        host, sep, port = text.rpartition(":")
        if not sep or not port.isdigit():
            raise ValueError(f"invalid bind address {text!r}: expected host:port or :port")
        host = host.strip("[]") or "0.0.0.0"
        return cls(host, int(port))

    @property
    def enabled(self) -> bool:
        return self.port != 0

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"


@dataclass(frozen=True)
class LeaderElection:
    """A `coordination.k8s.io/v1` Lease; timings as controller-runtime's defaults."""

    enabled: bool = False
    namespace: str | None = None
    """None: the kubeconfig's namespace (in a pod: `$POD_NAMESPACE`, set by the chart)."""
    lease_name: str = "leader"
    identity: str = field(default_factory=lambda: f"{socket.gethostname()}_{os.getpid()}")
    lease_duration: float = 15.0
    renew_deadline: float = 10.0
    retry_period: float = 2.0


def address_flag(parser: argparse.ArgumentParser, flag: str, value: str) -> BindAddress:
    """`value` of `flag` as a bind address; a bad one is a usage error naming the flag."""
    try:
        return BindAddress.parse(value)
    except ValueError as error:
        parser.error(f"{flag}: {error}")


def add_leader_election_flags(parser: argparse.ArgumentParser, *, default_id: str) -> None:
    """controller-runtime's `--leader-elect*` flags, with client-go's timings as defaults."""
    parser.add_argument(
        "--leader-elect",
        action="store_true",
        help="run the controllers only while holding the leader Lease",
    )
    parser.add_argument(
        "--leader-election-namespace",
        help="namespace of the Lease (default: $POD_NAMESPACE or the kubeconfig's)",
    )
    parser.add_argument(
        "--leader-election-id", default=default_id, help="name of the Lease (default %(default)s)"
    )
    parser.add_argument(
        "--leader-election-lease-duration",
        type=float,
        default=15.0,
        help="seconds a Lease is valid without renewal (default %(default)s)",
    )
    parser.add_argument(
        "--leader-election-renew-deadline",
        type=float,
        default=10.0,
        help="seconds the leader tries to renew before giving up (default %(default)s)",
    )
    parser.add_argument(
        "--leader-election-retry-period",
        type=float,
        default=2.0,
        help="seconds between attempts to acquire or renew (default %(default)s)",
    )


def leader_election_from(
    parser: argparse.ArgumentParser, args: argparse.Namespace, env: Mapping[str, str]
) -> LeaderElection:
    """The leader election flags, `$POD_NAME` (identity) and `$POD_NAMESPACE` (Lease's home)."""
    election = LeaderElection(
        enabled=args.leader_elect,
        namespace=args.leader_election_namespace or env.get("POD_NAMESPACE") or None,
        lease_name=args.leader_election_id,
        identity=env.get("POD_NAME") or f"{socket.gethostname()}_{os.getpid()}",
        lease_duration=args.leader_election_lease_duration,
        renew_deadline=args.leader_election_renew_deadline,
        retry_period=args.leader_election_retry_period,
    )
    if not election.retry_period < election.renew_deadline < election.lease_duration:
        parser.error("leader election needs retry period < renew deadline < lease duration")
    return election


def add_logging_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--log-level",
        default="info",
        choices=["debug", "info", "warning", "error"],
        help="(default %(default)s)",
    )
    parser.add_argument(
        "--log-format", default="plain", choices=["plain", "json"], help="(default %(default)s)"
    )
