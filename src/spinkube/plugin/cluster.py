"""The plugin's way into the cluster: a `spinkube.kube.Kube` plus the namespace to work in, and
the translation of `spinkube.kube` errors into CLI errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from spinkube.plugin.errors import (
    AppNotFoundError,
    ClusterUnavailableError,
    OperationFailedError,
    PluginError,
)
from spinkube.plugin.settings import Settings

if TYPE_CHECKING:
    from spinkube.kube.client import Kube

FIELD_MANAGER = "spin-plugin-kube"
DEFAULT_NAMESPACE = "default"


@dataclass
class Cluster:
    kube: Kube
    namespace: str


def connect(settings: Settings) -> Cluster:
    """Load the kubeconfig (`--kubeconfig`, `$KUBECONFIG`, in-cluster, `~/.kube/config`).

    The namespace is `-n`, else the current context's, else `default`, as kubectl does. The
    connection is closed when the running click command ends.
    """
    import click

    from spinkube.kube.client import Kube

    with api_errors():
        kube = Kube.from_kubeconfig(settings.kubeconfig, field_manager=FIELD_MANAGER)
    ctx = click.get_current_context(silent=True)
    if ctx is not None:
        ctx.call_on_close(kube.close)
    return Cluster(kube, settings.namespace or _context_namespace(kube) or DEFAULT_NAMESPACE)


def _context_namespace(kube: Kube) -> str | None:
    from lightkube import ConfigError

    try:
        single = kube.config.get()
    except ConfigError:  # no current context: the client reports it on first use
        return None
    context = getattr(single, "context", None)
    return getattr(context, "namespace", None) if context is not None else None


@contextmanager
def api_errors(not_found: str | None = None) -> Iterator[None]:
    """Turn `spinkube.kube` errors into one-line CLI errors; `not_found` replaces a 404's text."""
    from spinkube.kube import errors

    try:
        yield
    except errors.NotFound as error:
        raise AppNotFoundError(not_found or error.message) from error
    except (errors.KubeConfigError, errors.Unreachable) as error:
        raise ClusterUnavailableError(error.message) from error
    except errors.KubeError as error:
        raise OperationFailedError(error.message) from error


def require_name(name: str | None, settings: Settings, *, what: str) -> str:
    """The app name from the argument, else from `./spin.toml` (as upstream)."""
    chosen = name or settings.app_name_from_dir()
    if not chosen:
        raise _no_name(what)
    return chosen


def _no_name(what: str) -> PluginError:
    from spinkube.plugin.errors import UsageError

    return UsageError(
        f"no application name specified to {what}: give <name> or run it in a directory "
        "with a spin.toml"
    )
