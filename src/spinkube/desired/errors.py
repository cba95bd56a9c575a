"""Why a SpinApp's children cannot be built: one small hierarchy, messages as upstream has them.

Each message says what is wrong and where; the controller records it as an event and a
condition, never as a traceback.
"""

from __future__ import annotations


class DesiredStateError(Exception):
    """The children of a SpinApp cannot be built from the given app, executor and inputs."""


class ExecutorConfigError(DesiredStateError):
    """The executor does not say how to run the app (no deploymentConfig, no runtime)."""


class ProbeError(DesiredStateError):
    """A health check the operator cannot turn into a Kubernetes probe."""


class RuntimeConfigError(DesiredStateError):
    """The runtime config cannot be rendered (duplicate store, missing reference)."""


class MissingReferenceError(RuntimeConfigError):
    """A ConfigMap or Secret the runtime config refers to is unnamed or was not provided."""
