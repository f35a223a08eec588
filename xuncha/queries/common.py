"""Shared indexes for the analyst queries: items, posts, ties, windows.

Every analyst query (related, paths, patterns, timeline) reads the graph
through one :class:`QueryIndex`, built lazily on first use and cached on the
:class:`~xuncha.graph.store.GraphStore` instance (``index(store)``), so a
session that asks many questions pays for the indexes once.  The index holds
plain small classes with ``__slots__`` (not dataclasses): there is one per
issue, lead and post, and the province graph has hundreds of thousands.

Definitions (the server versions of the queries must use the same ones):

- an *item* is an issue 问题 or a lead 问题线索;
- an item's *unit*: an issue's ``unit_id``; a lead's ``unit_id``, else the
  unit of its first linked issue (``issue_ids``);
- an item's *date*: an issue's ``found_date``, else the start of its
  round's assignment to the unit (INSPECTED), else the round's start; a
  lead's ``transfer_date``, else its earliest linked issue's date, else its
  round's start.  ISO strings; ``None`` when nothing is known;
- an item's *cadres*: IMPLICATES targets of an issue, CONCERNS targets of a
  lead (涉及人员 / 被反映人);
- an item's *case subjects*: a lead's named cadres; an issue's: the named
  cadres of the leads raised from it (who became a problem lead 问题线索);
- an item's *category key*: an issue's subcategory if it has one, else its
  category; a lead's is its first linked issue's;
- a *post* is a HELD_POSITION edge; it *covers* a date ``d`` when
  ``start <= d`` and (``end`` is empty or ``d <= end``): both ends inclusive;
- the *principals* 一把手 of a unit at a date are the cadres whose posts there
  with ``is_principal`` cover the date (a unit may have two, e.g. 书记 and 局长);
- a *tie* between two cadres is a RELATED_TO edge in either direction
  (named by its relation kind, e.g. 夫妻 spouse); *derived colleagues*
  同事 are two cadres whose posts in the same unit overlap by at least one day;
  sharing only a native region, a round or a category is never a tie (those
  are hub nodes, :data:`~xuncha.graph.schema.HUB_KINDS`);
- a region *contains* itself and every region below it through PART_OF.
"""

from __future__ import annotations

import bisect
import datetime as _dt
from dataclasses import dataclass
from typing import Iterable

from .. import taxonomy
from ..errors import XunchaError
from ..graph.schema import HUB_KINDS, node_id
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..graph.store import GraphStore

_CACHE_ATTR = "_xuncha_query_index"


class _NoGC:
    """Pause the cyclic garbage collector during a bulk build.

    Building the indexes allocates millions of small containers while the
    graph (tens of millions of objects) is alive; every automatic full
    collection would walk the whole heap.  Nothing built here forms cycles.
    """

    def __enter__(self):
        import gc

        self._was = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc):
        import gc

        if self._was:
            # What was built lives as long as the store: move it out of the
            # collector's sight, so no later query pays a full collection
            # over it (1.5-3.5 s stalls at province scale otherwise).
            gc.freeze()
            gc.enable()
FAR_FUTURE = "9999-12-31"


class QueryError(XunchaError):
    """A query asked for something the graph cannot answer as asked."""


def day(date: str | None) -> int | None:
    """Proleptic ordinal of an ISO date (None for None)."""
    if not date:
        return None
    return _dt.date.fromisoformat(date[:10]).toordinal()


def category_key(category: str | None, subcategory: str | None) -> str | None:
    """An item's category key: its subcategory if it has one, else its category."""
    return subcategory or category


def raw(nid: str) -> str:
    """``unit:U001`` -> ``U001``."""
    return nid.partition(":")[2]


class Item:
    """An issue or a lead, with what the queries need about it."""

    __slots__ = ("id", "kind", "unit", "date", "day", "round", "category", "subcategory",
                 "cadres", "issues", "text", "amount", "conduct")

    def __init__(self, id, kind, unit, date, round, category, subcategory, cadres, issues,
                 text, amount):
        self.id = id
        self.kind = kind
        self.unit = unit
        self.date = date
        self.day = day(date)
        self.round = round
        self.category = category
        self.subcategory = subcategory
        self.cadres = cadres
        self.issues = issues
        self.text = text
        self.amount = amount
        self.conduct = (None, None)  # (conduct_start, conduct_end) 问题发生时间起/止

    @property
    def category_key(self) -> str | None:
        return category_key(self.category, self.subcategory)

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"Item({self.id}, {self.unit}, {self.date})"


class Post:
    """One HELD_POSITION edge: a cadre's post in a unit over a date window."""

    __slots__ = ("cadre", "unit", "title", "rank", "principal", "start", "end")

    def __init__(self, cadre, unit, title, rank, principal, start, end):
        self.cadre = cadre
        self.unit = unit
        self.title = title
        self.rank = rank
        self.principal = principal
        self.start = start
        self.end = end

    def covers(self, date: str | None) -> bool:
        if not date or not self.start:
            return False
        return self.start <= date and (not self.end or date <= self.end)

    def overlap(self, other: "Post") -> tuple[str, str] | None:
        """The common window of two posts, or None."""
        if not self.start or not other.start:
            return None
        lo = max(self.start, other.start)
        hi = min(self.end or FAR_FUTURE, other.end or FAR_FUTURE)
        return (lo, hi) if lo <= hi else None

    @property
    def window(self) -> str:
        """``start–end`` (:func:`xuncha.i18n.window`: an open end is 至今 / present)."""
        from ..i18n import window

        return window(self.start, self.end)

    def as_dict(self) -> dict:
        return {"cadre": self.cadre, "unit": self.unit, "title": self.title, "rank": self.rank,
                "is_principal": self.principal, "start": self.start, "end": self.end}


class Tie:
    """A tie from one cadre to another: an explicit relation or derived colleagues."""

    __slots__ = ("other", "relation", "derived", "unit", "window", "note", "direction", "posts")

    def __init__(self, other, relation, derived=False, unit=None, window=None, note=None):
        self.other = other
        self.relation = relation  # a relation_kind code
        self.derived = derived
        self.unit = unit  # derived colleagues: the unit they shared
        self.window = window  # derived colleagues: (start, end) of the overlap
        self.note = note
        self.direction = "out"  # explicit ties: the RELATED_TO edge leaves this cadre ("out") or enters
        self.posts = None  # derived colleagues: (this cadre's post, the other's post)


def derive_colleagues(cadre: str, posts, posts_of_unit) -> list[Tie]:
    """Derived colleagues 同事 of ``cadre``: other cadres whose posts in one of
    ``cadre``'s units (``posts``; ``posts_of_unit(unit)`` gives that unit's
    posts) overlap one of its posts by at least one day.  One tie per
    colleague: the earliest shared window, then the unit id; the tie keeps the
    two posts, which are the evidence (cadre → post → unit ← post ← cadre)."""
    best: dict[str, Tie] = {}
    for p in posts:
        for q in posts_of_unit(p.unit):
            if q.cadre == cadre:
                continue
            w = p.overlap(q)
            if w is None:
                continue
            t = best.get(q.cadre)
            if t is None or (w[0], p.unit) < (t.window[0], t.unit):
                t = Tie(q.cadre, "colleague", derived=True, unit=p.unit, window=w)
                t.posts = (p, q)
                best[q.cadre] = t
    return sorted(best.values(), key=lambda t: t.other)


def assignment_starts(inspected) -> dict[tuple[str, str], str]:
    """``(round node, unit node) -> start`` of the earliest recorded
    assignment 巡察安排 (INSPECTED edges ``(team, unit, attrs)``) with a start."""
    out: dict[tuple[str, str], str] = {}
    for _, v, d in inspected:
        start, r = d.get("start"), d.get("round_id")
        if start and r:
            key = (node_id("round", r), v)
            got = out.get(key)
            if got is None or start < got:
                out[key] = start
    return out


def issue_place(d: dict, assign_start: dict, round_start: dict) -> tuple:
    """An issue's ``(unit, round, date)`` (node ids, ISO date) from its
    attributes ``d``: the module docstring's rules (the date falls back to
    the start of the round's assignment to the unit, then the round's start)."""
    unit = node_id("unit", d["unit_id"]) if d.get("unit_id") else None
    rnd = node_id("round", d["round_id"]) if d.get("round_id") else None
    date = d.get("found_date") or assign_start.get((rnd, unit)) or round_start.get(rnd)
    return unit, rnd, date


def lead_place(d: dict, linked: list, round_start: dict) -> tuple:
    """A lead's ``(unit, round, date)`` from its attributes ``d`` and the
    ``(unit, round, date)`` of its linked issues (RAISED_FROM, in order):
    its own, else the first linked issue's unit and round; its transfer
    date, else the earliest linked issue's date, else its round's start."""
    unit = node_id("unit", d["unit_id"]) if d.get("unit_id") else (linked[0][0] if linked else None)
    rnd = node_id("round", d["round_id"]) if d.get("round_id") else (linked[0][1] if linked else None)
    date = d.get("transfer_date")
    if not date:
        dates = [x[2] for x in linked if x[2]]
        date = (min(dates) if dates else None) or round_start.get(rnd)
    return unit, rnd, date


def relation_name(code: str) -> str:
    """``spouse`` -> ``夫妻`` (zh) or ``spouse`` (en): :func:`xuncha.i18n.term`."""
    from ..i18n import term

    return term("relation_kind", code)


# What the index reads: the attributes of these node kinds (``store.nodes(kind,
# fields=…)``) and every edge of these kinds (``store.edges_of``).
INDEX_FIELDS = {
    "round": ("start", "end"),
    "issue": ("unit_id", "round_id", "found_date", "category", "subcategory", "description",
              "amount", "conduct_start", "conduct_end"),
    "lead": ("unit_id", "round_id", "transfer_date", "summary", "recovered_amount"),
    "unit": ("region_id", "sector"),
}
INDEX_EDGES = frozenset({"INSPECTED", "HELD_POSITION", "RELATED_TO", "PART_OF", "IMPLICATES",
                         "CONCERNS", "RAISED_FROM"})


class QueryIndex:
    """Lazily built look-ups over one store; see the module docstring.

    ``reads``: where to read the nodes and edges from, if not ``store``
    itself (a :class:`~xuncha.graph.bulk.BulkStore` over it that a scan
    shares with the index, so both read the rows once).
    """

    def __init__(self, store: GraphStore, reads=None):
        with _NoGC():
            self._build(store, reads if reads is not None else store)

    def _build(self, store: GraphStore, reads) -> None:
        self.store = store
        g = store.graph
        nodes = g.nodes
        self.nodes = nodes

        # The edge kinds the queries use, in one pass (a saved workspace
        # reads only the rows those edges leave from).
        found = reads.edges_of(INDEX_EDGES)
        targets: dict[tuple[str, str], list[str]] = {}
        for k in ("IMPLICATES", "CONCERNS", "RAISED_FROM"):
            for u, v, _ in found[k]:
                targets.setdefault((k, u), []).append(v)

        # Rounds and assignments give fallback dates.
        self.round_start: dict[str, str | None] = {}
        self.round_end: dict[str, str | None] = {}
        for rid, d in reads.nodes("round", fields=INDEX_FIELDS["round"]):
            self.round_start[rid] = d.get("start")
            self.round_end[rid] = d.get("end")
        assign_start = assignment_starts(found["INSPECTED"])

        self.items: dict[str, Item] = {}
        for iid, d in reads.nodes("issue", fields=INDEX_FIELDS["issue"]):
            unit, rnd, date = issue_place(d, assign_start, self.round_start)
            cadres = tuple(sorted(set(targets.get(("IMPLICATES", iid), ()))))
            self.items[iid] = Item(iid, "issue", unit, date, rnd, d.get("category"),
                                   d.get("subcategory"), cadres, (), d.get("description") or "",
                                   d.get("amount"))
            self.items[iid].conduct = (d.get("conduct_start"), d.get("conduct_end"))
        self.leads_of_issue: dict[str, list[str]] = {}
        for lid, d in reads.nodes("lead", fields=INDEX_FIELDS["lead"]):
            issues = tuple(dict.fromkeys(targets.get(("RAISED_FROM", lid), ())))
            linked = [self.items[i] for i in issues if i in self.items]
            unit, rnd, date = lead_place(d, [(i.unit, i.round, i.date) for i in linked],
                                         self.round_start)
            cadres = tuple(sorted(set(targets.get(("CONCERNS", lid), ()))))
            first = linked[0] if linked else None
            self.items[lid] = Item(lid, "lead", unit, date, rnd,
                                   first.category if first else None,
                                   first.subcategory if first else None,
                                   cadres, issues, d.get("summary") or "",
                                   d.get("recovered_amount"))
            if first is not None:
                self.items[lid].conduct = first.conduct
            for i in issues:
                self.leads_of_issue.setdefault(i, []).append(lid)

        # Subjects 被反映人 of the leads in each item's case: a lead's own
        # subjects; an issue's: the subjects of the leads raised from it.
        self.case_subjects: dict[str, frozenset] = {}
        for it in self.items.values():
            if it.kind == "lead":
                self.case_subjects[it.id] = frozenset(it.cadres)
        for iid, lids in self.leads_of_issue.items():
            subs = frozenset(c for l in lids for c in self.items[l].cadres)
            if subs:
                self.case_subjects[iid] = subs

        def order(it: Item):
            return (it.date or "", it.id)

        self.items_of_unit: dict[str, list[Item]] = {}
        self.items_of_cadre: dict[str, list[Item]] = {}
        for it in self.items.values():
            if it.unit:
                self.items_of_unit.setdefault(it.unit, []).append(it)
            for c in it.cadres:
                self.items_of_cadre.setdefault(c, []).append(it)
        for lst in (*self.items_of_unit.values(), *self.items_of_cadre.values()):
            lst.sort(key=order)
        self._unit_dates = {u: [it.date or "" for it in lst] for u, lst in self.items_of_unit.items()}

        # Posts.
        self.posts_of_cadre: dict[str, list[Post]] = {}
        self.posts_of_unit: dict[str, list[Post]] = {}
        for u, v, d in found["HELD_POSITION"]:
            p = Post(u, v, d.get("title"), d.get("rank"), bool(d.get("is_principal")),
                     d.get("start"), d.get("end"))
            self.posts_of_cadre.setdefault(u, []).append(p)
            self.posts_of_unit.setdefault(v, []).append(p)
        for lst in (*self.posts_of_cadre.values(), *self.posts_of_unit.values()):
            lst.sort(key=lambda p: (p.start or "", p.end or FAR_FUTURE, p.cadre, p.unit))

        # Explicit ties, both directions.
        self.ties: dict[str, list[Tie]] = {}
        for u, v, d in found["RELATED_TO"]:
            if u == v:
                continue
            rel = d.get("relation_kind") or "other"
            self.ties.setdefault(u, []).append(Tie(v, rel, note=d.get("note")))
            back = Tie(u, rel, note=d.get("note"))
            back.direction = "in"
            self.ties.setdefault(v, []).append(back)
        for lst in self.ties.values():
            lst.sort(key=lambda t: (t.other, t.relation))
        self._colleagues: dict[str, list[Tie]] = {}

        # Regions and units.
        self.unit_region: dict[str, str | None] = {}
        self.unit_sector: dict[str, str | None] = {}
        for uid, d in reads.nodes("unit", fields=INDEX_FIELDS["unit"]):
            self.unit_region[uid] = node_id("region", d["region_id"]) if d.get("region_id") else None
            self.unit_sector[uid] = d.get("sector") or None
        self.region_children: dict[str, list[str]] = {}
        for u, v, _ in found["PART_OF"]:
            self.region_children.setdefault(v, []).append(u)


    # -- items -----------------------------------------------------------------
    def items_at(self, unit: str, start: str | None = None, end: str | None = None) -> list[Item]:
        """Items of ``unit`` dated within [start, end] (inclusive; None = open)."""
        lst = self.items_of_unit.get(unit, [])
        if not lst or (start is None and end is None):
            return lst
        dates = self._unit_dates[unit]
        lo = bisect.bisect_left(dates, start) if start else 0
        # Undated items sort first (""); a window with a start never holds them.
        if not start:
            lo = 0
        hi = bisect.bisect_right(dates, end) if end else len(dates)
        return [it for it in lst[lo:hi] if it.date]

    # -- posts -----------------------------------------------------------------
    def principals_at(self, unit: str, date: str | None) -> list[Post]:
        """Principal posts of ``unit`` covering ``date`` (sorted by start, cadre)."""
        if not date:
            return []
        return [p for p in self.posts_of_unit.get(unit, ()) if p.principal and p.covers(date)]

    def posts_at(self, unit: str, date: str) -> list[Post]:
        """Every post of ``unit`` covering ``date``: principals first, then by start."""
        ps = [p for p in self.posts_of_unit.get(unit, ()) if p.covers(date)]
        ps.sort(key=lambda p: (not p.principal, p.start or "", p.cadre))
        return ps

    # -- ties --------------------------------------------------------------------
    def colleagues(self, cadre: str) -> list[Tie]:
        """Derived colleagues: posts in the same unit overlapping by >= 1 day."""
        got = self._colleagues.get(cadre)
        if got is not None:
            return got
        out = derive_colleagues(cadre, self.posts_of_cadre.get(cadre, ()),
                                lambda unit: self.posts_of_unit.get(unit, ()))
        self._colleagues[cadre] = out
        return out

    # -- regions -------------------------------------------------------------------
    def region_closure(self, regions: Iterable[str]) -> set[str]:
        """The regions and every region below them (PART_OF, any depth)."""
        out: set[str] = set()
        stack = list(regions)
        while stack:
            r = stack.pop()
            if r in out:
                continue
            out.add(r)
            stack.extend(self.region_children.get(r, ()))
        return out

    def warm(self) -> "QueryIndex":
        """Build the whole-dataset statistics now, not on a query."""
        self.store.derived("text_stats")
        self.store.derived("category_sector")
        return self

    # -- labels --------------------------------------------------------------------
    def name(self, nid: str | None) -> str:
        """``名称 (kind:id)`` for sentences in reasons."""
        if not nid:
            return "?"
        if nid not in self.nodes:
            return nid
        return f"{self.store.label(nid)} ({nid})"


def index(store: GraphStore, reads=None) -> QueryIndex:
    """The store's query index, built on first use and cached on the store.

    The cache is keyed by the graph object and its node count (both O(1));
    code that edits a loaded graph in place calls :func:`invalidate`.
    ``reads``: a bulk read of the store to build it from (see
    :class:`QueryIndex`), used only when it is built now.
    """
    idx = store.__dict__.get(_CACHE_ATTR)
    g = store.graph
    stamp = (id(g), g.number_of_nodes())
    if idx is None or idx[0] != stamp:
        idx = (stamp, QueryIndex(store, reads))
        store.__dict__[_CACHE_ATTR] = idx
    return idx[1]


def cached_index(store: GraphStore) -> QueryIndex | None:
    """The store's query index if it is built (and current), else None."""
    idx = store.__dict__.get(_CACHE_ATTR)
    g = store.graph
    if idx is None or idx[0] != (id(g), g.number_of_nodes()):
        return None
    return idx[1]


def is_hub(store: GraphStore, nid: str) -> bool:
    return store.graph.nodes[nid].get("kind") in HUB_KINDS


def invalidate(store: GraphStore) -> None:
    """Drop the store's cached query index (after editing its graph in place)."""
    store.__dict__.pop(_CACHE_ATTR, None)


@dataclass
class Window:
    """Filters shared by the pattern scans (every field optional).

    ``rounds``: round node ids; ``regions``: region node ids, sub-regions
    included; ``sectors``: unit sectors 板块; ``since``/``until``: inclusive
    ISO dates on the item's date.  An item passes when it passes every filter
    that is set; an undated item fails ``since``/``until``.
    """

    rounds: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    since: str | None = None
    until: str | None = None

    def compile(self, idx: QueryIndex):
        rounds = set(self.rounds)
        sectors = set(self.sectors)
        region_set = idx.region_closure(self.regions) if self.regions else None
        units_ok: dict[str, bool] = {}

        def unit_ok(u: str | None) -> bool:
            if u is None:
                return not (region_set or sectors)
            got = units_ok.get(u)
            if got is None:
                got = ((region_set is None or idx.unit_region.get(u) in region_set)
                       and (not sectors or idx.unit_sector.get(u) in sectors))
                units_ok[u] = got
            return got

        def item_ok(it: Item) -> bool:
            if rounds and it.round not in rounds:
                return False
            if self.since and (not it.date or it.date < self.since):
                return False
            if self.until and (not it.date or it.date > self.until):
                return False
            return unit_ok(it.unit)

        return item_ok, unit_ok
