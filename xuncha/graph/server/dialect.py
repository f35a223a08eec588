"""Every difference between the Cypher of Neo4j and of FalkorDB, in one place.

xuncha's statements use the subset both servers accept (``UNWIND``,
``MATCH``/``OPTIONAL MATCH``, ``MERGE``, ``SET n = map``, ``collect``,
``count``, ``CASE``, list comprehensions, ``properties()``, ``labels()``).
What differs is named here and nowhere else:

================  ======================================  ==========================================
difference         Neo4j 5                                 FalkorDB
================  ======================================  ==========================================
unique constraint  ``CREATE CONSTRAINT … IF NOT EXISTS      ``GRAPH.CONSTRAINT CREATE g UNIQUE NODE L
                   FOR (n:L) REQUIRE n.xid IS UNIQUE``     PROPERTIES 1 xid`` – a command, not Cypher;
                   (brings its own index)                  needs a range index first
                                                           (``CREATE INDEX FOR (n:L) ON (n.xid)``);
                                                           built asynchronously (PENDING -> OPERATIONAL)
shortest path      ``MATCH p = shortestPath((a)-[*..k]-(b))`` ``shortestPath`` only directed and only in
                   directed or not                         WITH/RETURN: undirected paths are searched
                                                           breadth-first from the client, one hop per
                                                           query (see :attr:`Dialect.undirected_shortest_path`)
existence test     ``EXISTS { MATCH (n)-[:R]->() }``        a pattern predicate ``(n)-[:R]->()``
                   (pattern predicates deprecated)         (``EXISTS {}`` is a syntax error)
temporal values    has ``date()``; xuncha stores ISO       has ``date()`` too (4.x), but a date never
                   strings ``YYYY-MM-DD`` (see below)      equals or orders with a string: ``d <
                                                           '2021-01-01'`` is silently false; xuncha
                                                           stores ISO strings ``YYYY-MM-DD`` on both
dropping a graph   no ``DROP DATABASE`` on Community:      ``GRAPH.DELETE key`` (after the batched
                   delete nodes in batches                 delete, when nothing else is left)
                   (``CALL {…} IN TRANSACTIONS``)
parameters         sent natively (Bolt)                    inlined by the client into a ``CYPHER
                                                           k=v`` header: NaN/Infinity cannot travel
                                                           (xuncha never stores them)
================  ======================================  ==========================================

Dates are ISO strings on every route into a server — ``push``, the Cypher
script (``export cypher``) and the bulk-import CSV (``export csv``, whose
headers therefore type dates as plain strings, not ``:date``).  Strings
because: the workspace holds them so, every server query compares them with
ISO string parameters (which order as dates), ``pull`` gives them back
unchanged, and one database must never mix the two — on both servers a
``date`` compared with a string is simply false, so a mixed database answers
wrongly without an error.  Write ``date(n.start)`` in your own Cypher to get
a temporal value.

Schema statements are idempotent on both servers: Neo4j's ``CREATE
CONSTRAINT … IF NOT EXISTS``; on FalkorDB, which has no ``IF NOT EXISTS``,
:meth:`Dialect.ensure_unique` creates the range index and the constraint
only when missing (so it can run any number of times), and
:func:`xuncha.export.cypher.run_script` runs a script's constraint lines
through it.

Labels and relationship types in statements come only from the registry
(:func:`label`, :func:`rel_type`), checked against it and quoted with
backticks, so no input can reach a statement's text.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from ..schema import EDGE_KINDS, NODE_KINDS

#: Property holding a node's workspace id (``kind:id``); unique per label.
ID_PROP = "xid"
#: Property holding an edge's networkx key (``KIND`` or ``KIND#2``): its identity.
KEY_PROP = "key"
#: Label of the one metadata node (format version, push state).
META_LABEL = "XunchaMeta"
META_ID = "xuncha"

_LABELS = {k: v.label for k, v in NODE_KINDS.items()}
_ALL_LABELS = frozenset(_LABELS.values()) | {META_LABEL}


def label(kind: str) -> str:
    """The quoted label of node kind ``kind`` (only registry kinds)."""
    lab = _LABELS.get(kind) if kind in _LABELS else (kind if kind == META_LABEL else None)
    if lab is None or lab not in _ALL_LABELS:
        raise KeyError(f"not a node kind in the registry: {kind!r}")
    return f"`{lab}`"


#: Every label that carries a unique ``xid``: the registry's node kinds and the meta node.
SCHEMA_KINDS = (*NODE_KINDS, META_LABEL)


def constraint_statement(kind: str, prop: str = ID_PROP) -> str:
    """Neo4j 5's idempotent uniqueness constraint on ``(kind).prop``, without ``;``.

    >>> constraint_statement("cadre")
    'CREATE CONSTRAINT xuncha_cadre_xid IF NOT EXISTS FOR (n:`Cadre`) REQUIRE n.xid IS UNIQUE'
    """
    lab = label(kind)
    return (f"CREATE CONSTRAINT xuncha_{lab.strip('`').lower()}_{prop} IF NOT EXISTS "
            f"FOR (n:{lab}) REQUIRE n.{prop} IS UNIQUE")


def kind_of_label(bare: str) -> str:
    """The node kind (or the meta label) whose label is ``bare`` (``Cadre`` -> ``cadre``)."""
    for k in SCHEMA_KINDS:
        if label(k).strip("`") == bare:
            return k
    raise KeyError(f"not a label in the registry: {bare!r}")


def rel_type(kind: str) -> str:
    """The quoted relationship type of edge kind ``kind`` (only registry kinds)."""
    if kind not in EDGE_KINDS:
        raise KeyError(f"not an edge kind in the registry: {kind!r}")
    return f"`{EDGE_KINDS[kind].name}`"


@dataclass(frozen=True)
class Dialect:
    name: str
    undirected_shortest_path: bool
    has_transactions_clause: bool

    # -- existence -----------------------------------------------------------
    def exists(self, pattern: str) -> str:
        """A WHERE predicate true when ``pattern`` matches at least once."""
        if self.name == "neo4j":
            return f"EXISTS {{ MATCH {pattern} }}"
        return f"{pattern}"

    # -- shortest paths ------------------------------------------------------
    def shortest_path_match(self, max_hops: int, rel: str = "") -> str:
        """A MATCH clause binding ``p`` to a shortest ``a``–``b`` path (Neo4j only;
        FalkorDB has no undirected form: callers search breadth-first)."""
        if not self.undirected_shortest_path:
            raise NotImplementedError("FalkorDB: undirected shortestPath is not supported")
        return f"MATCH p = shortestPath((a)-[{rel}*..{int(max_hops)}]-(b))"

    # -- constraints ---------------------------------------------------------
    def ensure_unique(self, server, kind: str, prop: str = ID_PROP) -> None:
        """Create (if missing) a uniqueness constraint on ``(kind).prop``."""
        lab = label(kind)
        bare = lab.strip("`")
        if self.name == "neo4j":
            server.write(constraint_statement(kind, prop))
            return
        # FalkorDB: a range index first, then the constraint command; neither has
        # IF NOT EXISTS, so look first (and still accept losing a race).
        have = {(r["label"], p) for r in server.run(
            "CALL db.indexes() YIELD label, properties RETURN label, properties")
            for p in (r["properties"] or ())}
        if (bare, prop) not in have:
            try:
                server.write(f"CREATE INDEX FOR (n:{lab}) ON (n.{prop})")
            except Exception as exc:  # noqa: BLE001 - "already indexed" is fine
                if "already indexed" not in str(exc):
                    raise
        cons = {(r["label"], tuple(r["properties"] or ())) for r in server.run(
            "CALL db.constraints() YIELD label, properties RETURN label, properties")}
        if (bare, (prop,)) in cons:
            return
        try:
            server.command("GRAPH.CONSTRAINT", "CREATE", server.uri.graph, "UNIQUE", "NODE",
                           bare, "PROPERTIES", 1, prop)
        except Exception as exc:  # noqa: BLE001
            if "already exists" not in str(exc):
                raise

    def wait_constraints(self, server, timeout: float = 60.0) -> None:
        """FalkorDB builds constraints asynchronously: wait until none is pending."""
        if self.name == "neo4j":
            return
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            rows = server.run("CALL DB.CONSTRAINTS() YIELD status RETURN status")
            if all(r["status"] != "PENDING" for r in rows):
                failed = [r for r in rows if r["status"] == "FAILED"]
                if failed:
                    from .base import ServerError

                    raise ServerError("a uniqueness constraint failed to build on FalkorDB "
                                      "(唯一约束创建失败): the graph holds duplicate ids; "
                                      "re-push with --wipe")
                return
            time.sleep(0.05)

    # -- deleting --------------------------------------------------------------
    def delete_batch(self, kind: str) -> str:
        """A statement deleting up to ``$limit`` xuncha nodes of ``kind`` (and
        their relationships), returning ``deleted``; run until it returns 0."""
        return (f"MATCH (n:{label(kind)}) WHERE n.{ID_PROP} IS NOT NULL "
                f"WITH n LIMIT $limit DETACH DELETE n RETURN count(*) AS deleted")

    def drop_graph(self, server) -> None:
        """Remove the whole graph (tests and --wipe on an otherwise empty graph)."""
        if self.name == "neo4j":
            for kind in list(NODE_KINDS) + [META_LABEL]:
                while server.write(self.delete_batch(kind), {"limit": 10_000})[0]["deleted"]:
                    pass
            return
        try:
            server.command("GRAPH.DELETE", server.uri.graph)
        except Exception as exc:  # noqa: BLE001 - deleting a missing graph is fine
            if "empty key" not in str(exc).lower() and "invalid graph" not in str(exc).lower():
                raise


NEO4J = Dialect("neo4j", undirected_shortest_path=True, has_transactions_clause=True)
FALKORDB = Dialect("falkordb", undirected_shortest_path=False, has_transactions_clause=False)
