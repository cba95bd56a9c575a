"""The API tier: tests that talk HTTP to a Kubernetes API through `spinkube.kube`.

By default they run against the fake API (`spinkube.testing.fakeapi`), started once per
session on a free loopback port in a background thread. With `SPINKUBE_TEST_KUBECONFIG`
naming a kubeconfig they run, unchanged, against that cluster instead; each test gets its own
fresh namespace there, deleted afterwards (CRDs the tests apply stay applied).

Fixtures: `kube_api` (session: `.kubeconfig`, `.kube`, `.real_cluster`), `kube` (the shared
`spinkube.kube.Kube`), `namespace` (a fresh namespace name per test), `widget` (a test-only
namespaced kind with a status subresource, for status semantics no controller interferes with),
`spinkube_crds` and `shim_crd` (the SpinKube and runtime-class-manager CRDs, applied and served).

Tests must pass on both: never wait for pods, and expect controllers on a real cluster (a
Deployment's status changes by itself; every namespace gets a `kube-root-ca.crt` ConfigMap).
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import pytest
from lightkube.generic_resource import GenericNamespacedResource
from lightkube.models.meta_v1 import ObjectMeta
from lightkube.resources.core_v1 import Namespace

from spinkube.kube import Kube, NotFound, resource_of
from spinkube.testing.crds import apply_crds, crds_in
from spinkube.testing.fakeapi import FakeApiServer

KUBECONFIG_ENV = "SPINKUBE_TEST_KUBECONFIG"
ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class KubeApi:
    """The API the tier runs against."""

    kubeconfig: Path
    kube: Kube
    real_cluster: bool
    """True against a real cluster: only then may tests assert defaulting, pruning and
    validation, which the fake API does not do."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in this directory is in the API tier (`-m api` selects it, `-m "not api"`
    leaves it out)."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.api)


@pytest.fixture(scope="session")
def kube_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KubeApi]:
    configured = os.environ.get(KUBECONFIG_ENV)
    if configured:
        kube = Kube.from_kubeconfig(configured, field_manager="spinkube-tests")
        yield KubeApi(Path(configured), kube, real_cluster=True)
        kube.close()
        return
    with FakeApiServer() as server:
        kubeconfig = server.write_kubeconfig(tmp_path_factory.mktemp("fakeapi") / "kubeconfig")
        kube = Kube.from_kubeconfig(kubeconfig, field_manager="spinkube-tests")
        yield KubeApi(kubeconfig, kube, real_cluster=False)
        kube.close()


@pytest.fixture
def kube(kube_api: KubeApi) -> Kube:
    return kube_api.kube


@pytest.fixture
def namespace(kube: Kube) -> Iterator[str]:
    """A fresh namespace for one test, deleted afterwards (a real cluster finishes the
    deletion in the background)."""
    name = f"spinkube-test-{uuid.uuid4().hex[:8]}"
    kube.create(Namespace(metadata=ObjectMeta(name=name, labels={"spinkube-test": "true"})))
    yield name
    with contextlib.suppress(NotFound):
        kube.delete(Namespace, name)


OPEN_OBJECT = {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
WIDGET_CRD: dict[str, Any] = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "widgets.test.spinkube.dev"},
    "spec": {
        "group": "test.spinkube.dev",
        "names": {"kind": "Widget", "plural": "widgets", "singular": "widget"},
        "scope": "Namespaced",
        "versions": [
            {
                "name": "v1",
                "served": True,
                "storage": True,
                "schema": {
                    "openAPIV3Schema": {
                        "type": "object",
                        "properties": {
                            "spec": {
                                "type": "object",
                                "x-kubernetes-preserve-unknown-fields": True,
                            },
                            "status": {
                                "type": "object",
                                "x-kubernetes-preserve-unknown-fields": True,
                            },
                        },
                    }
                },
                "subresources": {"status": {}},
            }
        ],
    },
}
"""A test-only kind with a status subresource that no controller touches, so that status
semantics can be checked on a real cluster without a controller racing the test."""


@pytest.fixture(scope="session")
def widget(kube_api: KubeApi) -> type[GenericNamespacedResource]:
    """The Widget resource class; its CRD is applied once (and left applied)."""
    apply_crds(kube_api.kube, [WIDGET_CRD])
    return cast(type[GenericNamespacedResource], resource_of("test.spinkube.dev/v1", "Widget"))


@pytest.fixture(scope="session")
def spinkube_crds(kube_api: KubeApi) -> None:
    """The SpinApp and SpinAppExecutor CRDs (`config/crd/`), applied once and served."""
    apply_crds(kube_api.kube, crds_in(ROOT / "config" / "crd"))


@pytest.fixture(scope="session")
def shim_crd(kube_api: KubeApi) -> None:
    """runtime-class-manager's Shim CRD (`config/rcm/crd/`), applied once and served."""
    apply_crds(kube_api.kube, crds_in(ROOT / "config" / "rcm" / "crd"))
