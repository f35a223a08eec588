"""Pull a graph pushed by xuncha back into a workspace graph.

The inverse of :mod:`xuncha.graph.server.push`: nodes of every registry label
with an ``xid`` (page by page, keyset-paginated on the unique ``xid``), then
the relationships leaving them (by batches of known ids), restoring ids,
edge keys, ``kind`` and ``None`` attributes, so ``pull(push(g)) == g``,
property types included.  Refuses a graph of another format version and a
push that did not finish.
"""

from __future__ import annotations

import json

import networkx as nx

from ..schema import EDGE_KINDS, NODE_KINDS
from ..store import GraphStore
from .base import GraphServer, batched
from .dialect import ID_PROP, KEY_PROP, label
from .push import TaskFactory, check_graph, decode_props

PAGE = 20_000


def pull(server: GraphServer, task: TaskFactory | None = None, page: int = PAGE) -> GraphStore:
    meta = check_graph(server)
    g = nx.MultiDiGraph()
    advance = task("nodes 节点", int(meta.get("nodes") or 0)) if task else None
    ids: dict[str, list[str]] = {}
    for kind in NODE_KINDS:
        after = ""
        mine = ids[kind] = []
        while True:
            rows = server.run(
                f"MATCH (n:{label(kind)}) WHERE n.{ID_PROP} > $after "
                f"RETURN n.{ID_PROP} AS xid, properties(n) AS p ORDER BY xid LIMIT $limit",
                {"after": after, "limit": page})
            for r in rows:
                g.add_node(r["xid"], **decode_props(r["p"], ID_PROP))
                mine.append(r["xid"])
            if advance:
                advance(len(rows))
            if len(rows) < page:
                break
            after = rows[-1]["xid"]
    advance = task("relationships 关系", int(meta.get("edges") or 0)) if task else None
    for kind, xids in ids.items():
        for chunk in batched(xids, page):
            rows = server.run(
                f"UNWIND $ids AS x MATCH (a:{label(kind)} {{{ID_PROP}: x}}) MATCH (a)-[r]->(b) "
                f"WITH a, r, b WHERE b.{ID_PROP} IS NOT NULL "
                f"RETURN a.{ID_PROP} AS s, b.{ID_PROP} AS t, type(r) AS type, properties(r) AS p",
                {"ids": chunk})
            n = 0
            for r in rows:
                if r["type"] not in EDGE_KINDS or r["t"] not in g:
                    continue  # not xuncha's
                p = dict(r["p"])
                key = p.get(KEY_PROP, r["type"])
                g.add_edge(r["s"], r["t"], key, **decode_props(p, KEY_PROP), kind=r["type"])
                n += 1
            if advance:
                advance(n)
    try:
        ws_meta = json.loads(meta.get("workspace_meta") or "{}")
    except ValueError:
        ws_meta = {}
    ws_meta["pulled_from"] = server.uri.display()
    ws_meta["pushed_at"] = meta.get("pushed_at")
    return GraphStore(g, ws_meta)
