"""The Deployment of a SpinApp (upstream `constructDeployment`): one pod template, one container.

Shim executors (runtimeClassName) run the app image itself with `command: ["/"]`; spinImage
executors run `spin up` from the executor's image with the app image as an argument.
"""

from __future__ import annotations

from spinkube.api import HTTP_PORT_NAME, ExecutorDeploymentConfig, SpinApp
from spinkube.desired.env import build_env, listen_port
from spinkube.desired.executor import ca_secret_name
from spinkube.desired.meta import Manifest, app_name, object_meta, pod_labels, ready_labels
from spinkube.desired.probes import build_probes
from spinkube.desired.scheduling import build_scheduling
from spinkube.desired.volumes import RUNTIME_CONFIG_PATH, VolumeSet, build_volumes


def spin_up_args(app: SpinApp) -> list[str]:
    """`spin up` arguments for spinImage executors, one `--component-id` per component."""
    args = ["up", "--listen", f"0.0.0.0:{listen_port(app)}", "-f", app.spec.image]
    args += ["--runtime-config-file", RUNTIME_CONFIG_PATH]
    for component in app.spec.components or []:
        args += ["--component-id", component]
    return args


def _entrypoint(app: SpinApp, config: ExecutorDeploymentConfig) -> Manifest:
    if config.runtime_class_name:
        return {"image": app.spec.image, "command": ["/"]}
    return {"image": config.spin_image, "args": spin_up_args(app)}


def _resources(app: SpinApp) -> Manifest:
    resources = app.spec.resources
    if resources is None:
        return {}
    return resources.model_dump(mode="json", exclude_none=True)


def build_container(app: SpinApp, config: ExecutorDeploymentConfig, volumes: VolumeSet) -> Manifest:
    """The app's only container, named after the app."""
    container: Manifest = {"name": app_name(app), **_entrypoint(app, config)}
    container["ports"] = [{"name": HTTP_PORT_NAME, "containerPort": listen_port(app)}]
    container["env"] = build_env(app, config)
    if volumes.mounts:
        container["volumeMounts"] = volumes.mounts
    container["resources"] = _resources(app)
    container |= build_probes(app)
    return container


def _pod_spec(app: SpinApp, config: ExecutorDeploymentConfig, volumes: VolumeSet) -> Manifest:
    spec: Manifest = {}
    if config.runtime_class_name:
        spec["runtimeClassName"] = config.runtime_class_name
    if app.spec.image_pull_secrets:
        spec["imagePullSecrets"] = [
            s.model_dump(mode="json", exclude_none=True) for s in app.spec.image_pull_secrets
        ]
    if volumes.volumes:
        spec["volumes"] = volumes.volumes
    spec |= build_scheduling(app, config)
    spec["containers"] = [build_container(app, config, volumes)]
    return spec


def _replicas(app: SpinApp) -> Manifest:
    """Left out with autoscaling, so the HPA or KEDA owns it; an unset count is 0, as upstream."""
    if app.spec.enable_autoscaling:
        return {}
    return {"replicas": app.spec.replicas or 0}


def build_deployment(
    app: SpinApp, config: ExecutorDeploymentConfig, *, runtime_config_secret: str | None
) -> Manifest:
    """The Deployment for `app` run by an executor with deployment config `config`.

    `runtime_config_secret` is the generated runtime-config Secret's name (None when the app
    loads its runtime config from its own secret). Take `config` from
    `executor.deployment_config`, which checks it.
    """
    volumes = build_volumes(
        app, runtime_config_secret=runtime_config_secret, ca_secret=ca_secret_name(config)
    )
    template_meta: Manifest = {"labels": pod_labels(app)}
    if app.spec.pod_annotations:
        template_meta["annotations"] = dict(app.spec.pod_annotations)
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": object_meta(app, annotations=app.spec.deployment_annotations),
        "spec": {
            **_replicas(app),
            "selector": {"matchLabels": ready_labels(app)},
            "template": {"metadata": template_meta, "spec": _pod_spec(app, config, volumes)},
        },
    }
