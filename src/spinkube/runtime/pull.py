"""``-f <OCI reference>``: pull the app through :mod:`spinkube.oci` into the blob cache."""

from __future__ import annotations

from pathlib import Path

from spinkube.oci.auth import load_docker_config
from spinkube.oci.cache import BlobCache
from spinkube.oci.client import RegistryClient
from spinkube.oci.errors import OciError, ReferenceError
from spinkube.oci.pull import pull
from spinkube.runtime.errors import RegistryError, StartupError
from spinkube.runtime.loader import LoadedApp
from spinkube.spinapp import SpinAppError


def pull_app(reference: str, *, cache_dir: Path | None) -> LoadedApp:
    """Pull (or reuse from the cache) and load the locked app; one-line errors name the source."""
    cache = BlobCache(cache_dir / "oci" if cache_dir else None)
    try:
        with RegistryClient(credentials=load_docker_config()) as client:
            pulled = pull(reference, client=client, cache=cache)
        app = pulled.load()
    except ReferenceError:
        raise StartupError(
            f"cannot load app from {reference}: not a file, a directory or an OCI reference"
        ) from None
    except OciError as exc:
        detail = str(exc).removeprefix(f"{reference}: ")
        raise RegistryError(f"cannot pull {reference}: {detail}") from None
    except SpinAppError as exc:
        raise StartupError(f"{reference}: {exc}") from None
    return LoadedApp(app, reference, oci_digest=pulled.digest)
