"""SpinApp: a Spin application and how it runs in the cluster (`core.spinoperator.dev/v1alpha1`).

Field descriptions are the ones of the documented CRD (spec §3.6.1); they become the CRD
descriptions that `kubectl explain spinapp.spec` prints.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict, Field, StrictBool, StrictStr

from spinkube.api._base import ApiModel, Int32, Int64, Quantity, StringMap
from spinkube.api.constants import API_VERSION, SPINAPP_KIND
from spinkube.api.k8s import (
    Affinity,
    ConfigMapKeySelector,
    EnvVar,
    LocalObjectReference,
    ObjectFieldSelector,
    ObjectMeta,
    ResourceFieldSelector,
    SecretKeySelector,
    Toleration,
    Volume,
    VolumeMount,
)


class HTTPHealthProbeHeader(ApiModel):
    """HTTPHealthProbeHeader is an abstraction around a http header key/value pair."""

    name: StrictStr = Field(description="Name of the header.")
    value: StrictStr = Field(description="Value of the header.")


class HTTPHealthProbe(ApiModel):
    """HTTPGet describes a health check that should be performed using a GET request."""

    path: StrictStr = Field(
        description="Path is the path that should be used when calling the application for a "
        "health check, e.g /healthz."
    )
    http_headers: list[HTTPHealthProbeHeader] | None = Field(
        default=None,
        description="HTTPHeaders are headers that should be included in the health check request.",
    )


class HealthProbe(ApiModel):
    """A health check of the application; the numeric fields default like a Kubernetes probe."""

    http_get: HTTPHealthProbe | None = Field(
        default=None,
        description="HTTPGet describes a health check that should be performed using a GET "
        "request.",
    )
    initial_delay_seconds: Int32 = Field(
        default=10,
        description="Number of seconds after the app has started before liveness probes are "
        "initiated. Default 10s.",
    )
    timeout_seconds: Int32 = Field(
        default=1,
        description="Number of seconds after which the probe times out. Defaults to 1 second. "
        "Minimum value is 1.",
    )
    period_seconds: Int32 = Field(
        default=10,
        description="How often (in seconds) to perform the probe. Default to 10 seconds. "
        "Minimum value is 1.",
    )
    success_threshold: Int32 = Field(
        default=1,
        description="Minimum consecutive successes for the probe to be considered successful "
        "after having failed. Defaults to 1. Must be 1 for liveness and startup. "
        "Minimum value is 1.",
    )
    failure_threshold: Int32 = Field(
        default=3,
        description="Minimum consecutive failures for the probe to be considered failed after "
        "having succeeded. Defaults to 3. Minimum value is 1.",
    )


class HealthChecks(ApiModel):
    """Checks defines health checks that should be used by Kubernetes to monitor the
    application."""

    readiness: HealthProbe | None = Field(
        default=None, description="Readiness defines the readiness probe for the application."
    )
    liveness: HealthProbe | None = Field(
        default=None, description="Liveness defines the liveness probe for the application."
    )


class Resources(ApiModel):
    """Resources defines the resource requirements for this app."""

    limits: dict[str, Quantity] | None = Field(
        default=None,
        description="Limits describes the maximum amount of compute resources allowed.",
    )
    requests: dict[str, Quantity] | None = Field(
        default=None,
        description="Requests describes the minimum amount of compute resources required. If "
        "Requests is omitted for a container, it defaults to Limits if that is explicitly "
        "specified, otherwise to an implementation-defined value. Requests cannot exceed "
        "Limits.",
    )


class VariableSource(ApiModel):
    """ValueFrom is a reference to dynamically bind the variable to."""

    config_map_key_ref: ConfigMapKeySelector | None = Field(
        default=None, description="Selects a key of a ConfigMap."
    )
    secret_key_ref: SecretKeySelector | None = Field(
        default=None, description="Selects a key of a secret in the pod's namespace"
    )
    field_ref: ObjectFieldSelector | None = Field(
        default=None,
        description="Selects a field of the pod: supports metadata.name, metadata.namespace, "
        "`metadata.labels['<KEY>']`, `metadata.annotations['<KEY>']`, spec.nodeName, "
        "spec.serviceAccountName, status.hostIP, status.podIP, status.podIPs.",
    )
    resource_field_ref: ResourceFieldSelector | None = Field(
        default=None,
        description="Selects a resource of the container: only resources limits and requests "
        "(limits.cpu, limits.memory, limits.ephemeral-storage, requests.cpu, requests.memory "
        "and requests.ephemeral-storage) are currently supported.",
    )


class SpinVar(ApiModel):
    """SpinVar defines a binding between a spin variable and a static or dynamic value."""

    name: StrictStr = Field(description="Name of the variable to bind.")
    value: StrictStr | None = Field(
        default=None, description="Value is the static value to bind to the variable."
    )
    value_from: VariableSource | None = Field(
        default=None, description="ValueFrom is a reference to dynamically bind the variable to."
    )


class RuntimeConfigVarSource(ApiModel):
    """ValueFrom is a reference to dynamically bind the option to."""

    config_map_key_ref: ConfigMapKeySelector | None = Field(
        default=None, description="Selects a key of a ConfigMap."
    )
    secret_key_ref: SecretKeySelector | None = Field(
        default=None, description="Selects a key of a secret in the apps namespace"
    )


class RuntimeConfigOption(ApiModel):
    """An option of a runtime-config provider, e.g. the `url` of a Redis key-value store."""

    name: StrictStr = Field(description="Name of the config option.")
    value: StrictStr | None = Field(
        default=None, description="Value is the static value to bind to the variable."
    )
    value_from: RuntimeConfigVarSource | None = Field(
        default=None, description="ValueFrom is a reference to dynamically bind the variable to."
    )


class KeyValueStoreConfig(ApiModel):
    """A key-value store the app can open by name."""

    name: StrictStr = Field(description="Name of the store, as the app opens it (e.g. default).")
    type: StrictStr = Field(description="Type of the store provider, e.g. redis or spin.")
    options: list[RuntimeConfigOption] | None = Field(
        default=None, description="Options of the store provider, e.g. url."
    )


class SqliteDatabaseConfig(ApiModel):
    """A SQLite database the app can open by name."""

    name: StrictStr = Field(description="Name of the database, as the app opens it (e.g. default).")
    type: StrictStr = Field(description="Type of the database provider, e.g. libsql or spin.")
    options: list[RuntimeConfigOption] | None = Field(
        default=None, description="Options of the database provider, e.g. url and token."
    )


class LLMComputeConfig(ApiModel):
    """Where the app's LLM inferencing runs."""

    type: StrictStr = Field(description="Type of the LLM compute provider, e.g. remote_http.")
    options: list[RuntimeConfigOption] | None = Field(
        default=None, description="Options of the LLM compute provider, e.g. url and auth_token."
    )


class RuntimeConfig(ApiModel):
    """RuntimeConfig defines configuration to be applied at runtime for this app."""

    load_from_secret: StrictStr | None = Field(
        default=None,
        description="LoadFromSecret is the name of the secret to load runtime config from. The "
        'secret should have a single key named "runtime-config.toml" that contains the base64 '
        "encoded runtime config. If this is provided all other runtime config is ignored.",
    )
    sqlite_databases: list[SqliteDatabaseConfig] | None = Field(
        default=None,
        description="SqliteDatabases provides spin bindings to different SQLite database "
        "providers. e.g on-disk or turso.",
    )
    llm_compute: LLMComputeConfig | None = Field(
        default=None, description="LLMCompute configures where LLM inferencing runs."
    )
    key_value_stores: list[KeyValueStoreConfig] | None = Field(
        default=None,
        description="KeyValueStores provides spin bindings to different key-value store "
        "providers, e.g. redis.",
    )


_EXECUTOR_DOC = (
    "Executor controls how this app is executed in the cluster.\n\n"
    "Defaults to whatever executor is available on the cluster. If multiple executors are "
    "available then the first executor in alphabetical order will be chosen. If no executors "
    "are available then no default will be set."
)


def _no_schema_default(schema: dict[str, Any]) -> None:
    """Keep a model default out of the CRD, where it would make a required field optional."""
    schema.pop("default", None)


def _executor_required(schema: dict[str, Any]) -> None:
    schema["required"] = ["executor", *schema.get("required", [])]


class SpinAppSpec(ApiModel):
    """SpinAppSpec defines the desired state of SpinApp"""

    # Required by the CRD although the model defaults it: the defaulting webhook fills it in
    # before the schema is checked, so the webhook must be able to read an app without it.
    model_config = ConfigDict(json_schema_extra=_executor_required)

    executor: StrictStr = Field(
        default="", description=_EXECUTOR_DOC, json_schema_extra=_no_schema_default
    )
    image: StrictStr = Field(description="Image is the source for this app.")
    image_pull_secrets: list[LocalObjectReference] | None = Field(
        default=None,
        description="ImagePullSecrets is a list of references to secrets in the same namespace "
        "to use for pulling the image.",
    )
    checks: HealthChecks | None = Field(
        default=None,
        description="Checks defines health checks that should be used by Kubernetes to monitor "
        "the application.",
    )
    replicas: Int32 | None = Field(default=None, description="Number of replicas to run.")
    enable_autoscaling: StrictBool = Field(
        default=False,
        description="EnableAutoscaling indicates whether the app is allowed to autoscale. If "
        "true then the operator leaves the replica count of the underlying deployment to be "
        "managed by an external autoscaler (HPA/KEDA). Replicas cannot be defined if this is "
        "enabled. By default EnableAutoscaling is false.",
    )
    runtime_config: RuntimeConfig | None = Field(
        default=None,
        description="RuntimeConfig defines configuration to be applied at runtime for this app.",
    )
    volumes: list[Volume] | None = Field(
        default=None,
        description="Volumes defines the volumes to be mounted in the underlying pods.",
    )
    volume_mounts: list[VolumeMount] | None = Field(
        default=None,
        description="VolumeMounts defines how volumes are mounted in the underlying containers.",
    )
    variables: list[SpinVar] | None = Field(
        default=None,
        description="Variables provide Kubernetes Bindings to Spin App Variables.",
    )
    service_annotations: StringMap | None = Field(
        default=None,
        description="ServiceAnnotations defines annotations to be applied to the underlying "
        "service.",
    )
    deployment_annotations: StringMap | None = Field(
        default=None,
        description="DeploymentAnnotations defines annotations to be applied to the underlying "
        "deployment.",
    )
    pod_annotations: StringMap | None = Field(
        default=None,
        description="PodAnnotations defines annotations to be applied to the underlying pods.",
    )
    pod_labels: StringMap | None = Field(
        default=None,
        description="PodLabels defines labels to be applied to the underlying pods. The "
        "operator's own labels win on conflict.",
    )
    resources: Resources | None = Field(
        default=None,
        description="Resources defines the resource requirements for this app.",
    )
    components: list[StrictStr] | None = Field(
        default=None,
        min_length=1,
        description="Components of the app to execute. If this is not provided all components "
        "are executed.",
    )
    env: list[EnvVar] | None = Field(
        default=None,
        description="Env lists extra environment variables of the app's container (value or "
        "valueFrom), set after the operator's own. Names the operator sets "
        "(SPIN_HTTP_LISTEN_ADDR, SPIN_VARIABLE_*, OTEL_EXPORTER_OTLP_*, "
        "SPIN_COMPONENTS_TO_RETAIN) are refused: use listenPort, variables and the executor.",
    )
    listen_port: Int32 | None = Field(
        default=None,
        ge=1,
        le=65535,
        json_schema_extra={"minimum": 1, "maximum": 65535},
        description="ListenPort is the port the app listens on in its pod: SPIN_HTTP_LISTEN_ADDR, "
        "the container port (named http-app, which the Service targets) and the probes follow "
        "it. Defaults to 80. The Service still serves port 80.",
    )
    node_selector: StringMap | None = Field(
        default=None,
        description="NodeSelector constrains the app's pods to nodes with these labels, merged "
        "over the executor's (the app's value wins for a key both set).",
    )
    tolerations: list[Toleration] | None = Field(
        default=None,
        description="Tolerations of the app's pods, added to the executor's.",
    )
    affinity: Affinity | None = Field(
        default=None,
        description="Affinity of the app's pods. Each of nodeAffinity, podAffinity and "
        "podAntiAffinity set here replaces the executor's.",
    )


ConditionStatus = Literal["True", "False", "Unknown"]


class Condition(ApiModel):
    """Condition contains details for one aspect of the current state of this API Resource."""

    type: StrictStr = Field(
        max_length=316,
        pattern=r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
        r"(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$",
        description="type of condition in CamelCase or in foo.example.com/CamelCase.",
    )
    status: ConditionStatus = Field(
        description="status of the condition, one of True, False, Unknown."
    )
    observed_generation: Int64 | None = Field(
        default=None,
        ge=0,
        json_schema_extra={"minimum": 0},
        description="observedGeneration represents the .metadata.generation that the condition "
        "was set based upon. For instance, if .metadata.generation is currently 12, but the "
        ".status.conditions[x].observedGeneration is 9, the condition is out of date with "
        "respect to the current state of the instance.",
    )
    last_transition_time: StrictStr = Field(
        json_schema_extra={"format": "date-time"},
        description="lastTransitionTime is the last time the condition transitioned from one "
        "status to another. This should be when the underlying condition changed. If that is "
        "not known, then using the time when the API field changed is acceptable.",
    )
    reason: StrictStr = Field(
        min_length=1,
        max_length=1024,
        pattern=r"^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$",
        description="reason contains a programmatic identifier indicating the reason for the "
        "condition's last transition. Producers of specific condition types may define expected "
        "values and meanings for this field, and whether the values are considered a guaranteed "
        "API. The value should be a CamelCase string. This field may not be empty.",
    )
    message: StrictStr = Field(
        max_length=32768,
        description="message is a human readable message indicating details about the "
        "transition. This may be an empty string.",
    )


class SpinAppStatus(ApiModel):
    """SpinAppStatus defines the observed state of SpinApp"""

    ready_replicas: Int32 = Field(
        description="Represents the current number of active replicas on the application "
        "deployment."
    )
    active_scheduler: StrictStr | None = Field(
        default=None,
        description="ActiveScheduler is the name of the scheduler that is currently scheduling "
        "this SpinApp.",
    )
    selector: StrictStr | None = Field(
        default=None,
        description="Selector is the label selector of the app's pods, in the string form "
        "(`a=b,c=d`) the scale subresource reports to HorizontalPodAutoscalers.",
    )
    conditions: list[Condition] | None = Field(
        default=None,
        description="Represents the observations of a SpinApps's current state. "
        'SpinApp.status.conditions.type are: "Available" and "Progressing". '
        "SpinApp.status.conditions.status are one of True, False, Unknown. "
        "SpinApp.status.conditions.reason the value should be a CamelCase string and producers "
        "of specific condition types may define expected values and meanings for this field, "
        "and whether the values are considered a guaranteed API. "
        "SpinApp.status.conditions.Message is a human readable message indicating details about "
        "the transition.",
    )


class SpinApp(ApiModel):
    """SpinApp is the Schema for the spinapps API"""

    api_version: Literal["core.spinoperator.dev/v1alpha1"] = API_VERSION
    kind: Literal["SpinApp"] = SPINAPP_KIND
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    spec: SpinAppSpec = Field(description="SpinAppSpec defines the desired state of SpinApp")
    status: SpinAppStatus | None = Field(
        default=None, description="SpinAppStatus defines the observed state of SpinApp"
    )

    def to_manifest(self) -> dict[str, Any]:
        """The object as Kubernetes JSON: wire names, unset optional fields left out."""
        return self.model_dump(mode="json", exclude_none=True)
