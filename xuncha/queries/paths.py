"""Evidence paths 关系路径 between entities, and the network connecting several.

Definitions (a server implementation reads the same neighbourhoods through
:class:`~xuncha.graph.server.queries.LazyStore`, so its answers are these):

- the graph is read as undirected: an edge ``u -> v`` of any kind joins
  ``u`` and ``v`` both ways (the path keeps each edge's real direction);
- hub nodes (:data:`~xuncha.graph.schema.HUB_KINDS`: regions, rounds,
  categories) are never *passed through* unless ``through_hubs``; a hub may
  still be an end of the path when the user names it;
- each hop weighs :data:`EDGE_WEIGHTS` of its edge kind (the lightest of
  parallel edges): naming edges and ties between people (IMPLICATES,
  CONCERNS, RELATED_TO, RAISED_FROM) are cheap, posts middling, context
  (the unit an item was found in, the team that found it, the round, an
  action's owner, a region…) expensive.  A path's weight is the sum of its
  hops'; ``shortest=True`` weighs every hop 1 (plain hop count);
- :func:`paths` returns the ``limit`` lightest simple paths of at most
  ``max_hops`` edges (Yen's k-shortest paths over an A* search that prunes
  a node farther from the far end, in hops, than the hops left), lightest
  first, ties by hop count, then node ids.  Hop distances are needed only
  for the nodes that can lie on a path within ``max_hops``
  (``dist(a, v) + dist(v, b) <= max_hops``); one unweighted bidirectional
  search of ``max_hops`` layers finds them without reading the far end's
  whole neighbourhood, and answers quickly when the ends are farther apart
  (then: none).  The A* estimates by the lightest weight to the far end
  through those nodes (any consistent estimate gives the same answers,
  ties included; a close one pops fewer nodes).  From a saved workspace the
  search runs over its compact adjacency (:mod:`xuncha.graph.hops`, nodes
  numbered in id order so ties break the same way).  The search keeps
  the lightest path to each node; when that one cannot reach the far end in
  the hops left, a heavier path with fewer hops through the same node is
  not tried;
- :func:`network` joins several entities: it finds the lightest path (as
  above) between every pair, keeps a minimum spanning tree of the terminals
  over those path weights (Kruskal; ties by the pair's ids), and returns the
  union of the kept paths' nodes and edges (the classic 2-approximation of
  the Steiner tree that link-analysis tools draw).  Pairs with no path within
  ``max_hops`` are reported as unreached.

Example: two issues whose named people are in-laws connect through the people
and their tie (IMPLICATES, RELATED_TO, IMPLICATES: weight 3) before the team
that found both (FOUND_BY twice: weight 10).

>>> from xuncha.queries.paths import paths, network
>>> p = paths(store, "cadre:C004", "issue:I2")[0]         # doctest: +SKIP
>>> p.nodes, p.weight                                      # doctest: +SKIP
(['cadre:C004', 'cadre:C002', 'issue:I2'], 2.0)
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field

from ..graph.schema import EDGE_KINDS, HUB_KINDS, split_id
from ..i18n import define, msg, window
from .common import QueryError

DEFAULT_MAX_HOPS = 6
MAX_TERMINALS = 30
#: Weight of a hop by edge kind: evidence about people cheap, context dear.
EDGE_WEIGHTS: dict[str, float] = {
    "IMPLICATES": 1.0, "CONCERNS": 1.0, "RELATED_TO": 1.0, "RAISED_FROM": 1.0,
    "HELD_POSITION": 2.0, "MEMBER_OF": 2.0,
    "FOUND_IN": 3.0, "CONCERNS_UNIT": 3.0, "ADDRESSES": 3.0, "SUBORDINATE_TO": 3.0,
    "INSPECTED": 4.0,
    "FOUND_BY": 5.0, "DURING": 5.0, "OWNED_BY": 5.0, "VERIFIED_BY": 5.0, "BASED_IN": 5.0,
    "LOCATED_IN": 5.0, "NATIVE_OF": 5.0, "IN_CATEGORY": 5.0, "SUBCATEGORY_OF": 5.0,
    "PART_OF": 5.0, "COMMISSIONED_BY": 5.0,
}
DEFAULT_WEIGHT = 5.0
assert set(EDGE_WEIGHTS) <= set(EDGE_KINDS)


def weights_help() -> str:
    """``1: IMPLICATES, CONCERNS …; 2: …`` from :data:`EDGE_WEIGHTS`."""
    groups: dict[float, list[str]] = {}
    for k in EDGE_KINDS:
        groups.setdefault(EDGE_WEIGHTS.get(k, DEFAULT_WEIGHT), []).append(k)
    return "; ".join(f"{w:g}: {', '.join(ks)}" for w, ks in sorted(groups.items()))


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
    weight: float = 0.0

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
        return {"length": self.length, "weight": self.weight, "nodes": self.nodes,
                "labels": self.labels, "edges": [s.as_dict() for s in self.steps],
                "text": self.text}


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


define({"paths.principal": ("{title} 一把手", "{title} (principal)")})


def _edge_detail(st: Step) -> str:
    bits = [st.kind]
    p = st.props
    if p.get("relation_kind"):
        bits.append(p["relation_kind"])
    if p.get("title"):
        bits.append(msg("paths.principal", title=p["title"]) if p.get("is_principal") else p["title"])
    if p.get("role"):
        bits.append(p["role"])
    if p.get("round_id"):
        bits.append(p["round_id"])
    if p.get("start") or p.get("end"):
        bits.append(window(p.get("start"), p.get("end")))
    return " ".join(str(b) for b in bits)


class _Walker:
    """Neighbours of a node through the store API (both directions, hubs
    blocked unless they are an end), with the lightest hop weight to each."""

    def __init__(self, store, through_hubs: bool, ends: set[str], shortest: bool = False):
        self.store = store
        self.through_hubs = through_hubs
        self.ends = ends
        self.shortest = shortest
        self._nbrs: dict[str, dict[str, float]] = {}

    def blocked(self, n: str) -> bool:
        return not self.through_hubs and n not in self.ends and split_id(n)[0] in HUB_KINDS

    def _edges(self, n: str):
        """(far end, edge kind) of every edge at ``n``, both directions."""
        g = getattr(self.store, "graph", None)
        if type(g).__name__ == "MultiDiGraph" and type(g).__module__.startswith("networkx"):
            # a plain in-memory graph: its adjacency dicts directly (the hot loop)
            for adj in (g._succ[n], g._pred[n]):
                for m, keyed in adj.items():
                    for d in keyed.values():
                        yield m, d["kind"]
            return
        fast = getattr(self.store, "edges_at", None)
        if fast is not None:  # a saved workspace: one indexed read per node
            yield from fast(n)
            return
        for _, m, d in self.store.out_edges(n):
            yield m, d["kind"]
        for m, _, d in self.store.in_edges(n):
            yield m, d["kind"]

    def key(self, nid: str) -> str:
        return nid

    def ids(self, keys: list[str]) -> list[str]:
        return keys

    def bounds(self, a: str, b: str, max_hops: int) -> dict[str, int] | None:
        return _hop_bounds(self, a, b, max_hops)

    def weights_to(self, b: str, hb: dict[str, int]) -> dict[str, float]:
        return _weights_to(self, b, hb)

    def nbrs(self, n: str) -> dict[str, float]:
        got = self._nbrs.get(n)
        if got is None:
            got = {}
            shortest, blocked = self.shortest, self.blocked
            for m, kind in self._edges(n):
                if m == n:
                    continue
                w = 1.0 if shortest else EDGE_WEIGHTS.get(kind, DEFAULT_WEIGHT)
                if w < got.get(m, 99.0) and not blocked(m):
                    got[m] = w
            self._nbrs[n] = got
        return got


def _hop_bounds(w: _Walker, a: str, b: str, max_hops: int) -> dict[str, int] | None:
    """Hop distance to ``b`` of every node that can lie on an ``a``–``b`` walk
    of at most ``max_hops`` edges (``dist(a, v) + dist(v, b) <= max_hops``),
    or None when ``a`` and ``b`` are farther apart than that.

    The A* below prunes a node whose hops so far plus its distance to ``b``
    exceed ``max_hops``: only the nodes of this "ellipse" ever pass, so their
    distances are all it needs (a node outside it fails the test whatever
    its distance).  A bidirectional breadth-first search finds them without
    reading the far end's whole ball: ``max_hops`` expansions in all, each of
    the smaller frontier (``ka`` from ``a``, ``kb`` from ``b``); the distances
    to ``b`` up to ``kb`` are then known, and a node at ``kb + j`` from ``b``
    is at most ``max_hops - kb - j`` from ``a``, so it is found by extending
    the layers from ``b`` through the nodes the ``a`` side already read.
    Nodes closer to ``b`` than ``kb`` keep their distance even outside the
    ellipse (harmless: the prune rejects them just the same).
    """
    if a == b:
        return {b: 0}
    da, db = {a: 0}, {b: 0}
    fa, fb = [a], [b]
    ka = kb = 0
    while ka + kb < max_hops and fa and fb:
        if len(fa) <= len(fb):
            dist, frontier, depth = da, fa, ka + 1
        else:
            dist, frontier, depth = db, fb, kb + 1
        nxt = []
        for u in frontier:
            for v in w.nbrs(u):
                if v not in dist:
                    dist[v] = depth
                    nxt.append(v)
        if dist is da:
            fa, ka = nxt, depth
        else:
            fb, kb = nxt, depth
    if da.keys().isdisjoint(db):  # ka + kb <= max_hops: any common node joins them
        return None
    hb = db
    if not fb:  # b's whole component is known
        return hb
    # Layer kb + 1 from b: nodes of the a side (their neighbours read) next to layer kb.
    reach = max_hops - kb - 1  # how far from a such a node can be
    layer = []
    for x, d in da.items():
        if d <= reach and x not in hb and any(hb.get(y) == kb for y in w.nbrs(x)):
            layer.append(x)
    for x in layer:
        hb[x] = kb + 1
    # Further layers: from the last one (a-side nodes, neighbours read).
    for j in range(kb + 2, max_hops):
        reach = max_hops - j
        nxt = []
        for y in layer:
            for x in w.nbrs(y):
                if x not in hb and da.get(x, max_hops + 1) <= reach:
                    hb[x] = j
                    nxt.append(x)
        layer = nxt
        if not layer:
            break
    return hb


class _RankWalker:
    """The same neighbours as :class:`_Walker`, from a saved workspace's
    compact adjacency (:mod:`xuncha.graph.hops`): nodes are ranks (ints
    ordered as their ids, so every tie breaks as it does over ids), a
    neighbour list is two array slices, and :meth:`bounds` is vectorised."""

    def __init__(self, index, through_hubs: bool, ends: set[str], shortest: bool = False):
        import numpy as np

        self.index = index
        self.shortest = shortest
        ranks = [index.rank(e) for e in ends]
        if through_hubs:
            self.blocked_mask = np.zeros(index.n, dtype=bool)
        else:
            self.blocked_mask = index.kind_mask(HUB_KINDS)
            self.blocked_mask[[r for r in ranks if r is not None]] = False
        self.wcode = [1.0 if shortest else min(EDGE_WEIGHTS.get(k, DEFAULT_WEIGHT) for k in kinds)
                      for kinds in index.masks]
        self._nbrs: dict[int, dict[int, float]] = {}
        self._keys = dict(zip(ends, ranks))

    def key(self, nid: str) -> int:
        got = self._keys.get(nid)
        if got is None:
            got = self._keys[nid] = self.index.rank(nid)
        return got

    def ids(self, keys: list[int]) -> list[str]:
        return self.index.ids(keys)

    def nbrs(self, n: int) -> dict[int, float]:
        got = self._nbrs.get(n)
        if got is None:
            x = self.index
            lo, hi = x.offsets[n], x.offsets[n + 1]
            ns, cs = x.nbrs[lo:hi], x.codes[lo:hi]
            bl = self.blocked_mask[ns]
            if bl.any():
                keep = ~bl
                ns, cs = ns[keep], cs[keep]
            got = self._nbrs[n] = dict(zip(ns.tolist(), map(self.wcode.__getitem__, cs.tolist())))
        return got

    def bounds(self, a: int, b: int, max_hops: int) -> dict[int, int] | None:
        """:func:`_hop_bounds` over the arrays (the same layers, the same
        distances), keeping only the nodes that can pass the A*'s prune."""
        import numpy as np

        if a == b:
            return {b: 0}
        x, blocked = self.index, self.blocked_mask
        big = np.int32(2 ** 30)
        da = np.full(x.n, big, dtype=np.int32)
        db = np.full(x.n, big, dtype=np.int32)
        da[a] = db[b] = 0
        fa, fb = np.array([a]), np.array([b])
        seen_a, seen_b = [fa], [fb]  # what each side found (no pass over all nodes)
        ka = kb = 0
        while ka + kb < max_hops and fa.size and fb.size:
            side_a = fa.size <= fb.size
            dist, frontier = (da, fa) if side_a else (db, fb)
            _, nb = x.gather(frontier)
            nb = np.unique(nb[(dist[nb] == big) & ~blocked[nb]])
            if side_a:
                ka += 1
                da[nb], fa = ka, nb
                seen_a.append(nb)
            else:
                kb += 1
                db[nb], fb = kb, nb
                seen_b.append(nb)
        ra = np.concatenate(seen_a)
        if not (db[ra] < big).any():
            return None
        if fb.size:  # extend the layers from b through the a side (see _hop_bounds)
            reach = max_hops - kb - 1
            cand = ra[(da[ra] <= reach) & (db[ra] == big)]
            src, nb = x.gather(cand)
            layer = np.unique(src[db[nb] == kb])
            db[layer] = kb + 1
            seen_b.append(layer)
            for j in range(kb + 2, max_hops):
                if not layer.size:
                    break
                _, nb = x.gather(layer)
                layer = np.unique(nb[(db[nb] == big) & (da[nb] <= max_hops - j)])
                db[layer] = j
                seen_b.append(layer)
        # a node farther from a than ka is at least ka + 1 from it
        rb = np.concatenate(seen_b)
        keep = rb[np.minimum(da[rb], ka + 1) + db[rb] <= max_hops]
        return dict(zip(keep.tolist(), db[keep].tolist()))

    def weights_to(self, b: int, hb: dict[int, int]) -> dict[int, float]:
        """:func:`_weights_to`, vectorised: the lightest weight to ``b``
        through ``hb``'s nodes, by relaxing every edge among them at once
        until nothing changes (as many rounds as the lightest paths' hops)."""
        import numpy as np

        x = self.index
        keys = np.fromiter(hb, dtype=np.int64, count=len(hb))
        keys.sort()
        src, pos = x.positions(keys)
        nb = x.nbrs[pos]
        j = np.minimum(np.searchsorted(keys, nb), keys.size - 1)
        ok = keys[j] == nb  # the neighbours inside hb (never a blocked one)
        u = np.searchsorted(keys, src[ok])  # local indices, grouped by u
        v = j[ok]
        wt = np.asarray(self.wcode)[x.codes[pos[ok]]]
        dist = np.full(keys.size, np.inf)
        dist[np.searchsorted(keys, b)] = 0.0
        if u.size:
            first = np.ones(u.size, dtype=bool)
            first[1:] = u[1:] != u[:-1]
            starts = np.flatnonzero(first)
            heads = u[starts]
            while True:
                best = np.minimum.reduceat(dist[v] + wt, starts)
                better = best < dist[heads]
                if not better.any():
                    break
                dist[heads[better]] = best[better]
        fin = np.isfinite(dist)
        return dict(zip(keys[fin].tolist(), dist[fin].tolist()))


def _walker(store, through_hubs: bool, ends: set[str], shortest: bool):
    """A walker over the saved compact adjacency when the store has one."""
    index = getattr(store, "hop_index", None)
    index = index() if index is not None else None
    if index is not None:
        return _RankWalker(index, through_hubs, ends, shortest)
    return _Walker(store, through_hubs, ends, shortest)


def _weights_to(w: _Walker, b: str, hb: dict[str, int]) -> dict[str, float]:
    """The weight of the lightest path to ``b`` of every node in ``hb``,
    through nodes of ``hb`` only (Dijkstra): the A*'s estimate.  Every path
    the A* can still complete runs through ``hb``'s nodes (the others fail
    its hop prune), so this never overestimates, and it is consistent (a
    node's estimate is at most a hop's weight more than its neighbour's).
    Any consistent estimate gives the A* the same answers, ties included
    (a node's label is final when it is popped, whatever the estimate);
    this one, much closer than the hop count, pops far fewer nodes."""
    dist = {b: 0.0}
    heap = [(0.0, b)]
    done = set()
    while heap:
        d, u = heapq.heappop(heap)
        if u in done:
            continue
        done.add(u)
        for v, wt in w.nbrs(u).items():
            if v in hb and v not in done:
                nd = d + wt
                if nd < dist.get(v, 1e300):
                    dist[v] = nd
                    heapq.heappush(heap, (nd, v))
    return dist


class _Near:
    """The neighbours of each node that can still lie on a path (those in
    ``hb``), as ``(hops to b, node, hop weight, estimate)``, fewest hops to
    ``b`` first; built once per node and shared by every A* of one search
    (Yen's spur searches pop the same nodes over and over)."""

    def __init__(self, w, hb: dict, hw: dict):
        self.w, self.hb, self.hw = w, hb, hw
        self._d: dict = {}

    def __call__(self, u) -> list[tuple]:
        got = self._d.get(u)
        if got is None:
            hb, hw = self.hb, self.hw
            got = [(hb[v], v, wt, hw.get(v, hb[v])) for v, wt in self.w.nbrs(u).items() if v in hb]
            got.sort(key=_first)
            self._d[u] = got
        return got


def _first(t):
    return t[0]


def _astar(near: _Near, a: str, b: str, max_hops: int,
           banned_nodes=frozenset(), banned_edges=frozenset(), bound: float = float("inf")
           ) -> tuple[float, list[str]] | None:
    """Lightest path a..b within ``max_hops`` edges and ``bound`` weight (A*
    estimating by ``near.hw``, :func:`_weights_to`; a node farther from
    ``b`` than the hops left, ``near.hb``, is pruned).  Ties by hops, then
    node ids."""
    if a == b:
        return (0.0, [a])
    hb = near.hb
    if hb.get(a, max_hops + 1) > max_hops:
        return None
    best: dict[str, tuple] = {a: (0.0, 0, "")}
    pred: dict[str, str | None] = {a: None}
    heap = [(near.hw.get(a, float(hb[a])), 0.0, 0, a)]
    done: set[str] = set()
    while heap:
        f, d, h, u = heapq.heappop(heap)
        if f > bound:
            break
        if u in done or best[u][:2] != (d, h):
            continue
        if u == b:
            path = [b]
            while pred[path[-1]] is not None:
                path.append(pred[path[-1]])
            path.reverse()
            return (d, path)
        done.add(u)
        h1 = h + 1
        for left, v, wt, est in near(u):
            if h1 + left > max_hops:
                break  # and so are the rest (fewest hops first)
            if v in banned_nodes or v in done:
                continue
            if banned_edges and ((u, v) in banned_edges or (v, u) in banned_edges):
                continue
            nd = d + wt
            f = nd + est
            if f > bound:
                continue
            old = best.get(v)
            if old is None or (nd, h1, u) < old:
                best[v] = (nd, h1, u)
                pred[v] = u
                heapq.heappush(heap, (f, nd, h1, v))
    return None


def _weight(w: _Walker, path: list[str]) -> float:
    return sum(w.nbrs(x)[y] for x, y in zip(path, path[1:]))


def _yen(w: _Walker, a: str, b: str, max_hops: int, k: int) -> list[tuple[float, list[str]]]:
    hb = w.bounds(a, b, max_hops)
    if hb is None:
        return []
    if a not in hb:  # a is one more than its nearest neighbour
        near = [hb[n] for n in w.nbrs(a) if n in hb]
        if not near:
            return []
        hb[a] = min(near) + 1
    near = _Near(w, hb, w.weights_to(b, hb))
    first = _astar(near, a, b, max_hops)
    if first is None:
        return []
    found = [first]
    cands: list[tuple[float, int, list[str]]] = []
    seen = {tuple(first[1])}
    while len(found) < k:
        prev = found[-1][1]
        for i in range(len(prev) - 1):
            spur, root = prev[i], prev[:i + 1]
            banned_edges = {(p[i], p[i + 1]) for _, p in found if p[:i + 1] == root and len(p) > i + 1}
            # a spur path heavier than the candidates still needed cannot be shown
            need = k - len(found)
            bound = float("inf")
            if len(cands) >= need:
                bound = heapq.nsmallest(need, cands)[-1][0] - _weight(w, root)
            got = _astar(near, spur, b, max_hops - i, frozenset(root[:-1]),
                         frozenset(banned_edges), bound)
            if got is None:
                continue
            path = root[:-1] + got[1]
            if tuple(path) in seen or len(path) - 1 > max_hops:
                continue
            seen.add(tuple(path))
            heapq.heappush(cands, (_weight(w, path), len(path), path))
        if not cands:
            break
        wt, _, path = heapq.heappop(cands)
        found.append((wt, path))
    return found


def _between(store, u: str, v: str):
    """``(source, target, attrs)`` of the edges joining ``u`` and ``v``."""
    fast = getattr(store, "edges_between", None)
    if fast is not None:  # a saved workspace: only those edges are read
        return fast(u, v)
    return [(s, t, d) for s, t in ((u, v), (v, u)) for _, tt, d in store.out_edges(s) if tt == t]


def _steps(store, nodes: list[str], shortest: bool = False) -> list[Step]:
    out = []
    for u, v in zip(nodes, nodes[1:]):
        cands = [Step(s, t, d["kind"], {x: y for x, y in d.items() if x != "kind"})
                 for s, t, d in _between(store, u, v)]
        cands.sort(key=lambda st: (0 if shortest else EDGE_WEIGHTS.get(st.kind, DEFAULT_WEIGHT),
                                   st.source != u, st.kind, str(sorted(st.props.items()))))
        out.append(cands[0])
    return out


def _make(store, nodes: list[str], weight: float = 0.0, shortest: bool = False) -> EvidencePath:
    return EvidencePath(nodes, [store.label(n) for n in nodes], _steps(store, nodes, shortest),
                        weight)


def paths(store, a: str, b: str, max_hops: int = DEFAULT_MAX_HOPS,
          through_hubs: bool = False, limit: int = 5, shortest: bool = False) -> list[EvidencePath]:
    """The ``limit`` lightest evidence paths between ``a`` and ``b`` (refs or
    ids), each with its weight; see the module docstring."""
    if max_hops < 1:
        raise QueryError("--max-hops must be at least 1")
    a, b = store.resolve(a), store.resolve(b)
    return _paths(store, _walker(store, through_hubs, {a, b}, shortest), a, b, max_hops, limit)


def _paths(store, w, a, b, max_hops, limit) -> list[EvidencePath]:
    from ..perf import gc_paused

    with gc_paused():  # tens of thousands of short-lived tuples, none cyclic
        found = _yen(w, w.key(a), w.key(b), max_hops, limit)
    return [_make(store, w.ids(p), wt, w.shortest) for wt, p in found]


def network(store, refs: list[str], max_hops: int = DEFAULT_MAX_HOPS,
            through_hubs: bool = False, shortest: bool = False) -> Network:
    """The network connecting every entity in ``refs``; see module doc."""
    terms = list(dict.fromkeys(store.resolve(r) for r in refs))
    if len(terms) < 2:
        raise QueryError("name at least two different entities to connect (至少两个实体)")
    if len(terms) > MAX_TERMINALS:
        raise QueryError(f"at most {MAX_TERMINALS} entities at once (最多 {MAX_TERMINALS} 个)")
    w = _walker(store, through_hubs, set(terms), shortest)
    pair_path: dict[tuple[str, str], tuple[float, list[str]]] = {}
    for i, a in enumerate(terms):
        for b in terms[i + 1:]:
            got = _paths(store, w, a, b, max_hops, 1)
            if got:
                pair_path[(a, b)] = (got[0].weight, got[0].nodes)
    # Kruskal over the terminals.
    parent = {t: t for t in terms}

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    kept: list[tuple[float, list[str]]] = []
    for (a, b), p in sorted(pair_path.items(), key=lambda kv: (kv[1][0], len(kv[1][1]), kv[0])):
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[ra] = rb
            kept.append(p)
    unreached = sorted((a, b) for i, a in enumerate(terms) for b in terms[i + 1:]
                       if find(a) != find(b))
    nodes: dict[str, None] = dict.fromkeys(terms)
    steps: dict[tuple, Step] = {}
    evid = []
    for wt, p in kept:
        ep = _make(store, p, wt, shortest)
        evid.append(ep)
        nodes.update(dict.fromkeys(p))
        for st in ep.steps:
            steps.setdefault((st.source, st.target, st.kind), st)
    order = sorted(nodes, key=lambda n: (n not in terms, n))
    return Network(terms, order, {n: store.label(n) for n in order},
                   [steps[k] for k in sorted(steps)], evid, unreached)
