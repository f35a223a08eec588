"""A Neo4j bulk-import directory (``neo4j-admin database import full``).

Files (UTF-8, comma-separated, ``"`` quoting, lists joined with ``;``)::

    nodes_<kind>.csv       id:ID(<Label>), typed properties, :LABEL
    rels_<TYPE>.csv        :START_ID(<Label>), typed properties, :END_ID(<Label>), :TYPE
    rels_<TYPE>_<src>_<dst>.csv   when the registry lets TYPE join several kinds
    README.md              the exact import command for these files
    xuncha-export.json     what was exported (selection, redaction, counts)

Header types follow the import tool: ``name`` (string), ``amount:float``,
``capacity:int``, ``is_principal:boolean``, ``start:date``,
``aliases:string[]``.  Each node kind is its own ID space named by its label,
so raw ids (``C001``) need not be unique across kinds; the ``id:ID(...)``
column also stores the raw id as the property ``id``.  Labels and
relationship types come from the registry (``NodeKind.label``, edge kind
names).

Invariant: the files are written under a temporary directory beside the
target and renamed into place only when complete.
"""

from __future__ import annotations

import csv
import json

from ..graph.schema import EDGE_KINDS, NODE_KINDS
from .base import MANIFEST, Exporter

NEO4J_TYPE = {"string": "", "int": ":int", "float": ":float", "boolean": ":boolean",
              "date": ":date", "string[]": ":string[]"}
ARRAY_DELIMITER = ";"


def label(kind: str) -> str:
    nk = NODE_KINDS.get(kind)
    return nk.label if nk else "".join(p.capitalize() for p in kind.split("_"))


def cell(value, type_: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ARRAY_DELIMITER.join(str(x) for x in value)
    if type_ == "float":
        return repr(float(value))
    return str(value)


def rel_file(kind: str, src: str, dst: str) -> str:
    ek = EDGE_KINDS.get(kind)
    if ek is not None and len(ek.sources) * len(ek.targets) == 1:
        return f"rels_{kind}.csv"
    return f"rels_{kind}_{src}_{dst}.csv"


class _CSV:
    def __init__(self, path):
        self.fh = open(path, "w", encoding="utf-8", newline="", buffering=1 << 20)
        self.w = csv.writer(self.fh, lineterminator="\n")
        self.rows = 0


class Neo4jCSVExporter(Exporter):
    name = "csv"
    directory = True

    def start(self) -> None:
        self.files: dict[tuple, _CSV] = {}
        self.node_cols = {kind: [c for c in cols if c.key not in ("kind", "id")]
                          for kind, cols in self.columns.nodes.items()}
        self.edge_cols = {kind: [c for c in cols if c.key != "kind"]
                          for kind, cols in self.columns.edges.items()}

    def _open(self, key: tuple, name: str, header: list[str]) -> _CSV:
        f = self.files[key] = _CSV(self.out.file(name))
        f.name = name
        f.w.writerow(header)
        return f

    def write_node(self, nid: str, attrs: dict, lbl: str) -> None:
        kind = attrs.get("kind")
        cols = self.node_cols[kind]
        f = self.files.get(("node", kind))
        if f is None:
            f = self._open(("node", kind), f"nodes_{kind}.csv",
                           [f"id:ID({label(kind)})"]
                           + [c.key + NEO4J_TYPE[c.type] for c in cols] + [":LABEL"])
        raw = attrs.get("id")
        if raw is None:
            raw = nid.partition(":")[2] if nid.startswith(f"{kind}:") else nid
        f.w.writerow([str(raw), *[cell(attrs.get(c.key), c.type) for c in cols], label(kind)])
        f.rows += 1

    def write_edge(self, u: str, v: str, key: str, attrs: dict) -> None:
        kind = attrs.get("kind")
        src, dst = u.partition(":")[0], v.partition(":")[0]  # ids are kind:id
        fk = ("edge", kind, src, dst)
        f = self.files.get(fk)
        cols = self.edge_cols[kind]
        if f is None:
            f = self._open(fk, rel_file(kind, src, dst),
                           [f":START_ID({label(src)})"]
                           + [c.key + NEO4J_TYPE[c.type] for c in cols]
                           + [f":END_ID({label(dst)})", ":TYPE"])
        f.w.writerow([u.partition(":")[2], *[cell(attrs.get(c.key), c.type) for c in cols],
                      v.partition(":")[2], kind])
        f.rows += 1

    def end(self) -> None:
        for f in self.files.values():
            f.fh.close()
        nodes = sorted(f.name for k, f in self.files.items() if k[0] == "node")
        rels = sorted(f.name for k, f in self.files.items() if k[0] == "edge")
        cmd = import_command(nodes, rels)
        counts = {f.name: f.rows for f in self.files.values()}
        readme = README.format(
            command=cmd, delimiter=ARRAY_DELIMITER,
            files="\n".join(f"| `{n}` | {counts[n]:,} |" for n in nodes + rels),
            selection=self.meta.get("selection") or "whole graph",
            redaction=self.meta.get("redaction") or "none")
        with open(self.out.file("README.md"), "w", encoding="utf-8") as fh:
            fh.write(readme)
        with open(self.out.file(MANIFEST), "w", encoding="utf-8") as fh:
            json.dump({"format": "neo4j-admin-csv", "files": counts, "command": cmd,
                       **self.meta}, fh, ensure_ascii=False, indent=2)

    def abort(self) -> None:
        for f in getattr(self, "files", {}).values():
            f.fh.close()
        super().abort()


def import_command(nodes: list[str], rels: list[str], database: str = "neo4j") -> str:
    """The ``neo4j-admin`` command that imports these files (run in their directory)."""
    parts = ["neo4j-admin database import full",
             f'  --array-delimiter="{ARRAY_DELIMITER}"',
             "  --multiline-fields=true"]
    parts += [f"  --nodes={n}" for n in nodes]
    parts += [f"  --relationships={r}" for r in rels]
    parts.append(f"  {database}")
    return " \\\n".join(parts)


README = """# Neo4j bulk import (xuncha export)

Selection: {selection}. Redaction: {redaction}.

Stop the database (or create a new one), then run this **from this directory**
(Neo4j 5; add `--overwrite-destination` to replace an existing database):

```sh
{command}
```

| file | rows |
|---|---|
{files}

Headers follow the `neo4j-admin` import format: `id:ID(Label)` (one ID space
per node label; the raw id is also stored as the property `id`), typed
properties (`:int`, `:float`, `:boolean`, `:date`, `:string[]`; untyped means
string), `:LABEL`, and for relationships `:START_ID(Label)`, `:END_ID(Label)`,
`:TYPE`. Lists are joined with `{delimiter}` (hence `--array-delimiter`); free
text may span lines (hence `--multiline-fields=true`). Empty cells are absent
properties.

Afterwards, create the uniqueness constraints the Cypher export also creates,
e.g. `CREATE CONSTRAINT cadre_id IF NOT EXISTS FOR (n:Cadre) REQUIRE n.id IS UNIQUE;`
"""
