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
from .errors import EXIT_CODES, XunchaError

# name -> (module, function, one-line help).  Add a line when adding a command.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "validate": ("xuncha.commands.core", "validate", "Check a ledger directory and report every problem (校验台账)."),
    "load": ("xuncha.commands.core", "load", "Validate ledgers, build the graph and save the workspace (导入台账)."),
    "stats": ("xuncha.commands.core", "stats", "Count nodes and edges per kind (统计)."),
    "show": ("xuncha.commands.core", "show", "Show one node, its properties and its neighbours (查看)."),
    "kpi": ("xuncha.commands.core", "kpi", "Work indicators: issues, rectification rate, leads, cases (工作指标)."),
    "generate": ("xuncha.commands.generate", "generate", "Generate synthetic ledgers with planted ground truth (生成模拟台账)."),
    "export": ("xuncha.commands.export", "export", "Export the graph or a case: GraphML, GEXF, JSON, Neo4j CSV, Cypher, DOT, HTML, XLSX (导出)."),
    "related": ("xuncha.commands.analysis", "related", "Related issues and leads, ranked, with the evidence (关联案件)."),
    "path": ("xuncha.commands.analysis", "path", "Shortest evidence paths between entities, or the network joining several (关系路径)."),
    "patterns": ("xuncha.commands.analysis", "patterns", "Cross-unit patterns: common, recurring, trails, clusters (跨单位规律)."),
    "timeline": ("xuncha.commands.analysis", "timeline", "Dated events of a cadre or unit (时间线)."),
    "asof": ("xuncha.commands.analysis", "asof", "Who held which post in a unit on a date (某日任职情况)."),
    "push": ("xuncha.commands.server", "push", "Push the workspace graph to Neo4j or FalkorDB (推送到图数据库)."),
    "pull": ("xuncha.commands.server", "pull", "Pull a pushed graph from a server into the workspace (从图数据库拉取)."),
    "policy": ("xuncha.commands.planning", "policy", "Show or check the recusal policy (回避规则)."),
    "conflicts": ("xuncha.commands.planning", "conflicts", "Conflicts of interest in a round, plan or pair, with evidence (回避审查)."),
    "plan": ("xuncha.commands.planning", "plan", "Optimal conflict-free inspection plan, rotation or joint, or why none exists (巡察统筹)."),
    "completion": ("xuncha.commands.completion", "completion", "Print the shell completion script: bash, zsh or fish (命令补全)."),
    "add": ("xuncha.commands.identity", "add", "Add another office's ledgers to the workspace (添加台账)."),
    "match": ("xuncha.commands.identity", "match", "Candidate pairs of records that may be one person or unit, with evidence (疑似同一人)."),
    "judge": ("xuncha.commands.identity", "judge", "Record that two records are the same, different or unsure (判定)."),
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
        from .output import sanitize

        try:
            return super().invoke(ctx)
        except XunchaError as exc:
            raise _Error(sanitize(str(exc)), exc.exit_code) from None
        except (FileNotFoundError, NotADirectoryError, PermissionError) as exc:
            raise _Error(sanitize(str(exc)), 1) from None
        except click.ClickException as exc:
            exc.message = sanitize(exc.message)
            raise
        except BrokenPipeError:  # `xuncha ... | head`
            sys.stderr.close()
            sys.exit(0)


class _Error(click.ClickException):
    """A user-facing error with its own exit status (see :mod:`xuncha.errors`)."""

    def __init__(self, message: str, exit_code: int):
        super().__init__(message)
        self.exit_code = exit_code


def _set_lang(ctx, param, value):
    if value:
        from .output import set_lang

        set_lang(value)
    return value


def _set_headers(ctx, param, value):
    if value:
        from .output import set_csv_headers

        set_csv_headers(value)
    return value


def _reset_lang(ctx, param, value):
    """The group's --lang: every run starts from it (or the locale), not from an earlier run."""
    from .output import set_csv_headers, set_lang

    set_lang(value)
    set_csv_headers(None)
    return value


LANG_HELP = ("Language 语言 of table headers, `show` and reasons: zh or en (default: the locale, "
             "zh when LANG/LC_ALL starts with zh; or $XUNCHA_LANG).")

EPILOG = ("\b\nExit status 退出码:\n" + "\n".join(f"  {k}  {v}" for k, v in EXIT_CODES.items())
          + "\n\n\b\nShell completion 命令补全: eval \"$(xuncha completion bash)\" (or zsh, fish)."
          + " Also runs as `python -m xuncha`.")


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"],
                                              "max_content_width": 110}, epilog=EPILOG)
@click.version_option(__version__, prog_name="xuncha")
@click.option("--lang", type=click.Choice(["zh", "en"]), default=None, expose_value=False,
              is_eager=True, callback=_reset_lang, envvar="XUNCHA_LANG", help=LANG_HELP)
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


def lang_option(f):
    """--lang zh|en (sets the output language; the command does not receive it)."""
    return click.option("--lang", type=click.Choice(["zh", "en"]), default=None,
                        expose_value=False, callback=_set_lang, help=LANG_HELP)(f)


def headers_option(f):
    """--headers zh|en: CSV header names (the command does not receive it)."""
    return click.option(
        "--headers", type=click.Choice(["zh", "en"]), default=None, expose_value=False,
        callback=_set_headers,
        help="CSV header names 表头: zh (Chinese, e.g. 整改率) or en (keys, e.g. "
             "rectification_rate); default follows --lang.")(f)


def output_options(f):
    """--format, --headers and --lang: every command that prints rows takes them."""
    f = lang_option(f)
    f = headers_option(f)
    return click.option(
        "--format", "fmt", type=click.Choice(["table", "json", "csv"]), default=None,
        help="Output format: table on a terminal, JSON when piped (default), or CSV "
             "(UTF-8 with BOM, opens in Excel).",
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


# -- graph servers (Neo4j, FalkorDB) ---------------------------------------------

def uri_option(f):
    """--uri / --database / --user: run against a graph server instead of the workspace."""
    f = click.option("--user", default=None, metavar="USER",
                     help="Server user 用户名 (default neo4j, or $NEO4J_USER / $FALKORDB_USER); "
                          "the password comes from $NEO4J_PASSWORD / $FALKORDB_PASSWORD or a prompt.")(f)
    f = click.option("--database", default=None, metavar="DB",
                     help="Neo4j database / FalkorDB graph name 数据库 (default: the server's "
                          "default / the URI path / xuncha).")(f)
    return click.option(
        "--uri", envvar="XUNCHA_GRAPH_URI", default=None, metavar="URI",
        help="Graph server 图数据库 (or $XUNCHA_GRAPH_URI): bolt://, neo4j://, neo4j+s:// "
             "(Neo4j) or falkordb://host:port/GRAPH (FalkorDB); queries then run there in Cypher.",
    )(f)


def connect_server(uri: str, database: str | None = None, user: str | None = None):
    """Open a graph server; the password only from the environment or a prompt."""
    from .graph.server.base import connect, parse_uri

    ctx = click.get_current_context(silent=True)
    if ctx is not None and parse_uri(uri).password is not None and \
            ctx.get_parameter_source("uri") == click.core.ParameterSource.COMMANDLINE:
        raise click.UsageError("do not put a password in --uri (it would show in the process list "
                               "and shell history): set $NEO4J_PASSWORD / $FALKORDB_PASSWORD")

    def ask(prompt: str) -> str | None:
        if not sys.stdin.isatty():
            return None
        return click.prompt(prompt, hide_input=True, err=True)

    return connect(uri, database, user, ask_password=ask)


def open_graph(workspace: str | None, uri: str | None = None, database: str | None = None,
               user: str | None = None):
    """The workspace's GraphStore, or, with ``uri``, a checked graph server."""
    if not uri:
        return open_store(workspace)
    from .graph.server.push import check_graph

    server = connect_server(uri, database, user)
    check_graph(server)
    return server


def run_query(func, store, *args, **kwargs):
    """``func(store, …)`` on a GraphStore; its Cypher version on a graph server."""
    from .graph.store import GraphStore

    if isinstance(store, GraphStore):
        return func(store, *args, **kwargs)
    from .graph.server.queries import server_version

    return server_version(func)(store, *args, **kwargs)


if __name__ == "__main__":  # pragma: no cover
    main()
