"""The part of the graph a conflict check reads, fetched node by node.

:func:`conflict_subgraph` builds a small :class:`~xuncha.graph.store.GraphStore`
holding exactly what the recusal grounds read for the pairs of one check (a
recorded round, a plan, or teams × units), through the store's per-node API
(``node``, ``has``, ``out_edges``, ``in_edges``), never a whole-graph scan.
The in-memory checker then runs unchanged on it, so ``xuncha conflicts``
costs what the question touches, not what the dataset holds.  It mirrors the
server twin (:mod:`xuncha.graph.server.queries_conflicts`, same steps, same
canonical order), so the rows are the same on a workspace, a server and the
full graph (tests check all three).

What is fetched:

1. every round (``store.derived("planning.rounds")``: a small table);
2. the pairs: ``--round R``: R's assignments 巡察安排
   (``store.derived("planning.inspections")``: round -> INSPECTED edges);
   ``--plan``/``--team --unit``: given;
3. the pairs' teams and units; every MEMBER_OF into the teams, with cadres;
4. the inspectors (the members the check uses) and their HELD_POSITION;
5. kinship: RELATED_TO of a kin kind, both directions, breadth-first from
   the inspectors, ``kinship.max_hops`` hops (1 without ``compose``);
6. every HELD_POSITION into the units; for holders of a leadership post
   there, all their HELD_POSITION (``superior_subordinate``);
7. the units' superior units, ``employment.superior_levels`` deep;
8. ``repeat``: the assignments of the rounds the look-back covers;
9. the regions of the units, the history's units, the teams' homes and the
   inspectors' native places, with every PART_OF above them.

The two derived tables are whole-dataset look-ups (registered with
:mod:`xuncha.graph.derived` when it exists, so a workspace can save them at
load time); everything else is per node.
"""

from __future__ import annotations

from typing import Sequence

from .index import PlanningIndex

ROUNDS = "planning.rounds"
INSPECTIONS = "planning.inspections"


def build_rounds(store) -> dict:
    """round id -> the round node's attributes."""
    return {nid: dict(d) for nid, d in store.nodes("round")}


def build_inspections(store) -> dict:
    """raw round id -> [[team node, unit node, edge key, edge attributes], …]
    (every INSPECTED edge, by round, in the graph's order)."""
    out: dict[str, list] = {}
    g = getattr(store, "graph", None)
    for tid, _ in store.nodes("team"):
        if g is not None:  # the edge key too (repeated assignments of one pair)
            it = ((v, k, d) for _, v, k, d in g.out_edges(tid, keys=True, data=True)
                  if d.get("kind") == "INSPECTED")
        else:  # pragma: no cover - a store without a networkx graph
            it = ((v, "INSPECTED", d) for _, v, d in store.out_edges(tid, "INSPECTED"))
        for v, k, d in it:
            out.setdefault(str(d.get("round_id")), []).append([tid, v, k, dict(d)])
    return out


try:  # the shared registry of whole-dataset look-ups (graph/derived.py), when present
    from ..graph.derived import register as _register

    _register(ROUNDS)(build_rounds)
    _register(INSPECTIONS)(build_inspections)
except ImportError:  # pragma: no cover - older graph package: computed here on first use
    pass


def derived(store, name: str) -> dict:
    """``store.derived(name)`` when the store offers it, else computed once and
    cached on the store."""
    if hasattr(store, "derived"):
        try:
            return store.derived(name)
        except KeyError:
            pass
    cache = store.__dict__.setdefault("_planning_derived", {})
    if name not in cache:
        cache[name] = {ROUNDS: build_rounds, INSPECTIONS: build_inspections}[name](store)
    return cache[name]


def resolve(store, ref: str, kind: str) -> str:
    """``kind:id`` for a reference: ``kind:id`` and bare ids are looked up
    directly (no name index); names fall back to ``store.resolve``."""
    ref = str(ref).strip()
    if ref.startswith(kind + ":") and store.has(ref):
        return ref
    nid = f"{kind}:{ref}"
    if store.has(nid):
        return nid
    return store.resolve(ref, (kind,))


class _Local:
    """Nodes and edges fetched so far from a GraphStore; :meth:`store` builds the sub-graph."""

    def __init__(self, store):
        self.src = store
        self.nodes: dict[str, dict] = {}
        self.edges: dict[tuple[str, str, str], dict] = {}

    def add_nodes(self, xids) -> None:
        for x in xids:
            if x not in self.nodes and self.src.has(x):
                self.nodes[x] = dict(self.src.node(x))

    def rels(self, rel: str, xids, out: bool = True, keep=None) -> list[tuple[str, str, dict]]:
        """Every ``rel`` edge out of (``out``) or into the nodes ``xids`` (``keep``:
        a filter on the edge attributes), with the node at the other end."""
        found = []
        g = getattr(self.src, "graph", None)
        for x in sorted(set(xids)):
            if not self.src.has(x):
                continue
            if g is not None:
                it = (g.out_edges(x, keys=True, data=True) if out else g.in_edges(x, keys=True, data=True))
                rows = ((s, t, k, d) for s, t, k, d in it if d.get("kind") == rel)
            else:  # pragma: no cover
                it = self.src.out_edges(x, rel) if out else self.src.in_edges(x, rel)
                rows = ((s, t, rel, d) for s, t, d in it)
            for s, t, k, d in rows:
                if keep is not None and not keep(d):
                    continue
                self.add_nodes([t if out else s])
                self.edges[(s, t, k)] = dict(d)
                found.append((s, t, d))
        return found

    def store(self):
        import networkx as nx

        from ..graph.store import GraphStore

        g = nx.MultiDiGraph()
        for x in sorted(self.nodes):
            g.add_node(x, **self.nodes[x])
        for (s, t, k) in sorted(self.edges, key=lambda e: (e[0], e[1], str(e[2]).partition("#")[0],
                                                         _key_order(str(e[2])))):
            for n in (s, t):
                if n not in g:
                    kind, _, raw = n.partition(":")
                    g.add_node(n, kind=kind, id=raw)
            g.add_edge(s, t, k, **self.edges[(s, t, k)])
        return GraphStore(g, {})


def _key_order(key: str) -> int:
    _, sep, n = key.partition("#")
    return int(n) if sep and n.isdigit() else 1


def conflict_subgraph(store, round_id: str | None = None, plan: tuple | None = None,
                      teams: Sequence[str] = (), units: Sequence[str] = (), as_of: str | None = None,
                      policy=None):
    """The GraphStore a conflict check of these pairs reads (raw ids in, see
    the module docstring for what is fetched)."""
    from . import conflicts as C
    from .kinship import STEPS
    from .policy import load_policy

    policy = policy or load_policy()
    grounds = policy.grounds
    sub = _Local(store)
    rounds = derived(store, ROUNDS)
    for x, d in rounds.items():
        sub.nodes[x] = dict(d)
    inspections = derived(store, INSPECTIONS)

    def add_inspections(rids) -> set[str]:
        us = set()
        for r in sorted(set(rids)):
            for t, u, k, d in inspections.get(r, ()):
                sub.add_nodes([t, u])
                sub.edges[(t, u, k)] = dict(d)
                us.add(u)
        return us

    # 2. the pairs
    if plan is None and round_id and not teams:
        add_inspections([round_id])
    setup = C.select_pairs(PlanningIndex(sub.store(), policy), round_id, plan, teams, units, as_of)
    # 3. teams, units, memberships
    T = sorted({f"team:{t}" for t, _ in setup.pairs})
    U = sorted({f"unit:{u}" for _, u in setup.pairs})
    sub.add_nodes(T)
    sub.add_nodes(U)
    sub.rels("MEMBER_OF", [t for t in T if t in sub.nodes], out=False)
    ix = PlanningIndex(sub.store(), policy)
    members = C.pair_members(ix, setup, plan[1] if plan is not None else None)
    # 4. inspectors and their posts
    inspectors = sorted({f"cadre:{m.cadre}" for ms in members.values() for m in ms})
    sub.add_nodes(inspectors)
    sub.rels("HELD_POSITION", inspectors)
    # 5. kinship closure
    if grounds["kinship"].mode != "off":
        hops = grounds["kinship"].max_hops if grounds["kinship"].compose else 1
        seen, frontier = set(inspectors), [c for c in inspectors if c in sub.nodes]

        def kin(d) -> bool:
            return d.get("relation_kind") in STEPS

        for _ in range(hops):
            found = sub.rels("RELATED_TO", frontier, True, kin) + sub.rels("RELATED_TO", frontier, False, kin)
            nxt = {x for s, t, _ in found for x in (s, t)}
            frontier = sorted(nxt - seen)
            seen |= nxt
            if not frontier:
                break
    # 6. who works in the units; their leaders' posts anywhere
    in_units = sub.rels("HELD_POSITION", [u for u in U if u in sub.nodes], out=False)
    if grounds["superior_subordinate"].mode != "off":
        leaders = sorted({s for s, _, p in in_units
                          if policy.is_leadership(p.get("title") or "", bool(p.get("is_principal")))})
        sub.rels("HELD_POSITION", leaders)
    # 7. superior units
    if grounds["employment"].mode != "off":
        level = [u for u in U if u in sub.nodes]
        for _ in range(grounds["employment"].superior_levels):
            parents = {f"unit:{sub.nodes[u]['parent_id']}" for u in level if sub.nodes[u].get("parent_id")}
            sub.add_nodes(parents)
            level = sorted(p for p in parents if p in sub.nodes)
    # 8. the assignment history the repeat look-back covers
    history_units: set[str] = set()
    if grounds["repeat"].mode != "off":
        dates = {C.default_as_of(ix, setup.as_of, setup.round_id)} | {
            d for d in (setup.dates or {}).values() if d}
        prev = {r for d in dates for r in ix.previous_rounds(setup.round_id, d, grounds["repeat"].rounds)}
        history_units = add_inspections(prev)
    # 9. regions, with every region above them
    regions = {sub.nodes[u].get("region_id") for u in set(U) | history_units if u in sub.nodes}
    regions |= {d.get("home_region_id") for d in sub.nodes.values() if d.get("kind") == "team"}
    regions |= {sub.nodes[c].get("native_region_id") for c in inspectors if c in sub.nodes}
    todo = {f"region:{x}" for x in regions if x}
    done: set[str] = set()
    while todo:
        sub.add_nodes(todo)
        done |= todo
        todo = {t for _, t, _ in sub.rels("PART_OF", [x for x in todo if x in sub.nodes])} - done
    return sub.store()
