"""Graph server commands: push a workspace to Neo4j/FalkorDB, pull it back."""

from __future__ import annotations

import sys
from contextlib import contextmanager

import click

from ..cli import connect_server, open_store, uri_option, workspace_option, workspace_path


@contextmanager
def _tasks(quiet: bool):
    """A rich progress display (rows, rows/s) on a terminal's stderr, else None."""
    if quiet or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, ProgressColumn,
                               TextColumn, TimeElapsedColumn)
    from rich.text import Text

    class Rate(ProgressColumn):
        def render(self, task):
            speed = task.finished_speed or task.speed
            return Text(f"{speed:,.0f} rows/s" if speed else "", style="progress.data.speed")

    prog = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), Rate(),
                    TimeElapsedColumn(), console=Console(stderr=True))

    def task(description: str, total: int):
        tid = prog.add_task(description, total=total)
        return lambda n: prog.advance(tid, n)

    with prog:
        yield task


def _require_uri(uri):
    if not uri:
        raise click.UsageError("give the server with --uri URI (or set $XUNCHA_GRAPH_URI), e.g. "
                               "--uri bolt://localhost:7687 or --uri falkordb://localhost:6379/xuncha")


@click.command()
@uri_option
@workspace_option
@click.option("--batch-size", type=click.IntRange(1), default=5000, show_default=True,
              help="Rows per UNWIND…MERGE statement (one transaction each) 每批行数.")
@click.option("--wipe", is_flag=True,
              help="First delete xuncha's data on the server (only nodes xuncha pushed, with "
                   "their relationships) 先清除; asks for confirmation unless --yes.")
@click.option("--prune", is_flag=True,
              help="Then delete from the server what the workspace no longer holds 同步删除 "
                   "(xuncha's nodes and relationships only), so a corrected ledger leaves no "
                   "stale ties.")
@click.option("--script", type=click.Path(exists=True, dir_okay=False), default=None,
              metavar="FILE",
              help="Instead of the workspace, run a Cypher script made by `xuncha export cypher` "
                   "运行导出的脚本 (idempotent on FalkorDB too; Neo4j users may also use cypher-shell).")
@click.option("-y", "--yes", is_flag=True, help="Do not ask before --wipe.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar or summary.")
def push(uri, database, user, workspace, batch_size, wipe, prune, script, yes, quiet):
    """Push the workspace graph to a Neo4j or FalkorDB server 推送到图数据库.

    Creates uniqueness constraints, then upserts nodes kind by kind and
    relationships type by type in batched, parameterised UNWIND…MERGE
    statements.  Idempotent: pushing the same workspace again changes nothing;
    a push that was interrupted (killed, server restarted) is completed by
    running it again, without duplicates.  Pushing adds and updates; with
    --prune it also removes what the workspace no longer holds (a relation
    row deleted from the ledger, a corrected id), leaving the server equal to
    the workspace.  The database has the same layout as `export cypher` and
    `export csv` make, so `--uri` queries work on any of them.

    \b
    URIs:  bolt://host:7687            Neo4j (one server)
           neo4j://host:7687           Neo4j cluster (routing)
           neo4j+s://xxxx.databases.neo4j.io   Neo4j Aura
           falkordb://host:6379/GRAPH  FalkorDB graph GRAPH (Redis protocol)
    The password comes from $NEO4J_PASSWORD / $FALKORDB_PASSWORD or a prompt,
    never from an option.
    """
    from ..graph.server import push as _push

    _require_uri(uri)
    if script and prune:
        raise click.UsageError("--prune compares the server with the workspace: it does not "
                               "apply to --script")
    store = None if script else open_store(workspace)
    server = connect_server(uri, database, user)
    with server:
        if wipe and not yes:
            if not sys.stdin.isatty():
                raise click.UsageError("--wipe deletes xuncha's data on the server: confirm with --yes")
            click.confirm(f"Delete xuncha's data on {server.uri.display()} (清除服务器上的 xuncha "
                          "数据) before pushing?", abort=True, err=True)
        if script:
            _run_script(server, script, wipe, quiet)
            return
        with _tasks(quiet) as task:
            report = _push.push(store, server, batch_size=batch_size, task=task, wipe_first=wipe,
                                prune=prune)
    if not quiet:
        d = report.as_dict()
        click.echo(f"pushed 已推送 {report.node_rows:,} nodes ({d['node_rows_per_s'] or 0:,} rows/s), "
                   f"{report.edge_rows:,} relationships ({d['edge_rows_per_s'] or 0:,} rows/s) "
                   f"-> {server.uri.display()}", err=True)
        if prune:
            click.echo(f"pruned 已清理 {report.pruned_nodes:,} nodes and {report.pruned_edges:,} "
                       f"relationships the workspace no longer holds", err=True)


def _run_script(server, script: str, wipe: bool, quiet: bool) -> None:
    from pathlib import Path

    from ..export.base import ExportError
    from ..export.cypher import run_script
    from ..graph.server import push as _push

    text = Path(script).read_text(encoding="utf-8")
    if "MERGE (m:`XunchaMeta`" not in text:
        raise click.UsageError(f"{script} is not a script written by `xuncha export cypher` "
                               "(不是 xuncha 导出的脚本)")
    meta = _push.read_meta(server)
    if meta is not None and not wipe:
        _push.check_version(meta, server.uri.display())
    if wipe:
        _push.wipe(server)
    try:
        with _tasks(quiet) as task:
            n = run_script(server, text, task=task)
    except ExportError as exc:
        raise click.UsageError(f"{script}: {exc}") from None
    if not quiet:
        meta = _push.read_meta(server) or {}
        click.echo(f"ran 已运行 {n:,} statements from {script}: {meta.get('nodes', 0):,} nodes, "
                   f"{meta.get('edges', 0):,} relationships -> {server.uri.display()}", err=True)


@click.command()
@uri_option
@workspace_option
@click.option("-q", "--quiet", is_flag=True, help="No progress bar or summary.")
def pull(uri, database, user, workspace, quiet):
    """Pull a graph pushed by xuncha from the server into the workspace 从图数据库拉取.

    The workspace (-w, default ./.xuncha) is replaced atomically; push then
    pull gives the same graph, property types included (dates, numbers,
    booleans, lists).  Refuses a graph pushed by an incompatible xuncha, or a
    push that did not finish.
    """
    from ..graph.server.pull import pull as _pull
    from ..graph.workspace import save

    _require_uri(uri)
    server = connect_server(uri, database, user)
    with server, _tasks(quiet) as task:
        store = _pull(server, task=task)
    ws = save(store, workspace_path(workspace))
    if not quiet:
        g = store.graph
        click.echo(f"pulled 已拉取 {g.number_of_nodes():,} nodes, {g.number_of_edges():,} "
                   f"relationships from {server.uri.display()} -> {ws}", err=True)

