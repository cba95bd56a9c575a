"""Entry point of the `kube` plugin and the `spin-kube` console script.

Turns every error a user can cause into one `Error: ...` line on stderr and an exit code from
`spinkube.plugin.errors.ExitCode`; tracebacks are left for real bugs.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click

from spinkube.plugin.errors import ExitCode, PluginError

INTERRUPTED = 130


def run(argv: Sequence[str] | None = None, *, prog_name: str | None = None) -> int:
    """Run the CLI and return its exit code instead of exiting."""
    from spinkube.plugin.cli import cli

    try:
        result = cli.main(
            args=list(argv) if argv is not None else None,
            prog_name=prog_name,
            standalone_mode=False,
        )
    except PluginError as error:
        return _fail(error.message, error.exit_code)
    except click.UsageError as error:
        return _fail(error.format_message(), ExitCode.USAGE)
    except click.ClickException as error:
        return _fail(error.format_message(), error.exit_code)
    except click.Abort:
        click.echo("Aborted.", err=True)
        return INTERRUPTED
    except BrokenPipeError:
        return ExitCode.OK
    return result if isinstance(result, int) else ExitCode.OK


def _fail(message: str, code: int) -> int:
    click.echo(f"Error: {message}", err=True)
    return int(code)


def main() -> None:
    sys.exit(run())


if __name__ == "__main__":
    main()
