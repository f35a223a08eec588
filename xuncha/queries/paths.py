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
  first, ties by hop count, then node ids.  The search keeps the lightest
  path to each node; when that one cannot reach the far end in the hops
  left, a heavier path with fewer hops through the same node is not tried.
  Any consistent estimate gives the A* the same answers, ties included (a
  node's path is final when it is popped); a close one pops fewer nodes.
  From a saved workspace the search runs over its compact adjacency
  (:mod:`xuncha.graph.hops`, nodes numbered in id order so ties break the
  same way).  Two ways to search, chosen by how far apart the ends are
  (a plain bidirectional breadth-first search says first; it also answers
  "none" at once when they are more than ``max_hops`` apart):

  * near ends (at most :data:`NEAR_HOPS` apart): the *region* of the paths
    no heavier than a ``limit`` (the lightest conceivable weight plus a
    detour of :data:`DETOUR_HOPS` heavy hops): every node ``v`` with
    ``dist(a, v) + dist(v, b) <= limit`` lies within two Dijkstra balls
    whose radii add up to ``limit``, so only those are read, each with its
    lightest weight to ``b`` through them (the estimate).  Hop distances
    to ``b`` are read lazily: a walk one hop longer than a neighbour's, the
    first layers from ``b``, or a small search from the node's side.  The
    ``k`` lightest paths all within ``limit`` are the answer; when fewer
    are found and some path was left out only for being heavier, the
    limit widens, then the ellipse below answers;
  * far ends: the *ellipse* of the nodes that can lie on a path within
    ``max_hops`` (``hops(a, v) + hops(v, b) <= max_hops``), thin when the
    ends are far apart; one vectorised bidirectional breadth-first search
    finds them with their hop distances, and the estimate is the lightest
    weight to ``b`` through them;
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

    @property
    def lightest(self) -> float:
        return 1.0 if self.shortest else min(min(EDGE_WEIGHTS.values()), DEFAULT_WEIGHT)

    @property
    def heaviest(self) -> float:
        return 1.0 if self.shortest else max(max(EDGE_WEIGHTS.values()), DEFAULT_WEIGHT)

    def balls(self, a: str, b: str) -> "_PyBalls":
        return _PyBalls(self, a, b)

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
            hubs = index.kind_mask(HUB_KINDS, copy=False)
            named = [r for r in ranks if r is not None and hubs[r]]
            if named:  # a hub named as an end may be passed into (a copy of the mask)
                hubs = hubs.copy()
                hubs[named] = False
            self.blocked_mask = hubs
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

    @property
    def lightest(self) -> float:
        return min(self.wcode, default=1.0)

    @property
    def heaviest(self) -> float:
        return max(self.wcode, default=1.0)

    def balls(self, a: int, b: int) -> "_ArrayBalls":
        return _ArrayBalls(self, a, b)

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

        keys = np.fromiter(hb, dtype=np.int64, count=len(hb))
        keys.sort()
        dist = _relax(np, self.index, keys, np.asarray(self.wcode), b, 0.0)
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
    return _dijkstra_within(w.nbrs, b, hb)


def _dijkstra_within(nbrs, b, within) -> dict:
    """The lightest weight to ``b`` of each node reached from it through the
    nodes of ``within`` only (``nbrs(u)`` -> ``{neighbour: weight}``)."""
    dist = {b: 0.0}
    heap = [(0.0, b)]
    done = set()
    while heap:
        d, u = heapq.heappop(heap)
        if u in done:
            continue
        done.add(u)
        for v, wt in nbrs(u).items():
            if v in within and v not in done:
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


def _astar_ellipse(near: _Near, a: str, b: str, max_hops: int,
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


def _closed(w, b, root: list, banned_edges: set) -> bool:
    """No spur path can end at ``b``: each of its edges leads to a node of
    the root (other than the spur) or is banned (found at once; a search
    would read every node within reach to learn it)."""
    spur = root[-1]
    for x in w.nbrs(b):
        if x == spur or x not in root:
            if (x, b) not in banned_edges and (b, x) not in banned_edges:
                return False
    return True


def _yen_ellipse(w, a, b, max_hops: int, k: int) -> list[tuple[float, list]]:
    """Yen's k lightest paths over the hop ellipse (see the module docstring)."""
    hb = w.bounds(a, b, max_hops)
    if hb is None:
        return []
    if a not in hb:  # a is one more than its nearest neighbour
        near = [hb[n] for n in w.nbrs(a) if n in hb]
        if not near:
            return []
        hb[a] = min(near) + 1
    near = _Near(w, hb, w.weights_to(b, hb))
    first = _astar_ellipse(near, a, b, max_hops)
    if first is None:
        return []

    def spur_search(spur, hops, root, banned, bound, root_weight):
        return _astar_ellipse(near, spur, b, hops, root, banned, bound)

    return _yen_from(w, b, first, max_hops, k, spur_search)


def _yen_from(w, b, first, max_hops: int, k: int, spur_search) -> list[tuple[float, list]]:
    """Yen's loop from the lightest path ``first`` (``(weight, nodes)``): the
    next ``k - 1`` paths, each the lightest candidate left, the candidates
    found by ``spur_search(spur, hops left, root nodes but the spur, banned
    edges, weight bound, root weight)`` -> ``(weight, nodes)`` or None."""
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
            rw = _weight(w, root)
            bound = _INF
            if len(cands) >= need:
                bound = heapq.nsmallest(need, cands)[-1][0] - rw
            if _closed(w, b, root, banned_edges):
                continue
            got = spur_search(spur, max_hops - i, frozenset(root[:-1]), frozenset(banned_edges),
                              bound, rw)
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


_INF = float("inf")


def _relax(np, x, keys, wts, at, start):
    """The lightest weight from each node of ``keys`` (sorted ranks) to the
    nodes ``at`` (which start at weight ``start``), over the edges among
    ``keys`` only, by relaxing every such edge at once until nothing changes
    (as many rounds as the lightest paths' hops); ``wts[code]`` weighs an
    edge of kind code ``code`` of hop index ``x``.  Unreached: inf."""
    src, pos = x.positions(keys)
    nb = x.nbrs[pos]
    j = np.minimum(np.searchsorted(keys, nb), keys.size - 1)
    ok = keys[j] == nb  # the neighbours inside keys (never a blocked one)
    u = np.searchsorted(keys, src[ok])  # local indices, grouped by u
    v = j[ok]
    wt = wts[x.codes[pos[ok]]]
    dist = np.full(keys.size, np.inf)
    dist[np.searchsorted(keys, at)] = start
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
    return dist


class _Hops:
    """Whether a node is within so many hops of ``b``, answered as lazily as
    possible, shared by every A* of one query:

    - ``hd``: the exact hop distance to ``b`` of the nodes within ``depth``
      hops of it (breadth-first layers from ``b``; the first ones come from
      the bidirectional search that checks the ends are close enough);
    - ``ub``/``low``: bounds learned on the way (a walk of ``ub[v]`` hops to
      ``b`` exists; none shorter than ``low[v]``);
    - for a node beyond the layers, a search from its side meets them.
    """

    def __init__(self, w, b):
        self.nbrs = w.nbrs
        self.b = b
        self.ub: dict = {b: 0}
        self.walks: dict = {}  # more such walks (the region's), looked up second
        self.low: dict = {}
        self.hd: dict = {b: 0}
        self._layer: list = [b]
        self.depth = 0

    def connect(self, a, max_hops: int, budget: int) -> int | None:
        """Hops between ``a`` and ``b`` when at most ``max_hops``, else None:
        a plain bidirectional breadth-first search (the smaller frontier
        first), whose layers from ``b`` become the first of ``hd``.  Once
        it has found more than ``budget`` nodes without an answer, it
        returns ``max_hops + 1`` (not known: wide neighbourhoods)."""
        if a == self.b:
            return 0
        nbrs, hd = self.nbrs, self.hd
        da, fa, ka = {a: 0}, [a], 0
        while fa and self._layer and ka + self.depth < max_hops:
            if len(da) + len(hd) > budget:
                return max_hops + 1
            best = None
            if len(fa) <= len(self._layer):
                ka += 1
                nxt = []
                for u in fa:
                    for v in nbrs(u):
                        if v not in da:
                            da[v] = ka
                            nxt.append(v)
                            x = hd.get(v)
                            if x is not None and (best is None or x + ka < best):
                                best = x + ka
                fa = nxt
            else:
                self._grow()
                for v in self._layer:
                    x = da.get(v)
                    if x is not None and (best is None or x + self.depth < best):
                        best = x + self.depth
            if best is not None:
                self.ub[a] = best
                return best
        return None

    def _grow(self) -> None:
        """One more breadth-first layer from ``b``."""
        hd, nbrs = self.hd, self.nbrs
        self.depth = k = self.depth + 1
        nxt = []
        for u in self._layer:
            for v in nbrs(u):
                if v not in hd:
                    hd[v] = k
                    nxt.append(v)
        self._layer = nxt

    def within(self, v, t: int, via=None) -> bool:
        """Is ``v`` at most ``t`` hops from ``b``?  ``via``: a neighbour
        of ``v`` asked before (one more hop than its walk is a walk)."""
        ub = self.ub
        x = ub.get(v)
        if x is not None and x <= t:
            return True
        if via is not None:
            y = ub[via] + 1
            if y <= t:
                ub[v] = y if x is None else min(x, y)
                return True
        y = self.walks.get(v)
        if y is not None and y <= t:
            ub[v] = y if x is None else min(x, y)
            return True
        if self.low.get(v, 0) > t:
            return False
        hd = self.hd
        while True:
            x = hd.get(v)
            if x is not None:
                ub[v] = x
                return x <= t
            if self.depth >= t or not self._layer:
                return False  # farther than depth, or out of b's reach
            if t - self.depth == 1 or len(self._layer) > 64:
                return self._probe(v, t)
            self._grow()

    def _probe(self, v, t: int) -> bool:
        """``within`` from ``v``'s side: a walk of at most ``t`` hops to ``b``
        meets layer ``depth`` within ``t - depth`` hops of ``v`` (``v`` is
        farther than ``depth``)."""
        hd, nbrs, depth = self.hd, self.nbrs, self.depth
        seen = {v}
        frontier = [v]
        best = _INF
        for j in range(1, t - depth + 1):
            nxt = []
            for u in frontier:
                for x in nbrs(u):
                    if x not in seen:
                        seen.add(x)
                        y = hd.get(x)
                        if y is not None:
                            if y + j < best:
                                best = y + j
                        else:
                            nxt.append(x)
            if best <= t:
                self.ub[v] = best  # exact: nearer meetings come in earlier rounds
                return True
            frontier = nxt
        self.low[v] = t + 1
        return False


class _Region(dict):
    """``{v: lightest weight from v to b}`` over the nodes of a region
    (:meth:`_PyBalls.region`), and each node's neighbours in it."""

    def __init__(self, nbrs, est):
        super().__init__(est)
        self._nbrs = nbrs
        self._near: dict = {}
        self.walks: dict = {}  # hops of a walk to b, where known

    def near(self, u) -> tuple[list, bool]:
        """``([(v, hop weight, estimate)] of u's neighbours in the region,
        whether u has others)``, read once per node."""
        got = self._near.get(u)
        if got is None:
            nb = self._nbrs(u)
            both = nb.keys() & self.keys()
            got = self._near[u] = ([(v, nb[v], self[v]) for v in both], len(both) < len(nb))
        return got

    def outside(self, u) -> list:
        """``[(v, hop weight)]`` of u's neighbours off the region."""
        return [(v, wt) for v, wt in self._nbrs(u).items() if v not in self]


class _PyBalls:
    """The lightest weights from ``a`` and from ``b`` (Dijkstra, one node at
    a time, each side as far as asked), and :meth:`region` from them."""

    def __init__(self, w, a, b):
        self.nbrs = w.nbrs
        self.a, self.b = a, b
        self.sides = [({}, [(0.0, a)]), ({}, [(0.0, b)])]

    def _reach(self, i) -> float:
        dist, heap = self.sides[i]
        while heap and heap[0][1] in dist:
            heapq.heappop(heap)
        return heap[0][0] if heap else _INF

    def grow(self, R: float) -> None:
        """Until every node not settled on either side is heavier than ``R``
        from one end to the other (``reach_a + reach_b > R``)."""
        nbrs = self.nbrs
        while True:
            ra, rb = self._reach(0), self._reach(1)
            if ra + rb > R:
                return
            A, B = self.sides
            dist, heap = A if rb == _INF or (ra < _INF and len(A[1]) <= len(B[1])) else B
            d, u = heapq.heappop(heap)
            dist[u] = d
            for v, wt in nbrs(u).items():
                if v not in dist:
                    heapq.heappush(heap, (d + wt, v))

    def region(self, R: float) -> "_Region":
        """The nodes of the two balls grown for ``R`` (every node of a path
        weighing at most ``R`` is in one of them: ``dist(a, v) + dist(v, b)
        <= R``), each with its lightest weight to ``b`` through them: exact
        for the nodes of such paths (a lightest path from one of them to
        ``b`` stays on such nodes), never less than the true weight for the
        others, which no search within ``R`` settles."""
        self.grow(R)
        span = self.sides[0][0].keys() | self.sides[1][0].keys()
        return _Region(self.nbrs, _dijkstra_within(self.nbrs, self.b, span))


class _ArrayBalls:
    """:class:`_PyBalls` over a saved workspace's hop arrays, vectorised:
    each step settles every node of a band of weights as wide as the
    lightest edge (none of them can get lighter through another)."""

    def __init__(self, walker, a, b):
        import numpy as np

        self.np = np
        self.x = x = walker.index
        self.blocked = walker.blocked_mask
        self.wts = np.asarray(walker.wcode, dtype=np.float64)
        self.band = float(self.wts.min()) if self.wts.size else 1.0
        self.a, self.b = a, b
        self.nbrs = walker.nbrs
        self.sides = []
        for src in (a, b):
            seen = np.zeros(x.n, dtype=bool)
            self.sides.append({"seen": seen, "nodes": [np.empty(0, dtype=np.int64)], "dists": [np.empty(0)],
                               "hops": [np.empty(0, dtype=np.int64)], "fn": np.array([src], dtype=np.int64),
                               "fd": np.zeros(1), "fh": np.zeros(1, dtype=np.int64)})

    def _reach(self, s) -> float:
        return float(s["fd"].min()) if s["fd"].size else _INF

    def _step(self, s) -> None:
        np, x = self.np, self.x
        fn, fd, fh, seen = s["fn"], s["fd"], s["fh"], s["seen"]
        sel = fd <= fd.min() + self.band
        sn, sd, sh = fn[sel], fd[sel], fh[sel]
        rest = ~sel
        fn, fd, fh = fn[rest], fd[rest], fh[rest]
        order = np.lexsort((sd, sn))
        sn, sd, sh = sn[order], sd[order], sh[order]
        first = np.ones(sn.size, dtype=bool)
        first[1:] = sn[1:] != sn[:-1]
        first &= ~seen[sn]
        sn, sd, sh = sn[first], sd[first], sh[first]
        seen[sn] = True
        s["nodes"].append(sn)
        s["dists"].append(sd)
        s["hops"].append(sh)  # of a lightest path: a walk to the end
        lo = x.offsets[sn]
        lens = x.offsets[sn + 1] - lo
        _, pos = x.positions(sn)
        nb = x.nbrs[pos]
        nd = np.repeat(sd, lens) + self.wts[x.codes[pos]]
        nh = np.repeat(sh + 1, lens)
        ok = ~(seen[nb] | self.blocked[nb])
        fn = np.concatenate((fn, nb[ok]))
        fd = np.concatenate((fd, nd[ok]))
        fh = np.concatenate((fh, nh[ok]))
        live = ~seen[fn]
        s["fn"], s["fd"], s["fh"] = fn[live], fd[live], fh[live]

    def grow(self, R: float) -> None:
        A, B = self.sides
        while True:
            ra, rb = self._reach(A), self._reach(B)
            if ra + rb > R:
                return
            if rb == _INF or (ra < _INF and A["fn"].size <= B["fn"].size):
                self._step(A)
            else:
                self._step(B)

    def region(self, R: float) -> dict:
        np, x = self.np, self.x
        self.grow(R)
        A, B = self.sides
        an = np.concatenate(A["nodes"])
        bn, bd = np.concatenate(B["nodes"]), np.concatenate(B["dists"])
        keys = np.union1d(an, bn)
        dist = _relax(np, x, keys, self.wts, bn, bd)  # exact where settled from b
        fin = dist < _INF
        got = _Region(self.nbrs, zip(keys[fin].tolist(), dist[fin].tolist()))
        got.walks = dict(zip(bn.tolist(), np.concatenate(B["hops"]).tolist()))
        return got


class _Cut:
    """What a search within ``limit`` left out: the least weight of a path
    it did not follow only for being heavier (``least``; paths measured
    from ``a``, ``base`` being the weight of the root of a spur search)."""

    def __init__(self):
        self.least = _INF
        self.base = 0.0

    def note(self, weight: float) -> None:
        self.least = min(self.least, self.base + weight)


def _astar(H: _Hops, est: dict, a, max_hops: int, banned_nodes=frozenset(),
           banned_edges=frozenset(), bound: float = _INF, limit: float = _INF,
           cut: "_Cut | None" = None) -> tuple[float, list] | None:
    """Lightest path a..b within ``max_hops`` edges and ``bound`` weight,
    ties by hops, then node ids, over the nodes of ``est`` (the region of
    paths weighing at most ``limit``, :meth:`_PyBalls.region`), estimating
    by ``est`` (their lightest weight to ``b``).  ``cut`` learns of each path
    left out only for being heavier than ``limit``.

    Each node keeps the lightest path to it (fewest hops, then the lowest
    predecessor on a tie) among those that leave it close enough to ``b``
    for the hops left.  Whether a path does is known at once when the node
    is within ``H.depth`` hops of ``b`` (or farther than the hops left
    allow); else it is settled only if the node comes up, so several paths
    to one node may wait (none both lighter and shorter than another)."""
    b = H.b
    if a == b:
        return (0.0, [a])
    if not H.within(a, max_hops):
        return None
    hd = H.hd
    near = est.near
    push, pop = heapq.heappush, heapq.heappop
    labels: dict = {a: [(0.0, 0, None)]}
    pred: dict = {}
    heap = [(est[a], 0.0, 0, a)]
    done: set = set()
    top = min(bound, limit)
    lost = _INF  # the lightest path left out for being heavier than limit
    pending = []  # (neighbours off the region, weight and hops left there)
    while heap:
        f, d, h, u = pop(heap)
        if f > top:
            if f <= bound:
                lost = min(lost, f)
            break
        if u in done:
            continue
        for ld, lh, lp in labels[u]:
            if ld == d and lh == h:
                break
        if not H.within(u, max_hops - h, lp):
            continue  # this path leaves too few hops
        done.add(u)
        pred[u] = lp
        if u == b:
            path = [b]
            while pred[path[-1]] is not None:
                path.append(pred[path[-1]])
            path.reverse()
            return (d, path)
        h1 = h + 1
        t = max_hops - h1  # the hops a neighbour may be from b
        if t < 0:
            continue
        depth = H.depth
        inside, outside = near(u)
        for v, wt, e in inside:
            nd = d + wt
            nf = nd + e
            if nf > top:
                if nf < lost and nf <= bound and v not in done:
                    lost = nf
                continue
            if v in done or v in banned_nodes:
                continue
            x = hd.get(v)
            if x is None:
                if depth >= t:
                    continue
            elif x > t:
                continue
            if banned_edges and ((u, v) in banned_edges or (v, u) in banned_edges):
                continue
            old = labels.get(v)
            if old is None:
                labels[v] = [(nd, h1, u)]
            else:
                for i, (ld, lh, lp) in enumerate(old):
                    if ld <= nd and lh <= h1:
                        if ld == nd and lh == h1 and u < lp:
                            old[i] = (nd, h1, u)
                        break
                else:
                    old.append((nd, h1, u))
                    push(heap, (nf, nd, h1, v))
                continue
            push(heap, (nf, nd, h1, v))
        if outside:
            pending.append((u, d, t))
    # None within limit: did the search leave out a heavier path that may
    # be one (then a wider search may answer)?  A path through a node off
    # the region weighs more than limit; it counts if it can reach b.
    if lost < _INF:
        cut.note(lost)
    elif limit < bound:
        for u, d, t in pending:
            if any(d + wt <= bound and v not in banned_nodes and H.within(v, t)
                   for v, wt in est.outside(u)):
                cut.note(limit)
                break
    return None


def _weight(w, path: list) -> float:
    return sum(w.nbrs(x)[y] for x, y in zip(path, path[1:]))


#: The region search (:func:`_yen_region`) is for ends at most this many
#: hops apart; farther ones take the ellipse, thin then (see the module doc).
NEAR_HOPS = 4
#: Nodes the first breadth-first search may read before it hands over to
#: the vectorised ellipse (wide neighbourhoods, far ends).
NEAR_BUDGET = 500
#: The region search first looks at paths as heavy as the lightest
#: conceivable one plus ``DETOUR_HOPS[0]`` of the heaviest hops; while a
#: heavier path may still be among the answers, it widens by at least
#: ``DETOUR_HOPS[1]`` of them, up to ``DETOUR_HOPS[2]``, then hands over to
#: the ellipse.
DETOUR_HOPS = (1.5, 0.3, 4)


def _yen(w, a, b, max_hops: int, k: int) -> list[tuple[float, list]]:
    """The ``k`` lightest paths: by the region search when the ends are
    close, else (or when the region was too narrow) over the ellipse.
    Both give the same answers."""
    if a == b:
        return [(0.0, [a])]
    H = _Hops(w, b)
    hops = H.connect(a, max_hops, NEAR_BUDGET)
    if hops is None:
        return []
    if hops <= NEAR_HOPS:
        got = _yen_region(w, H, a, b, hops, max_hops, k)
        if got is not None:
            return got
    return _yen_ellipse(w, a, b, max_hops, k)


def _yen_region(w, H: _Hops, a, b, hops: int, max_hops: int, k: int) -> list[tuple[float, list]] | None:
    """Yen's ``k`` lightest paths among those weighing at most ``limit``:
    the hops between the ends at the lightest weight, plus two of the
    heaviest.  When fewer than ``k`` are that light and a heavier one
    may exist, None (the caller searches the ellipse)."""
    heaviest = max_hops * w.heaviest  # no path within the hop cap weighs more
    balls = w.balls(a, b)
    light = hops * w.lightest  # no path is lighter
    limit = light + DETOUR_HOPS[0] * w.heaviest
    while True:
        limit = min(heaviest, limit)
        cut = _Cut()
        est = balls.region(limit)
        H.walks = est.walks
        found = _yen_within(w, H, est, a, b, max_hops, k, limit, cut)
        if len(found) == k or cut.least == _INF or limit >= heaviest:
            return found
        if limit >= light + DETOUR_HOPS[2] * w.heaviest:
            return None
        limit = max(cut.least, limit + DETOUR_HOPS[1] * w.heaviest)


def _yen_within(w, H, est, a, b, max_hops, k, limit, cut) -> list[tuple[float, list]]:
    """Yen's k lightest paths, among those weighing at most ``limit``."""
    if a not in est:  # no path as light as limit
        cut.note(limit)
        return []
    first = _astar(H, est, a, max_hops, limit=limit, cut=cut)
    if first is None:
        return []

    def spur_search(spur, hops, root, banned, bound, root_weight):
        cut.base = root_weight
        return _astar(H, est, spur, hops, root, banned, bound, limit - root_weight, cut)

    return _yen_from(w, b, first, max_hops, k, spur_search)


def _between(store, u: str, v: str):
    """``(source, target, attrs)`` of the edges joining ``u`` and ``v``."""
    fast = getattr(store, "edges_between", None)
    if fast is not None:  # a saved workspace: only those edges are read
        return fast(u, v)
    return [(s, t, d) for s, t in ((u, v), (v, u)) for _, tt, d in store.out_edges(s) if tt == t]


def _steps(store, nodes: list[str], shortest: bool = False, read: dict | None = None) -> list[Step]:
    """The lightest edge of each hop (``read``: the edges of hops read
    before, shared by the paths of one answer)."""
    out = []
    read = {} if read is None else read
    for u, v in zip(nodes, nodes[1:]):
        got = read.get((u, v))
        if got is None:
            got = read[(u, v)] = _between(store, u, v)
        cands = [Step(s, t, d["kind"], {x: y for x, y in d.items() if x != "kind"})
                 for s, t, d in got]
        cands.sort(key=lambda st: (0 if shortest else EDGE_WEIGHTS.get(st.kind, DEFAULT_WEIGHT),
                                   st.source != u, st.kind, str(sorted(st.props.items()))))
        out.append(cands[0])
    return out


def _make(store, nodes: list[str], weight: float = 0.0, shortest: bool = False,
          read: dict | None = None) -> EvidencePath:
    return EvidencePath(nodes, [store.label(n) for n in nodes], _steps(store, nodes, shortest, read),
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
    keys = list(dict.fromkeys(x for _, p in found for x in p))
    ids = dict(zip(keys, w.ids(keys)))  # one read for every node of the answer
    prefetch = getattr(store, "prefetch", None)
    if prefetch is not None:  # their labels: one read too
        prefetch(list(ids.values()), edges=False)
    read: dict = {}
    answer = [[ids[x] for x in p] for _, p in found]
    many = getattr(store, "edges_between_many", None)
    if many is not None:  # the edges of every hop: one read too
        read.update(many([(u, v) for p in answer for u, v in zip(p, p[1:])]))
    return [_make(store, p, wt, w.shortest, read) for p, (wt, _) in zip(answer, found)]


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
