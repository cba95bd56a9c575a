"""``spinkube-runtime registry push``: publish a Spin app to an OCI registry, (spin registry push).

Credentials come from ``--username``/``--password-stdin`` when given, else from Docker's
``config.json`` (``$DOCKER_CONFIG`` or ``~/.docker``), as Spin and containerd do.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from spinkube.runtime.errors import ExitCode

if TYPE_CHECKING:
    from spinkube.oci.auth import Credentials


@click.group()
def registry() -> None:
    """Publish Spin apps to OCI registries."""


@registry.command("push")
@click.argument("reference")
@click.option(
    "-f",
    "--from",
    "source",
    default="spin.toml",
    show_default=True,
    type=click.Path(path_type=Path),
    help="The app's spin.toml, or the directory holding it.",
)
@click.option("--insecure", is_flag=True, help="Use plain HTTP (loopback registries always do).")
@click.option("-u", "--username", help="Registry user name (with --password-stdin).")
@click.option("--password-stdin", is_flag=True, help="Read the registry password from stdin.")
def push_command(
    reference: str, source: Path, insecure: bool, username: str | None, password_stdin: bool
) -> None:
    """Push the app to REFERENCE (e.g. localhost:5000/hello:v1); prints the manifest digest."""
    # Imported here: `spinkube-runtime up` must not pay for the registry client at start-up.
    from spinkube.oci.auth import load_docker_config
    from spinkube.oci.client import RegistryClient
    from spinkube.oci.errors import OciError, PackagingError, ReferenceError
    from spinkube.oci.push import push

    credentials = _credentials(username, password_stdin) or load_docker_config()
    try:
        with RegistryClient(credentials=credentials, insecure=insecure or None) as client:
            result = push(source, reference, client=client)
    except ReferenceError as exc:
        _fail(str(exc), ExitCode.USAGE)  # "invalid reference 'x': ..."
    except PackagingError as exc:
        _fail(str(exc), ExitCode.APP)
    except OciError as exc:
        _fail(f"cannot push {source} to {reference}: {exc}", ExitCode.REGISTRY)
    click.echo(f"Pushed with digest {result.digest}")


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
