"""Every flag of `spinkube-runtime` says in `--help` what it is for."""

from __future__ import annotations

import click
import pytest

from spinkube.runtime.__main__ import main

COMMANDS = {
    "up": main.commands["up"],
    "precompile": main.commands["precompile"],
    "registry push": main.commands["registry"].commands["push"],  # type: ignore[attr-defined]
}


@pytest.mark.parametrize("name", COMMANDS)
def test_every_option_has_help_text(name: str) -> None:
    options = [p for p in COMMANDS[name].params if isinstance(p, click.Option)]
    assert options
    assert [o.opts[-1] for o in options if not o.help] == []
