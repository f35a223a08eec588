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
- the reciprocal rule 对等互查 (:class:`_Reciprocal`): the LP relaxation of
  the model with the rule (an orientation per region pair) is solved lazily
  in one warm-started HiGHS (:class:`_CutLP`: pairs priced in by their
  reduced costs, region-pair rows added only where the LP uses a pair both
  ways).  Its Lagrangian value bounds every plan; a plan rounded from it (the
  orientations fixed) that reaches the bound is optimal, which is the usual
  case at province scale (300 teams × 2,000 units, 99 counties: ~47k of 581k
  pairs priced, ~280 county pairs cut).  Otherwise HiGHS solves the MILP
  (orientations binary, pairs continuous) on the pairs whose reduced cost
  could beat the best plan: exact.
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

from .errors import PlanningError

__all__ = ["PlanningError", "Problem", "Solution", "solve", "max_coverage", "reciprocal_violations"]


@dataclass
class Problem:
    teams: list[str]
    units: list[str]
    score: np.ndarray  # float T×U (soft penalties already subtracted)
    allowed: np.ndarray  # bool T×U
    max_load: np.ndarray  # int T
    min_load: np.ndarray  # int T
    per_unit: int | np.ndarray = 1  # teams per unit: one number, or one per unit (demand)
    pins: list[tuple[int, int]] = field(default_factory=list)
    keep: np.ndarray | None = None  # bool T×U: pairs of a previous plan to keep
    # reciprocal rule: region of each team (None = takes no part) and of each unit
    team_region: list[str | None] | None = None
    unit_region: list[str | None] | None = None
    time_limit: float | None = None

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.teams), len(self.units)

    @property
    def demand(self) -> np.ndarray:
        """Teams each unit needs (int per unit)."""
        return np.broadcast_to(np.asarray(self.per_unit, dtype=np.int64), (len(self.units),))

    @property
    def single(self) -> bool:
        """Every unit needs exactly one team (the Hungarian method applies)."""
        return bool((self.demand == 1).all())

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
        if (per > self.demand).any():
            u = int(np.nonzero(per > self.demand)[0][0])
            raise PlanningError(f"unit {self.units[u]} has {per[u]} pins but needs only "
                                f"{self.demand[u]} team(s)")


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
    r_score = float((P.demand * span).sum() + 2 * P.demand.max(initial=1) * top.max(initial=0.0)) + 1.0
    w_keep = r_score if P.keep is not None else 0.0
    r_keep = r_score + w_keep * P.demand.sum()
    w_min = r_keep + 1.0 if (P.min_load > 0).any() else 0.0
    w_cover = r_keep + w_min * 2 + 1.0
    return w_keep, w_min, w_cover


def _finish(P: Problem, pairs: list[tuple[int, int]], method: str, status: str | None = None,
            **kw) -> Solution:
    T, U = P.shape
    pairs = sorted(pairs)
    per = np.bincount([u for _, u in pairs], minlength=U) if pairs else np.zeros(U, int)
    load = np.bincount([t for t, _ in pairs], minlength=T) if pairs else np.zeros(T, int)
    dem = P.demand
    uncovered = {int(j): int(dem[j] - per[j]) for j in np.nonzero(per < dem)[0]}
    short = {int(t): int(P.min_load[t] - load[t]) for t in np.nonzero(load < P.min_load)[0]}
    obj = float(round(sum(float(P.score[t, u]) for t, u in pairs), 6))
    kept = int(sum(1 for t, u in pairs if P.keep is not None and P.keep[t, u]))
    if status is None:
        status = "optimal" if not uncovered and not short else "infeasible"
    return Solution(pairs, obj, status, method, uncovered, short, kept, **kw)


def max_coverage(allowed: np.ndarray, max_load: np.ndarray, per_unit: int | np.ndarray = 1) -> int:
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
                           np.broadcast_to(np.asarray(per_unit, np.int32), (U,))])
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
        return float(-self.val[e].sum() + self.w_cover * np.maximum(P.demand - per, 0).sum()
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
        ub[E:E + U] = P.demand
        ub[E + U:E + U + T] = np.maximum(P.min_load, 0)
        lb[self.pins] = 1
        integ = np.ones(nvar, dtype=np.uint8)
        integ[E:E + U + T] = 0  # integral anyway given integral x
        ar = np.arange(E)
        # equalities: each unit
        Aeq = coo_matrix((np.ones(E + U), (np.concatenate([uj, np.arange(U)]),
                                           np.concatenate([ar, E + np.arange(U)]))), shape=(U, nvar))
        beq = P.demand.astype(float)
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
            vals += [np.ones(len(es)), -P.demand[uniq % U].astype(float)]
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

    def milp(self, xon: np.ndarray, time_limit: float | None, x_integer: bool = True):
        """HiGHS on the columns ``xon`` (plus every non-pair column).  With
        ``x_integer=False`` only the orientations are integer: with them
        fixed the pairs form a transportation problem, integral at a vertex
        (the caller checks, and re-solves with integral pairs if not)."""
        from scipy.optimize import Bounds, LinearConstraint, milp

        cols = self.cols(xon)
        opts = {"mip_rel_gap": 0.0, "presolve": True}
        if time_limit:
            opts["time_limit"] = float(time_limit)
        integ = self.integ[cols].copy()
        if not x_integer:
            integ[:int(xon.sum())] = 0
        res = milp(self.c[cols], integrality=integ, bounds=Bounds(self.lb[cols], self.ub[cols]),
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


# -- the reciprocal rule: a cut LP with warm starts, then an exact MILP on what is left ---------

def _top_k(M: _Model, k: int) -> np.ndarray:
    """Mask of each unit's ``k`` best allowed pairs (by value), ties by team index."""
    U = M.P.shape[1]
    order = np.lexsort((M.ti, -M.val, M.uj))  # by unit, value desc, team
    starts = np.searchsorted(M.uj[order], np.arange(U))
    rank = np.arange(M.E) - np.repeat(starts, np.diff(np.append(starts, M.E)))
    on = np.zeros(M.E, bool)
    on[order[rank < k]] = True
    return on


def _top_per(M: _Model, score: np.ndarray, mask: np.ndarray, key: np.ndarray, k: int) -> np.ndarray:
    """Pairs among ``mask`` with the ``k`` highest ``score`` per ``key`` (unit or
    team index), ties by pair index."""
    e = np.nonzero(mask)[0]
    if not len(e):
        return e
    order = e[np.lexsort((e, -score[e], key[e]))]
    kk = key[order]
    starts = np.flatnonzero(np.r_[True, kk[1:] != kk[:-1]])
    rank = np.arange(len(order)) - np.repeat(starts, np.diff(np.r_[starts, len(order)]))
    return order[rank < k]


def _greedy(M: _Model) -> np.ndarray:
    """A feasible cover (ignoring the rule): units by their best value, each to
    its best team with room left.  Start columns for the LP, so that no unit
    starts uncovered for want of a column."""
    P = M.P
    T, U = P.shape
    room = P.max_load.astype(np.int64).copy()
    best = np.full(U, -np.inf)
    np.maximum.at(best, M.uj, M.val)
    order = np.lexsort((M.ti, -M.val, M.uj))  # per unit, best first
    starts = np.searchsorted(M.uj[order], np.arange(U + 1))
    on = np.zeros(M.E, bool)
    for u in np.argsort(-best, kind="stable"):
        es = order[starts[u]:starts[u + 1]]
        ok = es[room[M.ti[es]] > 0]
        for e in ok[:P.demand[u]]:
            on[e] = True
            room[M.ti[e]] -= 1
    return on


def _new_highs():
    """A quiet HiGHS instance (highspy prints a banner on file descriptor 1 when
    one is made, which would corrupt JSON on stdout)."""
    import ctypes
    import os
    import sys

    import highspy

    try:
        sys.stdout.flush()
        saved = os.dup(1)
    except (OSError, ValueError, AttributeError):  # pragma: no cover - no fd 1
        saved = None
    if saved is None:  # pragma: no cover
        h = highspy.Highs()
    else:
        null = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(null, 1)
            h = highspy.Highs()
            try:
                ctypes.CDLL(None).fflush(None)
            except (OSError, AttributeError):  # pragma: no cover
                pass
        finally:
            os.dup2(saved, 1)
            os.close(saved)
            os.close(null)
    h.setOptionValue("output_flag", False)
    return h


class _CutLP:
    """The LP relaxation of the reciprocal model, grown lazily in one warm-started HiGHS.

    Columns: ``z_u`` (uncovered slots), ``s_t`` (min-load shortfall), the pairs
    priced in so far (column generation) and ``y_r`` for the region pairs cut so
    far.  Rows: each unit (``Σ x + z = per_unit``), each team's max and min
    load, for each cut region pair r = (A, B) and unit u of B with a pair from
    A: ``Σ_{t∈A} x_tu − per_unit·y_r ≤ 0``, and ``y_AB + y_BA ≤ 1``.

    :meth:`solve` alternates: re-solve (the simplex starts from the last basis),
    price every allowed pair with the duals (add those with a negative reduced
    cost), separate the region pairs the LP uses both ways (``max_u flow(A→B,u)
    + max_u flow(B→A,u) > 1``: add their rows).  When neither adds anything the
    LP is the relaxation of the whole model (every pair, every region pair).
    The bound returned is Lagrangian (the duals over every column), so it is a
    valid lower bound on every plan whatever the column set.
    """

    def __init__(self, M: _Model):
        import highspy

        self.M = M
        P = M.P
        T, U = P.shape
        self.T, self.U = T, U
        self.dem = P.demand.astype(float)
        self.inf = highspy.kHighsInf
        h = self.h = _new_highs()
        h.setOptionValue("solver", "simplex")
        # z (U) and s (T) columns, then the unit, max and min rows
        self.ncol = 0
        self._cols(np.concatenate([np.full(U, M.w_cover), np.full(T, M.w_min)]), np.zeros(U + T),
                   np.concatenate([self.dem, np.maximum(P.min_load, 0).astype(float)]))
        self.nrow = 0
        z, s = np.arange(U), U + np.arange(T)
        self._rows(self.dem, self.dem,
                   [[int(c)] for c in z], [[1.0]] * U)
        self._rows(np.full(T, -self.inf), P.max_load.astype(float), [[] for _ in range(T)], [[] for _ in range(T)])
        self._rows(P.min_load.astype(float), np.full(T, self.inf), [[int(c)] for c in s], [[1.0]] * T)
        self.col_of = np.full(M.E, -1, dtype=np.int64)  # pair -> column
        self.cut = np.zeros(M.NR * M.NR, bool) if M.NR > 0 else np.zeros(0, bool)
        self.y_col: dict[int, int] = {}
        self.y_rows: dict[int, list[int]] = {}  # region pair -> its rows (cut rows, orientation row)
        self.cut_row: dict[int, int] = {}  # r * U + u -> row
        self.cut_coef: dict[int, float] = {}  # cut row -> the unit's demand (y's coefficient, negated)
        self.lb = np.zeros(M.E)
        if len(M.pins):
            self.lb[M.pins] = 1.0
        self.solves = 0
        self.simplex_iterations = 0

    # -- building ------------------------------------------------------------------
    def _cols(self, cost, lb, ub, rows=None, vals=None) -> np.ndarray:
        n = len(cost)
        if rows is None:
            starts = np.zeros(n, dtype=np.int32)
            idx = np.zeros(0, dtype=np.int32)
            v = np.zeros(0)
        else:
            lens = np.array([len(r) for r in rows], dtype=np.int64)
            starts = np.concatenate([[0], np.cumsum(lens)[:-1]]).astype(np.int32)
            idx = np.array([i for r in rows for i in r], dtype=np.int32)
            v = np.array([x for r in vals for x in r], dtype=float)
        self.h.addCols(n, np.asarray(cost, float), np.asarray(lb, float), np.asarray(ub, float),
                       len(idx), starts, idx, v)
        first = self.ncol
        self.ncol += n
        return np.arange(first, self.ncol)

    def _rows(self, lo, hi, cols, vals) -> np.ndarray:
        n = len(lo)
        lens = np.array([len(c) for c in cols], dtype=np.int64)
        starts = np.concatenate([[0], np.cumsum(lens)[:-1]]).astype(np.int32) if n else np.zeros(0, np.int32)
        idx = np.array([i for c in cols for i in c], dtype=np.int32)
        v = np.array([x for c in vals for x in c], dtype=float)
        self.h.addRows(n, np.asarray(lo, float), np.asarray(hi, float), len(idx), starts, idx, v)
        first = self.nrow
        self.nrow += n
        return np.arange(first, self.nrow)

    def add_pairs(self, idx: np.ndarray) -> int:
        """Price pairs ``idx`` into the LP (with their rows for cut region pairs)."""
        M, T, U = self.M, self.T, self.U
        idx = np.unique(idx[self.col_of[idx] < 0])
        if not len(idx):
            return 0
        rows, vals, new_keys = [], [], {}
        for e in idx:
            t, u, r = int(M.ti[e]), int(M.uj[e]), int(M.epair[e])
            rr, vv = [u, U + t, U + T + t], [1.0, 1.0, 1.0]
            if r >= 0 and self.cut[r]:
                row = self.cut_row.get(r * U + u)
                if row is None:
                    new_keys.setdefault(r * U + u, []).append(int(e))
                else:
                    rr.append(row)
                    vv.append(1.0)
            rows.append(rr)
            vals.append(vv)
        cols = self._cols(-M.val[idx], self.lb[idx], np.ones(len(idx)), rows, vals)
        self.col_of[idx] = cols
        if new_keys:
            self._cut_rows(new_keys)
        return len(idx)

    def _cut_rows(self, groups: dict[int, list[int]]) -> None:
        keys = sorted(groups)
        cols, vals = [], []
        for key in keys:
            r = key // self.U
            cs = [int(self.col_of[e]) for e in groups[key]] + [self.y_col[r]]
            cols.append(cs)
            vals.append([1.0] * (len(cs) - 1) + [-self.dem[key % self.U]])
        rows = self._rows(np.full(len(keys), -self.inf), np.zeros(len(keys)), cols, vals)
        for key, row in zip(keys, rows):
            self.cut_row[key] = int(row)
            self.cut_coef[int(row)] = self.dem[key % self.U]
            self.y_rows[key // self.U].append(int(row))

    def add_cuts(self, codes: set[int]) -> int:
        """Cut region pairs ``codes`` (each with its reverse): orientation columns and rows."""
        M, NR, U = self.M, self.M.NR, self.U
        codes = {c for c in codes if not self.cut[c]} | {(c % NR) * NR + c // NR for c in codes}
        codes = sorted(c for c in codes if not self.cut[c])
        if not codes:
            return 0
        ys = self._cols(np.zeros(len(codes)), np.zeros(len(codes)), np.ones(len(codes)))
        for c, y in zip(codes, ys):
            self.y_col[c] = int(y)
            self.y_rows[c] = []
            self.cut[c] = True
        pairs = sorted({min(c, (c % NR) * NR + c // NR) for c in codes})
        orient = self._rows(np.full(len(pairs), -self.inf), np.ones(len(pairs)),
                            [[self.y_col[a], self.y_col[(a % NR) * NR + a // NR]] for a in pairs],
                            [[1.0, 1.0]] * len(pairs))
        for a, row in zip(pairs, orient):
            self.y_rows[a].append(int(row))
            self.y_rows[(a % NR) * NR + a // NR].append(int(row))
        act = np.nonzero((self.col_of >= 0) & (M.epair >= 0))[0]
        act = act[self.cut[M.epair[act]]]
        groups: dict[int, list[int]] = {}
        for e in act:
            key = int(M.epair[e]) * U + int(M.uj[e])
            if key not in self.cut_row:
                groups.setdefault(key, []).append(int(e))
        if groups:
            self._cut_rows(groups)
        return len(pairs)

    # -- solving ---------------------------------------------------------------------
    def run(self) -> None:
        import highspy

        self.h.run()
        self.solves += 1
        st = self.h.getModelStatus()
        if st != highspy.HighsModelStatus.kOptimal:
            raise PlanningError(f"the LP relaxation failed (HiGHS: {self.h.modelStatusToString(st)})")
        self.simplex_iterations = int(self.h.getInfo().simplex_iteration_count)
        sol = self.h.getSolution()
        self.col_value = np.asarray(sol.col_value)
        self.row_dual = np.asarray(sol.row_dual)

    def prices(self) -> tuple[np.ndarray, float]:
        """(reduced cost of every pair, Lagrangian lower bound) from the current duals."""
        M, T, U = self.M, self.T, self.U
        P = M.P
        y = self.row_dual.copy()
        y[U:U + T] = np.minimum(y[U:U + T], 0.0)  # max rows (≤)
        y[U + T:U + 2 * T] = np.maximum(y[U + T:U + 2 * T], 0.0)  # min rows (≥)
        y[U + 2 * T:] = np.minimum(y[U + 2 * T:], 0.0)  # cut and orientation rows (≤)
        d = -M.val - y[M.uj] - y[U + M.ti] - y[U + T + M.ti]
        if self.cut_row:
            keys = np.fromiter(self.cut_row.keys(), dtype=np.int64, count=len(self.cut_row))
            rows = np.fromiter(self.cut_row.values(), dtype=np.int64, count=len(self.cut_row))
            order = np.argsort(keys)
            keys, rows = keys[order], rows[order]
            ek = np.where(M.epair >= 0, M.epair * U + M.uj, -1)
            pos = np.minimum(np.searchsorted(keys, ek), len(keys) - 1)
            hit = (ek >= 0) & (keys[pos] == ek)
            d[hit] -= y[rows[pos[hit]]]
        # bound: rows at their active side, then every column at its best bound
        bound = float((self.dem * y[:U]).sum() + (y[U:U + T] * P.max_load).sum() + (y[U + T:U + 2 * T] * P.min_load).sum()
                      + sum(y[r] for r in self._orient_rows()))
        bound += float(np.minimum(d * self.lb, d).sum())  # pairs in [lb, 1]
        dz = M.w_cover - y[:U]
        bound += float(np.minimum(0.0, dz * self.dem).sum())
        ds = M.w_min - y[U + T:U + 2 * T]
        bound += float(np.minimum(0.0, ds * np.maximum(P.min_load, 0)).sum())
        for r, rows_r in self.y_rows.items():
            dy = -sum(y[row] * (-self.cut_coef[row] if row in self.cut_coef else 1.0) for row in rows_r)
            bound += min(0.0, dy)
        return d, bound

    def _orient_rows(self) -> list[int]:
        rows = set()
        for rs in self.y_rows.values():
            rows.update(x for x in rs if x not in self.cut_coef)
        return sorted(rows)

    def x(self) -> np.ndarray:
        """The LP value of every pair (0 for pairs not priced in)."""
        out = np.zeros(self.M.E)
        on = self.col_of >= 0
        out[on] = self.col_value[self.col_of[on]]
        return out

    def separate(self, x: np.ndarray) -> set[int]:
        """Region pairs (not yet cut) the LP uses both ways beyond what one orientation allows."""
        M, U, NR = self.M, self.U, self.M.NR
        e = np.nonzero((x > 1e-9) & (M.epair >= 0))[0]
        e = e[~self.cut[M.epair[e]]]
        if not len(e):
            return set()
        keys, inv = np.unique(M.epair[e] * U + M.uj[e], return_inverse=True)
        flow = np.bincount(inv, weights=x[e]) / self.dem[keys % U]
        codes, cinv = np.unique(keys // U, return_inverse=True)
        peak = np.zeros(len(codes))
        np.maximum.at(peak, cinv, flow)
        m = dict(zip(codes.tolist(), peak.tolist()))
        return {c for c, v in m.items()
                if (c % NR) * NR + c // NR in m and v + m[(c % NR) * NR + c // NR] > 1 + 1e-7}

    def round_plan(self, max_iter: int = 60) -> np.ndarray | None:
        """A plan obeying the rule, from the LP: orient every cut region pair
        the way the LP leans (a pin's way first), forbid the other way, re-solve
        (warm); with every orientation fixed the LP is a transportation problem
        and its vertex is integral.  Region pairs the re-solve starts using both
        ways are cut and oriented in turn.  None if it does not settle."""
        M, NR = self.M, self.M.NR
        pinned = set(int(c) for c in M.epair[M.pins] if c >= 0) if len(M.pins) else set()
        fixed: set[int] = set()
        for _ in range(max_iter):
            x = self.x()
            viol = self.separate(x)
            if viol:
                self.add_cuts(viol)
                self.run()
                continue
            if not (np.abs(x - np.round(x)) > 1e-6).any():
                xon = x > 0.5
                return None if M.violations(M.pairs(xon)) else xon
            todo = sorted(a for a in self.y_col if a not in fixed and a < (a % NR) * NR + a // NR)
            if not todo:
                return None
            for a in todo:
                b = (a % NR) * NR + a // NR
                ya, yb = self.col_value[self.y_col[a]], self.col_value[self.y_col[b]]
                keep_a = a in pinned or (b not in pinned and ya >= yb)
                keep, lose = (a, b) if keep_a else (b, a)
                self.h.changeColBounds(self.y_col[lose], 0.0, 0.0)
                self.h.changeColBounds(self.y_col[keep], 1.0, 1.0)
                fixed |= {a, b}
            self.run()
        return None  # pragma: no cover

    def solve(self, start: np.ndarray, stats: dict, max_rounds: int = 200) -> tuple[np.ndarray, float, np.ndarray]:
        """Price and cut to convergence; (x of every pair, bound, reduced costs)."""
        import time

        t0 = time.perf_counter()
        self.add_pairs(np.nonzero(start)[0])
        E = self.M.E
        cap = max(4 * self.U, 2000)
        first = None
        for rnd in range(max_rounds):
            self.run()
            d, bound = self.prices()
            x = self.x()
            mask = (d < -1e-9) & (self.col_of < 0)
            neg = np.nonzero(mask)[0]
            if len(neg) > cap:  # each unit's and each team's most negative few, not one hot spot's
                M = self.M
                neg = np.union1d(_top_per(M, -d, mask, M.uj, 3), _top_per(M, -d, mask, M.ti, 3))
            added = self.add_pairs(neg) if len(neg) else 0
            if not added and first is None and not self.cut.any():
                first = bound  # the relaxed optimum (no rule): the plain assignment's bound
            new_cuts = self.separate(x) if not added else set()
            if new_cuts:
                self.add_cuts(new_cuts)
            if not added and not new_cuts:
                break
        else:  # pragma: no cover - pricing did not converge; the bound is still valid
            pass
        stats["lp"] = {"solves": self.solves, "pairs": int((self.col_of >= 0).sum()), "of": int(E),
                       "region_pairs_cut": int(self.cut.sum()) // 2, "bound": -bound,
                       "s": round(time.perf_counter() - t0, 3)}
        stats["relaxed_bound"] = -(first if first is not None else bound)
        return x, bound, d


class _Reciprocal:
    """Exact plans under the reciprocal rule 对等互查 (no region pair A→B and B→A).

    1. The LP relaxation of the whole model with the rule (every allowed pair,
       an orientation ``y_AB`` for each region pair and ``Σ_{t∈A} x_tu ≤
       per_unit·y_AB`` for each unit u of B, ``y_AB + y_BA ≤ 1``) is solved by
       :class:`_CutLP`: column generation over the pairs and lazy rows for the
       region pairs the LP actually uses both ways, one HiGHS model re-solved
       from its last basis.  Its Lagrangian value ``L`` bounds every plan and
       its reduced costs ``d`` bound what a plan using each pair costs above
       ``L``.  For an isolated region pair this LP is integral (the loss is
       linear in ``y``), so ``L`` is close to the optimum and few pairs
       survive reduced-cost fixing.  An integral LP answer is a plan: optimal.
    2. HiGHS solves the MILP on the candidate pairs (those the LP priced in, or
       ``d ≤ δ``), with ``x`` continuous and only the orientations binary (with
       the orientations fixed the rest is a transportation problem, integral
       at every vertex); region pairs are cut lazily (re-solved while the plan
       uses one both ways).  Its plan costs ``c``.
    3. Proof: a plan using a pair outside the candidates costs at least
       ``L + d`` > ``c`` when every pair with ``d ≤ c − L`` is a candidate;
       otherwise those pairs join and step 2 runs once more (then exact).

    The plan found is optimal and deterministic (the same input gives the same
    columns in the same order, and HiGHS is deterministic).
    """

    def __init__(self, P: Problem, delta: float | None = None, k0: int = 8, spread: bool = True):
        self.P = P
        self.M = _Model(P)
        self.delta0 = delta  # (tests) the first MILP's candidates: the priced pairs and d ≤ δ
        self.k0 = k0  # each unit's best pairs start in the LP
        self.spread = spread  # (tests: False) also start with each team's best and a greedy cover
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

    def solve(self) -> Solution:
        P, M = self.P, self.M
        self._check_pins()
        start = _top_k(M, self.k0)
        if self.spread:
            # and each team's best units (two capacities' worth) and a greedy cover,
            # so the first LP can already spread the units over the teams' capacities
            start[_top_per(M, M.val, np.ones(M.E, bool), M.ti, int(2 * max(P.max_load.max(initial=1), 1)))] = True
            start |= _greedy(M)
        if len(M.pins):
            start[M.pins] = True
        lp = _CutLP(M)
        x, L, d = lp.solve(start, self.stats)
        tol = 1e-7 + 1e-9 * abs(L)
        priced = lp.col_of >= 0
        inc, inc_cost = None, np.inf
        if not (np.abs(x - np.round(x)) > 1e-6).any() and not M.violations(M.pairs(x > 0.5)):
            inc = x > 0.5
            how = ("the relaxed optimum uses no region pair both ways" if not lp.cut.any()
                   else "the LP with the region pairs oriented has an integral optimum")
        else:
            import time

            t = time.perf_counter()
            inc = lp.round_plan()
            how = "the LP bound equals the cost of the plan rounded from it (orientations fixed)"
            self.stats["rounding"] = {"s": round(time.perf_counter() - t, 3), "solves": lp.solves}
        if inc is not None:
            inc_cost = M.cost(M.pairs(inc))
            self.stats.setdefault("rounding", {})["objective"] = -inc_cost
            if inc_cost <= L + tol:
                return self._done(inc, how, lp)
        cand = priced.copy()
        if self.delta0 is not None:
            cand |= d <= self.delta0 + tol
        elif inc is not None:
            near = d <= inc_cost - L + tol  # every pair a better plan could use
            if near.sum() <= max(2 * priced.sum(), 8 * P.shape[1]):
                cand = near
        for stage in ("MILP on the candidate pairs", "MILP after reduced-cost fixing"):
            res, inc, inc_cost = self._round(cand, inc, inc_cost, stage)
            if res is not None and res.status != 0:
                return self._timed_out(inc, inc_cost, L, lp)
            more = (d <= inc_cost - L + tol) & ~cand
            if not more.any():
                return self._done(inc, f"every pair that could beat the plan (reduced cost ≤ "
                                       f"{inc_cost - L:.6g} over the LP bound) was a candidate", lp)
            cand = cand | more
        raise AssertionError("unreachable: the second MILP covers every pair that could beat it")  # pragma: no cover

    def _round(self, cand: np.ndarray, inc, inc_cost: float, what: str):
        """The exact MILP on ``cand`` (plus pins and the incumbent), every region
        pair the candidates use both ways oriented; only orientations are binary."""
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
        res, xv = B.milp(cand, self.P.time_limit, x_integer=False)
        if xv is not None and np.any(np.abs(xv[:M.E] - np.round(xv[:M.E])) > 1e-6):
            res, xv = B.milp(cand, self.P.time_limit, x_integer=True)  # numerics: integral pairs
        rnd = {"what": what, "pairs": int(cand.sum()), "region_pairs_cut": len(cuts) // 2,
               "milp_s": round(time.perf_counter() - t, 3), "status": int(res.status)}
        self.stats["rounds"].append(rnd)
        self.cut_pairs = len(cuts) // 2
        if xv is not None:
            xon = xv[:M.E] > 0.5
            assert not M.violations(M.pairs(xon))  # every both-way region pair is oriented
            c = M.cost(M.pairs(xon))
            rnd["objective"] = -c
            if c < inc_cost:
                inc, inc_cost = xon, c
        if inc is None:
            raise PlanningError(f"the solver found no plan (HiGHS: {res.message}); "
                                "try a longer --time-limit or --ground reciprocal=off")
        return res, inc, inc_cost

    def _cuts_within(self, cand: np.ndarray) -> set[int]:
        M, NR = self.M, self.M.NR
        codes = set(int(c) for c in np.unique(M.epair[cand]) if c >= 0)
        return {c for c in codes if (c % NR) * NR + c // NR in codes}

    def _timed_out(self, inc: np.ndarray, inc_cost: float, L: float, lp) -> Solution:
        """Time limit: the best rule-abiding plan so far, with its gap to the bound."""
        sol = self._done(inc, None, lp, status="time_limit")
        sol.gap = float((inc_cost - L) / max(abs(inc_cost), 1e-9))
        return sol

    def _done(self, xon: np.ndarray, proof: str | None, lp, status: str | None = None) -> Solution:
        sol = _finish(self.P, self.M.pairs(xon), "milp" if self.stats["rounds"] else "lp", status)
        sol.iterations = lp.solves + len(self.stats["rounds"])
        sol.reciprocal_cuts = getattr(self, "cut_pairs", int(lp.cut.sum()) // 2)
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


def _may_bind(P: Problem) -> bool:
    """Could any two regions inspect each other (allowed pairs both ways)?"""
    ti, uj = np.nonzero(P.allowed)
    flows = {(P.team_region[t], P.unit_region[u]) for t, u in zip(ti.tolist(), uj.tolist())
             if P.team_region[t] and P.unit_region[u] and P.team_region[t] != P.unit_region[u]}
    return any((b, a) in flows for a, b in flows)


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
        method = "hungarian" if P.single else "milp"
    if method == "hungarian" and not P.single:
        raise PlanningError("the Hungarian method needs --per-unit 1; use the MILP")
    if reciprocal and delta is None and not _may_bind(P):
        reciprocal = False  # no two regions could inspect each other: the rule binds nothing
    if reciprocal:
        sol = _Reciprocal(P, delta=delta).solve()
    else:
        sol = _hungarian(P) if method == "hungarian" else _milp(P)
    sol.seconds = time.perf_counter() - t0
    return sol
