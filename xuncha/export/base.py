"""The exporter contract, typed property columns and atomic output.

Every format is an :class:`Exporter`: it is created with the target path and
the typed :class:`Columns` of what will be written, receives every node with
:meth:`Exporter.write_node` and then every edge with
:meth:`Exporter.write_edge`, and is closed with :meth:`Exporter.finalize`
(or :meth:`Exporter.abort` on failure).  Exporters stream: nothing holds the
whole document in memory except the formats that are small by design (dot,
html).

Invariants:
- output goes to a temporary file (or directory) beside the target and is
  renamed over it only by ``finalize()``; a failed or interrupted export
  leaves no file under the target name (and an old file there unchanged);
- ``-`` as the target streams to stdout (single-file formats only);
- a successful export removes the stale ``.part`` files of interrupted ones
  in its directory (:mod:`xuncha.tempfiles`: only those whose writer is gone);
- property types come from the registry (``Field.value_type``: ``string``,
  ``int``, ``float``, ``boolean``, ``date``, ``string[]``); attributes the
  registry does not declare are typed from their values.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Iterable

from .. import tempfiles
from ..errors import XunchaError
from ..graph.schema import EDGE_KINDS, NODE_KINDS, Field, edge_fields, node_fields

VALUE_TYPES = ("string", "int", "float", "boolean", "date", "string[]")


class ExportError(XunchaError):
    """An export that cannot be written as asked."""


# -- typed columns ---------------------------------------------------------------

@dataclass(frozen=True)
class Column:
    """One property of a node or edge kind, with its export type."""

    key: str
    type: str  # one of VALUE_TYPES
    zh: str = ""
    field: Field | None = None

    @property
    def is_list(self) -> bool:
        return self.type == "string[]"


def infer_type(value) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, (list, tuple)):
        return "string[]"
    return "string"


KIND_COLUMN = Column("kind", "string", "类型")


@dataclass
class Columns:
    """Typed properties per node kind and per edge kind, in a stable order.

    Declared registry fields come first (in registry order), then any
    attribute found in the data that the registry does not declare.
    ``node_counts``/``edge_counts`` count what the selection holds;
    ``edge_ends`` lists the (source kind, target kind) pairs per edge kind.
    """

    nodes: dict[str, list[Column]] = field(default_factory=dict)
    edges: dict[str, list[Column]] = field(default_factory=dict)
    node_counts: dict[str, int] = field(default_factory=dict)
    edge_counts: dict[str, int] = field(default_factory=dict)
    edge_ends: dict[str, set[tuple[str, str]]] = field(default_factory=dict)

    @property
    def n_nodes(self) -> int:
        return sum(self.node_counts.values())

    @property
    def n_edges(self) -> int:
        return sum(self.edge_counts.values())

    def zh_names(self, domain: str) -> dict[str, str]:
        """One Chinese name per property name: the part all kinds' names share.

        >>> Columns(nodes={"a": [Column("id", "string", "人员编号")],
        ...                "b": [Column("id", "string", "单位编码")]}).zh_names("node")
        {'id': '编号/编码'}
        """
        table = self.nodes if domain == "node" else self.edges
        names: dict[str, list[str]] = {}
        for cols in table.values():
            for c in cols:
                if c.zh and c.zh not in names.setdefault(c.key, []):
                    names[c.key].append(c.zh)
        out = {}
        for key, zhs in names.items():
            suffix = os.path.commonprefix([z[::-1] for z in zhs])[::-1]
            if len(zhs) == 1 or len(suffix) >= 2:
                out[key] = zhs[0] if len(zhs) == 1 else suffix
            else:
                out[key] = "/".join(sorted({z[-2:] for z in zhs}))
        return out

    def unified(self, domain: str) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
        """One type per property name across kinds (for formats with one key table).

        Returns ``(types, overrides)``: a name used with two types by different
        kinds is declared ``string`` and ``overrides[kind][name]`` keeps each
        kind's own type, so a reader can restore it.
        """
        table = self.nodes if domain == "node" else self.edges
        seen: dict[str, set[str]] = {}
        order: dict[str, None] = {}
        for cols in table.values():
            for c in cols:
                seen.setdefault(c.key, set()).add(c.type)
                order.setdefault(c.key, None)
        types = {k: (next(iter(seen[k])) if len(seen[k]) == 1 else "string") for k in order}
        overrides: dict[str, dict[str, str]] = {}
        for kind, cols in table.items():
            for c in cols:
                if types[c.key] != c.type:
                    overrides.setdefault(kind, {})[c.key] = c.type
        return types, overrides


def declared_columns(domain: str, kind: str, drop: frozenset[str] = frozenset()) -> list[Column]:
    fields = node_fields(kind) if domain == "node" else edge_fields(kind)
    if domain == "node" and kind not in NODE_KINDS:
        fields = ()
    if domain == "edge" and kind not in EDGE_KINDS:
        fields = ()
    return [Column(f.key, f.value_type, f.zh, f) for f in fields if f.key not in drop]


# -- value encoding shared by the text formats -------------------------------------

_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(s: str) -> str:
    """Escape for XML text and attribute values (and drop characters XML forbids)."""
    s = _XML_BAD.sub("", s)
    s = (s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
         .replace('"', "&quot;"))
    if "\n" in s or "\r" in s or "\t" in s:  # attribute values would lose them otherwise
        s = s.replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
    return s


def scalar_text(value, type_: str) -> str:
    """A value as text in a typed column: numbers as numbers, lists as JSON arrays."""
    if type_ == "boolean" or isinstance(value, bool):
        return "true" if value else "false"
    if type_ == "string[]" or isinstance(value, (list, tuple)):
        import json

        vals = value if isinstance(value, (list, tuple)) else [value]
        return json.dumps([str(v) for v in vals], ensure_ascii=False)
    if type_ == "float":
        return repr(float(value))
    if type_ == "int":
        return str(int(value))
    return str(value)


# -- atomic output ----------------------------------------------------------------

def is_stdout(path) -> bool:
    return str(path) == "-"


class AtomicFile:
    """A file written beside ``path`` under a temporary name, renamed on commit.

    ``path`` ``-`` writes straight to stdout (nothing to rename).  Text mode
    writes UTF-8.

    >>> f = AtomicFile("/tmp/xuncha-doc.txt")
    >>> _ = f.write("一行\\n"); f.commit()
    >>> open("/tmp/xuncha-doc.txt", encoding="utf-8").read()
    '一行\\n'
    """

    def __init__(self, path, binary: bool = False, buffering: int = 1 << 20):
        self.path = path
        self.tmp: str | None = None
        self.binary = binary
        if is_stdout(path):
            raw = sys.stdout.buffer if hasattr(sys.stdout, "buffer") else None
            if binary:
                self.fh = raw if raw is not None else sys.stdout
            elif raw is not None:
                self.fh = io.TextIOWrapper(raw, encoding="utf-8", newline="", write_through=False)
            else:  # a captured stdout (tests) without a binary buffer
                self.fh = sys.stdout
            return
        target = Path(path)
        if target.is_dir():
            raise ExportError(f"{target} is a directory (是目录): give a file name with -o")
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, self.tmp = tempfiles.mkstemp(target, "part")
        if binary:
            self.fh = os.fdopen(fd, "wb", buffering=buffering)
        else:
            self.fh = os.fdopen(fd, "w", encoding="utf-8", newline="", buffering=buffering)

    def write(self, data) -> int:
        return self.fh.write(data)

    def writelines(self, lines: Iterable) -> None:
        self.fh.writelines(lines)

    def commit(self) -> None:
        if self.tmp is None:
            self.fh.flush()
            if isinstance(self.fh, io.TextIOWrapper) and self.fh is not sys.stdout:
                self.fh.detach()
            return
        self.fh.flush()
        os.fsync(self.fh.fileno())
        self.fh.close()
        os.chmod(self.tmp, 0o644 & ~_umask())
        os.replace(self.tmp, self.path)
        self.tmp = None
        tempfiles.clean_stale(Path(self.path).parent, Path(self.path).name)

    def abort(self) -> None:
        if self.tmp is None:
            return
        try:
            self.fh.close()
        finally:
            try:
                os.unlink(self.tmp)
            except FileNotFoundError:
                pass
            self.tmp = None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


MANIFEST = "xuncha-export.json"


class AtomicDir:
    """A directory built under a temporary name beside ``path``, renamed on commit.

    An existing target is replaced only when it is empty or is a previous
    xuncha export (it holds ``xuncha-export.json``); anything else is refused.
    """

    def __init__(self, path):
        if is_stdout(path):
            raise ExportError("this format writes a directory of files: give -o DIR, not -o -")
        self.path = Path(path)
        if self.path.exists():
            if not self.path.is_dir():
                raise ExportError(f"{self.path} is a file (是文件): give a directory name with -o")
            if any(self.path.iterdir()) and not (self.path / MANIFEST).exists():
                raise ExportError(f"{self.path} is not empty and is not a xuncha export "
                                  f"(目录非空): choose a new directory")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.tmp: Path | None = Path(tempfiles.mkdtemp(self.path, "part"))

    def file(self, name: str) -> Path:
        assert self.tmp is not None
        return self.tmp / name

    def commit(self) -> None:
        assert self.tmp is not None
        os.chmod(self.tmp, 0o755 & ~_umask())
        old = None
        if self.path.exists():
            old = Path(tempfiles.mkdtemp(self.path, "old"))
            os.rmdir(old)
            os.replace(self.path, old)
        os.replace(self.tmp, self.path)
        self.tmp = None
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        tempfiles.clean_stale(self.path.parent, self.path.name)

    def abort(self) -> None:
        if self.tmp is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None


# -- the contract ----------------------------------------------------------------

class Exporter:
    """Base class: ``write_node``… then ``write_edge``… then ``finalize()``.

    Subclasses set ``name``, ``extension``, ``binary`` and implement
    :meth:`start`, :meth:`write_node`, :meth:`write_edge` and :meth:`end`.
    ``self.out`` is the :class:`AtomicFile` (or :class:`AtomicDir` when
    ``directory`` is true).
    """

    name = ""
    extension = ""
    binary = False
    directory = False
    # Largest selection the format accepts without ``force`` (None: no limit).
    max_nodes: int | None = None
    # A picture: around a seed or for a case, context kinds (actions, rounds,
    # teams, categories) are drawn as counts (``options["context"]``), not nodes.
    collapses_context = False

    def __init__(self, path, columns: Columns, meta: dict | None = None, **options):
        self.path = path
        self.columns = columns
        self.meta = meta or {}
        self.options = options
        self.out: AtomicFile | AtomicDir = (AtomicDir(path) if self.directory
                                            else AtomicFile(path, binary=self.binary))
        try:
            self.start()
        except BaseException:
            self.out.abort()
            raise

    def start(self) -> None:  # pragma: no cover - trivial default
        pass

    def write_node(self, nid: str, attrs: dict, label: str) -> None:
        raise NotImplementedError

    def write_edge(self, u: str, v: str, key: str, attrs: dict) -> None:
        raise NotImplementedError

    def end(self) -> None:  # pragma: no cover - trivial default
        pass

    def finalize(self) -> None:
        """Finish the document and move it into place."""
        try:
            self.end()
        except BaseException:
            self.abort()
            raise
        self.out.commit()

    def abort(self) -> None:
        """Drop everything written so far; the target is left as it was."""
        self.out.abort()


def node_style(kind: str) -> tuple[str, str, str]:
    """(colour, shape, Chinese name) of a node kind from the registry."""
    nk = NODE_KINDS.get(kind)
    if nk is None:
        return "#888888", "dot", kind
    return nk.colour, nk.shape, nk.zh


def label_of(kind: str, attrs: dict, nid: str, limit: int = 40) -> str:
    """A node's readable label: its kind's display field, else its id."""
    nk = NODE_KINDS.get(kind)
    text = attrs.get(nk.display) if nk else None
    if text is None or text == "":
        text = attrs.get("id") or nid
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"
