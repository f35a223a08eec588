"""Evidence paths 关系路径 between entities, and the network connecting several.

Definitions (a server implementation must reproduce them):

- the graph is read as undirected: an edge ``u -> v`` of any kind joins
  ``u`` and ``v`` both ways (the path keeps each edge's real direction);
- hub nodes (:data:`~xuncha.graph.schema.HUB_KINDS`: regions, rounds,
  categories) are never *passed through* unless ``through_hubs``; a hub may
  still be an end of the path when the user names it;
- :func:`paths` returns every shortest path (fewest edges) of at most
  ``max_hops`` edges, up to ``limit`` of them, in lexicographic order of
  their node-id sequences; none when the ends are farther apart;
- :func:`network` joins several entities: it finds the first shortest path
  (as above) between every pair, keeps a minimum spanning tree of the
  terminals over those path lengths (Kruskal; ties by the pair's ids), and
  returns the union of the kept paths' nodes and edges (the classic
  2-approximation of the Steiner tree that link-analysis tools draw).
  Pairs with no path within ``max_hops`` are reported as unreached.

>>> from xuncha.queries.paths import paths, network
>>> p = paths(store, "cadre:C004", "issue:I2")[0]         # doctest: +SKIP
>>> p.nodes                                                # doctest: +SKIP
['cadre:C004', 'cadre:C002', 'issue:I2']
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..graph.schema import HUB_KINDS
from ..graph.store import GraphStore
from .common import QueryError

DEFAULT_MAX_HOPS = 6
MAX_TERMINALS = 30


@dataclass
class Step:
    """One hop: the edge(s) between two consecutive nodes, in their real direction."""

    source: str
    target: str
    kind: str
    props: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"source": self.source, "target": self.target, "kind": self.kind,
                "props": self.props}


@dataclass
class EvidencePath:
    nodes: list[str]
    labels: list[str]
    steps: list[Step]

    @property
    def length(self) -> int:
        return len(self.nodes) - 1

    @property
    def text(self) -> str:
        """``张伟 (cadre:C001) -[HELD_POSITION]-> 东湖区财政局 (unit:U001) <-[FOUND_IN]- …``"""
        parts = [f"{self.labels[0]} ({self.nodes[0]})"]
        for i, st in enumerate(self.steps):
            nxt = self.nodes[i + 1]
            detail = _edge_detail(st)
            arrow = f"-[{detail}]->" if st.source == self.nodes[i] else f"<-[{detail}]-"
            parts.append(f"{arrow} {self.labels[i + 1]} ({nxt})")
        return " ".join(parts)

    def as_dict(self) -> dict:
        return {"length": self.length, "nodes": self.nodes, "labels": self.labels,
                "edges": [s.as_dict() for s in self.steps], "text": self.text}


@dataclass
class Network:
    terminals: list[str]
    nodes: list[str]
    labels: dict[str, str]
    steps: list[Step]
    paths: list[EvidencePath]
    unreached: list[tuple[str, str]]

    def as_dict(self) -> dict:
        return {"terminals": self.terminals,
                "nodes": [{"id": n, "label": self.labels[n], "terminal": n in self.terminals}
                          for n in self.nodes],
                "edges": [s.as_dict() for s in self.steps],
                "paths": [p.as_dict() for p in self.paths],
                "unreached": [list(p) for p in self.unreached]}


def _edge_detail(st: Step) -> str:
    bits = [st.kind]
    p = st.props
    if p.get("relation_kind"):
        bits.append(p["relation_kind"])
    if p.get("title"):
        bits.append(p["title"] + (" 一把手" if p.get("is_principal") else ""))
    if p.get("role"):
        bits.append(p["role"])
    if p.get("round_id"):
        bits.append(p["round_id"])
    if p.get("start") or p.get("end"):
        bits.append(f"{p.get('start') or '?'}–{p.get('end') or '至今'}")
    return " ".join(str(b) for b in bits)


class _Walker:
    def __init__(self, store: GraphStore, through_hubs: bool, ends: set[str]):
        g = store.graph
        self.succ, self.pred = g._succ, g._pred  # plain dicts: the hot loop
        if through_hubs:
            self.blocked: set[str] = set()
        else:
            self.blocked = {n for k in HUB_KINDS for n in store.by_kind.get(k, ())} - ends

    def neighbours(self, n: str):
        blocked = self.blocked
        for m in self.succ[n]:
            if m not in blocked:
                yield m
        for m in self.pred[n]:
            if m not in blocked:
                yield m


def _bfs_layers(w: _Walker, a: str, b: str, max_hops: int):
    """Bidirectional BFS by whole layers; returns (dist_a, pred_a, dist_b, pred_b, D)."""
    dist = ({a: 0}, {b: 0})
    pred: tuple[dict[str, list[str]], dict[str, list[str]]] = ({a: []}, {b: []})
    frontier = ([a], [b])
    depth = [0, 0]
    if a == b:
        return dist[0], pred[0], dist[1], pred[1], 0
    while frontier[0] and frontier[1] and depth[0] + depth[1] < max_hops:
        side = 0 if len(frontier[0]) <= len(frontier[1]) else 1
        d, p, other = dist[side], pred[side], dist[1 - side]
        nxt: list[str] = []
        lvl = depth[side] + 1
        for u in frontier[side]:
            for v in w.neighbours(u):
                dv = d.get(v)
                if dv is None:
                    d[v] = lvl
                    p[v] = [u]
                    nxt.append(v)
                elif dv == lvl and u not in p[v]:
                    p[v].append(u)
        frontier = (nxt, frontier[1]) if side == 0 else (frontier[0], nxt)
        depth[side] = lvl
        met = [v for v in nxt if v in other]
        if met:
            best = min(d[v] + other[v] for v in met)
            return dist[0], pred[0], dist[1], pred[1], best
    return dist[0], pred[0], dist[1], pred[1], None


def _walk_back(pred: dict[str, list[str]], node: str, limit: int) -> list[list[str]]:
    """Every path from the BFS root to ``node`` (root first), in sorted order, capped."""
    out: list[list[str]] = []

    def rec(n: str, tail: list[str]):
        if len(out) >= limit:
            return
        ps = pred[n]
        if not ps:
            out.append([n] + tail)
            return
        for q in sorted(ps):
            rec(q, [n] + tail)

    rec(node, [])
    return out


def _steps(store: GraphStore, nodes: list[str]) -> list[Step]:
    g = store.graph
    out = []
    for u, v in zip(nodes, nodes[1:]):
        cands = []
        for s, t in ((u, v), (v, u)):
            for k, d in (g._succ[s].get(t) or {}).items():
                cands.append(Step(s, t, d["kind"], {x: y for x, y in d.items() if x != "kind"}))
        cands.sort(key=lambda st: (st.source != u, st.kind, str(sorted(st.props.items()))))
        out.append(cands[0])
    return out


def _make(store: GraphStore, nodes: list[str]) -> EvidencePath:
    return EvidencePath(nodes, [store.label(n) for n in nodes], _steps(store, nodes))


def paths(store: GraphStore, a: str, b: str, max_hops: int = DEFAULT_MAX_HOPS,
          through_hubs: bool = False, limit: int = 5) -> list[EvidencePath]:
    """The shortest evidence paths between ``a`` and ``b`` (refs or ids); see module doc."""
    if max_hops < 1:
        raise QueryError("--max-hops must be at least 1")
    a, b = store.resolve(a), store.resolve(b)
    return _paths(store, _Walker(store, through_hubs, {a, b}), a, b, max_hops, limit)


def _paths(store, w, a, b, max_hops, limit) -> list[EvidencePath]:
    da, pa, db, pb, best = _bfs_layers(w, a, b, max_hops)
    if best is None or best > max_hops:
        return []
    if best == 0:
        return [_make(store, [a])]
    j = min(max(da.values()), best)
    meets = sorted(m for m, x in da.items() if x == j and db.get(m) == best - j)
    found: list[list[str]] = []
    for m in meets:
        heads = _walk_back(pa, m, limit)
        tails = _walk_back(pb, m, limit)  # b ... m, reversed below
        for h in heads:
            for t in tails:
                found.append(h + list(reversed(t))[1:])
    found = sorted(found)[:limit]
    return [_make(store, p) for p in found]


def network(store: GraphStore, refs: list[str], max_hops: int = DEFAULT_MAX_HOPS,
            through_hubs: bool = False) -> Network:
    """The network connecting every entity in ``refs``; see module doc."""
    terms = list(dict.fromkeys(store.resolve(r) for r in refs))
    if len(terms) < 2:
        raise QueryError("name at least two different entities to connect (至少两个实体)")
    if len(terms) > MAX_TERMINALS:
        raise QueryError(f"at most {MAX_TERMINALS} entities at once (最多 {MAX_TERMINALS} 个)")
    w = _Walker(store, through_hubs, set(terms))
    pair_path: dict[tuple[str, str], list[str]] = {}
    for i, a in enumerate(terms):
        for b in terms[i + 1:]:
            got = _paths(store, w, a, b, max_hops, 1)
            if got:
                pair_path[(a, b)] = got[0].nodes
    # Kruskal over the terminals.
    parent = {t: t for t in terms}

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    kept: list[list[str]] = []
    for (a, b), p in sorted(pair_path.items(), key=lambda kv: (len(kv[1]), kv[0])):
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[ra] = rb
            kept.append(p)
    unreached = sorted((a, b) for i, a in enumerate(terms) for b in terms[i + 1:]
                       if find(a) != find(b))
    nodes: dict[str, None] = dict.fromkeys(terms)
    steps: dict[tuple, Step] = {}
    evid = []
    for p in kept:
        ep = _make(store, p)
        evid.append(ep)
        nodes.update(dict.fromkeys(p))
        for st in ep.steps:
            steps.setdefault((st.source, st.target, st.kind), st)
    order = sorted(nodes, key=lambda n: (n not in terms, n))
    return Network(terms, order, {n: store.label(n) for n in order},
                   [steps[k] for k in sorted(steps)], evid, unreached)
