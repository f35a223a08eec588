"""Identity commands: add, match, judge (one person, one node across offices)."""

from __future__ import annotations

import sys

import click

from ..cli import open_store, output_options, workspace_option, workspace_path
from ..identity.match import DEFAULT_AUTO
from ..output import choose_format, render, to_json


def _judgements(ws):
    from ..identity.judgements import FILE, Judgements

    return Judgements.load(ws / FILE)


@click.command()
@click.argument("directory", metavar="DIR[=NAME]")
@workspace_option
@click.option("--name", default=None, metavar="NAME",
              help="Dataset name 台账名称 (default: the folder name).")
@click.option("--lenient", is_flag=True,
              help="Load the good rows; write the rejected ones with reasons to rejected.csv.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
def add(directory, workspace, name, lenient, quiet):
    """Add the dataset in DIR (another office's ledgers 台账) to the workspace.

    The workspace's datasets are loaded again together with DIR, so ids are
    namespaced NAME/ID, references across datasets resolve, and the
    judgements (judgements.tsv) apply to all of them. The workspace is
    unchanged if the combined load has errors.
    """
    from ..loaders.combine import CombineError, parse_sources
    from .core import _load_sources, _workspace_sources

    ws = workspace_path(workspace)
    have = _workspace_sources(ws)
    new = parse_sources([directory], [name] if name else [])
    clash = [s for s in have if s.name == new[0].name]
    if clash:
        raise CombineError(f"the workspace already has a dataset called '{new[0].name}' "
                           f"({clash[0].path}): give another name (DIR=NAME or --name), or run "
                           f"`xuncha load` to reload it")
    _load_sources(have + new, ws, lenient, quiet)


@click.command()
@click.option("--kind", type=click.Choice(["cadre", "unit", "all"]), default="cadre",
              show_default=True, help="Which records to match: cadres 人员, units 单位, or both.")
@click.option("--min-score", "min_score", type=click.FloatRange(0.0, 1.0), default=0.5,
              show_default=True, help="List pairs at least this likely (match probability 0–1).")
@click.option("--auto", "auto", type=click.FloatRange(0.0, 1.0), default=None, is_flag=False,
              flag_value=DEFAULT_AUTO, metavar="[THRESHOLD]",
              help=f"Record pairs at least THRESHOLD likely (default {DEFAULT_AUTO}) as machine judgements "
                   "机器判定 in judgements.tsv; they merge on the next `xuncha load`.")
@click.option("--include-judged", is_flag=True,
              help="Also list pairs that already have a judgement (and show it).")
@click.option("--limit", type=click.IntRange(min=0), default=200, show_default=True,
              help="Pairs listed (best first); 0 for all.")
@workspace_option
@output_options
def match(kind, min_score, auto, include_judged, limit, workspace, fmt):
    """Candidate pairs of records that may be one person (or unit), with evidence.

    Each pair has a match probability and the evidence for and against it:
    身份证号 equal and checksum-valid (GB 11643), the name (simplified and
    traditional forms, pinyin for homophone typos, 某 masks), birth date or
    month, gender, native place 籍贯, posts (the same unit at overlapping
    times for; principal of two units at once against), issues naming one
    at a unit while the other held a post there, and shared relatives.
    Blocking (by 身份证号, name pinyin, surname + character + birth year)
    keeps the comparisons far below all pairs. The scores are Fellegi–Sunter
    log-likelihood weights with name-frequency adjustment (README: "Identity
    across offices"). Confirm or reject a pair with `xuncha judge`.
    """
    from ..identity.judgements import FILE, Judgement, now
    from ..identity.match import MatchReport, match_people, match_units

    ws = workspace_path(workspace)
    store = open_store(workspace)
    js = _judgements(ws)
    floor = min(min_score, auto) if auto is not None else min_score
    from ..output import progress

    report = MatchReport()
    cands = []
    with progress("matching 比对") as bar:
        if kind in ("cadre", "all"):
            cands += match_people(store, floor, js, include_judged, progress=bar, report=report)
        if kind in ("unit", "all"):
            cands += match_units(store, floor, js, include_judged)
    recorded = 0
    if auto is not None:
        for c in cands:
            if c.probability >= auto and c.judged is None:
                ok = js.set(Judgement(c.a, c.b, "same", "machine", "xuncha match", now(),
                                      c.probability, ""))
                recorded += ok
        if recorded:
            js.save()
    shown = [c for c in cands if c.probability >= min_score]
    if limit:
        shown = shown[:limit]
    fmt = choose_format(fmt)
    if fmt == "json":
        click.echo(to_json([c.as_dict() for c in shown]))
    else:
        render([c.row() for c in shown], fmt,
               columns=["a", "a_label", "b", "b_label", "probability", "for", "against", "judged"],
               headers={"probability": "probability 概率", "for": "for 支持", "against": "against 反对"})
    among = (f" (cadres: {report.compared:,} pairs compared among {report.records:,} records)"
             if kind != "unit" else "")
    click.echo(f"{len(cands)} candidate pairs 候选{among}", err=True)
    if auto is not None:
        click.echo(f"recorded 已记录 {recorded} machine judgements 机器判定 (probability ≥ {auto}) "
                   f"in {ws / FILE}; run `xuncha load` (no arguments) to merge them", err=True)


def _member(store, ref: str, nid: str) -> str:
    """The source record a reference names: a merged node's member when the
    reference is one of its source ids, else the node itself."""
    attrs = store.node(nid)
    kind = attrs.get("kind")
    ref = ref.strip()
    for s in attrs.get("sources") or ():
        if ref in (s, f"{kind}:{s}"):
            return f"{kind}:{s}"
    return nid


@click.command()
@click.argument("a")
@click.argument("b")
@click.argument("decision", type=click.Choice(["same", "different", "unsure"]), required=False)
@click.option("--undo", is_flag=True, help="Remove the judgement of A and B (撤销判定).")
@click.option("--note", default="", help="A note 备注 kept with the judgement.")
@click.option("--by", "by", default=None, help="Who decides 判定人 (default: the login name).")
@workspace_option
@output_options
def judge(a, b, decision, undo, note, by, workspace, fmt):
    """Record that records A and B are the same entity, different, or unsure.

    A and B are node ids (cadre:甲县/C0123), dataset/ids (甲县/C0123) or unique
    names. The decision goes to judgements.tsv in the workspace (plain text,
    one pair per line: who, when, human or machine); it takes effect on the
    next `xuncha load` (no arguments reloads the same datasets), as does
    --undo or editing the file. `same` is transitive; `different` keeps two
    records apart even when other judgements would join them.
    """
    from ..identity.judgements import FILE, Judgement, now, user

    if not undo and decision is None:
        raise click.UsageError("give the decision: same, different or unsure (or --undo)")
    ws = workspace_path(workspace)
    store = open_store(workspace)
    na = _member(store, a, store.resolve(a, ("cadre", "unit")))
    nb = _member(store, b, store.resolve(b, ("cadre", "unit")))
    if na == nb:
        raise click.UsageError(f"{a} and {b} are the same record ({na}); name two records")
    if na.split(":", 1)[0] != nb.split(":", 1)[0]:
        raise click.UsageError(f"{na} and {nb} are of different kinds: only records of one kind "
                               f"can be one entity")
    js = _judgements(ws)
    if undo:
        old = js.remove(na, nb)
        if old is None:
            raise click.UsageError(f"no judgement of {na} and {nb} in {ws / FILE}")
        js.save()
        click.echo(f"removed 已撤销: {old.decision} ({old.source}); takes effect on the next "
                   f"`xuncha load`", err=True)
        return
    j = Judgement(na, nb, decision, "human", by or user(), now(), None, note)
    js.set(j)
    js.save()
    render(j.as_dict(), fmt)
    click.echo(f"recorded 已记录 in {ws / FILE}; takes effect on the next `xuncha load` "
               f"(no arguments: the same datasets)", err=True)
