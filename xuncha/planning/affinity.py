"""The built-in affinity 匹配度 of a team for a unit.

score(team, unit) = base
    + issue_weight × Σ over members' specialties 专长 of the share of the unit's
      past issues (found before ``as_of``) in a category the specialty covers
    + topic_weight × Σ over members' specialties named in the round topic 专项主题
      (the specialty itself, or a category it covers, appears in the topic).

A leader's (组长) specialties count ``leader_factor`` times.  Which
categories a specialty covers is policy data (``affinity.specialties``); a
specialty not listed there covers the categories whose Chinese name contains
it or is contained in it (专长 "扶贫" covers 扶贫).  Scores are rounded to 4
places, so plans are reproducible bit for bit.

>>> S = affinity(ix, ["T1"], members, ["U001"], as_of="2024-01-01")   # doctest: +SKIP
>>> S.shape                                                            # doctest: +SKIP
(1, 1)
"""

from __future__ import annotations

from typing import Sequence

from .. import taxonomy
from .index import Member, PlanningIndex


def _codes_for(specialty: str, table: dict[str, list[str]]) -> frozenset[str]:
    if specialty in table:
        return frozenset(table[specialty])
    out = set()
    for tax in (taxonomy.CATEGORY, taxonomy.SUBCATEGORY):
        for code, names in tax.items():
            if any(specialty in n or (len(n) >= 2 and n in specialty) for n in names):
                out.add(code)
    return frozenset(out)


def affinity(ix: PlanningIndex, teams: Sequence[str], members: dict[str, Sequence[Member]],
             units: Sequence[str], as_of: str, topic: str | None = None, policy=None):
    """A teams × units numpy array of built-in scores."""
    import numpy as np

    pol = (policy or ix.policy).affinity
    # unit -> list of (category, subcategory) of past issues
    hist: dict[str, list[tuple[str, str | None]]] = {}
    for _, d in ix.store.nodes("issue"):
        when = d.get("found_date") or ix.rounds.get(d.get("round_id"), {}).get("start")
        if when is not None and when > as_of:
            continue
        hist.setdefault(d.get("unit_id"), []).append((d.get("category"), d.get("subcategory")))
    # team specialty weights
    specs: dict[str, int] = {}
    tw: list[dict[int, float]] = []
    for t in teams:
        w: dict[int, float] = {}
        for m in members.get(t, ()):
            f = pol.leader_factor if m.role == "leader" else 1.0
            for s in ix.cadres.get(m.cadre, {}).get("specialties") or ():
                k = specs.setdefault(s, len(specs))
                w[k] = w.get(k, 0.0) + f
        tw.append(w)
    ns = len(specs)
    T = np.zeros((len(teams), max(ns, 1)))
    for i, w in enumerate(tw):
        for k, v in w.items():
            T[i, k] = v
    codes = [_codes_for(s, pol.specialties) for s in specs]
    # unit × specialty: share of the unit's issues the specialty covers
    C = np.zeros((len(units), max(ns, 1)))
    for j, u in enumerate(units):
        h = hist.get(u)
        if not h or not ns:
            continue
        for k, cs in enumerate(codes):
            if cs:
                C[j, k] = sum(1 for c, sc in h if c in cs or (sc and sc in cs)) / len(h)
    topic_vec = np.zeros(max(ns, 1))
    if topic:
        for s, k in specs.items():
            hit = s in topic or any(
                any(n in topic for n in taxonomy.CATEGORY.get(c, ()) + taxonomy.SUBCATEGORY.get(c, ()))
                for c in codes[k])
            topic_vec[k] = 1.0 if hit else 0.0
    S = pol.base + pol.issue_weight * (T @ C.T) + pol.topic_weight * (T @ topic_vec)[:, None]
    return np.round(S, 4)
