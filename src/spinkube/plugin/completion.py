"""Shell completion scripts, built on click's completion protocol.

click ships bash, zsh, fish and PowerShell. `--no-descriptions` (as cobra offers) needs zsh and
fish variants that leave the help text out; they are registered under their own names so that
the generated script asks the program for them.
"""

from __future__ import annotations

import click
from click.shell_completion import (
    CompletionItem,
    FishComplete,
    ShellComplete,
    ZshComplete,
    add_completion_class,
    get_completion_class,
)

SHELLS = ("bash", "zsh", "fish", "powershell")


class ZshNoDescriptions(ZshComplete):
    name = "zshnodesc"

    def source(self) -> str:
        return super().source().replace("=zsh_complete", f"={self.name}_complete")

    def format_completion(self, item: CompletionItem[str]) -> str:
        return f"{item.type}\n{item.value}\n_"


class FishNoDescriptions(FishComplete):
    name = "fishnodesc"

    def source(self) -> str:
        return super().source().replace("=fish_complete", f"={self.name}_complete")

    def format_completion(self, item: CompletionItem[str]) -> str:
        return f"{item.type},{item.value}"


add_completion_class(ZshNoDescriptions)
add_completion_class(FishNoDescriptions)


def complete_var(prog_name: str) -> str:
    """The environment variable click's `main` reads to answer completion requests."""
    return f"_{prog_name}_COMPLETE".replace("-", "_").replace(".", "_").upper()


def completion_script(
    root: click.Command, *, shell: str, prog_name: str, descriptions: bool = True
) -> str:
    """The script that, sourced by `shell`, completes `prog_name`."""
    name = shell if descriptions or shell in ("bash", "powershell") else f"{shell}nodesc"
    cls: type[ShellComplete] | None = get_completion_class(name)
    if cls is None:
        raise click.UsageError(f"unsupported shell: {shell}")
    return cls(root, {}, prog_name, complete_var(prog_name)).source()
