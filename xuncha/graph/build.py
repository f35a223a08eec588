"""Build the inspection graph (a networkx MultiDiGraph) from validated records.

Which rows become which nodes and edges is read from the registry
(:mod:`xuncha.graph.schema`); this module names no ledger or kind except the
built-in category taxonomy, whose nodes it adds first.

Speed: a province has millions of edges, and ``MultiDiGraph.add_edge`` costs
several microseconds each (argument handling, key search, attribute copy).
:class:`GraphWriter` fills networkx's adjacency dicts directly instead, exactly
as ``add_edge`` would (one key dict shared by ``_succ[u][v]`` and
``_pred[v][u]``), which is 5–10× faster.  It is the only code that touches
networkx internals, and ``tests`` compare its graphs with ones built through
the public API.
"""

from __future__ import annotations

from typing import Callable, Iterable

import networkx as nx

from .. import taxonomy
from .schema import LEDGER_ORDER, LEDGERS


class GraphWriter:
    """Bulk node/edge insertion into a MultiDiGraph through its adjacency dicts.

    Invariants kept (those of ``MultiDiGraph.add_edge``): every endpoint is a
    node (created with ``{}`` attributes if missing); ``_succ[u][v] is
    _pred[v][u]``; keys are unique per (u, v): the edge kind, then
    ``KIND#2``, ``KIND#3``, … for repeats.
    """

    def __init__(self, g: nx.MultiDiGraph):
        self.g = g
        self._node = g._node
        self._succ = g._succ
        self._pred = g._pred

    def add_node(self, n: str, attrs: dict) -> None:
        if n in self._node:
            self._node[n].update(attrs)
            return
        self._node[n] = attrs
        self._succ[n] = {}
        self._pred[n] = {}

    def add_edge(self, u: str, v: str, key: str, attrs: dict) -> str:
        succ = self._succ
        if u not in succ:
            self.add_node(u, {})
        if v not in succ:
            self.add_node(v, {})
        keydict = succ[u].get(v)
        if keydict is None:
            keydict = {}
            succ[u][v] = keydict
            self._pred[v][u] = keydict
        if key in keydict:
            kind = attrs.get("kind", key.split("#", 1)[0])
            n = 2
            while f"{kind}#{n}" in keydict:
                n += 1
            key = f"{kind}#{n}"
        keydict[key] = attrs
        return key

    def close(self) -> nx.MultiDiGraph:
        cache = getattr(self.g, "__networkx_cache__", None)
        if cache:
            cache.clear()
        return self.g


def category_nodes() -> Iterable[tuple[str, dict]]:
    for code, names in taxonomy.CATEGORY.items():
        yield f"category:{code}", {"kind": "category", "id": code, "name": names[0], "level": 1}
    for code, names in taxonomy.SUBCATEGORY.items():
        yield f"category:{code}", {"kind": "category", "id": code, "name": names[0], "level": 2,
                                   "parent_id": taxonomy.SUBCATEGORY_PARENT[code]}


def add_edge(g: nx.MultiDiGraph, u: str, v: str, kind: str, attrs: dict) -> str:
    """Add one edge keyed by its kind (``KIND``, then ``KIND#2``, … for repeats)."""
    attrs["kind"] = kind
    return GraphWriter(g).add_edge(u, v, kind, attrs)


def build_graph(records: dict[str, list[dict]],
                progress: Callable[[str, int], None] | None = None,
                share_records: bool = False,
                provenance: dict[str, list] | None = None) -> nx.MultiDiGraph:
    """Nodes ``kind:id`` with attribute ``kind``; typed edges with attribute ``kind``.

    ``records`` maps ledger name to validated rows whose references are ids
    (see :func:`xuncha.loaders.load_dataset`).  Node attribute dicts are new
    dicts, unless ``share_records``: then each record dict becomes its node's
    attribute dict (gaining ``kind``), which saves a copy of every record when
    the caller drops the records afterwards (as ``xuncha load`` does).

    ``provenance`` (see :meth:`xuncha.loaders.dataset.Dataset.provenance`)
    maps ledger name to each record's source (a string, or a list of them),
    parallel to ``records``: every
    node and edge made from a record gets attribute ``prov``, a list of
    ``"dataset/file[:sheet]#row"`` strings (its own list: nothing shares it).
    The built-in category nodes and their SUBCATEGORY_OF edges come from no
    ledger and have no ``prov``.
    """
    from ..perf import gc_paused

    with gc_paused():
        return _build(records, progress, share_records, provenance or {})


def _build(records, progress, share_records=False, provenance=None) -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    w = GraphWriter(g)
    for nid, attrs in category_nodes():
        w.add_node(nid, attrs)
    for nid, attrs in category_nodes():
        if "parent_id" in attrs:
            w.add_edge(nid, f"category:{attrs['parent_id']}", "SUBCATEGORY_OF",
                       {"kind": "SUBCATEGORY_OF"})
    for name in LEDGER_ORDER:
        ledger = LEDGERS[name]
        if ledger.node:
            kind = ledger.node
            provs = provenance.get(name)
            for i, d in enumerate(records.get(name, ())):
                if share_records:
                    d["kind"] = kind
                    attrs = d
                else:
                    attrs = {"kind": kind, **d}
                if provs is not None:
                    p = provs[i]
                    attrs["prov"] = [p] if p.__class__ is str else list(p)
                w.add_node(f"{kind}:{d['id']}", attrs)
    for name in LEDGER_ORDER:
        ledger = LEDGERS[name]
        rows = records.get(name, ())
        if not rows:
            continue
        by_src: dict[str, list] = {}
        for em in ledger.edges:
            skind = ledger.node if em.src == "id" else ledger.field(em.src).arg
            dkind = ledger.node if em.dst == "id" else ledger.field(em.dst).arg
            prop_keys = [ledger.field(p).key for p in em.props]
            by_src.setdefault((em.src, skind), []).append(
                ((em.dst,), f"{dkind}:", em.kind, prop_keys))
        if ledger.node == "issue":
            # Issues link to their most specific category node.
            by_src.setdefault(("id", "issue"), []).append(
                (("subcategory", "category"), "category:", "IN_CATEGORY", []))
        for (src, skind), specs in by_src.items():
            _add_edges(w, rows, src, f"{skind}:", specs, provenance.get(name))
        if progress:
            progress(name, len(rows))
    return w.close()


def _add_edges(w: GraphWriter, rows, src: str, sprefix: str, specs: list,
               provs: list | None = None) -> None:
    """Edges from each row's ``sprefix + row[src]``, one pass over ``rows`` for
    every edge kind leaving the same field.  Each spec is ``(dst fields,
    dprefix, kind, prop keys)``: the target is the first dst field present
    (its value may be a list).  ``provs[i]`` is row i's provenance, copied
    into each of its edges as ``prov``.  ``GraphWriter.add_edge`` is inlined
    for the common cases (a new pair, or a new key): this is the hot loop of
    a load."""
    succ, pred = w._succ, w._pred
    slow = w.add_edge
    prov = None
    for i, d in enumerate(rows):
        s = d.get(src)
        if s is None:
            continue
        if provs is not None:
            prov = provs[i]
            if prov.__class__ is not str:
                many, prov = prov, None
        u = sprefix + s
        su = succ.get(u)
        if su is None:
            w.add_node(u, {})
            su = succ[u]
        for dsts, dprefix, kind, prop_keys in specs:
            t = d.get(dsts[0])
            if t is None:
                if len(dsts) == 1:
                    continue
                t = d.get(dsts[1])
                if t is None:
                    continue
            for tt in (t if t.__class__ is list else (t,)):
                if prop_keys:
                    props = {k: d[k] for k in prop_keys if k in d}
                    props["kind"] = kind
                    if prov is not None:
                        props["prov"] = [prov]
                    elif provs is not None:
                        props["prov"] = list(many)
                elif prov is not None:  # the common case, one dict display
                    props = {"kind": kind, "prov": [prov]}
                elif provs is not None:
                    props = {"kind": kind, "prov": list(many)}
                else:
                    props = {"kind": kind}
                v = dprefix + tt
                kd = su.get(v)
                if kd is None:
                    pv = pred.get(v)
                    if pv is None:
                        w.add_node(v, {})
                        pv = pred[v]
                    su[v] = pv[u] = {kind: props}
                elif kind not in kd:
                    kd[kind] = props
                else:
                    slow(u, v, kind, props)  # a repeat: numbered key
