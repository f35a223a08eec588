"""What changed between two graphs: nodes and edges added, removed, modified.

``xuncha load`` into an existing workspace reports this, so a corrected
ledger shows exactly what the correction did.  Only the public
:class:`~xuncha.graph.store.GraphStore` API is used (``counts``, ``nodes``,
``edges``), so it works whatever the workspace's storage format.

Identity: a node is its id (``kind:id``).  An edge is its endpoints and
kind; several edges of one kind between the same two nodes are matched by
their properties.  Provenance (``prov``) is not compared: a row that moved
down the ledger is the same fact, not a modified one.

The previous graph is reduced to a :class:`Fingerprint` (one hash per node
and per edge) before the new graph is built, so the two graphs are never
in memory together.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field



def _freeze(v):
    if v.__class__ is list:
        return tuple(_freeze(x) for x in v)
    if v.__class__ is dict:
        return tuple(sorted((k, _freeze(x)) for k, x in v.items()))
    return v


def attrs_hash(d: dict) -> int:
    """A hash of a node's or edge's attributes, ``prov`` left out (key order
    does not matter: a store may give the keys in another order)."""
    if "prov" in d:
        d = d.copy()
        del d["prov"]
    try:
        return hash(frozenset(d.items()))  # the common case, all in C
    except TypeError:  # a list value
        return hash(frozenset((k, _freeze(v)) for k, v in d.items()))


@dataclass
class Fingerprint:
    nodes: dict[str, int] = field(default_factory=dict)  # nid -> hash
    edges: Counter = field(default_factory=Counter)  # (u, v, kind, hash) -> count


def fingerprint(store) -> Fingerprint:
    """Hashes of every node and edge of ``store``."""
    from ..perf import gc_paused

    with gc_paused():  # hundreds of thousands of tuples: no collections meanwhile
        return _fingerprint(store)


def _fingerprint(store) -> Fingerprint:
    fp = Fingerprint()
    kinds, _ = store.counts()
    h = attrs_hash
    for kind in kinds:
        fp.nodes.update((nid, h(d)) for nid, d in store.nodes(kind))
    fp.edges.update((u, v, d.get("kind", ""), h(d)) for u, v, _, d in store.edges())
    return fp


@dataclass
class GraphDiff:
    """Per kind, the ids of what was added, removed or modified.

    Node ids are ``kind:id``; edge ids are ``"u -KIND-> v"``."""

    nodes: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # change -> kind -> ids
    edges: dict[str, dict[str, list[str]]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not any(ids for d in (self.nodes, self.edges) for per in d.values()
                       for ids in per.values())

    def counts(self) -> dict[str, dict[str, int]]:
        """``{"nodes": {"added": n, …}, "edges": {…}}``."""
        return {what: {change: sum(len(v) for v in per.values())
                       for change, per in table.items()}
                for what, table in (("nodes", self.nodes), ("edges", self.edges))}

    def as_dict(self, limit: int | None = None) -> dict:
        def cut(ids):
            return ids if limit is None else ids[:limit]
        return {
            "counts": self.counts(),
            "nodes": {c: {k: {"count": len(ids), "ids": cut(ids)} for k, ids in per.items()}
                      for c, per in self.nodes.items()},
            "edges": {c: {k: {"count": len(ids), "ids": cut(ids)} for k, ids in per.items()}
                      for c, per in self.edges.items()},
        }


CHANGES = ("added", "removed", "modified")


def diff(old: Fingerprint, new) -> GraphDiff:
    """What ``new`` (a store) adds to, removes from and modifies in ``old``."""
    from ..perf import gc_paused

    with gc_paused():
        return _diff(old, new)


def _diff(old: Fingerprint, new) -> GraphDiff:
    from .schema import split_id

    out = GraphDiff({c: {} for c in CHANGES}, {c: {} for c in CHANGES})
    cur = fingerprint(new)
    if cur.nodes != old.nodes:
        for nid, h in cur.nodes.items():
            was = old.nodes.get(nid)
            if was is None:
                out.nodes["added"].setdefault(split_id(nid)[0], []).append(nid)
            elif was != h:
                out.nodes["modified"].setdefault(split_id(nid)[0], []).append(nid)
        for nid in old.nodes.keys() - cur.nodes.keys():
            out.nodes["removed"].setdefault(split_id(nid)[0], []).append(nid)
    if cur.edges != old.edges:
        added, removed = cur.edges - old.edges, old.edges - cur.edges
        # One edge of a kind between two nodes on each side, changed: modified.
        a_by = Counter((u, v, k) for (u, v, k, _), n in added.items() for _ in range(n))
        r_by = Counter((u, v, k) for (u, v, k, _), n in removed.items() for _ in range(n))
        for key in a_by.keys() | r_by.keys():
            u, v, kind = key
            label = f"{u} -{kind}-> {v}"
            na, nr = a_by.get(key, 0), r_by.get(key, 0)
            if na == 1 and nr == 1:
                out.edges["modified"].setdefault(kind, []).append(label)
                continue
            out.edges["added"].setdefault(kind, []).extend([label] * na)
            out.edges["removed"].setdefault(kind, []).extend([label] * nr)
    for table in (out.nodes, out.edges):
        for change, per in table.items():
            for kind in [k for k, ids in per.items() if not ids]:
                del per[kind]
            for ids in per.values():
                ids.sort()
    return out
