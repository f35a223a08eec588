"""Core commands: validate, load, stats, show, kpi."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..cli import (as_of_option, open_graph, open_store, output_options, parse_date_option,
                   run_query, uri_option, workspace_option, workspace_path)
from ..output import choose_format, echo, render, say, to_csv, to_json

MAX_SHOWN = 50


def _progress():
    """A rich progress display on a terminal's stderr, else a no-op."""
    if not sys.stderr.isatty():
        return None, None
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    prog = Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                    console=Console(stderr=True), transient=True)
    task = prog.add_task("reading ledgers 读取台账")

    def step(name: str, n: int) -> None:
        prog.update(task, description=f"{name}: {n:,} rows")

    return prog, step


def _print_problems(problems, limit: int = MAX_SHOWN) -> None:
    for p in problems[:limit]:
        line = f"{p.severity}: {p}"
        if p.value is not None:
            line += f"  [value 值: {p.value!r}]"
        echo(line, err=True)
    if len(problems) > limit:
        click.echo(f"… and {len(problems) - limit} more (run `xuncha validate DIR` to list all)",
                   err=True)


@click.command()
@click.argument("directories", nargs=-1, required=True, metavar="DIR[=NAME]...")
@click.option("--name", "names", multiple=True, metavar="NAME",
              help="Dataset name 台账名称 for each DIR in order (default: the folder name).")
@output_options
def validate(directories, names, fmt):
    """Check every ledger in each DIR and report every problem at once.

    Each problem names the file, the row (as a spreadsheet counts it), the
    column, the value, the reason and, for an unknown enum value or a dangling
    id, the nearest valid one. Several DIRs are checked as one combined
    workspace (see `xuncha load`), with the same-person warnings (疑似同一人)
    across them. Exit status 0 when there are no errors, 1 when there are
    (warnings alone do not fail).
    """
    from ..identity.warnings import identity_warnings
    from ..loaders.combine import combine, parse_sources

    sources = parse_sources(directories, names)
    for s in sources:
        if not s.path.is_dir():
            raise click.BadParameter(f"{s.path} is not a directory of ledgers (台账目录不存在)",
                                     param_hint="DIR")
    prog, step = _progress()
    if prog:
        with prog:
            ds = combine(sources, progress=step)
    else:
        ds = combine(sources)
    ds.problems.extend(identity_warnings(ds.records.get("cadres", []), ds.origin, ds.multi))
    rows = [p.as_dict() for p in [*ds.notes, *ds.problems]]
    fmt = choose_format(fmt)
    if rows or fmt != "table":
        render(rows, fmt, columns=["severity", "file", "row", "column", "value", "reason", "suggestion"])
    n_err, n_warn = len(ds.errors), len(ds.warnings)
    notes = f", {len(ds.notes)} notes 说明" if ds.notes else ""
    click.echo(f"{ds.row_count():,} rows in {len(ds.ledgers)} ledgers; "
               f"{n_err} errors 错误, {n_warn} warnings 警告{notes}", err=True)
    sys.exit(1 if n_err else 0)


@click.command()
@click.argument("directories", nargs=-1, metavar="[DIR[=NAME]]...")
@workspace_option
@click.option("--name", "names", multiple=True, metavar="NAME",
              help="Dataset name 台账名称 for each DIR in order (default: the folder name; "
                   "DIR=NAME does the same). Repeat once per DIR.")
@click.option("--lenient", is_flag=True,
              help="Load the good rows; write the rejected ones with reasons to rejected.csv.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True,
              help="How to report changes since the previous workspace 变更: a summary on "
                   "stderr (table), or every added/removed/modified id as JSON on stdout.")
def load(directories, workspace, names, lenient, quiet, fmt):
    """Validate the ledgers in each DIR, build the graph and save the workspace.

    Several directories (datasets 台账, e.g. one per county office) combine
    into one workspace: each is named (its folder name, or DIR=NAME / --name);
    ids are then namespaced NAME/ID (cadre:甲县/C0123) so ids that collide
    across offices stay apart, regions are shared by their codes, and a
    reference into another dataset works by NAME/ID or by a unique name.
    Judgements in the workspace's judgements.tsv (`xuncha judge`, `xuncha
    match --auto`) merge the records of one person into one node. With no DIR,
    the datasets of the existing workspace are loaded again (after editing
    the ledgers or the judgements).

    A load with errors writes nothing and leaves any previous workspace as it
    was; with --lenient the good rows are loaded and the rejected rows are
    written, with their reasons, to rejected.csv in the workspace.

    Every node and edge records the ledger rows it came from (来源,
    attribute prov: "dataset/file[:sheet]#row"); `xuncha show` prints them.
    Loading into an existing workspace reports what changed since it: nodes
    and edges added, removed or modified, per kind.
    """
    from ..loaders.combine import parse_sources

    ws = workspace_path(workspace)
    if directories:
        sources = parse_sources(directories, names)
    else:
        sources = _workspace_sources(ws)
    _load_sources(sources, ws, lenient, quiet, fmt)


def _workspace_sources(ws):
    from ..graph.workspace import open_workspace
    from ..loaders.combine import Source

    meta = open_workspace(ws).meta
    datasets = meta.get("datasets") or ([{"name": Path(meta["source"]).name, "path": meta["source"]}]
                                        if meta.get("source") else [])
    if not datasets:
        raise click.UsageError(f"give the ledger directory (台账目录) to load: the workspace {ws} "
                               f"records none")
    return [Source(d["name"], Path(d["path"])) for d in datasets]


def _load_sources(sources, ws, lenient: bool, quiet: bool, fmt: str = "table") -> None:
    """Load ``sources`` into workspace ``ws`` (shared by load and add)."""
    from ..graph.diff import diff as graph_diff
    from ..graph.store import GraphStore
    from ..graph.workspace import atomic_write, save
    from ..identity.judgements import FILE as JUDGEMENTS

    for s in sources:
        if not s.path.is_dir():
            raise click.BadParameter(f"{s.path} is not a directory of ledgers (台账目录不存在)",
                                     param_hint="DIR")
    from ..loaders.combine import finish, prepare
    from ..output import progress

    # The previous workspace, reduced to hashes before the ledgers are read,
    # so the old and the new graph are never in memory together.
    before = _previous(ws)
    from ..perf import gc_paused

    prog, step = _progress()
    # Reading, validating and combining allocate millions of acyclic
    # containers: no collections meanwhile (they would rescan them for nothing).
    with gc_paused():
        if prog:
            with prog:
                ds, js = prepare(sources, ws / JUDGEMENTS, lenient, step)
        else:
            ds, js = prepare(sources, ws / JUDGEMENTS, lenient)
    if ds.errors and not lenient:
        _print_problems(ds.errors)
        click.echo(f"load failed 导入失败: {len(ds.errors)} errors; nothing was written "
                   f"(the workspace {ws} is unchanged). Fix them, or use --lenient.", err=True)
        sys.exit(1)
    n_rows = ds.row_count()
    with progress("building the graph 构建图谱", quiet=quiet) as bar:
        g, report = finish(ds, js, bar)
    ds.records.clear()  # the graph now owns the records
    first = sources[0].path.resolve()
    meta = {"source": str(first), "rows": n_rows, "ledgers": ds.ledgers,
            "rejected": ds.rejected_lines,
            "datasets": [{"name": s.name, "path": str(s.path.resolve())} for s in sources]}
    if report is not None:
        meta["merges"] = report.as_dict()
    store = GraphStore(g, meta)
    rejected_file = ws / "rejected.csv"
    changes = graph_diff(before, store) if before is not None else None
    with progress(f"saving the workspace 保存工作区 {ws}", quiet=quiet):
        save(store, ws)
    if lenient and ds.rejected:
        import json

        rows = [{**p.as_dict(), "record": json.dumps(
            {k: (v if isinstance(v, (str, int, float, bool)) or v is None else str(v))
             for k, v in (r.raw.items() if r else [])}, ensure_ascii=False)}
            for r, p in ds.rejected]
        atomic_write(rejected_file, to_csv(rows))
    elif rejected_file.exists():
        rejected_file.unlink()  # from an earlier lenient load: no longer true
    if lenient:
        # Whole files or sheets that were refused are not rows: say so here.
        # (and ledgers that failed as a whole, with what they left unchecked)
        whole = [p for p in ds.errors if p.row is None]
        if whole:
            _print_problems(whole)
    if fmt == "json":
        click.echo(to_json({"previous": before is not None,
                            "changes": changes.as_dict() if changes else None}))
    if not quiet:
        n_nodes, n_edges = g.number_of_nodes(), g.number_of_edges()
        what = f"{len(sources)} datasets 台账" if len(sources) > 1 else f"{len(ds.ledgers)} ledgers"
        click.echo(f"loaded 已导入 {n_rows:,} rows from {what}: "
                   f"{n_nodes:,} nodes, {n_edges:,} edges -> {ws}", err=True)
        for note in ds.notes:
            click.echo(f"note: {note}", err=True)
        if ds.reinstated:
            click.echo(f"{ds.reinstated} rows refer to records of another dataset (跨台账引用)",
                       err=True)
        same = [p for p in ds.warnings if "疑似同一人" in p.reason]
        if same:
            _print_problems(same, limit=10)
            click.echo(f"{len(same)} possible duplicate people 疑似同一人 under different ids: "
                       f"`xuncha match` scores them, `xuncha judge A B same` merges", err=True)
        if report is not None:
            click.echo(f"merged 已合并 {report.records} records into {report.groups} entities "
                       f"(judgements 判定记录: {ws / JUDGEMENTS})", err=True)
            for c in report.contradictions[:10]:
                click.echo(f"warning: {c}", err=True)
        if ds.warnings:
            click.echo(f"{len(ds.warnings)} warnings 警告 (run `xuncha validate` to see them)", err=True)
        if lenient and ds.rejected:
            files = sum(1 for r, _ in ds.rejected if r is None)
            click.echo(f"{ds.rejected_lines:,} ledger rows rejected 已拒绝 (not loaded)"
                       + (f", {files} file(s)/sheet(s) refused whole" if files else "")
                       + f" -> {rejected_file}", err=True)
        if changes is not None and fmt != "json":
            _print_changes(changes)


def _previous(ws: Path):
    """Fingerprint of the workspace about to be replaced (None if there is none)."""
    import gc

    from ..errors import XunchaError
    from ..graph.diff import fingerprint
    from ..graph.workspace import open_workspace

    if not ws.is_dir():
        return None
    try:
        old = open_workspace(ws)
    except (XunchaError, OSError, ValueError):
        return None
    fp = fingerprint(old)
    del old
    gc.collect()  # a store may hold reference cycles: free the old graph now
    return fp


CHANGE_ZH = {"added": "added 新增", "removed": "removed 删除", "modified": "modified 修改"}


def _print_changes(changes, shown: int = 3) -> None:
    """Per kind: how many nodes/edges were added, removed, modified; the first ids."""
    if changes.empty:
        click.echo("no changes since the previous workspace 与上次导入相比无变化", err=True)
        return
    c = changes.counts()
    click.echo("changes since the previous workspace 与上次导入相比: "
               + "; ".join(f"{what} " + ", ".join(f"{c[what][ch]:,} {ch}" for ch in CHANGE_ZH)
                           for what in ("nodes", "edges")), err=True)
    for what, table in (("node", changes.nodes), ("edge", changes.edges)):
        for ch in ("added", "removed", "modified"):
            for kind, ids in sorted(table[ch].items()):
                more = f", … (+{len(ids) - shown:,})" if len(ids) > shown else ""
                echo(f"  {CHANGE_ZH[ch]} {len(ids):,} {kind}: "
                     f"{', '.join(ids[:shown])}{more}", err=True)
    click.echo("  (--format json lists every id)", err=True)


@click.command()
@workspace_option
@output_options
def stats(workspace, fmt):
    """Count nodes and edges per kind in the workspace."""
    from ..queries.lookup import stats as _stats

    store = open_store(workspace)
    render(_stats(store), fmt, columns=["type", "kind", "zh", "count"])


@click.command()
@click.argument("ref")
@click.option("--limit", type=click.IntRange(min=0), default=50, show_default=True,
              help="Neighbours shown per edge kind (hubs have thousands); 0 for all.")
@workspace_option
@output_options
def show(ref, limit, workspace, fmt):
    """Show node REF (kind:id, a bare id, or a unique name), its properties and
    its neighbours grouped by edge kind."""
    from ..queries.lookup import describe

    from ..output import display_value, edge_group_label, field_label, lang

    store = open_store(workspace)
    view = describe(store, ref, limit=limit or None)
    fmt = choose_format(fmt)
    if fmt == "json":
        click.echo(to_json(view.as_dict()))
        return
    rows = [{"group": "property", "edge": "", "id": k, "label": v} for k, v in view.properties.items()]
    if view.prov:
        rows.append({"group": "source", "edge": "", "id": "prov", "label": view.prov})
    for group, ns in view.neighbours.items():
        for n in ns:
            rows.append({"group": "neighbour", "edge": group, "id": n.id, "label": n.label,
                         "props": n.props or None})
    if fmt == "csv":
        render(rows, "csv", ["group", "edge", "id", "label", "props"])
        return
    zh = lang() == "zh"
    render([{"property": field_label("node", view.kind, k),
             "value": display_value("node", view.kind, k, v)}
            for k, v in view.properties.items()], "table",
           headers={"property": "属性" if zh else "property", "value": "值" if zh else "value"},
           title=f"{view.id}  {view.label}", keys=["property", "value"])
    if view.prov:
        echo(f"来源 source: {'; '.join(view.prov)}")
    # Each edge's own ledger row is in --format json (props.prov); the table
    # keeps to what fits a terminal.
    nrows = [{"edge": edge_group_label(g), "id": n.id, "label": n.label,
              "details": ", ".join(f"{field_label('edge', n.edge, k)}="
                                   f"{display_value('edge', n.edge, k, v)}"
                                   for k, v in n.props.items() if k != "prov")}
             for g, ns in view.neighbours.items() for n in ns]
    if nrows:
        render(nrows, "table", title="关联 neighbours" if zh else "neighbours 关联",
               headers={"edge": "关系" if zh else "edge", "id": "编号" if zh else "id",
                        "label": "名称" if zh else "label", "details": "详情" if zh else "details"},
               keys=["edge", "id", "label"])
    for g, total in view.totals.items():
        if total > len(view.neighbours[g]):
            click.echo(f"{g}: {len(view.neighbours[g])} of {total} shown (--limit 0 for all)", err=True)


@click.command()
@click.option("--by", type=click.Choice(["round", "unit", "team", "region", "category"]),
              default="round", show_default=True, help="Group by 分组.")
@as_of_option
@workspace_option
@uri_option
@output_options
def kpi(by, as_of, workspace, uri, database, user, fmt):
    """Per group: issues, issues rectified, rectification_rate, leads, leads
    transferred, cases filed, actions overdue (deadline before --as-of and not
    done) and money recovered (yuan)."""
    from ..queries.kpi import kpi as _kpi

    store = open_graph(workspace, uri, database, user)
    rows = [r.as_dict() for r in run_query(_kpi, store, by=by, as_of=parse_date_option(as_of))]
    for r in rows:  # the total row's name in the output language
        if r.get("group") == "total":
            r["name"] = say("合计", "total")
    render(rows, fmt, keys=["group", "name"],
           priority=["issues", "issues_rectified", "rectification_rate", "leads", "cases_filed",
                     "money_recovered", "actions_overdue", "leads_transferred", "actions"],
           headers={
        "issues": "issues 问题", "issues_rectified": "rectified 已整改",
        "rectification_rate": "rate 整改率", "leads": "leads 线索",
        "leads_transferred": "transferred 移交", "cases_filed": "cases 立案",
        "actions": "actions 整改措施", "actions_overdue": "overdue 逾期",
        "money_recovered": "recovered 追回(元)",
    })
