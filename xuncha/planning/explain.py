"""Why team T was, or was not, put on unit U 为何如此安排.

:func:`why` compares the optimal plan with the best plan that forces the
pair: the answer is a conflict (with its evidence), a ``--forbid``, a
capacity limit (forcing the pair leaves units uncovered), or a better use of
the team elsewhere (the team's units and scores, and how much the total would
drop).  Invariant: ``cost`` = optimum − optimum with the pair forced ≥ 0.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from .plan import Planner
from .policy import GROUNDS
from .solver import PlanningError, Solution, solve


@dataclass
class Why:
    team_id: str
    unit_id: str
    # assigned / conflict / forbidden / capacity / min_load / keep / better_elsewhere /
    # equal_alternative / pinned_elsewhere
    verdict: str
    text: str
    score: float | None = None
    objective: float | None = None
    objective_if_forced: float | None = None
    cost: float | None = None
    conflicts: list[dict] = field(default_factory=list)
    team_units: list[dict] = field(default_factory=list)  # what the team does in the plan
    unit_teams: list[dict] = field(default_factory=list)  # who inspects the unit in the plan

    def as_dict(self) -> dict:
        return asdict(self)


def why(pl: Planner, sol: Solution, team: str, unit: str) -> Why:
    if team not in pl.ti:
        raise PlanningError(f"--why: team 巡察组 '{team}' is not among the teams planned")
    if unit not in pl.uj:
        raise PlanningError(f"--why: unit 单位 '{unit}' is not among the units planned")
    t, u = pl.ti[team], pl.uj[unit]
    ix = pl.ix
    tn, un = f"{ix.team_name(team)}（{team}）", f"{ix.unit_name(unit)}（{unit}）"
    s = float(pl.score[t, u])
    team_units = [{"unit_id": f"unit:{pl.units[j]}", "unit": ix.unit_name(pl.units[j]),
                   "score": float(pl.score[t, j])} for tt, j in sol.pairs if tt == t]
    unit_teams = [{"team_id": f"team:{pl.teams[i]}", "team": ix.team_name(pl.teams[i]),
                   "score": float(pl.score[i, u])} for i, j in sol.pairs if j == u]
    base = dict(team_id=f"team:{team}", unit_id=f"unit:{unit}", score=s, objective=sol.objective,
                team_units=team_units, unit_teams=unit_teams)
    cs = pl.cm.by_pair.get((t, u), [])
    hard = [c for c in cs if c.severity == "hard"]
    if hard:
        grounds = "、".join(dict.fromkeys(f"{GROUNDS[c.ground]}({c.ground})" for c in hard))
        return Why(verdict="conflict", text=f"{tn}不能巡察{un}：存在回避事由 {grounds}。" +
                   " ".join(c.text for c in hard[:5]), conflicts=[c.as_dict() for c in cs], **base)
    if pl.forbidden[t, u]:
        return Why(verdict="forbidden", text=f"{tn}被 --forbid 排除于{un}。", **base)
    if (t, u) in sol.pairs:
        rank = 1 + int((pl.score[:, u][pl.allowed[:, u]] > s).sum())
        n = int(pl.allowed[:, u].sum())
        soft = [c for c in cs if c.severity == "soft"]
        extra = (" 含酌情扣分: " + "、".join(sorted({c.ground for c in soft}))) if soft else ""
        return Why(verdict="assigned", text=f"{tn}已安排巡察{un}，匹配度 {s:g}（在 {n} 个可用巡察组中排第 {rank}）。{extra}",
                   conflicts=[c.as_dict() for c in soft], **base)
    pinned = [p for p in pl.pins if p[1] == u]
    if pinned and pl.demand[u] == 1:
        return Why(verdict="pinned_elsewhere",
                   text=f"{un}已被 --pin 指定给 {pl.teams[pinned[0][0]]}。", **base)
    full = len(team_units) >= int(pl.max_load[t])
    cap_txt = (f"{tn}已满负荷（承担单位数 capacity {int(pl.max_load[t])}："
               f"{'、'.join(r['unit'] for r in team_units)}），安排它巡察{un}须换下其中一个；") if full else ""
    try:
        forced = solve(pl.problem(pins=list(pl.pins) + [(t, u)]))
    except PlanningError as exc:
        return Why(verdict="capacity", text=f"{cap_txt}不能同时满足：{exc}", **base)
    # Compare the plans in the solver's own order: covered units first, then the
    # teams' minimum loads, then kept pairs, then the score.
    lost_units = sum(forced.uncovered.values()) - sum(sol.uncovered.values())
    lost_min = sum(forced.short.values()) - sum(sol.short.values())
    if lost_units > 0:
        lost = [pl.units[j] for j in sorted(set(forced.uncovered) - set(sol.uncovered))] or \
            [pl.units[j] for j in forced.uncovered]
        return Why(verdict="capacity", objective_if_forced=forced.objective,
                   text=f"{cap_txt}若安排{tn}巡察{un}，承担能力不足，将多出 {lost_units} 个单位无组可派（"
                        f"{', '.join(lost[:5])}）：其余可派的巡察组已满负荷或有回避事由。", **base)
    if lost_min > 0:
        teams = [pl.teams[i] for i in sorted(forced.short)]
        return Why(verdict="min_load", objective_if_forced=forced.objective,
                   text=f"{cap_txt}若安排{tn}巡察{un}，将有巡察组达不到最少承担单位数（{', '.join(teams[:5])}）。",
                   **base)
    if forced.kept < sol.kept:
        return Why(verdict="keep", objective_if_forced=forced.objective,
                   text=f"若安排{tn}巡察{un}，须改动原方案中的 {sol.kept - forced.kept} 处安排（--keep 优先少改动）。",
                   **base)
    cost = max(0.0, round(sol.objective - forced.objective, 6))
    mine = "、".join(f"{r['unit']}({r['score']:g})" for r in team_units) or "无"
    other = "、".join(f"{r['team']}({r['score']:g})" for r in unit_teams) or "无"
    if cost == 0:
        return Why(verdict="equal_alternative", objective_if_forced=forced.objective, cost=0.0,
                   text=f"{cap_txt}安排{tn}巡察{un}的方案同样最优（总匹配度 {forced.objective:g}）；"
                        f"求解器在并列方案中选了现方案。", **base)
    return Why(verdict="better_elsewhere", objective_if_forced=forced.objective, cost=cost,
               text=f"{cap_txt}{tn}对{un}的匹配度为 {s:g}，但该组在最优方案中巡察 {mine}；{un}由 {other} 巡察。"
                    f"强行安排将使总匹配度从 {sol.objective:g} 降至 {forced.objective:g}（减少 {cost:g}）。",
               **base)
