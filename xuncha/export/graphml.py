"""GraphML for Gephi, yEd, igraph and networkx, written as a stream.

Layout: one ``<key>`` per property name (typed ``string``, ``long``,
``double`` or ``boolean``); every node carries ``kind`` (its kind, the class
Gephi colours a partition by), ``kind_zh`` (the kind's Chinese name),
``label`` (its Chinese display name) and ``color`` (the registry colour,
``#rrggbb``).  Dates are ISO strings; a list is a JSON array in a string key.
Each key's ``<desc>`` holds ``xuncha:`` + JSON (``type``, ``zh``, and for a
name two kinds use with different types, the per-kind ``kinds`` types), which
:func:`read_graphml` uses to give back lists as lists and per-kind numbers as
numbers.  Edges carry ``kind``, their properties and ``key`` (the multigraph
key); they have no ``id`` (Gephi requires unique edge ids, and networkx would
take the id as the key).

A node's own ``id`` property (the ledger's 编号, the part after ``kind:``)
is written under the key name ``record_id``: igraph reads the GraphML node
ids into a vertex attribute called ``id`` and would drop them for a data key
of that name.  So ``igraph.Graph.Read_GraphML`` gives each vertex its xuncha
node id as ``id`` (``cadre:C001``) and the record's id as ``record_id``.

Invariant: ``read_graphml(path)`` returns a graph equal to the exported
selection: same nodes, edges, keys, attribute values and types.  Plain
``networkx.read_graphml`` gives the same except that lists are JSON text, a
mixed-type name is text, the record id is ``record_id`` and the
presentation attributes are present.
"""

from __future__ import annotations

import json

from .base import Exporter, node_style, scalar_text, xml_text

GRAPHML_TYPE = {"string": "string", "date": "string", "string[]": "string",
                "int": "long", "float": "double", "boolean": "boolean"}
PRESENTATION = ("label", "kind_zh", "color")
# Property names written under another key name (igraph keeps node ids in ``id``).
RENAMED = {("node", "id"): "record_id"}


class GraphMLExporter(Exporter):
    name = "graphml"
    extension = ".graphml"

    def start(self) -> None:
        w = self.out.write
        w('<?xml version="1.0" encoding="UTF-8"?>\n'
          '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
          'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
          'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
          'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n')
        self.node_keys: dict[str, tuple[str, str]] = {}  # name -> (key id, type)
        self.edge_keys: dict[str, tuple[str, str]] = {}
        self.node_kind_types: dict[str, dict[str, str]] = {}
        self.edge_kind_types: dict[str, dict[str, str]] = {}
        for domain, keys, kind_types, prefix in (
                ("node", self.node_keys, self.node_kind_types, "n"),
                ("edge", self.edge_keys, self.edge_kind_types, "e")):
            types, overrides = self.columns.unified(domain)
            zh = self.columns.zh_names(domain)
            names = list(types)
            if domain == "node":
                names += [p for p in PRESENTATION if p not in types]
                types.update({p: "string" for p in PRESENTATION if p not in types})
                zh.update({"label": "名称", "kind_zh": "类型", "color": "颜色"})
            else:
                if "key" not in types:
                    names.append("key")
                    types["key"] = "string"
                zh.setdefault("key", "键")
            table = self.columns.nodes if domain == "node" else self.columns.edges
            for kind, cols in table.items():
                kind_types[kind] = {c.key: c.type for c in cols}
            for i, name in enumerate(names):
                kid = f"{prefix}{i}"
                keys[name] = (kid, types[name])
                desc = {"type": types[name], "zh": zh.get(name, "")}
                per_kind = {k: o[name] for k, o in overrides.items() if name in o}
                if per_kind:
                    desc["kinds"] = per_kind
                attr_name = RENAMED.get((domain, name), name)
                if attr_name != name:
                    desc["prop"] = name
                w(f'  <key id="{kid}" for="{domain}" attr.name="{xml_text(attr_name)}" '
                  f'attr.type="{GRAPHML_TYPE[types[name]]}">'
                  f'<desc>xuncha:{xml_text(json.dumps(desc, ensure_ascii=False))}</desc></key>\n')
        w('  <graph id="xuncha" edgedefault="directed">\n')

    def _data(self, keys, attrs: dict, kind_types: dict[str, str]) -> list[str]:
        parts = []
        for k, v in attrs.items():
            if v is None:
                continue
            spec = keys.get(k)
            if spec is None:
                continue
            kid, t = spec
            text = scalar_text(v, kind_types.get(k, t))
            parts.append(f'<data key="{kid}">{xml_text(text)}</data>')
        return parts

    def write_node(self, nid: str, attrs: dict, label: str) -> None:
        kind = attrs.get("kind")
        colour, _, zh = node_style(kind)
        kt = self.node_kind_types.get(kind, {})
        parts = self._data(self.node_keys, attrs, kt)
        nk = self.node_keys
        parts.append(f'<data key="{nk["label"][0]}">{xml_text(label)}</data>'
                     f'<data key="{nk["kind_zh"][0]}">{xml_text(zh)}</data>'
                     f'<data key="{nk["color"][0]}">{colour}</data>')
        self.out.write(f'    <node id="{xml_text(nid)}">{"".join(parts)}</node>\n')

    def write_edge(self, u: str, v: str, key: str, attrs: dict) -> None:
        kt = self.edge_kind_types.get(attrs.get("kind"), {})
        parts = self._data(self.edge_keys, attrs, kt)
        parts.append(f'<data key="{self.edge_keys["key"][0]}">{xml_text(str(key))}</data>')
        self.out.write(f'    <edge source="{xml_text(u)}" target="{xml_text(v)}">'
                       f'{"".join(parts)}</edge>\n')

    def end(self) -> None:
        self.out.write("  </graph>\n</graphml>\n")


def _key_specs(path) -> dict[tuple[str, str], dict]:
    """(domain, attr name) -> the ``xuncha:`` description of each key."""
    import xml.etree.ElementTree as ET

    ns = "{http://graphml.graphdrawing.org/xmlns}"
    specs: dict[tuple[str, str], dict] = {}
    for event, el in ET.iterparse(str(path), events=("start", "end")):
        if event == "start" and el.tag == f"{ns}graph":
            break
        if event == "end" and el.tag == f"{ns}key":
            desc = el.find(f"{ns}desc")
            if desc is not None and (desc.text or "").startswith("xuncha:"):
                specs[(el.get("for"), el.get("attr.name"))] = json.loads(desc.text[7:])
    return specs


def decode_value(value, type_: str):
    if value is None:
        return None
    if type_ == "string[]":
        return json.loads(value) if isinstance(value, str) else value
    if type_ == "int":
        return int(value)
    if type_ == "float":
        return float(value)
    if type_ == "boolean":
        return value if isinstance(value, bool) else str(value).lower() == "true"
    return value


def restore(g, specs: dict[tuple[str, str], dict], presentation=PRESENTATION, edge_key="key"):
    """Decode lists and per-kind types; drop presentation attributes; re-key edges."""
    import networkx as nx

    out = nx.MultiDiGraph()
    for n, d in g.nodes(data=True):
        kind = d.get("kind")
        a = {}
        for k, v in d.items():
            if k in presentation:
                continue
            spec = specs.get(("node", k), {})
            t = spec.get("kinds", {}).get(kind, spec.get("type", "string"))
            a[spec.get("prop", k)] = decode_value(v, t)
        out.add_node(n, **a)
    for u, v, k, d in g.edges(keys=True, data=True):
        kind = d.get("kind")
        a = {}
        for name, x in d.items():
            if name == edge_key:
                continue
            spec = specs.get(("edge", name), {})
            t = spec.get("kinds", {}).get(kind, spec.get("type", "string"))
            a[name] = decode_value(x, t)
        out.add_edge(u, v, d.get(edge_key, k), **a)
    return out


def read_graphml(path):
    """Read a xuncha GraphML export back into the exported MultiDiGraph.

    >>> g = read_graphml("case.graphml")        # doctest: +SKIP
    """
    import networkx as nx

    g = nx.read_graphml(str(path), force_multigraph=True)
    return restore(g, _key_specs(path))
