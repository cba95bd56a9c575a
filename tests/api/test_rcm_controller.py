"""The real `runtime-class-manager` process against the API tier: install Jobs per node with
upstream's manifest, node labels through the Job lifecycle, the RuntimeClass, the rolling
rollout, deletion with uninstall Jobs, a node added later and a Job that fails.

Each test makes its own Nodes (named and selected by a unique label) and its own Shim, and
runs its own controller with the test's namespace as `CONTROLLER_NAMESPACE`. The made-up nodes
have no kubelet, so on a real cluster the Jobs' pods never run and the Jobs stay active: what
needs a finished Job is checked by playing the Job controller (patching the Job's status),
which only the fake API allows; those steps are skipped on a real cluster.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from lightkube.models.meta_v1 import ObjectMeta
from lightkube.resources.batch_v1 import Job
from lightkube.resources.coordination_v1 import Lease
from lightkube.resources.core_v1 import Node
from lightkube.resources.node_v1 import RuntimeClass

from spinkube.api.shim import Shim as ShimModel
from spinkube.kube import Kube, NotFound, Shim
from spinkube.rcm.desired import INSTALL, UNINSTALL, JobSettings, job_manifest, job_name
from spinkube.testing import eventually
from spinkube.testing.manager import RUNTIME_CLASS_MANAGER, ManagerProcess, start_manager

pytestmark = pytest.mark.api

WAIT = 45.0
DOWNLOADER = "registry.example/shim-downloader:test"
INSTALLER = "registry.example/node-installer:test"
LEASE = "7584d300.kwasm.sh"
FAKE_ONLY = "needs a finished Job: a real cluster's nodes here have no kubelet to run it"
LABEL_AFTER = {"Complete": "provisioned", "Failed": "failed"}
"""The node label once its install Job ended so."""


@dataclass
class World:
    """One test's nodes, Shim name and namespace, and the cleanup of all of them."""

    kube: Kube
    namespace: str
    real_cluster: bool
    tag: str
    nodes: list[str]
    shims: list[str]
    logs: Callable[[], str] = lambda: ""
    """The controller's log, for the messages of failed waits."""

    @property
    def selector(self) -> dict[str, str]:
        return {"rcm-test": self.tag}

    def add_node(self, suffix: str, *, selected: bool = True) -> str:
        name = f"rcm-{self.tag}-{suffix}"
        labels = self.selector if selected else {"rcm-test": "other"}
        self.kube.create(Node(metadata=ObjectMeta(name=name, labels=dict(labels))))
        self.nodes.append(name)
        return name

    def shim_manifest(self, rollout: dict[str, Any] | None = None, **spec: Any) -> dict[str, Any]:
        name = f"spin-{self.tag}"
        return {
            "apiVersion": "runtime.kwasm.sh/v1alpha1",
            "kind": "Shim",
            "metadata": {"name": name},
            "spec": {
                "nodeSelector": self.selector,
                "fetchStrategy": {
                    "type": "anonymousHttp",
                    "anonHttp": {"location": "https://example.com/containerd-shim-spin-v2.tar.gz"},
                },
                "runtimeClass": {"name": f"wasmtime-{name}", "handler": name},
                "rolloutStrategy": rollout or {"type": "recreate"},
                **spec,
            },
        }

    def apply_shim(self, rollout: dict[str, Any] | None = None, **spec: Any) -> ShimModel:
        manifest = self.shim_manifest(rollout, **spec)
        self.shims.append(manifest["metadata"]["name"])
        applied = self.kube.apply_manifest(manifest)
        return ShimModel.model_validate(applied.to_dict())  # type: ignore[attr-defined]

    @property
    def shim(self) -> str:
        return f"spin-{self.tag}"

    def label(self, node: str) -> str | None:
        labels = self.kube.get(Node, node).metadata.labels or {}  # type: ignore[union-attr]
        return labels.get(self.shim)

    def job(self, node: str, operation: str = INSTALL) -> Job | None:
        try:
            return self.kube.get(
                Job, job_name(node, self.shim, operation), namespace=self.namespace
            )  # type: ignore[arg-type]
        except NotFound:
            return None

    def jobs(self) -> list[str]:
        found = self.kube.list(
            Job, namespace=self.namespace, labels={"kwasm.sh/shimName": self.shim}
        )
        return sorted(str(j.metadata.name) for j in found if j.metadata)

    def finish(self, node: str, operation: str, outcome: str) -> None:
        """Play the Job controller: mark the node's Job `Complete` or `Failed`."""
        condition = {
            "type": outcome,
            "status": "True",
            "lastTransitionTime": "2026-01-01T00:00:00Z",
        }
        self.kube.patch_status(
            Job,
            job_name(node, self.shim, operation),  # type: ignore[arg-type]
            {"conditions": [condition]},
            namespace=self.namespace,
        )

    def end_install(self, node: str, outcome: str) -> None:
        """Once the node's install Job exists, play the Job controller (see `finish`) and wait
        for the label that follows."""
        assert eventually(lambda: self.job(node) is not None, timeout=WAIT), self.logs()
        self.finish(node, INSTALL, outcome)
        expected = LABEL_AFTER[outcome]
        assert eventually(lambda: self.label(node) == expected, timeout=WAIT), self.logs()

    def status(self) -> dict[str, Any]:
        return dict(self.kube.get(Shim, self.shim).to_dict().get("status") or {})  # type: ignore[attr-defined]

    def cleanup(self) -> None:
        for name in self.shims:
            try:
                self.kube.patch(Shim, name, {"metadata": {"finalizers": None}})
                self.kube.delete(Shim, name)
            except NotFound:
                pass
        for name in self.nodes:
            with contextlib.suppress(NotFound):
                self.kube.delete(Node, name)


@pytest.fixture
def world(kube_api: Any, namespace: str, shim_crd: None) -> Iterator[World]:
    w = World(kube_api.kube, namespace, kube_api.real_cluster, uuid.uuid4().hex[:8], [], [])
    yield w
    w.cleanup()


@pytest.fixture
def controller(kube_api: Any, world: World, tmp_path: Path) -> Iterator[ManagerProcess]:
    env = {
        "CONTROLLER_NAMESPACE": world.namespace,
        "SHIM_DOWNLOADER_IMAGE": DOWNLOADER,
        "SHIM_NODE_INSTALLER_IMAGE": INSTALLER,
        "POD_NAME": f"rcm-{world.tag}",
    }
    try:
        with start_manager(
            RUNTIME_CLASS_MANAGER,
            "--leader-elect",
            f"--leader-election-namespace={world.namespace}",
            "--log-level=debug",
            kubeconfig=kube_api.kubeconfig,
            log=tmp_path / "rcm.log",
            env=env,
            timeout=WAIT,
        ) as started:
            world.logs = started.logs
            yield started
    finally:
        world.cleanup()


def contains(actual: Any, expected: Any, path: str = "") -> list[str]:
    """Where `actual` lacks what `expected` has (a real API server adds defaults)."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{path}: {actual!r} is not an object"]
        return [p for k, v in expected.items() for p in contains(actual.get(k), v, f"{path}.{k}")]
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return [f"{path}: {actual!r} != {expected!r}"]
        return [
            p
            for i, (a, e) in enumerate(zip(actual, expected, strict=True))
            for p in contains(a, e, f"{path}[{i}]")
        ]
    return [] if actual == expected else [f"{path}: {actual!r} != {expected!r}"]


def settings(world: World) -> JobSettings:
    return JobSettings(world.namespace, DOWNLOADER, INSTALLER)


# -- tests -----------------------------------------------------------------------------------


def test_each_matching_node_gets_upstreams_install_job_a_pending_label_and_a_runtime_class(
    world: World, controller: ManagerProcess
) -> None:
    a, b = world.add_node("a"), world.add_node("b")
    other = world.add_node("x", selected=False)
    shim = world.apply_shim()

    assert eventually(
        lambda: world.jobs() == sorted(job_name(n, world.shim, INSTALL) for n in (a, b)),
        timeout=WAIT,
    ), controller.logs()
    for node in (a, b):
        job = world.job(node)
        assert job is not None
        assert contains(job.to_dict(), job_manifest(node, shim, INSTALL, settings(world))) == []  # type: ignore[no-untyped-call]
        assert eventually(lambda n=node: world.label(n) == "pending", timeout=WAIT)
    assert world.label(other) is None

    runtime_class = world.kube.get(RuntimeClass, f"wasmtime-{world.shim}")
    assert runtime_class.handler == world.shim
    assert runtime_class.scheduling is not None
    assert runtime_class.scheduling.nodeSelector == world.selector
    (owner,) = runtime_class.metadata.ownerReferences or []  # type: ignore[union-attr]
    assert (owner.kind, owner.name, owner.uid, owner.controller) == (
        "Shim",
        world.shim,
        shim.metadata.uid,
        True,
    )

    assert eventually(lambda: world.status().get("nodes") == 2, timeout=WAIT)
    assert world.status()["nodesReady"] == 0
    counted = 'controller_runtime_reconcile_total{controller="shim",result="success"}'
    assert eventually(lambda: counted in controller.metrics(), timeout=WAIT)
    requests = controller.api_requests("runtime_class_manager_api_requests_total")
    assert requests.get(("apply", "jobs"), 0) >= 2, requests
    assert "spin_operator_" not in controller.metrics()
    lease = world.kube.get(Lease, LEASE, namespace=world.namespace)
    assert lease.spec is not None
    assert lease.spec.holderIdentity == f"rcm-{world.tag}"


def test_labels_follow_the_job_lifecycle_and_status_counts_ready_nodes(
    world: World, controller: ManagerProcess
) -> None:
    if world.real_cluster:
        pytest.skip(FAKE_ONLY)
    a, b = world.add_node("a"), world.add_node("b")
    world.apply_shim()
    assert eventually(lambda: len(world.jobs()) == 2, timeout=WAIT), controller.logs()

    world.end_install(a, "Complete")
    world.end_install(b, "Failed")

    def counted() -> bool:
        status = world.status()
        (ready,) = status.get("conditions") or [{}]
        return (status.get("nodes"), status.get("nodesReady"), ready.get("reason")) == (
            2,
            1,
            "NodesFailed",
        )

    assert eventually(counted, timeout=WAIT), world.status()
    (ready,) = world.status()["conditions"]
    assert (ready["type"], ready["status"]) == ("Ready", "False")
    assert b in ready["message"]


def test_a_failed_node_is_retried_when_its_job_is_deleted(
    world: World, controller: ManagerProcess
) -> None:
    if world.real_cluster:
        pytest.skip(FAKE_ONLY)
    a = world.add_node("a")
    world.apply_shim()
    world.end_install(a, "Failed")
    first = world.job(a)
    assert first is not None

    world.kube.delete(Job, job_name(a, world.shim, INSTALL), namespace=world.namespace)

    def retried() -> bool:
        job = world.job(a)
        return job is not None and job.metadata.uid != first.metadata.uid  # type: ignore[union-attr]

    assert eventually(retried, timeout=WAIT), controller.logs()
    assert eventually(lambda: world.label(a) == "pending", timeout=WAIT)


def test_rolling_installs_max_update_nodes_at_a_time(
    world: World, controller: ManagerProcess
) -> None:
    nodes = [world.add_node(s) for s in ("a", "b", "c")]
    world.apply_shim({"type": "rolling", "rolling": {"maxUpdate": 2}})
    first_two = sorted(job_name(n, world.shim, INSTALL) for n in nodes[:2])
    assert eventually(lambda: world.jobs() == first_two, timeout=WAIT), controller.logs()
    assert world.label(nodes[2]) is None
    if world.real_cluster:
        return  # the next step needs a finished Job (see FAKE_ONLY)

    world.finish(nodes[0], INSTALL, "Complete")
    assert eventually(lambda: len(world.jobs()) == 3, timeout=WAIT), controller.logs()
    assert eventually(lambda: world.label(nodes[2]) == "pending", timeout=WAIT)


def test_a_failed_node_does_not_hold_up_a_rolling_rollout(
    world: World, controller: ManagerProcess
) -> None:
    if world.real_cluster:
        pytest.skip(FAKE_ONLY)
    a, b = world.add_node("a"), world.add_node("b")
    world.apply_shim({"type": "rolling", "rolling": {"maxUpdate": 1}})
    assert eventually(lambda: world.jobs() == [job_name(a, world.shim, INSTALL)], timeout=WAIT)
    world.finish(a, INSTALL, "Failed")
    assert eventually(lambda: world.job(b) is not None, timeout=WAIT), controller.logs()


def test_a_node_added_later_gets_installed(world: World, controller: ManagerProcess) -> None:
    a = world.add_node("a")
    world.apply_shim()
    assert eventually(lambda: world.job(a) is not None, timeout=WAIT), controller.logs()

    b = world.add_node("b")
    assert eventually(lambda: world.job(b) is not None, timeout=WAIT), controller.logs()
    assert eventually(lambda: world.label(b) == "pending", timeout=WAIT)
    assert eventually(lambda: world.status().get("nodes") == 2, timeout=WAIT)


def test_deleting_a_shim_starts_uninstall_jobs_and_does_not_wait_for_them(
    world: World, controller: ManagerProcess
) -> None:
    a, b = world.add_node("a"), world.add_node("b")
    world.apply_shim(containerdRuntimeOptions={"SystemdCgroup": "true"})
    assert eventually(lambda: world.label(a) == world.label(b) == "pending", timeout=WAIT)

    world.kube.delete(Shim, world.shim)

    def gone() -> bool:
        try:
            world.kube.get(Shim, world.shim)
        except NotFound:
            return True
        return False

    assert eventually(gone, timeout=WAIT), controller.logs()
    for node in (a, b):
        job = world.job(node, UNINSTALL)
        assert job is not None, controller.logs()
        assert job.metadata is not None
        assert not job.metadata.ownerReferences
        (container,) = job.spec.template.spec.containers  # type: ignore[union-attr]
        assert container.args == ["uninstall", "-H", "/mnt/node-root", "-r", world.shim]
        assert {"name": "SHIM_RUNTIME_OPTIONS", "value": '{"SystemdCgroup": "true"}'} in [
            e.to_dict()
            for e in container.env or []  # type: ignore[no-untyped-call]
        ]
        assert world.label(node) == "uninstall"
    if world.real_cluster:
        return  # the label's removal needs a finished Job (see FAKE_ONLY)

    world.finish(a, UNINSTALL, "Complete")
    assert eventually(lambda: world.label(a) is None, timeout=WAIT), controller.logs()
    assert world.label(b) == "uninstall"


def test_a_shim_without_a_download_location_reports_invalid_spec(
    world: World, controller: ManagerProcess
) -> None:
    a = world.add_node("a")
    world.apply_shim(fetchStrategy={"type": "anonymousHttp"})

    def invalid() -> bool:
        (ready,) = world.status().get("conditions") or [{}]
        return ready.get("reason") == "InvalidSpec"

    assert eventually(invalid, timeout=WAIT), controller.logs()
    (ready,) = world.status()["conditions"]
    assert "spec.fetchStrategy.anonHttp" in ready["message"]
    assert world.job(a) is None
    assert world.label(a) is None


def test_a_changed_download_location_reinstalls_provisioned_nodes(
    world: World, controller: ManagerProcess
) -> None:
    if world.real_cluster:
        pytest.skip(FAKE_ONLY)
    a = world.add_node("a")
    world.apply_shim()
    world.end_install(a, "Complete")

    new = {"type": "anonymousHttp", "anonHttp": {"location": "https://example.com/v2.tar.gz"}}
    world.apply_shim(fetchStrategy=new)

    def reinstalling() -> bool:
        job = world.job(a)
        if job is None:
            return False
        (downloader,) = job.spec.template.spec.initContainers  # type: ignore[union-attr]
        return any(e.value == "https://example.com/v2.tar.gz" for e in downloader.env or [])

    assert eventually(reinstalling, timeout=WAIT), controller.logs()
    assert eventually(lambda: world.label(a) == "pending", timeout=WAIT)
