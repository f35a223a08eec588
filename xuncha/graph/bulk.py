"""A store answering part of the graph from one bulk read.

A whole-dataset scan that asks per-node questions (``node``, ``out_edges``,
``in_edges``) about most nodes of a few kinds pays one indexed read per node
on a saved workspace (:mod:`xuncha.graph.saved`), or a load of the whole
graph.  :class:`BulkStore` reads instead, once: the nodes of the kinds asked
for, with only the attributes asked for (``store.nodes(kind, fields=…)``),
and every edge of the edge kinds asked for (``store.edges_of(kinds)``: only
the rows those edges leave from).  It then answers:

- ``node(nid)`` / ``has(nid)`` for a node of those kinds from what it read
  (a dict of the attributes asked for: read them with ``.get``);
- ``out_edges(nid, kind)`` / ``in_edges(nid, kind)`` for an edge kind it
  read, for any node (it holds every edge of that kind), in the order the
  store gives them (a node's out-edges in its adjacency order; a node's
  in-edges grouped by source in the order of the sources' rows, which for
  one source is the store's order);
- ``nodes(kind, fields)`` and ``edges_of(kinds)`` when it read them (so the
  query index can be built from the same read: :func:`xuncha.queries.common.index`);

and passes every other question to the store it wraps (``label``,
``graph``, other kinds, edges of any kind).  It is read-only and holds
nothing the store would not give.
"""

from __future__ import annotations

from typing import Iterator


class BulkStore:
    """``store`` with ``nodes`` (kind -> attributes read) and every edge of
    ``edges`` (edge kinds) read in bulk; see the module docstring.
    ``per_node``: the edge kinds ``out_edges``/``in_edges`` answer (default:
    all of ``edges``; the others are held for ``edges_of`` only)."""

    def __init__(self, store, nodes: dict[str, tuple[str, ...]], edges=(), per_node=None):
        from ..perf import gc_paused

        self.base = store
        self._fields = {k: frozenset(f) for k, f in nodes.items()}
        self._by_kind: dict[str, dict[str, dict]] = {}
        self._attrs: dict[str, dict] = {}
        self._found: dict[str, list] = {}
        self._out: dict[tuple[str, str], list] = {}
        self._in: dict[tuple[str, str], list] = {}
        with gc_paused():
            for kind, fields in nodes.items():
                got = self._by_kind[kind] = dict(store.nodes(kind, fields=tuple(fields)))
                self._attrs.update(got)
            if edges:
                self._found = store.edges_of(set(edges))
                out, into = self._out, self._in
                for k, lst in self._found.items():
                    if per_node is not None and k not in per_node:
                        continue  # held for edges_of only
                    for e in lst:
                        key = (e[0], k)
                        got = out.get(key)
                        if got is None:
                            out[key] = [e]
                        else:
                            got.append(e)
                        key = (e[1], k)
                        got = into.get(key)
                        if got is None:
                            into[key] = [e]
                        else:
                            got.append(e)
        self._edge_kinds = frozenset(self._found if per_node is None else set(per_node) & set(self._found))

    def keep(self, nodes, edges) -> None:
        """Forget every node kind but ``nodes`` and every edge kind but
        ``edges`` (what a first reader needed and the next one does not)."""
        nodes, edges = set(nodes), set(edges)
        for kind in [k for k in self._by_kind if k not in nodes]:
            for nid in self._by_kind.pop(kind):
                del self._attrs[nid]
            del self._fields[kind]
        for k in [k for k in self._found if k not in edges]:
            if k in self._edge_kinds:
                for u, v, _ in self._found[k]:
                    self._out.pop((u, k), None)
                    self._in.pop((v, k), None)
            del self._found[k]
        self._edge_kinds = self._edge_kinds & set(self._found)

    # -- nodes -------------------------------------------------------------------
    def nodes(self, kind: str, fields: tuple[str, ...] | None = None) -> Iterator[tuple[str, dict]]:
        held = self._fields.get(kind)
        if held is not None and fields and held.issuperset(fields):
            return iter(self._by_kind[kind].items())
        return self.base.nodes(kind, fields)

    def has(self, nid: str) -> bool:
        return nid in self._attrs or self.base.has(nid)

    def node(self, nid: str) -> dict:
        d = self._attrs.get(nid)
        return d if d is not None else self.base.node(nid)

    # -- edges -------------------------------------------------------------------
    def out_edges(self, nid: str, kind: str | None = None) -> Iterator[tuple[str, str, dict]]:
        if kind in self._edge_kinds:
            return iter(self._out.get((nid, kind), ()))
        return self.base.out_edges(nid, kind)

    def in_edges(self, nid: str, kind: str | None = None) -> Iterator[tuple[str, str, dict]]:
        if kind in self._edge_kinds:
            return iter(self._in.get((nid, kind), ()))
        return self.base.in_edges(nid, kind)

    def edges_of(self, kinds) -> dict[str, list[tuple[str, str, dict]]]:
        want = set(kinds)
        if want <= self._found.keys():
            return {k: list(self._found[k]) for k in want}
        return self.base.edges_of(want)

    def targets(self, nid: str, kind: str) -> list[str]:
        return [v for _, v, _ in self.out_edges(nid, kind)]

    def sources(self, nid: str, kind: str) -> list[str]:
        return [u for u, _, _ in self.in_edges(nid, kind)]

    def __getattr__(self, name):  # everything else: the store's own answer
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.base, name)
