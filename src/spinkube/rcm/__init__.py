"""L3: runtime-class-manager: shims installed on nodes, RuntimeClasses and node labels.

`desired/` holds the pure builders (Jobs, the RuntimeClass, node label changes, the rollout
plan, the status); `controller/` is the `runtime-class-manager` process that applies them.
"""
