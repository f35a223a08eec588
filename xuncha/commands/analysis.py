"""Analyst commands: related, path, patterns, timeline, asof.

Each command opens the workspace, calls one query function from
:mod:`xuncha.queries` and renders its typed rows; nothing is computed here.
"""

from __future__ import annotations

import difflib

import click

from ..cli import (as_of_option, open_graph, output_options, parse_date_option,
                   run_query, uri_option, workspace_option)
from ..output import choose_format, echo, lang, render, say, to_json

PATTERN_ZH = {"common": "共性问题", "recurring": "整改不到位/反弹", "trails": "问题轨迹",
              "clusters": "关联案件群"}


def _reasons_cell(reasons, n: int = 3) -> str:
    shown = [r.text for r in reasons[:n]]
    if len(reasons) > n:
        shown.append(f"… +{len(reasons) - n}")
    return "\n".join(shown)


def _policy_options(f):
    """--lookback-years, --min-overlap-months, --newcomer-months: the
    responsibility policy (:mod:`xuncha.queries.periods`), defaults from its code."""
    from ..queries.periods import DEFAULT_POLICY as P

    f = click.option("--newcomer-months", type=click.FloatRange(min=0), default=None,
                     help=f"Responsibility 责任认定: a holder in post less than this at the "
                          f"team's arrival is a newcomer, not answerable (default "
                          f"{P.newcomer_months}).")(f)
    f = click.option("--min-overlap-months", type=click.FloatRange(min=0), default=None,
                     help=f"Responsibility 责任认定: least overlap of a tenure with the "
                          f"inspected period 被巡察期间 (default {P.min_overlap_months}).")(f)
    f = click.option("--lookback-years", type=click.IntRange(min=1), default=None,
                     help=f"Inspected period of a unit's first inspection 首次巡察回溯年限 "
                          f"(default {P.lookback_years}).")(f)
    return f


def _policy(lookback_years, min_overlap_months, newcomer_months):
    from ..queries.periods import Policy

    return Policy.from_months(lookback_years, min_overlap_months, newcomer_months)


def _fill(template: str) -> str:
    """A help text with the code's constants filled in (so it cannot drift)."""
    import textwrap

    from ..queries.paths import weights_help
    from ..queries.periods import DEFAULT_POLICY
    from ..queries.related import signals_help

    weights = "\n    ".join(textwrap.wrap(weights_help(), 76))
    from ..queries.patterns import COMMON_MIN_UNITS

    return textwrap.dedent(template).format(
        signals=signals_help().replace("\n", "\n    "), policy=DEFAULT_POLICY.describe(),
        weights=weights, min_units=COMMON_MIN_UNITS)


def _doc(template: str):
    """Fill a command's help from the code's constants (so it cannot drift)."""

    def deco(f):
        from ..queries.periods import DEFAULT_POLICY
        from ..queries.related import signals_help

        f.__doc__ = template.format(signals=signals_help().replace("\n", "\n    "),
                                    policy=DEFAULT_POLICY.describe())
        return f

    return deco


@click.command()
@click.argument("ref")
@click.option("-k", "--limit", default=10, show_default=True, type=click.IntRange(min=0),
              help="Show at most K results (0: all).")
@click.option("--min-score", default=0.0, show_default=True, type=click.FloatRange(0, 1),
              help="Drop results scoring below this 最低分值.")
@click.option("--tier", "min_tier", type=click.Choice(["strong", "moderate", "weak"]),
              default="moderate", show_default=True,
              help="Weakest evidence tier shown 证据强度: strong 强, moderate 中, weak 弱.")
@click.option("--weak", is_flag=True, help="Show weak results too (same as --tier weak).")
@click.option("--signal", "signals", multiple=True, metavar="NAME",
              help="Score only these signals (repeatable; names below).")
@_policy_options
@workspace_option
@uri_option
@output_options
@_doc("""Issues and leads related to REF 关联案件 (an issue, lead, cadre or unit), by evidence.

    REF is kind:id (issue:I1, lead:L1, cadre:C001, unit:U001), a bare id or a
    unique name.  Every result carries at least one signal and a tier; each
    reason is a sentence naming the people, posts and dates, and an evidence
    path over real edges of the graph (JSON: "hops", with provenance).  When
    nothing qualifies the answer is empty (a note on stderr, exit 0).

    \b
    Signals, by tier (weight):
    {signals}

    Principals 一把手 count only when they answer for the finding: {policy}.
    Score = 1 - prod(1 - w) over signals (strongest instance of each).  Order:
    tier, score, evidence count, recency, id.  Regions, rounds and categories
    alone never relate two cases.
    """)
def related(ref, limit, min_score, min_tier, weak, signals, lookback_years, min_overlap_months,
            newcomer_months, workspace, uri, database, user, fmt):
    from ..queries.related import related as _related

    store = open_graph(workspace, uri, database, user)
    rows = run_query(_related, store, ref, limit=limit or None, min_score=min_score,
                     signals=tuple(signals) or None, min_tier="weak" if weak else min_tier,
                     policy=_policy(lookback_years, min_overlap_months, newcomer_months))
    fmt = choose_format(fmt)
    if not rows:
        strong_only = not (weak or min_tier == "weak")
        click.echo(say("未找到证据充分的关联案件" + ("；--weak 可列出弱信号" if strong_only else ""),
                       "no related issues or leads with enough evidence"
                       + ("; --weak shows weak signals too" if strong_only else "")), err=True)
    if fmt == "table":
        if not rows:
            return
        from ..queries.related import TIER_ZH

        render([{"id": r.id, "tier": TIER_ZH[r.tier] if lang() == "zh" else r.tier, "score": r.score, "unit": r.unit, "date": r.date,
                 "label": r.label, "reasons": _reasons_cell(r.reasons)} for r in rows], "table",
               headers={"tier": "tier 强度", "score": "score 分值", "unit": "unit 单位",
                        "date": "date 日期", "label": "issue/lead 问题/线索",
                        "reasons": "reasons 依据"},
               title=say(f"关联案件：{ref}", f"related to {ref}"))
        return
    out = [r.as_dict() for r in rows]
    if fmt == "csv":
        for d, r in zip(out, rows):
            d["signals"] = ";".join(r.signals)
            d["reasons"] = " | ".join(x.text for x in r.reasons)
        render(out, "csv", columns=["id", "kind", "tier", "score", "evidence", "unit", "date",
                                    "label", "signals", "reasons"])
        return
    render(out, "json")


@click.command()
@click.argument("refs", nargs=-1, required=True)
@click.option("--max-hops", default=6, show_default=True, type=click.IntRange(1, 12),
              help="Longest path considered 最大跳数.")
@click.option("--through-hubs", is_flag=True,
              help="Allow paths through regions, rounds and categories (hub nodes 枢纽节点).")
@click.option("-k", "--limit", default=5, show_default=True, type=click.IntRange(min=1),
              help="With two entities: show the K best paths.")
@click.option("--shortest", is_flag=True,
              help="Rank by plain hop count 跳数 instead of evidential weight.")
@workspace_option
@uri_option
@output_options
def path(refs, max_hops, through_hubs, limit, shortest, workspace, uri, database, user, fmt):
    from ..queries.paths import network, paths

    if len(refs) < 2:
        raise click.UsageError("name at least two entities (至少两个实体), e.g. "
                               "`xuncha path cadre:C001 issue:I2`")
    store = open_graph(workspace, uri, database, user)
    fmt = choose_format(fmt)
    if len(refs) == 2:
        found = run_query(paths, store, refs[0], refs[1], max_hops=max_hops,
                          through_hubs=through_hubs, limit=limit, shortest=shortest)
        if not found:
            click.echo(say(f"在 {max_hops} 跳内无路径"
                           + ("" if through_hubs else "；可试 --through-hubs 或更大的 --max-hops"),
                           f"no path within {max_hops} hops"
                           + ("" if through_hubs else "; try --through-hubs or a larger --max-hops")),
                       err=True)
        if fmt == "json":
            render([p.as_dict() for p in found], "json")
        else:
            render([{"path": i, "weight": p.weight, "length": p.length, "text": p.text}
                    for i, p in enumerate(found, 1)], fmt,
                   columns=["path", "weight", "length", "text"])
        return
    net = run_query(network, store, list(refs), max_hops=max_hops, through_hubs=through_hubs,
                    shortest=shortest)
    if net.unreached:
        echo(say("未连通：", "not connected: ") + ", ".join(f"{a}–{b}" for a, b in net.unreached), err=True)
    if fmt == "json":
        click.echo(to_json(net.as_dict()))
        return
    render([{"source": s.source, "edge": s.kind, "target": s.target,
             "source_label": net.labels[s.source], "target_label": net.labels[s.target],
             "props": ", ".join(f"{k}={v}" for k, v in s.props.items() if v not in (None, ""))}
            for s in net.steps], fmt,
           columns=["source", "source_label", "edge", "target", "target_label", "props"],
           title=say(f"连接 {'、'.join(net.terminals)} 的关系网", f"network connecting {', '.join(net.terminals)}"))


path.help = _fill("""Evidence paths 关系路径 between entities, by evidential weight.

    With two REFS: the --limit lightest simple paths of at most --max-hops
    edges (k shortest paths by weight), each with its weight and every edge
    shown with its kind and dates.  Ties between people and naming edges are
    cheap, context (the unit, team, round, owner) dear, so two cases whose
    people are kin connect through the people before the team that found
    both.  --shortest ranks by hop count instead.  With three or more REFS:
    the network connecting them all (lightest pairwise paths joined by a
    minimum spanning tree).  Hub nodes (regions, rounds, categories) are not
    passed through unless --through-hubs.  Unconnected within the limits:
    an empty answer and a note.

    \b
    Hop weights by edge kind 边权重:
    {weights}
    """)


def _window(store, rounds, regions, sectors, since, until):
    from ..queries.common import Window

    from ..graph.store import GraphStore

    if isinstance(store, GraphStore):
        resolve = store.resolve
        known = sorted({d.get("sector") for _, d in store.nodes("unit") if d.get("sector")})
    else:  # a graph server
        from ..graph.server.queries import resolve as server_resolve
        from ..graph.server.queries_patterns import sectors as server_sectors

        def resolve(ref, kinds):
            return server_resolve(store, ref, kinds)

        known = server_sectors(store) if sectors else []
    rnd = tuple(resolve(r, ("round",)) for r in rounds)
    reg = tuple(resolve(r, ("region",)) for r in regions)
    for s in sectors:
        if s not in known:
            near = difflib.get_close_matches(s, known, n=3, cutoff=0.3)
            raise click.BadParameter(
                f"no unit has sector 板块 '{s}'" + (f"; did you mean 是否应为: {', '.join(near)}"
                                                   if near else f"; known: {', '.join(known[:20])}"),
                param_hint="--sector")
    return Window(rnd, reg, tuple(sectors), parse_date_option(since), parse_date_option(until))


@click.command()
@click.argument("pattern", type=click.Choice(["common", "recurring", "trails", "clusters"]))
@click.option("--round", "rounds", multiple=True, metavar="ROUND",
              help="Only these rounds 轮次 (repeatable; id or name).")
@click.option("--region", "regions", multiple=True, metavar="REGION",
              help="Only units in these regions 区划, sub-regions included (repeatable).")
@click.option("--sector", "sectors", multiple=True, metavar="SECTOR",
              help="Only units of these sectors 板块 (repeatable).")
@click.option("--since", default=None, metavar="DATE", help="Only items dated on or after DATE 起始日期.")
@click.option("--until", default=None, metavar="DATE", help="Only items dated on or before DATE 截止日期.")
@click.option("--min-units", type=click.IntRange(min=1), default=None,
              help="Least number of distinct units (common: 3, trails: 2, clusters: 2).")
@click.option("--min-share", type=click.FloatRange(0, 1), default=None,
              help="common: also require this share of the round's inspected units "
                   "(no share unless given).")
@click.option("--level", type=click.Choice(["subcategory", "category"]), default="subcategory",
              show_default=True, help="common: group by subcategory 子类 or category 类别.")
@click.option("--pooled", is_flag=True,
              help="common: pool all rounds in the window instead of one group per round.")
@click.option("--role", type=click.Choice(["principal", "implicated", "any"]), default="principal",
              show_default=True, help="trails: follow principal posts 一把手, issues naming the "
                                      "cadre 涉及, or both.")
@click.option("-k", "--limit", default=0, type=click.IntRange(min=0),
              help="Show at most K rows (0: all).")
@_policy_options
@workspace_option
@uri_option
@output_options
def patterns(pattern, rounds, regions, sectors, since, until, min_units, min_share, level, pooled,
             role, limit, lookback_years, min_overlap_months, newcomer_months, workspace, uri,
             database, user, fmt):
    from ..queries import patterns as P

    store = open_graph(workspace, uri, database, user)
    policy = _policy(lookback_years, min_overlap_months, newcomer_months)
    window = _window(store, rounds, regions, sectors, since, until)
    if pattern == "common":
        rows = run_query(P.common, store, window, min_units, min_share, level=level,
                         per_round=not pooled)
    elif pattern == "recurring":
        rows = run_query(P.recurring, store, window)
    elif pattern == "trails":
        rows = run_query(P.trails, store, window, min_units, role=role, policy=policy)
    else:
        rows = run_query(P.clusters, store, window, min_units, policy=policy)
    if limit:
        rows = rows[:limit]
    fmt = choose_format(fmt)
    if fmt == "json":
        render([r.as_dict() for r in rows], "json")
        return
    if not rows and fmt == "table":
        click.echo(say(f"此范围内未发现{PATTERN_ZH[pattern]}", f"no {pattern} pattern in this window"), err=True)
        return
    if pattern == "common":
        table = [{"round": r.round or ("（合并）" if lang() == "zh" else "(pooled)"), "category": r.category, "name": r.name,
                  "standout": r.standout, "lift": r.lift, "units": len(r.units),
                  "inspected": r.units_inspected,
                  "share": r.share, "base_rate": f"{r.base_rate} ({r.base_with}/{r.base_inspections})",
                  "issues": len(r.issues)} for r in rows]
    elif pattern == "recurring":
        table = [{"unit": r.unit, "unit_name": r.unit_name, "category": r.name,
                  "rectified": f"{r.first_issue} ({r.first_date}, "
                               f"{'整改' if lang() == 'zh' else 'rectified'} {r.rectified_date or '?'})",
                  "again": f"{r.again_issue} ({r.again_date})", "round": r.again_round,
                  "lookback": r.lookback, "count": len(r.again_issues)} for r in rows]
    elif pattern == "trails":
        table = [{"cadre": t.cadre, "name": t.name, "units": t.units, "issues": t.issues,
                  "trail": t.text} for t in rows]
    else:
        table = [{"cluster": c.number, "units": len(c.units), "items": len(c.items),
                  "leads": c.leads, "cases": c.cases, "sanctions": c.sanctions,
                  "cadres": ";".join(c.cadres[:8]) + (" …" if len(c.cadres) > 8 else ""),
                  "item_ids": ";".join(c.items[:8]) + (" …" if len(c.items) > 8 else "")}
                 for c in rows]
    render(table, fmt, title=say(PATTERN_ZH[pattern], f"{pattern} patterns") if fmt == "table" else None)


patterns.help = _fill("""Cross-unit patterns 跨单位规律: common | recurring | trails | clusters.

    \b
    common     共性问题: a category found in >= --min-units units (default {min_units})
               of a round (per round unless --pooled; a share of the round's
               units only with --min-share), ranked by standout 突出程度 =
               lift × log2(1 / base rate): lift = the round's share of units
               with it over its base rate (inspections with it / inspections,
               every round of the window), weighted by the category's rarity;
    recurring  整改不到位/反弹: a unit whose issue was counted rectified, then the
               same category found again in a later round (回头看 or later);
    trails     问题轨迹: cadres whose principal posts (or, --role, posts where they
               were named) answer for issues at two or more units, each stop a
               real post with its dates and overlap, in date order;
    clusters   关联案件群: issues/leads in two or more units joined by the same
               cadre, related cadres (社会关系) or lead→issue links; largest first.

    Responsibility (trails, clusters): {policy}.
    """)


@click.command()
@click.argument("ref")
@as_of_option
@_policy_options
@workspace_option
@uri_option
@output_options
def timeline(ref, as_of, lookback_years, min_overlap_months, newcomer_months, workspace, uri,
             database, user, fmt):
    """Dated events 时间线 of a cadre or unit, in order.

    A cadre: posts taken and left, inspection team service, issues naming
    them, issues of units they headed that they answer for (任内问题: the
    tenure overlaps the issue's inspected period 被巡察期间 by the policy's
    threshold, stated in each event), leads about them (transfer, case,
    closure with outcomes), actions they own.  A unit: posts,
    inspections, issues, leads, rectification (completions; deadlines, marked
    overdue 逾期 when past --as-of).
    """
    from ..queries.timeline import timeline as _timeline

    store = open_graph(workspace, uri, database, user)
    rows = run_query(_timeline, store, ref, as_of=parse_date_option(as_of),
                     policy=_policy(lookback_years, min_overlap_months, newcomer_months))
    from ..queries.timeline import EVENT_ZH

    if choose_format(fmt) == "table":
        zh = lang() == "zh"
        render([{**e.as_dict(), "event": EVENT_ZH[e.event] if zh else e.event.replace("_", " ")}
                for e in rows], "table", columns=["date", "event", "id", "text"])
        return
    render([e.as_dict() for e in rows], fmt, columns=["date", "event", "id", "text", "path"])


@click.command()
@click.argument("unit")
@click.argument("date")
@workspace_option
@uri_option
@output_options
def asof(unit, date, workspace, uri, database, user, fmt):
    """Who held which post in UNIT on DATE 某日任职情况, principals 一把手 first.

    DATE accepts Chinese forms (2019年3月1日, 2019.03).  A post covers a date
    from its start to its end inclusive; an empty end means still in post.
    """
    from ..queries.timeline import asof as _asof

    store = open_graph(workspace, uri, database, user)
    day = parse_date_option(date)
    rows = run_query(_asof, store, unit, day)
    if not rows and choose_format(fmt) == "table":
        click.echo(say(f"{day} 该单位无任职记录", f"nobody held a post there on {day}"), err=True)
        return
    render([r.as_dict() for r in rows], fmt,
           columns=["cadre", "name", "title", "rank", "is_principal", "start", "end"])
