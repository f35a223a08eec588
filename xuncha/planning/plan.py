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

from ..i18n import define, join, msg
from .conflicts import ConflictChecker, ConflictMatrix, ManualRecusal, check_pairs
from .index import Member, PlanningIndex, today
from .policy import GROUNDS, Policy
from .solver import PlanningError, Problem, Solution, max_coverage, solve

DEFAULT_CAPACITY = 3  # teams inspect 2–3 units a round


# Reasons and advice, one template per language (:mod:`xuncha.i18n`).
define({
    "plan.blocked": ("{team}：{grounds}", "{team}: {grounds}"),
    "plan.forbidden": ("{team}：--forbid 排除", "{team}: excluded by --forbid"),
    "plan.full": ("{team}：承担单位数已满（{used}/{capacity}）", "{team}: at capacity ({used}/{capacity})"),
    "plan.gone_team": ("{team}：巡察组不再可用", "{team}: team no longer available"),
    "plan.gone_unit": ("{unit}：单位不在本次范围", "{unit}: unit no longer planned"),
    "plan.now_conflicted": ("{team}：新增回避事由 {grounds}", "{team}: now conflicted ({grounds})"),
    "plan.moved": ("{team}：统筹调整，改派其他单位（承担单位数所限）",
                   "{team}: moved to cover another unit within capacity"),
    "plan.new_unit": ("原方案中没有该单位（新增单位）", "unit not in the previous plan"),
    "plan.relax.ground": ("将{ground}设为酌情扣分或关闭（--ground {code}=soft）",
                          "set {ground} to soft or off (--ground {code}=soft)"),
    "plan.relax.reciprocal": ("允许对等互查（--ground reciprocal=off）", "allow reciprocal pairs (--ground reciprocal=off)"),
    "plan.relax.forbid": ("取消 --forbid 指定的排除", "drop the --forbid pairs"),
    "plan.relax.pins": ("取消 --pin 指定的安排", "drop the --pin pairs"),
    "plan.relax.min_load": ("降低最少承担单位数：{changes}", "lower the minimum load of {changes}"),
    "plan.relax.max_load": ("提高承担单位数：{changes}（--load TEAM=MIN:MAX）",
                            "raise the capacity of {changes} (--load TEAM=MIN:MAX)"),
    "plan.relax.max_load_all": ("每个巡察组的承担单位数增加 {k}", "raise every team's capacity by {k}"),
    "plan.relax.pair": ("将{a}和{b}都设为酌情扣分或关闭", "set both {a} and {b} to soft or off"),
    "plan.relax.proof": ("已按此改动重新求解：得到完整方案，总匹配度 {objective}",
                         "re-solved with this change: a full plan, objective {objective}"),
})


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
    round_name: str | None = None
    policy: str | None = None
    random: dict | None = None
    stats: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    # team -> [{cadre_id, role}]: the members the plan was checked with
    members: dict[str, list[dict]] = field(default_factory=dict)

    def as_dict(self) -> dict:
        d = {"mode": self.mode, "status": self.status, "objective": self.objective,
             "method": self.method, "as_of": self.as_of, "round_id": self.round_id,
             "round_name": self.round_name,
             "policy": self.policy, "assignments": self.assignments, "unassigned": self.unassigned}
        for k in ("pairings", "moved", "relaxations", "random"):
            v = getattr(self, k)
            if v is not None:
                d[k] = v
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
                 inspection_mode: str | None = None,
                 loads: dict[str, tuple[int | None, int | None]] | None = None,
                 demand: dict[str, int] | None = None, round_name: str | None = None,
                 round_start: str | None = None):
        import time

        self.ix = ix
        self.policy = policy or ix.policy
        self.round_id = round_id
        rd = ix.rounds.get(round_id, {}) if round_id else {}
        self.round_name = round_name or rd.get("name")
        self.as_of = as_of or round_start or rd.get("start") or today()
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
        self.max_load, self.min_load, self.load_source = self._loads(max_load, min_load, loads or {})
        unknown = sorted(set(demand or {}) - set(self.uj))
        if unknown:
            raise PlanningError(f"the units file gives a demand 需派组数 for unit 单位 '{unknown[0]}', "
                                "which is not among the units planned")
        self.demand = np.array([int((demand or {}).get(u, per_unit)) for u in self.units], dtype=int)
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

    def _loads(self, max_load, min_load, loads) -> tuple[np.ndarray, np.ndarray, list[str]]:
        """(max, min, where each max came from) per team: ``--load``/teams file
        first, then ``--max-load``/``--min-load``, then teams.capacity 承担单位数,
        then the default.  A minimum above the maximum is an error."""
        from ..errors import UsageError

        for t in loads:
            if t not in self.ti:
                raise UsageError(f"--load / teams file: team 巡察组 '{t}' is not among the teams planned")
        mx, mn, src = [], [], []
        for t in self.teams:
            lo, hi = loads.get(t, (None, None))
            if hi is not None:
                c, s = hi, "its own max_load (--load / teams file)"
            elif max_load is not None:
                c, s = max_load, "--max-load"
            elif self.ix.teams.get(t, {}).get("capacity") is not None:
                c, s = self.ix.teams[t]["capacity"], "teams.capacity 承担单位数 in the ledgers"
            else:
                c, s = DEFAULT_CAPACITY, f"the default {DEFAULT_CAPACITY}"
            m, ms = (lo, "its min_load (--load / teams file)") if lo is not None else (min_load, "--min-load")
            c, m = int(c), int(m)
            if m > c:
                raise UsageError(f"{ms} {m} for team 巡察组 {t} is above its capacity 承担单位数 {c} (from {s}): "
                                 f"lower the minimum to at most {c}, or raise the capacity "
                                 f"(--load {t}={m}:{m})")
            mx.append(c)
            mn.append(m)
            src.append(s)
        return np.array(mx, dtype=int), np.array(mn, dtype=int), src

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
                    max_load=self.max_load, min_load=self.min_load,
                    per_unit=self.per_unit if (self.demand == self.per_unit).all() else self.demand,
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
                         as_of=self.as_of, round_id=self.round_id, round_name=self.round_name,
                         policy=self.policy.source)
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
        load = np.bincount([t for t, _ in sol.pairs], minlength=len(self.teams))
        res.short_teams = [{"team_id": f"team:{self.teams[t]}", "team": self.ix.team_name(self.teams[t]),
                            "load": int(load[t]), "min_load": int(self.min_load[t]), "missing": n,
                            "max_load": int(self.max_load[t])} for t, n in sorted(sol.short.items())]
        if sol.uncovered:
            res.unassigned = [self.why_uncovered(j, sol) for j in sorted(sol.uncovered)]
            if diagnose:
                res.relaxations = self.relaxations(sol)
        elif sol.short and diagnose:
            res.relaxations = self.relaxations(sol)
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
                reasons.append(msg("plan.blocked", team=tid, grounds=join(msg(f"ground.{g}") for g in grounds)))
            elif self.forbidden[t, j]:
                cands.append({"team_id": f"team:{tid}", "blocked_by": ["forbid"]})
                reasons.append(msg("plan.forbidden", team=tid))
            elif any(u == j for u in load.get(t, ())):
                continue  # already on this unit (per_unit > 1)
            else:
                units = [f"unit:{self.units[u]}" for u in load.get(t, ())]
                cands.append({"team_id": f"team:{tid}", "blocked_by": ["capacity"],
                              "capacity": int(self.max_load[t]), "units": units})
                reasons.append(msg("plan.full", team=tid, used=len(units), capacity=int(self.max_load[t])))
        return {"unit_id": f"unit:{self.units[j]}", "unit": self.ix.unit_name(self.units[j]),
                "missing": sol.uncovered[j], "reasons": reasons, "candidates": cands}

    def _allowed_without(self, grounds: set[str], forbids: bool = True) -> np.ndarray:
        """The allowed matrix with the hard grounds ``grounds`` relaxed (and the
        --forbid pairs dropped when ``forbids`` is False)."""
        allowed = ~self.forbidden if forbids else np.ones_like(self.forbidden)
        allowed = allowed.copy()
        for (t, j), cs in self.cm.by_pair.items():
            if any(c.severity == "hard" and c.ground not in grounds for c in cs):
                allowed[t, j] = False
        return allowed

    def relaxations(self, sol: Solution | None = None) -> list[dict]:
        """Changes that make a full plan exist, each PROVEN by re-solving the
        whole problem with it (status optimal), smallest change first.

        Candidates: each hard ground that blocks a pair of an uncovered unit or
        a short team (set it to soft/off), the reciprocal rule, the --forbid
        pairs, the pins, the short teams' minimum loads (lowered to what they
        can get), and capacities (the teams that need more, raised by as little
        as the re-solved plan needs; else every team by the least that works).
        Pairs of rules are tried only when no single change is enough, and only
        among rules that block something here.  ``size`` counts what the change
        touches in the re-solved plan (pairs it unblocks that the plan uses,
        units of load, region pairs used both ways, pins dropped).
        """
        import itertools

        sol = sol if sol is not None else getattr(self, "solution", None) or solve(self.problem())
        need = int(self.demand.sum())
        uncovered, short = set(sol.uncovered), set(sol.short)
        hard_order = {g: i for i, g in enumerate(GROUNDS)}
        blocking: dict[str, set[tuple[int, int]]] = {}
        for (t, j), cs in self.cm.by_pair.items():
            if j in uncovered or t in short:
                for c in cs:
                    if c.severity == "hard" and c.ground != "reciprocal":
                        blocking.setdefault(c.ground, set()).add((t, j))
        out: list[dict] = []

        def proven(Q: Problem) -> Solution | None:
            if not short and max_coverage(Q.allowed, Q.max_load, Q.per_unit) < need:
                return None  # a max-flow bound: this change cannot cover every unit
            try:
                s = solve(Q)
            except PlanningError:
                return None
            return s if s.status == "optimal" else None

        def add(rule, rule_zh, change, s: Solution, size: int, rank: int) -> None:
            out.append({"rule": rule, "rule_zh": rule_zh, "change": change, "size": size,
                        "covered": need - sum(s.uncovered.values()), "needed": need, "sufficient": True,
                        "proof": msg("plan.relax.proof", objective=f"{s.objective:g}"),
                        "_rank": rank})

        def used(s: Solution, blocked: set) -> int:
            return sum(1 for p in s.pairs if p in blocked)

        singles = []
        for g in sorted(blocking, key=lambda g: hard_order.get(g, 99)):
            s = proven(self.problem(allowed=self._allowed_without({g})))
            singles.append(g)
            if s is not None:
                add(g, GROUNDS[g], msg("plan.relax.ground", ground=msg(f"ground.{g}"), code=g), s,
                    used(s, blocking[g]), 2)
        if self.team_region is not None:
            s = proven(self.problem(team_region=None, unit_region=None))
            if s is not None:
                from .solver import reciprocal_violations

                add("reciprocal", GROUNDS["reciprocal"], msg("plan.relax.reciprocal"), s,
                    len(reciprocal_violations(self.problem(), s.pairs)) // 2, 2)
        if self.forbidden.any():
            s = proven(self.problem(allowed=self._allowed_without(set(), forbids=False)))
            if s is not None:
                add("forbid", "指定排除", msg("plan.relax.forbid"), s,
                    sum(1 for t, j in s.pairs if self.forbidden[t, j]), 3)
        if self.pins:
            s = proven(self.problem(pins=[]))
            if s is not None:
                add("pins", "指定安排", msg("plan.relax.pins"), s, len(self.pins), 3)
        if short:
            mn = self.min_load.copy()
            for t, n in sol.short.items():
                mn[t] -= n
            s = proven(self.problem(min_load=mn))
            if s is not None:
                lowered = ", ".join(f"{self.teams[t]} {self.min_load[t]}→{mn[t]}" for t in sorted(sol.short))
                add("min_load", "最少承担单位数", msg("plan.relax.min_load", changes=lowered), s,
                    int(sum(sol.short.values())), 0 if not uncovered else 1)
        if uncovered:
            self._capacity(proven, add, need)
        if not out and len(singles) > 1:
            for a, b in itertools.combinations(singles, 2):
                s = proven(self.problem(allowed=self._allowed_without({a, b})))
                if s is not None:
                    add(f"{a}+{b}", f"{GROUNDS[a]}+{GROUNDS[b]}",
                        msg("plan.relax.pair", a=msg(f"ground.{a}"), b=msg(f"ground.{b}")), s,
                        used(s, blocking[a] | blocking[b]), 4)
        out.sort(key=lambda r: (r["size"], r["_rank"], r["rule"]))
        for r in out:
            del r["_rank"]
        return out

    def _capacity(self, proven, add, need: int) -> None:
        """The least capacity raise that a re-solve proves enough: first every
        team by k (the smallest k that works), then only the teams that plan
        needs above their capacity, raised to exactly what it gives them."""
        U = len(self.units)
        lo, hi = 1, max(1, U)
        if max_coverage(self.allowed, self.max_load + hi, self.demand) < need:
            return
        found = None
        while lo <= hi:  # the smallest uniform raise (coverage is monotone in capacity)
            k = (lo + hi) // 2
            s = proven(self.problem(max_load=self.max_load + k))
            if s is not None:
                found, hi = (k, s), k - 1
            else:
                lo = k + 1
        if found is None:
            return
        k, s = found
        load = np.bincount([t for t, _ in s.pairs], minlength=len(self.teams))
        over = np.nonzero(load > self.max_load)[0]
        mx = self.max_load.copy()
        mx[over] = load[over]
        s2 = proven(self.problem(max_load=mx))
        if s2 is not None and len(over) < len(self.teams):
            raised = ", ".join(f"{self.teams[t]} {self.max_load[t]}→{mx[t]}" for t in over)
            add("max_load", "承担单位数", msg("plan.relax.max_load", changes=raised), s2,
                int((mx - self.max_load).sum()), 1)
        else:
            add("max_load", "承担单位数", msg("plan.relax.max_load_all", k=k), s, int(k * len(self.teams)), 1)

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
                    why.append(msg("plan.gone_team", team=t))
                elif u not in self.uj:
                    why.append(msg("plan.gone_unit", unit=u))
                else:
                    g = self.cm.grounds(self.ti[t], self.uj[u])
                    if g:
                        why.append(msg("plan.now_conflicted", team=t, grounds=join(msg(f"ground.{x}") for x in g)))
                    elif self.forbidden[self.ti[t], self.uj[u]]:
                        why.append(msg("plan.forbidden", team=t))
                    else:
                        why.append(msg("plan.moved", team=t))
            if not old:
                why.append(msg("plan.new_unit"))
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
