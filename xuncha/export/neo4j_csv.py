"""A Neo4j bulk-import directory (``neo4j-admin database import full``).

Files (UTF-8, comma-separated, ``"`` quoting, lists joined with ``;``)::

    nodes_<kind>.csv       xid:ID(<Label>), kind, id, typed properties, _nulls:string[], :LABEL
    nodes_XunchaMeta.csv   the meta node (format version, counts, complete=true)
    rels_<TYPE>.csv        :START_ID(<Label>), typed properties, key, _nulls:string[],
                           :END_ID(<Label>), :TYPE
    rels_<TYPE>_<src>_<dst>.csv   when the registry lets TYPE join several kinds
    constraints.cypher     the uniqueness constraints, to run after the import
    README.md              the exact import command for these files
    xuncha-export.json     what was exported (selection, redaction, counts)

**One layout with push and the Cypher script.**  The database this import
makes is the one ``xuncha push`` makes (:mod:`xuncha.graph.server.push`), so
``--uri`` queries and ``pull`` work on it: the same labels and relationship
types (from the registry), the same key ``xid`` (``kind:id``, the ID column,
one ID space per label) with ``kind`` and ``id`` as properties, relationships
identified by ``key``, ``None`` attributes listed in ``_nulls``, the same
``XunchaMeta`` node, and the same constraints (``constraints.cypher``).
Property types match what push stores: ``:long`` for integers and
``:double`` for floats (the import tool's ``int``/``float`` are 32-bit),
``:boolean``, ``:string[]`` for lists, and **dates as ISO strings** (no
``:date``), as push and the script store them — see
:mod:`xuncha.graph.server.dialect` for why.  Two values the import format
cannot carry are documented: an empty list or an empty string is an absent
property (the ledgers never produce either), and a ``;`` inside a list
element (impossible from ledgers, whose list cells are split on it) is
written as the full-width ``；``.

**No formula neutralising here**, unlike the XLSX export and query CSVs
(:mod:`xuncha.spreadsheet`): these files are read by ``neo4j-admin``, not
opened by people, and a ``'`` put before ``=…`` would be stored in the
database as part of the value, so push and import would disagree.  Do not
open them in a spreadsheet program; export ``xlsx`` for that.

Invariant: the files are written under a temporary directory beside the
target and renamed into place only when complete.
"""

from __future__ import annotations

import csv
import json

from ..graph.schema import EDGE_KINDS, NODE_KINDS
from ..graph.server.dialect import (ID_PROP, KEY_PROP, META_ID, META_LABEL, SCHEMA_KINDS,
                                    constraint_statement)
from ..graph.server.push import NULLS_PROP, encode_props, meta_record
from .base import MANIFEST, Exporter

# Export type -> the import tool's header type (what push stores, see the docstring).
NEO4J_TYPE = {"string": "", "int": ":long", "float": ":double", "boolean": ":boolean",
              "date": "", "string[]": ":string[]"}
ARRAY_DELIMITER = ";"
META_FILE = f"nodes_{META_LABEL}.csv"
CONSTRAINTS_FILE = "constraints.cypher"


def label(kind: str) -> str:
    if kind == META_LABEL:
        return META_LABEL
    nk = NODE_KINDS.get(kind)
    return nk.label if nk else "".join(p.capitalize() for p in kind.split("_"))


def cell(value, type_: str = "string") -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ARRAY_DELIMITER.join(str(x).replace(ARRAY_DELIMITER, "；") for x in value)
    if isinstance(value, float) or type_ == "float":
        return repr(float(value))
    return str(value)


def _header(key: str, type_: str) -> str:
    return key + NEO4J_TYPE.get(type_, "")


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
        # Nodes carry every attribute push sends, ``kind`` and ``id`` included.
        self.node_cols = {kind: [c for c in cols if c.key not in (ID_PROP, NULLS_PROP)]
                          for kind, cols in self.columns.nodes.items()}
        self.edge_cols = {kind: [c for c in cols if c.key not in ("kind", KEY_PROP, NULLS_PROP)]
                          for kind, cols in self.columns.edges.items()}
        self.n_nodes = self.n_edges = 0

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
                           [f"{ID_PROP}:ID({label(kind)})"]
                           + [_header(c.key, c.type) for c in cols]
                           + [f"{NULLS_PROP}:string[]", ":LABEL"])
        p = encode_props(attrs)
        f.w.writerow([nid, *[cell(p.get(c.key), c.type) for c in cols],
                      cell(p.get(NULLS_PROP)), label(kind)])
        f.rows += 1
        self.n_nodes += 1

    def write_edge(self, u: str, v: str, key: str, attrs: dict) -> None:
        kind = attrs.get("kind")
        src, dst = u.partition(":")[0], v.partition(":")[0]  # ids are kind:id
        fk = ("edge", kind, src, dst)
        f = self.files.get(fk)
        cols = self.edge_cols[kind]
        if f is None:
            f = self._open(fk, rel_file(kind, src, dst),
                           [f":START_ID({label(src)})"]
                           + [_header(c.key, c.type) for c in cols]
                           + [KEY_PROP, f"{NULLS_PROP}:string[]",
                              f":END_ID({label(dst)})", ":TYPE"])
        p = encode_props({k: x for k, x in attrs.items() if k != "kind"})
        f.w.writerow([u, *[cell(p.get(c.key), c.type) for c in cols], key,
                      cell(p.get(NULLS_PROP)), v, kind])
        f.rows += 1
        self.n_edges += 1

    def _write_meta(self) -> None:
        rec = meta_record(complete=True, nodes=self.n_nodes, edges=self.n_edges,
                          workspace_meta=self.meta)
        types = {"format_version": "int", "nodes": "int", "edges": "int", "complete": "boolean"}
        keys = list(rec)
        f = self._open(("node", META_LABEL), META_FILE,
                       [f"{ID_PROP}:ID({META_LABEL})"]
                       + [_header(k, types.get(k, "string")) for k in keys] + [":LABEL"])
        f.w.writerow([META_ID, *[cell(rec[k]) for k in keys], META_LABEL])
        f.rows += 1

    def end(self) -> None:
        self._write_meta()
        for f in self.files.values():
            f.fh.close()
        nodes = sorted(f.name for k, f in self.files.items() if k[0] == "node")
        rels = sorted(f.name for k, f in self.files.items() if k[0] == "edge")
        cmd = import_command(nodes, rels)
        counts = {f.name: f.rows for f in self.files.values()}
        with open(self.out.file(CONSTRAINTS_FILE), "w", encoding="utf-8") as fh:
            fh.write("// The uniqueness constraints xuncha push and the Cypher export create.\n")
            fh.writelines(constraint_statement(k) + ";\n" for k in SCHEMA_KINDS)
        readme = README.format(
            command=cmd, delimiter=ARRAY_DELIMITER, constraints=CONSTRAINTS_FILE,
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

Then start the database and create the uniqueness constraints:

```sh
cypher-shell -d neo4j -f {constraints}
```

| file | rows |
|---|---|
{files}

The database is laid out exactly as `xuncha push` lays it out, so
`xuncha kpi --uri bolt://…` (and every other `--uri` query, and `xuncha pull`)
works on it: labels and relationship types from the registry; `xid` (`kind:id`)
is the ID column and the unique key, with `kind` and `id` as properties;
relationships carry `key`; `_nulls` lists empty attributes; one `XunchaMeta` node
records the format. Types: `:long`, `:double`, `:boolean`, `:string[]`; untyped
means string, **dates included** (ISO `YYYY-MM-DD` strings, as push stores them:
write `date(n.start)` for a temporal value). Lists are joined with `{delimiter}`
(hence `--array-delimiter`); free text may span lines (hence
`--multiline-fields=true`). Empty cells are absent properties.

These files are for `neo4j-admin`, not for a spreadsheet: text that begins with
`=`, `+`, `-` or `@` is written as it is (a protective `'` would be stored in the
database). Use `xuncha export xlsx` for a workbook to open.
"""
