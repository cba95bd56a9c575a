"""L1: pure defaulting and validation rules, each returning field errors with a path and the
user-facing message. Shared by the admission webhooks and the CLI.

Lookups are passed in as callables, so this package does no I/O:

    app = default_spinapp(app, list_executors=lambda ns: names_in(ns))
    errors = validate_spinapp(app, get_executor=lambda ns, name: executor_or_none(ns, name))
    if errors:
        deny(denial_message(SPINAPP_WEBHOOK, "SpinApp", name, errors))
"""

from spinkube.admission.defaulting import ExecutorLister, default_executor, default_spinapp
from spinkube.admission.errors import (
    OMITTED,
    ErrorType,
    FieldError,
    aggregate,
    denial_message,
    go_quote,
    go_value,
    invalid_message,
)
from spinkube.admission.executor import (
    validate_deployment_config_present,
    validate_executor,
    validate_runtime_class_and_spin_image,
)
from spinkube.admission.extra import (
    validate_checks,
    validate_env,
    validate_image,
    validate_resources,
    validate_runtime_config,
    validate_spec,
    validate_variables,
    validate_volumes,
    variable_name_problem,
)
from spinkube.admission.quantity import parse_quantity
from spinkube.admission.spinapp import (
    ExecutorGetter,
    validate_annotations,
    validate_executor_ref,
    validate_replicas,
    validate_spinapp,
)

SPINAPP_WEBHOOK = "vspinapp.kb.io"
EXECUTOR_WEBHOOK = "vspinappexecutor.kb.io"
SPINAPP_DEFAULTING_WEBHOOK = "mspinapp.kb.io"
EXECUTOR_DEFAULTING_WEBHOOK = "mspinappexecutor.kb.io"

__all__ = [
    "EXECUTOR_DEFAULTING_WEBHOOK",
    "EXECUTOR_WEBHOOK",
    "OMITTED",
    "SPINAPP_DEFAULTING_WEBHOOK",
    "SPINAPP_WEBHOOK",
    "ErrorType",
    "ExecutorGetter",
    "ExecutorLister",
    "FieldError",
    "aggregate",
    "default_executor",
    "default_spinapp",
    "denial_message",
    "go_quote",
    "go_value",
    "invalid_message",
    "parse_quantity",
    "validate_annotations",
    "validate_checks",
    "validate_deployment_config_present",
    "validate_env",
    "validate_executor",
    "validate_executor_ref",
    "validate_image",
    "validate_replicas",
    "validate_resources",
    "validate_runtime_class_and_spin_image",
    "validate_runtime_config",
    "validate_spec",
    "validate_spinapp",
    "validate_variables",
    "validate_volumes",
    "variable_name_problem",
]
