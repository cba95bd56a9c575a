"""`kube completion <shell>`: print a shell completion script."""

from __future__ import annotations

import click

from spinkube.plugin.completion import SHELLS, completion_script


def _shell_command(shell: str, help_text: str) -> click.Command:
    @click.command(
        shell, help=help_text, short_help=f"Generate the autocompletion script for {shell}"
    )
    @click.option("--no-descriptions", is_flag=True, help="disable completion descriptions")
    @click.pass_context
    def command(ctx: click.Context, no_descriptions: bool) -> None:
        root = ctx.find_root()
        prog_name = root.info_name or "kube"
        script = completion_script(
            root.command, shell=shell, prog_name=prog_name, descriptions=not no_descriptions
        )
        click.echo(script if script.endswith("\n") else script + "\n", nl=False)

    return command


_HELP = {
    "bash": "Generate the autocompletion script for the bash shell.\n\n"
    "To load completions in your current shell session:\n\n"
    "    source <(kube completion bash)",
    "zsh": "Generate the autocompletion script for the zsh shell.\n\n"
    "To load completions in your current shell session:\n\n"
    "    source <(kube completion zsh)",
    "fish": "Generate the autocompletion script for the fish shell.\n\n"
    "To load completions in your current shell session:\n\n"
    "    kube completion fish | source",
    "powershell": "Generate the autocompletion script for powershell.\n\n"
    "To load completions in your current shell session:\n\n"
    "    kube completion powershell | Out-String | Invoke-Expression",
}


@click.group(short_help="Generate the autocompletion script for the specified shell")
def completion() -> None:
    """Generate the autocompletion script for kube for the specified shell.
    See each sub-command's help for details on how to use the generated script."""


for _shell in SHELLS:
    completion.add_command(_shell_command(_shell, _HELP[_shell]))
