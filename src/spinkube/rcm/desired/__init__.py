"""Pure: what runtime-class-manager wants to exist, from a Shim, its nodes and its Jobs.

No I/O and no framework imports (an import-linter contract holds it), golden-tested.
"""

from spinkube.rcm.desired.fingerprint import installed_annotation, shim_fingerprint
from spinkube.rcm.desired.jobs import (
    INSTALL,
    UNINSTALL,
    JobSettings,
    Operation,
    job_manifest,
    job_name,
)
from spinkube.rcm.desired.labels import (
    LabelChange,
    label_change_for_job,
    node_change_patch,
    node_label_patch,
)
from spinkube.rcm.desired.plan import JobState, NodeView, Plan, job_state, matches, plan_install
from spinkube.rcm.desired.runtime_class import owner_reference, runtime_class_manifest
from spinkube.rcm.desired.status import shim_status

__all__ = [
    "INSTALL",
    "UNINSTALL",
    "JobSettings",
    "JobState",
    "LabelChange",
    "NodeView",
    "Operation",
    "Plan",
    "installed_annotation",
    "job_manifest",
    "job_name",
    "job_state",
    "label_change_for_job",
    "matches",
    "node_change_patch",
    "node_label_patch",
    "owner_reference",
    "plan_install",
    "runtime_class_manifest",
    "shim_fingerprint",
    "shim_status",
]
