"""Planning commands: policy, conflicts, plan (回避规则、回避审查、巡察统筹)."""

from __future__ import annotations

import sys

import click

from ..cli import (as_of_option, headers_option, lang_option, open_store, output_options,
                   parse_date_option, uri_option, workspace_option)
from ..output import choose_format, csv_headers, echo, echo_wrapped, render, say, to_csv, to_json

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
    from rich.progress import Progress

    from ..output import bar_columns, console

    prog = Progress(*bar_columns(), console=console(stderr=True), transient=True)
    task = prog.add_task(label, total=None)

    def step(done, total):
        prog.update(task, completed=done, total=total)

    return prog, step


def _raw(store, ref: str, kind: str) -> str:
    from ..planning.neighbourhood import resolve

    return resolve(store, ref, kind).partition(":")[2]


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
@output_options
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
    click.echo(say(f"已审查 {len(pairs)} 对（截至 {report.as_of}）：硬性回避事由 {n_hard} 项，"
                   f"酌情扣分 {len(found) - n_hard} 项；回避规则：{'内置默认' if pol.source == 'built-in default' else pol.source}",
                   f"{len(pairs)} pairs checked as of {report.as_of}: {n_hard} hard conflicts, "
                   f"{len(found) - n_hard} soft; policy: {pol.source}"), err=True)
    sys.exit(1 if n_hard else 0)


# -- plan -------------------------------------------------------------------------------

def _plan_round(store, ref: str | None, start: str | None) -> tuple[str | None, bool]:
    """(raw round id, is it a future round not in the ledgers)."""
    from ..graph.store import NotFound
    from ..planning.neighbourhood import resolve

    if not ref:
        if start:
            raise click.UsageError("--round-start needs --round R (the new round's id 轮次编号)")
        return None, False
    try:
        rid = resolve(store, ref, "round").partition(":")[2]
    except NotFound:
        if not start:
            raise click.UsageError(f"no round 轮次 '{ref}' in the workspace: to plan a future round, "
                                   f"give its start date, e.g. --round {ref} --round-start 2025-03-01") from None
        rid = ref[len("round:"):] if ref.startswith("round:") else ref
        return rid, True
    if start:
        raise click.UsageError(f"round 轮次 {rid} is already in the ledgers: drop --round-start "
                               "(its recorded start is used), or use --as-of to check as of another date")
    return rid, False


def _load_opts(values, store) -> dict:
    """``--load T=MIN:MAX`` (either side may be empty) -> {team: (min, max)}."""
    out = {}
    for v in values:
        t, sep, rng = v.partition("=")
        lo, sep2, hi = rng.partition(":")
        try:
            lo_n = int(lo) if lo.strip() else None
            hi_n = int(hi) if hi.strip() else None
        except ValueError:
            lo_n = hi_n = -1
        if not sep or not sep2 or (lo_n is None and hi_n is None) or (lo_n is not None and lo_n < 0) \
                or (hi_n is not None and hi_n < 1):
            raise click.BadParameter(f"{v!r}: write TEAM=MIN:MAX with whole numbers (MIN ≥ 0, MAX ≥ 1; "
                                     "either may be left out), e.g. T3=1:4", param_hint="--load")
        if lo_n is not None and hi_n is not None and lo_n > hi_n:
            raise click.BadParameter(f"{v!r}: the minimum {lo_n} is above the maximum {hi_n}",
                                     param_hint="--load")
        out[_raw(store, t.strip(), "team")] = (lo_n, hi_n)
    return out


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
              help="Units to inspect 待巡察单位: a file of ids (one per line), or a table "
                   "(CSV/XLSX/JSONL/YAML) with unit_id 单位编码 and optionally demand 需派组数: teams "
                   "that unit needs (e.g. 2 for a joint inspection 联合巡察; others take --per-unit).")
@click.option("--region", "region_ref", default=None, metavar="REGION",
              help="Units inside this region 区划 (code or name), with their sub-regions.")
@click.option("--not-inspected-since", "since", default=None, metavar="DATE",
              help="Only units with no inspection in a round starting on or after DATE 未巡察.")
@click.option("--unit-kind", "unit_kinds", multiple=True, metavar="KIND",
              help="Only units of this kind 单位类型 (code or Chinese; repeatable).")
@click.option("--teams", "teams_file", type=click.Path(dir_okay=False), default=None,
              help="Teams available 巡察组: a file of ids, or a table (CSV/XLSX/JSONL/YAML) with "
                   "team_id and any of cadre_id/role (the members 成员), min_load 最少承担单位数 and "
                   "max_load 最多承担单位数 (per-team load bounds).")
@click.option("--round", "round_ref", default=None, metavar="ROUND",
              help="The round 轮次 being planned: its teams and members, its start as the date, "
                   "its topic 专项主题; without --units, its recorded units.  A round not yet in the "
                   "ledgers needs --round-start.")
@click.option("--round-start", "round_start", default=None, metavar="DATE",
              help="Plan a future round 新轮次 not yet in the ledgers: its start date 开始时间 (the "
                   "date conflicts are checked as of).  Without --teams, every team takes part with "
                   "its latest members.")
@click.option("--round-name", "round_name", default=None, metavar="NAME",
              help="The future round's name 轮次名称 (recorded in the plan).")
@click.option("--round-kind", "round_kind", default=None, metavar="KIND",
              help="The future round's kind 巡察类型: regular 常规, special 专项, mobile 机动, "
                   "lookback 回头看, upgraded 提级, cross 交叉, linked 联动 (the local ground 本地巡察 "
                   "applies to cross rounds only; with no kind the plan counts as cross).")
@click.option("--scores", "scores_file", type=click.Path(dir_okay=False), default=None,
              help="Scores 匹配度 (team_id, unit_id, score) replacing the built-in affinity.")
@click.option("--topic", default=None, help="The round topic 专项主题 (default: the round's).")
@_policy_option
@_recusals_option
@_ground_mode_option
@click.option("--per-unit", type=click.IntRange(1), default=1, show_default=True,
              help="Teams per unit 每个单位派出巡察组数.")
@click.option("--max-load", type=click.IntRange(1), default=None,
              help="Units per team at most 最多承担单位数 (default: teams.capacity 承担单位数, else 3).")
@click.option("--min-load", type=click.IntRange(0), default=0, show_default=True,
              help="Units per team at least 最少承担单位数; above a team's capacity it is an error.")
@click.option("--load", "loads", multiple=True, metavar="T=MIN:MAX",
              help="One team's load bounds 承担单位数上下限, e.g. T3=1:4, T3=:4 or T3=2: "
                   "(repeatable; over --min-load/--max-load and the teams file).")
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
              help="table on a terminal, JSON when piped; csv (assignments, then uncovered units and "
                   "short teams 未达最少承担单位数 with a note) or xlsx (all sheets).")
@headers_option
@lang_option
def plan(mode, units_file, region_ref, since, unit_kinds, teams_file, round_ref, scores_file, topic,
         policy_file, recusals, ground_modes, per_unit, max_load, min_load, loads, pins, forbids, keep_file,
         seed, cap, level, groups_file, single_cycle, mutual, lead_teams, why_pair, as_of,
         time_limit, output, workspace, fmt, round_start=None, round_name=None, round_kind=None):
    """The best conflict-free inspection plan 巡察统筹方案, or why there is none.

    Every unit gets --per-unit teams, no team more than its capacity, no pair
    with a hard conflict (see `xuncha conflicts`), pins and forbids honoured;
    among such plans, the one with the highest total score, proven optimal
    (Hungarian algorithm, or HiGHS MILP when --per-unit > 1 or the reciprocal
    rule needs it).  Deterministic unless --seed.

    When no full plan exists the answer is the best partial plan, each
    uncovered unit with every candidate team and what blocks it (a ground,
    --forbid, or capacity), the teams below their minimum load (short
    teams 未达最少承担单位数), and the changes that a re-solve proves make
    a full plan exist (rules, --forbid, pins, minimum loads, capacities),
    smallest change first (exit status 3, infeasible).

    \b
    xuncha plan --round R2025-1 --round-start 2025-03-01 --round-kind 常规 --region 381022 --not-inspected-since 2022-01-01
    xuncha plan --round R2021-1 --load T1=1:2 -o plan.json
    xuncha plan --round R2021-1 --keep plan.json --forbid T2=0101   # after a late recusal
    xuncha plan --round R2021-1 --why T3 0101
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
    round_id, new_round = _plan_round(store, round_ref, round_start)
    round_start = parse_date_option(round_start)
    if (round_name or round_kind) and not new_round:
        raise click.UsageError("--round-name and --round-kind describe a future round: use them with "
                               "--round R --round-start DATE")
    if new_round:  # the future round, in memory only (nothing is written to the ledgers)
        ix.add_round(round_id, round_start, round_name, lookup("round_kind", round_kind) if round_kind else None,
                     topic)
    as_of = parse_date_option(as_of) or round_start or (
        ix.rounds.get(round_id, {}).get("start") if round_id else None)
    # teams, members, load bounds
    file_loads: dict = {}
    if teams_file:
        team_ids, file_members, file_loads = pio.read_teams(teams_file)
        team_ids = [_raw(store, t, "team") for t in team_ids]
        file_loads = {_raw(store, t, "team"): v for t, v in file_loads.items()}
        if file_members:
            file_members = {_raw(store, t, "team"): v for t, v in file_members.items()}
    elif round_id and not new_round:
        team_ids, file_members = sorted(ix.members(round_id)), None
        if not team_ids:
            raise PlanningError(f"round 轮次 {round_id} has no team members 巡察组成员; give --teams")
    elif new_round:
        team_ids, file_members = sorted(ix.teams), None  # every team, with its latest members
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
    team_loads = {**file_loads, **_load_opts(loads, store)}
    # units and their demand
    demand: dict = {}
    if units_file:
        ids, demand = pio.read_units(units_file)
        unit_ids = [_raw(store, u, "unit") for u in ids]
        demand = {_raw(store, u, "unit"): n for u, n in demand.items()}
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
                  max_load=max_load, min_load=min_load, per_unit=per_unit, loads=team_loads, demand=demand,
                  round_name=round_name, round_start=round_start,
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
            click.echo(say("注：--why 解释的是按单位安排的方案", "note: --why explains the unit-mode plan"), err=True)
        pl.plan(diagnose=False)
        w = why(pl, pl.solution, _raw(store, why_pair[0], "team"), _raw(store, why_pair[1], "unit"))
        f = choose_format(fmt if fmt != "xlsx" else "json")
        if f == "json":
            click.echo(to_json(w.as_dict()))
        else:
            echo_wrapped(w.text)
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
    if round_name:
        res.round_name = round_name
    _emit(res, fmt, output)
    _summary(res)
    if res.unassigned or res.short_teams:
        from ..errors import EXIT_INFEASIBLE

        sys.exit(EXIT_INFEASIBLE)


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
        if res.short_teams:
            sheets["short teams 未达最少"] = res.short_teams
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
            text = to_csv(_csv_rows(res), ["team_id", "unit_id", "score", "team", "unit", "note"],
                          headers=PLAN_HEADERS, header_lang=csv_headers())
        else:
            text = None
        if text is not None:
            (out or sys.stdout).write(text)
            return
        cols = ["team_id", "team", "unit_id", "unit", "score"]
        if res.mode == "joint":
            cols.append("role")
        render(res.assignments, "table", columns=cols, title=say(f"巡察安排（{res.mode}，{STATUS_ZH.get(res.status, res.status)}）", f"plan ({res.mode}, {res.status})"),
               headers=PLAN_HEADERS)
        if res.pairings:
            render(res.pairings, "table", columns=["from_region", "from", "to_region", "to", "score", "units"],
                   title=say("区划配对", "region pairings"))
        if res.unassigned:
            render([{"unit_id": u["unit_id"], "unit": u.get("unit"), "reasons": "\n".join(u["reasons"])}
                    for u in res.unassigned], "table", title=say("未覆盖单位", "unassigned units"))
        if res.short_teams:
            render(res.short_teams, "table", columns=["team_id", "team", "load", "min_load", "missing", "max_load"],
                   title=say("未达最少承担单位数的巡察组", "teams below their minimum load"), headers=PLAN_HEADERS)
        if res.relaxations:
            render(res.relaxations, "table", columns=["rule", "rule_zh", "change", "size", "proof"],
                   title=say("放宽建议（经重新求解验证，改动小者在前）", "changes proven to give a full plan (smallest first)"),
                   headers=PLAN_HEADERS)
        if res.moved:
            render([{**m, "reasons": "\n".join(m["reasons"])} for m in res.moved], "table",
                   title=say("调整", "moved"))
    finally:
        if out:
            out.close()


STATUS_ZH = {"optimal": "最优", "infeasible": "无可行方案", "time_limit": "超时（非最优）"}

PLAN_HEADERS = {
    "team_id": "team 巡察组", "unit_id": "unit 单位", "score": "score 匹配度", "team": "team name 巡察组名称",
    "unit": "unit name 单位名称", "note": "note 说明", "load": "load 承担单位数", "min_load": "min 最少",
    "max_load": "max 最多", "missing": "missing 差额", "rule": "change 放宽", "rule_zh": "放宽项",
    "change": "what to do 做法", "size": "size 改动量", "proof": "proof 验证",
}


def _csv_rows(res) -> list[dict]:
    """Assignments, then one row per uncovered unit and per short team (a note says which)."""
    rows = [dict(a) for a in res.assignments]
    for u in res.unassigned:
        rows.append({"team_id": "", "unit_id": u["unit_id"], "unit": u.get("unit"),
                     "note": say(f"未覆盖：还需 {u['missing']} 个巡察组", f"uncovered: needs {u['missing']} more team(s)")})
    for t in res.short_teams:
        rows.append({"team_id": t["team_id"], "unit_id": "", "team": t.get("team"),
                     "note": say(f"未达最少承担单位数：{t['load']}，最少 {t['min_load']}",
                                 f"below the minimum load: {t['load']} of minimum {t['min_load']}")})
    return rows


def _summary(res):
    s = res.stats
    status_zh = STATUS_ZH.get(res.status, res.status)
    msg = say(f"{status_zh}：安排 {len(res.assignments)} 项，总匹配度 {res.objective:g}，"
              f"未覆盖单位 {len(res.unassigned)} 个；{s.get('teams')} 个巡察组 × {s.get('units')} 个单位，"
              f"有硬性回避事由的组合 {s.get('hard_conflict_pairs')} 对；方法 {res.method}",
              f"{res.status}: {len(res.assignments)} assignments, objective {res.objective:g}, "
              f"{len(res.unassigned)} units uncovered; {s.get('teams')} teams × {s.get('units')} units, "
              f"{s.get('hard_conflict_pairs')} pairs with hard conflicts; method {res.method}")
    if res.short_teams:
        msg += say(f"；{len(res.short_teams)} 个巡察组未达最少承担单位数",
                   f"; {len(res.short_teams)} teams below their minimum load")
    if res.moved is not None:
        msg += say(f"；调整 {len(res.moved)} 个单位", f"; {len(res.moved)} units moved")
    click.echo(msg, err=True)
    for n in res.notes:
        click.echo(say(f"注：{n}", f"note: {n}"), err=True)
