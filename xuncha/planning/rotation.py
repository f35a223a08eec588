"""Rotation 推磨式 cross inspection: pair regions, then teams to units.

Regions are compared at one level (county by default): a team belongs to its
home region when that region sits at the level; a unit to the region at that
level containing its own.  A *pairing* A → B sends region A's teams to every
unit of region B.  The plan:

1. scores every candidate pairing A → B (A ≠ B) by the optimal team → unit
   assignment of A's teams to B's units (all of B's units covered, every
   team within its load, no hard conflict); a pairing where that is
   impossible is not a candidate;
2. chooses pairings (a HiGHS MILP): every region with units receives exactly
   one other region's teams, every region's teams go to at most one region;
   no 2-cycles (A → B and B → A) unless the reciprocal ground is off (互派式);
   pairings only within a group 片区 when groups are given; with
   ``single_cycle`` the regions of each group form one cycle (A → B → C → A),
   enforced by adding subtour cuts until the solution has none;
3. the team → unit assignments of the chosen pairings are the plan.

The total is optimal: given the pairings, the sub-problems are independent,
so the sum of their optima is the best plan with that pairing, and step 2
maximises that sum exactly.

Invariant: no chosen pairing is a 2-cycle unless reciprocal is off; every
assignment lies inside a chosen pairing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..i18n import define, join, msg
from .plan import PlanResult, Planner
from .policy import GROUNDS
from .solver import PlanningError


@dataclass
class SubPlan:
    value: float
    pairs: list[tuple[int, int]]  # global (team index, unit index)


def _sub_assign(score: np.ndarray, allowed: np.ndarray, max_load: np.ndarray,
                min_load: np.ndarray, pinned: dict[int, int] | None = None):
    """Best full cover of the columns (units) by the rows (teams) or None.

    Returns (value, [(row, col)]).  Exact: Hungarian on units × team slots.
    """
    from scipy.optimize import linear_sum_assignment

    T, U = score.shape
    if U == 0:
        return 0.0, []
    if not allowed.any(axis=0).all():
        return None
    slots = np.minimum(max_load, allowed.sum(axis=1)).astype(int)
    if slots.sum() < U or (min_load > slots).any():
        return None
    team_of = np.repeat(np.arange(T), slots)
    offs = np.arange(len(team_of)) - np.repeat(np.cumsum(slots) - slots, slots)
    mand = offs < np.repeat(min_load, slots)
    span = float(np.abs(score).max(initial=0.0)) * 2 * U + 1.0
    M = score[team_of, :].T + span * mand[None, :]
    forbid = -(span * (U + 2) * 4)
    ok = allowed[team_of, :].T
    if pinned:
        for u, t in pinned.items():
            ok[u] &= team_of == t
    M = np.where(ok, M, forbid)
    r, c = linear_sum_assignment(M, maximize=True)
    if not ok[r, c].all():
        return None
    pairs = [(int(team_of[cc]), int(rr)) for rr, cc in zip(r, c)]
    load = np.bincount([t for t, _ in pairs], minlength=T)
    if (load < min_load).any():
        return None
    return float(sum(score[t, u] for t, u in pairs)), pairs


def rotation_plan(pl: Planner, level: str = "county", groups: dict[str, str] | None = None,
                  single_cycle: bool = False) -> PlanResult:
    """A 推磨式 plan over the planner's teams and units (see the module docstring)."""
    import time

    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import coo_matrix

    if (pl.demand != 1).any():
        raise PlanningError("rotation mode plans one team per unit; drop --per-unit and the units "
                            "file's demand 需派组数")
    t0 = time.perf_counter()
    ix, ch = pl.ix, pl.checker
    notes: list[str] = []
    team_reg = [ch.region_key(t, level) for t in pl.teams]
    unit_reg = [ix.region_at(ix.unit_region(u), level) if ix.unit_region(u) else None for u in pl.units]
    givers: dict[str, list[int]] = {}
    for i, r in enumerate(team_reg):
        if r is None:
            notes.append(msg("rotation.no_home", team=pl.teams[i], level=level))
        else:
            givers.setdefault(r, []).append(i)
    receivers: dict[str, list[int]] = {}
    no_region = []
    for j, r in enumerate(unit_reg):
        if r is None:
            no_region.append(j)
        else:
            receivers.setdefault(r, []).append(j)
    groups = groups or {}
    allowed = pl.allowed
    score = pl.score
    pin_t = {u: t for t, u in pl.pins}
    pin_regions = {(team_reg[t], unit_reg[u]) for t, u in pl.pins}
    # 1. candidate pairings
    cand: dict[tuple[str, str], SubPlan] = {}
    why_not: dict[tuple[str, str], str] = {}
    G, R = sorted(givers), sorted(receivers)
    for a in G:
        ta = np.array(givers[a])
        for b in R:
            if a == b:
                continue
            if groups and (groups.get(a) is None or groups.get(a) != groups.get(b)):
                continue
            if any((ra == a) != (rb == b) for ra, rb in pin_regions):
                why_not[(a, b)] = msg("rotation.pinned")
                continue
            ub = np.array(receivers[b])
            sub_ok = allowed[np.ix_(ta, ub)]
            pinned = {k: int(np.nonzero(ta == pin_t[u])[0][0]) for k, u in enumerate(ub)
                      if u in pin_t and pin_t[u] in ta}
            res = _sub_assign(score[np.ix_(ta, ub)], sub_ok, pl.max_load[ta], pl.min_load[ta], pinned)
            if res is None:
                why_not[(a, b)] = _why_pair(pl, ta, ub, sub_ok)
                continue
            val, pairs = res
            cand[(a, b)] = SubPlan(val, [(int(ta[t]), int(ub[u])) for t, u in pairs])
    t1 = time.perf_counter()
    # 2. choose pairings
    keys = sorted(cand)
    K = len(keys)
    no_two = pl.policy.mode("reciprocal") == "hard"
    kidx = {k: i for i, k in enumerate(keys)}
    w = np.array([cand[k].value for k in keys]) if K else np.zeros(0)
    big = float(np.abs(w).sum()) + 1.0
    nR = len(R)
    ridx = {r: i for i, r in enumerate(R)}
    gidx = {g: i for i, g in enumerate(G)}
    nvar = K + nR  # z pairs | slack per receiver
    c = np.concatenate([-w, np.full(nR, big)])
    rows, cols, vals, lo, hi = [], [], [], [], []
    r0 = 0
    for i, (a, b) in enumerate(keys):
        rows.append(r0 + ridx[b]); cols.append(i); vals.append(1.0)
    for b in R:
        rows.append(r0 + ridx[b]); cols.append(K + ridx[b]); vals.append(1.0)
    lo += [1.0] * nR; hi += [1.0] * nR
    r0 += nR
    for i, (a, b) in enumerate(keys):
        rows.append(r0 + gidx[a]); cols.append(i); vals.append(1.0)
    lo += [-np.inf] * len(G); hi += [1.0] * len(G)
    r0 += len(G)
    if no_two:
        for (a, b), i in kidx.items():
            j = kidx.get((b, a))
            if j is not None and a < b:
                rows += [r0, r0]; cols += [i, j]; vals += [1.0, 1.0]
                lo.append(-np.inf); hi.append(1.0)
                r0 += 1
    cuts = 0
    chosen: list[tuple[str, str]] = []
    it = 0
    while True:
        it += 1
        A = coo_matrix((vals, (rows, cols)), shape=(r0, nvar)).tocsr()
        res = milp(c, constraints=LinearConstraint(A, lo, hi), integrality=np.r_[np.ones(K), np.zeros(nR)],
                   bounds=Bounds(np.zeros(nvar), np.ones(nvar)),
                   options={"mip_rel_gap": 0.0, **({"time_limit": pl.time_limit} if pl.time_limit else {})})
        if res.x is None:
            raise PlanningError(f"the region pairing could not be solved (HiGHS: {res.message})")
        chosen = [keys[i] for i in range(K) if res.x[i] > 0.5]
        if not single_cycle:
            break
        succ = dict(chosen)
        new_cuts = 0
        for cyc in _cycles(succ):
            members = {r for r in cyc}
            grp = groups.get(cyc[0]) if groups else None
            whole = {r for r in R if r in givers and (not groups or groups.get(r) == grp)}
            if members != whole:
                for (a, b), i in kidx.items():
                    if a in members and b in members:
                        rows.append(r0); cols.append(i); vals.append(1.0)
                lo.append(-np.inf); hi.append(len(members) - 1.0)
                r0 += 1
                new_cuts += 1
        cuts += new_cuts
        if not new_cuts or it > 500:
            break
    t2 = time.perf_counter()
    pairs = sorted(p for k in chosen for p in cand[k].pairs)
    from .solver import _finish

    sol = _finish(pl.problem(), pairs, "rotation (hungarian per pairing + HiGHS pairing)")
    out = pl.result(sol, "rotation", diagnose=False)
    covered = {b for _, b in chosen}
    # unassigned: explain at the region level
    un = []
    for b in R:
        if b in covered:
            continue
        reasons = []
        for a in G:
            if a == b:
                continue
            if (a, b) in cand:
                used = next((bb for aa, bb in chosen if aa == a), None)
                region = msg("rotation.region", name=ix.region_name(a), id=a)
                if used:
                    reasons.append(msg("rotation.used", region=region,
                                       other=msg("rotation.region", name=ix.region_name(used), id=used)))
                elif no_two and any(aa == b and bb == a for aa, bb in chosen):
                    reasons.append(msg("rotation.two_cycle", region=region, other=b))
                else:
                    reasons.append(msg("rotation.unusable", region=region))
            elif (a, b) in why_not:
                reasons.append(msg("rotation.why_not", region=msg("rotation.region", name=ix.region_name(a), id=a),
                                   why=why_not[(a, b)]))
            elif groups:
                reasons.append(msg("rotation.other_group", region=msg("rotation.region", name=ix.region_name(a), id=a)))
        for j in receivers[b]:
            un.append({"unit_id": f"unit:{pl.units[j]}", "unit": ix.unit_name(pl.units[j]),
                       "region_id": f"region:{b}", "missing": 1, "reasons": reasons})
    for j in no_region:
        un.append({"unit_id": f"unit:{pl.units[j]}", "unit": ix.unit_name(pl.units[j]), "missing": 1,
                   "reasons": [msg("rotation.no_region", level=level)]})
    out.unassigned = un
    if un:
        out.status = "infeasible"
        out.relaxations = _rotation_relaxations(pl, cand, why_not, G, R, no_two, groups, single_cycle)
    elif sol.short:
        out.status = "infeasible"
    out.pairings = []
    for a, b in sorted(chosen):
        sp = cand[(a, b)]
        out.pairings.append({
            "from_region": f"region:{a}", "to_region": f"region:{b}",
            "from": ix.region_name(a), "to": ix.region_name(b), "score": round(sp.value, 6),
            "teams": sorted({f"team:{pl.teams[t]}" for t, _ in sp.pairs}), "units": len(sp.pairs)})
    out.stats.update({"regions_giving": len(G), "regions_receiving": len(R),
                      "candidate_pairings": K, "subtour_cuts": cuts,
                      "pairings_s": round(t1 - t0, 3), "region_milp_s": round(t2 - t1, 3),
                      "cycles": [[f"region:{r}" for r in cyc] for cyc in _cycles(dict(chosen))]})
    out.notes = notes
    return out


def _cycles(succ: dict[str, str]) -> list[list[str]]:
    seen, out = set(), []
    for start in sorted(succ):
        if start in seen:
            continue
        path, cur = [], start
        while cur in succ and cur not in seen and cur not in path:
            path.append(cur)
            cur = succ[cur]
        if cur in path:
            out.append(path[path.index(cur):])
        seen.update(path)
    return out


# Reasons, one template per language (:mod:`xuncha.i18n`).
define({
    "rotation.region": ("{name}（{id}）", "{name} ({id})"),
    "rotation.used": ("{region}：巡察组已派往{other}", "{region}: teams used for {other}"),
    "rotation.two_cycle": ("{region}：将与{other}构成对等互查", "{region}: would make a 2-cycle (reciprocal) with {other}"),
    "rotation.unusable": ("{region}：与其他配对不能同时成立", "{region}: not usable with the other pairings"),
    "rotation.why_not": ("{region}：{why}", "{region}: {why}"),
    "rotation.other_group": ("{region}：属于另一片区", "{region}: another group"),
    "rotation.no_region": ("该单位在{level}层级没有所属区划", "the unit has no region at level {level}"),
    "rotation.pinned": ("--pin 已将巡察组派往别处", "a --pin sends a team elsewhere"),
    "rotation.blocked": ("没有巡察组可以巡察{unit}{more}：{grounds}", "no team may inspect {unit}{more}: {grounds}"),
    "rotation.more": ("等{n}个单位", " and {n} more units"),
    "rotation.capacity": ("承担单位数不足：{capacity} < {units}个单位", "capacity {capacity} < {units} units"),
    "rotation.no_home": ("巡察组{team}在{level}层级没有所属区划，不参加推磨",
                         "team {team} has no home region at level {level}: left out of the rotation"),
    "rotation.relax.pairings": ("这些区划没有可派出的巡察组：{regions}", "regions with no usable giver: {regions}"),
    "rotation.relax.two_cycles": ("允许互派（互派式：将 reciprocal 设为 off）", "allow 2-cycles (set reciprocal off)"),
    "rotation.relax.groups": ("不分片区统筹", "plan without groups"),
    "rotation.relax.cycles": ("允许多个循环", "allow several cycles"),
    "rotation.no_cover": ("这些巡察组的任何安排都覆盖不了全部单位（回避后的承担能力，或 --min-load）",
                          "no assignment of its teams covers every unit (capacity after conflicts, or --min-load)"),
})


def _why_pair(pl: Planner, ta: np.ndarray, ub: np.ndarray, sub_ok: np.ndarray) -> str:
    cap = int(np.minimum(pl.max_load[ta], len(ub)).sum())
    blocked = [j for j in range(len(ub)) if not sub_ok[:, j].any()]
    if blocked:
        j = blocked[0]
        grounds = sorted({g for t in ta for g in pl.cm.grounds(int(t), int(ub[j]))})
        g = join(msg(f"ground.{x}") if x in GROUNDS else x for x in grounds) if grounds else "--forbid"
        more = msg("rotation.more", n=len(blocked) - 1) if len(blocked) > 1 else ""
        return msg("rotation.blocked", unit=pl.units[ub[j]], more=more, grounds=g)
    if cap < len(ub):
        return msg("rotation.capacity", capacity=cap, units=len(ub))
    return msg("rotation.no_cover")


def _rotation_relaxations(pl, cand, why_not, G, R, no_two, groups, single_cycle) -> list[dict]:
    out = []
    lacking = [b for b in R if not any((a, b) in cand for a in G)]
    if lacking:
        out.append({"rule": "pairings", "change": msg("rotation.relax.pairings", regions=join(lacking, "、", ", ")),
                    "sufficient": False})
    if no_two:
        out.append({"rule": "reciprocal", "rule_zh": GROUNDS["reciprocal"],
                    "change": msg("rotation.relax.two_cycles"), "sufficient": None})
    if groups:
        out.append({"rule": "groups", "rule_zh": "片区", "change": msg("rotation.relax.groups"), "sufficient": None})
    if single_cycle:
        out.append({"rule": "single_cycle", "rule_zh": "单一循环", "change": msg("rotation.relax.cycles"),
                    "sufficient": None})
    return out
