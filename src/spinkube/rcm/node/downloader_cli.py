"""`shim-downloader`: the install Job's `downloader` init container.

Reads `SHIM_NAME`, `SHIM_LOCATION` and the optional `SHIM_SHA256` (the sha256 of the archive at
`SHIM_LOCATION`), as the controller sets them on the Job; `NUM_RETRY` and `SLEEP_DURATION` as
upstream's script. Each has a flag too. Exit code 0 on success, 1 on any failure (one line on
stderr), 2 for bad usage.
"""

from __future__ import annotations

import logging
from pathlib import Path

import click

from spinkube.rcm.node import download
from spinkube.rcm.node.cli import env_option, fail
from spinkube.rcm.node.errors import NodeError


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@env_option("--name", envvar="SHIM_NAME", required=True, help="The Shim's name.")
@env_option("--location", envvar="SHIM_LOCATION", required=True, help="URL of the shim's .tar.gz.")
@env_option(
    "--sha256",
    envvar="SHIM_SHA256",
    help="Expected sha256 of the archive (hex); refused before writing when it differs.",
)
@env_option(
    "--asset-path",
    envvar="SHIM_ASSET_PATH",
    default="/assets",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to put containerd-shim-<name>.",
)
@env_option(
    "--retries",
    envvar="NUM_RETRY",
    default=3,
    type=click.IntRange(0),
    help="Retries after a connection failure or a 5xx answer.",
)
@env_option(
    "--retry-delay",
    envvar="SLEEP_DURATION",
    default=2.0,
    type=click.FloatRange(0),
    help="Seconds between retries.",
)
def main(
    name: str,
    location: str,
    sha256: str | None,
    asset_path: Path,
    retries: int,
    retry_delay: float,
) -> None:
    """Download a containerd shim release archive and unpack its binary as
    containerd-shim-<name>."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    request = download.Request(
        shim_name=name,
        location=location,
        sha256=sha256 or None,
        asset_path=asset_path,
        retries=retries,
        retry_delay=retry_delay,
    )
    try:
        download.download(request)
    except NodeError as exc:
        fail(exc)
