"""What the node programs' command lines share: flags that fall back to an environment
variable (as the Job sets them), and a failure as one `error:` line and exit code 1."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

import click

from spinkube.rcm.node.errors import NodeError

F = TypeVar("F", bound=Callable[..., Any])


def env_option(*decls: str, envvar: str, **attrs: Any) -> Callable[[F], F]:
    """A flag read from `envvar` when not given; `--help` names the variable, and the default
    when there is one."""
    shown = attrs.get("default") is not None
    return click.option(*decls, envvar=envvar, show_envvar=True, show_default=shown, **attrs)


def fail(exc: NodeError) -> NoReturn:
    click.echo(f"error: {exc.message}", err=True)
    sys.exit(1)
