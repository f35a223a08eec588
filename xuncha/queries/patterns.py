"""Cross-unit patterns 跨单位规律: common problems, recurrences, trails, clusters.

Every scan takes a :class:`~xuncha.queries.common.Window` of filters (rounds,
regions with their sub-regions, sectors 板块, a since/until date range on
the item's date) and returns typed rows carrying their evidence.  Items,
dates, posts and ties are defined in :mod:`xuncha.queries.common`.

common 共性问题 (:func:`common`)
    Issues in the window are grouped by round and *category key* (an issue's
    subcategory, else its category; ``level="category"`` groups by the
    top-level category instead).  The units a round inspected are its
    INSPECTED assignments plus any unit with an issue in that round.  A group
    is listed when its issues were found in at least ``min_units`` distinct
    units (default :data:`COMMON_MIN_UNITS`), and, only when ``min_share``
    is given, in at least that share of the units the round inspected.
    Rows are ranked by over-representation of rare problems: ``lift`` = the
    group's share (units with the category / units the round inspected) over
    the category's *base rate* = inspections (unit × round) with the category
    / inspections, over the window with its round filter dropped (every round,
    the same regions, sectors and dates); ``standout`` = lift × log2(1 / base
    rate), the lift weighted by how rare the category is (a category every
    unit has scores about 0 however it is spread; a 3-unit cluster of a rare
    irregularity scores high, above a round where a common category happens
    to be everywhere).  ``per_round=False`` pools every round of the window
    into one group per category (units = the distinct units; its lift
    compares inspections with the category in the window to the base rate).
    Sorted by standout, then lift, then units (descending), then round and
    category ids; each row carries the counts behind them.

recurring 整改不到位/反弹 (:func:`recurring`)
    An issue is *rectified* as in :mod:`xuncha.queries.kpi`: it has at least
    one action and every action addressing it is completed, closed or
    long_term (as the ledgers stand; its *rectified date*, the latest
    ``completed_date`` of its actions, is reported but not required to
    precede the recurrence).  A recurrence is a pair of issues in one unit
    with the same category key where the earlier one is rectified and the
    later one belongs to a round that started later (when either round's
    start is unknown: the later issue is dated later).  The later
    issue must pass the window.  One row per (unit, category key, later
    round), citing the earliest pair and listing every rectified earlier
    issue and every later issue of that round; ``lookback`` tells whether
    that round is a look-back 回头看.  Sorted by unit, category, date.

trails 问题轨迹 (:func:`trails`)
    A *stop* is always a real post (a HELD_POSITION edge, with its real
    dates).  With ``role="principal"`` (default) a stop is a principal post
    一把手 of a cadre that *answers for* issues in the window found in that
    unit (:mod:`xuncha.queries.periods`: the tenure overlaps the issue's
    inspected period by the policy's threshold, the holder no newcomer at the
    team's arrival; one who left during the period still answers).  With
    ``role="implicated"`` a stop is a post of the cadre in a unit where
    issues in the window name the cadre, the post overlapping the issue's
    period (the largest overlap); issues naming a cadre with no such post are
    listed on the trail as ``named_without_post``, never as a stop.
    ``role="any"``: both.  Each stop lists, per inspection, its period, the
    overlap and the issues.  A trail is a cadre with stops in at least
    ``min_units`` distinct units (default 2), the stops in date order.
    Sorted by distinct units, then issues (descending), then cadre id.

clusters 关联案件群 (:func:`clusters`)
    Items (issues and leads) in the window are joined when they name the
    same cadre, when a cadre named in one and a cadre named in the other
    are tied by a RELATED_TO edge of a kind that relates cases (family, a
    colleague or business tie: ``related.LINKING``; a classmate or townsman
    tie does not), or when a lead was raised from an issue.  A cluster is a connected component spanning at
    least ``min_units`` distinct units (default 2).  Principals and derived
    colleagues do not join items here (they would merge whole units).
    Sorted by units, then items, cases filed and sanctions (descending),
    then the smallest item id; clusters are numbered from 1 in that order.
    Each link is an edge (``hops``, with its provenance); a named person's
    link states their post at the item's unit overlapping its inspected
    period, when they held one (e.g. 科长任职2017-03至2024-02，覆盖被巡察期间…的86%).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from .. import taxonomy
from ..graph.schema import node_id
from ..i18n import define, join, msg, term, window as date_window
from ..graph.store import GraphStore
from .common import Item, QueryError, Window, index, relation_name
from .periods import DEFAULT_POLICY, Policy, answers, days_between
from .view import indexed_bulk_view

COMMON_MIN_UNITS = 3
PATTERNS = ("common", "recurring", "trails", "clusters")
MAX_LINKS = 200  # evidence links listed per cluster

# Explanations, one template per language (:mod:`xuncha.i18n`).
define({
    "patterns.trail_stop": ("{unit}（{title} {window}，{issues}个问题{cover}）",
                            "{unit} ({title} {window}, {issues} issues{cover})"),
    "patterns.cover": ("，覆盖期间{share}%", ", covering {share}% of the period"),
    "patterns.cover_range": ("，覆盖期间{low}–{high}%", ", covering {low}–{high}% of the periods"),
    "patterns.named": ("{cadre}涉及 {item}{note}", "{cadre} named in {item}{note}"),
    "patterns.post_note": ("（{answer}）", " ({answer})"),
    "patterns.raised_from": ("线索源于该问题：{lead} 源于 {issue}", "{lead} raised from {issue}"),
    "patterns.tie": ("社会关系（{relation}）：{a} – {b}", "tie ({relation}): {a} – {b}"),
})


def _cat_name(code: str | None):
    """A category or subcategory by name (:func:`xuncha.i18n.term`: Chinese in zh)."""
    if not code:
        return ""
    if code in taxonomy.SUBCATEGORY:
        return term("subcategory", code)
    return term("category", code)


# -- common ---------------------------------------------------------------------


@dataclass
class CommonProblem:
    category: str  # category node id
    name: str
    round: str | None  # None when rounds are pooled
    units: list[str]
    units_inspected: int
    share: float
    issues: list[str]
    lift: float = 0.0
    base_with: int = 0  # inspections (unit × round) with the category, round filter aside
    base_inspections: int = 0  # inspections in that frame
    standout: float = 0.0  # lift × log2(1 / base rate): the ranking

    @property
    def base_rate(self) -> float:
        return round(self.base_with / self.base_inspections, 4) if self.base_inspections else 0.0

    def as_dict(self) -> dict:
        return {"category": self.category, "name": self.name, "round": self.round,
                "units": len(self.units), "units_inspected": self.units_inspected,
                "share": self.share, "lift": self.lift, "standout": self.standout,
                "base_rate": self.base_rate,
                "base_with": self.base_with, "base_inspections": self.base_inspections,
                "issues": len(self.issues), "unit_ids": self.units, "issue_ids": self.issues}


def _inspected(store, idx, window: Window, unit_ok, groups_units) -> dict[str, set[str]]:
    """Round -> units it inspected in the window (assignments, plus units
    with an issue of the round in ``groups_units``)."""
    inspected: dict[str, set[str]] = {r: set(us) for r, us in groups_units.items()}
    rounds_ok = set(window.rounds)
    for _, v, _, d in store.edges("INSPECTED"):
        rid = d.get("round_id")
        if not rid:
            continue
        rnd = node_id("round", rid)
        if rounds_ok and rnd not in rounds_ok:
            continue
        if not unit_ok(v):
            continue
        if window.since or window.until:
            s, e = d.get("start") or idx.round_start.get(rnd), d.get("end") or idx.round_end.get(rnd)
            if window.since and (not (e or s) or (e or s) < window.since):
                continue
            if window.until and (not s or s > window.until):
                continue
        inspected.setdefault(rnd, set()).add(v)
    return inspected


def common(store: GraphStore, window: Window | None = None, min_units: int | None = None,
           min_share: float | None = None, level: str = "subcategory",
           per_round: bool = True) -> list[CommonProblem]:
    """Common problems 共性问题, ranked by lift; see the module docstring."""
    if level not in ("subcategory", "category"):
        raise QueryError("level must be subcategory or category")
    window = window or Window()
    min_units = COMMON_MIN_UNITS if min_units is None else min_units
    idx = index(store)
    frame = Window((), window.regions, window.sectors, window.since, window.until)
    item_ok, unit_ok = frame.compile(idx)
    rounds_ok = set(window.rounds)
    # (round, key) -> unit -> issues, over every round of the frame
    cells: dict[tuple, dict[str, list[str]]] = {}
    units_of_round: dict[str, set[str]] = {}
    for it in idx.items.values():
        if it.kind != "issue" or not it.unit or not it.round or not item_ok(it):
            continue
        key = it.category_key if level == "subcategory" else it.category
        if not key:
            continue
        cells.setdefault((it.round, key), {}).setdefault(it.unit, []).append(it.id)
        units_of_round.setdefault(it.round, set()).add(it.unit)
    inspected = _inspected(store, idx, frame, unit_ok, units_of_round)
    base_total = sum(len(us) for us in inspected.values())
    base_with: dict[str, int] = {}
    for (rnd, key), by_unit in cells.items():
        base_with[key] = base_with.get(key, 0) + len(by_unit)
    shown_rounds = [r for r in inspected if not rounds_ok or r in rounds_ok]
    groups: dict[tuple, dict[str, list[str]]] = {}
    hits: dict[tuple, int] = {}  # inspections with the key in the group
    for (rnd, key), by_unit in cells.items():
        if rounds_ok and rnd not in rounds_ok:
            continue
        g = (rnd, key) if per_round else (None, key)
        tgt = groups.setdefault(g, {})
        for u, ids in by_unit.items():
            tgt.setdefault(u, []).extend(ids)
        hits[g] = hits.get(g, 0) + len(by_unit)
    pooled_units = set().union(*(inspected[r] for r in shown_rounds)) if shown_rounds else set()
    pooled_inspections = sum(len(inspected[r]) for r in shown_rounds)
    out = []
    for (rnd, key), by_unit in groups.items():
        n = len(by_unit)
        if per_round:
            total = len(inspected.get(rnd, ())) or n
            rate = n / total
        else:
            total = len(pooled_units) or n
            rate = hits[(rnd, key)] / (pooled_inspections or 1)
        if n < min_units or (min_share is not None and n < min_share * total - 1e-9):
            continue
        base = base_with.get(key, 0) / base_total if base_total else 0.0
        lift = round(rate / base, 4) if base else 0.0
        standout = round(lift * math.log2(1 / base), 4) if 0 < base < 1 else 0.0
        out.append(CommonProblem(node_id("category", key), _cat_name(key), rnd, sorted(by_unit),
                                 total, round(n / total, 4),
                                 sorted(i for v in by_unit.values() for i in v), lift,
                                 base_with.get(key, 0), base_total, standout))
    out.sort(key=lambda r: (-r.standout, -r.lift, -len(r.units), r.round or "", r.category))
    return out


# -- recurring --------------------------------------------------------------------


@dataclass
class Recurrence:
    unit: str
    unit_name: str
    category: str
    name: str
    first_issue: str  # the earliest rectified issue of the cited pair
    first_date: str | None
    rectified_date: str | None
    again_issue: str  # the earliest later issue of the cited pair
    again_date: str | None
    again_round: str | None
    lookback: bool
    rectified_issues: list[str] = field(default_factory=list)
    again_issues: list[str] = field(default_factory=list)

    @property
    def path(self) -> list[str]:
        return [self.first_issue, self.unit, self.again_issue]

    def as_dict(self) -> dict:
        return {"unit": self.unit, "unit_name": self.unit_name, "category": self.category,
                "name": self.name, "first_issue": self.first_issue,
                "first_date": self.first_date, "rectified_date": self.rectified_date,
                "again_issue": self.again_issue, "again_date": self.again_date,
                "again_round": self.again_round, "lookback": self.lookback,
                "rectified_issues": self.rectified_issues, "again_issues": self.again_issues,
                "path": self.path}


def rectification(store: GraphStore) -> dict[str, tuple[bool, str | None]]:
    """Issue id -> (rectified, rectified date), as :mod:`xuncha.queries.kpi` counts it."""
    acts: dict[str, list[dict]] = {}
    for _, a in store.nodes("action", fields=("issue_id", "status", "completed_date")):
        if a.get("issue_id"):
            acts.setdefault(node_id("issue", a["issue_id"]), []).append(a)
    out: dict[str, tuple[bool, str | None]] = {}
    for iid, lst in acts.items():
        ok = all(a.get("status") in taxonomy.RECTIFIED_STATUSES for a in lst)
        dates = [a["completed_date"] for a in lst if a.get("completed_date")]
        out[iid] = (ok, max(dates) if dates else None)
    return out


def _later_round(idx, a: Item, b: Item) -> bool:
    """``b``'s round started after ``a``'s (by round start, else by item date)."""
    sa, sb = idx.round_start.get(a.round), idx.round_start.get(b.round)
    if sa and sb:
        return sa < sb
    return bool(a.date and b.date and a.date < b.date)


def recurring(store: GraphStore, window: Window | None = None) -> list[Recurrence]:
    """Recurrences 整改不到位/反弹; see the module docstring."""
    window = window or Window()
    idx = index(store)
    item_ok, unit_ok = window.compile(idx)
    rect = rectification(store)
    round_kind = {rid: d.get("round_kind") for rid, d in store.nodes("round", fields=("round_kind",))}
    out = []
    for unit, items in idx.items_of_unit.items():
        if not unit_ok(unit):
            continue
        by_key: dict[str, list[Item]] = {}
        for it in items:
            if it.kind == "issue" and it.category_key and it.date:
                by_key.setdefault(it.category_key, []).append(it)
        for key, lst in by_key.items():
            if len(lst) < 2:
                continue
            done = [(it, rect[it.id][1]) for it in lst if rect.get(it.id, (False,))[0]]
            if not done:
                continue
            later: dict[str | None, list[tuple]] = {}
            for a, rdate in done:
                for b in lst:
                    if b.round != a.round and _later_round(idx, a, b) and item_ok(b):
                        later.setdefault(b.round, []).append((a, rdate, b))
            for rnd, pairs in later.items():
                pairs.sort(key=lambda p: (p[2].date, p[2].id, p[0].date, p[0].id))
                a, rdate, b = pairs[0]
                out.append(Recurrence(
                    unit, store.label(unit), node_id("category", key), _cat_name(key), a.id,
                    a.date, rdate, b.id, b.date, rnd, round_kind.get(rnd) == "lookback",
                    sorted({p[0].id for p in pairs}), sorted({p[2].id for p in pairs})))
    out.sort(key=lambda r: (r.unit, r.category, r.again_date or "", r.again_round or ""))
    return out


# -- trails -------------------------------------------------------------------------


@dataclass
class TrailStop:
    unit: str
    unit_name: str
    title: str | None
    start: str | None
    end: str | None
    principal: bool
    issues: list[str]
    periods: list[dict] = field(default_factory=list)  # per inspection: period, overlap, issues

    @property
    def text(self) -> str:
        return join((p["text"] for p in self.periods), "；", "; ")

    def as_dict(self) -> dict:
        return {"unit": self.unit, "unit_name": self.unit_name, "title": self.title,
                "start": self.start, "end": self.end, "principal": self.principal,
                "issues": self.issues, "periods": self.periods,
                "path": [self.unit, self.unit]}


@dataclass
class Trail:
    cadre: str
    name: str
    stops: list[TrailStop]
    named_without_post: list[str] = field(default_factory=list)

    @property
    def units(self) -> int:
        return len({s.unit for s in self.stops})

    @property
    def issues(self) -> int:
        return len({i for s in self.stops for i in s.issues})

    @property
    def text(self) -> str:
        def cover(s: TrailStop):
            shares = [round(100 * p["share"]) for p in s.periods]
            if not shares:
                return ""
            lo, hi = min(shares), max(shares)
            return (msg("patterns.cover", share=lo) if lo == hi
                    else msg("patterns.cover_range", low=lo, high=hi))

        return join((msg("patterns.trail_stop", unit=s.unit_name, title=s.title or "",
                         window=date_window(s.start, s.end), issues=len(s.issues), cover=cover(s))
                     for s in self.stops), " → ", " → ")

    def as_dict(self) -> dict:
        return {"cadre": self.cadre, "name": self.name, "units": self.units,
                "issues": self.issues, "text": self.text,
                "stops": [{**s.as_dict(), "path": [self.cadre, s.unit]} for s in self.stops],
                "named_without_post": self.named_without_post}


def _stop(p, found: list[tuple]) -> TrailStop:
    """A stop at post ``p`` with ``found`` = [(item, answer)], grouped per period
    (its unit's name is filled in once the trails are chosen)."""
    per: dict[tuple, list] = {}
    for it, a in found:
        per.setdefault((a.period.start, a.period.end, a.period.source, it.round), []).append((it, a))
    periods = []
    for (ps, pe, src, rnd), lst in sorted(per.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][3] or "")):
        a = lst[0][1]
        periods.append({"round": rnd, "period": [ps, pe], "source": src,
                        "overlap_days": a.overlap_days, "share": round(a.share, 4),
                        "issues": [it.id for it, _ in lst], "text": a.text(p.title)})
    return TrailStop(p.unit, "", p.title, p.start, p.end, p.principal,
                     [it.id for it, _ in found], periods)


def trails(store: GraphStore, window: Window | None = None, min_units: int | None = None,
           role: str = "principal", policy: Policy = DEFAULT_POLICY) -> list[Trail]:
    """Problem trails 问题轨迹; see the module docstring."""
    from ..perf import gc_paused

    with gc_paused():  # millions of small acyclic objects: no collections over them
        return _trails(store, window, min_units, role, policy)


def _trails(store, window, min_units, role, policy) -> list[Trail]:
    if role not in ("principal", "implicated", "any"):
        raise QueryError("role must be principal, implicated or any")
    window = window or Window()
    min_units = 2 if min_units is None else min_units
    # The periods below read most issues and every unit's inspections: read
    # those (and only those) in bulk, with the query index, not node by node.
    idx, v = indexed_bulk_view(store, ("issue",))
    item_ok, unit_ok = window.compile(idx)
    cadres: set[str] = set()
    if role in ("principal", "any"):
        cadres.update(c for c, ps in idx.posts_of_cadre.items() if any(p.principal for p in ps))
    if role in ("implicated", "any"):
        cadres.update(idx.items_of_cadre)
    periods: dict[str, list[tuple]] = {}  # unit -> [(issue, period)] in the window

    def of_unit(unit: str) -> list[tuple]:
        got = periods.get(unit)
        if got is None:
            got = periods[unit] = [(it, v.period(it, policy)) for it in idx.items_of_unit.get(unit, ())
                                   if it.kind == "issue" and item_ok(it)]
        return got

    out = []
    for c in sorted(cadres):
        stops: list[tuple] = []  # (post, [(item, answer)]): made into stops if the trail is kept
        posts = idx.posts_of_cadre.get(c, ())
        if role in ("principal", "any"):
            for p in posts:
                if not p.principal or not unit_ok(p.unit):
                    continue
                found = []
                for it, per in of_unit(p.unit):
                    a = answers(p.start, p.end, per, policy)
                    if a is not None:
                        found.append((it, a))
                if found:
                    stops.append((p, found))
        unplaced: list[str] = []
        if role in ("implicated", "any"):
            seen = {it.id for _, found in stops for it, _ in found}
            by_post: dict[int, list] = {}
            for it in idx.items_of_cadre.get(c, ()):
                if it.kind != "issue" or not it.unit or not unit_ok(it.unit) or not item_ok(it) \
                        or it.id in seen:
                    continue
                per = v.period(it, policy)
                best = None
                for n, p in enumerate(posts):
                    if p.unit != it.unit or not p.start or per is None:
                        continue
                    lo, hi = max(p.start, per.start), min(p.end or "9999-12-31", per.end)
                    if lo <= hi:
                        d = days_between(lo, hi)
                        if best is None or d > best[0]:
                            best = (d, n)
                if best is None:
                    unplaced.append(it.id)
                    continue
                p = posts[best[1]]
                from .periods import Answer

                by_post.setdefault(best[1], []).append((it, Answer(p.start, p.end, per, best[0])))
            for n, found in by_post.items():
                stops.append((posts[n], found))
        if len({p.unit for p, _ in stops}) < min_units:
            continue
        made = [_stop(p, found) for p, found in stops]
        made.sort(key=lambda s: (s.start or "", s.unit, s.title or ""))
        out.append(Trail(c, "", made, sorted(unplaced)))
    # names of what is shown, read in batches
    store.prefetch([t.cadre for t in out] + [s.unit for t in out for s in t.stops], edges=False)
    for t in out:
        t.name = store.label(t.cadre)
        for s in t.stops:
            s.unit_name = store.label(s.unit)
    out.sort(key=lambda t: (-t.units, -t.issues, t.cadre))
    return out


# -- clusters -----------------------------------------------------------------------


@dataclass
class Cluster:
    number: int
    items: list[str]
    units: list[str]
    cadres: list[str]
    links: list[dict]  # {"path": [...], "text": ...}: the joins, evidence
    leads: int
    cases: int
    sanctions: int

    def as_dict(self) -> dict:
        return {"cluster": self.number, "units": len(self.units), "items": len(self.items),
                "leads": self.leads, "cases": self.cases, "sanctions": self.sanctions,
                "unit_ids": self.units, "item_ids": self.items, "cadre_ids": self.cadres,
                "links": self.links}


def _post_note(idx, v, cadre: str, it: Item, policy: Policy):
    """``（科长任职2017-03至2024-02，覆盖被巡察期间(…)的86%）``: the cadre's post at
    the item's unit with the largest overlap with its period, if any."""
    per = v.period(it, policy)
    best = None
    for p in idx.posts_of_cadre.get(cadre, ()):
        if p.unit != it.unit or not p.start or per is None:
            continue
        lo, hi = max(p.start, per.start), min(p.end or "9999-12-31", per.end)
        if lo <= hi and (best is None or days_between(lo, hi) > best[0]):
            best = (days_between(lo, hi), p)
    if best is None:
        return ""
    from .periods import Answer

    p = best[1]
    return msg("patterns.post_note", answer=Answer(p.start, p.end, per, best[0]).text(p.title))


def clusters(store: GraphStore, window: Window | None = None,
             min_units: int | None = None, policy: Policy = DEFAULT_POLICY) -> list[Cluster]:
    """Clusters of related cases 关联案件群; see the module docstring."""
    from ..perf import gc_paused

    with gc_paused():  # millions of small acyclic objects: no collections over them
        return _clusters(store, window, min_units, policy)


def _clusters(store, window, min_units, policy) -> list[Cluster]:
    from .related import edge_between

    window = window or Window()
    min_units = 2 if min_units is None else min_units
    # The evidence below reads the periods of most items (their units'
    # inspections), the leads' outcomes and the edges of every link: read
    # those in bulk, with the query index, not node by node.
    idx, v = indexed_bulk_view(store, ("issue", "lead"), fields={"lead": ("case_filed", "outcomes")},
                               edges=("RELATED_TO",))
    bulk = v.store
    item_ok, _ = window.compile(idx)
    items = {i: it for i, it in idx.items.items() if item_ok(it)}
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        root = x
        while parent.get(root, root) != root:
            root = parent[root]
        while parent.get(x, x) != root:
            parent[x], x = root, parent[x]
        return root

    def union(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            if rb < ra:
                ra, rb = rb, ra
            parent[rb] = ra

    # Cadre nodes join the components too: items naming one cadre meet there.
    links: list[tuple[str, str, str]] = []  # (a, b, via) evidence edges
    for i, it in items.items():
        for c in it.cadres:
            union(i, c)
            links.append((c, i, "named"))
        if it.kind == "lead":
            for j in it.issues:
                if j in items:
                    union(i, j)
                    links.append((j, i, "raised_from"))
    named = {c for it in items.values() for c in it.cadres}
    from .related import LINKING

    for c in named:
        for t in idx.ties.get(c, ()):
            if t.other in named and c < t.other and t.relation in LINKING:
                union(c, t.other)
                links.append((c, t.other, t.relation))
    comps: dict[str, list[str]] = {}
    for i in items:
        comps.setdefault(find(i), []).append(i)
    by_root_links: dict[str, list[tuple[str, str, str]]] = {}
    for a, b, via in links:
        by_root_links.setdefault(find(a), []).append((a, b, via))
    kept = [(root, members) for root, members in comps.items()
            if len({items[i].unit for i in members if items[i].unit}) >= min_units]
    if not kept:
        return []
    shown = {root: sorted(by_root_links.get(root, ()))[:MAX_LINKS] for root, _ in kept}
    # the names shown, read in batches
    store.prefetch([x for links in shown.values() for a, b, via in links if via != "raised_from"
                    for x in ((a,) if via == "named" else (a, b))], edges=False)
    out = []
    for root, members in kept:
        units = sorted({items[i].unit for i in members if items[i].unit})
        if len(units) < min_units:
            continue
        members.sort()
        cadres = sorted({c for i in members for c in items[i].cadres})
        leads = [i for i in members if items[i].kind == "lead"]
        cases = sum(bool(bulk.node(i).get("case_filed")) for i in leads)
        sanctions = sum(any(o in taxonomy.SANCTIONS for o in (bulk.node(i).get("outcomes") or ()))
                        for i in leads)
        ev = []
        for a, b, via in shown[root]:
            if via == "named":
                kind = "IMPLICATES" if b.startswith("issue:") else "CONCERNS"
                text = msg("patterns.named", cadre=idx.name(a), item=b,
                           note=_post_note(idx, v, a, items[b], policy))
            elif via == "raised_from":
                kind = "RAISED_FROM"
                text = msg("patterns.raised_from", lead=b, issue=a)
            else:
                kind = "RELATED_TO"
                text = msg("patterns.tie", a=idx.name(a), b=idx.name(b), relation=relation_name(via))
            e = edge_between(bulk, a, b, kind, {"relation_kind": via} if kind == "RELATED_TO" else None)
            ev.append({"path": [a, b], "kind": kind, "code": text.code, "text": text,
                       "hops": [e] if e else []})
        out.append(Cluster(0, members, units, cadres, ev, len(leads), cases, sanctions))
    out.sort(key=lambda c: (-len(c.units), -len(c.items), -c.cases, -c.sanctions, c.items[0]))
    for n, c in enumerate(out, 1):
        c.number = n
    return out


def scan(store: GraphStore, pattern: str, window: Window | None = None,
         min_units: int | None = None, **kw) -> list:  # noqa: D401
    """Run pattern ``pattern`` (one of :data:`PATTERNS`)."""
    if pattern == "common":
        return common(store, window, min_units, **kw)
    if pattern == "recurring":
        return recurring(store, window)
    if pattern == "trails":
        return trails(store, window, min_units, **kw)
    if pattern == "clusters":
        return clusters(store, window, min_units, **kw)
    raise QueryError(f"unknown pattern {pattern!r}: choose {', '.join(PATTERNS)}")

