"""Cross-unit patterns 跨单位规律: common problems, recurrences, trails, clusters.

Every scan takes a :class:`~xuncha.queries.common.Window` of filters (rounds,
regions with their sub-regions, sectors 板块, a since/until date range on
the item's date) and returns typed rows carrying their evidence.  Items,
dates, posts and ties are defined in :mod:`xuncha.queries.common`.

common 共性问题 (:func:`common`)
    Issues in the window are grouped by round and *category key* (an issue's
    subcategory, else its category; ``level="category"`` groups by the
    top-level category instead).  A group is a common problem when its
    issues were found in at least ``min_units`` distinct units (default
    :data:`COMMON_MIN_UNITS`) **and** in at least ``min_share`` of the units
    the round inspected in the window (default :data:`COMMON_MIN_SHARE`).
    The units a round inspected are its INSPECTED assignments plus any unit
    with an issue in that round.  ``per_round=False`` pools every round of
    the window into one group per category (units inspected = all units
    inspected in the window).  Sorted by share, then units (descending),
    then round and category ids.

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
    With ``role="principal"`` (default) a *stop* is a principal post 一把手
    of a cadre together with the issues in the window found in that unit
    while the post covered their date.  With ``role="implicated"`` a stop is
    a unit where issues in the window name the cadre (with the cadre's post
    there covering the date, if any).  ``role="any"``: both.  A trail is a
    cadre with stops in at least ``min_units`` distinct units (default 2),
    the stops in date order.  Sorted by distinct units, then issues
    (descending), then cadre id.

clusters 关联案件群 (:func:`clusters`)
    Items (issues and leads) in the window are joined when they name the
    same cadre, when a cadre named in one and a cadre named in the other
    are tied by a RELATED_TO edge (any relation kind), or when a lead was
    raised from an issue.  A cluster is a connected component spanning at
    least ``min_units`` distinct units (default 2).  Principals and derived
    colleagues do not join items here (they would merge whole units).
    Sorted by units, then items, cases filed and sanctions (descending),
    then the smallest item id; clusters are numbered from 1 in that order.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import taxonomy
from ..graph.schema import node_id
from ..graph.store import GraphStore
from .common import Item, QueryError, Window, index, relation_name

COMMON_MIN_UNITS = 5
COMMON_MIN_SHARE = 0.6
PATTERNS = ("common", "recurring", "trails", "clusters")
MAX_LINKS = 200  # evidence links listed per cluster


def _cat_name(code: str | None) -> str:
    if not code:
        return ""
    if code in taxonomy.SUBCATEGORY:
        return taxonomy.zh("subcategory", code)
    return taxonomy.zh("category", code)


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

    def as_dict(self) -> dict:
        return {"category": self.category, "name": self.name, "round": self.round,
                "units": len(self.units), "units_inspected": self.units_inspected,
                "share": self.share, "issues": len(self.issues),
                "unit_ids": self.units, "issue_ids": self.issues}


def common(store: GraphStore, window: Window | None = None, min_units: int | None = None,
           min_share: float | None = None, level: str = "subcategory",
           per_round: bool = True) -> list[CommonProblem]:
    """Common problems 共性问题; see the module docstring."""
    if level not in ("subcategory", "category"):
        raise QueryError("level must be subcategory or category")
    window = window or Window()
    min_units = COMMON_MIN_UNITS if min_units is None else min_units
    min_share = COMMON_MIN_SHARE if min_share is None else min_share
    idx = index(store)
    item_ok, unit_ok = window.compile(idx)
    groups: dict[tuple, dict[str, list[str]]] = {}
    inspected: dict[str | None, set[str]] = {}
    for it in idx.items.values():
        if it.kind != "issue" or not it.unit or not item_ok(it):
            continue
        key = it.category_key if level == "subcategory" else it.category
        if not key:
            continue
        rnd = it.round if per_round else None
        groups.setdefault((rnd, key), {}).setdefault(it.unit, []).append(it.id)
        inspected.setdefault(rnd, set()).add(it.unit)
    rounds_ok = set(window.rounds)
    rounds_seen = {r for r, _ in groups} if per_round else None
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
        if per_round:
            if rnd in rounds_seen:
                inspected.setdefault(rnd, set()).add(v)
        else:
            inspected.setdefault(None, set()).add(v)
    out = []
    for (rnd, key), by_unit in groups.items():
        n = len(by_unit)
        total = len(inspected.get(rnd, ())) or n
        if n < min_units or n < min_share * total - 1e-9:
            continue
        share = round(n / total, 4)
        out.append(CommonProblem(node_id("category", key), _cat_name(key), rnd, sorted(by_unit),
                                 total, share, sorted(i for v in by_unit.values() for i in v)))
    out.sort(key=lambda r: (-r.share, -len(r.units), r.round or "", r.category))
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
    for _, a in store.nodes("action"):
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
    round_kind = {rid: d.get("round_kind") for rid, d in store.nodes("round")}
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

    def as_dict(self) -> dict:
        return {"unit": self.unit, "unit_name": self.unit_name, "title": self.title,
                "start": self.start, "end": self.end, "principal": self.principal,
                "issues": self.issues}


@dataclass
class Trail:
    cadre: str
    name: str
    stops: list[TrailStop]

    @property
    def units(self) -> int:
        return len({s.unit for s in self.stops})

    @property
    def issues(self) -> int:
        return len({i for s in self.stops for i in s.issues})

    @property
    def text(self) -> str:
        return " → ".join(f"{s.unit_name} ({s.start or '?'}–{s.end or '至今'}, "
                          f"{len(s.issues)} issues)" for s in self.stops)

    def as_dict(self) -> dict:
        return {"cadre": self.cadre, "name": self.name, "units": self.units,
                "issues": self.issues, "text": self.text,
                "stops": [s.as_dict() for s in self.stops]}


def trails(store: GraphStore, window: Window | None = None, min_units: int | None = None,
           role: str = "principal") -> list[Trail]:
    """Problem trails 问题轨迹; see the module docstring."""
    if role not in ("principal", "implicated", "any"):
        raise QueryError("role must be principal, implicated or any")
    window = window or Window()
    min_units = 2 if min_units is None else min_units
    idx = index(store)
    item_ok, unit_ok = window.compile(idx)
    cadres: set[str] = set()
    if role in ("principal", "any"):
        cadres.update(c for c, ps in idx.posts_of_cadre.items() if any(p.principal for p in ps))
    if role in ("implicated", "any"):
        cadres.update(idx.items_of_cadre)
    out = []
    for c in cadres:
        stops: list[TrailStop] = []
        if role in ("principal", "any"):
            for p in idx.posts_of_cadre.get(c, ()):
                if not p.principal or not unit_ok(p.unit):
                    continue
                iss = [it.id for it in idx.items_at(p.unit, p.start, p.end)
                       if it.kind == "issue" and p.covers(it.date) and item_ok(it)]
                if iss:
                    stops.append(TrailStop(p.unit, store.label(p.unit), p.title, p.start, p.end,
                                           True, iss))
        if role in ("implicated", "any"):
            seen = {(s.unit, i) for s in stops for i in s.issues}
            by_unit: dict[str, list[Item]] = {}
            for it in idx.items_of_cadre.get(c, ()):
                if it.kind == "issue" and it.unit and unit_ok(it.unit) and item_ok(it) \
                        and (it.unit, it.id) not in seen:
                    by_unit.setdefault(it.unit, []).append(it)
            for u, its in by_unit.items():
                post = next((p for p in idx.posts_of_cadre.get(c, ())
                             if p.unit == u and any(p.covers(i.date) for i in its)), None)
                stops.append(TrailStop(
                    u, store.label(u), post.title if post else None,
                    post.start if post else min(i.date or "" for i in its) or None,
                    post.end if post else None, bool(post and post.principal),
                    [i.id for i in its]))
        if len({s.unit for s in stops}) < min_units:
            continue
        stops.sort(key=lambda s: (s.start or "", s.unit))
        out.append(Trail(c, store.label(c), stops))
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


def clusters(store: GraphStore, window: Window | None = None,
             min_units: int | None = None) -> list[Cluster]:
    """Clusters of related cases 关联案件群; see the module docstring."""
    window = window or Window()
    min_units = 2 if min_units is None else min_units
    idx = index(store)
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
    for c in named:
        for t in idx.ties.get(c, ()):
            if t.other in named and c < t.other:
                union(c, t.other)
                links.append((c, t.other, t.relation))
    comps: dict[str, list[str]] = {}
    for i in items:
        comps.setdefault(find(i), []).append(i)
    by_root_links: dict[str, list[tuple[str, str, str]]] = {}
    for a, b, via in links:
        by_root_links.setdefault(find(a), []).append((a, b, via))
    lead_nodes = store.graph.nodes
    out = []
    for root, members in comps.items():
        units = sorted({items[i].unit for i in members if items[i].unit})
        if len(units) < min_units:
            continue
        members.sort()
        cadres = sorted({c for i in members for c in items[i].cadres})
        leads = [i for i in members if items[i].kind == "lead"]
        cases = sum(bool(lead_nodes[i].get("case_filed")) for i in leads)
        sanctions = sum(any(o in taxonomy.SANCTIONS for o in (lead_nodes[i].get("outcomes") or ()))
                        for i in leads)
        ev = []
        for a, b, via in sorted(by_root_links.get(root, ()))[:MAX_LINKS]:
            if via == "named":
                text = f"{idx.name(a)} named in {b} 涉及"
            elif via == "raised_from":
                text = f"{b} raised from {a} 线索源于该问题"
            else:
                text = f"{idx.name(a)} – {idx.name(b)}: 社会关系 {relation_name(via)}"
            ev.append({"path": [a, b], "text": text})
        out.append(Cluster(0, members, units, cadres, ev, len(leads), cases, sanctions))
    out.sort(key=lambda c: (-len(c.units), -len(c.items), -c.cases, -c.sanctions, c.items[0]))
    for n, c in enumerate(out, 1):
        c.number = n
    return out


def scan(store: GraphStore, pattern: str, window: Window | None = None,
         min_units: int | None = None, **kw) -> list:
    """Run pattern ``pattern`` (one of :data:`PATTERNS`)."""
    if pattern == "common":
        return common(store, window, min_units, **kw)
    if pattern == "recurring":
        return recurring(store, window)
    if pattern == "trails":
        return trails(store, window, min_units, **kw)
    if pattern == "clusters":
        return clusters(store, window, min_units)
    raise QueryError(f"unknown pattern {pattern!r}: choose {', '.join(PATTERNS)}")

