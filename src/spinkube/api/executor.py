"""SpinAppExecutor: how SpinApps that name it are run (`core.spinoperator.dev/v1alpha1`)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict, Field, StrictBool, StrictStr

from spinkube.api._base import ApiModel, StringMap
from spinkube.api.constants import API_VERSION, EXECUTOR_KIND
from spinkube.api.k8s import Affinity, ObjectMeta, Toleration


class OtelConfig(ApiModel):
    """OpenTelemetry exporter endpoints, passed to the app as OTEL_EXPORTER_OTLP_* variables.

    The wire names are snake_case, as upstream has them.
    """

    model_config = ConfigDict(alias_generator=None)

    exporter_otlp_endpoint: StrictStr | None = Field(
        default=None,
        description="ExporterOtlpEndpoint configures the default combined otlp endpoint for "
        "sending telemetry (OTEL_EXPORTER_OTLP_ENDPOINT).",
    )
    exporter_otlp_traces_endpoint: StrictStr | None = Field(
        default=None,
        description="ExporterOtlpTracesEndpoint configures the trace-specific otlp endpoint "
        "(OTEL_EXPORTER_OTLP_TRACES_ENDPOINT).",
    )
    exporter_otlp_metrics_endpoint: StrictStr | None = Field(
        default=None,
        description="ExporterOtlpMetricsEndpoint configures the metrics-specific otlp endpoint "
        "(OTEL_EXPORTER_OTLP_METRICS_ENDPOINT).",
    )
    exporter_otlp_logs_endpoint: StrictStr | None = Field(
        default=None,
        description="ExporterOtlpLogsEndpoint configures the logs-specific otlp endpoint "
        "(OTEL_EXPORTER_OTLP_LOGS_ENDPOINT).",
    )


class ExecutorDeploymentConfig(ApiModel):
    """DeploymentConfig specifies how the deployment should be configured when
    createDeployment is true."""

    runtime_class_name: StrictStr | None = Field(
        default=None,
        description="RuntimeClassName is the runtime class name that should be used by pods "
        "created as part of a deployment. Exactly one of runtimeClassName and spinImage must "
        "be set.",
    )
    spin_image: StrictStr | None = Field(
        default=None,
        description="SpinImage points to an image that will run Spin in a container to execute "
        "your SpinApp. This is an alternative to using the shim to execute your SpinApp. "
        "Exactly one of runtimeClassName and spinImage must be set. The image must be pullable "
        "without credentials.",
    )
    install_default_ca_certs: StrictBool | None = Field(
        default=None,
        alias="installDefaultCACerts",
        description="InstallDefaultCACerts specifies whether the default CA certificate bundle "
        "should be generated. When set a new secret will be created containing the certificates. "
        "If no secret name is defined in `CACertSecret` the secret name will be `spin-ca`.",
    )
    ca_cert_secret: StrictStr | None = Field(
        default=None,
        alias="caCertSecret",
        description="CACertSecret specifies the name of the secret containing the CA "
        "certificates to be mounted to the deployment.",
    )
    otel: OtelConfig | None = Field(
        default=None,
        description="Otel configures OpenTelemetry exporters for the apps of this executor "
        "(OTEL_EXPORTER_OTLP_* environment variables).",
    )
    node_selector: StringMap | None = Field(
        default=None,
        description="NodeSelector constrains the pods of this executor's apps to nodes with "
        "these labels (an app's own nodeSelector is merged over it).",
    )
    tolerations: list[Toleration] | None = Field(
        default=None,
        description="Tolerations of the pods of this executor's apps (an app's own are added).",
    )
    affinity: Affinity | None = Field(
        default=None,
        description="Affinity of the pods of this executor's apps (an app's nodeAffinity, "
        "podAffinity or podAntiAffinity replaces the one here).",
    )


class SpinAppExecutorSpec(ApiModel):
    """SpinAppExecutorSpec defines the desired state of SpinAppExecutor"""

    create_deployment: StrictBool = Field(
        description="CreateDeployment specifies whether the Executor wants the SpinKube operator "
        "to create a deployment for the application or if it will be realized externally."
    )
    deployment_config: ExecutorDeploymentConfig | None = Field(
        default=None,
        description="DeploymentConfig specifies how the deployment should be configured when "
        "createDeployment is true.",
    )


class SpinAppExecutorStatus(ApiModel):
    """SpinAppExecutorStatus defines the observed state of SpinAppExecutor"""


class SpinAppExecutor(ApiModel):
    """SpinAppExecutor is the Schema for the spinappexecutors API"""

    api_version: Literal["core.spinoperator.dev/v1alpha1"] = API_VERSION
    kind: Literal["SpinAppExecutor"] = EXECUTOR_KIND
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    spec: SpinAppExecutorSpec = Field(
        description="SpinAppExecutorSpec defines the desired state of SpinAppExecutor"
    )
    status: SpinAppExecutorStatus | None = Field(
        default=None,
        description="SpinAppExecutorStatus defines the observed state of SpinAppExecutor",
    )

    def to_manifest(self) -> dict[str, Any]:
        """The object as Kubernetes JSON: wire names, unset optional fields left out."""
        return self.model_dump(mode="json", exclude_none=True)
