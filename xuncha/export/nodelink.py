"""networkx node-link JSON (the d3 layout), written as a stream.

The document is what ``networkx.node_link_data(G)`` returns for the selected
MultiDiGraph (``edges="edges"``, node identifier ``id``), one node or edge
per line::

    {"directed": true, "multigraph": true, "graph": {...},
     "nodes": [{"kind": "cadre", ..., "id": "cadre:C001"}, ...],
     "edges": [{"kind": "HELD_POSITION", ..., "source": "cadre:C001",
                "target": "unit:U001", "key": "HELD_POSITION"}, ...]}

Values keep their JSON types (numbers, booleans, lists).  As with networkx
itself, a node's ``id`` is its graph id, so the record's own ``id`` property
(the part after ``kind:``) is implied; :func:`read_json` restores it.

Invariant: ``networkx.node_link_graph(json.load(f), edges="edges")`` gives
the exported graph except that record-``id`` property.
"""

from __future__ import annotations

from .base import Exporter


def _dumps():
    try:
        import orjson

        return lambda obj: orjson.dumps(obj).decode("utf-8")
    except ImportError:  # pragma: no cover - orjson is a dependency
        import json

        return lambda obj: json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


class NodeLinkExporter(Exporter):
    name = "json"
    extension = ".json"

    def start(self) -> None:
        self.dumps = _dumps()
        graph = {"name": "xuncha", **{k: v for k, v in self.meta.items() if v}}
        self.out.write('{"directed":true,"multigraph":true,"graph":'
                       f'{self.dumps(graph)},\n"nodes":[')
        self.first = True
        self.in_edges = False

    def write_node(self, nid: str, attrs: dict, label: str) -> None:
        sep = "\n" if self.first else ",\n"
        self.first = False
        self.out.write(sep + self.dumps({**attrs, "id": nid}))

    def write_edge(self, u: str, v: str, key: str, attrs: dict) -> None:
        if not self.in_edges:
            self.out.write('\n],\n"edges":[')
            self.in_edges = True
            self.first = True
        sep = "\n" if self.first else ",\n"
        self.first = False
        self.out.write(sep + self.dumps({**attrs, "source": u, "target": v, "key": key}))

    def end(self) -> None:
        if not self.in_edges:
            self.out.write('\n],\n"edges":[')
        self.out.write("\n]}\n")


def read_json(path):
    """Read a xuncha node-link export back into the exported MultiDiGraph.

    >>> g = read_json("case.json")        # doctest: +SKIP
    """
    import json

    import networkx as nx

    with open(path, encoding="utf-8") as fh:
        g = nx.node_link_graph(json.load(fh), edges="edges")
    for n, d in g.nodes(data=True):
        if "kind" in d and n.startswith(f"{d['kind']}:"):
            d["id"] = n.partition(":")[2]
    return g
