"""GEXF 1.2 for Gephi, written as a stream.

Every node has its Chinese label (``label=``), a registry colour and shape
(``viz:color``, ``viz:shape``) and the typed attributes ``kind`` (the class
to partition and colour by in Gephi) and ``kind_zh``; then its properties,
typed ``string``, ``long``, ``double``, ``boolean`` or ``liststring`` (a JSON
array).  Dates are ISO strings.  A property name two kinds use with different
types is declared once per type (same title, two ids), so every value keeps
its own type.  Edges have unique ids (``e0``, ``e1``…; Gephi requires
them), ``kind``, their properties and ``edge_key`` (the multigraph key; plain
networkx keys edges by their GEXF id instead).

Invariant: :func:`read_gexf` (``networkx.read_gexf`` plus decoding the
``liststring`` JSON arrays and dropping the presentation attributes) returns
a graph equal to the exported selection.
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
        w(f'  <meta><creator>xuncha</creator><description>{xml_text(f"selection: {sel}; redaction: {red}")}'
          f'</description></meta>\n'
          '  <graph defaultedgetype="directed" mode="static">\n')
        # (domain, kind) -> {name: (attribute id, xuncha type)}
        self.ids: dict[tuple[str, str], dict[str, tuple[str, str]]] = {}
        for domain, table in (("node", self.columns.nodes), ("edge", self.columns.edges)):
            declared: dict[tuple[str, str], str] = {}
            w(f'    <attributes class="{domain}" mode="static">\n')
            extra = [("kind_zh", "string")] if domain == "node" else [("edge_key", "string")]
            for kind, cols in table.items():
                m = self.ids.setdefault((domain, kind), {})
                for name, t in [(c.key, c.type) for c in cols] + extra:
                    gt = GEXF_TYPE[t]
                    aid = declared.get((name, gt))
                    if aid is None:
                        aid = name if not any(n == name for n, _ in declared) else f"{name}:{gt}"
                        declared[(name, gt)] = aid
                        title = xml_text(name)
                        w(f'      <attribute id="{xml_text(aid)}" title="{title}" type="{gt}"/>\n')
                    m[name] = (aid, t)
            w('    </attributes>\n')
        w('    <nodes>\n')
        self.n_edges = 0

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
            f'      <node id="{xml_text(nid)}" label="{xml_text(label)}"><attvalues>{vals}</attvalues>'
            f'<viz:color r="{r}" g="{g}" b="{b}"/><viz:shape value="{VIZ_SHAPE.get(shape, "disc")}"/>'
            f'</node>\n')

    def write_edge(self, u: str, v: str, key: str, attrs: dict) -> None:
        if self.n_edges == 0:
            self.out.write('    </nodes>\n    <edges>\n')
        spec = self.ids.get(("edge", attrs.get("kind")), {})
        vals = self._values(spec, attrs)
        vals += f'<attvalue for="{xml_text(spec["edge_key"][0])}" value="{xml_text(str(key))}"/>'
        self.out.write(f'      <edge id="e{self.n_edges}" source="{xml_text(u)}" '
                       f'target="{xml_text(v)}"><attvalues>{vals}</attvalues></edge>\n')
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

    ns = "{http://www.gexf.net/1.2draft}"
    lists: set[tuple[str, str]] = set()
    for event, el in ET.iterparse(str(path), events=("start", "end")):
        if event == "start" and el.tag == f"{ns}nodes":
            break
        if event == "end" and el.tag == f"{ns}attributes":
            for a in el.findall(f"{ns}attribute"):
                if a.get("type") == "liststring":
                    lists.add((el.get("class"), a.get("title")))
    g = nx.read_gexf(str(path))
    out = nx.MultiDiGraph()
    for n, d in g.nodes(data=True):
        out.add_node(n, **{k: (json.loads(v) if ("node", k) in lists else v)
                           for k, v in d.items() if k not in NODE_PRESENTATION})
    edges = g.edges(keys=True, data=True) if g.is_multigraph() else \
        ((u, v, None, d) for u, v, d in g.edges(data=True))
    for u, v, k, d in edges:
        out.add_edge(u, v, d.get("edge_key", k),
                     **{a: (json.loads(x) if ("edge", a) in lists else x)
                        for a, x in d.items() if a not in EDGE_PRESENTATION})
    return out
