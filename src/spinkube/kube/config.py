"""Where the cluster connection comes from: a kubeconfig path, `$KUBECONFIG`, or in-cluster."""

from __future__ import annotations

import os
from pathlib import Path

from lightkube import ConfigError, KubeConfig

from spinkube.kube.errors import KubeConfigError

DEFAULT_KUBECONFIG = Path("~/.kube/config")
SERVICE_ACCOUNT_DIR = Path("/var/run/secrets/kubernetes.io/serviceaccount")


def load_kubeconfig(path: str | os.PathLike[str] | None = None) -> KubeConfig:
    """Load the cluster configuration, in kubectl's order of preference.

    An explicit `path` wins; then `$KUBECONFIG` (its first entry); then the in-cluster
    service account when running in a pod; then `~/.kube/config`.
    """
    try:
        if path is not None:
            return KubeConfig.from_file(path)
        env_path = _first_kubeconfig_entry(os.environ.get("KUBECONFIG", ""))
        if env_path is not None:
            return KubeConfig.from_file(env_path)
        if (SERVICE_ACCOUNT_DIR / "token").is_file():
            return KubeConfig.from_service_account(SERVICE_ACCOUNT_DIR)
        return KubeConfig.from_file(DEFAULT_KUBECONFIG)
    except ConfigError as error:
        raise KubeConfigError(f"cannot load the kubeconfig: {error}") from error
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise KubeConfigError(f"cannot load the kubeconfig {path or ''}: {error}") from error


def _first_kubeconfig_entry(value: str) -> str | None:
    entries = [entry for entry in value.split(os.pathsep) if entry]
    return entries[0] if entries else None
