"""Per-question look-ups over a store's neighbourhoods, memoised.

A :class:`View` answers the questions the per-entity queries (``related``,
``path``, ``timeline``) ask about one item, cadre or unit by walking the
:class:`~xuncha.graph.store.GraphStore` API only: ``node``,
``out_edges(nid, kind)``, ``in_edges(nid, kind)``.  It never iterates the
whole graph, so it is cheap on a lazily opened workspace and on a graph
server (:mod:`xuncha.graph.server.queries` gives a store whose edges are
fetched on demand).  Whole-dataset statistics come from ``store.derived``.

The definitions (items, dates, units, posts, ties) are those of
:mod:`xuncha.queries.common`; periods and responsibility are those of
:mod:`xuncha.queries.periods`.  Edges are read in a canonical order (sorted
by the far end's id), so the answer does not depend on how a backend
returns them.
"""

from __future__ import annotations

from ..graph.schema import node_id, split_id
from .common import FAR_FUTURE, Item, Post, Tie, derive_colleagues
from .periods import DEFAULT_POLICY, Answer, Period, Policy, answers, finding_period, \
    inspection_periods

_ATTR = "_xuncha_view"


def view(store) -> "View":
    """The store's view, cached on the store (its memos only grow)."""
    v = store.__dict__.get(_ATTR)
    if v is None or v.store is not store:
        v = View(store)
        store.__dict__[_ATTR] = v
    return v


# What :meth:`View.item`, :meth:`View.round_dates` and :meth:`View.visits`
# read of a node (by kind) and of which edges: a :func:`bulk_view` reads just
# these, in bulk.
ITEM_FIELDS = {
    "issue": ("unit_id", "round_id", "found_date", "category", "subcategory", "description",
              "amount", "conduct_start", "conduct_end"),
    "lead": ("unit_id", "round_id", "issue_ids", "transfer_date", "summary", "recovered_amount"),
    "round": ("start", "end"),
}
ITEM_EDGES = {"issue": ("IMPLICATES",), "lead": ("RAISED_FROM", "CONCERNS"),
              "round": (), "unit": ("INSPECTED",)}


def view_reads(kinds=("issue",), fields: dict | None = None, edges=()) -> tuple[dict, set]:
    """``(node kind -> attributes, edge kinds)``: what a View reads of items of
    ``kinds`` (a lead's linked issues come with it), of rounds and of units'
    inspections, plus ``fields`` (kind -> more attributes) and ``edges``."""
    kinds = set(kinds) | {"round", "unit"} | ({"issue"} if "lead" in kinds else set())
    fields = fields or {}
    nodes = {k: tuple(dict.fromkeys((*ITEM_FIELDS.get(k, ()), *fields.get(k, ()))))
             for k in sorted(kinds | set(fields)) if k in ITEM_FIELDS or k in fields}
    want = {e for k in kinds for e in ITEM_EDGES.get(k, ())} | set(edges)
    return nodes, want


def bulk_view(store, kinds=("issue",), fields: dict | None = None, edges=()) -> "View":
    """A fresh :class:`View` whose items of ``kinds``, rounds and units'
    inspections (:func:`view_reads`) are read in bulk, once
    (:class:`~xuncha.graph.bulk.BulkStore`): what a scan over most items
    asks, without one indexed read per item on a saved workspace.  Its
    answers are those of ``view(store)``: the same code over the same data."""
    from ..graph.bulk import BulkStore

    nodes, want = view_reads(kinds, fields, edges)
    return View(BulkStore(store, nodes, want))


def indexed_bulk_view(store, kinds=("issue",), fields: dict | None = None, edges=()):
    """``(query index, bulk view)`` of ``store`` (:func:`xuncha.queries.common.index`,
    :func:`bulk_view`): when the index is not built yet, both come from one
    bulk read (the index reads the same issue, lead and round rows and the
    same edges a bulk view does)."""
    from ..graph.bulk import BulkStore
    from .common import INDEX_EDGES, INDEX_FIELDS, cached_index, index

    idx = cached_index(store)
    if idx is not None:
        return idx, bulk_view(store, kinds, fields, edges)
    nodes, want = view_reads(kinds, fields, edges)
    union = {k: tuple(dict.fromkeys((*INDEX_FIELDS.get(k, ()), *nodes.get(k, ()))))
             for k in sorted({*INDEX_FIELDS, *nodes})}
    bulk = BulkStore(store, union, want | INDEX_EDGES, per_node=want)
    idx = index(store, reads=bulk)
    bulk.keep(nodes, want)  # what the view does not read
    return idx, View(bulk)


class Visit:
    """One inspection of a unit: an INSPECTED assignment."""

    __slots__ = ("unit", "round", "team", "arrival", "end", "props")

    def __init__(self, unit, round, team, arrival, end, props):
        self.unit = unit
        self.round = round
        self.team = team
        self.arrival = arrival
        self.end = end
        self.props = props


class _Memo(dict):
    """A memo of a :class:`View` over a store that reads in optimistic passes
    (:meth:`xuncha.graph.server.queries.LazyStore.settle`): such a store
    counts in ``store.misses`` the reads it answered from part of the data.
    An entry computed while that count moved, or while reading such an entry,
    is *dirty*: kept for the rest of the pass, dropped after it
    (:meth:`View.forget_dirty`).  A clean entry read only fetched data, so it
    is the one a plain walk computes, and it is kept for the next passes.
    A computation starts at the failed look-up of its key and ends when the
    key is set (the pattern of every memo here)."""

    __slots__ = ("view", "pending", "dirty")

    def __init__(self, view: "View"):
        super().__init__()
        self.view = view
        self.pending: dict = {}
        self.dirty: set = set()

    def _read(self, key):
        if key in self.dirty:
            self.view.dirty_reads += 1

    def get(self, key, default=None):
        if dict.__contains__(self, key):
            self._read(key)
            return dict.__getitem__(self, key)
        self.pending.setdefault(key, self.view.taint())
        return default

    def __contains__(self, key) -> bool:
        if dict.__contains__(self, key):
            return True
        self.pending.setdefault(key, self.view.taint())
        return False

    def __getitem__(self, key):
        self._read(key)
        return dict.__getitem__(self, key)

    def __setitem__(self, key, value) -> None:
        dict.__setitem__(self, key, value)
        if self.pending.pop(key, None) != self.view.taint():
            self.dirty.add(key)

    def forget_dirty(self) -> None:
        for key in self.dirty:
            self.pop(key, None)
        self.dirty.clear()
        self.pending.clear()


class View:
    def __init__(self, store):
        self.store = store
        # a store that reads in passes counts its misses: memos then track them
        self.dirty_reads = 0
        memo = (lambda: _Memo(self)) if hasattr(store, "misses") else dict
        self._round: dict[str, tuple] = memo()
        self._visits: dict[str, list[Visit]] = memo()
        self._periods: dict[tuple, dict] = memo()
        self._items: dict[str, Item | None] = memo()
        self._items_u: dict[str, list[Item]] = memo()
        self._items_c: dict[str, list[Item]] = memo()
        self._posts_c: dict[str, list[Post]] = memo()
        self._posts_u: dict[str, list[Post]] = memo()
        self._ties: dict[str, list[Tie]] = memo()
        self._colleagues: dict[str, list[Tie]] = memo()
        self._leads_of: dict[str, list[str]] = memo()
        self._subjects: dict[str, frozenset] = memo()
        self._item_period: dict[tuple, Period | None] = memo()

    def taint(self) -> int:
        """Reads so far answered from part of the data (see :class:`_Memo`)."""
        return self.store.misses + self.dirty_reads

    def forget_dirty(self) -> None:
        """Drop the memo entries computed from part of the data."""
        for m in self.__dict__.values():
            if isinstance(m, _Memo):
                m.forget_dirty()
        self.dirty_reads = 0

    # -- nodes ---------------------------------------------------------------------
    def has(self, nid: str | None) -> bool:
        return bool(nid) and self.store.has(nid)

    def name(self, nid: str | None) -> str:
        """``名称 (kind:id)`` for sentences in reasons."""
        if not nid:
            return "?"
        if not self.store.has(nid):
            return nid
        return f"{self.store.label(nid)} ({nid})"

    def round_dates(self, rnd: str | None) -> tuple[str | None, str | None]:
        if not rnd:
            return (None, None)
        got = self._round.get(rnd)
        if got is None:
            d = self.store.node(rnd) if self.store.has(rnd) else {}
            got = self._round[rnd] = (d.get("start"), d.get("end"))
        return got

    # -- inspections -----------------------------------------------------------------
    def visits(self, unit: str) -> list[Visit]:
        """The unit's inspections, by arrival (then round, team)."""
        got = self._visits.get(unit)
        if got is not None:
            return got
        out = []
        for team, _, d in self.store.in_edges(unit, "INSPECTED"):
            rnd = node_id("round", d["round_id"]) if d.get("round_id") else None
            rs, re_ = self.round_dates(rnd)
            arrival = d.get("start") or rs
            if not arrival:
                continue
            out.append(Visit(unit, rnd, team, arrival, d.get("end") or re_,
                             {k: v for k, v in d.items() if k != "kind"}))
        out.sort(key=lambda v: (v.arrival, v.round or "", v.team))
        self._visits[unit] = out
        return out

    def arrival(self, unit: str | None, rnd: str | None) -> str | None:
        """The earliest arrival of the unit's inspection in round ``rnd``."""
        if unit:
            for v in self.visits(unit):
                if v.round == rnd:
                    return v.arrival
        return None

    def inspected_periods(self, unit: str, policy: Policy) -> dict[str | None, tuple]:
        """Round -> (period start, period end = arrival, arrival) for the unit."""
        key = (unit, policy.lookback_years)
        got = self._periods.get(key)
        if got is None:
            visits: dict[str | None, Visit] = {}
            for v in self.visits(unit):
                visits.setdefault(v.round, v)  # the earliest visit of each round
            got = {}
            for start, arrival, rnd in inspection_periods(
                    [(v.arrival, v.end, v.round) for v in visits.values()], policy):
                got[rnd] = (start, arrival, arrival)
            self._periods[key] = got
        return got

    # -- items ------------------------------------------------------------------------
    def item(self, nid: str) -> Item | None:
        """The issue or lead ``nid`` (None for other kinds or unknown ids)."""
        if nid in self._items:
            return self._items[nid]
        store = self.store
        it = None
        kind = split_id(nid)[0]
        if kind in ("issue", "lead") and store.has(nid):
            d = store.node(nid)
            if kind == "issue":
                unit = node_id("unit", d["unit_id"]) if d.get("unit_id") else None
                rnd = node_id("round", d["round_id"]) if d.get("round_id") else None
                date = d.get("found_date") or self.arrival(unit, rnd) or self.round_dates(rnd)[0]
                cadres = tuple(sorted({v for _, v, _ in store.out_edges(nid, "IMPLICATES")}))
                it = Item(nid, "issue", unit, date, rnd, d.get("category"), d.get("subcategory"),
                          cadres, (), d.get("description") or "", d.get("amount"))
                it.conduct = (d.get("conduct_start"), d.get("conduct_end"))
            else:
                issues = self._raised_from(nid, d)
                linked = [x for x in (self.item(i) for i in issues) if x is not None]
                first = linked[0] if linked else None
                unit = node_id("unit", d["unit_id"]) if d.get("unit_id") else (
                    first.unit if first else None)
                rnd = node_id("round", d["round_id"]) if d.get("round_id") else (
                    first.round if first else None)
                dates = sorted(i.date for i in linked if i.date)
                date = d.get("transfer_date") or (dates[0] if dates else None) or \
                    self.round_dates(rnd)[0]
                cadres = tuple(sorted({v for _, v, _ in store.out_edges(nid, "CONCERNS")}))
                it = Item(nid, "lead", unit, date, rnd, first.category if first else None,
                          first.subcategory if first else None, cadres, issues,
                          d.get("summary") or "", d.get("recovered_amount"))
                it.conduct = first.conduct if first else (None, None)
        self._items[nid] = it
        return it

    def _same(self, it: Item) -> Item:
        """``it`` as the memo holds it: a memo keyed by an item's id reads the
        item through :meth:`item`, so a memo entry computed from an item built
        on part of the data is known as such (:class:`_Memo`); the same object
        on a plain store."""
        return self.item(it.id) or it

    def _raised_from(self, lid: str, d: dict) -> tuple[str, ...]:
        """A lead's linked issues in ``issue_ids`` order (the first one counts)."""
        targets = sorted({v for _, v, _ in self.store.out_edges(lid, "RAISED_FROM")})
        order = {x: n for n, x in enumerate(d.get("issue_ids") or ())}
        targets.sort(key=lambda t: (order.get(split_id(t)[1], 1 << 30), t))
        return tuple(targets)

    def leads_of_issue(self, iid: str) -> list[str]:
        got = self._leads_of.get(iid)
        if got is None:
            got = self._leads_of[iid] = sorted({u for u, _, _ in self.store.in_edges(iid, "RAISED_FROM")})
        return got

    def case_subjects(self, it: Item) -> frozenset:
        """Subjects 被反映人 of the leads of the item's case (see common)."""
        got = self._subjects.get(it.id)
        if got is None:
            it = self._same(it)
            if it.kind == "lead":
                got = frozenset(it.cadres)
            else:
                got = frozenset(c for l in self.leads_of_issue(it.id)
                                for c in (self.item(l).cadres if self.item(l) else ()))
            self._subjects[it.id] = got
        return got

    def items_of_unit(self, unit: str) -> list[Item]:
        """Issues found in the unit, leads about it, and leads without a unit of
        their own whose first issue is the unit's; by date, then id."""
        got = self._items_u.get(unit)
        if got is not None:
            return got
        ids = {u for u, _, _ in self.store.in_edges(unit, "FOUND_IN")}
        ids |= {u for u, _, _ in self.store.in_edges(unit, "CONCERNS_UNIT")}
        for iid in [i for i in ids if i.startswith("issue:")]:
            ids.update(self.leads_of_issue(iid))
        out = [it for it in (self.item(i) for i in ids) if it is not None and it.unit == unit]
        out.sort(key=lambda it: (it.date or "", it.id))
        self._items_u[unit] = out
        return out

    def items_of_cadre(self, cadre: str) -> list[Item]:
        """Items naming the cadre (涉及人员 / 被反映人), by date, then id."""
        got = self._items_c.get(cadre)
        if got is None:
            ids = {u for u, _, _ in self.store.in_edges(cadre, "IMPLICATES")}
            ids |= {u for u, _, _ in self.store.in_edges(cadre, "CONCERNS")}
            got = [it for it in (self.item(i) for i in ids) if it is not None]
            got.sort(key=lambda it: (it.date or "", it.id))
            self._items_c[cadre] = got
        return got

    def period(self, it: Item, policy: Policy = DEFAULT_POLICY) -> Period | None:
        """The item's period (:func:`xuncha.queries.periods.finding_period`)."""
        key = (it.id, policy.lookback_years)
        if key in self._item_period:
            return self._item_period[key]
        it = self._same(it)
        got = None
        if it.unit:
            per = self.inspected_periods(it.unit, policy).get(it.round)
            if per is None:
                arrival = self.round_dates(it.round)[0] or it.date
                if arrival:
                    from .periods import next_day, shift_years

                    earlier = [v.arrival for v in self.visits(it.unit) if v.arrival < arrival]
                    start = (next_day(max(earlier)) if earlier
                             else shift_years(arrival, -policy.lookback_years))
                    per = (start, arrival, arrival)
            if per is not None:
                conduct = getattr(it, "conduct", (None, None)) or (None, None)
                got = finding_period((per[0], per[1]), per[2], conduct[0], conduct[1], it.text)
        self._item_period[key] = got
        return got

    # -- posts ---------------------------------------------------------------------------
    @staticmethod
    def _post(u: str, v: str, d: dict) -> Post:
        return Post(u, v, d.get("title"), d.get("rank"), bool(d.get("is_principal")),
                    d.get("start"), d.get("end"))

    @staticmethod
    def _order(p: Post):
        return (p.start or "", p.end or FAR_FUTURE, p.cadre, p.unit, p.title or "")

    def posts_of_cadre(self, cadre: str) -> list[Post]:
        got = self._posts_c.get(cadre)
        if got is None:
            got = sorted((self._post(u, v, d) for u, v, d in self.store.out_edges(cadre, "HELD_POSITION")),
                         key=self._order)
            self._posts_c[cadre] = got
        return got

    def posts_of_unit(self, unit: str) -> list[Post]:
        got = self._posts_u.get(unit)
        if got is None:
            got = sorted((self._post(u, v, d) for u, v, d in self.store.in_edges(unit, "HELD_POSITION")),
                         key=self._order)
            self._posts_u[unit] = got
        return got

    def answering(self, it: Item, policy: Policy = DEFAULT_POLICY,
                  principal_only: bool = True) -> list[tuple[Post, Answer]]:
        """The posts at the item's unit that answer for it (principals only by
        default), by start, then cadre."""
        per = self.period(it, policy)
        if per is None or not it.unit:
            return []
        out = []
        for p in self.posts_of_unit(it.unit):
            if principal_only and not p.principal:
                continue
            a = answers(p.start, p.end, per, policy)
            if a is not None:
                out.append((p, a))
        return out

    def answered(self, post: Post, policy: Policy = DEFAULT_POLICY,
                 kinds: tuple[str, ...] = ("issue", "lead")) -> list[tuple[Item, Answer]]:
        """Items of the post's unit the post answers for, by date, then id."""
        out = []
        for it in self.items_of_unit(post.unit):
            if it.kind not in kinds:
                continue
            a = answers(post.start, post.end, self.period(it, policy), policy)
            if a is not None:
                out.append((it, a))
        return out

    # -- ties ----------------------------------------------------------------------------
    def ties(self, cadre: str) -> list[Tie]:
        """Explicit ties (RELATED_TO, either direction), by other cadre, relation."""
        got = self._ties.get(cadre)
        if got is None:
            got = []
            for _, v, d in self.store.out_edges(cadre, "RELATED_TO"):
                if v != cadre:
                    t = Tie(v, d.get("relation_kind") or "other", note=d.get("note"))
                    t.direction = "out"
                    got.append(t)
            for u, _, d in self.store.in_edges(cadre, "RELATED_TO"):
                if u != cadre:
                    t = Tie(u, d.get("relation_kind") or "other", note=d.get("note"))
                    t.direction = "in"
                    got.append(t)
            got.sort(key=lambda t: (t.other, t.relation, t.direction))
            self._ties[cadre] = got
        return got

    def colleagues(self, cadre: str) -> list[Tie]:
        """Derived colleagues: posts in one unit overlapping by >= 1 day (one tie
        per colleague: the earliest shared window, then unit id)."""
        got = self._colleagues.get(cadre)
        if got is not None:
            return got
        out = derive_colleagues(cadre, self.posts_of_cadre(cadre), self.posts_of_unit)
        self._colleagues[cadre] = out
        return out
