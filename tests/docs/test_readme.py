"""README.md documents every subcommand in its command table."""

from __future__ import annotations

import re
from pathlib import Path

import click

from logchain.cli import cli

README = Path(__file__).resolve().parents[2] / "README.md"


def test_every_subcommand_is_in_the_command_table():
    """Each `logchain` subcommand has a row `| \\`logchain NAME ...\\` | ... |` in README.md."""
    rows = re.findall(r"^\| `logchain ([a-z][a-z-]*)\b[^`]*` \|", README.read_text(), re.MULTILINE)
    assert rows, "README.md has no command table"
    names = cli.list_commands(click.Context(cli))
    assert sorted(set(names)) == sorted(set(rows))


def test_every_subcommand_loads():
    """Each lazily registered subcommand imports and is a click command with help text."""
    ctx = click.Context(cli)
    for name in cli.list_commands(ctx):
        command = cli.get_command(ctx, name)
        assert isinstance(command, click.Command), name
        assert command.help, name
