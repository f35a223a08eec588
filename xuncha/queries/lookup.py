"""Look-ups: graph statistics and one node with its neighbours."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..graph.schema import EDGE_KINDS, NODE_KINDS
from ..graph.store import GraphStore


def stats(store: GraphStore) -> list[dict]:
    """Counts per node kind and edge kind, with their Chinese names.

    >>> stats(store)[0]   # doctest: +SKIP
    {'type': 'node', 'kind': 'region', 'zh': '行政区划', 'count': 16}
    """
    nodes, edges = store.counts()
    rows = [{"type": "node", "kind": k, "zh": NODE_KINDS[k].zh if k in NODE_KINDS else "",
             "count": nodes.get(k, 0)} for k in [*NODE_KINDS, *sorted(set(nodes) - set(NODE_KINDS))]]
    rows += [{"type": "edge", "kind": k, "zh": EDGE_KINDS[k].zh if k in EDGE_KINDS else "",
              "count": edges.get(k, 0)} for k in [*EDGE_KINDS, *sorted(set(edges) - set(EDGE_KINDS))]]
    return rows


@dataclass
class Neighbour:
    edge: str  # edge kind
    direction: str  # "out" (this -> other) or "in"
    id: str
    kind: str
    label: str
    props: dict = field(default_factory=dict)


@dataclass
class NodeView:
    id: str
    kind: str
    label: str
    properties: dict
    neighbours: dict[str, list[Neighbour]]  # "KIND>" / "<KIND" -> neighbours
    totals: dict[str, int] = field(default_factory=dict)  # group -> neighbours in all
    # Ledger rows the node came from: "dataset/file[:sheet]#row" (来源).
    prov: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "kind": self.kind,
            "label": self.label,
            "properties": self.properties,
            "prov": self.prov,
            "totals": self.totals,
            "neighbours": {
                k: [{"id": n.id, "kind": n.kind, "label": n.label, **({"props": n.props} if n.props else {})}
                    for n in v]
                for k, v in self.neighbours.items()
            },
        }


def describe(store: GraphStore, ref: str, limit: int | None = None) -> NodeView:
    """A node (by ``kind:id``, bare id or unique name) and its neighbours by edge kind.

    ``prov`` holds the ledger rows the node came from; each neighbour's
    ``props`` keep the edge's own ``prov``.

    Outgoing groups are keyed ``KIND>``, incoming ``<KIND``; each group keeps
    at most ``limit`` neighbours (in order of post start, then id), and
    ``totals`` says how many there are in all (a hub has thousands).
    """
    nid = store.resolve(ref)
    attrs = store.node(nid)
    groups: dict[str, list[Neighbour]] = {}
    for _, v, d in store.out_edges(nid):
        props = {k: x for k, x in d.items() if k != "kind"}
        groups.setdefault(f"{d['kind']}>", []).append(
            Neighbour(d["kind"], "out", v, store.kind(v), store.label(v), props))
    for u, _, d in store.in_edges(nid):
        props = {k: x for k, x in d.items() if k != "kind"}
        groups.setdefault(f"<{d['kind']}", []).append(
            Neighbour(d["kind"], "in", u, store.kind(u), store.label(u), props))
    totals = {}
    for g, v in groups.items():
        v.sort(key=lambda n: (str(n.props.get("start", "")), n.id))
        totals[g] = len(v)
        if limit is not None:
            del v[limit:]
    props = {k: x for k, x in attrs.items() if k not in ("kind", "prov")}
    return NodeView(nid, attrs["kind"], store.label(nid), props, dict(sorted(groups.items())),
                    dict(sorted(totals.items())), list(attrs.get("prov") or ()))
