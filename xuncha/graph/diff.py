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

IGNORED = frozenset({"prov"})


def _freeze(v):
    if isinstance(v, list):
        return tuple(_freeze(x) for x in v)
    if isinstance(v, dict):
        return tuple(sorted((k, _freeze(x)) for k, x in v.items()))
    return v


def attrs_hash(d: dict) -> int:
    """A hash of a node's or edge's attributes, ``prov`` left out."""
    return hash(tuple(sorted((k, _freeze(v)) for k, v in d.items() if k not in IGNORED)))


@dataclass
class Fingerprint:
    nodes: dict[str, tuple[str, int]] = field(default_factory=dict)  # nid -> (kind, hash)
    edges: dict[tuple[str, str, str], list[int]] = field(default_factory=dict)


def fingerprint(store) -> Fingerprint:
    """Hashes of every node and edge of ``store``."""
    fp = Fingerprint()
    kinds, _ = store.counts()
    for kind in kinds:
        for nid, d in store.nodes(kind):
            fp.nodes[nid] = (kind, attrs_hash(d))
    for u, v, _, d in store.edges():
        fp.edges.setdefault((u, v, d.get("kind", "")), []).append(attrs_hash(d))
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
    out = GraphDiff({c: {} for c in CHANGES}, {c: {} for c in CHANGES})
    seen: set[str] = set()
    kinds, _ = new.counts()
    for kind in kinds:
        for nid, d in new.nodes(kind):
            seen.add(nid)
            was = old.nodes.get(nid)
            if was is None:
                out.nodes["added"].setdefault(kind, []).append(nid)
            elif was[1] != attrs_hash(d):
                out.nodes["modified"].setdefault(kind, []).append(nid)
    for nid, (kind, _) in old.nodes.items():
        if nid not in seen:
            out.nodes["removed"].setdefault(kind, []).append(nid)
    new_edges: dict[tuple[str, str, str], list[int]] = {}
    for u, v, _, d in new.edges():
        new_edges.setdefault((u, v, d.get("kind", "")), []).append(attrs_hash(d))
    for key in new_edges.keys() | old.edges.keys():
        a, b = old.edges.get(key, []), new_edges.get(key, [])
        if a == b:
            continue
        u, v, kind = key
        label = f"{u} -{kind}-> {v}"
        if len(a) == 1 and len(b) == 1:
            out.edges["modified"].setdefault(kind, []).append(label)
            continue
        ca, cb = Counter(a), Counter(b)
        for _ in range(sum((cb - ca).values())):
            out.edges["added"].setdefault(kind, []).append(label)
        for _ in range(sum((ca - cb).values())):
            out.edges["removed"].setdefault(kind, []).append(label)
    for table in (out.nodes, out.edges):
        for per in table.values():
            for ids in per.values():
                ids.sort()
    return out
