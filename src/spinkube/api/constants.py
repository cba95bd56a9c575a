"""Names that the CRDs, the operator, the webhooks and the plugin must agree on."""

from __future__ import annotations

from typing import Final

GROUP = "core.spinoperator.dev"
VERSION = "v1alpha1"
API_VERSION: Final = "core.spinoperator.dev/v1alpha1"
"""`GROUP/VERSION`, spelled out so that type checkers see the literal."""

SPINAPP_KIND: Final = "SpinApp"
SPINAPP_LIST_KIND = "SpinAppList"
SPINAPP_PLURAL = "spinapps"
SPINAPP_SINGULAR = "spinapp"

EXECUTOR_KIND: Final = "SpinAppExecutor"
EXECUTOR_LIST_KIND = "SpinAppExecutorList"
EXECUTOR_PLURAL = "spinappexecutors"
EXECUTOR_SINGULAR = "spinappexecutor"

APP_NAME_LABEL = f"{GROUP}/app-name"
"""Label on every object the operator creates for an app; its value is the SpinApp name."""

STATUS_READY = "ready"
"""Value of the status label on pods that may receive traffic."""

FINALIZER = f"{GROUP}/finalizer"
"""Finalizer that keeps a SpinAppExecutor alive while SpinApps still use it."""

FIELD_MANAGER = "spin-operator"
"""Server-side apply field manager of the operator."""

HTTP_PORT_NAME = "http-app"
DEFAULT_HTTP_PORT = 80

EXECUTOR_CONTAINERD_SHIM_SPIN = "containerd-shim-spin"
EXECUTOR_CYCLOTRON = "cyclotron"
KNOWN_EXECUTORS = (EXECUTOR_CONTAINERD_SHIM_SPIN, EXECUTOR_CYCLOTRON)

RUNTIME_CLASS_NAME = "wasmtime-spin-v2"
"""RuntimeClass of the default shim executor (handler `spin`)."""


def app_status_label(app_name: str) -> str:
    """The per-app status label key, e.g. `core.spinoperator.dev/app.hello.status`.

    The Service selects only on this label, so a pod can be taken out of rotation by
    changing its value without touching the Deployment's selector.
    """
    return f"{GROUP}/app.{app_name}.status"


OPERATOR_ENV_NAMES = (
    "SPIN_HTTP_LISTEN_ADDR",
    "SPIN_COMPONENTS_TO_RETAIN",
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
    "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT",
)
"""Container variables the operator sets itself, which `spec.env` may not set."""
OPERATOR_ENV_PREFIX = "SPIN_VARIABLE_"
"""The prefix of the variables the operator sets from `spec.variables`."""


def is_operator_env(name: str) -> bool:
    """Whether the operator sets this container variable itself."""
    return name in OPERATOR_ENV_NAMES or name.startswith(OPERATOR_ENV_PREFIX)


# -- runtime-class-manager (upstream's `runtime.kwasm.sh` API) ------------------------------

SHIM_GROUP = "runtime.kwasm.sh"
SHIM_VERSION = "v1alpha1"
SHIM_API_VERSION: Final = "runtime.kwasm.sh/v1alpha1"
SHIM_KIND: Final = "Shim"
SHIM_LIST_KIND = "ShimList"
SHIM_PLURAL = "shims"
SHIM_SINGULAR = "shim"

RCM_FINALIZER = "rcm.spinkube.dev/finalizer"
"""Finalizer on every Shim: its deletion starts the uninstall Jobs (and does not wait for them)."""

RCM_FIELD_MANAGER = "shim-operator"
"""Server-side apply field manager of the runtime-class-manager, as upstream's."""

SHIM_NAME_LABEL = "kwasm.sh/shimName"
"""Label and annotation on install/uninstall Jobs: the Shim's name."""
OPERATION_LABEL = "kwasm.sh/operation"
"""Label and annotation on the Jobs: `install` or `uninstall`."""
JOB_LABEL = "kwasm.sh/job"
NODE_NAME_ANNOTATION = "kwasm.sh/nodeName"

NODE_PENDING = "pending"
NODE_PROVISIONED = "provisioned"
NODE_FAILED = "failed"
NODE_UNINSTALL = "uninstall"
"""Values of the node label whose key is the Shim's name."""
