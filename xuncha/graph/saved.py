"""Reading a saved workspace lazily: a store that touches only what is asked.

The workspace file (``graph.db``, SQLite, see :mod:`xuncha.graph.workspace`
for the layout) holds each node's attributes and its out-edges as one JSON
value per row, and the rows its in-edges come from, indexed by node id, by
kind and by name.  Each edge's attributes are stored once, with its source:
a node's in-edges are cut out of its sources' rows inside SQLite
(``json_extract``) and parsed by one JSON call.
:class:`WorkspaceStore` answers per-node questions (``node``, ``out_edges``,
``in_edges``, ``resolve``) with indexed look-ups, caching what it touched;
``nodes(kind)`` and ``edges(kind)`` read only the rows of the kinds asked
for; ``counts()`` and derived tables (:mod:`xuncha.graph.derived`) are
stored.

``store.graph`` is a :class:`LazyGraph`: a real networkx ``MultiDiGraph``
whose node, successor and predecessor dicts are :class:`LazyMap` objects
over the same rows.  ``g.nodes[n]``, ``n in g``, ``g.out_edges(n, data=True)``
fetch one row, ``g.in_edges(n)`` one row and the part of its sources'
rows naming it; anything that iterates the whole graph
(``g.edges()``, ``g._succ.items()``, exports) loads it once, in chunks
concatenated inside SQLite and parsed by one JSON call each (about the cost
of parsing the old one-document workspace); any mutation loads everything
first, so networkx's invariants hold.  Everything fetched is read-only
data (nothing in the file is ever executed).
"""

from __future__ import annotations

import difflib
import re
import sqlite3
from collections.abc import Mapping, MutableMapping
from typing import Callable, Iterator

import networkx as nx

from .schema import NODE_KINDS
from .store import GraphStore, NotFound

CHUNK = 50_000  # rows per concatenated chunk in a full load
# Ids SQLite's JSON path cannot name: a quote ends the label, and a key with a
# backslash or a control character is stored escaped (its raw text differs).
_NOT_A_PATH = re.compile(r'["\\\x00-\x1f]')
SEP = "\x1f"  # derived tables: outer and inner key of a nested value (see workspace.py)


def _loads(data):
    import orjson

    return orjson.loads(data)


class Damaged(Exception):
    """A row whose JSON does not have the shape the workspace promises."""


class LazyMap(MutableMapping):
    """A dict filled on demand: one key by ``fetch(key)``, all by ``fetch_all()``.

    ``complete`` once everything is loaded; from then on it is a plain dict
    behind a thin wrapper (``items()``, ``keys()``, ``values()`` and
    iteration are the dict's own).  Writes load everything first.
    """

    __slots__ = ("_d", "_fetch", "_fetch_all", "_has", "_count", "complete", "_keep")

    def __init__(self, fetch: Callable, fetch_all: Callable[[], dict], has: Callable,
                 count: Callable[[], int], keep: bool = True):
        self._d: dict = {}
        self._keep = keep
        self._fetch = fetch
        self._fetch_all = fetch_all
        self._has = has
        self._count = count
        self.complete = False

    def load(self) -> dict:
        if not self.complete:
            full = self._fetch_all()
            # Keep the objects already handed out (a cached attribute dict is
            # the same object before and after).
            if self._keep:
                for k, v in self._d.items():
                    if k in full:
                        full[k] = v
            self._d = full
            self.complete = True
        return self._d

    def __getitem__(self, key):
        try:
            return self._d[key]
        except KeyError:
            if self.complete:
                raise
        value = self._fetch(key)  # KeyError when absent
        self._d[key] = value
        return value

    def get(self, key, default=None):
        try:
            return self[key]
        except KeyError:
            return default

    def __contains__(self, key) -> bool:
        if key in self._d:
            return True
        if self.complete or key.__class__ is not str:
            return False
        return self._has(key)

    def __iter__(self):
        return iter(self.load())

    def __len__(self) -> int:
        return len(self._d) if self.complete else self._count()

    def keys(self):
        return self.load().keys()

    def values(self):
        return self.load().values()

    def items(self):
        return self.load().items()

    def __setitem__(self, key, value):
        self.load()[key] = value

    def __delitem__(self, key):
        del self.load()[key]

    def clear(self):
        self._d = {}
        self.complete = True

    def cached(self) -> int:
        return len(self._d)

    def __repr__(self) -> str:
        state = "complete" if self.complete else f"{len(self._d)} cached"
        return f"<LazyMap {state}>"


_MUTATORS = ("add_node", "add_nodes_from", "remove_node", "remove_nodes_from", "add_edge",
             "add_edges_from", "add_weighted_edges_from", "remove_edge", "remove_edges_from",
             "update", "clear", "clear_edges")


class LazyGraph(nx.MultiDiGraph):
    """A MultiDiGraph over a saved workspace; see the module docstring."""

    def __init__(self, source: "_Source"):
        super().__init__()
        self._src = source
        self._pristine = True
        self._node = LazyMap(source.node_attrs, source.all_nodes, source.has, source.node_count)
        self._succ = self._adj = LazyMap(self._succ_of, source.all_succ, source.has,
                                         source.node_count)
        self._pred = LazyMap(self._pred_of, self._all_pred, source.has, source.node_count,
                             keep=False)
        for view in ("nodes", "adj", "succ", "pred", "edges", "in_edges", "out_edges",
                     "degree", "in_degree", "out_degree"):
            self.__dict__.pop(view, None)

    def _pred_of(self, nid: str) -> dict:
        if self._succ.complete:  # share the loaded out-edges' key dicts
            return self._pred.load()[nid]
        if nid in self._succ._d:
            return self._src.pred(nid)
        succ, pred = self._src.both(nid)  # the out-edges come with the same row
        self._succ._d[nid] = succ
        return pred

    def _succ_of(self, nid: str) -> dict:
        # Only the out-edges: in-edges are read from their sources' rows.
        return self._src.succ(nid)

    def edges_at(self, nid: str) -> tuple[dict, dict]:
        """``(out-edges, in-edges)`` of ``nid`` (``{far end: {key: attrs}}``
        each), cached; one indexed read for both."""
        return self._succ[nid], self._pred[nid]

    def _all_pred(self) -> dict:
        """Predecessors from the successors, sharing each key dict (as
        ``add_edge`` does), in the order the successors list them."""
        from ..perf import gc_paused

        succ = self._succ.load()
        with gc_paused():
            pred = {n: {} for n in self._node.load()}
            for u, nbrs in succ.items():
                for v, keydict in nbrs.items():
                    pred[v][u] = keydict
        return pred

    def materialize(self) -> "LazyGraph":
        """Load the whole graph now (what any mutation does first)."""
        self._node.load()
        self._succ.load()
        self._pred.load()  # rebuilt from succ, sharing its key dicts
        return self

    @property
    def loaded(self) -> bool:
        return self._node.complete and self._succ.complete

    def number_of_edges(self, u=None, v=None):
        if u is None and self._pristine:
            return self._src.edge_total
        return super().number_of_edges(u, v)

    def size(self, weight=None):
        if weight is None and self._pristine:
            return self._src.edge_total
        return super().size(weight)

    def copy(self, as_view=False):
        if as_view:
            return super().copy(as_view)
        self.materialize()
        g = nx.MultiDiGraph()
        g.graph.update(self.graph)
        g.add_nodes_from((n, d.copy()) for n, d in self._node.items())
        g.add_edges_from((u, v, k, d.copy()) for u, nbrs in self._succ.items()
                         for v, kd in nbrs.items() for k, d in kd.items())
        return g

    def __reduce__(self):  # a plain MultiDiGraph when pickled (multiprocessing)
        return (_rebuild, (self.copy(),))


def _rebuild(g):
    return g


def _mutator(name):
    base = getattr(nx.MultiDiGraph, name)

    def method(self, *args, **kwargs):
        self.materialize()
        self._pristine = False
        return base(self, *args, **kwargs)

    method.__name__ = name
    method.__doc__ = base.__doc__
    return method


for _name in _MUTATORS:
    setattr(LazyGraph, _name, _mutator(_name))


class _Source:
    """The SQL behind a workspace: one read-only connection, prepared shapes."""

    def __init__(self, con: sqlite3.Connection, info: dict, where: str):
        self.con = con
        self.info = info
        self.where = where
        self.edge_total = int(info.get("edges", 0))
        self._n = int(info.get("nodes", 0))

    def damaged(self, why: str):
        from .workspace import WorkspaceError

        return WorkspaceError(f"{self.where}: damaged workspace (工作区已损坏): {why}; "
                              "load the ledgers again (重新导入)")

    def node_count(self) -> int:
        return self._n

    def q(self, sql: str, args=()):
        try:
            return self.con.execute(sql, args)
        except sqlite3.DatabaseError as exc:
            raise self.damaged(str(exc)) from None

    # -- one node ------------------------------------------------------------
    def has(self, nid: str) -> bool:
        return self.q("SELECT 1 FROM node WHERE id = ?", (nid,)).fetchone() is not None

    def node_attrs(self, nid: str) -> dict:
        row = self.q("SELECT attrs FROM node WHERE id = ?", (nid,)).fetchone()
        if row is None:
            raise KeyError(nid)
        return self._obj(row[0], nid)

    def both(self, nid: str) -> tuple[dict, dict]:
        row = self.q("SELECT a.succ, a.pred FROM node n JOIN adj a ON a.seq = n.seq WHERE n.id = ?",
                     (nid,)).fetchone()
        if row is None:
            if self.has(nid):
                return {}, {}
            raise KeyError(nid)
        return self._edges_obj(row[0], nid), self.in_edges(nid, row[1])

    def in_edges(self, nid: str, sources) -> dict:
        """``{source: {key: attrs}}``: the in-edges of ``nid``, given its
        ``adj.pred`` value (the seqs of their sources, ascending), each read
        from its source's out-edge row: only the part for ``nid`` is taken
        out, inside SQLite, and all of them parsed by one JSON call."""
        if sources is None:
            return {}
        if _NOT_A_PATH.search(nid):  # not expressible as a JSON path: parse whole rows
            out = {}
            for u, data in self.q("SELECT n.id, a.succ FROM json_each(?) j JOIN node n ON n.seq = j.value "
                                  "LEFT JOIN adj a ON a.seq = j.value ORDER BY j.key", (sources,)):
                keyed = self._edges_obj(data, u).get(nid)
                if keyed is None:
                    raise self.damaged(f"in-edge {u!r} -> {nid!r} missing from its source")
                out[u] = keyed
            if len(out) != self._count(sources, nid):
                raise self.damaged(f"in-edges of {nid!r} name missing nodes")
            return out
        kind, want, got, text = self.q(
            "SELECT json_type(?2), json_array_length(?2), count(m), "
            "CAST('{' || coalesce(group_concat(m, ','), '') || '}' AS BLOB) FROM "
            "(SELECT json_quote(n.id) || ':' || json_extract(a.succ, ?1) AS m FROM json_each(?2) j "
            "JOIN node n ON n.seq = j.value LEFT JOIN adj a ON a.seq = j.value ORDER BY j.key)",
            (f'$."{nid}"', sources)).fetchone()
        if kind != "array" or want != got:
            raise self.damaged(f"in-edges of {nid!r}: {want} sources listed, {got} found")
        return self._edges_obj(text, nid)

    def _count(self, sources, nid) -> int:
        try:
            got = _loads(sources)
        except (ValueError, TypeError):
            got = None
        if got.__class__ is not list:
            raise self.damaged(f"in-edges of {nid!r} are not a list of rows")
        return len(got)

    def _edges_obj(self, data, nid) -> dict:
        if data is None:
            return {}
        d = self._obj(data, nid)
        for keyed in d.values():
            if keyed.__class__ is not dict or any(a.__class__ is not dict for a in keyed.values()):
                raise self.damaged(f"edges of {nid!r} are not key/attribute objects")
        return d

    def succ(self, nid: str) -> dict:
        row = self.q("SELECT a.succ FROM node n JOIN adj a ON a.seq = n.seq WHERE n.id = ?",
                     (nid,)).fetchone()
        if row is None:
            if self.has(nid):
                return {}
            raise KeyError(nid)
        return self._edges_obj(row[0], nid)

    def pred(self, nid: str) -> dict:
        row = self.q("SELECT a.pred FROM node n JOIN adj a ON a.seq = n.seq WHERE n.id = ?",
                     (nid,)).fetchone()
        if row is None:
            if self.has(nid):
                return {}
            raise KeyError(nid)
        return self.in_edges(nid, row[0])

    def _obj(self, data, nid) -> dict:
        try:
            d = _loads(data)
        except ValueError as exc:
            raise self.damaged(f"row of {nid!r}: {exc}") from None
        if d.__class__ is not dict:
            raise self.damaged(f"row of {nid!r} is not an object")
        return d

    # -- whole graph -----------------------------------------------------------
    def _chunks(self, select: str) -> dict:
        """Concatenate ``select`` (JSON ``"id":value`` members) in seq order,
        a chunk of rows at a time, into one dict."""
        from ..perf import gc_paused

        out: dict = {}
        top = self.q("SELECT max(seq) FROM node").fetchone()[0] or 0
        with gc_paused():
            for lo in range(1, top + 1, CHUNK):
                (text,) = self.q(
                    f"SELECT CAST('{{' || coalesce(group_concat(m, ','), '') || '}}' AS BLOB) FROM "
                    f"(SELECT {select} AS m FROM node n LEFT JOIN adj a ON a.seq = n.seq "
                    f"WHERE n.seq BETWEEN ? AND ? ORDER BY n.seq)", (lo, lo + CHUNK - 1)).fetchone()
                out.update(self.parse_chunk(text))
        return out

    def parse_chunk(self, text: bytes) -> dict:
        """One JSON object of many rows, parsed with the collector off (a
        chunk allocates hundreds of thousands of containers, none cyclic)."""
        import gc

        was = gc.isenabled()
        gc.disable()
        try:
            return _loads(text)
        except ValueError as exc:
            raise self.damaged(str(exc)) from None
        finally:
            if was:
                gc.enable()

    def all_nodes(self) -> dict:
        nodes = self._chunks("json_quote(n.id) || ':' || n.attrs")
        for n, attrs in nodes.items():
            if attrs.__class__ is not dict:
                raise self.damaged(f"node {n!r} has no attribute object")
        if len(nodes) != self._n:
            raise self.damaged(f"{len(nodes)} nodes where the header says {self._n}")
        return nodes

    def all_succ(self) -> dict:
        from itertools import chain

        succ = self._chunks("json_quote(n.id) || ':' || coalesce(a.succ, '{}')")
        # Shape checks in C (set and map operations), as the old format's open.
        keys = succ.keys()
        values = dict.values
        for u, nbrs in succ.items():
            if nbrs.__class__ is not dict:
                raise self.damaged(f"edges from {u!r} are not an object")
            if not nbrs:
                continue
            if not keys >= nbrs.keys():
                missing = sorted(set(nbrs) - set(keys))[0]
                raise self.damaged(f"edge {u!r} -> {missing!r} to a missing node")
            try:
                kinds = set(map(type, chain.from_iterable(map(values, nbrs.values()))))
            except TypeError:
                raise self.damaged(f"edges from {u!r} have no key object") from None
            if kinds - {dict}:
                raise self.damaged(f"an edge from {u!r} has no attribute object")
        return succ


class SavedTable(Mapping):
    """A derived table read from the workspace one key at a time (cached).

    A value the save stored nested (a large dict) comes back as another
    :class:`SavedTable` over its inner keys.
    """

    def __init__(self, src: _Source, name: str, size: int, nested: dict | None = None,
                 prefix: str = ""):
        self._src = src
        self._name = name
        self._size = size
        self._nested = nested or {}
        self._prefix = prefix
        self._cache: dict = {}
        self._missing: set = set()

    def __getitem__(self, key):
        try:
            return self._cache[key]
        except KeyError:
            pass
        if key in self._missing or key.__class__ is not str:
            raise KeyError(key)
        size = self._nested.get(key)
        if size is not None:
            value = self._cache[key] = SavedTable(self._src, self._name, size,
                                                  prefix=f"{key}{SEP}")
            return value
        row = self._src.q("SELECT value FROM derived WHERE tbl = ? AND key = ?",
                          (self._name, self._prefix + key)).fetchone()
        if row is None:
            self._missing.add(key)
            raise KeyError(key)
        value = self._cache[key] = _loads(row[0])
        return value

    def get_many(self, keys) -> dict:
        """``{key: value}`` for the keys present, in one query per 500 keys."""
        want = [k for k in dict.fromkeys(keys)
                if k not in self._cache and k not in self._missing and k not in self._nested]
        p = self._prefix
        for i in range(0, len(want), 500):
            part = want[i:i + 500]
            marks = ",".join("?" * len(part))
            got = {k[len(p):]: _loads(v) for k, v in self._src.q(
                f"SELECT key, value FROM derived WHERE tbl = ? AND key IN ({marks})",
                (self._name, *(p + k for k in part)))}
            self._cache.update(got)
            self._missing.update(k for k in part if k not in got)
        return {k: self[k] for k in keys if k in self._cache or k in self._nested}

    def __contains__(self, key) -> bool:
        try:
            self[key]
        except KeyError:
            return False
        return True

    def _rows(self, cols: str):
        if self._prefix:
            return self._src.q(f"SELECT {cols} FROM derived WHERE tbl = ? AND key > ? AND key < ? "
                               "ORDER BY key", (self._name, self._prefix, self._prefix[:-1] + "\x20"))
        return self._src.q(f"SELECT {cols} FROM derived WHERE tbl = ? AND instr(key, char(31)) = 0 "
                           "ORDER BY key", (self._name,))

    def __iter__(self):
        n = len(self._prefix)
        keys = [k[n:] for (k,) in self._rows("key")]
        if self._nested:
            keys = sorted(keys + list(self._nested))
        return iter(keys)

    def items(self):
        if self._nested:
            return ((k, self[k]) for k in self)
        n = len(self._prefix)
        return ((k[n:], self._cache[k[n:]] if k[n:] in self._cache else _loads(v))
                for k, v in self._rows("key, value"))

    def __len__(self) -> int:
        return self._size


class _ByKind(Mapping):
    """``kind -> [node ids]`` in load order, one indexed query per kind asked."""

    def __init__(self, store: "WorkspaceStore"):
        self._store = store
        self._d: dict[str, list[str]] = {}

    def __getitem__(self, kind):
        got = self._d.get(kind)
        if got is None:
            g = self._store.graph
            if g._node.complete:
                got = [n for n, d in g._node.items() if d.get("kind") == kind]
            else:
                got = [n for (n,) in self._store._src.q(
                    "SELECT id FROM node WHERE kind = ? ORDER BY seq", (kind,))]
            if not got and kind not in self._store._node_counts:
                raise KeyError(kind)
            self._d[kind] = got
        return got

    def __iter__(self):
        return iter(self._store._node_counts)

    def __len__(self):
        return len(self._store._node_counts)


class WorkspaceStore(GraphStore):
    """A :class:`GraphStore` over a saved workspace (see the module docstring)."""

    def __init__(self, con: sqlite3.Connection, info: dict, meta: dict, where: str):
        self._src = _Source(con, info, where)
        self.graph = LazyGraph(self._src)
        self.meta = meta
        counts = info.get("counts") or {}
        self._node_counts: dict[str, int] = dict(map(tuple, counts.get("nodes") or ()))
        self._edge_counts: dict[str, int] = dict(map(tuple, counts.get("edges") or ()))
        self._edge_sources: dict[str, list[str] | None] = dict(
            map(tuple, info.get("edge_sources") or ()))
        self._derived_saved: dict[str, dict] = info.get("derived") or {}
        self.by_kind = _ByKind(self)

    @property
    def _whole(self) -> bool:
        """True once the graph is loaded (or changed): answer from it."""
        g = self.graph
        return g.loaded or not g._pristine

    def materialize(self) -> nx.MultiDiGraph:
        """The whole graph, loaded now."""
        return self.graph.materialize()

    # -- nodes -------------------------------------------------------------------
    def nodes(self, kind: str, fields: tuple[str, ...] | None = None) -> Iterator[tuple[str, dict]]:
        g = self.graph
        if g._node.complete:
            yield from super().nodes(kind)
            return
        if fields:
            # Only these attributes, extracted inside SQLite (absent ones and
            # None values left out): much smaller dicts for whole-kind scans.
            for f in fields:
                if not f.replace("_", "").isalnum():
                    raise ValueError(f"not an attribute name: {f!r}")
            value = ("json_patch('{}', json_object(" +
                     ", ".join(f"'{f}', attrs -> '$.{f}'" for f in fields) + "))")
        else:
            value = "attrs"
        # Chunks of rows concatenated in SQLite and parsed by one JSON call
        # each; attribute dicts already handed out are handed out again.
        cache = g._node._d
        src = self._src
        after = 0
        while True:
            top, text = src.q(
                "SELECT max(seq), CAST('{' || coalesce(group_concat(m, ','), '') || '}' AS BLOB) "
                f"FROM (SELECT seq, json_quote(id) || ':' || {value} AS m FROM node "
                "WHERE kind = ? AND seq > ? ORDER BY seq LIMIT ?)", (kind, after, CHUNK)).fetchone()
            if top is None:
                return
            after = top
            part = src.parse_chunk(text)
            for nid, attrs in part.items():
                got = cache.get(nid)
                if got is not None:
                    yield nid, got if not fields else {f: got[f] for f in fields if got.get(f) is not None}
                elif attrs.__class__ is dict:
                    yield nid, attrs
                else:
                    raise src.damaged(f"node {nid!r} has no attribute object")

    # -- edges -------------------------------------------------------------------
    def edges(self, kind: str | None = None) -> Iterator[tuple[str, str, str, dict]]:
        sources = self._edge_sources.get(kind) if kind is not None else None
        if self._whole:
            yield from super().edges(kind)
            return
        if kind is None or (sources is None and kind in self._edge_counts):
            # Every edge, streamed a chunk of nodes at a time (the graph is
            # not loaded: a diff of a whole workspace stays small).
            src = self._src
            top = src.q("SELECT max(seq) FROM node").fetchone()[0] or 0
            for lo in range(1, top + 1, CHUNK):
                (text,) = src.q(
                    "SELECT CAST('{' || coalesce(group_concat(m, ','), '') || '}' AS BLOB) FROM "
                    "(SELECT json_quote(n.id) || ':' || a.succ AS m FROM node n JOIN adj a "
                    "ON a.seq = n.seq WHERE n.seq BETWEEN ? AND ? AND a.succ IS NOT NULL "
                    "ORDER BY n.seq)", (lo, lo + CHUNK - 1)).fetchone()
                for u, nbrs in src.parse_chunk(text).items():
                    if nbrs.__class__ is not dict:
                        raise src.damaged(f"edges from {u!r} are not an object")
                    for v, keyed in nbrs.items():
                        if keyed.__class__ is not dict:
                            raise src.damaged(f"edges of {u!r} are not key/attribute objects")
                        for k, d in keyed.items():
                            if d.__class__ is not dict:
                                raise src.damaged(f"an edge from {u!r} has no attribute object")
                            if kind is None or d.get("kind") == kind:
                                yield u, v, k, d
            return
        if not sources:  # no edge of this kind in the workspace
            return
        marks = ",".join("?" * len(sources))
        src = self._src
        cached = self.graph._succ._d
        for nid, data in src.q(
                f"SELECT n.id, a.succ FROM node n JOIN adj a ON a.seq = n.seq "
                f"WHERE n.kind IN ({marks}) AND a.succ IS NOT NULL ORDER BY n.seq", sources):
            nbrs = cached.get(nid)
            if nbrs is None:
                nbrs = src._obj(data, nid)
            for v, keyed in nbrs.items():
                for k, d in keyed.items():
                    if d["kind"] == kind:
                        yield nid, v, k, d

    def preload(self) -> None:
        self.graph.materialize()

    def prefetch(self, nids, edges: bool = True) -> None:
        if self._whole:
            return
        g = self.graph
        node_d, succ_d, pred_d = g._node._d, g._succ._d, g._pred._d
        need = [n for n in dict.fromkeys(nids) if n.__class__ is str and (
            n not in node_d or (edges and (n not in succ_d or n not in pred_d)))]
        src = self._src
        for i in range(0, len(need), 500):
            part = need[i:i + 500]
            for nid, attrs, succ, pred in src.q(
                    "SELECT n.id, n.attrs, a.succ, a.pred FROM node n LEFT JOIN adj a ON "
                    f"a.seq = n.seq WHERE n.id IN ({','.join('?' * len(part))})", part):
                if nid not in node_d:
                    node_d[nid] = src._obj(attrs, nid)
                if edges:
                    if nid not in succ_d:
                        succ_d[nid] = src._edges_obj(succ, nid)
                    if nid not in pred_d and not g._pred.complete:
                        pred_d[nid] = src.in_edges(nid, pred)

    def edges_of(self, kinds) -> dict[str, list[tuple[str, str, dict]]]:
        want = set(kinds)
        sources: set[str] = set()
        for k in want:
            if k not in self._edge_counts:
                continue  # no such edge in the workspace
            got = self._edge_sources.get(k)
            if got is None:  # sources not recorded: read everything
                return super().edges_of(want)
            sources.update(got)
        if self._whole:
            return super().edges_of(want)
        found: dict[str, list] = {k: [] for k in want}
        if not sources:
            return found
        from ..perf import gc_paused

        src = self._src
        # One source kind at a time: the (kind, seq) index gives its rows in
        # seq order, so each chunk stops at its limit (several kinds at once
        # sorted every remaining row again for each chunk: quadratic).  Of
        # those rows, only the ones holding an edge of a wanted kind that
        # leaves from their kind (an issue's row is read for its IMPLICATES
        # edges, which most issues lack): the saved JSON is compact (orjson),
        # so such a row contains the bytes '"kind":"KIND"' (inside a string
        # value the quotes would be escaped); a row that merely contains them
        # is filtered below like any other.
        by_source: dict[str, list[str]] = {}
        for k in sorted(want):
            for source in self._edge_sources.get(k) or ():
                by_source.setdefault(source, []).append(k)
        # an edge kind leaving from several kinds: its edges in seq order, merged
        merged = {k for k in want if len(self._edge_sources.get(k) or ()) > 1}
        staged: dict[str, list] = {k: [] for k in merged}
        with gc_paused():
            for source, ks in sorted(by_source.items()):
                holds = " OR ".join(["instr(a.succ, ?) > 0"] * len(ks))
                needles = [f'"kind":"{k}"'.encode() for k in ks]
                after = 0
                while True:
                    # A chunk of rows concatenated in SQLite, parsed by one JSON call.
                    top, seqs, text = src.q(
                        "SELECT max(seq), group_concat(seq), "
                        "CAST('{' || coalesce(group_concat(m, ','), '') || '}' AS BLOB) "
                        "FROM (SELECT n.seq AS seq, json_quote(n.id) || ':' || a.succ AS m FROM node n "
                        "JOIN adj a ON a.seq = n.seq WHERE n.kind = ? AND n.seq > ? "
                        f"AND a.succ IS NOT NULL AND ({holds}) ORDER BY n.seq LIMIT ?)",
                        (source, after, *needles, CHUNK)).fetchone()
                    if top is None:
                        break
                    after = top
                    order = iter(seqs.split(",")) if merged else None
                    for u, nbrs in src.parse_chunk(text).items():
                        seq = int(next(order)) if merged else 0
                        if nbrs.__class__ is not dict:
                            raise src.damaged(f"edges from {u!r} are not an object")
                        for v, keyed in nbrs.items():
                            if keyed.__class__ is not dict:
                                raise src.damaged(f"edges of {u!r} are not key/attribute objects")
                            for d in keyed.values():
                                if d.__class__ is not dict:
                                    raise src.damaged(f"an edge from {u!r} has no attribute object")
                                k = d.get("kind")
                                if k in want:
                                    if k in merged:
                                        staged[k].append((seq, u, v, d))
                                    else:
                                        found[k].append((u, v, d))
        for k, lst in staged.items():
            lst.sort(key=lambda e: e[0])  # stable: one row's edges keep their order
            found[k] = [(u, v, d) for _, u, v, d in lst]
        return found

    def edges_at(self, nid: str) -> Iterator[tuple[str, str]]:
        """``(far end, edge kind)`` of every edge at ``nid``, out-edges then
        in-edges: one indexed read (what a path search asks of each node)."""
        succ, pred = self.graph.edges_at(nid)
        for adj in (succ, pred):
            for m, keyed in adj.items():
                for d in keyed.values():
                    yield m, d["kind"]

    # -- names ---------------------------------------------------------------------
    def _name_hits(self, ref: str) -> list[str]:
        if self._whole:
            return list(self._names.get(ref, ()))
        # The name table leaves out the raw id of a node whose id is
        # kind:raw; such a node is found by id (and its raw id checked).
        ids = [f"{k}:{ref}" for k in self._node_counts if k.__class__ is str]
        return [n for (_, n) in self._src.q(
            "SELECT m.seq, n.id FROM name m JOIN node n ON n.seq = m.seq WHERE m.name = ? UNION "
            f"SELECT seq, id FROM node WHERE id IN ({','.join('?' * len(ids)) or 'NULL'}) "
            "AND attrs ->> '$.id' = ? ORDER BY 1", (ref, *ids, ref))]

    def _suggest(self, ref: str, kinds: tuple[str, ...] | None) -> list[str]:
        if self._whole:
            return super()._suggest(ref, kinds)
        head = ref[:max(1, len(ref) // 2)]
        pools: list[str] = []

        def prefixed(sql: str, prefix: str) -> list[str]:
            return [x for (x,) in self._src.q(sql, (prefix, prefix + "\U0010ffff"))]

        ids = prefixed("SELECT id FROM node WHERE id >= ? AND id < ? LIMIT 5000", head)
        for k in (kinds or tuple(self._node_counts)):
            ids += prefixed("SELECT id FROM node WHERE id >= ? AND id < ? LIMIT 5000", f"{k}:{head}")
        if kinds:
            ids = [n for n in ids if n.partition(":")[0] in kinds]
        pools = difflib.get_close_matches(ref, ids, n=3, cutoff=0.6)
        names = prefixed("SELECT DISTINCT name FROM name WHERE name >= ? AND name < ? LIMIT 5000", head)
        # raw ids (the name table leaves out those of kind:raw ids)
        names = list(dict.fromkeys(names + [i.partition(":")[2] for i in ids if ":" in i]))
        pools += difflib.get_close_matches(ref, names, n=3, cutoff=0.6)
        return pools

    # -- summaries -------------------------------------------------------------------
    def counts(self) -> tuple[dict[str, int], dict[str, int]]:
        if not self.graph._pristine:
            return super().counts()
        return dict(self._node_counts), dict(self._edge_counts)

    # -- derived tables -----------------------------------------------------------------
    def derived(self, name: str) -> Mapping:
        from . import derived as _derived

        cache = self.__dict__.setdefault("_derived_cache", {})
        got = cache.get(name)
        if got is not None:
            return got
        _derived.import_providers()
        saved = self._derived_saved.get(name)
        if saved is not None and saved.get("version") == _derived.VERSIONS.get(name) and \
                self.graph._pristine:
            got = SavedTable(self._src, name, int(saved.get("size", 0)), saved.get("nested"))
        else:
            got = _derived.compute(self, name)
        cache[name] = got
        return got

    def edges_between(self, u: str, v: str) -> list[tuple[str, str, dict]]:
        """``(source, target, attrs)`` of the edges ``u -> v`` and ``v -> u``,
        reading only those: the two nodes' out-edge rows are searched inside
        SQLite (a unit's row can hold thousands of edges; a path shows one)."""
        out = []
        cached = self.graph._succ
        for s, t in ((u, v), (v, u)):
            nbrs = cached._d.get(s)
            if nbrs is not None or cached.complete or _NOT_A_PATH.search(t):
                keyed = cached[s].get(t) if s in cached else None
            else:
                row = self._src.q("SELECT json_extract(a.succ, ?) FROM node n JOIN adj a "
                                  "ON a.seq = n.seq WHERE n.id = ?", (f'$."{t}"', s)).fetchone()
                keyed = self._src._obj(row[0], s) if row and row[0] is not None else None
            for d in (keyed or {}).values():
                if d.__class__ is not dict:
                    raise self._src.damaged(f"edges of {s!r} are not key/attribute objects")
                out.append((s, t, d))
        return out

    def edges_between_many(self, pairs) -> dict[tuple[str, str], list[tuple[str, str, dict]]]:
        """:meth:`edges_between` of several pairs ``(u, v)``, the rows not
        cached read in one query (the steps of a path answer's every hop)."""
        out: dict = {}
        cached = self.graph._succ
        ask = []
        for u, v in dict.fromkeys(pairs):
            parts = out[(u, v)] = [None, None]  # u -> v, then v -> u
            for i, (s, t) in enumerate(((u, v), (v, u))):
                if cached._d.get(s) is not None or cached.complete or _NOT_A_PATH.search(t):
                    parts[i] = (s, t, cached[s].get(t) if s in cached else None)
                else:
                    ask.append((parts, i, s, t))
        for j in range(0, len(ask), 300):
            part = ask[j:j + 300]
            rows = self._src.q(
                "WITH t(i, s, p) AS (VALUES " + ",".join(["(?, ?, ?)"] * len(part)) + ") "
                "SELECT t.i, json_extract(a.succ, t.p) FROM t JOIN node n ON n.id = t.s "
                "JOIN adj a ON a.seq = n.seq",
                [x for k, (_, _, s, t) in enumerate(part) for x in (k, s, f'$."{t}"')]).fetchall()
            got = dict(rows)
            for k, (parts, i, s, t) in enumerate(part):
                data = got.get(k)
                parts[i] = (s, t, self._src._obj(data, s) if data is not None else None)
        result = {}
        for pair, parts in out.items():
            edges = result[pair] = []
            for s, t, keyed in parts:
                for d in (keyed or {}).values():
                    if d.__class__ is not dict:
                        raise self._src.damaged(f"edges of {s!r} are not key/attribute objects")
                    edges.append((s, t, d))
        return result

    def hop_index(self):
        """The saved compact adjacency for path searches
        (:class:`~xuncha.graph.hops.HopIndex`, read on first use), or None
        once the graph was changed in memory (it no longer describes it)."""
        if not self.graph._pristine:
            return None
        got = self.__dict__.get("_hops")
        if got is None:
            from .hops import HopIndex

            got = self._hops = HopIndex(self._src.q, self._src.damaged)
        return got

    def close(self) -> None:
        self._src.con.close()


__all__ = ["LazyGraph", "LazyMap", "NotFound", "SavedTable", "WorkspaceStore", "NODE_KINDS"]
