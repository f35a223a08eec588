"""Related cases 关联案件: issues and leads related to an issue, lead, cadre or unit.

Each result carries its reasons: a signal name, a readable sentence naming the
people, units and dates, and the path of node ids that is the evidence.

People attached to an item (see :mod:`xuncha.queries.common` for items, dates
and posts): its *named* cadres (涉及人员 of an issue, 被反映人 of a lead) and
its unit's *principals* 一把手 on the item's date.  A cadre seed is attached
to itself; a unit seed stands for all its items.

Signals between the seed item ``s`` and a candidate item ``c`` (``c != s``),
with their weights:

=======================  ======  ==========================================================
signal                   weight  when
=======================  ======  ==========================================================
``same_cadre``           0.90    a cadre is named in both 同一人员
``linked``               0.90    a lead raised from the issue, or two leads from one issue
``tie``                  by kind an attached cadre of ``s`` and one of ``c`` are related
                                 (RELATED_TO, either direction): spouse, parent, child,
                                 sibling 0.75; other kin and business 0.65; colleague 0.60;
                                 classmate, fellow townsman 0.50; other 0.40; *derived*
                                 colleagues (posts in one unit overlapping, both cadres
                                 named in the items, not principals, that unit neither
                                 item's unit, the items in different units) 0.35 社会关系
``principal``            0.40    one cadre was principal at one item's unit on its date and
                                 is named in, or principal at the other's unit on its date
                                 (both principal at the same unit does not count: that is
                                 ``same_unit``; named in both is ``same_cadre``) 同一一把手
``tie_chain``            w1×w2   an attached cadre of ``s`` is tied to a third cadre who is
                                 tied to a cadre named in ``c`` (two RELATED_TO hops, e.g.
                                 kin of a business partner); the product of the two weights
``same_unit``            0.15    both found in the same unit 同一单位
``category_sector``      0.10    same category key (subcategory, else category), units of
                                 the same sector 板块 (set on both), dates at most
                                 :data:`PERIOD_DAYS` apart, different units 同板块同期同类
``similar_text``         0.20×s  description cosine ``s`` >= :data:`TEXT_MIN` (character
                                 bigram+trigram TF-IDF, :mod:`xuncha.queries.text`)
=======================  ======  ==========================================================

Person signals (``same_cadre``, ``tie``, ``principal``, ``tie_chain``) are
scaled by these factors: × :data:`MENTION_FACTOR` (0.6) when the linking cadre
is named in the candidate but is not a *case subject* 被反映人 of it (no lead
of the candidate's case is about them, see :mod:`xuncha.queries.common`);
× :data:`SAME_UNIT_FACTOR` (0.6) when both items are in the same unit (people
of one unit naturally appear in its cases; the cross-unit link is the news);
× :data:`PRINCIPAL_FACTOR` (0.5) for a ``tie`` or ``tie_chain`` whose end on
either side is attached as the unit's principal rather than named in the item
(a principal's relative is not implicated in every case of the unit).

The weights put evidence through *implicated* people (``same_cadre``,
``linked``, ``tie``, ``tie_chain``: the links of the generator's related-case
truth, :mod:`xuncha.synth.truth`) above context: ``principal`` alone is 0.40,
and the context signals together (``same_unit``, ``category_sector``,
``similar_text``) reach at most 1 - 0.85 × 0.90 × 0.80 ≈ 0.39.  Measured on
generated data with ``bench/bench_queries.py`` (figures in ``bench/README.md``).

A hub node (region, round, category) never makes a connection by itself:
sharing a region, a round or a category alone gives no signal.

Score: per signal the strongest instance ``w`` (weight × strength); the
score is the noisy-OR ``1 - prod(1 - w)`` over signals, rounded to 4 places.
Results are sorted by score descending, then id.  Reasons are sorted by
weight descending, then signal, then path; at most :data:`MAX_REASONS` per
signal are kept.

For a unit seed the seeds are its items, each candidate keeps the strongest
instance per signal over all of them (a person attached to several of them
is followed once, from the first, by date), the unit's own items are results with
``same_unit``, and the ``category_sector`` and ``similar_text`` signals are not
used (they would relate a unit to its whole sector).

>>> from xuncha.queries.related import related
>>> rows = related(store, "issue:I1", limit=5)        # doctest: +SKIP
>>> rows[0].as_dict()["reasons"][0]["signal"]          # doctest: +SKIP
'same_cadre'
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import taxonomy
from ..graph.store import GraphStore
from .common import Item, Post, QueryError, QueryIndex, Tie, index, relation_name

W_SAME_CADRE = 0.90
W_LINKED = 0.90
W_PRINCIPAL = 0.40
W_SAME_UNIT = 0.15
W_CATEGORY_SECTOR = 0.10
W_TEXT = 0.20
TIE_WEIGHTS = {
    "spouse": 0.75, "parent": 0.75, "child": 0.75, "sibling": 0.75,
    "grandparent": 0.65, "grandchild": 0.65, "collateral": 0.65, "in_law": 0.65,
    "business": 0.65, "colleague": 0.60,
    "classmate": 0.50, "fellow_townsman": 0.50,
    "other": 0.40,
}
W_DERIVED_COLLEAGUE = 0.35
MENTION_FACTOR = 0.6  # the linking cadre is named in the candidate but no lead is about them
SAME_UNIT_FACTOR = 0.6  # person signals between two items of one unit
PRINCIPAL_FACTOR = 0.5  # a tie whose end is a principal 一把手 of the item's unit, not named in it
PERIOD_DAYS = 183
TEXT_MIN = 0.5
MAX_REASONS = 3
SIGNALS = ("same_cadre", "linked", "tie", "principal", "tie_chain", "same_unit",
           "category_sector", "similar_text")
SEED_KINDS = ("issue", "lead", "cadre", "unit")


@dataclass
class Reason:
    signal: str
    text: str
    path: list[str]
    weight: float  # this instance's contribution, weight × strength

    def as_dict(self) -> dict:
        return {"signal": self.signal, "text": self.text, "path": self.path,
                "weight": round(self.weight, 4)}


@dataclass
class Related:
    id: str
    kind: str
    label: str
    unit: str | None
    date: str | None
    score: float
    reasons: list[Reason] = field(default_factory=list)

    @property
    def signals(self) -> list[str]:
        return list(dict.fromkeys(r.signal for r in self.reasons))

    def as_dict(self) -> dict:
        return {"id": self.id, "kind": self.kind, "label": self.label, "unit": self.unit,
                "date": self.date, "score": self.score,
                "reasons": [r.as_dict() for r in self.reasons]}


class _Person:
    """How a cadre is attached to a seed or candidate item."""

    __slots__ = ("cadre", "post")

    def __init__(self, cadre: str, post: Post | None = None):
        self.cadre = cadre
        self.post = post  # None: named in the item; else the principal post


def _people(idx: QueryIndex, it: Item) -> list[_Person]:
    out = [_Person(c) for c in it.cadres]
    if it.unit:
        out += [_Person(p.cadre, p) for p in idx.principals_at(it.unit, it.date)]
    return out


class _Acc:
    def __init__(self, idx: QueryIndex, exclude: set[str]):
        self.idx = idx
        self.exclude = exclude
        self.found: dict[str, dict[str, dict[tuple, Reason]]] = {}
        self.current: str | None = None  # the seed item being expanded

    def add(self, cand: str, signal: str, weight: float, text: str, path: list[str]) -> None:
        if cand in self.exclude or cand == self.current:
            return
        sig = self.found.setdefault(cand, {}).setdefault(signal, {})
        key = tuple(path)
        old = sig.get(key)
        if old is None or weight > old.weight:
            sig[key] = Reason(signal, text, path, weight)


def _role(idx: QueryIndex, p: _Person, it: Item | None) -> str:
    """How a cadre is attached: 'named in issue:I1' / 'principal (局长, …) of … on DATE'."""
    if it is None:
        return ""
    if p.post is None:
        return f"named in {it.id} 涉及"
    return (f"principal 一把手 ({p.post.title}, {p.post.window}) of {idx.name(p.post.unit)} "
            f"on {it.date}")


def _who(idx: QueryIndex, p: _Person, it: Item | None) -> str:
    role = _role(idx, p, it)
    return f"{idx.name(p.cadre)} [{role}]" if role else idx.name(p.cadre)


def _w(idx: QueryIndex, base: float, s: Item | None, c: Item, q: _Person,
       p: _Person | None = None) -> float:
    """A person signal's weight for candidate ``c`` reached through ``q``.

    ``p`` (ties only): the seed's person; a tie with either end attached
    through a principal post, not named, is scaled by :data:`PRINCIPAL_FACTOR`.
    """
    w = base
    if q.post is None and q.cadre not in idx.case_subjects.get(c.id, ()):
        w *= MENTION_FACTOR
    if p is not None and (p.post is not None or q.post is not None):
        w *= PRINCIPAL_FACTOR
    if s is not None and c.unit is not None and c.unit == s.unit:
        w *= SAME_UNIT_FACTOR
    return w


def _seed_paths(s: Item | None, p: _Person) -> list[str]:
    """Path from the seed item to the attached cadre."""
    if s is None:
        return [p.cadre]
    if p.post is None:
        return [s.id, p.cadre]
    return [s.id, p.post.unit, p.cadre]


def _cand_path(c: Item, p: _Person) -> list[str]:
    """Path from the attached cadre on to the candidate item."""
    if p.post is None:
        return [c.id]
    return [p.post.unit, c.id]


def _expand_item(idx: QueryIndex, acc: _Acc, s: Item | None, people: list[_Person],
                 context: bool, done: set | None = None, same_unit: bool = True,
                 similar=None) -> None:
    """Add every candidate related to seed ``s`` (None for a bare cadre seed).

    ``done`` (unit seeds) holds the people already expanded from another of
    the unit's items: their candidates and weights would be the same.
    """
    named_seed = {p.cadre for p in people if p.post is None}
    acc.current = s.id if s is not None else None
    if done is not None:
        keep = []
        for p in people:
            key = (p.cadre, p.post.unit, p.post.start) if p.post else (p.cadre,)
            if key not in done:
                done.add(key)
                keep.append(p)
        people = keep

    def cand_people_named(cadre: str):
        for c in idx.items_of_cadre.get(cadre, ()):
            yield c, _Person(cadre)

    def cand_people_principal(cadre: str):
        for post in idx.posts_of_cadre.get(cadre, ()):
            if not post.principal:
                continue
            for c in idx.items_at(post.unit, post.start, post.end):
                if post.covers(c.date):
                    yield c, _Person(cadre, post)

    for p in people:
        head = _seed_paths(s, p)
        # same cadre / principal
        for c, q in cand_people_named(p.cadre):
            if p.post is None:
                acc.add(c.id, "same_cadre", _w(idx, W_SAME_CADRE, s, c, q),
                        f"同一人员 same cadre: {idx.name(p.cadre)} named in both", head + [c.id])
            elif p.cadre not in named_seed:
                acc.add(c.id, "principal", _w(idx, W_PRINCIPAL, s, c, q),
                        f"一把手涉及 principal named: {idx.name(p.cadre)} was {_role(idx, p, s)} "
                        f"and is named in {c.id}", head + [c.id])
        for c, q in cand_people_principal(p.cadre):
            if p.post is not None and q.post.unit == p.post.unit:
                continue  # same principal, same unit: that is same_unit
            if p.post is None and p.cadre in c.cadres:
                continue  # named in both: that is same_cadre
            if p.post is None and s is not None and q.post.unit == s.unit:
                continue  # named in s and principal of s's own unit: same_unit
            first = f"is named in {s.id}" if s is not None and p.post is None else (
                f"was {_role(idx, p, s)}" if s is not None else "was")
            acc.add(c.id, "principal", _w(idx, W_PRINCIPAL, s, c, q),
                    f"同一一把手 same principal: {idx.name(p.cadre)} {first}"
                    f"{' and' if s is not None else ''} {_role(idx, q, c)}",
                    head + _cand_path(c, q))
        # ties
        ties: list[Tie] = list(idx.ties.get(p.cadre, ()))
        if p.post is None:
            ties += idx.colleagues(p.cadre)
        for t in ties:
            if t.other in named_seed and s is not None:
                continue
            if not t.derived:
                w1 = TIE_WEIGHTS.get(t.relation, TIE_WEIGHTS["other"])
                for t2 in idx.ties.get(t.other, ()):
                    if t2.other == p.cadre or (t2.other in named_seed and s is not None):
                        continue
                    w2 = TIE_WEIGHTS.get(t2.relation, TIE_WEIGHTS["other"])
                    for c, q in cand_people_named(t2.other):
                        acc.add(c.id, "tie_chain", _w(idx, w1 * w2, s, c, q, p),
                                f"社会关系链 tie chain: {_who(idx, p, s)} –{relation_name(t.relation)}– "
                                f"{idx.name(t.other)} –{relation_name(t2.relation)}– "
                                f"{_who(idx, q, c)}", head + [t.other, t2.other, c.id])
            if t.derived:
                w = W_DERIVED_COLLEAGUE
                how = (f"同事 colleagues at {idx.name(t.unit)} "
                       f"{t.window[0]}–{t.window[1] if t.window[1] != '9999-12-31' else '至今'}"
                       f" (同时任职)")
                sources = cand_people_named(t.other)
            else:
                w = TIE_WEIGHTS.get(t.relation, TIE_WEIGHTS["other"])
                how = f"社会关系 {relation_name(t.relation)}"
                sources = _chain(cand_people_named(t.other), cand_people_principal(t.other))
            for c, q in sources:
                if t.derived and s is not None and (c.unit == s.unit or t.unit in (s.unit, c.unit)):
                    continue  # colleagues in the unit of either case: no news
                mid = head + [t.other] + _cand_path(c, q)
                acc.add(c.id, "tie", _w(idx, w, s, c, q, p),
                        f"{how}: {_who(idx, p, s)} – {_who(idx, q, c)}", mid)
    if s is None:
        return
    # linked leads/issues
    if s.kind == "issue":
        for lid in idx.leads_of_issue.get(s.id, ()):
            acc.add(lid, "linked", W_LINKED, f"线索源于该问题 linked: {lid} was raised from {s.id}",
                    [s.id, lid])
    else:
        for iid in s.issues:
            acc.add(iid, "linked", W_LINKED, f"线索源于该问题 linked: {s.id} was raised from {iid}",
                    [s.id, iid])
            for lid in idx.leads_of_issue.get(iid, ()):
                acc.add(lid, "linked", W_LINKED,
                        f"源于同一问题 linked: {s.id} and {lid} were both raised from {iid}",
                        [s.id, iid, lid])
    # same unit
    if s.unit and same_unit:
        for c in idx.items_of_unit.get(s.unit, ()):
            acc.add(c.id, "same_unit", W_SAME_UNIT,
                    f"同一单位 same unit: both found in {idx.name(s.unit)}", [s.id, s.unit, c.id])
    if not context:
        return
    # same category, sector and period
    sector = idx.unit_sector.get(s.unit) if s.unit else None
    if sector and s.category_key and s.day is not None:
        import bisect

        days, lst = idx.block(s.category_key, sector)
        lo = bisect.bisect_left(days, s.day - PERIOD_DAYS)
        hi = bisect.bisect_right(days, s.day + PERIOD_DAYS)
        cat = f"category:{s.category_key}"
        cat_name = taxonomy.zh("subcategory" if s.subcategory else "category", s.category_key)
        for c in lst[lo:hi]:
            if c.unit == s.unit:
                continue
            acc.add(c.id, "category_sector", W_CATEGORY_SECTOR,
                    f"同板块同期同类 same category {cat_name} in sector 板块 {sector}: "
                    f"found {s.date} in {idx.name(s.unit)} and {c.date} in {idx.name(c.unit)}", [s.id, cat, c.id])
    # similar descriptions
    if s.text:
        found = similar(s) if similar is not None else idx.text.similar(s.id, TEXT_MIN, limit=50)
        for cid, sim in found:
            acc.add(cid, "similar_text", W_TEXT * sim,
                    f"问题表现相似 similar descriptions (cosine {sim:.2f})", [s.id, cid])


def _chain(*gens):
    for g in gens:
        yield from g


def related(store: GraphStore, ref: str, limit: int | None = 10, min_score: float = 0.0,
            signals: tuple[str, ...] | None = None) -> list[Related]:
    """Issues and leads related to ``ref`` (an issue, lead, cadre or unit), best first.

    ``signals`` restricts scoring to the named signals (default: all);
    ``min_score`` drops weaker results; ``limit`` caps the list (None: all).
    """
    if signals:
        bad = [x for x in signals if x not in SIGNALS]
        if bad:
            raise QueryError(f"unknown signal(s) {', '.join(bad)}: choose from {', '.join(SIGNALS)}")
    seed = store.resolve(ref, SEED_KINDS)
    return rank(store, index(store), seed, limit, min_score, signals)


def rank(store: GraphStore, idx: QueryIndex, seed: str, limit: int | None = 10,
         min_score: float = 0.0, signals: tuple[str, ...] | None = None,
         similar=None) -> list[Related]:
    """The scoring core of :func:`related` for a resolved ``seed``.

    ``store``/``idx`` need only hold what the signals read about the seed (the
    server version passes a store of the seed's neighbourhood); ``similar``
    (``Item -> [(id, cosine)]``, best first, at most 50, cosine >=
    :data:`TEXT_MIN`) replaces the in-memory text index.
    """
    kind = store.kind(seed)
    acc = _Acc(idx, {seed})
    if kind in ("issue", "lead"):
        s = idx.items[seed]
        _expand_item(idx, acc, s, _people(idx, s), context=True, similar=similar)
    elif kind == "cadre":
        _expand_item(idx, acc, None, [_Person(seed)], context=False)
    else:
        own = idx.items_of_unit.get(seed, [])
        done: set = set()
        for s in own:
            _expand_item(idx, acc, s, _people(idx, s), context=False, done=done, same_unit=False)
        for c in own:
            acc.found.setdefault(c.id, {})["same_unit"] = {(seed, c.id): Reason(
                "same_unit", f"本单位 in this unit: found in {idx.name(seed)}", [seed, c.id], W_SAME_UNIT)}
    out: list[Related] = []
    for cid, by_signal in acc.found.items():
        reasons: list[Reason] = []
        miss = 1.0
        for sig, inst in by_signal.items():
            if signals and sig not in signals:
                continue
            best = sorted(inst.values(), key=lambda r: (-r.weight, r.path))
            miss *= 1.0 - best[0].weight
            reasons.extend(best[:MAX_REASONS])
        if not reasons:
            continue
        score = round(1.0 - miss, 4)
        if score < min_score:
            continue
        reasons.sort(key=lambda r: (-r.weight, SIGNALS.index(r.signal), r.path))
        c = idx.items[cid]
        out.append(Related(cid, c.kind, store.label(cid), c.unit, c.date, score, reasons))
    out.sort(key=lambda r: (-r.score, r.id))
    return out[:limit] if limit else out
