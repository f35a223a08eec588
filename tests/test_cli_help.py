"""Every command has one-line help, a working --help, and help on every option
(the README's CLI reference is generated from --help, so it must not drift)."""

from __future__ import annotations

import importlib

import click
import pytest
from click.testing import CliRunner

from xuncha.cli import COMMANDS, main


def test_top_level_help_lists_every_command():
    r = CliRunner().invoke(main, ["--help"])
    assert r.exit_code == 0
    for name in COMMANDS:
        assert name in r.output


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_command_help(name):
    module, attr, one_line = COMMANDS[name]
    assert one_line.strip() and "\n" not in one_line, f"{name}: one-line help"
    assert len(one_line) <= 120, f"{name}: one-line help too long"
    cmd = getattr(importlib.import_module(module), attr)
    assert isinstance(cmd, click.Command)
    assert cmd.help and cmd.help.strip(), f"{name}: docstring help"
    r = CliRunner().invoke(main, [name, "--help"])
    assert r.exit_code == 0, r.output
    assert "Usage:" in r.output
    for p in cmd.params:
        if isinstance(p, click.Option) and p.name != "help":
            assert p.help and p.help.strip(), f"{name} {p.opts}: option without help"
