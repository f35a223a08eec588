"""One self-contained web page showing a graph (a picture of a case).

The page inlines the vendored vis-network library (``xuncha/vendor``, licence
kept beside it) and the selected graph as JSON, so it opens offline and
fetches nothing.  Nodes are coloured and shaped by kind from the registry
with a legend that filters by kind; labels are Chinese; a search box finds
nodes by name or id; clicking a node fills a properties panel (Chinese field
names from the registry) with its neighbours.  The layout is
ForceAtlas2 run to stability and then frozen, node size by degree, labels of
small nodes hidden when zoomed out: a 500-node ego network stays readable.

The page exposes ``window.xunchaGraph`` (``nodes``, ``edges``, ``rendered``,
``renderedNodes()``, ``renderedEdges()``, ``select(id)``, ``search(q)``) for
tests and scripts.  Over :attr:`HTMLExporter.max_nodes` nodes the export is
refused unless forced: a browser cannot lay out a province.
"""

from __future__ import annotations

import json
from importlib import resources

from ..graph.schema import EDGE_KINDS, NODE_KINDS
from .base import ExportError, Exporter

VIS_VERSION = "10.1.5"


def _asset(*parts: str) -> str:
    return resources.files("xuncha").joinpath(*parts).read_text(encoding="utf-8")


def _script_safe(text: str) -> str:
    """JSON made safe inside a <script> element."""
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


def _describe(selection) -> str:
    if not selection:
        return "整图 whole graph"
    parts = []
    for k, v in selection.items():
        parts.append(f"--{k.replace('_', '-')} {', '.join(v) if isinstance(v, list) else v}")
    return " ".join(parts)


class HTMLExporter(Exporter):
    name = "html"
    extension = ".html"
    max_nodes = 5000

    def start(self) -> None:
        self.nodes: list[dict] = []
        self.edges: list[dict] = []

    def write_node(self, nid: str, attrs: dict, label: str) -> None:
        self.nodes.append({"id": nid, "kind": attrs.get("kind"), "label": label,
                           "props": {k: v for k, v in attrs.items() if k != "kind" and v is not None}})

    def write_edge(self, u: str, v: str, key: str, attrs: dict) -> None:
        self.edges.append({"from": u, "to": v, "kind": attrs.get("kind"), "key": key,
                           "props": {k: x for k, x in attrs.items() if k != "kind" and x is not None}})

    def end(self) -> None:
        counts = self.columns.node_counts
        kinds = {k: {"zh": nk.zh, "colour": nk.colour, "shape": nk.shape, "count": counts.get(k, 0)}
                 for k, nk in NODE_KINDS.items()}
        for k, c in counts.items():
            kinds.setdefault(k, {"zh": k, "colour": "#888888", "shape": "dot", "count": c})
        fields = {k: {c.key: c.zh for c in cols if c.zh} for k, cols in self.columns.nodes.items()}
        from .. import taxonomy

        field_enums = {k: {c.key: c.field.arg for c in cols if c.field is not None
                           and c.field.base in ("enum", "enums") and c.field.arg in taxonomy.TAXONOMIES}
                       for k, cols in self.columns.nodes.items()}
        used = {t for m in field_enums.values() for t in m.values()}
        enums = {t: {code: names[0] for code, names in taxonomy.TAXONOMIES[t].items()} for t in used}
        title = self.options.get("title") or "xuncha 巡察关系图"
        data = {"nodes": self.nodes, "edges": self.edges, "kinds": kinds,
                "edgeKinds": {k: e.zh for k, e in EDGE_KINDS.items()}, "fields": fields,
                "fieldEnums": field_enums, "enums": enums,
                "meta": {"selection": _describe(self.meta.get("selection")),
                         "redaction": self.meta.get("redaction"), "title": title}}
        vis = _asset("vendor", "vis-network", "vis-network.min.js")
        if "</script" in vis.lower():
            raise ExportError("the vendored vis-network contains '</script': cannot inline it")
        page = _asset("export", "templates", "graph.html")
        import re
        from html import escape

        parts = {"TITLE": escape(title), "VIS": vis,
                 "DATA": _script_safe(json.dumps(data, ensure_ascii=False))}
        # One pass, so nothing inserted is scanned for markers again.
        self.out.write(re.sub(r"__(TITLE|DATA|VIS)__", lambda m: parts[m.group(1)], page))
