"""Why team T was, or was not, put on unit U 为何如此安排.

:func:`why` compares the optimal plan with the best plan that forces the
pair: the answer is a conflict (with its evidence), a ``--forbid``, a
capacity limit (forcing the pair leaves units uncovered), or a better use of
the team elsewhere (the team's units and scores, and how much the total would
drop).  Invariant: ``cost`` = optimum − optimum with the pair forced ≥ 0.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from ..i18n import define, join, msg
from .plan import Planner
from . import policy as _policy  # noqa: F401  (defines the ground.* names)
from .solver import PlanningError, Solution, solve


# The answers, one template per language (:mod:`xuncha.i18n`).
define({
    "why.name": ("{name}（{id}）", "{name} ({id})"),
    "why.conflict": ("{team}不能巡察{unit}：存在回避事由 {grounds}。{evidence}",
                     "{team} cannot inspect {unit}: grounds for recusal {grounds}. {evidence}"),
    "why.forbidden": ("{team}被 --forbid 排除于{unit}。", "{team} is excluded from {unit} by --forbid."),
    "why.soft": (" 含酌情扣分: {grounds}", " Soft penalties: {grounds}."),
    "why.assigned": ("{team}已安排巡察{unit}，匹配度 {score}（在 {n} 个可用巡察组中排第 {rank}）。{soft}",
                     "{team} is assigned to {unit}, score {score} (rank {rank} of {n} available teams).{soft}"),
    "why.pinned_elsewhere": ("{unit}已被 --pin 指定给 {team}。", "{unit} is pinned to {team} by --pin."),
    "why.full": ("{team}已满负荷（承担单位数 {capacity}：{units}），安排它巡察{unit}须换下其中一个；",
                 "{team} is at capacity ({capacity}: {units}); putting it on {unit} means dropping one of them; "),
    "why.infeasible": ("{full}不能同时满足：{error}", "{full}the constraints cannot all hold: {error}"),
    "why.capacity": ("{full}若安排{team}巡察{unit}，承担能力不足，将多出 {lost} 个单位无组可派（{units}）："
                     "其余可派的巡察组已满负荷或有回避事由。",
                     "{full}with {team} on {unit}, capacity runs short: {lost} more units would have no team "
                     "({units}); the other eligible teams are full or have grounds for recusal."),
    "why.min_load": ("{full}若安排{team}巡察{unit}，将有巡察组达不到最少承担单位数（{teams}）。",
                     "{full}with {team} on {unit}, some teams would fall below their minimum load ({teams})."),
    "why.keep": ("若安排{team}巡察{unit}，须改动原方案中的 {changes} 处安排（--keep 优先少改动）。",
                 "with {team} on {unit}, {changes} pairs of the previous plan would change (--keep prefers "
                 "fewer changes)."),
    "why.none": ("无", "none"),
    "why.equal": ("{full}安排{team}巡察{unit}的方案同样最优（总匹配度 {objective}）；求解器在并列方案中选了现方案。",
                  "{full}a plan with {team} on {unit} is equally good (total score {objective}); the solver "
                  "chose the current one among equals."),
    "why.better_elsewhere": ("{full}{team}对{unit}的匹配度为 {score}，但该组在最优方案中巡察 {mine}；{unit}由 {other} 巡察。"
                             "强行安排将使总匹配度从 {objective} 降至 {forced}（减少 {cost}）。",
                             "{full}{team} scores {score} on {unit}, but in the optimal plan it inspects {mine}; "
                             "{unit} is inspected by {other}. Forcing the pair lowers the total score from "
                             "{objective} to {forced} (by {cost})."),
})


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
        d = asdict(self)
        d["code"] = getattr(self.text, "code", None)
        d["text"] = self.text  # the i18n.Msg itself (asdict copies), rendered at output
        return d


def why(pl: Planner, sol: Solution, team: str, unit: str) -> Why:
    if team not in pl.ti:
        raise PlanningError(f"--why: team 巡察组 '{team}' is not among the teams planned")
    if unit not in pl.uj:
        raise PlanningError(f"--why: unit 单位 '{unit}' is not among the units planned")
    t, u = pl.ti[team], pl.uj[unit]
    ix = pl.ix
    tn = msg("why.name", name=ix.team_name(team), id=team)
    un = msg("why.name", name=ix.unit_name(unit), id=unit)
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
        grounds = join(msg(f"ground.{g}") for g in dict.fromkeys(c.ground for c in hard))
        return Why(verdict="conflict", text=msg("why.conflict", team=tn, unit=un, grounds=grounds,
                                                evidence=join((c.text for c in hard[:5]), " ", " ")),
                   conflicts=[c.as_dict() for c in cs], **base)
    if pl.forbidden[t, u]:
        return Why(verdict="forbidden", text=msg("why.forbidden", team=tn, unit=un), **base)
    if (t, u) in sol.pairs:
        rank = 1 + int((pl.score[:, u][pl.allowed[:, u]] > s).sum())
        n = int(pl.allowed[:, u].sum())
        soft = [c for c in cs if c.severity == "soft"]
        extra = msg("why.soft", grounds=join(msg(f"ground.{g}") for g in sorted({c.ground for c in soft}))) \
            if soft else ""
        return Why(verdict="assigned", text=msg("why.assigned", team=tn, unit=un, score=f"{s:g}", n=n, rank=rank,
                                                soft=extra),
                   conflicts=[c.as_dict() for c in soft], **base)
    pinned = [p for p in pl.pins if p[1] == u]
    if pinned and pl.demand[u] == 1:
        return Why(verdict="pinned_elsewhere",
                   text=msg("why.pinned_elsewhere", unit=un, team=pl.teams[pinned[0][0]]), **base)
    full = len(team_units) >= int(pl.max_load[t])
    cap_txt = msg("why.full", team=tn, capacity=int(pl.max_load[t]), units=join(r["unit"] for r in team_units),
                  unit=un) if full else ""
    try:
        forced = solve(pl.problem(pins=list(pl.pins) + [(t, u)]))
    except PlanningError as exc:
        return Why(verdict="capacity", text=msg("why.infeasible", full=cap_txt, error=str(exc)), **base)
    # Compare the plans in the solver's own order: covered units first, then the
    # teams' minimum loads, then kept pairs, then the score.
    lost_units = sum(forced.uncovered.values()) - sum(sol.uncovered.values())
    lost_min = sum(forced.short.values()) - sum(sol.short.values())
    if lost_units > 0:
        lost = [pl.units[j] for j in sorted(set(forced.uncovered) - set(sol.uncovered))] or \
            [pl.units[j] for j in forced.uncovered]
        return Why(verdict="capacity", objective_if_forced=forced.objective,
                   text=msg("why.capacity", full=cap_txt, team=tn, unit=un, lost=lost_units,
                            units=join(lost[:5], ", ", ", ")), **base)
    if lost_min > 0:
        teams = [pl.teams[i] for i in sorted(forced.short)]
        return Why(verdict="min_load", objective_if_forced=forced.objective,
                   text=msg("why.min_load", full=cap_txt, team=tn, unit=un, teams=join(teams[:5], ", ", ", ")),
                   **base)
    if forced.kept < sol.kept:
        return Why(verdict="keep", objective_if_forced=forced.objective,
                   text=msg("why.keep", team=tn, unit=un, changes=sol.kept - forced.kept),
                   **base)
    cost = max(0.0, round(sol.objective - forced.objective, 6))
    mine = join(f"{r['unit']}({r['score']:g})" for r in team_units) if team_units else msg("why.none")
    other = join(f"{r['team']}({r['score']:g})" for r in unit_teams) if unit_teams else msg("why.none")
    if cost == 0:
        return Why(verdict="equal_alternative", objective_if_forced=forced.objective, cost=0.0,
                   text=msg("why.equal", full=cap_txt, team=tn, unit=un, objective=f"{forced.objective:g}"),
                   **base)
    return Why(verdict="better_elsewhere", objective_if_forced=forced.objective, cost=cost,
               text=msg("why.better_elsewhere", full=cap_txt, team=tn, unit=un, score=f"{s:g}", mine=mine,
                        other=other, objective=f"{sol.objective:g}", forced=f"{forced.objective:g}",
                        cost=f"{cost:g}"),
               **base)
