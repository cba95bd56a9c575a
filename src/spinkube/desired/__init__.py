"""L1: pure builders from a SpinApp, its executor and resolved inputs to child manifests.

Deployment, Service and runtime-config Secret; no I/O, no framework imports. The controller's
recipe:

    refs = runtime_config_dependencies(app)          # fetch these ConfigMaps/Secrets
    children = build_children(app, executor, inputs=ResolvedInputs(...), ca_bundle=pem)

Every builder returns Kubernetes JSON as plain dicts; failures are `DesiredStateError`s whose
message is the one to show the user.
"""

from spinkube.desired.children import Children, build_children
from spinkube.desired.deployment import build_container, build_deployment, spin_up_args
from spinkube.desired.env import build_env, variable_env_name
from spinkube.desired.errors import (
    DesiredStateError,
    ExecutorConfigError,
    MissingReferenceError,
    ProbeError,
    RuntimeConfigError,
)
from spinkube.desired.executor import DEFAULT_CA_SECRET, ca_secret_name, deployment_config
from spinkube.desired.inputs import ObjectRef, ResolvedInputs
from spinkube.desired.meta import Manifest, owner_references, pod_labels, ready_labels
from spinkube.desired.probes import UNKNOWN_PROBE, build_probe, build_probes
from spinkube.desired.redact import REDACTED, SecretString, json_default
from spinkube.desired.runtime_config import (
    render_runtime_config,
    runtime_config_dependencies,
    runtime_config_secret_name,
)
from spinkube.desired.secrets import build_ca_secret, build_runtime_config_secret
from spinkube.desired.service import build_service
from spinkube.desired.volumes import (
    CA_PATH,
    CA_VOLUME,
    OPERATOR_VOLUME_PREFIX,
    RUNTIME_CONFIG_PATH,
    RUNTIME_CONFIG_VOLUME,
    build_volumes,
    ca_volume,
    runtime_config_volume,
)

__all__ = [
    "CA_PATH",
    "CA_VOLUME",
    "DEFAULT_CA_SECRET",
    "OPERATOR_VOLUME_PREFIX",
    "REDACTED",
    "RUNTIME_CONFIG_PATH",
    "RUNTIME_CONFIG_VOLUME",
    "UNKNOWN_PROBE",
    "Children",
    "DesiredStateError",
    "ExecutorConfigError",
    "Manifest",
    "MissingReferenceError",
    "ObjectRef",
    "ProbeError",
    "ResolvedInputs",
    "RuntimeConfigError",
    "SecretString",
    "build_ca_secret",
    "build_children",
    "build_container",
    "build_deployment",
    "build_env",
    "build_probe",
    "build_probes",
    "build_runtime_config_secret",
    "build_service",
    "build_volumes",
    "ca_secret_name",
    "ca_volume",
    "deployment_config",
    "json_default",
    "owner_references",
    "pod_labels",
    "ready_labels",
    "render_runtime_config",
    "runtime_config_dependencies",
    "runtime_config_secret_name",
    "runtime_config_volume",
    "spin_up_args",
    "variable_env_name",
]
