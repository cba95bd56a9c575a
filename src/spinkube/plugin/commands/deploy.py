"""`kube deploy`: create or update a SpinApp for an image with server-side apply."""

from __future__ import annotations

import click

from spinkube.plugin import imageref, names
from spinkube.plugin.commands.common import (
    cluster_options,
    executor_option,
    image_option,
    replicas_option,
    settings_of,
    to_yaml,
)
from spinkube.plugin.errors import UsageError


@click.command(short_help="Deploy application to Kubernetes")
@image_option
@replicas_option("Number of replicas for the application")
@executor_option
@click.option("--name", default="", help="Overwrite the generated name of the application")
@click.option(
    "--dry-run", is_flag=True, help="only print the kubernetes manifest without deploying"
)
@cluster_options
@click.pass_context
def deploy(
    ctx: click.Context, image: str | None, replicas: int, executor: str, name: str, dry_run: bool
) -> None:
    """Deploy an image as a SpinApp (server-side apply, field manager `spin-plugin-kube`)."""
    from spinkube.plugin import apps
    from spinkube.plugin.cluster import connect

    if not image:
        raise UsageError('required flag(s) "from" not set')
    app_name = _app_name(image, name)
    if replicas < 1:
        raise UsageError(f"invalid value for --replicas: {replicas} must be at least 1")
    settings = settings_of(ctx)
    if dry_run:
        namespace = settings.namespace or "default"
        manifest = apps.spinapp_manifest(
            name=app_name, namespace=namespace, image=image, executor=executor, replicas=replicas
        )
        click.echo(to_yaml(manifest), nl=False)
        return
    cluster = connect(settings)
    manifest = apps.spinapp_manifest(
        name=app_name,
        namespace=cluster.namespace,
        image=image,
        executor=executor,
        replicas=replicas,
    )
    verb = "configured" if apps.exists(cluster, app_name) else "created"
    apps.apply_app(cluster, manifest)
    click.echo(f"spinapp.core.spinoperator.dev/{app_name} {verb}")


def _app_name(image: str, name: str) -> str:
    try:
        derived = imageref.app_name(image)
    except imageref.InvalidReferenceError as error:
        raise UsageError(f"invalid image reference provided: '{image}'") from error
    chosen = name or derived
    if not names.is_dns1035_label(chosen):
        source = "--name" if name else f"the name derived from --from '{image}'"
        raise UsageError(
            f"invalid application name '{chosen}' ({source}): it must be a DNS-1035 label "
            "(lowercase letters, digits and '-', starting with a letter, at most 63 characters)"
        )
    return chosen
