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
from .base import GraphServer, GraphVersionError, ServerError, Unreachable, UnknownDatabase
from .dialect import ID_PROP, KEY_PROP, META_ID, META_LABEL, label, rel_type

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
    for kind in list(NODE_KINDS) + [META_LABEL]:
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
         task: TaskFactory | None = None, wipe_first: bool = False) -> PushReport:
    """Upsert ``store``'s graph into ``server``; see the module docstring.

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
    write_meta(server, format=GRAPH_FORMAT, format_version=GRAPH_FORMAT_VERSION,
               xuncha=__version__, complete=False,
               pushed_at=_dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"))
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
    except Unreachable as exc:
        raise Unreachable(
            f"{exc}\nThe push stopped after {written:,} rows (推送中断). Nothing is duplicated: "
            "run the same `xuncha push` again once the server is back to complete it.") from None
    write_meta(server, complete=True, nodes=report.node_rows, edges=report.edge_rows,
               workspace_meta=json.dumps(store.meta or {}, ensure_ascii=False, default=str))
    return report


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
    if server.dialect.name == "falkordb":
        left = server.run("MATCH (n) RETURN count(n) AS n")[0]["n"]
        if not left:  # nothing but xuncha's data was there: drop the key too
            d.drop_graph(server)
    return total
