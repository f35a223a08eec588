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
import tempfile
from contextlib import contextmanager
from pathlib import Path

import networkx as nx

from .. import __version__
from ..errors import XunchaError
from .store import GraphStore

FORMAT = "xuncha-workspace"
FORMAT_VERSION = 2
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


def atomic_write(path: Path, data: bytes | str) -> None:
    """Write ``data`` to ``path`` via a temporary file and an atomic rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


@contextmanager
def atomic_open(path: Path):
    """A binary file handle whose content replaces ``path`` only on success.

    Writes go to a temporary file in the same directory, flushed to disk and
    renamed over ``path``; on any error the temporary file is removed and the
    old ``path`` is untouched.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb", buffering=1 << 20) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def _grouped(g: nx.MultiDiGraph):
    """Nodes and edges grouped by kind, as the rows the document stores.

    Node rows are ``(id, attrs)``; edge rows ``(u, v)`` when the edge has no
    property but its kind, ``(u, v, attrs)``, or ``(u, v, attrs, key)`` when
    the key is not the kind.  ``attrs`` are the graph's own dicts (no copy).
    """
    nodes: dict[str, list] = {}
    for n, d in g.nodes(data=True):
        nodes.setdefault(d.get("kind", ""), []).append((n, d))
    edges: dict[str, list] = {}
    for u, v, k, d in g.edges(keys=True, data=True):
        kind = d.get("kind", "")
        if k != kind:
            row = (u, v, d, k)
        elif len(d) > 1:
            row = (u, v, d)
        else:
            row = (u, v)
        edges.setdefault(kind, []).append(row)
    return nodes, edges


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
    nodes, edges = _grouped(g)
    return {**_header(meta), "nodes": nodes, "edges": edges}


CHUNK = 20_000  # elements serialised at a time: bounds the memory of a save


def write_doc(fh, g: nx.MultiDiGraph, meta: dict | None = None) -> None:
    """Stream the workspace document to binary file ``fh``::

        {"format": "xuncha-workspace", "version": 2, ..., "meta": {...},
         "nodes": {kind: [[node_id, {attrs}], ...]},
         "edges": {kind: [[u, v], [u, v, {attrs}], [u, v, {attrs}, key], ...]}}

    Elements are grouped by kind and serialised a chunk at a time, so a
    province-scale graph never exists twice in memory as one document.
    """
    nodes, edges = _grouped(g)
    head = _dumps(_header(meta))
    fh.write(head[:-1])
    for name, groups in ((b"nodes", nodes), (b"edges", edges)):
        fh.write(b',"' + name + b'":{')
        for gi, (kind, rows) in enumerate(groups.items()):
            if gi:
                fh.write(b",")
            fh.write(_dumps(kind) + b":[")
            for i in range(0, len(rows), CHUNK):
                if i:
                    fh.write(b",")
                fh.write(_dumps(rows[i:i + CHUNK])[1:-1])
            fh.write(b"]")
        fh.write(b"}")
    fh.write(b"}")


def doc_to_graph(doc: dict, source: str = "workspace") -> nx.MultiDiGraph:
    from .build import GraphWriter

    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise WorkspaceError(f"{source}: not a xuncha workspace (不是工作区文件)")
    if doc.get("version") != FORMAT_VERSION:
        raise WorkspaceError(
            f"{source}: workspace format version {doc.get('version')} written by xuncha "
            f"{doc.get('xuncha')}; this xuncha reads version {FORMAT_VERSION}: load the ledgers again"
        )
    g = nx.MultiDiGraph()
    w = GraphWriter(g)
    succ, pred = w._succ, w._pred
    try:
        for kind, rows in doc["nodes"].items():
            for n, attrs in rows:
                attrs["kind"] = kind
                w.add_node(n, attrs)
        for kind, rows in doc["edges"].items():
            for row in rows:
                u, v = row[0], row[1]
                if len(row) == 2:
                    props, key = {"kind": kind}, kind
                else:
                    props = row[2]
                    props["kind"] = kind
                    key = row[3] if len(row) > 3 else kind
                if u not in succ or v not in succ:
                    w.add_edge(u, v, key, props)  # creates the missing endpoint
                    continue
                keydict = succ[u].get(v)
                if keydict is None:
                    keydict = succ[u][v] = pred[v][u] = {}
                keydict[key] = props
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise WorkspaceError(f"{source}: damaged workspace (工作区已损坏): {exc!r}") from None
    return w.close()


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
        raise WorkspaceError(f"cannot save the workspace (无法保存工作区): {exc}") from None
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
