"""kopf's credentials, from the same kubeconfig the shared lightkube client uses.

kopf would otherwise look for the `kubernetes` or `pykube` client (neither is a dependency)
or read `$KUBECONFIG` itself; one source keeps `--kubeconfig` meaning the same for both.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import kopf
from lightkube import KubeConfig
from lightkube.config.models import User

from spinkube.kube import KubeConfigError, load_kubeconfig


def _path(base: str | os.PathLike[str] | None, value: str | None) -> str | None:
    """Relative file names in a kubeconfig are relative to the kubeconfig's directory."""
    if not value:
        return None
    if base is None or Path(value).is_absolute():
        return value
    return str(Path(base).parent / value)


def connection_info(config: KubeConfig) -> kopf.ConnectionInfo:
    """kopf's `ConnectionInfo` for the current context of `config` (token, client
    certificate or basic auth; exec plugins are not supported by kopf)."""
    single = config.get()
    if single is None:
        raise KubeConfigError("the kubeconfig has no current context")
    cluster, user = single.cluster, single.user or User()
    base = getattr(single, "fname", None)
    token = user.token
    if not token and user.token_file:
        token = Path(_path(base, user.token_file) or user.token_file).read_text().strip()
    return kopf.ConnectionInfo(
        server=cluster.server,
        ca_path=_path(base, cluster.certificate_auth),
        ca_data=cluster.certificate_auth_data,
        insecure=cluster.insecure or None,
        username=user.username,
        password=user.password,
        scheme="Bearer" if token else None,
        token=token,
        certificate_path=_path(base, user.client_cert),
        certificate_data=user.client_cert_data,
        private_key_path=_path(base, user.client_key),
        private_key_data=user.client_key_data,
        default_namespace=single.namespace,
    )


def login_with_kubeconfig(
    registry: kopf.OperatorRegistry, kubeconfig: str | os.PathLike[str] | None
) -> None:
    """kopf logs in with `kubeconfig` (see `load_kubeconfig`), read again at every login: an
    in-cluster token is rotated on disk."""

    def login(**_: Any) -> kopf.ConnectionInfo:
        return connection_info(load_kubeconfig(kubeconfig))

    kopf.on.login(registry=registry, id="kubeconfig")(login)
