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

Methods (picked per case, all exact):

- ``hungarian``: one unit per team slot, solved by
  :func:`scipy.optimize.linear_sum_assignment` on units × team slots (a team
  of capacity k is k identical columns; its first ``min_load`` columns carry
  the min-load bonus).  Used when ``per_unit == 1``.
- ``milp``: HiGHS through :func:`scipy.optimize.milp` (``mip_rel_gap = 0``),
  used when ``per_unit > 1`` (a unit needs distinct teams).
- the reciprocal rule 对等互查 (:class:`_Reciprocal`): solve the relaxed
  assignment exactly; its cost bounds every plan and its reduced costs
  bound what each pair can lose against it.  HiGHS then solves the MILP on
  the pairs that lose at most ``δ`` with an orientation binary for every
  region pair they use both ways; a plan within ``δ`` of the bound is
  optimal for the whole problem (no other pair can do better).  Otherwise
  the LP over the pairs that could still beat it, with those region pairs
  oriented, gives a stronger bound (often proving the plan optimal), an
  incumbent by rounding its orientations, and reduced costs that drop more
  pairs; a last MILP on what is left decides.  At province scale (300 teams
  × 2,000 units, 99 counties) ~33k of 581k pairs remain.
  A ``time_limit`` per MILP returns the best rule-abiding plan with status
  ``time_limit`` and its gap to the bound.

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
    details: dict = field(default_factory=dict)  # solver figures (LP/MILP solves, columns, proof)

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


# -- the MILP model ------------------------------------------------------------------

class _Model:
    """The MILP of a :class:`Problem`, built with any set of reciprocal cuts.

    Variables: ``x`` (one per allowed pair, E) | ``z_u`` uncovered slots (U) |
    ``s_t`` min-load shortfall (T) | ``y_AB`` orientation of each cut region
    pair (R).  Minimised: ``-value·x + w_cover·z + w_min·s``.  Rows:
    ``Σ_t x_tu + z_u = per_unit``; ``Σ_u x_tu ≤ max_t``; ``-Σ_u x_tu - s_t ≤ -min_t``;
    for each cut pair (A, B) and unit u of B: ``Σ_{t∈A} x_tu - per_unit·y_AB ≤ 0``;
    ``y_AB + y_BA ≤ 1``.  Without cuts the matrix is totally unimodular, so a
    vertex of the LP is an integral plan.
    """

    def __init__(self, P: Problem):
        T, U = P.shape
        self.P = P
        w_keep, self.w_min, self.w_cover = _tiers(P)
        ti, uj = np.nonzero(P.allowed)
        self.ti, self.uj, self.E = ti, uj, len(ti)
        self.lin = ti.astype(np.int64) * U + uj  # sorted (row-major nonzero)
        val = P.score[ti, uj].astype(float)
        if P.keep is not None:
            val = val + w_keep * P.keep[ti, uj]
        self.val = val
        names = sorted({r for r in (P.team_region or ()) if r} | {r for r in (P.unit_region or ()) if r})
        self.regions = names
        code = {r: i for i, r in enumerate(names)}
        tr = np.array([code[r] if r else -1 for r in (P.team_region or [None] * T)], dtype=np.int64)
        ur = np.array([code[r] if r else -1 for r in (P.unit_region or [None] * U)], dtype=np.int64)
        self.tr, self.ur = tr, ur
        self.etr, self.eur = tr[ti], ur[uj]
        NR = max(len(names), 1)
        flow = (self.etr >= 0) & (self.eur >= 0) & (self.etr != self.eur)
        self.epair = np.where(flow, self.etr * NR + self.eur, -1)  # ordered region pair code, -1: none
        self.NR = NR
        self.pins = np.array([self.edge(t, u) for t, u in P.pins], dtype=np.int64)

    def edge(self, t: int, u: int) -> int:
        k = int(t) * self.P.shape[1] + int(u)
        i = int(np.searchsorted(self.lin, k))
        if i >= self.E or self.lin[i] != k:
            raise KeyError((t, u))
        return i

    def edges(self, pairs: Sequence[tuple[int, int]]) -> np.ndarray:
        if not len(pairs):
            return np.zeros(0, dtype=np.int64)
        a = np.asarray(pairs, dtype=np.int64)
        return np.searchsorted(self.lin, a[:, 0] * self.P.shape[1] + a[:, 1])

    def pairs(self, xon: np.ndarray) -> list[tuple[int, int]]:
        e = np.nonzero(xon)[0]
        return [(int(a), int(b)) for a, b in zip(self.ti[e], self.uj[e])]

    def cost(self, pairs: Sequence[tuple[int, int]]) -> float:
        """The minimised objective of a plan (with its z and s at their best)."""
        P = self.P
        T, U = P.shape
        e = self.edges(pairs)
        per = np.bincount(self.uj[e], minlength=U)
        load = np.bincount(self.ti[e], minlength=T)
        return float(-self.val[e].sum() + self.w_cover * np.maximum(P.per_unit - per, 0).sum()
                     + self.w_min * np.maximum(P.min_load - load, 0).sum())

    def violations(self, pairs: Sequence[tuple[int, int]]) -> set[int]:
        """Ordered region pair codes used in both directions by ``pairs``."""
        e = self.edges(pairs)
        codes = set(int(c) for c in np.unique(self.epair[e]) if c >= 0)
        NR = self.NR
        return {c for c in codes if (c % NR) * NR + c // NR in codes}

    def build(self, cuts: Sequence[int] = ()) -> "_Built":
        from scipy.sparse import coo_matrix

        P = self.P
        T, U = P.shape
        E, ti, uj = self.E, self.ti, self.uj
        cuts = np.array(sorted(cuts), dtype=np.int64)
        R = len(cuts)
        nvar = E + U + T + R
        c = np.concatenate([-self.val, np.full(U, self.w_cover), np.full(T, self.w_min), np.zeros(R)])
        lb = np.zeros(nvar)
        ub = np.ones(nvar)
        ub[E:E + U] = P.per_unit
        ub[E + U:E + U + T] = np.maximum(P.min_load, 0)
        lb[self.pins] = 1
        integ = np.ones(nvar, dtype=np.uint8)
        integ[E:E + U + T] = 0  # integral anyway given integral x
        ar = np.arange(E)
        # equalities: each unit
        Aeq = coo_matrix((np.ones(E + U), (np.concatenate([uj, np.arange(U)]),
                                           np.concatenate([ar, E + np.arange(U)]))), shape=(U, nvar))
        beq = np.full(U, float(P.per_unit))
        rows, cols, vals, rhs = [ti, T + ti, T + np.arange(T)], [ar, ar, E + U + np.arange(T)], \
            [np.ones(E), -np.ones(E), -np.ones(T)], [P.max_load.astype(float), -P.min_load.astype(float)]
        r0 = 2 * T
        if R:
            k = np.searchsorted(cuts, self.epair)
            k = np.minimum(k, R - 1)
            hit = cuts[k] == self.epair
            es = np.nonzero(hit)[0]
            key = k[es] * U + uj[es]
            uniq, inv = np.unique(key, return_inverse=True)
            rows += [r0 + inv, r0 + np.arange(len(uniq))]
            cols += [es, E + U + T + uniq // U]
            vals += [np.ones(len(es)), np.full(len(uniq), -float(P.per_unit))]
            rhs.append(np.zeros(len(uniq)))
            r0 += len(uniq)
            NR = self.NR
            rev = (cuts % NR) * NR + cuts // NR
            kr = np.searchsorted(cuts, rev)
            both = (kr < R) & (cuts[np.minimum(kr, R - 1)] == rev) & (np.arange(R) < kr)
            a = np.nonzero(both)[0]
            n = len(a)
            rows += [r0 + np.arange(n), r0 + np.arange(n)]
            cols += [E + U + T + a, E + U + T + kr[a]]
            vals += [np.ones(n), np.ones(n)]
            rhs.append(np.ones(n))
            r0 += n
        Aub = coo_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                         shape=(r0, nvar))
        return _Built(self, cuts, nvar, c, lb, ub, integ, Aeq.tocsc(), beq, Aub.tocsc(),
                      np.concatenate(rhs))


@dataclass
class _Built:
    model: _Model
    cuts: np.ndarray
    nvar: int
    c: np.ndarray
    lb: np.ndarray
    ub: np.ndarray
    integ: np.ndarray
    Aeq: object
    beq: np.ndarray
    Aub: object
    bub: np.ndarray

    def cols(self, xon: np.ndarray) -> np.ndarray:
        E = self.model.E
        return np.concatenate([np.nonzero(xon)[0], np.arange(E, self.nvar)])

    def lp(self, xon: np.ndarray, ub: np.ndarray | None = None, max_rounds: int = 50):
        """The LP relaxation over every column, by column generation from ``xon``.

        Returns (x over all columns, Lagrangian lower bound, reduced costs d,
        rounds).  The bound is valid for ANY dual vector (it is recomputed from
        the duals over all columns), so it is a proof even if pricing stopped
        early; ``d`` gives reduced-cost fixing: a plan with ``x_j = 1`` costs at
        least ``bound + max(d_j, 0)``.
        """
        from scipy.optimize import linprog

        E = self.model.E
        ub = self.ub if ub is None else ub
        xon = xon & (ub[:E] > 0)
        for rounds in range(1, max_rounds + 1):
            cols = self.cols(xon)
            res = linprog(self.c[cols], A_ub=self.Aub[:, cols], b_ub=self.bub, A_eq=self.Aeq[:, cols],
                          b_eq=self.beq, bounds=np.column_stack([self.lb[cols], ub[cols]]),
                          method="highs-ds")
            if res.status != 0:
                raise PlanningError(f"the LP relaxation failed (HiGHS: {res.message})")
            yeq = np.asarray(res.eqlin.marginals)
            yub = np.minimum(np.asarray(res.ineqlin.marginals), 0.0)
            d = self.c - self.Aeq.T @ yeq - self.Aub.T @ yub
            neg = (d[:E] < -1e-9) & ~xon & (ub[:E] > 0)
            if not neg.any():
                break
            idx = np.nonzero(neg)[0]
            if len(idx) > 4 * self.model.P.shape[1]:
                idx = idx[np.argsort(d[idx], kind="stable")[:4 * self.model.P.shape[1]]]
            xon = xon.copy()
            xon[idx] = True
        bound = float(self.beq @ yeq + self.bub @ yub + np.minimum(d * self.lb, d * ub).sum())
        x = np.zeros(self.nvar)
        x[cols] = res.x
        return x, bound, d, rounds

    def milp(self, xon: np.ndarray, time_limit: float | None):
        from scipy.optimize import Bounds, LinearConstraint, milp

        cols = self.cols(xon)
        opts = {"mip_rel_gap": 0.0, "presolve": True}
        if time_limit:
            opts["time_limit"] = float(time_limit)
        res = milp(self.c[cols], integrality=self.integ[cols], bounds=Bounds(self.lb[cols], self.ub[cols]),
                   constraints=[LinearConstraint(self.Aeq[:, cols], self.beq, self.beq),
                                LinearConstraint(self.Aub[:, cols], -np.inf, self.bub)], options=opts)
        x = None
        if res.x is not None:
            x = np.zeros(self.nvar)
            x[cols] = res.x
        return res, x


def _milp(P: Problem, reciprocal_pairs: set[tuple[str, str]] = frozenset()) -> Solution:
    """Every allowed pair as a binary, solved by HiGHS (per_unit > 1)."""
    M = _Model(P)
    code = {r: i for i, r in enumerate(M.regions)}
    cuts = [code[a] * M.NR + code[b] for a, b in reciprocal_pairs]
    B = M.build(cuts)
    res, x = B.milp(np.ones(M.E, bool), P.time_limit)
    if x is None:
        raise PlanningError(f"the solver found no plan (HiGHS: {res.message})")
    pairs = M.pairs(x[:M.E] > 0.5)
    status = None if res.status == 0 else "time_limit"
    sol = _finish(P, pairs, "milp", status)
    if status == "time_limit":
        sol.gap = float(getattr(res, "mip_gap", float("nan")))
    return sol


# -- the reciprocal rule: lazy cuts, an incumbent, reduced-cost fixing -----------------

def _top_k(M: _Model, k: int) -> np.ndarray:
    """Mask of each unit's ``k`` best allowed pairs (by value), ties by team index."""
    U = M.P.shape[1]
    order = np.lexsort((M.ti, -M.val, M.uj))  # by unit, value desc, team
    starts = np.searchsorted(M.uj[order], np.arange(U))
    rank = np.arange(M.E) - np.repeat(starts, np.diff(np.append(starts, M.E)))
    on = np.zeros(M.E, bool)
    on[order[rank < k]] = True
    return on


def _integral(B: _Built, x: np.ndarray, xon: np.ndarray, ub: np.ndarray | None = None) -> np.ndarray:
    """The plan of an LP vertex (TU: integral); a MILP on the same columns if
    the LP answer is not integral (numerical safety)."""
    E = B.model.E
    if np.all(np.abs(x[:E] - np.round(x[:E])) < 1e-6):
        return x[:E] > 0.5
    saved = B.ub
    if ub is not None:
        B.ub = ub
    try:
        res, xm = B.milp(xon | (x[:E] > 1e-9), None)
    finally:
        B.ub = saved
    if xm is None:  # pragma: no cover
        raise PlanningError(f"the solver found no plan (HiGHS: {res.message})")
    return xm[:E] > 0.5


def _bellman_ford(n: int, src: np.ndarray, dst: np.ndarray, w: np.ndarray) -> np.ndarray | None:
    """Shortest distances from a virtual root joined to every node by a 0 arc
    (vectorised Bellman–Ford); None if a negative cycle shows up."""
    order = np.argsort(dst, kind="stable")
    src, dst, w = src[order], dst[order], w[order]
    starts = np.flatnonzero(np.r_[True, dst[1:] != dst[:-1]])
    heads = dst[starts]
    dist = np.zeros(n)
    for _ in range(n + 1):
        cand = np.minimum.reduceat(dist[src] + w, starts)
        better = cand < dist[heads] - 1e-12
        if not better.any():
            return dist
        dist[heads[better]] = cand[better]
    return None


def _switch_costs(M: _Model, xon: np.ndarray) -> np.ndarray | None:
    """For an optimal plan ``xon`` of the relaxed problem (``per_unit == 1``): a
    lower bound, for each allowed pair, on what any plan using it loses
    against ``xon`` (``inf`` for pairs a pin rules out).

    The relaxed problem is a min-cost flow (source → team → unit, a dummy
    source for uncovered units, mandatory min-load slots); node potentials
    from shortest paths in the residual graph of ``xon`` give reduced costs
    ``d ≥ 0`` on every residual arc, and the cost of any plan exceeds that of
    ``xon`` by at least the sum of the reduced costs of the arcs it changes.
    A plan using a new pair (t, u) adds ``d_tu``, drops u's team in ``xon``
    (``-d`` of that pair) and, if t is full in ``xon``, drops one of t's pairs
    (at least the smallest ``-d`` among them).
    """
    P = M.P
    T, U = P.shape
    Sn, Dn, Kn = T + U, T + U + 1, T + U + 2
    pinned = np.full(U, -1)
    for t, u in P.pins:
        pinned[u] = t
    ok = (pinned[M.uj] < 0) | (pinned[M.uj] == M.ti)
    load = np.bincount(M.ti[xon], minlength=T)
    covered = np.bincount(M.uj[xon], minlength=U) > 0
    nm = np.minimum(P.min_load, P.max_load)
    used_m = np.minimum(load, nm)
    used_o = load - used_m
    arcs: list[tuple] = []

    def add(a, b, c) -> None:
        a = np.atleast_1d(np.asarray(a, dtype=np.int64))
        arcs.append((a, np.broadcast_to(np.asarray(b, dtype=np.int64), a.shape),
                     np.broadcast_to(np.asarray(c, dtype=float), a.shape)))

    f = ok & ~xon
    add(M.ti[f], T + M.uj[f], -M.val[f])
    add(T + M.uj[xon], M.ti[xon], M.val[xon])
    t = np.arange(T)
    add(np.full((used_m < nm).sum(), Sn), t[used_m < nm], -M.w_min)
    add(t[used_m > 0], Sn, M.w_min)
    add(np.full((used_o < P.max_load - nm).sum(), Sn), t[used_o < P.max_load - nm], 0.0)
    add(t[used_o > 0], Sn, 0.0)
    u = np.arange(U)
    m = (pinned < 0) & covered
    add(np.full(m.sum(), Dn), T + u[m], M.w_cover)
    add(T + u[~covered], Dn, -M.w_cover)
    add([Sn], Dn, 0.0)
    if (~covered).any():
        add([Dn], Sn, 0.0)
    add(np.full(U, Kn), T + u, 0.0)
    src, dst, w = (np.concatenate([a[i] for a in arcs]) for i in range(3))
    pi = _bellman_ford(T + U + 3, src, dst, w)
    if pi is None:
        return None
    d = -M.val + pi[M.ti] - pi[T + M.uj]
    if (d[f] < -1e-7).any():  # pragma: no cover - the plan was not optimal
        return None
    drop_u = np.zeros(U)
    drop_u[M.uj[xon]] = np.maximum(-d[xon], 0.0)
    drop_t = np.full(T, np.inf)
    np.minimum.at(drop_t, M.ti[xon], np.maximum(-d[xon], 0.0))
    drop_t[(load < P.max_load) | ~np.isfinite(drop_t)] = 0.0
    g = np.where(xon, 0.0, np.maximum(d, 0.0) + drop_u[M.uj] + drop_t[M.ti])
    g[~ok] = np.inf
    return g


class _Reciprocal:
    """Exact plans under the reciprocal rule 对等互查 (no region pair A→B and B→A).

    1. Solve the relaxed problem (the plain assignment, exact): its cost is a
       lower bound ``L`` on every plan; its reduced costs give, for each pair,
       a lower bound ``g`` on what a plan using it loses (``_switch_costs``).
       If it uses no region pair both ways, it is optimal.
    2. Pick a threshold ``δ`` and the candidate pairs ``g ≤ δ``; every region
       pair those candidates use both ways gets an orientation binary
       ``y_AB`` with ``Σ_{t∈A} x_tu ≤ y_AB`` for each unit u of B (and
       ``y_AB + y_BA ≤ 1``).  HiGHS solves this MILP exactly: its plan obeys
       the rule and costs ``c``.
    3. Any plan using a pair outside the candidates costs more than ``L + δ``;
       so if ``c ≤ L + δ`` the plan is optimal for the whole problem (proof).
       Otherwise (after doubling the candidates while ``c`` is poor) only the
       pairs with ``g ≤ c − L`` can be in a better plan: the LP over them with
       all their both-way region pairs oriented gives a bound ``L2`` (proof
       if ``L2`` reaches ``c``), a rounded incumbent, and reduced costs ``d2``;
       the MILP on the pairs with ``d2 ≤ c − L2`` is then exact.

    The plan found is optimal and deterministic (the same input gives the
    same columns in the same order, and HiGHS is deterministic).
    """

    def __init__(self, P: Problem, widen: float = 0.1, delta: float | None = None):
        self.P = P
        self.M = _Model(P)
        self.widen = widen  # first δ: candidates grow by this fraction over the zero-loss pairs
        self.delta0 = delta  # (tests) a fixed first δ
        self.lp_pairs = 50_000  # the oriented LP is cheap up to this many candidate pairs
        self.stats: dict = {"allowed_pairs": self.M.E, "rounds": []}

    def _check_pins(self) -> None:
        M = self.M
        if len(M.pins):
            v = M.violations(M.pairs(np.isin(np.arange(M.E), M.pins)))
            if v:
                a, b = divmod(min(v), M.NR)
                raise PlanningError(f"the pins use regions {M.regions[a]} and {M.regions[b]} both ways, "
                                    "which the reciprocal rule 对等互查 forbids: drop a pin or use "
                                    "--ground reciprocal=off")

    def relaxed(self) -> tuple[np.ndarray, float, np.ndarray]:
        """(optimal plan, its cost = lower bound, loss bound g per pair)."""
        P, M = self.P, self.M
        if P.per_unit == 1:
            xon = np.zeros(M.E, bool)
            xon[M.edges(_hungarian(P).pairs)] = True
            g = _switch_costs(M, xon)
            if g is not None:
                self.stats["relaxed"] = "hungarian"
                return xon, M.cost(M.pairs(xon)), g
        B0 = M.build(())
        top = _top_k(M, 8)
        top[M.pins] = True
        x, bound, d, _ = B0.lp(top)
        xon = _integral(B0, x, top)
        g = np.maximum(d[:M.E], 0.0)
        g[xon] = 0.0
        self.stats["relaxed"] = "lp"
        return xon, bound, g

    def _cuts_within(self, cand: np.ndarray) -> set[int]:
        M, NR = self.M, self.M.NR
        codes = set(int(c) for c in np.unique(M.epair[cand]) if c >= 0)
        return {c for c in codes if (c % NR) * NR + c // NR in codes}

    def solve(self) -> Solution:
        import time

        P, M = self.P, self.M
        self._check_pins()
        x0, L, g = self.relaxed()
        self.stats["relaxed_bound"] = -L
        if not M.violations(M.pairs(x0)):
            return self._done(x0, "the relaxed optimum uses no region pair both ways")
        tol = 1e-7 + 1e-12 * abs(L)
        gs = np.sort(g[np.isfinite(g)])
        n0 = int(np.searchsorted(gs, tol, "right"))
        if self.delta0 is not None:
            delta = float(self.delta0)
        else:
            n1 = min(len(gs), n0 + max(P.shape[1], int(self.widen * n0)))
            delta = float(gs[n1 - 1]) if n1 else 0.0
        inc, inc_cost = None, np.inf
        while True:
            cand = g <= delta + tol
            res, inc, inc_cost = self._round(cand, inc, inc_cost, {"delta": round(delta, 9)})
            gap = inc_cost - L
            if res.status != 0:
                return self._timed_out(inc, inc_cost, L)
            if gap <= delta + tol:
                return self._done(inc, f"no plan outside the {int(cand.sum())} candidate pairs can "
                                  f"lose less than δ={delta:.6g} against the relaxed bound")
            n_now = int(cand.sum())
            n_gap = int(np.searchsorted(gs, gap + tol, "right"))
            if n_gap <= max(2 * n_now, n_now + 4 * P.shape[1], self.lp_pairs):
                break
            delta = max(float(gs[min(len(gs), 2 * n_now) - 1]), delta)  # a better incumbent first
        # Only pairs with g ≤ gap can be in a better plan: the LP over them with
        # every region pair they use both ways oriented gives a stronger bound
        # and reduced costs that drop more pairs; the MILP on the rest decides.
        F = (g <= gap + tol) | inc
        if len(M.pins):
            F[M.pins] = True
        cuts = self._cuts_within(F)
        t = time.perf_counter()
        B = M.build(cuts)
        ub = B.ub.copy()
        ub[:M.E][~F] = 0
        xlp, L2, d2, _r = B.lp(F, ub)
        self.stats["cut_lp"] = {"pairs": int(F.sum()), "region_pairs_cut": len(cuts) // 2,
                                "bound": -L2, "lp_s": round(time.perf_counter() - t, 3)}
        if L2 < inc_cost - tol:  # a better incumbent (fewer pairs left) from the LP's orientations
            cand = self._rounded(B, xlp, F)
            if cand is not None:
                c = M.cost(M.pairs(cand))
                self.stats["cut_lp"]["rounded_objective"] = -c
                if c < inc_cost:
                    inc, inc_cost = cand, c
        if L2 >= inc_cost - tol:
            return self._done(inc, "the LP with the region pairs oriented reaches the plan's objective")
        F2 = F & (d2[:M.E] <= inc_cost - L2 + tol)
        res, inc, inc_cost = self._round(F2, inc, inc_cost, {"delta": round(inc_cost - L2, 9), "after_cut_lp": True})
        if res.status != 0:
            return self._timed_out(inc, inc_cost, max(L, L2))
        return self._done(inc, f"no plan outside the {int(F2.sum())} candidate pairs can beat it "
                          "(relaxed and oriented-LP reduced costs)")

    def _rounded(self, B: _Built, xlp: np.ndarray, F: np.ndarray) -> np.ndarray | None:
        """A plan obeying the rule: orient each cut region pair as the LP leans
        (pins first), forbid the other way, solve the assignment on ``F``."""
        M, NR, P = self.M, self.M.NR, self.P
        y = xlp[B.nvar - len(B.cuts):]
        yv = {int(c): float(v) for c, v in zip(B.cuts, y)}
        pinned = set(int(c) for c in M.epair[M.pins] if c >= 0) if len(M.pins) else set()
        lose = []
        for c in sorted(yv):
            r = (c % NR) * NR + c // NR
            if r in yv and c < r:
                keep_c = c in pinned or (r not in pinned and yv[c] >= yv[r])
                lose.append(r if keep_c else c)
        on = F & ~np.isin(M.epair, np.array(lose, dtype=np.int64))
        if len(M.pins):
            on[M.pins] = True
        allowed = np.zeros_like(P.allowed)
        allowed[M.ti[on], M.uj[on]] = True
        Q = Problem(**{**P.__dict__, "allowed": allowed, "team_region": None, "unit_region": None})
        sol = _hungarian(Q) if P.per_unit == 1 else _milp(Q)
        xon = np.zeros(M.E, bool)
        xon[M.edges(sol.pairs)] = True
        return None if M.violations(sol.pairs) else xon

    def _round(self, cand: np.ndarray, inc, inc_cost: float, rnd: dict):
        """One MILP on the candidate pairs (plus pins and the incumbent)."""
        import time

        M = self.M
        cand = cand.copy()
        if len(M.pins):
            cand[M.pins] = True
        if inc is not None:
            cand |= inc
        cuts = self._cuts_within(cand)
        t = time.perf_counter()
        B = M.build(cuts)
        res, x = B.milp(cand, self.P.time_limit)
        rnd.update({"pairs": int(cand.sum()), "region_pairs_cut": len(cuts) // 2,
                    "milp_s": round(time.perf_counter() - t, 3), "status": int(res.status)})
        self.stats["rounds"].append(rnd)
        self.cut_pairs = len(cuts) // 2
        if x is not None:
            xs = x[:M.E] > 0.5
            assert not M.violations(M.pairs(xs))  # every both-way pair among the candidates is cut
            c = M.cost(M.pairs(xs))
            rnd["objective"] = -c
            if c < inc_cost:
                inc, inc_cost = xs, c
        if inc is None:
            raise PlanningError(f"the solver found no plan (HiGHS: {res.message}); "
                                "try a longer --time-limit or --ground reciprocal=off")
        return res, inc, inc_cost

    def _timed_out(self, inc: np.ndarray, inc_cost: float, L: float) -> Solution:
        """Time limit: the best rule-abiding plan so far, with its gap to the bound."""
        sol = self._done(inc, status="time_limit")
        sol.gap = float((inc_cost - L) / max(abs(inc_cost), 1e-9))
        return sol

    def _done(self, xon: np.ndarray, proof: str | None, status: str | None = None) -> Solution:
        sol = _finish(self.P, self.M.pairs(xon), "milp" if self.stats["rounds"] else self.stats["relaxed"],
                      status)
        sol.iterations = 1 + len(self.stats["rounds"])
        sol.reciprocal_cuts = getattr(self, "cut_pairs", 0)
        self.stats["proof"] = proof
        sol.details = self.stats
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


def solve(P: Problem, method: str = "auto", delta: float | None = None) -> Solution:
    """The best plan for ``P`` (see the module docstring); never raises for
    infeasibility: an infeasible problem returns its best partial plan.
    ``delta`` (reciprocal rule only, for tests) fixes the first candidate
    threshold; any value gives the same optimum."""
    import time

    P.check()
    t0 = time.perf_counter()
    reciprocal = bool(P.team_region) and bool(P.unit_region) and any(P.team_region) \
        and any(P.unit_region)
    if method == "auto":
        method = "hungarian" if P.per_unit == 1 else "milp"
    if method == "hungarian" and P.per_unit != 1:
        raise PlanningError("the Hungarian method needs --per-unit 1; use the MILP")
    if reciprocal:
        sol = _Reciprocal(P, delta=delta).solve()
    else:
        sol = _hungarian(P) if method == "hungarian" else _milp(P)
    sol.seconds = time.perf_counter() - t0
    return sol
