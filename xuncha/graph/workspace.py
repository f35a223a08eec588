"""The saved workspace: a loaded graph that later commands open without re-parsing.

Layout of a workspace directory (default ``./.xuncha/``, or ``XUNCHA_WORKSPACE``)::

    graph.json      the graph: nodes and edges with their attributes (JSON)
    rejected.csv    rows a --lenient load refused, with the reason (optional)

``graph.json`` is plain JSON (never pickle: opening a workspace a colleague
sent must not run code).  It is written to a temporary file in the same
directory and renamed over the old one, so a crash mid-save leaves the previous
workspace intact.
"""

from __future__ import annotations

import datetime as _dt
import os
from contextlib import contextmanager
from itertools import chain, islice
from pathlib import Path

import networkx as nx

from .. import __version__
from ..errors import XunchaError
from .store import GraphStore

FORMAT = "xuncha-workspace"
FORMAT_VERSION = 3
GRAPH_FILE = "graph.json"
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


def _header(meta: dict | None) -> dict:
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "xuncha": __version__,
        "saved": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "meta": meta or {},
    }


def graph_to_doc(g: nx.MultiDiGraph, meta: dict | None = None) -> dict:
    """The workspace document as one object (see :func:`write_doc`)."""
    return {**_header(meta), "nodes": g._node, "adj": g._succ}


CHUNK = 20_000  # nodes serialised at a time: bounds the memory of a save


def _write_mapping(fh, mapping: dict) -> None:
    """Write a JSON object a chunk of entries at a time."""
    fh.write(b"{")
    items = iter(mapping.items())
    first = True
    while True:
        chunk = dict(islice(items, CHUNK))
        if not chunk:
            break
        if not first:
            fh.write(b",")
        fh.write(_dumps(chunk)[1:-1])
        first = False
    fh.write(b"}")


def write_doc(fh, g: nx.MultiDiGraph, meta: dict | None = None) -> None:
    """Stream the workspace document to binary file ``fh``::

        {"format": "xuncha-workspace", "version": 3, ..., "meta": {...},
         "nodes": {node_id: {attrs}, ...},
         "adj": {u: {v: {key: {attrs}}}, ...}}

    ``nodes`` and ``adj`` are networkx's own node and successor dicts, so
    opening rebuilds the graph almost entirely inside the JSON parser (see
    :func:`doc_to_graph`).  They are written a chunk of entries at a time, so
    a province-scale graph never exists twice in memory as one document.
    """
    head = _dumps(_header(meta))
    fh.write(head[:-1])
    fh.write(b',"nodes":')
    _write_mapping(fh, g._node)
    fh.write(b',"adj":')
    _write_mapping(fh, {u: nbrs for u, nbrs in g._succ.items() if nbrs})
    fh.write(b"}")


class WorkspaceGraph(nx.MultiDiGraph):
    """A MultiDiGraph opened from a workspace, whose predecessor index is
    built on first use.

    Opening a workspace is mostly JSON parsing: the parsed node and successor
    dicts become the graph's own.  The predecessor index (``_pred``: for each
    node, who points at it) is the one structure JSON cannot share, and many
    commands (stats, kpi, exports) never need it; it is built from ``_succ``,
    sharing each key dict as ``MultiDiGraph.add_edge`` does, the first time
    anything reads it.  Everything else is plain networkx.
    """

    @property
    def _pred(self):
        pred = self.__dict__.get("_pred_index")
        if pred is None:
            pred = {n: {} for n in self._node}
            for u, nbrs in self._succ.items():
                for v, keydict in nbrs.items():
                    pred[v][u] = keydict
            self.__dict__["_pred_index"] = pred
        return pred

    @_pred.setter
    def _pred(self, value):
        self.__dict__["_pred_index"] = value


def doc_to_graph(doc: dict, source: str = "workspace") -> nx.MultiDiGraph:
    """The MultiDiGraph of a workspace document, checked for shape.

    The parsed ``nodes`` and ``adj`` objects become the graph's node and
    successor dicts as they are; the predecessor index is built on first use
    (see :class:`WorkspaceGraph`).
    """
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise WorkspaceError(f"{source}: not a xuncha workspace (不是工作区文件)")
    if doc.get("version") != FORMAT_VERSION:
        raise WorkspaceError(
            f"{source}: workspace format version {doc.get('version')} written by xuncha "
            f"{doc.get('xuncha')}; this xuncha reads version {FORMAT_VERSION}: load the ledgers again"
        )
    nodes, adj = doc.get("nodes"), doc.get("adj")

    def damaged(why: str) -> WorkspaceError:
        return WorkspaceError(f"{source}: damaged workspace (工作区已损坏): {why}")

    if not isinstance(nodes, dict) or not isinstance(adj, dict):
        raise damaged("'nodes' and 'adj' must be objects")
    for n, attrs in nodes.items():
        if attrs.__class__ is not dict:
            raise damaged(f"node {n!r} has no attribute object")
    # Shape of the adjacency, checked with set and map operations that run in
    # C (a per-edge Python loop would cost as much as the parse itself).
    node_keys = nodes.keys()
    values = dict.values
    for u, nbrs in adj.items():
        if u not in nodes or nbrs.__class__ is not dict:
            raise damaged(f"edges from {u!r}, which is not a node")
        if not node_keys >= nbrs.keys():
            missing = sorted(set(nbrs) - set(node_keys))[0]
            raise damaged(f"edge {u!r} -> {missing!r} to a missing node")
        try:
            kinds = set(map(type, chain.from_iterable(map(values, nbrs.values()))))
        except TypeError:
            raise damaged(f"edges from {u!r} have no key object") from None
        if kinds - {dict}:
            raise damaged(f"an edge from {u!r} has no attribute object")
    succ = adj
    for n in nodes:
        if n not in succ:
            succ[n] = {}
    g = WorkspaceGraph()
    # Install the parsed dicts as the graph's own (before any view is cached).
    g._node = nodes
    g._adj = g._succ = succ
    g._pred = None  # built from _succ on first use
    for view in ("nodes", "adj", "succ", "pred", "edges", "in_edges", "out_edges",
                 "degree", "in_degree", "out_degree"):
        g.__dict__.pop(view, None)
    return g


def save(store: GraphStore, path: str | Path | None = None) -> Path:
    """Save the graph atomically into workspace directory ``path``."""
    from ..perf import gc_paused

    ws = Path(path) if path is not None else default_path()
    if ws.exists() and not ws.is_dir():
        raise WorkspaceError(f"workspace {ws} is a file, not a directory (工作区路径不是目录)")
    try:
        ws.mkdir(parents=True, exist_ok=True)
        with gc_paused(), atomic_open(ws / GRAPH_FILE) as fh:
            write_doc(fh, store.graph, store.meta)
    except (TypeError, ValueError) as exc:  # a value JSON cannot hold
        raise WorkspaceError(f"cannot save the workspace (无法保存工作区): {exc} (node ids and edge "
                             f"keys must be strings, values str/int/float/bool/lists)") from None
    except OSError as exc:
        raise WorkspaceError(f"cannot write the workspace {ws} (无法写入工作区): "
                             f"{exc.strerror or exc}") from None
    return ws


def open_workspace(path: str | Path | None = None) -> GraphStore:
    """Open a saved workspace (no ledger parsing, no code execution)."""
    ws = Path(path) if path is not None else default_path()
    f = ws / GRAPH_FILE
    if not f.is_file():
        raise WorkspaceError(
            f"no workspace at {ws} (工作区不存在): run `xuncha load DIR -w {ws}` first"
        )
    from ..perf import gc_paused

    with gc_paused():
        try:
            doc = _loads(f.read_bytes())
        except ValueError as exc:
            raise WorkspaceError(f"{f}: unreadable workspace (工作区已损坏): {exc}; "
                                 "load the ledgers again") from None
        except OSError as exc:
            raise WorkspaceError(f"{f}: cannot read the workspace (无法读取工作区): "
                                 f"{exc.strerror or exc}") from None
        g = doc_to_graph(doc, str(f))
    meta = doc.get("meta")
    meta = dict(meta) if isinstance(meta, dict) else {}
    meta["saved"] = doc.get("saved")
    return GraphStore(g, meta)
