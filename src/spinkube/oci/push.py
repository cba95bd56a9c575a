"""Push a Spin app (``spin registry push``): build the artifact, upload what the registry lacks,
then the manifest; the manifest digest comes back. :func:`push_app_image` pushes the app as a
plain runnable image instead, and :func:`push_artifact` any built artifact or image."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from spinkube.oci.app_image import build_app_image
from spinkube.oci.client import RegistryClient
from spinkube.oci.errors import PackagingError
from spinkube.oci.image import Image, Platform
from spinkube.oci.layout import OCI_MANIFEST, Artifact, build_artifact
from spinkube.oci.reference import Reference
from spinkube.oci.registry import blob_exists, put_manifest, upload_blob
from spinkube.spinapp import App, SpinAppError, load_manifest

logger = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class PushResult:
    reference: Reference
    digest: str
    artifact: Artifact | Image
    uploaded: int
    """How many blobs were uploaded (the others were already in the registry)."""


def push(
    app: str | Path,
    reference: str | Reference,
    *,
    client: RegistryClient,
    archive: bool | None = None,
) -> PushResult:
    """Push the app whose spin.toml is ``app`` (or is in the directory ``app``); ``archive``
    as in :func:`~spinkube.oci.layout.build_artifact`."""
    artifact = _packaged(app, lambda manifest: build_artifact(manifest, archive=archive))
    return push_artifact(artifact, _reference(reference), client=client)


def push_app_image(
    app: str | Path,
    reference: str | Reference,
    *,
    client: RegistryClient,
    platform: Platform | None = None,
) -> PushResult:
    """Push the app as a plain runnable image (:func:`~spinkube.oci.app_image.build_app_image`)."""
    image = _packaged(app, lambda manifest: build_app_image(manifest, platform=platform))
    return push_artifact(image, _reference(reference), client=client)


def _reference(reference: str | Reference) -> Reference:
    return reference if isinstance(reference, Reference) else Reference.parse(reference)


def _packaged(app: str | Path, build: Callable[[App], T]) -> T:
    """`build` applied to the app's manifest; a mistake in the app is one PackagingError."""
    try:
        return build(load_manifest(app))
    except (SpinAppError, OSError, ValueError) as e:
        raise PackagingError(f"cannot package {app}: {e}") from e


def push_artifact(
    artifact: Artifact | Image, ref: Reference, *, client: RegistryClient
) -> PushResult:
    uploaded = 0
    for blob in (*artifact.layers, artifact.config):
        if blob_exists(client, ref, blob.digest):
            continue
        upload_blob(client, ref, blob.data, blob.digest)
        uploaded += 1
    digest = put_manifest(client, ref, artifact.manifest, OCI_MANIFEST)
    logger.info("pushed %s@%s (%d blobs uploaded)", ref, digest, uploaded)
    return PushResult(ref, digest, artifact, uploaded)
