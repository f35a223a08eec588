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


def graph_to_doc(g: nx.MultiDiGraph, meta: dict | None = None) -> dict:
    """The workspace document.  Nodes and edges are grouped by kind, so the
    kind is written once per group rather than once per element::

        "nodes": {kind: [[node_id, {attrs}], ...]},
        "edges": {kind: [[u, v], [u, v, {props}], [u, v, {props}, key], ...]}

    (props and key are omitted when empty / equal to the kind).
    """
    nodes: dict[str, list] = {}
    for n, d in g.nodes(data=True):
        nodes.setdefault(d.get("kind", ""), []).append(
            [n, {k: v for k, v in d.items() if k != "kind"}])
    edges: dict[str, list] = {}
    for u, v, k, d in g.edges(keys=True, data=True):
        kind = d.get("kind", "")
        props = {a: b for a, b in d.items() if a != "kind"}
        if k != kind:
            row = [u, v, props, k]
        elif props:
            row = [u, v, props]
        else:
            row = [u, v]
        edges.setdefault(kind, []).append(row)
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "xuncha": __version__,
        "saved": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "meta": meta or {},
        "nodes": nodes,
        "edges": edges,
    }


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
    ws = Path(path) if path is not None else default_path()
    try:
        data = _dumps(graph_to_doc(store.graph, store.meta))
    except (TypeError, ValueError) as exc:  # a value JSON cannot hold
        raise WorkspaceError(f"cannot save the workspace (无法保存工作区): {exc}") from None
    if ws.exists() and not ws.is_dir():
        raise WorkspaceError(f"workspace {ws} is a file, not a directory (工作区路径不是目录)")
    try:
        ws.mkdir(parents=True, exist_ok=True)
        atomic_write(ws / GRAPH_FILE, data)
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
