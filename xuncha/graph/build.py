"""Build the inspection graph (a networkx MultiDiGraph) from validated records.

Which rows become which nodes and edges is read from the registry
(:mod:`xuncha.graph.schema`); this module names no ledger or kind except the
built-in category taxonomy, whose nodes it adds first.
"""

from __future__ import annotations

from typing import Callable, Iterable

import networkx as nx

from .. import taxonomy
from .schema import LEDGER_ORDER, LEDGERS


def category_nodes() -> Iterable[tuple[str, dict]]:
    for code, names in taxonomy.CATEGORY.items():
        yield f"category:{code}", {"kind": "category", "id": code, "name": names[0], "level": 1}
    for code, names in taxonomy.SUBCATEGORY.items():
        yield f"category:{code}", {"kind": "category", "id": code, "name": names[0], "level": 2,
                                   "parent_id": taxonomy.SUBCATEGORY_PARENT[code]}


def add_edge(g: nx.MultiDiGraph, u: str, v: str, kind: str, attrs: dict) -> None:
    """Add an edge keyed by its kind (``KIND``, then ``KIND#2``, … for repeats)."""
    key = kind
    if g.has_edge(u, v, key):
        n = 2
        while g.has_edge(u, v, f"{kind}#{n}"):
            n += 1
        key = f"{kind}#{n}"
    attrs["kind"] = kind
    g.add_edge(u, v, key, **attrs)


def build_graph(records: dict[str, list[dict]],
                progress: Callable[[str, int], None] | None = None) -> nx.MultiDiGraph:
    """Nodes ``kind:id`` with attribute ``kind``; typed edges with attribute ``kind``.

    ``records`` maps ledger name to validated rows whose references are ids
    (see :func:`xuncha.loaders.load_dataset`).
    """
    g = nx.MultiDiGraph()
    g.add_nodes_from(category_nodes())
    for nid, attrs in list(g.nodes(data=True)):
        if "parent_id" in attrs:
            add_edge(g, nid, f"category:{attrs['parent_id']}", "SUBCATEGORY_OF", {})
    for name in LEDGER_ORDER:
        ledger = LEDGERS[name]
        if ledger.node:
            kind = ledger.node
            g.add_nodes_from((f"{kind}:{d['id']}", {"kind": kind, **d})
                             for d in records.get(name, ()))
    for name in LEDGER_ORDER:
        ledger = LEDGERS[name]
        rows = records.get(name, ())
        if not rows:
            continue
        for em in ledger.edges:
            sf = ledger.field(em.src)
            df = ledger.field(em.dst)
            skind = ledger.node if em.src == "id" else sf.arg
            dkind = ledger.node if em.dst == "id" else df.arg
            prop_keys = [ledger.field(p).key for p in em.props]
            for d in rows:
                s, t = d.get(em.src), d.get(em.dst)
                if s is None or t is None:
                    continue
                props = {k: d[k] for k in prop_keys if k in d}
                for tt in (t if isinstance(t, list) else (t,)):
                    add_edge(g, f"{skind}:{s}", f"{dkind}:{tt}", em.kind, dict(props))
        if progress:
            progress(name, len(rows))
    # Issues link to their most specific category node.
    for d in records.get("issues", ()):
        cat = d.get("subcategory") or d.get("category")
        if cat:
            add_edge(g, f"issue:{d['id']}", f"category:{cat}", "IN_CATEGORY", {})
    return g
