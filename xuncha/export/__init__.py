"""Graph exports (导出): Gephi, Neo4j, spreadsheets and the browser.

One call does every format::

    >>> from xuncha.export import export, Selection
    >>> export(store, "graphml", "case.graphml",
    ...        Selection(around=["cadre:C001"], hops=2), redact="public")  # doctest: +SKIP
    ExportResult(format='graphml', path='case.graphml', nodes=14, edges=19, ...)

The pipeline is the same for all formats: :func:`select` picks a
:class:`~xuncha.export.select.GraphView`, a redactor (:mod:`.redact`) is
prepared on it, the typed :class:`~xuncha.export.base.Columns` are computed
from the registry (plus a scan for undeclared attributes), and the format's
:class:`~xuncha.export.base.Exporter` receives every node, then every edge,
then ``finalize()``, which renames its temporary output into place.

Invariants: nothing here names a node or edge kind (all from
:mod:`xuncha.graph.schema`); the store is never modified; a failed export
leaves nothing under the target name.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Callable

from ..graph.store import GraphStore
from .base import (KIND_COLUMN, Column, Columns, ExportError, Exporter, declared_columns,
                   infer_type, label_of)
from .redact import Redactor, make_redactor
from .select import GraphView, Selection, select

__all__ = ["FORMATS", "ExportError", "ExportResult", "Selection", "export", "select",
           "scan_columns", "exporter_class"]

# name -> (module, class, one-line description)
FORMATS: dict[str, tuple[str, str, str]] = {
    "graphml": ("xuncha.export.graphml", "GraphMLExporter", "GraphML for Gephi, yEd, igraph, networkx"),
    "gexf": ("xuncha.export.gexf", "GEXFExporter", "GEXF 1.2 for Gephi (colours and shapes by kind)"),
    "json": ("xuncha.export.nodelink", "NodeLinkExporter", "networkx node-link JSON (d3)"),
    "csv": ("xuncha.export.neo4j_csv", "Neo4jCSVExporter", "Neo4j bulk-import CSV directory + README"),
    "cypher": ("xuncha.export.cypher", "CypherExporter", "idempotent UNWIND … MERGE Cypher script"),
    "dot": ("xuncha.export.dot", "DotExporter", "Graphviz DOT (small subgraphs)"),
    "html": ("xuncha.export.html", "HTMLExporter", "one self-contained interactive web page"),
    "xlsx": ("xuncha.export.xlsx", "XLSXExporter", "Excel workbook, one sheet per kind, Chinese headers"),
}


def exporter_class(fmt: str) -> type[Exporter]:
    if fmt not in FORMATS:
        import difflib

        close = difflib.get_close_matches(fmt, list(FORMATS), n=1)
        hint = f"; did you mean 是否应为 {close[0]}" if close else ""
        raise ExportError(f"unknown export format '{fmt}' (未知格式): choose one of "
                          f"{', '.join(FORMATS)}{hint}")
    module, cls, _ = FORMATS[fmt]
    return getattr(importlib.import_module(module), cls)


@dataclass
class ExportResult:
    format: str
    path: str
    nodes: int
    edges: int
    node_counts: dict[str, int] = field(default_factory=dict)
    edge_counts: dict[str, int] = field(default_factory=dict)
    selection: dict = field(default_factory=dict)
    redaction: str | None = None

    def as_dict(self) -> dict:
        return dict(self.__dict__)


class _WithoutProv:
    """A view whose nodes and edges lack the ``prov`` attribute (the source
    ledger rows), for exports without ``--provenance``."""

    def __init__(self, view: GraphView):
        self._view = view

    def __getattr__(self, name):
        return getattr(self._view, name)

    def nodes(self):
        for n, d in self._view.nodes():
            yield n, ({k: v for k, v in d.items() if k != "prov"} if "prov" in d else d)

    def nodes_of(self, kind):
        for n, d in self._view.nodes_of(kind):
            yield n, ({k: v for k, v in d.items() if k != "prov"} if "prov" in d else d)

    def edges(self):
        for u, v, k, d in self._view.edges():
            yield u, v, k, ({x: y for x, y in d.items() if x != "prov"} if "prov" in d else d)


def scan_columns(view: GraphView, redactor: Redactor | None = None) -> Columns:
    """Typed columns per kind for what ``view`` holds (after redaction drops).

    Declared registry fields come first; attributes the registry does not
    declare are appended, typed from their first value.
    """
    redactor = redactor or Redactor()
    cols = Columns()
    extra_nodes: dict[str, dict[str, str]] = {}
    declared: dict[tuple[str, str], set[str]] = {}
    for _, d in view.nodes():
        kind = d.get("kind")
        if kind not in cols.node_counts:
            cols.node_counts[kind] = 0
            dec = declared_columns("node", kind, redactor.dropped("node", kind))
            cols.nodes[kind] = [KIND_COLUMN, *dec]
            declared[("node", kind)] = {c.key for c in dec} | {"kind"} | redactor.dropped("node", kind)
        cols.node_counts[kind] += 1
        known = declared[("node", kind)]
        for k, v in d.items():
            if k not in known and v is not None:
                extra_nodes.setdefault(kind, {}).setdefault(k, infer_type(v))
    extra_edges: dict[str, dict[str, str]] = {}
    kinds = view.store.graph.nodes
    for u, v, _, d in view.edges():
        kind = d.get("kind")
        if kind not in cols.edge_counts:
            cols.edge_counts[kind] = 0
            dec = declared_columns("edge", kind, redactor.dropped("edge", kind))
            cols.edges[kind] = [KIND_COLUMN, *dec]
            declared[("edge", kind)] = {c.key for c in dec} | {"kind"} | redactor.dropped("edge", kind)
            cols.edge_ends[kind] = set()
        cols.edge_counts[kind] += 1
        cols.edge_ends[kind].add((kinds[u].get("kind"), kinds[v].get("kind")))
        known = declared[("edge", kind)]
        if len(d) > 1:
            for k, x in d.items():
                if k not in known and x is not None:
                    extra_edges.setdefault(kind, {}).setdefault(k, infer_type(x))
    for kind, extra in extra_nodes.items():
        cols.nodes[kind] += [Column(k, t) for k, t in extra.items()]
    for kind, extra in extra_edges.items():
        cols.edges[kind] += [Column(k, t) for k, t in extra.items()]
    return cols


def export(store: GraphStore, fmt: str, path, selection: Selection | None = None,
           redact: str | None = None, keep_text: bool = False, force: bool = False,
           progress: Callable[[str, int], None] | None = None, provenance: bool = False,
           **options) -> ExportResult:
    """Export the selected part of ``store`` as ``fmt`` to ``path`` (``-``: stdout).

    ``redact`` is None, ``"public"`` or ``"pseudonym"`` (see :mod:`.redact`);
    ``force`` lifts the size limit of the small-graph formats (dot, html);
    ``provenance`` keeps the ``prov`` attribute (source ledger rows), which
    is left out by default.
    Raises :class:`ExportError` for a bad request; nothing is left at ``path``
    when anything fails.
    """
    from ..graph.schema import personal_edge_kinds
    from .case import CONTEXT_KINDS, build_case, context_counts

    cls = exporter_class(fmt)
    tell = progress or (lambda name, n: None)
    tell("selecting 选择", 0)
    sel = selection or Selection()
    case = build_case(store, sel.case) if sel.case else None
    # The pictures (html, dot) of a case or an ego network draw context as counts.
    collapse = CONTEXT_KINDS if cls.collapses_context and (sel.around or case) else frozenset()
    # Redaction hides edges made from personal facts (NATIVE_OF from 籍贯).
    skip = personal_edge_kinds() if redact else frozenset()
    view = select(store, sel, case.nodes if case else None, collapse, skip)
    if collapse:
        options["case"] = case
        options["context"], options["context_totals"] = context_counts(
            store, [n for n, _ in view.nodes()], collapse)
        options["seeds"] = [store.resolve(r) for r in sel.around] + ([case.seed] if case else [])
    redactor = make_redactor(redact, keep_text)
    if redactor.mode:
        # Every person of the dataset, not only the selection: text must not
        # name anyone, whoever the export is about.
        from .redact import people_names

        redactor.prepare(view.nodes(), people=people_names(store))
    if not provenance:
        view = _WithoutProv(view)
    columns = scan_columns(view, redactor)
    if hasattr(progress, "update"):  # a xuncha.output.Progress: it can show a bar
        progress.update(total=columns.n_nodes + columns.n_edges)
    if cls.max_nodes is not None and columns.n_nodes > cls.max_nodes and not force:
        raise ExportError(
            f"{columns.n_nodes:,} nodes is too many for {fmt} (节点过多; limit {cls.max_nodes:,}, "
            f"to stay readable): narrow the selection, e.g. --case ID (the evidence of one case), "
            f"--around ID --hops 1, --kinds cadre,unit,issue,lead, --round or --region; "
            f"or pass --force")
    described = sel.describe()
    if described.get("around"):
        # Name the seeds by node id: a seed given by a person's name must not
        # reach a redacted export through its metadata.
        described["around"] = [store.resolve(r) for r in described["around"]]
    if described.get("case"):
        described["case"] = store.resolve(described["case"])
    meta = redactor.meta({"selection": described,
                          "redaction": redactor.describe(), "source": store.meta.get("source")})
    from .timeline import Timeline

    writer = cls(path, columns, meta, timeline=Timeline(store), **options)
    step = 0
    try:
        for nid, attrs in view.nodes():
            a = redactor.node(nid, attrs)
            writer.write_node(nid, a, label_of(a.get("kind"), a, nid))
            step += 1
            if not step % 2_000:
                tell("nodes 节点", step)
        for u, v, k, d in view.edges():
            writer.write_edge(u, v, k, redactor.edge(d))
            step += 1
            if not step % 2_000:
                tell("edges 关系", step)
        tell("nodes and edges 节点与关系", step)
        if hasattr(progress, "task"):  # finishing (xlsx: saving the workbook) can take long
            progress.task(f"writing the {fmt} file 写入文件")
        writer.finalize()
    except BaseException:
        writer.abort()
        raise
    return ExportResult(fmt, str(path), columns.n_nodes, columns.n_edges,
                        dict(columns.node_counts), dict(columns.edge_counts),
                        meta["selection"], redactor.mode)
