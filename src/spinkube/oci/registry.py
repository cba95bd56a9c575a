"""Distribution API operations on top of :class:`RegistryClient`: manifests and blobs."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import urljoin

import httpx

from spinkube.oci.cache import BlobCache, sha256_digest
from spinkube.oci.client import RegistryClient, registry_error
from spinkube.oci.errors import DigestMismatch, NotFound, OciError, RegistryUnreachable
from spinkube.oci.layout import INDEX_TYPES, MANIFEST_TYPES
from spinkube.oci.reference import Reference

logger = logging.getLogger(__name__)

_ACCEPT = ", ".join((*MANIFEST_TYPES, *INDEX_TYPES))
_CHUNK = 1 << 16


@dataclass(frozen=True, slots=True)
class FetchedManifest:
    data: bytes
    media_type: str
    digest: str


def get_manifest(
    client: RegistryClient, ref: Reference, ref_or_digest: str | None = None
) -> FetchedManifest:
    wanted = ref_or_digest or ref.ref
    response = client.request("GET", ref, f"manifests/{wanted}", headers={"Accept": _ACCEPT})
    if response.status_code == 404:
        raise NotFound(_missing(ref, wanted))
    if response.status_code != 200:
        raise registry_error(response, f"manifest {ref}")
    data = response.content
    digest = sha256_digest(data)
    if wanted.startswith("sha256:") and digest != wanted:
        raise DigestMismatch(wanted, digest, f"manifest of {ref}")
    media_type = response.headers.get("content-type", "").split(";")[0].strip()
    return FetchedManifest(data, media_type, digest)


def ensure_blob(client: RegistryClient, ref: Reference, digest: str, cache: BlobCache) -> None:
    """Make a verified copy of a blob present in the cache, fetching it when it is missing
    or when the cached copy turns out to be corrupt."""
    if cache.has(digest):
        try:
            cache.verified_path(digest)
            return
        except DigestMismatch as e:
            logger.warning("%s; fetching it again", e)
    fetch_blob(client, ref, digest, cache)


def fetch_blob(client: RegistryClient, ref: Reference, digest: str, cache: BlobCache) -> None:
    with client.stream("GET", ref, f"blobs/{digest}") as response:
        if response.status_code == 404:
            raise NotFound(f"blob {digest} not found in {ref.registry}/{ref.repository}")
        if response.status_code != 200:
            response.read()
            raise registry_error(response, f"blob {digest} of {ref}")
        try:
            with cache.writer(digest, where=f"blob {digest} of {ref}") as writer:
                for chunk in response.iter_bytes(_CHUNK):
                    writer.write(chunk)
        except httpx.TransportError as e:
            raise RegistryUnreachable(
                f"download of blob {digest} from {ref.registry} was interrupted: {e}"
            ) from e


def blob_exists(client: RegistryClient, ref: Reference, digest: str) -> bool:
    response = client.request("HEAD", ref, f"blobs/{digest}", push=True)
    return response.status_code == 200


def upload_blob(client: RegistryClient, ref: Reference, data: bytes, digest: str) -> None:
    """A monolithic upload: POST to open an upload session, PUT the content with its digest."""
    opened = client.request("POST", ref, "blobs/uploads/", push=True)
    if opened.status_code != 202 or "location" not in opened.headers:
        raise registry_error(opened, f"starting the upload of {digest} to {ref}")
    location = httpx.URL(urljoin(str(opened.url), opened.headers["location"]))
    location = location.copy_merge_params({"digest": digest})  # keeps the registry's _state
    done = client.request(
        "PUT", ref, "", push=True, url=str(location), content=data,
        headers={"Content-Type": "application/octet-stream"},
    )  # fmt: skip
    if done.status_code != 201:
        raise registry_error(done, f"uploading blob {digest} to {ref}")


def put_manifest(client: RegistryClient, ref: Reference, data: bytes, media_type: str) -> str:
    response = client.request(
        "PUT", ref, f"manifests/{ref.tag or sha256_digest(data)}", push=True, content=data,
        headers={"Content-Type": media_type},
    )  # fmt: skip
    if response.status_code != 201:
        raise registry_error(response, f"pushing the manifest of {ref}")
    digest = sha256_digest(data)
    reported = response.headers.get("docker-content-digest")
    if reported and reported != digest:
        raise OciError(f"registry {ref.registry} stored the manifest as {reported}, not {digest}")
    return digest


def _missing(ref: Reference, wanted: str) -> str:
    what = f"digest {wanted}" if wanted.startswith("sha256:") else f"tag {wanted!r}"
    return f"{ref}: {what} not found in {ref.registry}/{ref.repository}"
