"""Push a workspace graph to a graph server: batched, parameterised, idempotent.

Layout on the server (format :data:`GRAPH_FORMAT`, version
:data:`GRAPH_FORMAT_VERSION`):

- a node of kind ``k`` has label ``NODE_KINDS[k].label``, property ``xid`` =
  its workspace id (``kind:id``, unique per label) and its attributes as
  properties (``kind``, ``id``, the record's fields);
- an edge of kind ``K`` is a relationship of type ``K`` with property ``key``
  = its networkx key (``K``, ``K#2``…, its identity between two nodes) and its
  attributes except ``kind`` (the type says it);
- dates stay ISO strings; ints, floats, bools and lists of strings are stored
  natively (both servers keep their types); a ``None`` attribute, which a
  server cannot store, is listed in the property ``_nulls``;
- one ``(:XunchaMeta {xid: "xuncha"})`` node records the format version, the
  xuncha version, the counts, the workspace's meta (JSON) and ``complete``:
  false while a push runs, true once it finished.

The Cypher script (``export cypher``) and the bulk-import CSV (``export csv``)
build exactly this layout too — same labels, ``xid``/``key``, property types
(dates as ISO strings: see :mod:`.dialect`), ``_nulls``, constraints and
meta node (:func:`meta_record`) — so ``--uri`` works on a database made by
any of the three.

``prune`` (``push --prune``) then deletes from the server what the workspace
no longer holds — xuncha's nodes whose ``xid`` is gone and xuncha's
relationships whose ``(start, type, key, end)`` is gone — so a corrected
ledger leaves no stale tie behind.  Nothing else on the server is touched
(only registry labels and types, only nodes with an ``xid``, only
relationships with a ``key`` between such nodes).

Every write is ``UNWIND $rows AS row MERGE … SET x = row.p`` (nodes by
``xid``, edges by ``(a)-[:K {key}]->(b)``), one batch per transaction, so
pushing twice leaves identical data, and a push interrupted at any point is
completed by pushing again.
"""

from __future__ import annotations

import datetime as _dt
import json
import time
from dataclasses import asdict, dataclass, field
from typing import Callable

from ... import __version__
from ..schema import EDGE_KINDS, NODE_KINDS, split_id
from ..store import GraphStore
from .base import (GraphServer, GraphVersionError, ServerError, Unreachable, UnknownDatabase,
                   batched)
from .dialect import ID_PROP, KEY_PROP, META_ID, META_LABEL, SCHEMA_KINDS, label, rel_type

GRAPH_FORMAT = "xuncha-graph"
GRAPH_FORMAT_VERSION = 1
NULLS_PROP = "_nulls"

#: ``task(description, total)`` -> ``advance(n)``: how push/pull report progress.
TaskFactory = Callable[[str, int], Callable[[int], None]]


@dataclass
class PushReport:
    nodes: dict[str, int] = field(default_factory=dict)
    edges: dict[str, int] = field(default_factory=dict)
    node_seconds: float = 0.0
    edge_seconds: float = 0.0
    pruned_nodes: int = 0
    pruned_edges: int = 0

    @property
    def node_rows(self) -> int:
        return sum(self.nodes.values())

    @property
    def edge_rows(self) -> int:
        return sum(self.edges.values())

    def as_dict(self) -> dict:
        d = asdict(self)
        d["node_rows_per_s"] = round(self.node_rows / self.node_seconds) if self.node_seconds else None
        d["edge_rows_per_s"] = round(self.edge_rows / self.edge_seconds) if self.edge_seconds else None
        return d


# -- property encoding --------------------------------------------------------

def encode_props(attrs: dict, **extra) -> dict:
    """Workspace attributes -> server properties (``None`` listed in ``_nulls``)."""
    out = {}
    nulls = []
    for k, v in attrs.items():
        if v is None:
            nulls.append(k)
        elif isinstance(v, tuple):
            out[k] = list(v)
        elif isinstance(v, float) and v != v:  # NaN cannot travel to FalkorDB
            nulls.append(k)
        else:
            out[k] = v
    if nulls:
        out[NULLS_PROP] = nulls
    out.update(extra)
    return out


def decode_props(props: dict, *drop: str) -> dict:
    out = {k: v for k, v in props.items() if k not in drop and k != NULLS_PROP}
    for k in props.get(NULLS_PROP) or ():
        out[k] = None
    return out


# -- statements (labels/types from the registry only) -------------------------

def node_statement(kind: str) -> str:
    return (f"UNWIND $rows AS row MERGE (n:{label(kind)} {{{ID_PROP}: row.xid}}) "
            f"SET n = row.p")


def edge_statement(kind: str, source_kind: str, target_kind: str) -> str:
    return (f"UNWIND $rows AS row "
            f"MATCH (a:{label(source_kind)} {{{ID_PROP}: row.s}}) "
            f"MATCH (b:{label(target_kind)} {{{ID_PROP}: row.t}}) "
            f"MERGE (a)-[r:{rel_type(kind)} {{{KEY_PROP}: row.k}}]->(b) SET r = row.p")


# -- the metadata node ----------------------------------------------------------

def read_meta(server: GraphServer) -> dict | None:
    rows = server.run(f"MATCH (m:{label(META_LABEL)} {{{ID_PROP}: $id}}) RETURN properties(m) AS p",
                      {"id": META_ID})
    return dict(rows[0]["p"]) if rows else None


def meta_record(*, complete: bool, nodes: int | None = None, edges: int | None = None,
                workspace_meta: dict | None = None) -> dict:
    """The meta node's properties, as push, the Cypher script and the CSV write them."""
    out = {"format": GRAPH_FORMAT, "format_version": GRAPH_FORMAT_VERSION,
           "xuncha": __version__, "complete": complete,
           "pushed_at": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")}
    if nodes is not None:
        out["nodes"] = nodes
    if edges is not None:
        out["edges"] = edges
    if workspace_meta is not None:
        out["workspace_meta"] = json.dumps(workspace_meta, ensure_ascii=False, default=str)
    return out


def write_meta(server: GraphServer, **props) -> None:
    server.write(f"MERGE (m:{label(META_LABEL)} {{{ID_PROP}: $id}}) SET m += $p",
                 {"id": META_ID, "p": props})


def check_graph(server: GraphServer, meta: dict | None = None, *, complete: bool = True) -> dict:
    """The server graph's metadata, after checking it is a complete xuncha graph of
    this format version (raise :class:`ServerError` naming the fix otherwise)."""
    meta = read_meta(server) if meta is None else meta
    where = server.uri.display()
    if meta is None:
        msg = (f"no xuncha graph at {where} (服务器上没有 xuncha 图): push one first with "
               f"`xuncha push --uri {where}`")
        graphs = getattr(server, "graphs", None)
        if graphs is not None:
            import difflib

            names = graphs()
            close = difflib.get_close_matches(server.uri.graph or "", names, n=3, cutoff=0.5)
            if close:
                msg += f"; did you mean 是否应为: {', '.join(close)}"
            elif names:
                msg += f"; graphs on this server: {', '.join(sorted(names)[:20])}"
        raise UnknownDatabase(msg)
    check_version(meta, where)
    if complete and not meta.get("complete"):
        raise ServerError(
            f"the last push to {where} did not finish (上次推送未完成, pushed "
            f"{meta.get('pushed_at')}): run `xuncha push --uri {where}` again to complete it")
    return meta


def check_version(meta: dict, where: str) -> None:
    if meta.get("format") != GRAPH_FORMAT or meta.get("format_version") != GRAPH_FORMAT_VERSION:
        raise GraphVersionError(
            f"the graph at {where} was pushed by xuncha {meta.get('xuncha', '?')} in graph "
            f"format {meta.get('format_version', '?')}; this xuncha {__version__} reads format "
            f"{GRAPH_FORMAT_VERSION} (图版本不兼容). Re-push it: "
            f"`xuncha push --uri {where} --wipe` (replaces xuncha's data only)")


# -- push ----------------------------------------------------------------------

def ensure_schema(server: GraphServer) -> None:
    """Uniqueness constraints on ``xid`` for every node label (and the meta node)."""
    d = server.dialect
    for kind in SCHEMA_KINDS:
        d.ensure_unique(server, kind)
    d.wait_constraints(server)


def node_rows(store: GraphStore, kind: str) -> list[dict]:
    return [{"xid": nid, "p": encode_props(attrs, **{ID_PROP: nid})}
            for nid, attrs in store.nodes(kind)]


def edge_groups(store: GraphStore) -> dict[tuple[str, str, str], list[dict]]:
    """(edge kind, source kind, target kind) -> rows, in registry order."""
    nodes = store.graph.nodes
    groups: dict[tuple[str, str, str], list[dict]] = {}
    order = {k: i for i, k in enumerate(EDGE_KINDS)}
    for u, v, key, attrs in store.graph.edges(keys=True, data=True):
        kind = attrs.get("kind")
        if kind not in EDGE_KINDS:
            raise ServerError(f"edge {u} -> {v} has kind {kind!r}, not in the registry")
        sk = nodes[u].get("kind") or split_id(u)[0]
        tk = nodes[v].get("kind") or split_id(v)[0]
        props = {k: x for k, x in attrs.items() if k != "kind"}
        groups.setdefault((kind, sk, tk), []).append(
            {"s": u, "t": v, "k": key, "p": encode_props(props, **{KEY_PROP: key})})
    return dict(sorted(groups.items(), key=lambda kv: (order[kv[0][0]], kv[0][1], kv[0][2])))


def push(store: GraphStore, server: GraphServer, batch_size: int = 5000,
         task: TaskFactory | None = None, wipe_first: bool = False,
         prune: bool = False) -> PushReport:
    """Upsert ``store``'s graph into ``server``; see the module docstring.

    ``prune`` afterwards deletes what the server holds of xuncha's and the
    workspace no longer does (:func:`prune_stale`); the graph is marked
    complete only after that.

    Raises :class:`GraphVersionError` when the server holds a graph of another
    format (unless ``wipe_first``), and :class:`Unreachable` naming how far it
    got when the connection is lost (pushing again completes the graph).
    """
    if batch_size < 1:
        raise ValueError("batch size must be at least 1")
    meta = read_meta(server)
    if meta is not None and not wipe_first:
        check_version(meta, server.uri.display())
    if wipe_first:
        wipe(server)
    ensure_schema(server)
    write_meta(server, **meta_record(complete=False))
    report = PushReport()
    written = 0
    try:
        t0 = time.perf_counter()
        n_total = store.graph.number_of_nodes()
        advance = task("nodes 节点", n_total) if task else None
        for kind in NODE_KINDS:
            rows = node_rows(store, kind)
            if rows:
                written += server.write_batches(node_statement(kind), rows, batch_size, advance)
                report.nodes[kind] = len(rows)
        unknown = {a.get("kind") for _, a in store.graph.nodes(data=True)} - set(NODE_KINDS)
        if unknown:
            raise ServerError(f"nodes of kinds not in the registry: {sorted(map(str, unknown))}")
        report.node_seconds = time.perf_counter() - t0
        t0 = time.perf_counter()
        groups = edge_groups(store)
        advance = task("relationships 关系", sum(map(len, groups.values()))) if task else None
        for (kind, sk, tk), rows in groups.items():
            written += server.write_batches(edge_statement(kind, sk, tk), rows, batch_size, advance)
            report.edges[kind] = report.edges.get(kind, 0) + len(rows)
        report.edge_seconds = time.perf_counter() - t0
        # Whole-dataset statistics (text terms…) for indexed look-ups (stats.py).
        from .stats import push_derived

        push_derived(store, server, batch_size, task)
        if prune:
            report.pruned_nodes, report.pruned_edges = prune_stale(store, server, task=task)
    except Unreachable as exc:
        raise Unreachable(
            f"{exc}\nThe push stopped after {written:,} rows (推送中断). Nothing is duplicated: "
            "run the same `xuncha push` again once the server is back to complete it.") from None
    write_meta(server, **meta_record(complete=True, nodes=report.node_rows,
                                     edges=report.edge_rows, workspace_meta=store.meta or {}))
    return report


def prune_stale(store: GraphStore, server: GraphServer, page: int = 20_000,
                task: TaskFactory | None = None) -> tuple[int, int]:
    """Delete xuncha's nodes and relationships on ``server`` that ``store`` no longer
    holds; returns (nodes deleted, relationships deleted).

    Reads the server's ids page by page (keyset pagination on the unique
    ``xid``) and its relationships by batches of start nodes, as ``pull`` does;
    deletes in batches by ``xid`` and by ``(start, type, key, end)``.
    """
    g = store.graph
    advance = task("pruning 清理", g.number_of_nodes()) if task else None
    gone_nodes: dict[str, list[str]] = {}
    kept: dict[str, list[str]] = {}
    for kind in NODE_KINDS:
        after = ""
        while True:
            rows = server.run(
                f"MATCH (n:{label(kind)}) WHERE n.{ID_PROP} > $after "
                f"RETURN n.{ID_PROP} AS xid ORDER BY xid LIMIT $limit",
                {"after": after, "limit": page})
            for r in rows:
                (kept if r["xid"] in g else gone_nodes).setdefault(kind, []).append(r["xid"])
            if len(rows) < page:
                break
            after = rows[-1]["xid"]
    gone_edges: dict[tuple[str, str, str], list[dict]] = {}
    for kind, xids in kept.items():
        for chunk in batched(xids, page):
            # As few columns as possible: reading the rows back is most of the cost.
            rows = server.run(
                f"UNWIND $ids AS x MATCH (:{label(kind)} {{{ID_PROP}: x}})-[r]->(b) "
                f"RETURN x AS s, b.{ID_PROP} AS t, type(r) AS type, r.{KEY_PROP} AS k",
                {"ids": chunk})
            for r in rows:
                if r["type"] not in EDGE_KINDS or r["t"] is None or r["k"] is None:
                    continue  # not xuncha's
                if g.has_edge(r["s"], r["t"], r["k"]) and \
                        g.edges[r["s"], r["t"], r["k"]].get("kind") == r["type"]:
                    continue
                tk = r["t"].partition(":")[0]  # xids are kind:id
                if tk not in NODE_KINDS:
                    continue
                gone_edges.setdefault((r["type"], kind, tk), []).append(
                    {"s": r["s"], "t": r["t"], "k": r["k"]})
            if advance:
                advance(len(chunk))
    n_edges = 0
    for (etype, sk, tk), rows in gone_edges.items():
        stmt = (f"UNWIND $rows AS row MATCH (a:{label(sk)} {{{ID_PROP}: row.s}})"
                f"-[r:{rel_type(etype)} {{{KEY_PROP}: row.k}}]->(b:{label(tk)} {{{ID_PROP}: row.t}}) "
                f"DELETE r RETURN count(*) AS n")
        for chunk in batched(rows, page):
            n_edges += server.write(stmt, {"rows": chunk})[0]["n"]
    n_nodes = 0
    for kind, xids in gone_nodes.items():
        stmt = (f"UNWIND $ids AS x MATCH (n:{label(kind)} {{{ID_PROP}: x}}) "
                f"DETACH DELETE n RETURN count(*) AS n")
        for chunk in batched(xids, page):
            n_nodes += server.write(stmt, {"ids": chunk})[0]["n"]
    return n_nodes, n_edges



def wipe(server: GraphServer, batch: int = 10_000) -> int:
    """Delete xuncha's nodes (those with an ``xid``, of registry labels) and their
    relationships, batch by batch; returns how many nodes were deleted."""
    d = server.dialect
    total = 0
    for kind in list(NODE_KINDS) + [META_LABEL]:
        while True:
            n = server.write(d.delete_batch(kind), {"limit": batch})[0]["deleted"]
            total += n
            if not n:
                break
    from .stats import wipe_derived

    wipe_derived(server, batch)  # the statistics go with the graph (not counted)
    if server.dialect.name == "falkordb":
        left = server.run("MATCH (n) RETURN count(n) AS n")[0]["n"]
        if not left:  # nothing but xuncha's data was there: drop the key too
            d.drop_graph(server)
    return total
