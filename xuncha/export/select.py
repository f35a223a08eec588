"""Which part of the graph an export holds.

A :class:`Selection` is the whole graph, or narrowed by:

- ``around`` + ``hops``: the ego network of one or more nodes: everything
  within ``hops`` edges, either direction.  Hub nodes (``schema.HUB_KINDS``:
  region, round, category) are kept as leaves but not walked through unless
  ``through_hubs``: a round or a category connects half the graph, so walking
  through it would make every ego network the whole graph.
- ``kinds``: keep only these node kinds and/or edge kinds (registry names).
- ``rounds``, ``regions``, ``sectors``, ``since``/``until``: the filters of
  the analyst queries (:class:`xuncha.queries.common.Window`, same meaning):
  keep the *items* (issues and leads) of those rounds, of units in those
  regions (sub-regions included) or sectors, dated in the range (an item's
  date as the queries define it); rectification actions follow the items
  they address.  The selection is then the kept items and actions,
  everything they touch, plus (for rounds) the teams, members and units of
  those rounds' assignments and (for regions/sectors) the matching units and
  regions.  Edges that carry a round or dates (``round_id``,
  ``start``/``end``) are kept only when they match.

Invariants: an edge is selected only when both its ends are; with no
narrowing option the view iterates the store directly (no copy), so a whole
graph export streams at any size.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Iterator

from ..graph.schema import EDGE_KINDS, HUB_KINDS, NODE_KINDS
from ..graph.store import GraphStore
from .base import ExportError



@dataclass
class Selection:
    around: list[str] = field(default_factory=list)
    case: str | None = None  # the evidence graph of `related` for this issue, lead, cadre or unit
    hops: int = 2
    through_hubs: bool = False
    kinds: list[str] = field(default_factory=list)
    rounds: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    sectors: list[str] = field(default_factory=list)
    since: str | None = None
    until: str | None = None

    @property
    def has_filters(self) -> bool:
        return bool(self.rounds or self.regions or self.sectors or self.since or self.until)

    @property
    def is_whole(self) -> bool:
        return not (self.around or self.case or self.kinds or self.has_filters)

    def describe(self) -> dict:
        d = {k: v for k, v in self.__dict__.items() if v not in (None, [], False)}
        if not self.around:
            d.pop("hops", None)
        return d


class GraphView:
    """The selected nodes and edges of a store, iterated lazily.

    ``nodes`` is None for "every node"; ``edge_kinds`` None for "every kind".
    """

    def __init__(self, store: GraphStore, nodes: set[str] | None = None,
                 edge_kinds: set[str] | None = None, edge_filter=None):
        self.store = store
        self.node_set = nodes
        self.edge_kinds = edge_kinds
        self.edge_filter = edge_filter

    def nodes(self) -> Iterator[tuple[str, dict]]:
        g = self.store.graph
        if self.node_set is None:
            yield from g.nodes(data=True)
            return
        nodes = g.nodes
        # Keep the graph's order so exports are deterministic.
        if len(self.node_set) * 4 < len(g):
            for n in self.order():
                yield n, nodes[n]
        else:
            for n, d in g.nodes(data=True):
                if n in self.node_set:
                    yield n, d

    def order(self) -> list[str]:
        """The selected nodes in graph order (computed once)."""
        if getattr(self, "_order", None) is None:
            self._order = sorted(self.node_set or (), key=_node_order(self.store))
        return self._order

    def nodes_of(self, kind: str) -> Iterator[tuple[str, dict]]:
        for n, d in self.store.nodes(kind):
            if self.node_set is None or n in self.node_set:
                yield n, d

    def edges(self) -> Iterator[tuple[str, str, str, dict]]:
        g = self.store.graph
        ns, ek, ef = self.node_set, self.edge_kinds, self.edge_filter
        if ns is None:
            it = g.edges(keys=True, data=True)
        elif len(ns) * 4 < len(g):
            it = (e for n in self.order() for e in g.out_edges(n, keys=True, data=True))
        else:
            it = g.edges(keys=True, data=True)
        for u, v, k, d in it:
            if ns is not None and (u not in ns or v not in ns):
                continue
            if ek is not None and d.get("kind") not in ek:
                continue
            if ef is not None and not ef(d):
                continue
            yield u, v, k, d


def _node_order(store: GraphStore):
    index = {}

    def key(n):
        if not index:
            index.update((x, i) for i, x in enumerate(store.graph))
        return index.get(n, 0)

    return key


def _check_kinds(kinds: list[str]) -> tuple[set[str], set[str]]:
    import difflib

    nk, ek = set(), set()
    zh_node = {v.zh: k for k, v in NODE_KINDS.items()}
    for k in kinds:
        for part in k.replace("，", ",").split(","):
            part = part.strip()
            if not part:
                continue
            if part in NODE_KINDS:
                nk.add(part)
            elif part in zh_node:
                nk.add(zh_node[part])
            elif part.upper() in EDGE_KINDS:
                ek.add(part.upper())
            else:
                pool = [*NODE_KINDS, *EDGE_KINDS, *zh_node]
                close = difflib.get_close_matches(part, pool, n=3, cutoff=0.5)
                hint = f"; did you mean 是否应为: {', '.join(close)}" if close else ""
                raise ExportError(f"unknown kind '{part}' (未知类型): node kinds are "
                                  f"{', '.join(NODE_KINDS)}; edge kinds are "
                                  f"{', '.join(EDGE_KINDS)}{hint}")
    return nk, ek


def ego(store: GraphStore, seeds: list[str], hops: int, through_hubs: bool = False,
        leaves: frozenset[str] = frozenset(), skip_edges: frozenset[str] = frozenset()) -> set[str]:
    """Nodes within ``hops`` edges of ``seeds`` (either direction).

    Hubs, and nodes of the ``leaves`` kinds, are reached but not expanded
    (hubs are, with ``through_hubs``); a seed is always expanded.  Edges of
    the ``skip_edges`` kinds are not followed.  Walks neighbourhoods through
    the store API (``out_edges``/``in_edges``).

    >>> sorted(ego(store, ["cadre:C004"], 1))          # doctest: +SKIP
    ['cadre:C002', 'cadre:C004', 'region:330101', 'team:T1', 'team:T2']
    """
    seen = set(seeds)
    frontier = deque((s, 0) for s in seeds)
    while frontier:
        n, depth = frontier.popleft()
        if depth >= hops:
            continue
        if depth > 0:
            kind = store.kind(n)
            if kind in leaves or (not through_hubs and kind in HUB_KINDS):
                continue
        for _, m, d in store.out_edges(n):
            if m not in seen and d.get("kind") not in skip_edges:
                seen.add(m)
                frontier.append((m, depth + 1))
        for m, _, d in store.in_edges(n):
            if m not in seen and d.get("kind") not in skip_edges:
                seen.add(m)
                frontier.append((m, depth + 1))
    return seen


def _event_filter(store: GraphStore, sel: Selection, rounds: list[str],
                  regions: list[str]) -> set[str]:
    """Nodes kept by --round/--region/--sector/--since/--until (module docstring).

    Items (issues and leads) are filtered exactly as the analyst queries do
    (:class:`xuncha.queries.common.Window`: the item's round, unit region,
    unit sector and date); an action follows the items it addresses.
    """
    from ..queries.common import Window, index

    g = store.graph
    idx = index(store)
    win = Window(rounds=tuple(rounds), regions=tuple(regions), sectors=tuple(sel.sectors),
                 since=sel.since, until=sel.until)
    item_ok, unit_ok = win.compile(idx)
    kept = {iid for iid, it in idx.items.items() if item_ok(it)}
    for n, _ in store.nodes("action"):
        if any(t in kept for t in store.targets(n, "ADDRESSES")):
            kept.add(n)
    out = set(kept)
    for n in kept:
        out.update(g.successors(n))
        out.update(g.predecessors(n))
    if rounds:
        out.update(rounds)
        raw = {g.nodes[r]["id"] for r in rounds}
        for kind in ("INSPECTED", "MEMBER_OF"):
            for u, v, _, d in store.edges(kind):
                if d.get("round_id") in raw:
                    out.update((u, v))
    if regions or sel.sectors:
        out.update(n for n, _ in store.nodes("unit") if unit_ok(n))
    if regions:
        out.update(idx.region_closure(regions))
    return out


def _edge_filter(sel: Selection, round_raw: set[str]):
    if not (round_raw or sel.since or sel.until):
        return None
    since, until = sel.since, sel.until

    def ok(d: dict) -> bool:
        if round_raw and "round_id" in d and d["round_id"] not in round_raw:
            return False
        if since and d.get("end") and d["end"] < since:
            return False
        if until and d.get("start") and d["start"] > until:
            return False
        return True

    return ok


def select(store: GraphStore, sel: Selection | None = None, case_nodes: set[str] | None = None,
           collapse: frozenset[str] = frozenset(),
           skip_edges: frozenset[str] = frozenset()) -> GraphView:
    """The :class:`GraphView` of ``store`` that ``sel`` describes.

    ``case_nodes``: the nodes of ``sel.case``'s evidence graph
    (:func:`xuncha.export.case.build_case`).  ``collapse``: node kinds shown
    as counts instead of nodes (the html and dot pictures): around a seed they
    are not walked through, and they are left out unless they are seeds.
    ``skip_edges``: edge kinds left out (and not walked), e.g. those that
    redaction hides.

    >>> view = select(store, Selection(around=["cadre:C001"], hops=2))   # doctest: +SKIP
    """
    if (sel is None or sel.is_whole) and not skip_edges:
        return GraphView(store)
    sel = sel or Selection()
    if sel.hops < 0:
        raise ExportError("--hops must be 0 or more")
    node_kinds, edge_kinds = _check_kinds(sel.kinds)
    if skip_edges:
        edge_kinds = (edge_kinds or set(EDGE_KINDS)) - skip_edges
    nodes: set[str] | None = None
    seeds: list[str] = []
    if sel.around:
        seeds = [store.resolve(ref) for ref in sel.around]
        nodes = ego(store, seeds, sel.hops, sel.through_hubs, leaves=collapse, skip_edges=skip_edges)
    if case_nodes is not None:
        nodes = set(case_nodes) if nodes is None else nodes & case_nodes
    if collapse and nodes is not None:
        keep = set(seeds) | ({store.resolve(sel.case)} if sel.case else set())
        nodes = {n for n in nodes if n in keep or store.kind(n) not in collapse or
                 store.kind(n) in node_kinds}
    rounds = [store.resolve(r, ("round",)) for r in sel.rounds]
    regions = [store.resolve(r, ("region",)) for r in sel.regions]
    round_raw = {store.node(r)["id"] for r in rounds}
    if sel.has_filters:
        kept = _event_filter(store, sel, rounds, regions)
        nodes = kept if nodes is None else nodes & kept
    if node_kinds:
        if nodes is None:
            nodes = {n for n, k in store.graph.nodes(data="kind") if k in node_kinds}
        else:
            nodes = {n for n in nodes if store.kind(n) in node_kinds}
    return GraphView(store, nodes, edge_kinds or None, _edge_filter(sel, round_raw))
