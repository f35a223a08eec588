"""Planning commands: policy, conflicts, plan (回避规则、回避审查、巡察统筹)."""

from __future__ import annotations

import sys

import click

from ..cli import as_of_option, open_store, parse_date_option, uri_option, workspace_option
from ..output import choose_format, render, to_csv, to_json

CONFLICT_HEADERS = {
    "ground": "ground 事由", "severity": "severity 性质", "team_id": "team 巡察组",
    "unit_id": "unit 单位", "inspector_id": "inspector 人员", "text": "evidence 说明",
    "path": "path 证据路径", "start": "start 起", "end": "end 止", "window_start": "window 窗口起",
}


def _policy_option(f):
    return click.option("--policy", "policy_file", type=click.Path(dir_okay=False), default=None,
                        help="Recusal policy YAML 回避规则 (default: the built-in one, see "
                             "`xuncha policy show`).")(f)


def _recusals_option(f):
    return click.option("--recusals", "recusals", type=click.Path(dir_okay=False), default=None,
                        help="Declared recusals 申请回避 (CSV/XLSX/JSONL: cadre_id or team_id, unit_id, "
                             "reason, optional start/end); the `manual` ground.")(f)


def _ground_mode_option(f):
    return click.option("--ground", "ground_modes", multiple=True, metavar="GROUND=MODE",
                        help="Override one ground's mode, e.g. --ground native_place=soft or "
                             "--ground local=off (repeatable).")(f)


def _load_policy(policy_file, ground_modes=()):
    from ..planning.policy import PolicyError, load_policy

    overrides = {}
    for gm in ground_modes:
        g, sep, m = gm.partition("=")
        if not sep or m not in ("hard", "soft", "off"):
            raise PolicyError(f"--ground {gm!r}: write GROUND=hard|soft|off, e.g. native_place=soft")
        overrides[g.strip()] = m
    return load_policy(policy_file, overrides)


def _progress(label: str):
    if not sys.stderr.isatty():
        return None, None
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    prog = Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                    TimeElapsedColumn(), console=Console(stderr=True), transient=True)
    task = prog.add_task(label, total=None)

    def step(done, total):
        prog.update(task, completed=done, total=total)

    return prog, step


def _raw(store, ref: str, kind: str) -> str:
    return store.resolve(ref, (kind,)).partition(":")[2]


# -- policy -------------------------------------------------------------------------

@click.group()
def policy():
    """Recusal policy 回避规则: show or check a policy file."""


@policy.command("show")
@_policy_option
def policy_show(policy_file):
    """Print the built-in recusal policy (YAML, with comments).

    With --policy FILE, print the effective policy: FILE merged over the
    default, validated (comments dropped).
    """
    from ..planning.policy import default_text

    if policy_file is None:
        click.echo(default_text(), nl=False)
        return
    import yaml

    p = _load_policy(policy_file)
    doc = {"grounds": {g: v.model_dump() for g, v in p.grounds.items()},
           "leadership": p.leadership.model_dump(), "affinity": p.affinity.model_dump()}
    click.echo(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), nl=False)


@policy.command("check")
@click.argument("file", type=click.Path(dir_okay=False))
def policy_check(file):
    """Validate a policy FILE and print each ground's mode."""
    p = _load_policy(file)
    click.echo(f"{file}: valid 有效; {p.summary()}")


# -- conflicts -------------------------------------------------------------------------

@click.command()
@click.option("--round", "round_ref", default=None, metavar="ROUND",
              help="A recorded round 轮次: check its assignments 巡察安排 with its team members, "
                   "as of the round's start.")
@click.option("--plan", "plan_file", type=click.Path(dir_okay=False), default=None,
              help="A proposed plan (JSON from `xuncha plan`, or a table with team_id, unit_id).")
@click.option("--team", "team_refs", multiple=True, metavar="TEAM",
              help="A team 巡察组 (id or name; repeatable), with --unit.")
@click.option("--unit", "unit_refs", multiple=True, metavar="UNIT",
              help="A unit 单位 (id or name; repeatable), with --team: every team × unit pair.")
@as_of_option
@_policy_option
@_recusals_option
@_ground_mode_option
@click.option("--soft/--no-soft", "show_soft", default=True, show_default=True,
              help="Also list soft (penalty-only) conflicts 酌情回避.")
@workspace_option
@uri_option
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default=None,
              help="Output format: table on a terminal, JSON when piped, or CSV.")
def conflicts(round_ref, plan_file, team_refs, unit_refs, as_of, policy_file, recusals, ground_modes,
              show_soft, workspace, uri, database, user, fmt):
    """Every conflict of interest 回避事由 in a round, a plan or a team × unit pair.

    One row per conflict: ground code (kinship 亲属关系, employment 任职经历,
    superior_subordinate 上下级关系, local 本地巡察, native_place 籍贯,
    reciprocal 对等互查, repeat 重复巡察, manual 申请回避), severity (hard/soft),
    team_id, unit_id, inspector_id, a sentence for the planner (text), the
    evidence path (node ids) and the dates that put the tie in its window
    (start, end, window_start, as_of).  Members are the round's (--round), or
    those a plan JSON from `xuncha plan` records, else each team's latest
    membership.  Exit status 1 when a hard conflict is found.

    \b
    xuncha conflicts --round R2024-1
    xuncha conflicts --plan plan.json --as-of 2024-03-01
    xuncha conflicts --team T1 --unit U003
    """
    from ..cli import open_graph, run_query
    from ..planning.conflicts import COLUMNS, ManualRecusal, find_conflicts
    from ..planning.io import read_plan_doc

    modes = sum(bool(x) for x in (round_ref and not plan_file, plan_file, team_refs or unit_refs))
    if modes != 1:
        raise click.UsageError("give one of --round R, --plan FILE, or --team T --unit U")
    if not plan_file and not round_ref and (not team_refs or not unit_refs):
        raise click.UsageError("--team and --unit go together")
    pol = _load_policy(policy_file, ground_modes)
    as_of = parse_date_option(as_of)
    manual = ManualRecusal.read(recusals) if recusals else None
    plan = read_plan_doc(plan_file) if plan_file else None
    store = open_graph(workspace, uri, database, user)
    report = run_query(find_conflicts, store, round_ref, plan, team_refs, unit_refs, as_of, pol, manual)
    found, pairs = report.conflicts, report.pairs
    if not show_soft:
        found = [c for c in found if c.severity == "hard"]
    rows = [c.as_dict() for c in found]
    if choose_format(fmt) == "table":
        render(rows, "table", columns=["ground", "severity", "team_id", "unit_id", "inspector_id", "text"],
               headers=CONFLICT_HEADERS)
    else:
        render(rows, fmt, columns=COLUMNS + ["detail"], headers=CONFLICT_HEADERS)
    n_hard = sum(1 for c in found if c.severity == "hard")
    click.echo(f"{len(pairs)} pairs checked as of {report.as_of}: {n_hard} hard conflicts 回避事由, "
               f"{len(found) - n_hard} soft; policy: {pol.source}", err=True)
    sys.exit(1 if n_hard else 0)


# -- plan -------------------------------------------------------------------------------

def _pairs_opt(values, store, what):
    out = []
    for v in values:
        t, sep, u = v.partition("=")
        if not sep:
            raise click.BadParameter(f"{what} {v!r}: write TEAM=UNIT")
        out.append((_raw(store, t, "team"), _raw(store, u, "unit")))
    return out


@click.command()
@click.option("--mode", type=click.Choice(["unit", "rotation", "joint"]), default="unit", show_default=True,
              help="unit: teams → units; rotation 推磨式: regions → regions, then teams → units; "
                   "joint 上下联动: a higher-level lead team plus lower-level teams.")
@click.option("--units", "units_file", type=click.Path(dir_okay=False), default=None,
              help="Units to inspect 待巡察单位: a file of ids (a unit_id column, or one per line).")
@click.option("--region", "region_ref", default=None, metavar="REGION",
              help="Units inside this region 区划 (code or name), with their sub-regions.")
@click.option("--not-inspected-since", "since", default=None, metavar="DATE",
              help="Only units with no inspection in a round starting on or after DATE 未巡察.")
@click.option("--unit-kind", "unit_kinds", multiple=True, metavar="KIND",
              help="Only units of this kind 单位类型 (code or Chinese; repeatable).")
@click.option("--teams", "teams_file", type=click.Path(dir_okay=False), default=None,
              help="Teams available 巡察组: a file of ids, or team_id/cadre_id/role rows giving "
                   "the members too.")
@click.option("--round", "round_ref", default=None, metavar="ROUND",
              help="The round 轮次 being planned: its teams and members, its start as the date, "
                   "its topic 专项主题; without --units, its recorded units.")
@click.option("--scores", "scores_file", type=click.Path(dir_okay=False), default=None,
              help="Scores 匹配度 (team_id, unit_id, score) replacing the built-in affinity.")
@click.option("--topic", default=None, help="The round topic 专项主题 (default: the round's).")
@_policy_option
@_recusals_option
@_ground_mode_option
@click.option("--per-unit", type=click.IntRange(1), default=1, show_default=True,
              help="Teams per unit 每个单位派出巡察组数.")
@click.option("--max-load", type=click.IntRange(1), default=None,
              help="Units per team at most (default: teams.capacity 承担单位数, else 3).")
@click.option("--min-load", type=click.IntRange(0), default=0, show_default=True,
              help="Units per team at least 最少承担单位数.")
@click.option("--pin", "pins", multiple=True, metavar="T=U", help="Put team T on unit U 指定 (repeatable).")
@click.option("--forbid", "forbids", multiple=True, metavar="T=U",
              help="Never put team T on unit U 排除 (repeatable).")
@click.option("--keep", "keep_file", type=click.Path(dir_okay=False), default=None,
              help="A previous plan: change it as little as possible 最小调整 and report what moved.")
@click.option("--seed", type=int, default=None,
              help="Randomise 随机: keep each pairing with probability --cap, then solve exactly.")
@click.option("--cap", type=click.FloatRange(0, 1, min_open=True), default=0.5, show_default=True,
              help="With --seed: the most probability any one pairing can have.")
@click.option("--level", type=click.Choice(["city", "county", "township"]), default="county",
              show_default=True, help="Rotation: the level at which regions are paired.")
@click.option("--groups", "groups_file", type=click.Path(dir_okay=False), default=None,
              help="Rotation: region_id, group rows; pair only within a group 片区.")
@click.option("--single-cycle", is_flag=True, help="Rotation: one cycle A→B→C→…→A (per group).")
@click.option("--mutual", is_flag=True,
              help="Rotation: 互派式, allow A⇄B swaps (turns the reciprocal ground off).")
@click.option("--lead-team", "lead_teams", multiple=True, metavar="TEAM",
              help="Joint: the lead team(s) 牵头组 (default: the highest-level teams).")
@click.option("--why", "why_pair", nargs=2, metavar="TEAM UNIT", default=None,
              help="Explain why TEAM was or was not put on UNIT 说明理由.")
@as_of_option
@click.option("--time-limit", type=float, default=None,
              help="Stop each MILP solve after this many seconds: the best plan found so far is "
                   "returned with status time_limit and its MIP gap.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write to this file (needed for xlsx).")
@workspace_option
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv", "xlsx"]), default=None,
              help="table on a terminal, JSON when piped; csv (assignments) or xlsx (all sheets).")
def plan(mode, units_file, region_ref, since, unit_kinds, teams_file, round_ref, scores_file, topic,
         policy_file, recusals, ground_modes, per_unit, max_load, min_load, pins, forbids, keep_file,
         seed, cap, level, groups_file, single_cycle, mutual, lead_teams, why_pair, as_of,
         time_limit, output, workspace, fmt):
    """The best conflict-free inspection plan 巡察统筹方案, or why there is none.

    Every unit gets --per-unit teams, no team more than its capacity, no pair
    with a hard conflict (see `xuncha conflicts`), pins and forbids honoured;
    among such plans, the one with the highest total score, proven optimal
    (Hungarian algorithm, or HiGHS MILP when --per-unit > 1 or the reciprocal
    rule needs it).  Deterministic unless --seed.

    When no full plan exists the answer is the best partial plan, each
    uncovered unit with every candidate team and what blocks it (a ground,
    --forbid, or capacity), and the rules that, relaxed one at a time, would
    let every unit be covered (exit status 2).

    \b
    xuncha plan --round R2025-1 --region 330102 --not-inspected-since 2022-01-01
    xuncha plan --round R2025-1 --mode rotation --single-cycle
    xuncha plan --round R2025-1 --keep plan.json          # after a late recusal
    xuncha plan --round R2025-1 --why T3 U017
    """
    from ..planning import io as pio
    from ..planning.index import Member, PlanningIndex
    from ..planning.plan import Planner, PlanningError, select_units
    from ..taxonomy import lookup

    store = open_store(workspace)
    pol = _load_policy(policy_file, ground_modes)
    if mutual:
        pol = pol.with_modes(reciprocal="off")
    ix = PlanningIndex(store, pol)
    round_id = _raw(store, round_ref, "round") if round_ref else None
    as_of = parse_date_option(as_of) or (ix.rounds.get(round_id, {}).get("start") if round_id else None)
    # teams and members
    if teams_file:
        team_ids, file_members = pio.read_teams(teams_file)
        team_ids = [_raw(store, t, "team") for t in team_ids]
    elif round_id:
        team_ids, file_members = sorted(ix.members(round_id)), None
        if not team_ids:
            raise PlanningError(f"round 轮次 {round_id} has no team members 巡察组成员; give --teams")
    else:
        raise click.UsageError("give --teams FILE or --round R (the teams available)")
    members: dict[str, list[Member]] = {}
    for t in team_ids:
        if file_members and file_members.get(t):
            members[t] = [Member(c, r) for c, r in file_members[t]]
        elif round_id and t in ix.members(round_id):
            members[t] = list(ix.members(round_id)[t])
        else:
            members[t] = ix.latest_members(t, as_of)[1]
    # units
    if units_file:
        unit_ids = [_raw(store, u, "unit") for u in pio.read_ids(units_file, "unit_id", ("单位编码", "被巡察单位"))]
    elif region_ref or since or unit_kinds:
        region = _raw(store, region_ref, "region") if region_ref else None
        kinds = [lookup("unit_kind", k) for k in unit_kinds]
        unit_ids = select_units(ix, region, parse_date_option(since), kinds)
    elif round_id and any(r == round_id for r, _, _ in ix.history):
        unit_ids = sorted({u for r, _, u in ix.history if r == round_id})
    else:
        raise click.UsageError("give --units FILE, or --region R / --not-inspected-since DATE")
    scores = pio.read_scores(scores_file) if scores_file else None
    keep = None
    if keep_file:
        rows, meta = pio.read_plan_doc(keep_file)
        keep = [(r["team_id"], r["unit_id"]) for r in rows]
    from ..planning.conflicts import ManualRecusal

    manual = ManualRecusal.read(recusals) if recusals else None
    prog, step = _progress("conflicts 回避审查")
    kwargs = dict(as_of=as_of, round_id=round_id, policy=pol, scores=scores, topic=topic, manual=manual,
                  max_load=max_load, min_load=min_load, per_unit=per_unit,
                  pins=_pairs_opt(pins, store, "--pin"), forbids=_pairs_opt(forbids, store, "--forbid"),
                  keep=keep, time_limit=time_limit, progress=step,
                  inspection_mode="cross" if mode == "rotation" else None)
    if prog:
        with prog:
            pl = Planner(ix, team_ids, members, unit_ids, **kwargs)
    else:
        pl = Planner(ix, team_ids, members, unit_ids, **kwargs)
    if why_pair:
        from ..planning.explain import why

        if mode != "unit":
            click.echo("note: --why explains the unit-mode plan", err=True)
        pl.plan(diagnose=False)
        w = why(pl, pl.solution, _raw(store, why_pair[0], "team"), _raw(store, why_pair[1], "unit"))
        f = choose_format(fmt if fmt != "xlsx" else "json")
        if f == "json":
            click.echo(to_json(w.as_dict()))
        else:
            click.echo(w.text)
            if w.team_units or w.unit_teams:
                render(w.team_units + w.unit_teams, f if f != "table" else "table")
        return
    if seed is not None and mode != "unit":
        raise click.UsageError("--seed works in unit mode")
    if keep is not None and mode != "unit":
        raise click.UsageError("--keep works in unit mode")
    if mode == "unit":
        res = pl.plan(seed=seed, cap=cap)
    elif mode == "rotation":
        from ..planning.rotation import rotation_plan

        groups = None
        if groups_file:
            rows = pio.read_rows(groups_file, {"region_id": ("region_id", "区划代码", "区划"),
                                               "group": ("group", "片区", "分组")})
            groups = {r["region_id"]: str(r["group"]) for r in rows if r.get("region_id")}
        res = rotation_plan(pl, level=level, groups=groups, single_cycle=single_cycle)
    else:
        from ..planning.joint import joint_plan

        res = joint_plan(pl, [_raw(store, t, "team") for t in lead_teams])
    # re-check the finished plan with the conflict rules
    pairs = [(a["team_id"].partition(":")[2], a["unit_id"].partition(":")[2]) for a in res.assignments]
    rc = pl.recheck(pairs)
    res.stats["recheck_hard_conflicts"] = sum(1 for c in rc if c.severity == "hard")
    _emit(res, fmt, output)
    _summary(res)
    if res.status != "optimal":
        sys.exit(2)


def _emit(res, fmt, output):
    doc = res.as_dict()
    fmt = fmt or ("xlsx" if output and output.lower().endswith(".xlsx") else None)
    if fmt == "xlsx":
        if not output:
            raise click.UsageError("--format xlsx needs -o FILE.xlsx")
        from ..planning.io import write_xlsx

        sheets = {"assignments 安排": res.assignments}
        if res.unassigned:
            sheets["unassigned 未覆盖"] = [{**u, "reasons": "\n".join(u["reasons"])} for u in res.unassigned]
        if res.pairings:
            sheets["pairings 区划配对"] = res.pairings
        if res.moved:
            sheets["moved 调整"] = res.moved
        if res.relaxations:
            sheets["relaxations 放宽建议"] = res.relaxations
        sheets["summary 概况"] = [{"field": k, "value": v} for k, v in doc.items()
                                 if not isinstance(v, (list, dict))] + [
            {"field": k, "value": str(v)} for k, v in doc["stats"].items()]
        write_xlsx(output, sheets)
        return
    out = open(output, "w", encoding="utf-8") if output else None
    try:
        f = choose_format(fmt, out or sys.stdout) if not output else (fmt or "json")
        if f == "json":
            text = to_json(doc) + "\n"
        elif f == "csv":
            text = to_csv(res.assignments, ["team_id", "unit_id", "score", "team", "unit"])
        else:
            text = None
        if text is not None:
            (out or sys.stdout).write(text)
            return
        cols = ["team_id", "team", "unit_id", "unit", "score"]
        if res.mode == "joint":
            cols.append("role")
        render(res.assignments, "table", columns=cols, title=f"plan 巡察安排 ({res.mode}, {res.status})",
               headers={"team_id": "team 巡察组", "unit_id": "unit 单位", "score": "score 匹配度"})
        if res.pairings:
            render(res.pairings, "table", columns=["from_region", "from", "to_region", "to", "score", "units"],
                   title="region pairings 区划配对")
        if res.unassigned:
            render([{"unit_id": u["unit_id"], "unit": u.get("unit"), "reasons": "\n".join(u["reasons"])}
                    for u in res.unassigned], "table", title="unassigned 未覆盖单位")
        if res.relaxations:
            render(res.relaxations, "table", title="rules that, relaxed, would help 放宽建议")
        if res.moved:
            render([{**m, "reasons": "\n".join(m["reasons"])} for m in res.moved], "table",
                   title="moved 调整")
    finally:
        if out:
            out.close()


def _summary(res):
    s = res.stats
    msg = (f"{res.status}: {len(res.assignments)} assignments, objective 总匹配度 {res.objective:g}, "
           f"{len(res.unassigned)} units uncovered; {s.get('teams')} teams × {s.get('units')} units, "
           f"{s.get('hard_conflict_pairs')} pairs with hard conflicts; method {res.method}")
    if res.moved is not None:
        msg += f"; {len(res.moved)} units moved 调整"
    click.echo(msg, err=True)
    for n in res.notes:
        click.echo(f"note: {n}", err=True)
