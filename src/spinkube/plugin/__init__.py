"""L3: the `spin kube` plugin CLI.

Commands live in `commands/`, one module each; the scaffold manifest builder (pure: options in,
YAML text out) lives in `scaffold/`. Nothing here imports the operator or the runtime, and the
Kubernetes client is imported lazily so that `scaffold` and `--help` start fast and need no
kubeconfig.
"""
