"""Inspection plans 巡察统筹: which team inspects which unit.

:class:`Planner` gathers what a plan needs once — the conflict matrix
(:mod:`.conflicts`), the scores (built-in :mod:`.affinity` or a score
table), team loads, pins, forbids, a previous plan to keep — and solves it
exactly with :mod:`.solver`.  Modes:

- ``unit``: teams → units (:meth:`Planner.plan`);
- ``rotation`` 推磨式: regions → regions, then teams → units inside each
  pairing (:mod:`.rotation`);
- ``joint`` 上下联动: a higher-level lead team takes the higher-level units,
  lower-level teams the lower-level ones, on one topic (:mod:`.joint`).

Every result is a :class:`PlanResult` (``as_dict()`` gives the JSON: keys
``assignments``, ``unassigned``, ``objective``, ``status`` and, depending on
the mode, ``pairings``, ``moved``, ``relaxations``).  An infeasible request
is an answer: the best partial plan, each uncovered unit with every candidate
team and what blocks it, and the rules that, relaxed one at a time, would
let a full plan exist.

Invariants: no assignment has a hard conflict or a ``--forbid``; with no
``seed`` the same input gives the same plan; ``objective`` is the sum of the
assignments' scores.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np

from .conflicts import ConflictChecker, ConflictMatrix, ManualRecusal, check_pairs
from .index import Member, PlanningIndex, today
from .policy import GROUNDS, Policy
from .solver import PlanningError, Problem, Solution, max_coverage, solve

DEFAULT_CAPACITY = 3  # teams inspect 2–3 units a round


@dataclass
class PlanResult:
    mode: str
    status: str
    objective: float
    assignments: list[dict]
    unassigned: list[dict] = field(default_factory=list)
    pairings: list[dict] | None = None
    moved: list[dict] | None = None
    relaxations: list[dict] | None = None
    short_teams: list[dict] = field(default_factory=list)
    method: str = ""
    as_of: str | None = None
    round_id: str | None = None
    policy: str | None = None
    random: dict | None = None
    stats: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    # team -> [{cadre_id, role}]: the members the plan was checked with
    members: dict[str, list[dict]] = field(default_factory=dict)

    def as_dict(self) -> dict:
        d = {"mode": self.mode, "status": self.status, "objective": self.objective,
             "method": self.method, "as_of": self.as_of, "round_id": self.round_id,
             "policy": self.policy, "assignments": self.assignments, "unassigned": self.unassigned}
        for k in ("pairings", "moved", "relaxations", "random"):
            v = getattr(self, k)
            if v is not None:
                d[k] = v
        if self.short_teams:
            d["short_teams"] = self.short_teams
        if self.notes:
            d["notes"] = self.notes
        d["stats"] = self.stats
        if self.members:
            d["members"] = self.members
        return d


class Planner:
    """Everything one planning request needs, built once.

    ``teams``/``units`` are raw ids; ``members`` maps team -> members;
    ``scores`` (optional) maps (team, unit) -> score and replaces the
    built-in affinity (a pair missing from it scores 0).

    >>> pl = Planner(ix, teams, members, units, as_of="2024-03-01")   # doctest: +SKIP
    >>> pl.plan().status                                                # doctest: +SKIP
    'optimal'
    """

    def __init__(self, ix: PlanningIndex, teams: Sequence[str], members: dict[str, list[Member]],
                 units: Sequence[str], as_of: str | None = None, round_id: str | None = None,
                 policy: Policy | None = None, scores: dict | None = None, topic: str | None = None,
                 manual: ManualRecusal | None = None, max_load: int | None = None, min_load: int = 0,
                 per_unit: int = 1, pins: Sequence[tuple[str, str]] = (),
                 forbids: Sequence[tuple[str, str]] = (), keep: Sequence[tuple[str, str]] | None = None,
                 time_limit: float | None = None, progress: Callable | None = None,
                 inspection_mode: str | None = None):
        import time

        self.ix = ix
        self.policy = policy or ix.policy
        self.round_id = round_id
        rd = ix.rounds.get(round_id, {}) if round_id else {}
        self.as_of = as_of or rd.get("start") or today()
        self.topic = topic if topic is not None else rd.get("topic")
        self.teams = list(dict.fromkeys(teams))
        self.units = list(dict.fromkeys(units))
        if not self.teams:
            raise PlanningError("no teams to plan with (没有可用的巡察组): give --teams or --round")
        if not self.units:
            raise PlanningError("no units to plan for (没有待巡察单位): give --units or --region")
        for t in self.teams:
            if t not in ix.teams:
                _unknown(ix, "team", t)
        for u in self.units:
            if u not in ix.units:
                _unknown(ix, "unit", u)
        self.members = {t: list(members.get(t, ())) for t in self.teams}
        self.per_unit = per_unit
        self.ti = {t: i for i, t in enumerate(self.teams)}
        self.uj = {u: j for j, u in enumerate(self.units)}
        self.time_limit = time_limit
        t0 = time.perf_counter()
        self.checker = ConflictChecker(ix, self.as_of, round_id, self.policy, manual, inspection_mode)
        self.cm: ConflictMatrix = self.checker.matrix(self.teams, self.members, self.units, progress)
        t1 = time.perf_counter()
        if scores is None:
            from .affinity import affinity

            base = affinity(ix, self.teams, self.members, self.units, self.as_of, self.topic, self.policy)
            self.score_source = "affinity"
        else:
            base = np.zeros((len(self.teams), len(self.units)))
            for (t, u), s in scores.items():
                if t in self.ti and u in self.uj:
                    base[self.ti[t], self.uj[u]] = s
            self.score_source = "scores file"
        self.base_score = base
        self.score = np.round(base - self.cm.penalty, 6)
        self.forbidden = np.zeros_like(self.cm.hard)
        for t, u in forbids:
            self.forbidden[self._idx(t, u, "--forbid")] = True
        self.pins = [self._idx(t, u, "--pin") for t, u in pins]
        cap = []
        for t in self.teams:
            c = max_load if max_load is not None else ix.teams.get(t, {}).get("capacity")
            cap.append(int(c) if c is not None else DEFAULT_CAPACITY)
        self.max_load = np.array(cap, dtype=int)
        self.min_load = np.minimum(np.full(len(self.teams), int(min_load)), self.max_load)
        self.keep_pairs = None
        if keep is not None:
            self.keep_pairs = [(t, u) for t, u in keep]
        self.timings = {"conflicts_s": round(t1 - t0, 3), "scores_s": round(time.perf_counter() - t1, 3)}
        # the reciprocal rule as regions of teams and units
        self.team_region = self.unit_region = None
        if self.policy.mode("reciprocal") == "hard":
            lvl = self.policy.grounds["reciprocal"].level
            self.team_region = [self.checker.region_key(t, lvl) for t in self.teams]
            self.unit_region = [ix.region_at(ix.unit_region(u), lvl) if ix.unit_region(u) else None
                                for u in self.units]
            if not any(self.team_region):
                self.team_region = self.unit_region = None

    def _idx(self, t: str, u: str, what: str) -> tuple[int, int]:
        if t not in self.ti:
            raise PlanningError(f"{what} {t}={u}: team 巡察组 '{t}' is not among the teams planned")
        if u not in self.uj:
            raise PlanningError(f"{what} {t}={u}: unit 单位 '{u}' is not among the units planned")
        return self.ti[t], self.uj[u]

    @property
    def allowed(self) -> np.ndarray:
        return ~self.cm.hard & ~self.forbidden

    def keep_matrix(self) -> np.ndarray | None:
        if self.keep_pairs is None:
            return None
        K = np.zeros_like(self.cm.hard)
        for t, u in self.keep_pairs:
            if t in self.ti and u in self.uj:
                K[self.ti[t], self.uj[u]] = True
        return K

    def problem(self, allowed: np.ndarray | None = None, **kw) -> Problem:
        args = dict(teams=self.teams, units=self.units, score=self.score,
                    allowed=self.allowed if allowed is None else allowed,
                    max_load=self.max_load, min_load=self.min_load, per_unit=self.per_unit,
                    pins=list(self.pins), keep=self.keep_matrix(), team_region=self.team_region,
                    unit_region=self.unit_region, time_limit=self.time_limit)
        args.update(kw)
        return Problem(**args)

    # -- unit mode -------------------------------------------------------------------
    def plan(self, seed: int | None = None, cap: float = 0.5, diagnose: bool = True) -> PlanResult:
        """The best plan (mode ``unit``); see the module docstring."""
        import time

        t0 = time.perf_counter()
        P = self.problem()
        random_info = None
        if seed is not None:
            sol, random_info = self._random(P, seed, cap)
        else:
            sol = solve(P)
        self.solution = sol
        res = self.result(sol, "unit", diagnose=diagnose)
        res.random = random_info
        res.stats.update({"solve_s": round(time.perf_counter() - t0, 3)})
        return res

    def _random(self, P: Problem, seed: int, cap: float) -> tuple[Solution, dict]:
        """Keep each allowed pairing with probability ``cap``, then solve exactly:
        no pairing (other than pins and kept pairs) is chosen with probability
        above ``cap``."""
        if not 0 < cap <= 1:
            raise PlanningError("--cap must be in (0, 1]")
        rng = np.random.default_rng(seed)
        best = solve(P)
        protect = np.zeros_like(P.allowed)
        for t, u in P.pins:
            protect[t, u] = True
        if P.keep is not None:
            protect |= P.keep
        draws = 0
        sol = None
        for draws in range(1, 21):
            mask = (rng.random(P.allowed.shape) < cap) | protect
            Q = Problem(**{**P.__dict__, "allowed": P.allowed & mask})
            sol = solve(Q)
            if sol.status == "optimal" or best.status != "optimal":
                break
        assert sol is not None
        info = {"seed": seed, "cap": cap, "draws": draws,
                "deterministic_objective": best.objective,
                "note": f"each pairing kept with probability {cap:g} before solving; "
                        "a draw that left no full plan was redrawn"}
        if sol.status != "optimal" and best.status == "optimal":
            info["note"] += "; no draw in 20 gave a full plan: the deterministic plan is returned"
            sol = best
        return sol, info

    # -- results ---------------------------------------------------------------------
    def assignment_rows(self, pairs: Sequence[tuple[int, int]]) -> list[dict]:
        rows = []
        for t, u in pairs:
            soft = [c for c in self.cm.by_pair.get((t, u), ()) if c.severity == "soft"]
            row = {"team_id": f"team:{self.teams[t]}", "unit_id": f"unit:{self.units[u]}",
                   "score": float(self.score[t, u]),
                   "team": self.ix.team_name(self.teams[t]), "unit": self.ix.unit_name(self.units[u])}
            if soft:
                row["penalties"] = sorted({c.ground for c in soft})
            rows.append(row)
        return rows

    def result(self, sol: Solution, mode: str, diagnose: bool = True) -> PlanResult:
        res = PlanResult(mode=mode, status=sol.status, objective=sol.objective,
                         assignments=self.assignment_rows(sol.pairs), method=sol.method,
                         as_of=self.as_of, round_id=self.round_id, policy=self.policy.source)
        used = {self.teams[t] for t, _ in sol.pairs}
        res.members = {f"team:{t}": [{"cadre_id": f"cadre:{m.cadre}", "role": m.role} for m in self.members[t]]
                       for t in self.teams if t in used}
        res.stats = {"teams": len(self.teams), "units": len(self.units),
                     "hard_conflict_pairs": int(self.cm.hard.sum()),
                     "allowed_pairs": int(self.allowed.sum()), "score": self.score_source,
                     "reciprocal_cuts": sol.reciprocal_cuts, "solver_iterations": sol.iterations,
                     "mip_gap": sol.gap,
                     **self.timings}
        if sol.details:  # the reciprocal rule: bound, candidate rounds, the proof of optimality
            res.stats["reciprocal"] = {k: v for k, v in sol.details.items() if k != "allowed_pairs"}
        res.short_teams = [{"team_id": f"team:{self.teams[t]}", "missing": n,
                            "min_load": int(self.min_load[t])} for t, n in sorted(sol.short.items())]
        if sol.uncovered:
            res.unassigned = [self.why_uncovered(j, sol) for j in sorted(sol.uncovered)]
            if diagnose:
                res.relaxations = self.relaxations()
        elif sol.short and diagnose:
            res.relaxations = self.relaxations()
        if self.keep_pairs is not None:
            res.moved = self.moved(sol)
        return res

    def why_uncovered(self, j: int, sol: Solution) -> dict:
        """Every candidate team for unit ``j`` and what keeps it off."""
        load: dict[int, list[int]] = {}
        for t, u in sol.pairs:
            load.setdefault(t, []).append(u)
        cands, reasons = [], []
        for t, tid in enumerate(self.teams):
            grounds = self.cm.grounds(t, j)
            if grounds:
                cs = [c for c in self.cm.by_pair[(t, j)] if c.severity == "hard"]
                cands.append({"team_id": f"team:{tid}", "blocked_by": grounds,
                              "evidence": [c.text for c in cs[:3]]})
                reasons.append(f"{tid}: {'、'.join(GROUNDS[g] + '(' + g + ')' for g in grounds)}")
            elif self.forbidden[t, j]:
                cands.append({"team_id": f"team:{tid}", "blocked_by": ["forbid"]})
                reasons.append(f"{tid}: --forbid")
            elif any(u == j for u in load.get(t, ())):
                continue  # already on this unit (per_unit > 1)
            else:
                units = [f"unit:{self.units[u]}" for u in load.get(t, ())]
                cands.append({"team_id": f"team:{tid}", "blocked_by": ["capacity"],
                              "capacity": int(self.max_load[t]), "units": units})
                reasons.append(f"{tid}: capacity 承担单位数已满 ({len(units)}/{self.max_load[t]})")
        return {"unit_id": f"unit:{self.units[j]}", "unit": self.ix.unit_name(self.units[j]),
                "missing": sol.uncovered[j], "reasons": reasons, "candidates": cands}

    def relaxations(self) -> list[dict]:
        """Which single rule, relaxed, lets every unit be covered (max-flow checks)."""
        need = len(self.units) * self.per_unit
        out = []
        base = max_coverage(self.allowed, self.max_load, self.per_unit)
        hard = [g for g in self.policy.hard() if g != "reciprocal"]

        def without(gs) -> np.ndarray:
            allowed = ~self.forbidden.copy()
            # a pair stays blocked if a hard ground outside ``gs`` blocks it
            for (t, j), cs in self.cm.by_pair.items():
                if any(c.severity == "hard" and c.ground not in gs for c in cs):
                    allowed[t, j] = False
            return allowed

        for g in hard:
            cov = max_coverage(without({g}), self.max_load, self.per_unit)
            if cov > base:
                out.append({"rule": g, "rule_zh": GROUNDS[g], "change": f"set {g} to soft or off",
                            "covered": cov, "needed": need, "sufficient": cov >= need})
        if not any(r["sufficient"] for r in out):
            import itertools

            for a, b in itertools.combinations(hard, 2):
                cov = max_coverage(without({a, b}), self.max_load, self.per_unit)
                if cov >= need:
                    out.append({"rule": f"{a}+{b}", "rule_zh": f"{GROUNDS[a]}+{GROUNDS[b]}",
                                "change": f"set both {a} and {b} to soft or off",
                                "covered": cov, "needed": need, "sufficient": True})
        if self.forbidden.any():
            cov = max_coverage(~self.cm.hard, self.max_load, self.per_unit)
            if cov > base:
                out.append({"rule": "forbid", "rule_zh": "指定排除", "change": "drop the --forbid pairs",
                            "covered": cov, "needed": need, "sufficient": cov >= need})
        for extra in range(1, len(self.units) + 1):
            cov = max_coverage(self.allowed, self.max_load + extra, self.per_unit)
            if cov >= need or extra == len(self.units):
                if cov > base:
                    out.append({"rule": "max_load", "rule_zh": "承担单位数",
                                "change": f"raise every team's capacity by {extra}",
                                "covered": cov, "needed": need, "sufficient": cov >= need})
                break
        if (self.min_load > 0).any():
            P = self.problem(min_load=np.zeros_like(self.min_load))
            s = solve(P)
            if not s.uncovered:
                out.append({"rule": "min_load", "rule_zh": "最少承担单位数", "change": "drop --min-load",
                            "covered": need, "needed": need, "sufficient": True})
        out.sort(key=lambda r: (not r["sufficient"], -r["covered"]))
        return out

    def moved(self, sol: Solution) -> list[dict]:
        """Units whose team changed from the kept plan, and why."""
        new_by_unit: dict[str, list[str]] = {}
        for t, u in sol.pairs:
            new_by_unit.setdefault(self.units[u], []).append(self.teams[t])
        old_by_unit: dict[str, list[str]] = {}
        for t, u in self.keep_pairs or ():
            old_by_unit.setdefault(u, []).append(t)
        rows = []
        for u in sorted(set(old_by_unit) | set(new_by_unit)):
            old, new = sorted(old_by_unit.get(u, [])), sorted(new_by_unit.get(u, []))
            if old == new:
                continue
            why = []
            for t in old:
                if t in new:
                    continue
                if t not in self.ti:
                    why.append(f"{t}: team no longer available 巡察组不再可用")
                elif u not in self.uj:
                    why.append(f"{u}: unit no longer planned 单位不在本次范围")
                else:
                    g = self.cm.grounds(self.ti[t], self.uj[u])
                    if g:
                        why.append(f"{t}: now conflicted 新增回避事由 " + "、".join(g))
                    elif self.forbidden[self.ti[t], self.uj[u]]:
                        why.append(f"{t}: --forbid")
                    else:
                        why.append(f"{t}: moved to cover another unit within capacity 统筹调整")
            if not old:
                why.append("unit not in the previous plan 新增单位")
            rows.append({"unit_id": f"unit:{u}", "from": [f"team:{t}" for t in old],
                         "to": [f"team:{t}" for t in new], "reasons": why})
        return rows

    def recheck(self, pairs: Sequence[tuple[str, str]]):
        """Conflicts of a finished plan (should be none that are hard)."""
        return check_pairs(self.checker, pairs, self.members)


def _unknown(ix: PlanningIndex, kind: str, rid: str):
    import difflib

    pool = list(ix.teams if kind == "team" else ix.units)
    close = difflib.get_close_matches(rid, pool, n=3, cutoff=0.6)
    zh = {"team": "巡察组", "unit": "单位"}[kind]
    msg = f"no {kind} {zh} '{rid}' in the workspace"
    if close:
        msg += f"; did you mean 是否应为: {', '.join(close)}"
    raise PlanningError(msg)


# -- selecting inputs -----------------------------------------------------------

def select_units(ix: PlanningIndex, region: str | None = None, not_inspected_since: str | None = None,
                 kinds: Sequence[str] = ()) -> list[str]:
    """Units inside ``region`` (PART_OF), of ``kinds`` if given, with no recorded
    inspection in a round starting on or after ``not_inspected_since``."""
    last: dict[str, str] = {}
    for r, t, u in ix.history:
        d = ix.rounds.get(r, {}).get("start") or ""
        last[u] = max(last.get(u, ""), d)
    out = []
    for uid, d in ix.units.items():
        if region and not ix.contains(region, d.get("region_id")):
            continue
        if kinds and d.get("unit_kind") not in kinds:
            continue
        if not_inspected_since and last.get(uid, "") >= not_inspected_since:
            continue
        out.append(uid)
    return sorted(out)


def round_teams(ix: PlanningIndex, round_id: str) -> tuple[list[str], dict[str, list[Member]]]:
    m = ix.members(round_id)
    return sorted(m), {t: list(v) for t, v in m.items()}
