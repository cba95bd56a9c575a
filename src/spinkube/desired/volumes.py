"""Pod volumes and container mounts: runtime config, the user's volumes, the CA bundle.

Order (upstream `ConstructVolumeMountsForApp`): `spin-runtime-config` first, then the user's
`spec.volumes`/`spec.volumeMounts`, then `spin-ca`. Both operator volumes are optional secret
volumes mounted read-only over a single file with `subPath`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from spinkube.api import SpinApp, Volume, VolumeMount
from spinkube.desired.errors import DesiredStateError
from spinkube.desired.meta import Manifest

RUNTIME_CONFIG_VOLUME = "spin-runtime-config"
RUNTIME_CONFIG_KEY = "runtime-config.toml"
RUNTIME_CONFIG_PATH = "/runtime-config.toml"
CA_VOLUME = "spin-ca"
CA_KEY = "ca-certificates.crt"
CA_PATH = "/etc/ssl/certs/ca-certificates.crt"
OPERATOR_VOLUME_PREFIX = "spin-"
"""Names the operator's own volumes start with; user volumes may not (see admission)."""


@dataclass
class VolumeSet:
    """The pod's `volumes` and the container's `volumeMounts`, in order."""

    volumes: list[Manifest] = field(default_factory=list)
    mounts: list[Manifest] = field(default_factory=list)

    def add(self, volume: Manifest, mount: Manifest) -> None:
        self.volumes.append(volume)
        self.mounts.append(mount)


def _secret_file(volume: str, secret: str, key: str, path: str) -> tuple[Manifest, Manifest]:
    """An optional secret volume holding one file, and its read-only `subPath` mount."""
    source = {"secretName": secret, "optional": True, "items": [{"key": key, "path": key}]}
    return (
        {"name": volume, "secret": source},
        {"name": volume, "readOnly": True, "mountPath": path, "subPath": key},
    )


def runtime_config_volume(secret: str) -> tuple[Manifest, Manifest]:
    """The runtime-config secret at `/runtime-config.toml`, where the shim and `spin up` read it."""
    return _secret_file(RUNTIME_CONFIG_VOLUME, secret, RUNTIME_CONFIG_KEY, RUNTIME_CONFIG_PATH)


def ca_volume(secret: str) -> tuple[Manifest, Manifest]:
    """The CA bundle secret over the system bundle file."""
    return _secret_file(CA_VOLUME, secret, CA_KEY, CA_PATH)


def _runtime_secret(app: SpinApp, generated: str | None) -> str | None:
    config = app.spec.runtime_config
    user = config.load_from_secret if config is not None else None
    if user and generated:
        raise DesiredStateError(
            "cannot specify both a user-provided runtime secret and a generated one"
        )
    return user or generated


def _plain(model: Volume | VolumeMount) -> Manifest:
    return model.model_dump(mode="json", exclude_none=True)


def build_volumes(
    app: SpinApp, *, runtime_config_secret: str | None, ca_secret: str | None
) -> VolumeSet:
    """The volumes of the app's pod; `runtime_config_secret` is the generated secret, if any."""
    volumes = VolumeSet()
    secret = _runtime_secret(app, runtime_config_secret)
    if secret:
        volumes.add(*runtime_config_volume(secret))
    volumes.volumes += [_plain(v) for v in app.spec.volumes or []]
    volumes.mounts += [_plain(m) for m in app.spec.volume_mounts or []]
    if ca_secret:
        volumes.add(*ca_volume(ca_secret))
    return volumes
