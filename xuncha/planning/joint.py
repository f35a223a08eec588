"""Joint 上下联动 inspection: a higher-level lead team with lower-level teams.

On one topic, the higher level's lead team(s) (the teams at the highest
level among those planned, or the ones named) inspect the units at that
level, and the lower-level teams inspect the lower-level units, so the same
kind of unit is covered at both levels in one round.  Every assignment names
its lead team (``lead_team_id``); the plan itself is solved exactly as in unit
mode with the level rule as an extra restriction.

Invariant: a lead team is only on units at its level or above, a lower-level
team only on units below it.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from ..i18n import define, join, msg
from .index import LEVEL_RANK
from .plan import PlanResult, Planner
from .solver import PlanningError, solve


define({"joint.note": ("牵头巡察组：{teams}；上级单位 {upper} 个，下级单位 {lower} 个",
                      "lead team(s): {teams}; {upper} higher-level units, {lower} lower-level units")})


def unit_level(pl: Planner, uid: str) -> int | None:
    d = pl.ix.units.get(uid, {})
    if d.get("level") in LEVEL_RANK:
        return LEVEL_RANK[d["level"]]
    return pl.ix.region_level(d.get("region_id"))


def joint_plan(pl: Planner, lead_teams: Sequence[str] = ()) -> PlanResult:
    levels = [LEVEL_RANK.get(pl.ix.team_level(t)) for t in pl.teams]
    if lead_teams:
        lead = [pl.ti[t] for t in lead_teams if t in pl.ti]
        missing = [t for t in lead_teams if t not in pl.ti]
        if missing:
            raise PlanningError(f"--lead-team {missing[0]} is not among the teams planned")
    else:
        known = [lv for lv in levels if lv is not None]
        if not known:
            raise PlanningError("joint mode needs the teams' levels 层级 (teams.level or home region)")
        top = min(known)
        lead = [i for i, lv in enumerate(levels) if lv == top]
    lead_set = set(lead)
    lower = [i for i in range(len(pl.teams)) if i not in lead_set]
    if not lower:
        raise PlanningError("joint mode 上下联动 needs lower-level teams besides the lead team(s)")
    lead_rank = min((levels[i] for i in lead if levels[i] is not None), default=None)
    if lead_rank is None:
        raise PlanningError("joint mode: the lead team has no level 层级")
    ulv = [unit_level(pl, u) for u in pl.units]
    upper_units = np.array([lv is not None and lv <= lead_rank for lv in ulv])
    mask = np.zeros_like(pl.allowed)
    mask[np.ix_(lead, np.nonzero(upper_units)[0])] = True
    mask[np.ix_(lower, np.nonzero(~upper_units)[0])] = True
    P = pl.problem(allowed=pl.allowed & mask)
    sol = solve(P)
    res = pl.result(sol, "joint")
    lead_ids = [pl.teams[i] for i in lead]
    for row in res.assignments:
        tid = row["team_id"].partition(":")[2]
        row["role"] = "lead" if tid in lead_ids else "linked"
        row["lead_team_id"] = f"team:{lead_ids[0]}" if len(lead_ids) == 1 else [f"team:{t}" for t in lead_ids]
    res.notes.append(msg("joint.note", teams=join(lead_ids, "、", ", "), upper=int(upper_units.sum()),
                         lower=int((~upper_units).sum())))
    return res
