"""An idempotent Cypher script: constraints first, then batched ``UNWIND … MERGE``.

The script builds the same layout as ``xuncha push`` (see
:mod:`xuncha.graph.server.push`): a node of kind ``k`` has the registry label,
the property ``xid`` (its ``kind:id``, unique per label) and its attributes;
an edge is a relationship of its kind's type, identified between its two
nodes by the property ``key`` (``KIND``, ``KIND#2``…).  Every write is::

    UNWIND [{xid: 'cadre:C001', p: {…}}, …] AS row
    MERGE (n:`Cadre` {xid: row.xid}) SET n = row.p;
    UNWIND [{s: 'cadre:C001', t: 'unit:U001', k: 'HELD_POSITION', p: {…}}, …] AS row
    MATCH (a:`Cadre` {xid: row.s}) MATCH (b:`Unit` {xid: row.t})
    MERGE (a)-[r:`HELD_POSITION` {key: row.k}]->(b) SET r = row.p;

so running the script twice leaves the same graph.  Statements end with
``;`` at the end of a line (string literals never hold a raw newline), so
``cypher-shell -f script.cypher`` runs it as it is.

The database it makes is the one ``xuncha push`` makes — the same
constraints (every registry label and the meta node), the same property
encoding (:func:`~xuncha.graph.server.push.encode_props`: dates as ISO
strings, ``_nulls``), and the same ``XunchaMeta`` node (written with
``complete: false`` first and ``complete: true`` last, so a script cut short
is reported as an unfinished push) — so ``--uri`` queries and ``pull`` work on
it.  The constraints use Neo4j 5 syntax (``CREATE CONSTRAINT … IF NOT
EXISTS``).  FalkorDB has no ``IF NOT EXISTS``: :func:`run_script` (``xuncha
push --script FILE``) runs a script on either server, creating each
constraint through :meth:`~xuncha.graph.server.dialect.Dialect.ensure_unique`,
which looks before it creates, so the script stays idempotent there too.

Values are written as escaped literals (a script file cannot carry
parameters); labels and types come only from the registry.
"""

from __future__ import annotations

import math
import re
from typing import Iterator

from ..graph.server.dialect import (ID_PROP, KEY_PROP, META_ID, META_LABEL, SCHEMA_KINDS,
                                    constraint_statement, kind_of_label, label, rel_type)
from ..graph.server.push import encode_props, meta_record
from .base import ExportError, Exporter

BATCH = 500
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_ESC = {"\\": "\\\\", "'": "\\'", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b",
        "\f": "\\f"}
_ESC_RE = re.compile(r"[\\'\n\r\t\b\f\x00-\x1f\u2028\u2029]")


def _esc(m: re.Match) -> str:
    c = m.group(0)
    return _ESC.get(c) or f"\\u{ord(c):04x}"


def literal(value) -> str:
    """A Cypher literal for a property value.

    >>> literal("张伟's"), literal([1.5, True]), literal({"a b": None})
    ("'张伟\\\\'s'", '[1.5, true]', '{`a b`: null}')
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise ExportError(f"cannot write {value!r} in Cypher")
        return repr(value)
    if isinstance(value, str):
        return "'" + _ESC_RE.sub(_esc, value) + "'"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key_literal(k)}: {literal(v)}" for k, v in value.items()) + "}"
    return literal(str(value))


def key_literal(k: str) -> str:
    return k if _IDENT.match(k) else "`" + k.replace("`", "``") + "`"


def constraint(kind: str) -> str:
    return constraint_statement(kind) + ";"


def _meta_statement(props: dict) -> str:
    return (f"MERGE (m:{label(META_LABEL)} {{{ID_PROP}: {literal(META_ID)}}}) "
            f"SET m += {literal(props)};\n")


class CypherExporter(Exporter):
    name = "cypher"
    extension = ".cypher"

    def start(self) -> None:
        self.batch = int(self.options.get("batch_size") or BATCH)
        w = self.out.write
        w("// xuncha graph as Cypher: idempotent (run it twice: same graph).\n"
          f"// selection: {self.meta.get('selection') or 'whole graph'}; "
          f"redaction: {self.meta.get('redaction') or 'none'}\n"
          "// Neo4j: cypher-shell -f THIS_FILE   (constraints use Neo4j 5 syntax)\n"
          "// FalkorDB (or Neo4j): xuncha push --uri URI --script THIS_FILE\n"
          "// :begin constraints\n")
        for kind in SCHEMA_KINDS:
            w(constraint(kind) + "\n")
        w("// :end constraints\n")
        w(_meta_statement(meta_record(complete=False)))
        self.node_rows: dict[str, list[str]] = {}
        self.edge_rows: dict[tuple[str, str, str], list[str]] = {}
        self.n_nodes = self.n_edges = 0

    def write_node(self, nid: str, attrs: dict, lbl: str) -> None:
        kind = attrs.get("kind")
        self.n_nodes += 1
        rows = self.node_rows.setdefault(kind, [])
        rows.append(f"{{xid: {literal(nid)}, p: {literal(encode_props(attrs, **{ID_PROP: nid}))}}}")
        if len(rows) >= self.batch:
            self._flush_nodes(kind)

    def _flush_nodes(self, kind: str) -> None:
        rows = self.node_rows.pop(kind, None)
        if rows:
            self.out.write(f"UNWIND [\n{','.join(r + chr(10) for r in rows)}] AS row\n"
                           f"MERGE (n:{label(kind)} {{{ID_PROP}: row.xid}}) SET n = row.p;\n")

    def write_edge(self, u: str, v: str, key: str, attrs: dict) -> None:
        if self.node_rows:
            for kind in list(self.node_rows):
                self._flush_nodes(kind)
        kind = attrs.get("kind")
        self.n_edges += 1
        group = (kind, u.partition(":")[0], v.partition(":")[0])  # ids are kind:id
        props = {k: x for k, x in attrs.items() if k != "kind"}
        rows = self.edge_rows.setdefault(group, [])
        rows.append(f"{{s: {literal(u)}, t: {literal(v)}, k: {literal(key)}, "
                    f"p: {literal(encode_props(props, **{KEY_PROP: key}))}}}")
        if len(rows) >= self.batch:
            self._flush_edges(group)

    def _flush_edges(self, group) -> None:
        rows = self.edge_rows.pop(group, None)
        if rows:
            kind, sk, tk = group
            self.out.write(
                f"UNWIND [\n{','.join(r + chr(10) for r in rows)}] AS row\n"
                f"MATCH (a:{label(sk)} {{{ID_PROP}: row.s}}) "
                f"MATCH (b:{label(tk)} {{{ID_PROP}: row.t}})\n"
                f"MERGE (a)-[r:{rel_type(kind)} {{{KEY_PROP}: row.k}}]->(b) SET r = row.p;\n")

    def end(self) -> None:
        for kind in list(self.node_rows):
            self._flush_nodes(kind)
        for group in list(self.edge_rows):
            self._flush_edges(group)
        self.out.write(_meta_statement(meta_record(
            complete=True, nodes=self.n_nodes, edges=self.n_edges, workspace_meta=self.meta)))


_CONSTRAINT_RE = re.compile(r"^CREATE CONSTRAINT \S+ IF NOT EXISTS FOR \(n:(`[^`]+`)\) "
                            r"REQUIRE n\.(\w+) IS UNIQUE;$")


def statements(text: str, dialect: str = "neo4j") -> Iterator[str]:
    """The statements of a xuncha Cypher script, without the trailing ``;``.

    ``dialect="falkordb"`` turns each Neo4j uniqueness constraint into the
    range index FalkorDB needs (``CREATE INDEX FOR (n:L) ON (n.xid)``); that
    statement fails when the index exists, so run scripts with
    :func:`run_script`, which is idempotent on both servers.
    """
    buf: list[str] = []
    for line in text.splitlines():
        if not buf and (line.startswith("//") or not line.strip()):
            continue
        if dialect == "falkordb" and not buf:
            m = _CONSTRAINT_RE.match(line)
            if m:
                yield f"CREATE INDEX FOR (n:{m.group(1)}) ON (n.{m.group(2)})"
                continue
        buf.append(line)
        if line.endswith(";"):
            yield "\n".join(buf)[:-1]
            buf = []
    if buf:
        raise ExportError("the Cypher script ends in the middle of a statement (脚本不完整)")


def run_script(server, text: str, task=None) -> int:
    """Run a xuncha Cypher script on ``server`` (Neo4j or FalkorDB); returns the
    number of statements run.

    Constraint lines go through the dialect's idempotent
    :meth:`~xuncha.graph.server.dialect.Dialect.ensure_unique` (on FalkorDB a
    range index plus a unique constraint, created only when missing), every
    other statement is run as written, so running a script twice leaves the
    same graph on either server.
    """
    stmts = list(statements(text))
    advance = task("statements 语句", len(stmts)) if task else None
    schema = False
    for stmt in stmts:
        m = _CONSTRAINT_RE.match(stmt + ";")
        if m:
            server.dialect.ensure_unique(server, kind_of_label(m.group(1).strip("`")), m.group(2))
            schema = True
        else:
            if schema:
                server.dialect.wait_constraints(server)
                schema = False
            server.write(stmt)
        if advance:
            advance(1)
    if schema:
        server.dialect.wait_constraints(server)
    return len(stmts)
