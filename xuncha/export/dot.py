"""Graphviz DOT for small subgraphs (a case, an ego network).

Nodes are drawn with their Chinese label, their kind's registry colour and a
matching Graphviz shape; edges are labelled with their kind's Chinese name.
Properties go into ``tooltip`` (shown by SVG viewers).  Like the html page,
a case (``--case``) or an ego network (``--around``) draws context (actions,
rounds, teams, categories) as counts in the labels, marks the seed (double
border, ★) and joins a case's seed to each related case by a dashed reason
edge labelled with its signals.

Over :attr:`DotExporter.max_nodes` (60) nodes the export is refused, with a
message saying how to narrow the selection (``--case ID``, ``--around ID
--hops 1``, ``--kinds``), unless forced: beyond that a Graphviz drawing is
unreadable (the issue's 195-node ego network rendered 1650×32767 px).

Render with ``dot -Tsvg case.dot -o case.svg`` (``sfdp`` for larger ones).
"""

from __future__ import annotations

from ..graph.schema import EDGE_KINDS, NODE_KINDS
from .base import Exporter, node_style

DOT_SHAPE = {"dot": "ellipse", "ellipse": "ellipse", "box": "box", "square": "square",
             "triangle": "triangle", "diamond": "diamond", "star": "star", "hexagon": "hexagon"}


def quote(s) -> str:
    s = str(s).replace("\\", "\\\\").replace('"', '\\"').replace("\r", "")
    return '"' + s.replace("\n", "\\n") + '"'


def _tooltip(attrs: dict) -> str:
    parts = []
    for k, v in attrs.items():
        if v is None or k == "kind":
            continue
        if isinstance(v, (list, tuple)):
            v = "、".join(map(str, v))
        parts.append(f"{k}: {v}")
    return "\n".join(parts)


class DotExporter(Exporter):
    name = "dot"
    extension = ".dot"
    max_nodes = 60
    collapses_context = True

    def start(self) -> None:
        self.out.write(
            "digraph xuncha {\n"
            '  graph [rankdir=LR, overlap=false, splines=true, fontname="Noto Sans CJK SC"];\n'
            '  node [style=filled, fontname="Noto Sans CJK SC", fontsize=11, fontcolor="#111111"];\n'
            '  edge [fontname="Noto Sans CJK SC", fontsize=9, color="#777777", fontcolor="#555555"];\n')

    def write_node(self, nid: str, attrs: dict, label: str) -> None:
        colour, shape, _ = node_style(attrs.get("kind"))
        ctx = (self.options.get("context") or {}).get(nid)
        if ctx:
            label += "\n" + " · ".join(f"{NODE_KINDS[k].zh if k in NODE_KINDS else k}×{n}"
                                       for k, n in ctx.items())
        seed = nid in (self.options.get("seeds") or ())
        extra = ', penwidth=3, peripheries=2, color="#f5b800"' if seed else f', color="{colour}"'
        self.out.write(f"  {quote(nid)} [label={quote(('★ ' if seed else '') + label)}, "
                       f"shape={DOT_SHAPE.get(shape, 'ellipse')}, "
                       f'fillcolor="{colour}66"{extra}, tooltip={quote(_tooltip(attrs))}];\n')

    def write_edge(self, u: str, v: str, key: str, attrs: dict) -> None:
        kind = attrs.get("kind")
        zh = EDGE_KINDS[kind].zh if kind in EDGE_KINDS else kind
        self.out.write(f"  {quote(u)} -> {quote(v)} [label={quote(zh)}, "
                       f"tooltip={quote(_tooltip({'kind': kind, **attrs, 'type': kind}))}];\n")

    def end(self) -> None:
        case = self.options.get("case")
        for link in (case.links if case else ()):
            self.out.write(f"  {quote(link['from'])} -> {quote(link['to'])} [style=dashed, penwidth=2, "
                           f'color="#b45309", fontcolor="#7c2d12", '
                           f"label={quote('、'.join(link['zh']) + ' ' + format(link['score'], '.2f'))}];\n")
        self.out.write("}\n")
