"""The saved workspace: a loaded graph that later commands open without re-parsing.

Layout of a workspace directory (default ``./.xuncha/``, or ``XUNCHA_WORKSPACE``)::

    graph.db        the graph, its indexes and derived tables (SQLite)
    rejected.csv    rows a --lenient load refused, with the reason (optional)

``graph.db`` is an SQLite database of JSON values (never pickle: opening a
workspace a colleague sent must not run code; it is opened read-only and
holds no code).  A command reads only the rows it needs
(:mod:`xuncha.graph.saved`): opening costs milliseconds whatever the size.
Tables::

    info(key, value)            format, version, xuncha, saved, meta, node and
                                edge counts per kind, edge kind -> source node
                                kinds, derived table versions (JSON values)
    node(seq, id, kind, attrs)  one row per node in load order; attrs = JSON
                                object; indexed by id (unique) and (kind, seq)
    adj(seq, succ, pred)        the node's out-edges {target: {key: attrs}}
                                (JSON) and the seqs of the nodes its in-edges
                                come from, ascending (a JSON array: each
                                edge's attributes are stored once, in its
                                source's row); NULL when none
    name(name, seq)             what a node can be looked up by besides its id
                                (store.name_keys: raw id, name, aliases…;
                                indexed), but the raw id of a node whose id is
                                kind:raw (found by id instead)
    derived(tbl, key, value)    tables of graph/derived.py builders (indexed);
                                a large dict value is stored a row per inner
                                key ("outer\x1finner"), read one key at a time
    hops(name, data)            the adjacency as compressed sparse rows over
                                node ranks, one array per row, for path
                                searches (:mod:`xuncha.graph.hops`)

It is written to a temporary file in the same directory and renamed over the
old one, so a crash mid-save leaves the previous workspace intact.  The
previous formats (``graph.json``, version 3; ``graph.db`` of version 4,
without ``hops``; version 5, in-edges with their attributes) are refused with
a message to load the ledgers again.  Measured against it in bench/README.md ("Workspace").
"""

from __future__ import annotations

import datetime as _dt
import os
from contextlib import contextmanager
from itertools import count, repeat

from pathlib import Path

import networkx as nx

from .. import __version__
from ..errors import XunchaError
from .store import GraphStore

if False:  # pragma: no cover - typing only
    from .saved import WorkspaceStore

FORMAT = "xuncha-workspace"
FORMAT_VERSION = 6  # 5: the path search's compact adjacency (hops); 6: in-edges as
#                    source seqs (attributes stored once), names without kind:raw ids
GRAPH_FILE = "graph.db"
OLD_FILE = "graph.json"  # format version <= 3
DEFAULT_DIR = ".xuncha"


class WorkspaceError(XunchaError):
    """A workspace that is missing, corrupt or from another format version."""


def default_path() -> Path:
    return Path(os.environ.get("XUNCHA_WORKSPACE") or DEFAULT_DIR)


def _dumps(obj) -> bytes:
    try:
        import orjson
    except ImportError:  # pragma: no cover - orjson is a dependency
        import json

        return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()
    return orjson.dumps(obj)


def _loads(data: bytes):
    try:
        import orjson
    except ImportError:  # pragma: no cover
        import json

        return json.loads(data)
    return orjson.loads(data)


@contextmanager
def atomic_open(path: Path):
    """A binary file handle whose content replaces ``path`` only on success.

    Writes go to a temporary file in the same directory, flushed to disk and
    renamed over ``path``; on any error the temporary file is removed and the
    old ``path`` is untouched.  A success also removes the stale temporary
    files of earlier, interrupted writes (:mod:`xuncha.tempfiles`).
    """
    from ..tempfiles import clean_stale, mkstemp

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = mkstemp(path, "tmp")
    try:
        with os.fdopen(fd, "wb", buffering=1 << 20) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        # Leftovers of interrupted saves (writer gone) go with this success.
        clean_stale(path.parent, path.name)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def atomic_write(path: Path, data: bytes | str) -> None:
    """Write ``data`` to ``path`` via a temporary file and an atomic rename."""
    with atomic_open(path) as fh:
        fh.write(data.encode("utf-8") if isinstance(data, str) else data)


@contextmanager
def atomic_path(path: Path):
    """A temporary path in ``path``'s directory that replaces ``path`` on success.

    For writers that need a file name (SQLite): the same guarantees as
    :func:`atomic_open` (fsync, atomic rename, the temporary file removed on
    any error, the old ``path`` untouched).
    """
    from ..tempfiles import clean_stale, mkstemp

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = mkstemp(path, "tmp")
    os.close(fd)
    try:
        yield Path(tmp)
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
        clean_stale(path.parent, path.name)
    except BaseException:
        for p in (tmp, tmp + "-journal"):
            try:
                os.unlink(p)
            except FileNotFoundError:
                pass
        raise


SCHEMA = """
CREATE TABLE info(key TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE node(seq INTEGER PRIMARY KEY, id TEXT NOT NULL, kind TEXT, attrs BLOB NOT NULL);
CREATE TABLE adj(seq INTEGER PRIMARY KEY, succ BLOB, pred BLOB);
CREATE TABLE name(name TEXT NOT NULL, seq INTEGER NOT NULL);
CREATE TABLE derived(tbl TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL);
CREATE TABLE hops(name TEXT PRIMARY KEY, data BLOB NOT NULL);
"""
INDEXES = """
CREATE UNIQUE INDEX node_id ON node(id);
CREATE INDEX node_kind ON node(kind, seq);
CREATE INDEX name_name ON name(name, seq);
CREATE UNIQUE INDEX derived_key ON derived(tbl, key);
"""
APPLICATION_ID = 0x78636861  # "xcha"
SEP = "\x1f"  # derived tables: outer and inner key of a nested value
NEST_MIN = 256  # a dict value with at least this many keys is stored nested
PAGE_SIZE = 32768  # bytes per SQLite page (see bench/README.md, "Workspace")


BATCH = 64  # rows per INSERT statement (SQLite's cost per statement is per row's)


def _insert(con, table: str, width: int, rows) -> None:
    """INSERT ``rows`` (tuples of ``width`` values) into ``table``, BATCH
    rows per statement: a third less CPU than one statement a row."""
    from itertools import chain, islice

    it = iter(rows)
    many = f"INSERT INTO {table} VALUES " + ",".join([f"({','.join('?' * width)})"] * BATCH)
    flat = chain.from_iterable
    tail: list = []

    def batches():
        while True:
            part = tuple(islice(it, BATCH))
            if len(part) < BATCH:
                tail.extend(part)
                return
            yield tuple(flat(part))

    con.executemany(many, batches())
    if tail:
        con.execute(f"INSERT INTO {table} VALUES " + ",".join([f"({','.join('?' * width)})"] * len(tail)),
                    tuple(flat(tail)))


def _adj_rows(et, dumps):
    """``(seq, succ, pred)`` of every node with an edge: its out-edges
    ``{target: {key: attrs}}`` and the seqs of the nodes its in-edges come
    from, ascending (each edge's attributes are stored once, with its source)."""
    import numpy as np

    order = np.argsort(et.tgt, kind="stable")  # pairs by target, sources ascending
    sources = (et.src[order] + 1).tolist()
    del order
    ends = np.cumsum(np.bincount(et.tgt, minlength=et.n)).tolist()
    start = 0
    for i, s, end in zip(range(1, et.n + 1), et.succ, ends):
        if s or end > start:
            yield i, dumps(s) if s else None, dumps(sources[start:end]) if end > start else None
        start = end


def _name_rows(ids, vals):
    """``(name, seq)``: :func:`~xuncha.graph.store.name_keys` of every node
    but the raw id of a node whose id is ``kind:raw id`` (the reader finds
    those by id; see :meth:`~xuncha.graph.saved.WorkspaceStore._name_hits`).
    Nodes without aliases or source records take a shorter road."""
    from .store import name_keys

    plain = map(_EXTRA_NAMES.isdisjoint, vals)
    for i, ok, nid, attrs in zip(count(1), plain, ids, vals):
        if ok:
            raw = attrs.get("id")
            name = attrs.get("name")
            if raw is not None:
                if raw.__class__ is str:
                    kind = attrs.get("kind")
                    if kind.__class__ is not str or nid != f"{kind}:{raw}":
                        yield raw, i
                else:
                    raw = str(raw)
                    yield raw, i
            if name and name.__class__ is str and name != raw:
                yield name, i
        else:
            for x in name_keys(attrs):  # the same keys as GraphStore._names
                yield x, i


# The attributes besides id and name that store.name_keys reads.
_EXTRA_NAMES = frozenset(("aliases", "source_id", "sources", "source_names"))


def _write_db(file: Path, g: nx.MultiDiGraph, meta: dict, tables: dict) -> dict:
    """Write the graph into a new SQLite file; returns the info written."""
    import sqlite3

    import orjson

    from .hops import EdgeTable

    dumps = orjson.dumps
    nodes = g._node
    if any(n.__class__ is not str for n in nodes):
        bad = next(n for n in nodes if n.__class__ is not str)
        raise TypeError(f"node id {bad!r} is not a string")
    # Every edge as flat arrays, gathered without Python code per edge: the
    # counts, the in-edge rows and the path index all come from it.
    et = EdgeTable(g)
    e_kind = et.edge_counts()
    e_src = et.edge_sources()
    n_kind = et.node_counts()

    con = sqlite3.connect(file, isolation_level=None)
    try:
        # A new file, renamed over the old one only when complete: no journal,
        # no syncs until the end, a small page cache (full pages go to the
        # file as they fill instead of piling up in memory until the commit);
        # large pages (fewer overflow chains for the JSON rows).
        for pragma in (f"page_size={PAGE_SIZE}", "journal_mode=OFF", "synchronous=OFF",
                       "locking_mode=EXCLUSIVE",
                       "temp_store=MEMORY", "cache_size=-16384", f"application_id={APPLICATION_ID}",
                       f"user_version={FORMAT_VERSION}"):
            con.execute(f"PRAGMA {pragma}")
        con.executescript(SCHEMA)
        con.execute("BEGIN")

        vals = et.attrs
        _insert(con, "node", 4, zip(count(1), et.ids, et.kind_of, map(dumps, vals)))
        _insert(con, "adj", 3, _adj_rows(et, dumps))
        _insert(con, "name", 2, _name_rows(et.ids, vals))
        del vals
        from .hops import build as build_hops

        con.executemany("INSERT INTO hops VALUES (?,?)", build_hops(g, et).items())
        del et
        derived_info = {}
        for tbl, (version, table) in tables.items():
            # A large dict value (e.g. {"df": {term: n}, "postings": {...}})
            # is stored one row per inner key, "outer\x1finner", so a reader
            # fetches single terms, not the whole inner dict.
            plain = all(SEP not in str(k) for k in table)
            nested = {str(k): len(v) for k, v in table.items()
                      if plain and v.__class__ is dict and len(v) >= NEST_MIN}

            ins = "INSERT INTO derived VALUES (?,?,?)"
            if not nested:
                _insert(con, "derived", 3, zip(repeat(tbl), map(str, table), map(dumps, table.values())))
            else:
                for k, v in table.items():
                    k = str(k)
                    if k in nested:
                        _insert(con, "derived", 3, zip(repeat(tbl), map(f"{k}{SEP}".__add__, map(str, v)),
                                                       map(dumps, v.values())))
                    else:
                        con.execute(ins, (tbl, k, dumps(v)))
            derived_info[tbl] = {"version": version, "size": len(table), "nested": nested}
        info = {
            "format": FORMAT, "version": FORMAT_VERSION, "xuncha": __version__,
            "saved": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
            "meta": meta or {}, "nodes": len(nodes), "edges": sum(e_kind.values()),
            # Pairs, not objects: a node or edge without a kind counts under None.
            "counts": {"nodes": list(n_kind.items()), "edges": list(e_kind.items())},
            "edge_sources": [[k, sorted(s) if None not in s else None] for k, s in e_src.items()],
            "derived": derived_info,
        }
        con.executemany("INSERT INTO info VALUES (?,?)", ((k, dumps(v)) for k, v in info.items()))
        for stmt in INDEXES.strip().splitlines():
            con.execute(stmt)
        con.execute("COMMIT")
        # Statistics for the query planner from a sample of each index (the
        # full scan cost a third of a second at province scale, for the same plans).
        con.execute("PRAGMA analysis_limit=1000")
        con.execute("ANALYZE")
    finally:
        con.close()
    return info


def save(store: GraphStore, path: str | Path | None = None) -> Path:
    """Save the graph, its indexes and every derived table atomically into
    workspace directory ``path``."""
    import sqlite3

    from ..perf import gc_paused
    from . import derived

    ws = Path(path) if path is not None else default_path()
    if ws.exists() and not ws.is_dir():
        raise WorkspaceError(f"workspace {ws} is a file, not a directory (工作区路径不是目录)")
    g = store.graph
    materialize = getattr(g, "materialize", None)
    if materialize is not None:
        materialize()
    try:
        derived.import_providers()
        tables = {name: (derived.VERSIONS[name], derived.compute(store, name))
                  for name in sorted(derived.BUILDERS)}
        ws.mkdir(parents=True, exist_ok=True)
        with gc_paused(), atomic_path(ws / GRAPH_FILE) as tmp:
            _write_db(tmp, g, store.meta, tables)
    except (TypeError, ValueError) as exc:  # a value JSON cannot hold
        raise WorkspaceError(f"cannot save the workspace (无法保存工作区): {exc} (node ids and edge "
                             f"keys must be strings, values str/int/float/bool/lists)") from None
    except OSError as exc:
        raise WorkspaceError(f"cannot write the workspace {ws} (无法写入工作区): "
                             f"{exc.strerror or exc}") from None
    except sqlite3.Error as exc:
        raise WorkspaceError(f"cannot write the workspace {ws} (无法写入工作区): {exc}") from None
    old = ws / OLD_FILE
    if old.exists():
        old.unlink()  # the previous format's file: superseded
    return ws


def _old_format_source(f: Path) -> str | None:
    """The ledger directory named in an old ``graph.json``'s header, if readable."""
    import re

    try:
        with open(f, "rb") as fh:
            head = fh.read(65536).decode("utf-8", "replace")
    except OSError:
        return None
    m = re.search(r'"source":"((?:[^"\\]|\\.)*)"', head)
    if not m:
        return None
    import json

    try:
        return json.loads(f'"{m.group(1)}"')
    except ValueError:
        return None


def open_workspace(path: str | Path | None = None) -> "WorkspaceStore":
    """Open a saved workspace: milliseconds, whatever its size (no ledger
    parsing, no code execution; rows are read as commands ask for them)."""
    import sqlite3

    import orjson

    from .saved import WorkspaceStore

    ws = Path(path) if path is not None else default_path()
    f = ws / GRAPH_FILE
    if not f.is_file():
        old = ws / OLD_FILE
        if old.is_file():
            src = _old_format_source(old)
            again = f"xuncha load {src} -w {ws}" if src else f"xuncha load DIR -w {ws}"
            raise WorkspaceError(
                f"{old}: a workspace saved by an earlier xuncha (format 3, graph.json); this xuncha "
                f"reads format {FORMAT_VERSION} (graph.db): reload the ledgers 重新导入: `{again}`")
        raise WorkspaceError(
            f"no workspace at {ws} (工作区不存在): run `xuncha load DIR -w {ws}` first"
        )
    try:
        con = sqlite3.connect(f"{f.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
        con.execute("PRAGMA query_only=1")
        con.execute("PRAGMA trusted_schema=0")
        con.execute("PRAGMA mmap_size=2147418112")
        info = {k: orjson.loads(v) for k, v in con.execute("SELECT key, value FROM info")}
    except sqlite3.DatabaseError as exc:
        raise WorkspaceError(f"{f}: unreadable workspace (工作区已损坏): {exc}; "
                             "load the ledgers again (重新导入)") from None
    except ValueError as exc:
        raise WorkspaceError(f"{f}: damaged workspace (工作区已损坏): {exc}; "
                             "load the ledgers again (重新导入)") from None
    if info.get("format") != FORMAT:
        con.close()
        raise WorkspaceError(f"{f}: not a xuncha workspace (不是工作区文件)")
    if info.get("version") != FORMAT_VERSION:
        con.close()
        raise WorkspaceError(
            f"{f}: workspace format version {info.get('version')} written by xuncha "
            f"{info.get('xuncha')}; this xuncha reads version {FORMAT_VERSION}: "
            f"reload the ledgers 重新导入 (xuncha load DIR -w {ws})"
        )
    meta = info.get("meta")
    meta = dict(meta) if isinstance(meta, dict) else {}
    meta["saved"] = info.get("saved")
    return WorkspaceStore(con, info, meta, str(f))
