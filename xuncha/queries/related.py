"""Related cases 关联案件: issues and leads related to an issue, lead, cadre or unit.

Every result carries at least one *signal* (the evidence) and a strength
*tier*; nothing is shown to fill a list.  Each reason has a sentence naming
the people, units, posts and dates, and its evidence path: a walk over real
edges of the graph (``hops``: source, target, edge kind and the edge's
properties, with its provenance ``prov`` when the ledgers gave one).  The
one exception is ``similar_text``, a computed measure with no edge (its path
is the two items, its ``hops`` empty).

People attached to an item (items, dates and posts: :mod:`xuncha.queries.common`):
its *named* cadres (涉及人员 of an issue, 被反映人 of a lead) and the
principals 一把手 of its unit who *answer for* it under the responsibility
policy (:mod:`xuncha.queries.periods`: tenure overlapping the item's inspected
period 被巡察期间 by the policy's threshold, not a newcomer at the team's
arrival).  A cadre seed is attached to itself; a unit seed stands for all its
items (each person or principal post followed once, from the earliest item
that reaches it), and its answer is the items *elsewhere* related to them: its
own items appear only as weak ``same_unit`` results.  The signals, their tiers and weights are :data:`SIGNALS` (the help text
and README are generated from it):

- strong: ``same_cadre`` (one cadre named in both), ``linked`` (a lead raised
  from the issue, or two leads from one issue), ``kin`` (a family tie 亲属关系,
  RELATED_TO either direction, between a person named in each);
- moderate: ``principal`` (a person named in one item answered as principal
  for the other under the policy), ``colleague`` (a declared colleague tie
  between named people; its path walks the posts that overlapped: cadre →
  post → unit ← post ← cadre, with the dates), ``tie`` (a declared business
  tie 经济往来 between named people), ``tie_chain`` (two family, colleague or
  business ties in a row between named people);
- weak (only when asked: ``min_tier="weak"``, CLI ``--weak``):
  ``same_principal`` (one principal answered for both, named in neither),
  ``principal_tie`` (a tie from an answering principal to a person named in
  the other), ``tie_other`` (a classmate, townsman or other declared tie),
  ``coworker`` (named people whose posts in a third unit overlapped, no
  declared tie), ``same_unit``, ``category_sector`` (same category key, same
  sector 板块, dates at most :data:`PERIOD_DAYS` apart, different units) and
  ``similar_text`` (description cosine >= :data:`TEXT_MIN`, boilerplate and
  masked names 某 discounted, :mod:`xuncha.queries.text`; never between two
  items that name people of whom they share none).

Score: per signal the strongest instance ``w`` (weight × factors); the score
is the noisy-OR ``1 - prod(1 - w)`` over the signals computed, rounded to 4
places.  Person signals count × :data:`MENTION_FACTOR` when the linking cadre
is named in the candidate but no lead of its case is about them, and ×
:data:`SAME_UNIT_FACTOR` between two items of one unit.  A result's tier is
its strongest signal's.  Results are ordered by tier, then score, then
evidence count (reasons found), then recency (date, latest first), then id.
At most :data:`MAX_REASONS` reasons per signal are listed.  A hub (region,
round, category) never relates two items by itself.

>>> from xuncha.queries.related import related
>>> rows = related(store, "issue:I1", limit=5)        # doctest: +SKIP
>>> rows[0].as_dict()["tier"]                          # doctest: +SKIP
'strong'
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from .. import taxonomy
from ..graph import derived
from ..i18n import Later, built, define, later, term, window
from .common import Item, QueryError, relation_name
from .periods import DEFAULT_POLICY, Policy
from .view import View, view

TIERS = ("strong", "moderate", "weak")
TIER_ZH = {"strong": "强", "moderate": "中", "weak": "弱"}

#: Weight of a declared tie (RELATED_TO) by relation kind.
RELATION_WEIGHTS = {
    "spouse": 0.75, "parent": 0.75, "child": 0.75, "sibling": 0.75,
    "grandparent": 0.65, "grandchild": 0.65, "collateral": 0.65, "in_law": 0.65,
    "business": 0.60, "colleague": 0.55, "classmate": 0.45, "fellow_townsman": 0.45,
    "other": 0.40,
}
KIN = frozenset(taxonomy.KIN_RELATIONS)
#: Declared ties that relate two cases (kin strong, the others moderate).
LINKING = KIN | {"colleague", "business"}



def _by_weight(kinds) -> str:
    """``spouse/parent 0.75, in_law 0.65`` from :data:`RELATION_WEIGHTS`."""
    groups: dict[float, list[str]] = {}
    for k, w in RELATION_WEIGHTS.items():
        if k in kinds:
            groups.setdefault(w, []).append(k)
    return ", ".join(f"{'/'.join(ks)} {w}" for w, ks in groups.items())


W_SAME_CADRE = 0.90
W_LINKED = 0.90
W_PRINCIPAL = 0.40
W_SAME_PRINCIPAL = 0.30
W_COWORKER = 0.25
W_SAME_UNIT = 0.15
W_CATEGORY_SECTOR = 0.10
W_TEXT = 0.20
PRINCIPAL_TIE_FACTOR = 0.5
MENTION_FACTOR = 0.6  # the linking cadre is named in the candidate but no lead is about them
SAME_UNIT_FACTOR = 0.6  # person signals between two items of one unit
PERIOD_DAYS = 183
TEXT_MIN = 0.5
MAX_REASONS = 3


@dataclass(frozen=True)
class Signal:
    name: str
    tier: str
    weight: str  # as stated in help
    zh: str
    when: str


SIGNALS: dict[str, Signal] = {s.name: s for s in (
    Signal("same_cadre", "strong", f"{W_SAME_CADRE}", "同一人员", "the same person named in both"),
    Signal("linked", "strong", f"{W_LINKED}", "线索源于问题", "a lead raised from the issue, or two leads from one issue"),
    Signal("kin", "strong", _by_weight(KIN), "亲属关系",
           "a family tie between people named in each"),
    Signal("principal", "moderate", f"{W_PRINCIPAL}", "一把手责任",
           "a person named in one answered as principal for the other (policy below)"),
    Signal("colleague", "moderate", _by_weight({"colleague"}), "同事",
           "a declared colleague tie between named people, shown through their overlapping posts"),
    Signal("tie", "moderate", _by_weight(LINKING - KIN - {"colleague"}), "经济往来",
           "a declared business tie between named people"),
    Signal("tie_chain", "moderate", "product of the two ties", "社会关系链",
           "two family, colleague or business ties in a row between named people"),
    Signal("same_principal", "weak", f"{W_SAME_PRINCIPAL}", "同一责任一把手",
           "one principal answered for both, named in neither"),
    Signal("principal_tie", "weak", f"{PRINCIPAL_TIE_FACTOR} × tie", "一把手的社会关系",
           "a tie from an answerable principal to a person named in the other"),
    Signal("tie_other", "weak", _by_weight(set(RELATION_WEIGHTS) - LINKING), "其他社会关系",
           "another declared tie (classmate, townsman, other) between named people"),
    Signal("coworker", "weak", f"{W_COWORKER}", "同时任职",
           "named people whose posts in one third unit overlapped, no declared tie"),
    Signal("same_unit", "weak", f"{W_SAME_UNIT}", "同一单位", "found in the same unit"),
    Signal("category_sector", "weak", f"{W_CATEGORY_SECTOR}", "同板块同期同类",
           f"same category, same sector 板块, within {PERIOD_DAYS} days, other unit"),
    Signal("similar_text", "weak", f"{W_TEXT} × cosine (>= {TEXT_MIN})", "问题表现相似",
           "similar descriptions, boilerplate and masked names 某 discounted"),
)}
SEED_KINDS = ("issue", "lead", "cadre", "unit")

#: English names of the signals in reason sentences (the Chinese are ``Signal.zh``).
SIGNAL_EN = {
    "same_cadre": "same cadre", "linked": "linked", "kin": "kinship", "principal": "answerable principal",
    "colleague": "colleagues", "tie": "business tie", "tie_chain": "tie chain",
    "same_principal": "same answerable principal", "principal_tie": "principal's tie",
    "tie_other": "other tie", "coworker": "coworkers", "same_unit": "same unit",
    "category_sector": "same category, sector and period", "similar_text": "similar descriptions",
}
define({f"signal.{k}": (s.zh, SIGNAL_EN[k]) for k, s in SIGNALS.items()})

# Reason sentences: one template per language (:mod:`xuncha.i18n`); JSON gives the code.
define({
    "related.named": ("{cadre}涉及 {item}", "{cadre} named in {item}"),
    "related.same_cadre": ("同一人员：{cadre}涉及 {seed}，也涉及 {other}",
                           "same cadre: {cadre} named in {seed} and in {other}"),
    "related.same_cadre_of": ("同一人员：{cadre}涉及 {other}", "same cadre: {cadre} named in {other}"),
    "related.tie": ("{signal}（{relation}）{detail}：{a} – {b}", "{signal} ({relation}){detail}: {a} – {b}"),
    "related.colleague_posts": ("，同在{unit}任职（{title}，{window}；{other_title}，{other_window}；"
                                "同时任职{overlap}）",
                                " at {unit} ({title}, {window}; {other_title}, {other_window}; "
                                "overlapping {overlap})"),
    "related.tie_chain": ("社会关系链：{a} –{relation}– {middle} –{relation2}– {b}",
                          "tie chain: {a} –{relation}– {middle} –{relation2}– {b}"),
    "related.coworker": ("同时任职：{cadre}（{title}，{window}）与{other_cadre}（{other_title}，"
                         "{other_window}）{overlap}同在{unit}任职；{other_cadre}涉及 {other}",
                         "coworkers at {unit}: {cadre} ({title}, {window}) and {other_cadre} "
                         "({other_title}, {other_window}) overlapping {overlap}; {other_cadre} named in {other}"),
    "related.principal": ("一把手责任：{a}；{answer}（{unit}），{other} 发现于{date}",
                          "answerable principal: {a}; {answer} at {unit}, {other} found {date}"),
    "related.answers_for": ("{cadre}（{unit}{answer}）对 {seed} 负有责任",
                            "{cadre}, {answer} at {unit} (answers for {seed})"),
    "related.principal_named": ("一把手责任：{who}；其涉及 {other}", "answerable principal: {who}; named in {other}"),
    "related.same_principal": ("同一责任一把手：{who}；又在{unit}{answer}，对 {other} 负有责任（发现于{date}）",
                               "same answerable principal: {who}; {answer} at {unit} "
                               "(answers for {other}, found {date})"),
    "related.principal_tie": ("一把手的社会关系（{relation}）：{who} – {b}",
                              "principal's tie ({relation}): {who} – {b}"),
    "related.raised_from": ("线索源于该问题：{lead} 源于 {issue}", "linked: {lead} was raised from {issue}"),
    "related.same_source": ("源于同一问题：{a} 和 {b} 均源于 {issue}",
                            "linked: {a} and {b} were both raised from {issue}"),
    "related.same_unit": ("同一单位：均发现于{unit}", "same unit: both found in {unit}"),
    "related.this_unit": ("本单位：发现于{unit}", "in this unit: found in {unit}"),
    "related.category_sector": ("同板块同期同类：{category}，板块{sector}；{date}发现于{unit}，"
                                "{other_date}发现于{other_unit}",
                                "same category {category} in sector {sector}: found {date} in {unit} "
                                "and {other_date} in {other_unit}"),
    "related.similar_text": ("问题表现相似（余弦相似度 {cosine}）", "similar descriptions (cosine {cosine})"),
})


def signals_help() -> str:
    """The signal table for ``related --help`` (from :data:`SIGNALS`)."""
    lines = []
    for tier in TIERS:
        lines.append(f"{tier} {TIER_ZH[tier]}:")
        for s in SIGNALS.values():
            if s.tier == tier:
                lines.append(f"  {s.name:<16}{s.zh}: {s.when} ({s.weight})")
    return "\n".join(lines)


@dataclass
class Reason:
    signal: str
    text: str
    path: list[str]
    weight: float  # this instance's contribution, weight × factors
    steps: tuple = ()  # (a, b, edge kind, properties to match) along the path
    hops: list[dict] = field(default_factory=list)

    @property
    def tier(self) -> str:
        return SIGNALS[self.signal].tier

    def as_dict(self) -> dict:
        return {"signal": self.signal, "tier": self.tier, "code": getattr(self.text, "code", None),
                "text": self.text, "path": self.path,
                "weight": round(self.weight, 4), "hops": self.hops}


@dataclass
class Related:
    id: str
    kind: str
    label: str
    unit: str | None
    date: str | None
    score: float
    tier: str = "weak"
    evidence: int = 0
    reasons: list[Reason] = field(default_factory=list)

    @property
    def signals(self) -> list[str]:
        return list(dict.fromkeys(r.signal for r in self.reasons))

    def as_dict(self) -> dict:
        return {"id": self.id, "kind": self.kind, "label": self.label, "unit": self.unit,
                "date": self.date, "score": self.score, "tier": self.tier,
                "evidence": self.evidence, "reasons": [r.as_dict() for r in self.reasons]}


# -- steps along real edges ----------------------------------------------------------

def _named_kind(it: Item) -> str:
    return "IMPLICATES" if it.kind == "issue" else "CONCERNS"


def _to_unit(v: View, it: Item) -> list[tuple]:
    """Steps from an item to its unit: FOUND_IN, CONCERNS_UNIT, or through its
    first linked issue (a lead without a unit of its own)."""
    if it.kind == "issue":
        return [(it.id, it.unit, "FOUND_IN", None)]
    if v.store.node(it.id).get("unit_id"):
        return [(it.id, it.unit, "CONCERNS_UNIT", None)]
    first = it.issues[0]
    return [(it.id, first, "RAISED_FROM", None), (first, it.unit, "FOUND_IN", None)]


def _back(steps: list[tuple]) -> list[tuple]:
    return [(b, a, k, m) for a, b, k, m in reversed(steps)]


def _post_match(p) -> dict:
    return {"start": p.start, "title": p.title}


def _path(steps) -> list[str]:
    return [steps[0][0]] + [s[1] for s in steps] if steps else []


def edge_between(store, a: str, b: str, kind: str, match: dict | None = None) -> dict | None:
    """The edge of ``kind`` joining ``a`` and ``b`` (either direction) whose
    properties equal ``match``: ``{source, target, kind, props}`` or None."""
    for s, t in ((a, b), (b, a)):
        for _, v, d in store.out_edges(s, kind):
            if v == t and all(d.get(k) == x for k, x in (match or {}).items()):
                return {"source": s, "target": t, "kind": kind,
                        "props": {k: x for k, x in d.items() if k != "kind"}}
    return None


def hops(store, steps) -> list[dict]:
    out = []
    for a, b, kind, match in steps:
        e = edge_between(store, a, b, kind, match)
        if e is None:  # pragma: no cover - a bug: reasons are built from edges
            raise QueryError(f"internal: no {kind} edge between {a} and {b}")
        out.append(e)
    return out


# -- the walk ------------------------------------------------------------------------------

class _Acc:
    def __init__(self, exclude: set[str], signals: tuple[str, ...] | None):
        self.exclude = exclude
        self.signals = set(signals) if signals else None
        self.found: dict[str, dict[str, dict[tuple, Reason]]] = {}
        self.current: str | None = None

    def add(self, cand: str, signal: str, weight: float, text: str, steps: list[tuple],
            path: list[str] | None = None) -> None:
        if cand in self.exclude or cand == self.current:
            return
        if self.signals is not None and signal not in self.signals:
            return
        path = path or _path(steps)
        sig = self.found.setdefault(cand, {}).setdefault(signal, {})
        key = tuple(path)
        old = sig.get(key)
        if old is None or weight > old.weight:
            sig[key] = Reason(signal, text, path, weight, tuple(steps))


class _Walk:
    def __init__(self, v: View, acc: _Acc, policy: Policy, weak: bool, similar=None):
        self.v = v
        self.acc = acc
        self.policy = policy
        self.weak = weak
        self.similar = similar

    def factor(self, s: Item | None, x: Item, via: str) -> float:
        f = 1.0
        if via in x.cadres and via not in self.v.case_subjects(x):
            f *= MENTION_FACTOR
        if s is not None and x.unit is not None and x.unit == s.unit:
            f *= SAME_UNIT_FACTOR
        return f

    def named_items(self, cadre: str):
        return self.v.items_of_cadre(cadre)

    def expand(self, s: Item | None, named: list[str], heads: dict[str, list[tuple]],
               context: bool, same_unit: bool = True, done: set | None = None) -> None:
        """Add the candidates related to ``s`` (None: a cadre seed) through the
        people ``named`` in it.  ``done`` (unit seeds): people and principal
        posts already followed from another of the unit's items (by date, the
        first one's path is kept: their candidates would be the same)."""
        v, acc, name = self.v, self.acc, self.v.name
        acc.current = s.id if s is not None else None
        named_set = set(named)

        def named_here(c: str):
            """The cadre, with the seed item they are named in (none for a cadre seed)."""
            return later("related.named", cadre=name(c), item=s.id) if s is not None else name(c)
        for n in named:
            if done is not None:
                if ("named", n) in done:
                    continue
                done.add(("named", n))
            head = heads[n]
            # same cadre
            for x in self.named_items(n):
                acc.add(x.id, "same_cadre", W_SAME_CADRE * self.factor(s, x, n),
                        later("related.same_cadre", cadre=name(n), seed=s.id, other=x.id) if s is not None
                        else later("related.same_cadre_of", cadre=name(n), other=x.id),
                        head + [(n, x.id, _named_kind(x), None)])
            # declared ties and chains
            for t in v.ties(n):
                o = t.other
                if o in named_set:
                    continue
                w1 = RELATION_WEIGHTS.get(t.relation, RELATION_WEIGHTS["other"])
                sig = ("kin" if t.relation in KIN else "colleague" if t.relation == "colleague"
                       else "tie" if t.relation in LINKING else "tie_other")
                if sig == "tie_other" and not self.weak:
                    continue
                tie_steps = [(n, o, "RELATED_TO", {"relation_kind": t.relation})]
                detail = ""
                if sig == "colleague":
                    shared = next((c for c in v.colleagues(n) if c.other == o), None)
                    if shared is not None:  # the posts that made them colleagues
                        p, q = shared.posts
                        tie_steps = [(n, shared.unit, "HELD_POSITION", _post_match(p)),
                                     (shared.unit, o, "HELD_POSITION", _post_match(q))]
                        detail = later("related.colleague_posts", unit=name(shared.unit), title=p.title,
                                     window=Later(window, p.start, p.end), other_title=q.title, other_window=Later(window, q.start, q.end),
                                     overlap=Later(window, *shared.window))
                for x in self.named_items(o):
                    acc.add(x.id, sig, w1 * self.factor(s, x, o),
                            later("related.tie", signal=later(f"signal.{sig}"), relation=Later(relation_name, t.relation),
                                detail=detail, a=named_here(n),
                                b=later("related.named", cadre=name(o), item=x.id)),
                            head + tie_steps + [(o, x.id, _named_kind(x), None)])
                if t.relation not in LINKING:
                    continue
                tie_step = (n, o, "RELATED_TO", {"relation_kind": t.relation})
                for t2 in v.ties(o):
                    o2 = t2.other
                    if o2 == n or o2 in named_set or t2.relation not in LINKING:
                        continue
                    w2 = RELATION_WEIGHTS.get(t2.relation, RELATION_WEIGHTS["other"])
                    step2 = (o, o2, "RELATED_TO", {"relation_kind": t2.relation})
                    for x in self.named_items(o2):
                        acc.add(x.id, "tie_chain", w1 * w2 * self.factor(s, x, o2),
                                later("related.tie_chain", a=named_here(n), relation=Later(relation_name, t.relation),
                                    middle=name(o), relation2=Later(relation_name, t2.relation),
                                    b=later("related.named", cadre=name(o2), item=x.id)),
                                head + [tie_step, step2, (o2, x.id, _named_kind(x), None)])
            # coworkers: overlapping posts in a third unit, no declared tie (weak)
            declared = {t.other for t in v.ties(n)}
            for t in (v.colleagues(n) if self.weak else ()):
                o = t.other
                if o in named_set or o in declared:
                    continue
                p, q = t.posts
                for x in self.named_items(o):
                    if s is not None and (x.unit == s.unit or t.unit in (s.unit, x.unit)):
                        continue
                    acc.add(x.id, "coworker", W_COWORKER * self.factor(s, x, o),
                            later("related.coworker", unit=name(t.unit), cadre=name(n), title=p.title,
                                window=Later(window, p.start, p.end), other_cadre=name(o), other_title=q.title,
                                other_window=Later(window, q.start, q.end), overlap=Later(window, *t.window), other=x.id),
                            head + [(n, t.unit, "HELD_POSITION", _post_match(p)),
                                    (t.unit, o, "HELD_POSITION", _post_match(q)),
                                    (o, x.id, _named_kind(x), None)])
            # a named person who answers, as principal elsewhere, for another item
            for q in v.posts_of_cadre(n):
                if not q.principal:
                    continue
                for x, b in v.answered(q, self.policy):
                    if n in x.cadres:
                        continue  # that is same_cadre
                    acc.add(x.id, "principal", W_PRINCIPAL * self.factor(s, x, n),
                            later("related.principal", a=named_here(n), answer=Later(b.text, q.title),
                                unit=name(q.unit), other=x.id, date=x.date),
                            head + [(n, q.unit, "HELD_POSITION", _post_match(q))]
                            + _back(_to_unit(v, x)))
        if s is None:
            return
        # principals who answer for the seed
        if s.unit:
            for p, a in v.answering(s, self.policy):
                c = p.cadre
                if c in named_set:
                    continue
                if done is not None:
                    if ("post", c, p.start) in done:
                        continue
                    done.add(("post", c, p.start))
                head = _to_unit(v, s) + [(s.unit, c, "HELD_POSITION", _post_match(p))]
                who = later("related.answers_for", cadre=name(c), answer=Later(a.text, p.title), unit=name(s.unit),
                          seed=s.id)
                for x in self.named_items(c):
                    acc.add(x.id, "principal", W_PRINCIPAL * self.factor(s, x, c),
                            later("related.principal_named", who=who, other=x.id),
                            head + [(c, x.id, _named_kind(x), None)])
                if not self.weak:
                    continue
                for q in v.posts_of_cadre(c):
                    if not q.principal or q.unit == s.unit:
                        continue
                    for x, b in v.answered(q, self.policy):
                        if c in x.cadres:
                            continue
                        acc.add(x.id, "same_principal", W_SAME_PRINCIPAL * self.factor(s, x, c),
                                later("related.same_principal", who=who, answer=Later(b.text, q.title),
                                    unit=name(q.unit), other=x.id, date=x.date),
                                head + [(c, q.unit, "HELD_POSITION", _post_match(q))]
                                + _back(_to_unit(v, x)))
                for t in v.ties(c):
                    o = t.other
                    if o in named_set:
                        continue
                    w = RELATION_WEIGHTS.get(t.relation, RELATION_WEIGHTS["other"])
                    for x in self.named_items(o):
                        acc.add(x.id, "principal_tie",
                                PRINCIPAL_TIE_FACTOR * w * self.factor(s, x, o),
                                later("related.principal_tie", relation=Later(relation_name, t.relation), who=who,
                                    b=later("related.named", cadre=name(o), item=x.id)),
                                head + [(c, o, "RELATED_TO", {"relation_kind": t.relation}),
                                        (o, x.id, _named_kind(x), None)])
        # linked leads/issues
        if s.kind == "issue":
            for lid in v.leads_of_issue(s.id):
                acc.add(lid, "linked", W_LINKED, later("related.raised_from", lead=lid, issue=s.id),
                        [(s.id, lid, "RAISED_FROM", None)])
        else:
            for iid in s.issues:
                acc.add(iid, "linked", W_LINKED, later("related.raised_from", lead=s.id, issue=iid),
                        [(s.id, iid, "RAISED_FROM", None)])
                for lid in v.leads_of_issue(iid):
                    acc.add(lid, "linked", W_LINKED,
                            later("related.same_source", a=s.id, b=lid, issue=iid),
                            [(s.id, iid, "RAISED_FROM", None), (iid, lid, "RAISED_FROM", None)])
        if not self.weak:
            return
        if s.unit and same_unit:
            for x in v.items_of_unit(s.unit):
                acc.add(x.id, "same_unit", W_SAME_UNIT,
                        later("related.same_unit", unit=name(s.unit)),
                        _to_unit(v, s) + _back(_to_unit(v, x)))
        if not context:
            return
        self.category_sector(s)
        self.similar_text(s)

    def category_sector(self, s: Item) -> None:
        v = self.v
        if not s.unit or not s.category_key or s.day is None:
            return
        sector = v.store.node(s.unit).get("sector")
        if not sector:
            return
        lo_day, hi_day = s.day - PERIOD_DAYS, s.day + PERIOD_DAYS
        fetch = getattr(v.store, "category_block", None)
        if fetch is not None:  # a graph server: a targeted statement, dates checked here
            ids = fetch(s.category_key, sector, lo_day, hi_day)
            ids = [i for i in ids if (x := v.item(i)) is not None and x.day is not None
                   and lo_day <= x.day <= hi_day and x.category_key == s.category_key
                   and x.unit and v.store.node(x.unit).get("sector") == sector]
            ids.sort(key=lambda i: (v.item(i).day, i))
            lo, hi = 0, len(ids)
        else:
            block = v.store.derived("category_sector").get(f"{s.category_key}\t{sector}")
            if not block:
                return
            days, ids = block
            lo = bisect.bisect_left(days, lo_day)
            hi = bisect.bisect_right(days, hi_day)
        cat = f"category:{s.category_key}"
        cat_name = Later(term, "subcategory" if s.subcategory else "category", s.category_key)

        def to_cat(it: Item) -> list[tuple]:
            if it.kind == "issue":
                return [(it.id, cat, "IN_CATEGORY", None)]
            return [(it.id, it.issues[0], "RAISED_FROM", None), (it.issues[0], cat, "IN_CATEGORY", None)]

        for cid in ids[lo:hi]:
            x = v.item(cid)
            if x is None or x.unit == s.unit:
                continue
            self.acc.add(x.id, "category_sector", W_CATEGORY_SECTOR,
                         later("related.category_sector", category=cat_name, sector=sector, date=s.date,
                             unit=v.name(s.unit), other_date=x.date, other_unit=v.name(x.unit)),
                         to_cat(s) + _back(to_cat(x)))

    def similar_text(self, s: Item) -> None:
        if not s.text:
            return
        if self.similar is not None:
            found = self.similar(s)
        else:
            from .text import similar_in, terms

            found = similar_in(self.v.store.derived("text_stats"), terms(s.text), s.id, TEXT_MIN,
                               limit=50)
        for cid, sim in found:
            x = self.v.item(cid)
            if x is None:
                continue
            if s.cadres and x.cadres and not set(s.cadres) & set(x.cadres):
                continue  # about different named people: text alone never links them
            self.acc.add(cid, "similar_text", W_TEXT * sim,
                         later("related.similar_text", cosine=f"{sim:.2f}"), [],
                         path=[s.id, cid])


# -- derived statistics -----------------------------------------------------------------

@derived.register("text_stats")
def _text_stats(store) -> dict:
    """Term statistics of every item's description/summary (:mod:`xuncha.queries.text`)."""
    from .text import TextIndex

    idx = TextIndex()
    for kind, prop in (("issue", "description"), ("lead", "summary")):
        idx.add_many((nid, d.get(prop)) for nid, d in store.nodes(kind, (prop,)))
    return idx.stats()


@derived.register("category_sector")
def _category_sector(store) -> dict:
    """``"category key\tsector"`` -> ([day, …], [item id, …]) of the dated
    items of that category key in units of that sector, by day then id.

    Items, their units, dates and category keys follow the rules of
    :mod:`xuncha.queries.common` (:func:`~xuncha.queries.common.issue_place`,
    :func:`~xuncha.queries.common.lead_place`), read without building the
    whole query index (posts, ties, people are not needed here)."""
    from itertools import chain

    from .common import assignment_starts, category_key, day, issue_place, lead_place

    round_start = {rid: d.get("start") for rid, d in store.nodes("round", ("start",))}
    assign_start = assignment_starts(store.edges_of(("INSPECTED",))["INSPECTED"])
    unit_sector = {uid: d.get("sector") or None for uid, d in store.nodes("unit", ("sector",))}
    days: dict[str, int | None] = {}
    blocks: dict[tuple[str, str], list] = {}

    def put(nid: str, unit, date, key) -> None:
        if not date or not unit or not key:
            return
        sector = unit_sector.get(unit)
        if not sector:
            return
        d = days.get(date)
        if d is None:
            d = days[date] = day(date)
        got = blocks.get((key, sector))
        if got is None:
            blocks[key, sector] = [(d, nid)]
        else:
            got.append((d, nid))

    raised: dict[str, list[str]] = {}
    for u, v, _ in store.edges_of(("RAISED_FROM",))["RAISED_FROM"]:
        got = raised.get(u)
        if got is None:
            raised[u] = [v]
        else:
            got.append(v)
    wanted = set(chain.from_iterable(raised.values()))  # the issues leads are raised from
    issues: dict[str, tuple] = {}  # such an issue -> (unit, round, date, category key)
    for iid, d in store.nodes("issue", ("unit_id", "round_id", "found_date", "category",
                                        "subcategory")):
        unit, rnd, date = issue_place(d, assign_start, round_start)
        key = category_key(d.get("category"), d.get("subcategory"))
        if iid in wanted:
            issues[iid] = (unit, rnd, date, key)
        put(iid, unit, date, key)
    for lid, d in store.nodes("lead", ("unit_id", "round_id", "transfer_date")):
        linked = [issues[i] for i in dict.fromkeys(raised.get(lid, ())) if i in issues]
        unit, _, date = lead_place(d, linked, round_start)
        put(lid, unit, date, linked[0][3] if linked else None)
    out = {}
    for (key, sector), lst in blocks.items():
        lst.sort()
        out[f"{key}\t{sector}"] = ([d for d, _ in lst], [i for _, i in lst])
    return out


# -- entry points ---------------------------------------------------------------------------

def related(store, ref: str, limit: int | None = 10, min_score: float = 0.0,
            signals: tuple[str, ...] | None = None, min_tier: str = "moderate",
            policy: Policy = DEFAULT_POLICY) -> list[Related]:
    """Issues and leads related to ``ref`` (an issue, lead, cadre or unit), best first.

    ``min_tier``: the weakest tier shown (``strong``, ``moderate`` — the
    default — or ``weak``); ``signals`` restricts to the named signals;
    ``min_score`` drops weaker results; ``limit`` caps the list (None: all);
    ``policy``: who answers for a finding (:mod:`xuncha.queries.periods`).
    """
    check(signals, min_tier)
    seed = store.resolve(ref, SEED_KINDS)
    return rank(store, seed, limit, min_score, signals, min_tier=min_tier, policy=policy)


def check(signals, min_tier) -> None:
    if signals:
        bad = [x for x in signals if x not in SIGNALS]
        if bad:
            raise QueryError(f"unknown signal(s) {', '.join(bad)}: choose from {', '.join(SIGNALS)}")
    if min_tier not in TIERS:
        raise QueryError(f"unknown tier {min_tier!r}: choose from {', '.join(TIERS)}")


def rank(store, seed: str, limit: int | None = 10, min_score: float = 0.0,
         signals: tuple[str, ...] | None = None, min_tier: str = "moderate",
         policy: Policy = DEFAULT_POLICY, similar=None) -> list[Related]:
    """The scoring core of :func:`related` for a resolved ``seed``.

    ``store`` needs only the GraphStore per-node API (``node``, ``has``,
    ``label``, ``out_edges``, ``in_edges``) and, for the weak signals,
    ``derived``; ``similar`` (``Item -> [(id, cosine)]``, best first)
    replaces the text statistics (a graph server computes its own).
    """
    v = view(store)
    weak = min_tier == "weak"
    acc = _Acc({seed}, signals)
    walk = _Walk(v, acc, policy, weak, similar)
    kind = store.kind(seed)
    if kind in ("issue", "lead"):
        s = v.item(seed)
        walk.expand(s, list(s.cadres), {n: [(s.id, n, _named_kind(s), None)] for n in s.cadres},
                    context=True)
    elif kind == "cadre":
        walk.expand(None, [seed], {seed: []}, context=False)
    else:
        own = v.items_of_unit(seed)
        done: set = set()
        acc.exclude = {seed} | {s.id for s in own}  # the unit's own items: same_unit only
        for s in own:
            walk.expand(s, list(s.cadres), {n: [(s.id, n, _named_kind(s), None)] for n in s.cadres},
                        context=False, same_unit=False, done=done)
        acc.exclude = {seed}
        if weak:
            acc.current = None
            for x in own:
                acc.add(x.id, "same_unit", W_SAME_UNIT,
                        later("related.this_unit", unit=v.name(seed)), _back(_to_unit(v, x)))
    shown = TIERS[:TIERS.index(min_tier) + 1]
    out: list[Related] = []
    for cid, by_signal in acc.found.items():
        reasons: list[Reason] = []
        miss = 1.0
        n = 0
        for sig, inst in by_signal.items():
            best = sorted(inst.values(), key=lambda r: (-r.weight, r.path))
            miss *= 1.0 - best[0].weight
            reasons.extend(best[:MAX_REASONS])
            n += len(inst)
        if not reasons:
            continue
        tier = min((r.tier for r in reasons), key=TIERS.index)
        if tier not in shown:
            continue
        score = round(1.0 - miss, 4)
        if score < min_score:
            continue
        reasons.sort(key=lambda r: (TIERS.index(r.tier), -r.weight, list(SIGNALS).index(r.signal),
                                    r.path))
        c = v.item(cid)
        out.append(Related(cid, c.kind, store.label(cid), c.unit, c.date, score, tier, n, reasons))
    out.sort(key=lambda r: r.id)
    out.sort(key=lambda r: r.date or "", reverse=True)
    out.sort(key=lambda r: (TIERS.index(r.tier), -r.score, -r.evidence))
    out = out[:limit] if limit else out
    failed = None
    for r in out:  # every reason's hops before any failure: a store that reads in
        for reason in r.reasons:  # passes (a graph server) notes all it lacks at once
            reason.text = built(reason.text)  # sentences only for the reasons shown
            try:
                reason.hops = hops(store, reason.steps)
            except QueryError as exc:
                failed = failed or exc
    if failed is not None:
        raise failed
    return out
