"""L2: the only package that talks to the Kubernetes API (client, server-side apply, errors).

Use one `Kube` per cluster and share it: `Kube.from_kubeconfig(path)` (or `$KUBECONFIG`, or
in-cluster), then `kube.get/list/apply/create/replace/patch/patch_status/delete`, or the same
as coroutines on `kube.aio`. Errors are `KubeError` and its subclasses.
"""

from spinkube.kube.client import AsyncKube, Kube
from spinkube.kube.config import load_kubeconfig
from spinkube.kube.errors import (
    Conflict,
    Invalid,
    KubeConfigError,
    KubeError,
    NotFound,
    Unreachable,
)
from spinkube.kube.resources import (
    Shim,
    SpinApp,
    SpinAppExecutor,
    load_manifest,
    qualified_name,
    register_crd,
    register_custom_resource,
    resource_of,
)

__all__ = [
    "AsyncKube",
    "Conflict",
    "Invalid",
    "Kube",
    "KubeConfigError",
    "KubeError",
    "NotFound",
    "Shim",
    "SpinApp",
    "SpinAppExecutor",
    "Unreachable",
    "load_kubeconfig",
    "load_manifest",
    "qualified_name",
    "register_crd",
    "register_custom_resource",
    "resource_of",
]
