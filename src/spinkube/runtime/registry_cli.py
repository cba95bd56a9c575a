"""``spinkube-runtime registry push``: publish a Spin app to an OCI registry, (spin registry push).

Credentials come from ``--username``/``--password-stdin`` when given, else from Docker's
``config.json`` (``$DOCKER_CONFIG`` or ``~/.docker``), as Spin and containerd do.

``--format image`` publishes a plain runnable image instead of the Spin artifact (what
containerd 1.6 nodes need); ``--output PATH`` saves an OCI image layout (a directory, or a
``.tar`` for ``ctr images import``) instead of contacting a registry.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from spinkube.runtime import cli_options
from spinkube.runtime.errors import ExitCode

if TYPE_CHECKING:
    from spinkube.oci.auth import Credentials
    from spinkube.oci.image import Image, Platform
    from spinkube.oci.layout import Artifact
    from spinkube.oci.reference import Reference


@click.group()
def registry() -> None:
    """Publish Spin apps to OCI registries."""


@registry.command("push")
@click.argument("reference")
@cli_options.source(
    "The app's spin.toml, or the directory holding it.", type=click.Path(path_type=Path)
)
@cli_options.with_default(
    "--format",
    "form",
    type=click.Choice(["artifact", "image"]),
    default="artifact",
    help="artifact: the Spin OCI artifact (spin registry push); image: a plain runnable image "
    "holding spin.toml and its files (for containerd 1.6 nodes).",
)
@click.option(
    "--platform",
    "platform_text",
    metavar="OS/ARCH",
    help="The image's platform (--format image); default: this machine's, e.g. linux/amd64.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="Save an OCI image layout here (a directory, or a .tar for `ctr images import`) "
    "instead of pushing; REFERENCE names the image in it.",
)
@click.option("--insecure", is_flag=True, help="Use plain HTTP (loopback registries always do).")
@click.option("-u", "--username", help="Registry user name (with --password-stdin).")
@click.option("--password-stdin", is_flag=True, help="Read the registry password from stdin.")
def push_command(
    reference: str,
    source: Path,
    form: str,
    platform_text: str | None,
    output: Path | None,
    insecure: bool,
    username: str | None,
    password_stdin: bool,
) -> None:
    """Push the app to REFERENCE (e.g. localhost:5000/hello:v1); prints the manifest digest."""
    # Imported here: `spinkube-runtime up` must not pay for the registry client at start-up.
    from spinkube.oci.auth import load_docker_config
    from spinkube.oci.client import RegistryClient
    from spinkube.oci.errors import OciError, ReferenceError
    from spinkube.oci.push import push_artifact
    from spinkube.oci.reference import Reference

    try:
        ref = Reference.parse(reference)
    except ReferenceError as exc:
        _fail(str(exc), ExitCode.USAGE)  # "invalid reference 'x': ..."
    given = _credentials(username, password_stdin)
    built = _package(source, form, _platform(platform_text, form))
    if output is not None:
        _save(built, ref, output)
        return
    credentials = given or load_docker_config()
    try:
        with RegistryClient(credentials=credentials, insecure=insecure or None) as client:
            result = push_artifact(built, ref, client=client)
    except OciError as exc:
        _fail(f"cannot push {source} to {reference}: {exc}", ExitCode.REGISTRY)
    click.echo(f"Pushed with digest {result.digest}")


def _platform(text: str | None, form: str) -> Platform | None:
    if text is None:
        return None
    if form != "image":
        _fail("--platform applies to --format image only", ExitCode.USAGE)
    from spinkube.oci.image import Platform

    try:
        return Platform.parse(text)
    except ValueError as exc:
        _fail(f"--platform: {exc}", ExitCode.USAGE)


def _package(source: Path, form: str, platform: Platform | None) -> Artifact | Image:
    from spinkube.oci.app_image import build_app_image
    from spinkube.oci.layout import build_artifact
    from spinkube.spinapp import SpinAppError, load_manifest

    try:
        app = load_manifest(source)
        return build_app_image(app, platform=platform) if form == "image" else build_artifact(app)
    except (SpinAppError, OSError, ValueError) as exc:
        # A local mistake (not a manifest, a missing file), not the registry's: exit 1.
        _fail(f"cannot package {source}: {exc}", ExitCode.APP)


def _save(built: Artifact | Image, ref: Reference, output: Path) -> None:
    from spinkube.oci.image_layout import Named, save_layout

    try:
        save_layout([Named(ref, built)], output)
    except OSError as exc:
        _fail(f"cannot write {output}: {exc}", ExitCode.USAGE)
    click.echo(f"Saved {ref} with digest {built.digest} to {output}")


def _credentials(username: str | None, password_stdin: bool) -> Credentials | None:
    if password_stdin and not username:
        _fail("--password-stdin needs --username", ExitCode.USAGE)
    if username is None:
        return None
    from spinkube.oci.auth import Credentials

    password = sys.stdin.read().rstrip("\n") if password_stdin else ""
    return Credentials(username=username, password=password)


def _fail(message: str, code: ExitCode) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(int(code))
