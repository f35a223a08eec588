"""The evidence-path search as it was before the ellipse bound (issue 14),
kept verbatim as the oracle the new search must agree with exactly: its
heuristic is the hop distance to the far end of every node within
``max_hops - 1`` of it (a full breadth-first search from the far end)."""

from __future__ import annotations

import heapq

from xuncha.graph.schema import HUB_KINDS, split_id
from xuncha.queries.paths import DEFAULT_WEIGHT, EDGE_WEIGHTS


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


def _reachable(w: _Walker, a: str, b: str, max_hops: int) -> bool:
    """Unweighted bidirectional search: are ``a`` and ``b`` within ``max_hops``?"""
    if a == b:
        return True
    seen = ({a}, {b})
    frontier = ([a], [b])
    depth = 0
    while frontier[0] and frontier[1] and depth < max_hops:
        side = 0 if len(frontier[0]) <= len(frontier[1]) else 1
        nxt = []
        for u in frontier[side]:
            for v in w.nbrs(u):
                if v in seen[1 - side]:
                    return True
                if v not in seen[side]:
                    seen[side].add(v)
                    nxt.append(v)
        frontier = (nxt, frontier[1]) if side == 0 else (frontier[0], nxt)
        depth += 1
    return False


def _hops_to(w: _Walker, b: str, max_hops: int) -> dict[str, int]:
    """Hop distance to ``b`` of every node within ``max_hops`` of it (BFS)."""
    dist = {b: 0}
    frontier = [b]
    for depth in range(1, max_hops + 1):
        nxt = []
        for u in frontier:
            for v in w.nbrs(u):
                if v not in dist:
                    dist[v] = depth
                    nxt.append(v)
        frontier = nxt
    return dist


def _astar(w: _Walker, a: str, b: str, max_hops: int, hb: dict[str, int],
           banned_nodes=frozenset(), banned_edges=frozenset(), bound: float = float("inf")
           ) -> tuple[float, list[str]] | None:
    """Lightest path a..b within ``max_hops`` edges and ``bound`` weight (A*:
    every hop weighs at least 1, so the hop distance to ``b`` is an admissible
    estimate, and a node farther from ``b`` than the hops left is pruned).
    Ties by hops, then node ids."""
    if a == b:
        return (0.0, [a])
    if hb.get(a, max_hops + 1) > max_hops:
        return None
    best: dict[str, tuple] = {a: (0.0, 0, "")}
    pred: dict[str, str | None] = {a: None}
    heap = [(float(hb[a]), 0.0, 0, a)]
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
        for v, wt in w.nbrs(u).items():
            if v in banned_nodes or v in done:
                continue
            left = hb.get(v)
            if left is None or h + 1 + left > max_hops:
                continue
            if banned_edges and ((u, v) in banned_edges or (v, u) in banned_edges):
                continue
            nd = d + wt
            if nd + left > bound:
                continue
            old = best.get(v)
            if old is None or (nd, h + 1, u) < old:
                best[v] = (nd, h + 1, u)
                pred[v] = u
                heapq.heappush(heap, (nd + left, nd, h + 1, v))
    return None


def _weight(w: _Walker, path: list[str]) -> float:
    return sum(w.nbrs(x)[y] for x, y in zip(path, path[1:]))


def _yen(w: _Walker, a: str, b: str, max_hops: int, k: int) -> list[tuple[float, list[str]]]:
    # every node after ``a`` is at most max_hops - 1 from ``b``; ``a`` itself
    # one more than its nearest neighbour (the BFS's last layer is its largest)
    hb = _hops_to(w, b, max_hops - 1)
    if a not in hb:
        near = [hb[n] for n in w.nbrs(a) if n in hb]
        if not near:
            return []
        hb[a] = min(near) + 1
    first = _astar(w, a, b, max_hops, hb)
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
            got = _astar(w, spur, b, max_hops - i, hb, frozenset(root[:-1]),
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


def oracle_paths(store, a, b, max_hops=6, through_hubs=False, limit=5, shortest=False):
    """``[(weight, nodes)]`` as :func:`xuncha.queries.paths.paths` answered before."""
    a, b = store.resolve(a), store.resolve(b)
    w = _Walker(store, through_hubs, {a, b}, shortest)
    if not _reachable(w, a, b, max_hops):
        return []
    return _yen(w, a, b, max_hops, limit)
