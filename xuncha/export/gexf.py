"""GEXF 1.2 for Gephi, written as a stream, dynamic where time exists.

Every node has its Chinese label (``label=``), a registry colour and shape
(``viz:color``, ``viz:shape``) and the typed attributes ``kind`` (the class
to partition and colour by in Gephi) and ``kind_zh``; then its properties,
typed ``string``, ``long``, ``double``, ``boolean`` or ``liststring`` (a JSON
array).  Dates are ISO strings.  Each property name is one column: a name
two kinds use with different types (a category's ``level`` 1/2, a region's
``level`` county) is declared ``string`` and :func:`read_gexf` restores each
kind's type from the registry.  Edges have unique ids (``e0``, ``e1``…;
Gephi requires them), ``kind``, their properties and ``edge_key`` (the
multigraph key; plain networkx keys edges by their GEXF id instead).

Time: the graph is ``mode="dynamic" timeformat="date"`` and every node or
edge whose kind has a lifetime in the registry
(:data:`xuncha.graph.schema.LIFETIMES`) carries ``start``/``end``: posts
(任职), inspections (巡察安排, their own dates or else the round's), team
memberships (the round's), findings (发现时间) and leads (移交时间); Gephi's
timeline then shows who held what when.  The rest hold always.  This is the
layout ``networkx.write_gexf`` writes for ``start``/``end`` attributes.

Invariant: :func:`read_gexf` (``networkx.read_gexf`` plus decoding the
``liststring`` JSON arrays, restoring per-kind types and dropping the
presentation and timeline attributes) returns a graph equal to the exported
selection.
"""

from __future__ import annotations

from .base import Exporter, node_style, scalar_text, xml_text

GEXF_TYPE = {"string": "string", "date": "string", "string[]": "liststring",
             "int": "long", "float": "double", "boolean": "boolean"}
VIZ_SHAPE = {"dot": "disc", "ellipse": "disc", "box": "square", "square": "square",
             "triangle": "triangle", "diamond": "diamond", "star": "disc", "hexagon": "disc"}
NODE_PRESENTATION = ("label", "viz", "kind_zh")
EDGE_PRESENTATION = ("id", "label", "edge_key")


def _rgb(colour: str) -> tuple[int, int, int]:
    c = colour.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


class GEXFExporter(Exporter):
    name = "gexf"
    extension = ".gexf"

    def start(self) -> None:
        w = self.out.write
        w('<?xml version="1.0" encoding="UTF-8"?>\n'
          '<gexf xmlns="http://www.gexf.net/1.2draft" '
          'xmlns:viz="http://www.gexf.net/1.2draft/viz" '
          'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
          'xsi:schemaLocation="http://www.gexf.net/1.2draft http://www.gexf.net/1.2draft/gexf.xsd" '
          'version="1.2">\n')
        sel = self.meta.get("selection") or "whole graph"
        red = self.meta.get("redaction") or "none"
        self.timeline = self.options.get("timeline")
        w(f'  <meta><creator>xuncha</creator><description>{xml_text(f"selection: {sel}; redaction: {red}")}'
          f'</description></meta>\n'
          '  <graph defaultedgetype="directed" mode="dynamic" timeformat="date">\n')
        # (domain, kind) -> {name: (attribute id, xuncha type of this kind's values)}
        self.ids: dict[tuple[str, str], dict[str, tuple[str, str]]] = {}
        for domain, table in (("node", self.columns.nodes), ("edge", self.columns.edges)):
            types, _ = self.columns.unified(domain)
            extra = ("kind_zh",) if domain == "node" else ("edge_key",)
            w(f'    <attributes class="{domain}" mode="static">\n')
            for name in [*types, *(e for e in extra if e not in types)]:
                w(f'      <attribute id="{xml_text(name)}" title="{xml_text(name)}" '
                  f'type="{GEXF_TYPE[types.get(name, "string")]}"/>\n')
            for kind, cols in table.items():
                m = self.ids.setdefault((domain, kind), {})
                for c in cols:
                    # a mixed-type column is text: write this kind's values as text too
                    m[c.key] = (c.key, c.type if types[c.key] == c.type else "string")
                for e in extra:
                    m[e] = (e, "string")
            w('    </attributes>\n')
        w('    <nodes>\n')
        self.n_edges = 0

    def _time(self, attrs: dict) -> str:
        if self.timeline is None:
            return ""
        start, end = self.timeline.interval(attrs)
        return (f' start="{start}"' if start else "") + (f' end="{end}"' if end else "")

    @staticmethod
    def _values(spec: dict[str, tuple[str, str]], attrs: dict) -> str:
        parts = []
        for k, v in attrs.items():
            if v is None or k not in spec:
                continue
            aid, t = spec[k]
            parts.append(f'<attvalue for="{xml_text(aid)}" value="{xml_text(scalar_text(v, t))}"/>')
        return "".join(parts)

    def write_node(self, nid: str, attrs: dict, label: str) -> None:
        kind = attrs.get("kind")
        colour, shape, zh = node_style(kind)
        spec = self.ids.get(("node", kind), {})
        r, g, b = _rgb(colour)
        vals = self._values(spec, attrs)
        if "kind_zh" in spec:
            vals += f'<attvalue for="{xml_text(spec["kind_zh"][0])}" value="{xml_text(zh)}"/>'
        self.out.write(
            f'      <node id="{xml_text(nid)}" label="{xml_text(label)}"{self._time(attrs)}>'
            f'<attvalues>{vals}</attvalues>'
            f'<viz:color r="{r}" g="{g}" b="{b}"/><viz:shape value="{VIZ_SHAPE.get(shape, "disc")}"/>'
            f'</node>\n')

    def write_edge(self, u: str, v: str, key: str, attrs: dict) -> None:
        if self.n_edges == 0:
            self.out.write('    </nodes>\n    <edges>\n')
        spec = self.ids.get(("edge", attrs.get("kind")), {})
        vals = self._values(spec, attrs)
        vals += f'<attvalue for="{xml_text(spec["edge_key"][0])}" value="{xml_text(str(key))}"/>'
        self.out.write(f'      <edge id="e{self.n_edges}" source="{xml_text(u)}" '
                       f'target="{xml_text(v)}"{self._time(attrs)}><attvalues>{vals}</attvalues>'
                       f'</edge>\n')
        self.n_edges += 1

    def end(self) -> None:
        if self.n_edges == 0:
            self.out.write('    </nodes>\n    <edges>\n')
        self.out.write('    </edges>\n  </graph>\n</gexf>\n')


def read_gexf(path):
    """Read a xuncha GEXF export back into the exported MultiDiGraph (edges keyed by ``edge_key``).

    >>> g = read_gexf("case.gexf")        # doctest: +SKIP
    """
    import json
    import xml.etree.ElementTree as ET

    import networkx as nx

    from .base import declared_columns
    from .graphml import decode_value

    ns = "{http://www.gexf.net/1.2draft}"
    declared: dict[tuple[str, str], str] = {}  # (class, title) -> gexf type
    # Which elements carry start/end as properties (not only as their timeline).
    own_time: dict[tuple[str, str], set[str]] = {}
    for event, el in ET.iterparse(str(path), events=("end",)):
        if el.tag == f"{ns}attributes":
            for a in el.findall(f"{ns}attribute"):
                declared[(el.get("class"), a.get("title"))] = a.get("type")
        elif el.tag in (f"{ns}node", f"{ns}edge"):
            domain = "node" if el.tag == f"{ns}node" else "edge"
            fors = {a.get("for") for a in el.iter(f"{ns}attvalue")} & {"start", "end"}
            if fors:
                own_time[(domain, el.get("id"))] = fors
            el.clear()
    types: dict[tuple[str, str], dict[str, str]] = {}

    def decode(domain: str, kind, name: str, value):
        if (domain, kind) not in types:
            types[(domain, kind)] = {c.key: c.type for c in declared_columns(domain, kind)}
        gexf_type = declared.get((domain, name))
        if gexf_type == "liststring":
            return json.loads(value)
        t = types[(domain, kind)].get(name)
        if gexf_type == "string" and t is not None and t != "string" and isinstance(value, str):
            return decode_value(value, t)  # a mixed-type column written as text
        return value

    def clean(domain: str, eid: str, d: dict, presentation) -> dict:
        keep = own_time.get((domain, eid), set())
        kind = d.get("kind")
        return {k: decode(domain, kind, k, v) for k, v in d.items()
                if k not in presentation and not (k in ("start", "end") and k not in keep)}

    g = nx.read_gexf(str(path))
    out = nx.MultiDiGraph()
    for n, d in g.nodes(data=True):
        out.add_node(n, **clean("node", n, d, NODE_PRESENTATION))
    edges = g.edges(keys=True, data=True) if g.is_multigraph() else \
        ((u, v, d.get("id"), d) for u, v, d in g.edges(data=True))
    for u, v, k, d in edges:
        out.add_edge(u, v, d.get("edge_key", k), **clean("edge", d.get("id", k), d, EDGE_PRESENTATION))
    return out
