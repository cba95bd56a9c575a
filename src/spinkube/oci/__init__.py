"""L2: the OCI registry client for Spin artifacts (pull, push, auth, cache).

Public API::

    Reference.parse("ttl.sh/hello:1h")            # Docker defaults: docker.io, library/, latest
    RegistryClient(credentials=..., insecure=None, transport=None)   # a context manager
    BlobCache(root=None)                           # default $XDG_CACHE_HOME/spinkube/oci
    pull(ref, client=, cache=, dest=None) -> PulledApp(reference, digest, directory, layout)
        PulledApp.locked_path (``<dest>/spin.lock``), PulledApp.load() -> spinapp.App
    push(app_dir_or_spin_toml, ref, client=, archive=None)
        -> PushResult(reference, digest, artifact, uploaded)
    build_artifact(app, archive=None) -> Artifact(manifest, config, layers, locked)
    oci.push.push_artifact(artifact_or_image, ref, client=)   # upload a built artifact or image
    oci.push.push_app_image(app, ref, client=, platform=None)  # the app as a plain runnable image
    oci.app_image.build_app_image(app, platform=None) -> oci.image.Image
    oci.image: Entry, build_layer, ImageConfig, Platform, build_image   # any runnable image
    oci.image_layout.save_layout([Named(ref, image)], dest)   # OCI layout dir, or .tar

    Credentials(username, password, identity_token); CredentialStore({host: Credentials})
    load_docker_config(path=None) ; from_docker_config(dict|str) ; from_pull_secret(secret.data)

Errors: OciError > ReferenceError, PackagingError (the app to push), NotFound, AuthError,
DigestMismatch, RegistryUnreachable, UnsupportedArtifact. (``ReferenceError`` shadows the
builtin; use it as ``oci.ReferenceError``.)
"""

from spinkube.oci.auth import (
    Credentials,
    CredentialStore,
    from_docker_config,
    from_pull_secret,
    load_docker_config,
)
from spinkube.oci.cache import BlobCache, default_cache_dir
from spinkube.oci.client import RegistryClient
from spinkube.oci.errors import (
    AuthError,
    DigestMismatch,
    NotFound,
    OciError,
    PackagingError,
    ReferenceError,
    RegistryUnreachable,
    UnsupportedArtifact,
)
from spinkube.oci.layout import Artifact, build_artifact
from spinkube.oci.pull import PulledApp, pull
from spinkube.oci.push import PushResult, push
from spinkube.oci.reference import Reference

__all__ = [
    "Artifact",
    "AuthError",
    "BlobCache",
    "CredentialStore",
    "Credentials",
    "DigestMismatch",
    "NotFound",
    "OciError",
    "PackagingError",
    "PulledApp",
    "PushResult",
    "Reference",
    "ReferenceError",
    "RegistryClient",
    "RegistryUnreachable",
    "UnsupportedArtifact",
    "build_artifact",
    "default_cache_dir",
    "from_docker_config",
    "from_pull_secret",
    "load_docker_config",
    "pull",
    "push",
]
