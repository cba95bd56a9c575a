"""L0: the CRD types (SpinApp, SpinAppExecutor) in group `core.spinoperator.dev/v1alpha1`.

The single source of truth for the CRD YAML (`spinkube.api.crd`), the API docs and
validation. Pure: no I/O and no framework imports. Label keys and API constants live here.

Models use Python names in code and camelCase on the wire:

    app = SpinApp.model_validate(obj)          # from Kubernetes JSON
    app.spec.enable_autoscaling                # Python name
    app.to_manifest()                          # back to Kubernetes JSON

`field_errors(exc, prefix)` turns a pydantic `ValidationError` into `FieldError`s that print
as `spec.replicas: Invalid value: "1": ...`.
"""

from spinkube.api._base import QUANTITY_PATTERN, Int32, Int64, Quantity
from spinkube.api.constants import (
    API_VERSION,
    APP_NAME_LABEL,
    DEFAULT_HTTP_PORT,
    EXECUTOR_CONTAINERD_SHIM_SPIN,
    EXECUTOR_CYCLOTRON,
    EXECUTOR_KIND,
    EXECUTOR_LIST_KIND,
    EXECUTOR_PLURAL,
    EXECUTOR_SINGULAR,
    FIELD_MANAGER,
    FINALIZER,
    GROUP,
    HTTP_PORT_NAME,
    KNOWN_EXECUTORS,
    RUNTIME_CLASS_NAME,
    SPINAPP_KIND,
    SPINAPP_LIST_KIND,
    SPINAPP_PLURAL,
    SPINAPP_SINGULAR,
    STATUS_READY,
    VERSION,
    app_status_label,
)
from spinkube.api.errors import FieldError, field_errors, field_path, format_field_errors
from spinkube.api.executor import (
    ExecutorDeploymentConfig,
    OtelConfig,
    SpinAppExecutor,
    SpinAppExecutorSpec,
    SpinAppExecutorStatus,
)
from spinkube.api.k8s import (
    ConfigMapKeySelector,
    LocalObjectReference,
    ObjectFieldSelector,
    ObjectMeta,
    ResourceFieldSelector,
    SecretKeySelector,
    Volume,
    VolumeMount,
)
from spinkube.api.spinapp import (
    Condition,
    ConditionStatus,
    HealthChecks,
    HealthProbe,
    HTTPHealthProbe,
    HTTPHealthProbeHeader,
    KeyValueStoreConfig,
    LLMComputeConfig,
    Resources,
    RuntimeConfig,
    RuntimeConfigOption,
    RuntimeConfigVarSource,
    SpinApp,
    SpinAppSpec,
    SpinAppStatus,
    SpinVar,
    SqliteDatabaseConfig,
    VariableSource,
)

__all__ = [
    "API_VERSION",
    "APP_NAME_LABEL",
    "DEFAULT_HTTP_PORT",
    "EXECUTOR_CONTAINERD_SHIM_SPIN",
    "EXECUTOR_CYCLOTRON",
    "EXECUTOR_KIND",
    "EXECUTOR_LIST_KIND",
    "EXECUTOR_PLURAL",
    "EXECUTOR_SINGULAR",
    "FIELD_MANAGER",
    "FINALIZER",
    "GROUP",
    "HTTP_PORT_NAME",
    "KNOWN_EXECUTORS",
    "QUANTITY_PATTERN",
    "RUNTIME_CLASS_NAME",
    "SPINAPP_KIND",
    "SPINAPP_LIST_KIND",
    "SPINAPP_PLURAL",
    "SPINAPP_SINGULAR",
    "STATUS_READY",
    "VERSION",
    "Condition",
    "ConditionStatus",
    "ConfigMapKeySelector",
    "ExecutorDeploymentConfig",
    "FieldError",
    "HTTPHealthProbe",
    "HTTPHealthProbeHeader",
    "HealthChecks",
    "HealthProbe",
    "Int32",
    "Int64",
    "KeyValueStoreConfig",
    "LLMComputeConfig",
    "LocalObjectReference",
    "ObjectFieldSelector",
    "ObjectMeta",
    "OtelConfig",
    "Quantity",
    "ResourceFieldSelector",
    "Resources",
    "RuntimeConfig",
    "RuntimeConfigOption",
    "RuntimeConfigVarSource",
    "SecretKeySelector",
    "SpinApp",
    "SpinAppExecutor",
    "SpinAppExecutorSpec",
    "SpinAppExecutorStatus",
    "SpinAppSpec",
    "SpinAppStatus",
    "SpinVar",
    "SqliteDatabaseConfig",
    "VariableSource",
    "Volume",
    "VolumeMount",
    "app_status_label",
    "field_errors",
    "field_path",
    "format_field_errors",
]
