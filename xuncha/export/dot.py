"""Graphviz DOT for small subgraphs (a case, an ego network).

Nodes are drawn with their Chinese label, their kind's registry colour and a
matching Graphviz shape; edges are labelled with their kind's Chinese name.
Properties go into ``tooltip`` (shown by SVG viewers).  Over
:attr:`DotExporter.max_nodes` nodes the export is refused unless forced:
Graphviz layouts of thousands of nodes are unreadable and slow.

Render with ``dot -Tsvg case.dot -o case.svg`` (``sfdp`` for larger ones).
"""

from __future__ import annotations

from ..graph.schema import EDGE_KINDS
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
    max_nodes = 2000

    def start(self) -> None:
        self.out.write(
            "digraph xuncha {\n"
            '  graph [rankdir=LR, overlap=false, splines=true, fontname="Noto Sans CJK SC"];\n'
            '  node [style=filled, fontname="Noto Sans CJK SC", fontsize=11, fontcolor="#111111"];\n'
            '  edge [fontname="Noto Sans CJK SC", fontsize=9, color="#777777", fontcolor="#555555"];\n')

    def write_node(self, nid: str, attrs: dict, label: str) -> None:
        colour, shape, _ = node_style(attrs.get("kind"))
        self.out.write(f"  {quote(nid)} [label={quote(label)}, shape={DOT_SHAPE.get(shape, 'ellipse')}, "
                       f'fillcolor="{colour}66", color="{colour}", tooltip={quote(_tooltip(attrs))}];\n')

    def write_edge(self, u: str, v: str, key: str, attrs: dict) -> None:
        kind = attrs.get("kind")
        zh = EDGE_KINDS[kind].zh if kind in EDGE_KINDS else kind
        self.out.write(f"  {quote(u)} -> {quote(v)} [label={quote(zh)}, "
                       f"tooltip={quote(_tooltip({'kind': kind, **attrs, 'type': kind}))}];\n")

    def end(self) -> None:
        self.out.write("}\n")
