"""Exact team → unit assignment 最优分配 and the diagnosis of infeasible problems.

The problem (:class:`Problem`): teams × units with a score matrix, an
``allowed`` matrix (hard conflicts and ``--forbid`` removed), per-team load
bounds, pins, units needing ``per_unit`` teams each and, optionally, the
reciprocal rule (no region pair A→B and B→A in one plan).

The objective is lexicographic, highest tier first:

1. cover as many unit slots as possible (an infeasible problem still gets
   the best partial plan, with the uncovered units listed);
2. meet as many of the teams' minimum loads as possible;
3. keep as many pairs of a previous plan as possible (``--keep``);
4. maximise the total score.

Tiers are weights derived from the score range, so that no amount of a lower
tier can pay for one unit of a higher tier.

Methods (picked per case, both exact):

- ``hungarian``: one unit per team slot, solved by
  :func:`scipy.optimize.linear_sum_assignment` on units × team slots (a team
  of capacity k is k identical columns; its first ``min_load`` columns carry
  the min-load bonus).  Used when ``per_unit == 1``.
- ``milp``: HiGHS through :func:`scipy.optimize.milp` (``mip_rel_gap = 0``),
  used when ``per_unit > 1`` (a unit needs distinct teams) and whenever the
  reciprocal rule has to be enforced.  Reciprocal constraints are added
  lazily: solve, find region pairs used both ways, constrain them, solve
  again, until the plan has none (each round solves a relaxation, so the last
  one is optimal for the whole problem).  The reciprocal rule makes the
  problem genuinely combinatorial: with many region pairs in play (county
  teams spread over a whole province) HiGHS can need minutes; a time limit
  returns the best plan found with status ``time_limit`` and its MIP gap.
  Rotation mode handles region pairing exactly and fast (:mod:`.rotation`).

Invariant: a returned :class:`Solution` never contains a pair outside
``allowed`` and never exceeds a team's ``max_load``; ``status`` is
``optimal`` only when every unit slot is covered and every minimum load met.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from ..errors import XunchaError


class PlanningError(XunchaError):
    """A planning request that cannot be solved as asked (the message says why)."""


@dataclass
class Problem:
    teams: list[str]
    units: list[str]
    score: np.ndarray  # float T×U (soft penalties already subtracted)
    allowed: np.ndarray  # bool T×U
    max_load: np.ndarray  # int T
    min_load: np.ndarray  # int T
    per_unit: int = 1
    pins: list[tuple[int, int]] = field(default_factory=list)
    keep: np.ndarray | None = None  # bool T×U: pairs of a previous plan to keep
    # reciprocal rule: region of each team (None = takes no part) and of each unit
    team_region: list[str | None] | None = None
    unit_region: list[str | None] | None = None
    time_limit: float | None = None

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.teams), len(self.units)

    def check(self) -> None:
        T, U = self.shape
        for a, name in ((self.score, "score"), (self.allowed, "allowed")):
            if a.shape != (T, U):
                raise ValueError(f"{name} has shape {a.shape}, expected {(T, U)}")
        for ti, uj in self.pins:
            if not self.allowed[ti, uj]:
                raise PlanningError(f"pin {self.teams[ti]}={self.units[uj]} is not allowed "
                                    "(a hard conflict or a --forbid): remove the pin or the rule")
        load = np.bincount([t for t, _ in self.pins], minlength=T) if self.pins else np.zeros(T, int)
        over = np.nonzero(load > self.max_load)[0]
        if len(over):
            t = over[0]
            raise PlanningError(f"{load[t]} pins on team {self.teams[t]} exceed its capacity "
                                f"{self.max_load[t]} (承担单位数)")
        per = np.bincount([u for _, u in self.pins], minlength=U) if self.pins else np.zeros(U, int)
        if (per > self.per_unit).any():
            u = int(np.nonzero(per > self.per_unit)[0][0])
            raise PlanningError(f"unit {self.units[u]} has {per[u]} pins but needs only "
                                f"{self.per_unit} team(s)")


@dataclass
class Solution:
    pairs: list[tuple[int, int]]  # (team index, unit index), sorted
    objective: float  # total score of the pairs
    status: str  # optimal / infeasible / time_limit
    method: str
    uncovered: dict[int, int] = field(default_factory=dict)  # unit index -> missing teams
    short: dict[int, int] = field(default_factory=dict)  # team index -> missing load below min
    kept: int = 0
    iterations: int = 1
    reciprocal_cuts: int = 0
    seconds: float = 0.0
    gap: float | None = None  # relative MIP gap when stopped by a time limit (None: proven)

    @property
    def optimal(self) -> bool:
        return self.status == "optimal"


def _tiers(P: Problem) -> tuple[float, float, float]:
    """(W_keep, W_min, W_cover): weights making the objective lexicographic."""
    T, U = P.shape
    hi = np.where(P.allowed, P.score, -np.inf).max(axis=0, initial=-np.inf)
    lo = np.where(P.allowed, P.score, np.inf).min(axis=0, initial=np.inf)
    ok = np.isfinite(hi)
    span = np.where(ok, hi - lo, 0.0)
    top = np.where(ok, np.maximum(np.abs(hi), np.abs(lo)), 0.0)
    r_score = float(P.per_unit * (span.sum() + 2 * top.max(initial=0.0))) + 1.0
    w_keep = r_score if P.keep is not None else 0.0
    r_keep = r_score + w_keep * U * P.per_unit
    w_min = r_keep + 1.0 if (P.min_load > 0).any() else 0.0
    w_cover = r_keep + w_min * 2 + 1.0
    return w_keep, w_min, w_cover


def _finish(P: Problem, pairs: list[tuple[int, int]], method: str, status: str | None = None,
            **kw) -> Solution:
    T, U = P.shape
    pairs = sorted(pairs)
    per = np.bincount([u for _, u in pairs], minlength=U) if pairs else np.zeros(U, int)
    load = np.bincount([t for t, _ in pairs], minlength=T) if pairs else np.zeros(T, int)
    uncovered = {int(j): int(P.per_unit - per[j]) for j in np.nonzero(per < P.per_unit)[0]}
    short = {int(t): int(P.min_load[t] - load[t]) for t in np.nonzero(load < P.min_load)[0]}
    obj = float(round(sum(float(P.score[t, u]) for t, u in pairs), 6))
    kept = int(sum(1 for t, u in pairs if P.keep is not None and P.keep[t, u]))
    if status is None:
        status = "optimal" if not uncovered and not short else "infeasible"
    return Solution(pairs, obj, status, method, uncovered, short, kept, **kw)


def max_coverage(allowed: np.ndarray, max_load: np.ndarray, per_unit: int = 1) -> int:
    """The most unit slots any plan can cover (a max-flow), ignoring scores."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import maximum_flow

    T, U = allowed.shape
    ti, uj = np.nonzero(allowed)
    n = T + U + 2
    src, snk = T + U, T + U + 1
    rows = np.concatenate([np.full(T, src), ti, T + np.arange(U)])
    cols = np.concatenate([np.arange(T), T + uj, np.full(U, snk)])
    caps = np.concatenate([np.minimum(max_load, U).astype(np.int32), np.ones(len(ti), np.int32),
                           np.full(U, per_unit, np.int32)])
    g = csr_matrix((caps.astype(np.int32), (rows, cols)), shape=(n, n))
    return int(maximum_flow(g, src, snk).flow_value)


def _hungarian(P: Problem) -> Solution:
    from scipy.optimize import linear_sum_assignment

    T, U = P.shape
    w_keep, w_min, w_cover = _tiers(P)
    allowed = P.allowed.copy()
    pinned_team = np.full(U, -1)
    for t, u in P.pins:
        pinned_team[u] = t
    value = P.score.astype(float).copy()
    if P.keep is not None:
        value = value + w_keep * P.keep
    value = value + w_cover
    forbid = -(w_cover * (U + 2) + w_min * (T + 2)) - 1.0
    n_allowed = allowed.sum(axis=1)
    n_slots = np.minimum(P.max_load, n_allowed).astype(int)
    n_mand = np.minimum(P.min_load, n_slots).astype(int)
    cols_team = np.repeat(np.arange(T), n_slots)
    # within a team's block, the first n_mand columns are mandatory
    offs = np.arange(len(cols_team)) - np.repeat(np.cumsum(n_slots) - n_slots, n_slots)
    mand = offs < np.repeat(n_mand, n_slots)
    M = value[cols_team, :].T  # U × S
    M = M + w_min * mand[None, :]
    M[~allowed[cols_team, :].T] = forbid
    if (pinned_team >= 0).any():
        rows = np.nonzero(pinned_team >= 0)[0]
        sub = M[rows]
        other = cols_team[None, :] != pinned_team[rows][:, None]
        sub[other] = forbid
        M[rows] = sub
    S = M.shape[1]
    need_slack = S < U or max_coverage(allowed, P.max_load, 1) < U
    if need_slack:
        slack = np.full((U, U), forbid)
        np.fill_diagonal(slack, 0.0)
        slack[pinned_team >= 0, :] = forbid
        M = np.hstack([M, slack])
    r, c = linear_sum_assignment(M, maximize=True)
    pairs = [(int(cols_team[cc]), int(rr)) for rr, cc in zip(r, c)
             if cc < S and M[rr, cc] > forbid / 2]
    return _finish(P, pairs, "hungarian")


def _milp(P: Problem, reciprocal_pairs: set[tuple[str, str]]) -> Solution:
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import coo_matrix

    T, U = P.shape
    w_keep, w_min, w_cover = _tiers(P)
    ti, uj = np.nonzero(P.allowed)
    E = len(ti)
    # variables: x (E) | z_u uncovered (U) | s_t min-load shortfall (T) | y_AB (R)
    regions = sorted({a for a, b in reciprocal_pairs} | {b for a, b in reciprocal_pairs})
    pairs_list = sorted(reciprocal_pairs)
    R = len(pairs_list)
    nvar = E + U + T + R
    c = np.zeros(nvar)
    val = P.score[ti, uj].astype(float)
    if P.keep is not None:
        val = val + w_keep * P.keep[ti, uj]
    c[:E] = -val
    c[E:E + U] = w_cover
    c[E + U:E + U + T] = w_min
    lb = np.zeros(nvar)
    ub = np.ones(nvar)
    ub[E:E + U] = P.per_unit
    ub[E + U:E + U + T] = np.maximum(P.min_load, 0)
    if P.pins:
        eidx = {(int(a), int(b)): k for k, (a, b) in enumerate(zip(ti, uj))}
        for t, u in P.pins:
            lb[eidx[(t, u)]] = 1
    integrality = np.ones(nvar, dtype=np.uint8)
    integrality[E:E + U + T] = 0  # integral anyway given integral x
    rows, cols, vals, lo, hi = [], [], [], [], []
    r0 = 0
    # each unit: sum x + z = per_unit
    rows.append(uj); cols.append(np.arange(E)); vals.append(np.ones(E))
    rows.append(np.arange(U)); cols.append(E + np.arange(U)); vals.append(np.ones(U))
    lo.append(np.full(U, P.per_unit)); hi.append(np.full(U, P.per_unit))
    r0 += U
    # each team: sum x <= max ; sum x + s >= min
    rows.append(r0 + ti); cols.append(np.arange(E)); vals.append(np.ones(E))
    lo.append(np.full(T, -np.inf)); hi.append(P.max_load.astype(float))
    r0 += T
    rows.append(r0 + ti); cols.append(np.arange(E)); vals.append(np.ones(E))
    rows.append(r0 + np.arange(T)); cols.append(E + U + np.arange(T)); vals.append(np.ones(T))
    lo.append(P.min_load.astype(float)); hi.append(np.full(T, np.inf))
    r0 += T
    if R:
        tr = np.array([P.team_region[t] if P.team_region else None for t in ti], dtype=object)
        ur = np.array([P.unit_region[u] if P.unit_region else None for u in uj], dtype=object)
        pidx = {p: k for k, p in enumerate(pairs_list)}
        # for each (A,B) in the set and each unit u of B: sum_{t in A} x_tu <= per_unit * y_AB
        groups: dict[tuple[int, int], list[int]] = {}
        for e in range(E):
            k = pidx.get((tr[e], ur[e]))
            if k is not None:
                groups.setdefault((k, int(uj[e])), []).append(e)
        for n, ((k, u), es) in enumerate(sorted(groups.items())):
            rows.append(np.full(len(es), r0 + n)); cols.append(np.array(es)); vals.append(np.ones(len(es)))
            rows.append(np.array([r0 + n])); cols.append(np.array([E + U + T + k]))
            vals.append(np.array([-float(P.per_unit)]))
        lo.append(np.full(len(groups), -np.inf)); hi.append(np.zeros(len(groups)))
        r0 += len(groups)
        done = set()
        n = 0
        for (a, b), k in pidx.items():
            if (b, a) in pidx and (b, a) not in done:
                done.add((a, b))
                rows.append(np.array([r0 + n, r0 + n])); cols.append(np.array([E + U + T + k, E + U + T + pidx[(b, a)]]))
                vals.append(np.ones(2))
                n += 1
        lo.append(np.full(n, -np.inf)); hi.append(np.ones(n))
        r0 += n
    A = coo_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                   shape=(r0, nvar)).tocsr()
    opts = {"mip_rel_gap": 0.0, "presolve": True}
    if P.time_limit:
        opts["time_limit"] = float(P.time_limit)
    res = milp(c, constraints=LinearConstraint(A, np.concatenate(lo), np.concatenate(hi)),
               integrality=integrality, bounds=Bounds(lb, ub), options=opts)
    if res.x is None:
        hint = ""
        if R:
            hint = (f"; the reciprocal rule 对等互查 over {R // 2 or 1} region pairs makes this hard: "
                    "try --mode rotation, a longer --time-limit, or --ground reciprocal=off")
        raise PlanningError(f"the solver found no plan (HiGHS: {res.message}){hint}")
    x = res.x[:E] > 0.5
    pairs = [(int(a), int(b)) for a, b, on in zip(ti, uj, x) if on]
    status = None if res.status == 0 else "time_limit"
    sol = _finish(P, pairs, "milp", status)
    if status == "time_limit":
        sol.gap = float(getattr(res, "mip_gap", float("nan")))
    return sol


def reciprocal_violations(P: Problem, pairs: Sequence[tuple[int, int]]) -> set[tuple[str, str]]:
    """Region pairs (A, B) used in both directions by ``pairs``."""
    if not P.team_region or not P.unit_region:
        return set()
    flows = set()
    for t, u in pairs:
        a, b = P.team_region[t], P.unit_region[u]
        if a and b and a != b:
            flows.add((a, b))
    return {(a, b) for a, b in flows if (b, a) in flows}


def solve(P: Problem, method: str = "auto") -> Solution:
    """The best plan for ``P`` (see the module docstring); never raises for
    infeasibility: an infeasible problem returns its best partial plan."""
    import time

    P.check()
    t0 = time.perf_counter()
    reciprocal = P.team_region is not None and P.unit_region is not None
    if method == "auto":
        method = "hungarian" if P.per_unit == 1 else "milp"
    if method == "hungarian" and P.per_unit != 1:
        raise PlanningError("the Hungarian method needs --per-unit 1; use the MILP")
    sol = _hungarian(P) if method == "hungarian" else _milp(P, set())
    cuts: set[tuple[str, str]] = set()
    it = 1
    while reciprocal:
        bad = reciprocal_violations(P, sol.pairs)
        if not bad or sol.status == "time_limit":
            break
        cuts |= bad
        sol = _milp(P, cuts)
        it += 1
        if it > 200:  # pragma: no cover - a safety net; each round adds new pairs
            raise PlanningError("reciprocal constraints did not converge")
    sol.iterations = it
    sol.reciprocal_cuts = len(cuts) // 2
    sol.seconds = time.perf_counter() - t0
    return sol
