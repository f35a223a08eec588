r"""One self-contained web page showing a graph (a picture of a case).

The page inlines the vendored vis-network library (``xuncha/vendor``, licence
kept beside it) and the selected graph as JSON, so it opens offline and
fetches nothing.  Nodes are coloured and shaped by kind from the registry
with a legend that filters by kind; labels are Chinese; a search box finds
nodes by name or id; clicking a node fills a properties panel (Chinese field
names from the registry) with its dates, its collapsed context and its
neighbours.  The layout is ForceAtlas2 run to stability and then frozen,
node size by degree.

A case (``--case ID``: the evidence graph of ``related``) or an ego network
(``--around ID``) is drawn as an analyst would show it:

- the seed is marked (a star in its label, a thick gold ring, named in the
  side bar) and each related case is joined to it by a *reason edge*
  labelled with its signals (同一人员, 亲属关系…) and score;
- labels of the seed, people and cases are always drawn; others appear on
  zooming in;
- context (rectification actions, rounds, teams, categories) is not drawn
  but counted on each node (``ctx``), in the panel and the side bar;
- every dated node or edge (:mod:`.timeline`: posts, inspections,
  memberships, findings, leads) shows its dates in the panel, and a
  date-range filter hides what lies outside the range;
- a button saves the picture as a PNG.

Hostile strings are inert: the data travels as JSON in a
``<script type="application/json">`` element with ``<``, ``>``, ``&`` and the
line separators escaped as ``\uXXXX`` (so ``</script>`` or ``<!--`` in a
name cannot end or comment out the element), and the page only ever puts data
into the DOM as text (``textContent``), never as HTML.

The page exposes ``window.xunchaGraph`` (``nodes``, ``edges``, ``links``,
``seed``, ``rendered``, ``renderedNodes()``, ``renderedEdges()``,
``select(id)``, ``search(q)``, ``setDateRange(from, to)``, ``png()``) for
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


_SCRIPT_UNSAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                  "\u2028": "\\u2028", "\u2029": "\\u2029"}


def script_safe_json(obj) -> str:
    r"""JSON that stays valid JSON and cannot end or comment out a <script> element.

    >>> print(script_safe_json({"name": "</script><!--"}))
    {"name": "\u003c/script\u003e\u003c!--"}
    """
    text = json.dumps(obj, ensure_ascii=False)
    for ch, esc in _SCRIPT_UNSAFE.items():
        text = text.replace(ch, esc)
    return text


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

    collapses_context = True

    def start(self) -> None:
        self.nodes: list[dict] = []
        self.edges: list[dict] = []
        self.timeline = self.options.get("timeline")
        self.context = self.options.get("context") or {}
        self.seeds = set(self.options.get("seeds") or ())

    def _time(self, attrs: dict) -> list | None:
        if self.timeline is None:
            return None
        start, end = self.timeline.interval(attrs)
        return [start, end] if start or end else None

    def write_node(self, nid: str, attrs: dict, label: str) -> None:
        d = {"id": nid, "kind": attrs.get("kind"), "label": label,
             "props": {k: v for k, v in attrs.items() if k != "kind" and v is not None}}
        t = self._time(attrs)
        if t:
            d["t"] = t
        if nid in self.context:
            d["ctx"] = self.context[nid]
        if nid in self.seeds:
            d["seed"] = True
        self.nodes.append(d)

    def write_edge(self, u: str, v: str, key: str, attrs: dict) -> None:
        d = {"from": u, "to": v, "kind": attrs.get("kind"), "key": key,
             "props": {k: x for k, x in attrs.items() if k != "kind" and x is not None}}
        t = self._time(attrs)
        if t:
            d["t"] = t
        self.edges.append(d)

    def _links(self) -> list[dict]:
        case = self.options.get("case")
        if case is None:
            return []
        drawn = {n["id"] for n in self.nodes}
        redacted = bool(self.meta.get("redaction"))
        out = []
        for link in case.links:
            if link["from"] in drawn and link["to"] in drawn:
                d = {k: v for k, v in link.items() if k != "texts"}
                if not redacted:  # the sentences name people: only in an unredacted page
                    d["texts"] = link["texts"]
                out.append(d)
        return out

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
        case = self.options.get("case")
        title = self.options.get("title") or ("xuncha 案件关系图" if case else "xuncha 巡察关系图")
        data = {"nodes": self.nodes, "edges": self.edges, "kinds": kinds, "links": self._links(),
                "seed": case.seed if case else next(iter(sorted(self.seeds)), None),
                "context": self.options.get("context_totals") or {},
                "edgeKinds": {k: e.zh for k, e in EDGE_KINDS.items()}, "fields": fields,
                "edgeFields": {k: {c.key: c.zh for c in cols if c.zh}
                               for k, cols in self.columns.edges.items()},
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
                 "DATA": script_safe_json(data)}
        # One pass, so nothing inserted is scanned for markers again.
        self.out.write(re.sub(r"__(TITLE|DATA|VIS)__", lambda m: parts[m.group(1)], page))
