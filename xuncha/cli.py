"""The ``xuncha`` command line: a thin layer over the library.

Commands live in :mod:`xuncha.commands` (one module per area) and are imported
only when run, so ``xuncha --help`` stays fast; :data:`COMMANDS` holds each
command's one-line help for the listing.  Shared options (workspace, output
format) are decorators defined here and used by every command.
"""

from __future__ import annotations

import importlib
import os
import sys

import click

from . import __version__
from .errors import XunchaError

# name -> (module, function, one-line help).  Add a line when adding a command.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "validate": ("xuncha.commands.core", "validate", "Check a ledger directory and report every problem (校验台账)."),
    "load": ("xuncha.commands.core", "load", "Validate ledgers, build the graph and save the workspace (导入台账)."),
    "stats": ("xuncha.commands.core", "stats", "Count nodes and edges per kind (统计)."),
    "show": ("xuncha.commands.core", "show", "Show one node, its properties and its neighbours (查看)."),
    "kpi": ("xuncha.commands.core", "kpi", "Work indicators: issues, rectification rate, leads, cases (工作指标)."),
}


class LazyGroup(click.Group):
    """A group whose commands are imported on first use."""

    def list_commands(self, ctx):
        return list(COMMANDS)

    def get_command(self, ctx, name):
        spec = COMMANDS.get(name)
        if spec is None:
            return None
        module, attr, _ = spec
        return getattr(importlib.import_module(module), attr)

    def format_commands(self, ctx, formatter):
        rows = [(name, spec[2]) for name, spec in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except XunchaError as exc:
            raise click.ClickException(str(exc)) from None
        except (FileNotFoundError, NotADirectoryError, PermissionError) as exc:
            raise click.ClickException(str(exc)) from None
        except BrokenPipeError:  # `xuncha ... | head`
            sys.stderr.close()
            sys.exit(0)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"],
                                              "max_content_width": 110})
@click.version_option(__version__, prog_name="xuncha")
def main():
    """xuncha: Party inspection (巡察) ledgers as a knowledge graph.

    Load a directory of ledgers (台账) once, then ask: indicators, related
    cases with their evidence, cross-unit patterns, conflict-free inspection
    plans, exports.  Start with `xuncha load examples/county`.
    """


# -- shared options ------------------------------------------------------------

def workspace_option(f):
    return click.option(
        "-w", "--workspace", "workspace", type=click.Path(file_okay=False), default=None,
        help="Workspace directory 工作区 (default ./.xuncha, or $XUNCHA_WORKSPACE).",
    )(f)


def output_options(f):
    return click.option(
        "--format", "fmt", type=click.Choice(["table", "json", "csv"]), default=None,
        help="Output format: table on a terminal, JSON when piped (default), or CSV.",
    )(f)


def as_of_option(f):
    return click.option(
        "--as-of", "as_of", default=None, metavar="DATE",
        help="Reference date 截止日期 (default today); Chinese date forms accepted.",
    )(f)


def parse_date_option(value: str | None) -> str | None:
    if value is None:
        return None
    from .parsing import parse_date

    try:
        return parse_date(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def open_store(workspace: str | None):
    """The saved workspace's GraphStore (a clean error when there is none)."""
    from .graph.workspace import open_workspace

    return open_workspace(workspace)


def workspace_path(workspace: str | None):
    from .graph.workspace import default_path
    from pathlib import Path

    return Path(workspace) if workspace else default_path()


if __name__ == "__main__":  # pragma: no cover
    main()
