"""Which nodes get an install Job now: the `recreate` and `rolling` rollouts.

A node's state is its label `<shim name>` (`pending`, `provisioned`, `failed`, `uninstall`, or
none) together with its Jobs. A node needs an install when:

- it has no label, or `uninstall` with no Job running (the Shim was deleted and made again);
- it is `pending` but has no install Job (the Job was deleted before its outcome was seen);
- it is `failed` and its failed install Job is gone (deleted by you, or by the TTL): a failure
  is retried once, by a new Job, not in a loop;
- it is `provisioned` with another location, sha256 or runtime options than the Shim has now
  (`fingerprint.py`): the Shim changed, the node is upgraded.

`recreate` starts every such node at once. `rolling` (upstream returns "not implemented") keeps
at most `maxUpdate` nodes in flight (`pending`, or a Job still running) and starts the next
ones, in node-name order, as those finish. A failed node is finished too: it does not hold the
rollout up, and the Shim's `Ready` condition names it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from spinkube.api.constants import NODE_FAILED, NODE_PENDING, NODE_PROVISIONED, NODE_UNINSTALL
from spinkube.api.shim import Shim
from spinkube.rcm.desired.fingerprint import installed_annotation, shim_fingerprint
from spinkube.rcm.desired.jobs import INSTALL, UNINSTALL, job_name


class JobState(Enum):
    ACTIVE = "active"
    COMPLETE = "complete"
    FAILED = "failed"


def job_state(job: Mapping[str, Any]) -> JobState:
    """From a Job's status conditions: `Complete` or `Failed` when true, else still active."""
    for condition in (job.get("status") or {}).get("conditions") or []:
        if condition.get("status") != "True":
            continue
        if condition.get("type") == "Complete":
            return JobState.COMPLETE
        if condition.get("type") == "Failed":
            return JobState.FAILED
    return JobState.ACTIVE


@dataclass(frozen=True)
class NodeView:
    """What the plan needs of a Node: its name, labels and annotations."""

    name: str
    labels: Mapping[str, str]
    annotations: Mapping[str, str] = field(default_factory=dict)


def matches(node: NodeView, selector: Mapping[str, str] | None) -> bool:
    """Every node matches a missing or empty selector, as upstream's `MatchingLabels`."""
    return all(node.labels.get(k) == v for k, v in (selector or {}).items())


@dataclass(frozen=True)
class Plan:
    install: tuple[str, ...]
    """Nodes to start an install Job on now."""
    in_flight: tuple[str, ...]
    """Nodes being installed (or removed) now."""
    waiting: tuple[str, ...]
    """Nodes that need an install but wait for a rolling slot."""


def _active(node: str, shim: str, jobs: Mapping[str, JobState]) -> bool:
    names = (job_name(node, shim, INSTALL), job_name(node, shim, UNINSTALL))
    return any(jobs.get(name) is JobState.ACTIVE for name in names)


def _outdated(node: NodeView, shim: str, current: str) -> bool:
    installed = node.annotations.get(installed_annotation(shim))
    return installed is not None and installed != current


def _needs_install(
    node: NodeView, shim: str, jobs: Mapping[str, JobState], current: str = ""
) -> bool:
    state = node.labels.get(shim)
    install_job = jobs.get(job_name(node.name, shim, INSTALL))
    if state is None or state == NODE_UNINSTALL:
        return True
    if state == NODE_PENDING:
        return install_job is None
    if state == NODE_FAILED:
        return install_job is None
    if state == NODE_PROVISIONED:
        return bool(current) and _outdated(node, shim, current)
    return True


def _max_in_flight(shim: Shim, node_count: int) -> int:
    strategy = shim.spec.rollout_strategy
    if strategy.type != "rolling":
        return node_count
    return strategy.rolling.max_update if strategy.rolling else 1


def plan_install(shim: Shim, nodes: Sequence[NodeView], jobs: Mapping[str, JobState]) -> Plan:
    """The nodes (all matching the Shim) to start installing now, by the rollout strategy.

    `jobs` maps the names of the Shim's existing Jobs to their state.
    """
    name, current = str(shim.metadata.name), shim_fingerprint(shim)
    ordered = sorted(nodes, key=lambda n: n.name)
    in_flight = [
        n.name
        for n in ordered
        if _active(n.name, name, jobs)
        or (n.labels.get(name) == NODE_PENDING and not _needs_install(n, name, jobs))
    ]
    needing = [
        n.name
        for n in ordered
        if n.name not in in_flight and _needs_install(n, name, jobs, current)
    ]
    slots = max(0, _max_in_flight(shim, len(ordered)) - len(in_flight))
    return Plan(tuple(needing[:slots]), tuple(in_flight), tuple(needing[slots:]))
