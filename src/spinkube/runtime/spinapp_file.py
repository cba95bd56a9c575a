"""``up -f spinapp.yaml``: a SpinApp manifest run locally, the way its pod would run it.

What the operator would hand the pod is built here from the manifest alone, with no cluster:

* the app is ``spec.image``, pulled with the credentials of the local Docker config (standing in
  for the pull Secrets of ``spec.imagePullSecrets``, which live in the cluster);
* ``spec.variables`` become the pod's ``SPIN_VARIABLE_<NAME>`` environment: literal values, and
  ``valueFrom`` references to ConfigMaps and Secrets defined in the same file; every other
  reference is named in one error unless ``--variable NAME=VALUE`` gives its value;
* ``spec.runtimeConfig`` is rendered by the operator's own builder
  (:func:`spinkube.desired.runtime_config.render_runtime_config`), byte for byte the TOML of the
  pod's ``/runtime-config.toml``;
* ``spec.components`` are the components to retain, ``spec.checks`` the paths to answer.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from spinkube.api import SPINAPP_KIND, SpinApp, SpinVar
from spinkube.api.errors import field_errors
from spinkube.desired.errors import DesiredStateError
from spinkube.desired.inputs import ResolvedInputs
from spinkube.desired.probes import build_probes
from spinkube.desired.runtime_config import render_runtime_config, runtime_config_dependencies
from spinkube.runtime.errors import StartupError
from spinkube.runtime.variables import variable_environ

RUNTIME_CONFIG_KEY = "runtime-config.toml"
"""The key of a ``loadFromSecret`` Secret that the pod mounts at ``/runtime-config.toml``."""


@dataclass(frozen=True, slots=True)
class HealthCheck:
    field: str
    """``spec.checks.readiness`` or ``spec.checks.liveness``."""
    path: str


@dataclass(frozen=True, slots=True)
class LocalSpinApp:
    """What the pod of a SpinApp would get, for ``spinkube-runtime up``."""

    name: str
    image: str
    environ: Mapping[str, str]
    """The pod's variable environment (``SPIN_VARIABLE_<NAME>``)."""
    runtime_config: str
    """The runtime-config TOML the operator would write for the pod."""
    components: tuple[str, ...]
    checks: tuple[HealthCheck, ...]
    pull_secrets: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Objects:
    """The ConfigMaps and Secrets defined beside the SpinApp, by name (Secret data decoded)."""

    config_maps: Mapping[str, Mapping[str, str]]
    secrets: Mapping[str, Mapping[str, bytes]]


def load_spinapp_file(path: Path, *, variables: Mapping[str, str]) -> LocalSpinApp:
    """Read the SpinApp of ``path`` and build what its pod would get; ``variables`` are the
    ``--variable`` values, which win over the manifest's."""
    documents = _documents(path)
    app = _spinapp(documents, path)
    objects = _objects(documents, path)
    checks = _checks(app, path)
    return LocalSpinApp(
        name=str(app.metadata.name or path.stem),
        image=app.spec.image,
        environ=_variables(app.spec.variables or [], objects, variables, path),
        runtime_config=_runtime_config(app, objects, path),
        components=tuple(app.spec.components or ()),
        checks=checks,
        pull_secrets=tuple(str(s.name) for s in app.spec.image_pull_secrets or () if s.name),
    )


# -- the file ----------------------------------------------------------------------------------


def _documents(path: Path) -> list[Mapping[str, Any]]:
    try:
        loaded = list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
    except OSError as exc:
        raise StartupError(f"cannot load app from {path}: {exc.strerror}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise StartupError(f"{path}: not valid YAML: {_first_line(exc)}") from None
    return [doc for doc in loaded if isinstance(doc, Mapping)]


def _spinapp(documents: Sequence[Mapping[str, Any]], path: Path) -> SpinApp:
    found = [doc for doc in documents if doc.get("kind") == SPINAPP_KIND]
    if len(found) != 1:
        raise StartupError(
            f"{path}: expected one {SPINAPP_KIND} (kind: {SPINAPP_KIND}), found {len(found)}"
        )
    try:
        return SpinApp.model_validate(found[0])
    except ValidationError as exc:
        problems = "; ".join(str(e) for e in field_errors(exc))
        raise StartupError(f"{path}: {problems}") from None


def _objects(documents: Sequence[Mapping[str, Any]], path: Path) -> _Objects:
    config_maps: dict[str, Mapping[str, str]] = {}
    secrets: dict[str, Mapping[str, bytes]] = {}
    for doc in documents:
        name = str((doc.get("metadata") or {}).get("name", ""))
        if doc.get("kind") == "ConfigMap" and name:
            config_maps[name] = {str(k): str(v) for k, v in (doc.get("data") or {}).items()}
        elif doc.get("kind") == "Secret" and name:
            secrets[name] = _secret_data(doc, f"{path}: Secret {name!r}")
    return _Objects(config_maps, secrets)


def _secret_data(doc: Mapping[str, Any], where: str) -> dict[str, bytes]:
    """``data`` (base64) merged with ``stringData`` (plain), as the API server stores it."""
    data: dict[str, bytes] = {}
    for key, value in (doc.get("data") or {}).items():
        try:
            data[str(key)] = base64.b64decode(str(value), validate=True)
        except binascii.Error:
            raise StartupError(f"{where}: data.{key}: not base64") from None
    for key, value in (doc.get("stringData") or {}).items():
        data[str(key)] = str(value).encode()
    return data


# -- spec.variables ----------------------------------------------------------------------------


def _variables(
    variables: Sequence[SpinVar], objects: _Objects, flags: Mapping[str, str], path: Path
) -> dict[str, str]:
    values: dict[str, str] = {}
    unresolved: list[str] = []
    for i, var in enumerate(variables):
        if var.name in flags:
            continue
        if var.value_from is None:
            values[var.name] = var.value or ""
            continue
        where = f"spec.variables[{i}].valueFrom"
        try:
            value = _value_from(var, objects, where)
        except _UnresolvedError as exc:
            unresolved.append(f"{exc} for {var.name!r}")
            continue
        if value is not None:
            values[var.name] = value
    if unresolved:
        raise StartupError(
            f"{path}: cannot resolve without a cluster: {'; '.join(unresolved)} "
            "(define it in the same file, or give it with --variable NAME=VALUE)"
        )
    return variable_environ({**values, **flags})


class _UnresolvedError(Exception):
    """A reference the file does not define; the message names it and its field."""


def _value_from(var: SpinVar, objects: _Objects, where: str) -> str | None:
    """The referenced value; None for a missing optional one (the pod then has no such env)."""
    source = var.value_from
    assert source is not None
    if source.config_map_key_ref is not None:
        ref = source.config_map_key_ref
        data: Mapping[str, str] | None = objects.config_maps.get(ref.name or "")
        what = f"{where}.configMapKeyRef (ConfigMap {ref.name!r}, key {ref.key!r})"
        return _lookup(data, ref.key, bool(ref.optional), what)
    if source.secret_key_ref is not None:
        secret = source.secret_key_ref
        raw = objects.secrets.get(secret.name or "")
        decoded = {k: v.decode("utf-8", "replace") for k, v in raw.items()} if raw else None
        what = f"{where}.secretKeyRef (Secret {secret.name!r}, key {secret.key!r})"
        return _lookup(decoded, secret.key, bool(secret.optional), what)
    kind = "fieldRef" if source.field_ref is not None else "resourceFieldRef"
    raise _UnresolvedError(f"{where}.{kind} (only a pod has it)")


def _lookup(data: Mapping[str, str] | None, key: str, optional: bool, what: str) -> str | None:
    if data is not None and key in data:
        return data[key]
    if optional:
        return None
    raise _UnresolvedError(what)


# -- spec.runtimeConfig ------------------------------------------------------------------------


def _runtime_config(app: SpinApp, objects: _Objects, path: Path) -> str:
    config = app.spec.runtime_config
    if config is not None and config.load_from_secret:
        return _secret_runtime_config(config.load_from_secret, objects, path)
    try:
        missing = [
            str(ref)
            for ref in runtime_config_dependencies(app)
            if ref.name not in (objects.config_maps if ref.kind == "ConfigMap" else objects.secrets)
        ]
        if missing:
            raise StartupError(
                f"{path}: spec.runtimeConfig reads {', '.join(missing)}, which cannot be read "
                "without a cluster (define it in the same file)"
            )
        inputs = ResolvedInputs(config_maps=objects.config_maps, secrets=objects.secrets)
        return render_runtime_config(app, inputs)
    except DesiredStateError as exc:
        raise StartupError(f"{path}: {exc}") from None


def _secret_runtime_config(name: str, objects: _Objects, path: Path) -> str:
    where = f"{path}: spec.runtimeConfig.loadFromSecret"
    data = objects.secrets.get(name)
    if data is None:
        raise StartupError(
            f"{where}: Secret {name!r} cannot be read without a cluster (define it in the same "
            "file)"
        )
    if RUNTIME_CONFIG_KEY not in data:
        raise StartupError(f"{where}: Secret {name!r} has no key {RUNTIME_CONFIG_KEY!r}")
    return data[RUNTIME_CONFIG_KEY].decode("utf-8", "replace")


# -- spec.checks -------------------------------------------------------------------------------


def _checks(app: SpinApp, path: Path) -> tuple[HealthCheck, ...]:
    try:
        build_probes(app)  # the operator's own checks of the probes
    except DesiredStateError as exc:
        raise StartupError(f"{path}: spec.checks: {exc}") from None
    return tuple(_each_check(app))


def _each_check(app: SpinApp) -> Iterator[HealthCheck]:
    checks = app.spec.checks
    if checks is None:
        return
    for kind, check in (("readiness", checks.readiness), ("liveness", checks.liveness)):
        if check is not None and check.http_get is not None:
            yield HealthCheck(f"spec.checks.{kind}", check.http_get.path)


def _first_line(exc: Exception) -> str:
    return next((line for line in str(exc).splitlines() if line.strip()), type(exc).__name__)
