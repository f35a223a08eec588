"""Derived tables on a graph server: written by ``push``, read by indexed look-ups.

The workspace saves every derived table (:mod:`xuncha.graph.derived`: text
term statistics, base rates…) one row per key; ``push`` writes the same rows
to the server, so a server query reads the keys it needs through an index
instead of scanning every item's text (``CONTAINS``), and answers exactly as
the embedded query (same rows, same arithmetic).

Layout: one node per row, label :data:`DERIVED_LABEL`, properties ``k`` (the
row key, indexed), ``tbl`` (the table) and ``v`` (the value as JSON text):

- a plain key of table ``t``: ``k = "t\\x1fkey"``;
- a large dict value is stored a row per inner key, as in the workspace:
  ``k = "t\\x1fouter\\x1finner"`` (e.g. one row per term of
  ``text_stats["df"]`` and of ``text_stats["postings"]``);
- one row per table, ``k = "\\x1et"``, holds ``{"version", "size", "nested"}``;
  a table whose version differs from this xuncha's builder is not read.

A push deletes the rows of the tables it writes first, so a re-push leaves
no stale term behind; ``--wipe`` removes them with the graph.  Databases made
by ``export cypher``/``export csv`` hold no such rows: the queries then fall
back to computing on the server.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Callable, Iterator

from .base import GraphServer

DERIVED_LABEL = "XunchaDerived"
SEP = "\x1f"
META = "\x1e"
NEST_MIN = 256  # as the workspace (graph/workspace.py): dict values this large are nested


def _dumps(v) -> str:
    return json.dumps(v, ensure_ascii=False, separators=(",", ":"))


def _table_rows(name: str, table: Mapping, version: int) -> Iterator[dict]:
    """The rows of one table (its meta row last)."""
    nested: dict[str, int] = {}
    size = 0
    for k, v in table.items():
        k = str(k)
        size += 1
        if isinstance(v, Mapping) and len(v) >= NEST_MIN and SEP not in k:
            nested[k] = len(v)
            for sk, sv in v.items():
                yield {"k": f"{name}{SEP}{k}{SEP}{sk}", "t": name, "v": _dumps(sv)}
        else:
            yield {"k": f"{name}{SEP}{k}", "t": name,
                   "v": _dumps(dict(v.items()) if isinstance(v, Mapping) else v)}
    yield {"k": f"{META}{name}", "t": name,
           "v": _dumps({"version": version, "size": size, "nested": nested})}


def ensure_index(server: GraphServer) -> None:
    lab = DERIVED_LABEL
    if server.dialect.name == "neo4j":
        server.write(f"CREATE INDEX xuncha_derived_k IF NOT EXISTS FOR (n:`{lab}`) ON (n.k)")
        return
    have = {(r["label"], p) for r in server.run(
        "CALL db.indexes() YIELD label, properties RETURN label, properties")
        for p in (r["properties"] or ())}
    if (lab, "k") not in have:
        try:
            server.write(f"CREATE INDEX FOR (n:`{lab}`) ON (n.k)")
        except Exception as exc:  # noqa: BLE001 - "already indexed" (a race) is fine
            if "already indexed" not in str(exc):
                raise


def wipe_derived(server: GraphServer, batch: int = 10_000) -> int:
    """Delete every derived row on the server; returns how many."""
    total = 0
    while True:
        n = server.write(f"MATCH (n:`{DERIVED_LABEL}`) WITH n LIMIT $limit DELETE n "
                         "RETURN count(*) AS deleted", {"limit": batch})[0]["deleted"]
        total += n
        if not n:
            return total


def push_derived(store, server: GraphServer, batch_size: int = 5000,
                 task: Callable[[str, int], Callable[[int], None]] | None = None) -> int:
    """Write every derived table of ``store`` to ``server`` (replacing what was
    there); returns the rows written."""
    from .. import derived

    derived.import_providers()
    ensure_index(server)
    wipe_derived(server)
    written = 0
    for name in sorted(derived.BUILDERS):
        rows = list(_table_rows(name, store.derived(name), derived.VERSIONS[name]))
        advance = task(f"statistics 统计 {name}", len(rows)) if task else None
        written += server.write_batches(
            f"UNWIND $rows AS row CREATE (:`{DERIVED_LABEL}` {{k: row.k, tbl: row.t, v: row.v}})",
            rows, batch_size, advance)
    return written


class ServerTable(Mapping):
    """A derived table read from the server a few keys per statement (cached)."""

    def __init__(self, server: GraphServer, name: str, size: int, nested: dict | None = None,
                 prefix: str | None = None):
        self._server = server
        self._name = name
        self._size = size
        self._nested = nested or {}
        self._prefix = prefix if prefix is not None else f"{name}{SEP}"
        self._cache: dict = {}
        self._missing: set = set()

    def _wanted(self, keys) -> list[str]:
        return [k for k in keys if isinstance(k, str) and k not in self._cache
                and k not in self._missing and k not in self._nested]

    @staticmethod
    def read(requests) -> None:
        """Read the keys of several tables on one server at once: ``requests``
        is ``[(table, keys)]``; one statement per 2,000 keys in all (then
        :meth:`get_many` answers from the cache)."""
        wanted = [(t, k) for t, keys in requests if isinstance(t, ServerTable)
                  for k in t._wanted(list(dict.fromkeys(keys)))]
        for i in range(0, len(wanted), 2000):
            part = wanted[i:i + 2000]
            full = {t._prefix + k: (t, k) for t, k in part}
            rows = part[0][0]._server.run(
                f"UNWIND $ks AS x MATCH (n:`{DERIVED_LABEL}` {{k: x}}) RETURN n.k AS k, n.v AS v",
                {"ks": list(full)})
            for r in rows:
                t, k = full[r["k"]]
                t._cache[k] = json.loads(r["v"])
            for t, k in part:
                if k not in t._cache:
                    t._missing.add(k)

    def get_many(self, keys) -> dict:
        """``{key: value}`` of the keys present: one statement per 2,000 keys."""
        keys = list(dict.fromkeys(keys))
        ServerTable.read([(self, keys)])
        for k in keys:
            if k in self._nested and k not in self._cache:
                self._cache[k] = ServerTable(self._server, self._name, self._nested[k],
                                             prefix=f"{self._prefix}{k}{SEP}")
        return {k: self._cache[k] for k in keys if k in self._cache}

    def __getitem__(self, key):
        got = self.get_many([key])
        if key not in got:
            raise KeyError(key)
        return got[key]

    def __contains__(self, key) -> bool:
        return key in self.get_many([key])

    def __iter__(self):
        p = self._prefix
        rows = self._server.run(f"MATCH (n:`{DERIVED_LABEL}`) WHERE n.tbl = $t AND n.k STARTS WITH $p "
                                "RETURN n.k AS k", {"t": self._name, "p": p})
        keys = {r["k"][len(p):] for r in rows}
        keys = {k for k in keys if SEP not in k} | set(self._nested)
        return iter(sorted(keys))

    def __len__(self) -> int:
        return self._size


def server_table(server: GraphServer, name: str) -> ServerTable | None:
    """Derived table ``name`` as pushed, or None (not pushed, or by another
    builder version)."""
    from .. import derived

    derived.import_providers()
    try:
        rows = server.run(f"MATCH (n:`{DERIVED_LABEL}` {{k: $k}}) RETURN n.v AS v",
                          {"k": f"{META}{name}"})
    except Exception:  # noqa: BLE001 - no such label on this server
        return None
    if not rows:
        return None
    meta = json.loads(rows[0]["v"])
    if meta.get("version") != derived.VERSIONS.get(name):
        return None
    return ServerTable(server, name, int(meta.get("size", 0)), meta.get("nested"))


def similar_from(table: Mapping, text: str | None, doc: str | None, min_similarity: float,
                 limit: int | None = None) -> list[tuple[str, float]]:
    """:func:`xuncha.queries.text.similar_in` over a ``text_stats`` table read
    key by key: N and the seed's terms (document frequencies and postings),
    one statement; then the norms of the candidates (one per 2,000).
    The same arithmetic on the same numbers: the same answer."""
    from ...queries.text import similar_in, terms

    ta = terms(text)
    if not ta:
        return []
    many = getattr(table["df"], "get_many", None)
    if many is None:  # an in-memory table
        return similar_in(table, ta, doc, min_similarity, limit)
    tl = sorted(ta)
    sub = table.get_many(["df", "postings"])  # nested tables: no statement
    ServerTable.read([(table, ["n"]), (sub.get("df"), tl), (sub.get("postings"), tl)])
    df = table["df"].get_many(tl)
    postings = table["postings"].get_many(tl)
    cands = sorted({d for t in tl for d in postings.get(t, ())})
    norms = table["norm"].get_many(cands)
    stats = {"n": table["n"], "df": df, "postings": postings, "norm": norms}
    return similar_in(stats, ta, doc, min_similarity, limit)
