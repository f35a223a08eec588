"""The ``export`` command: a thin layer over :func:`xuncha.export.export`."""

from __future__ import annotations

import sys

import click

from ..cli import open_store, parse_date_option, workspace_option

FORMAT_HELP = {
    "graphml": "GraphML for Gephi/yEd/igraph/networkx",
    "gexf": "GEXF for Gephi, coloured by kind",
    "json": "networkx node-link JSON",
    "csv": "Neo4j bulk-import CSV directory with README",
    "cypher": "idempotent Cypher script (UNWIND … MERGE)",
    "dot": "Graphviz, small subgraphs",
    "html": "one offline interactive web page",
    "xlsx": "Excel, one sheet per kind, Chinese headers",
}


def _split(values) -> list[str]:
    out = []
    for v in values:
        out += [p.strip() for p in v.replace("，", ",").split(",") if p.strip()]
    return out


@click.command(epilog="Examples:\n\n\b\n"
               "  xuncha export graphml -o all.graphml\n"
               "  xuncha export html --case issue:R2021-1-035 --redact public -o case.html\n"
               "  xuncha export html --around cadre:C001 -o ego.html\n"
               "  xuncha export csv -o neo4j-import/        # then see neo4j-import/README.md\n"
               "  xuncha export xlsx --round R2023-1 -o round.xlsx\n"
               "  XUNCHA_PSEUDONYM_KEY=… xuncha export json --redact pseudonym -o share.json")
@click.argument("fmt", metavar="FORMAT", type=click.Choice(list(FORMAT_HELP)))
@click.option("-o", "--output", default="-", show_default=True, metavar="PATH",
              help="Output file 输出文件 (a directory for csv); - writes to stdout. Written to a "
                   "temporary name and renamed, so a failed export leaves nothing behind.")
@click.option("--case", "case", default=None, metavar="ID",
              help="The picture of a case 案件关系图: the evidence graph of `xuncha related ID` (an "
                   "issue, lead, cadre or unit): the seed, its related cases joined by labelled "
                   "reason edges, the people, posts and ties behind them; html and dot draw "
                   "actions, rounds, teams and categories as counts.")
@click.option("--around", multiple=True, metavar="ID",
              help="Only the ego network 关系网 of this node (kind:id, bare id or unique name); "
                   "repeatable.")
@click.option("--hops", default=2, show_default=True, type=click.IntRange(0, 10),
              help="With --around: how many edges out 跳数. html and dot pictures do not walk "
                   "through actions, rounds, teams or categories: they count them on each node.")
@click.option("--through-hubs", is_flag=True,
              help="With --around: walk through hub nodes (regions, rounds, categories) too; "
                   "by default they are kept as leaves only.")
@click.option("--kinds", multiple=True, metavar="KINDS",
              help="Only these node kinds (cadre, unit, …, or 人员, 单位…) and/or edge kinds "
                   "(HELD_POSITION, …); comma-separated or repeated.")
@click.option("--round", "rounds", multiple=True, metavar="ROUND",
              help="Only issues/leads of this round 轮次 and what they touch, with the round's "
                   "teams and units; repeatable.")
@click.option("--region", "regions", multiple=True, metavar="REGION",
              help="Only issues/leads of units in this region 区划 (sub-regions included); repeatable.")
@click.option("--sector", "sectors", multiple=True, metavar="SECTOR",
              help="Only issues/leads of units in this sector 板块; repeatable.")
@click.option("--since", default=None, metavar="DATE", help="Only items dated on or after DATE 起始日期.")
@click.option("--until", default=None, metavar="DATE", help="Only items dated on or before DATE 截止日期.")
@click.option("--redact", type=click.Choice(["public", "pseudonym"]), default=None,
              help="Protect people 脱敏: public = surname + 某 (张某, 张某1/张某2 on collision), "
                   "ID numbers and phones masked; pseudonym = keyed HMAC pseudonyms from "
                   "$XUNCHA_PSEUDONYM_KEY (stable across exports). Free text is dropped unless "
                   "--keep-text.")
@click.option("--keep-text", is_flag=True,
              help="With --redact: keep free text (issue descriptions, lead summaries, notes), "
                   "with known names, ID numbers and phones replaced.")
@click.option("--provenance", is_flag=True,
              help="Keep each node's and edge's source ledger rows 来源 (attribute prov: "
                   "\"dataset/file[:sheet]#row\"); left out by default.")
@click.option("--title", default=None, help="html: page title 标题.")
@click.option("--force", is_flag=True,
              help="dot/html: export even above their size limits (60 / 5,000 nodes).")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@workspace_option
def export(fmt, output, case, around, hops, through_hubs, kinds, rounds, regions, sectors, since,
           until, redact, keep_text, provenance, title, force, quiet, workspace):
    """Export the graph, or part of it, as FORMAT 导出.

    \b
    FORMAT:
      graphml  GraphML for Gephi, yEd, igraph, networkx
      gexf     GEXF for Gephi (colour and shape by kind)
      json     networkx node-link JSON
      csv      Neo4j bulk-import directory (nodes_*.csv, rels_*.csv, README.md
               with the neo4j-admin command)
      cypher   idempotent Cypher script: constraints, then UNWIND … MERGE
      dot      Graphviz (small subgraphs)
      html     one self-contained page: legend, filter by kind, search,
               click a node for its properties; works offline
      xlsx     Excel workbook, one sheet per kind, Chinese headers

    Every format carries each node's kind and Chinese label, typed values
    (numbers as numbers, dates as ISO dates, lists as lists) and honours
    --redact.  Without a selection option the whole graph is exported.
    """
    from ..export import Selection
    from ..export import export as run_export

    if fmt in ("xlsx",) and output == "-" and sys.stdout.isatty():
        raise click.UsageError("xlsx is binary: give -o FILE.xlsx (or redirect stdout)")
    if fmt == "csv" and output == "-":
        raise click.UsageError("csv writes a directory of files: give -o DIR")
    sel = Selection(around=list(around), case=case, hops=hops, through_hubs=through_hubs,
                    kinds=_split(kinds), rounds=list(rounds), regions=list(regions),
                    sectors=list(sectors), since=parse_date_option(since),
                    until=parse_date_option(until))
    if (hops != 2 or through_hubs) and not around:
        raise click.UsageError("--hops and --through-hubs need --around ID")
    if keep_text and not redact:
        raise click.UsageError("--keep-text only applies with --redact")
    from ..output import progress

    store = open_store(workspace)
    with progress(f"exporting 导出 {fmt}", quiet=quiet) as bar:
        result = run_export(store, fmt, output, sel, redact=redact, keep_text=keep_text,
                            force=force, title=title, progress=bar,
                            provenance=provenance)
    if not quiet:
        where = "stdout" if output == "-" else output
        extra = f", redacted 已脱敏 ({result.redaction})" if result.redaction else ""
        click.echo(f"exported 已导出 {result.nodes:,} nodes, {result.edges:,} edges as {fmt} "
                   f"-> {where}{extra}", err=True)
