"""Combine several ledger directories (datasets) into one set of records.

Each directory is loaded and validated on its own by
:func:`xuncha.loaders.dataset.load_dataset`; this module then puts the
datasets side by side:

- every dataset has a name (default: its folder name; ``DIR=name`` or
  ``--name`` override it);
- with two or more datasets, every record id except a region's is namespaced
  ``dataset/raw`` (node id ``cadre:甲县/C0123``), and the record keeps
  ``dataset`` and ``source_id`` (the id as written) for display and
  provenance; with a single dataset ids are left as written (v0.1 workspaces
  and scripts keep working);
- regions are shared by their GB/T 2260 codes: the first dataset that lists a
  code defines it, a different name for the same code elsewhere is a warning;
- a reference the dataset itself cannot resolve (reported by the per-dataset
  loader as a dangling reference) is tried against the other datasets: an id
  with a dataset prefix (``乙县/U0402``), else a name or alias that is unique
  across all datasets.  A row whose every problem is resolved that way is
  accepted, and those problems are withdrawn.

Invariants: a record in :attr:`Combined.records` has passed its dataset's
checks (or had only cross-dataset references, now resolved); every reference
names a record of the right kind by its (namespaced) id; no two records of a
kind share an id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..errors import XunchaError
from ..graph.schema import LEDGER_ORDER, LEDGERS, NODE_LEDGER

SHARED_KINDS = frozenset({"region"})  # kinds shared by standard code, never namespaced


class CombineError(XunchaError):
    """Datasets that cannot be combined (e.g. two with the same name)."""


@dataclass
class Source:
    name: str
    path: Path

    def as_dict(self) -> dict:
        return {"name": self.name, "path": str(self.path)}


def parse_sources(dirs, names=()) -> list[Source]:
    """Dataset sources from command-line arguments.

    Each argument is ``DIR`` or ``DIR=name``; ``names`` (from ``--name``) name
    the directories in order, overriding the default folder name.

    >>> [s.name for s in parse_sources(["a/甲县", "b/x=乙县"])]
    ['甲县', '乙县']
    """
    out: list[Source] = []
    names = list(names or ())
    for i, arg in enumerate(dirs):
        arg = str(arg)
        name = None
        if "=" in arg and not Path(arg).exists():
            arg, _, name = arg.rpartition("=")
        path = Path(arg)
        if i < len(names) and names[i]:
            name = names[i]
        name = (name or path.resolve().name or "dataset").strip()
        if not name or "/" in name or ":" in name:
            raise CombineError(f"dataset name '{name}' (台账名称) must be non-empty and contain "
                               f"no '/' or ':'; give one with DIR=name or --name")
        out.append(Source(name, path))
    seen: dict[str, Source] = {}
    for s in out:
        if s.name in seen:
            raise CombineError(
                f"two datasets are called '{s.name}' (台账名称重复): {seen[s.name].path} and "
                f"{s.path}; name them apart, e.g. {s.path}={s.name}2 or --name")
        seen[s.name] = s
    return out


@dataclass
class Combined:
    sources: list[Source]
    datasets: list = field(default_factory=list)  # Dataset per source, rows dropped after combining
    records: dict[str, list[dict]] = field(default_factory=dict)
    problems: list = field(default_factory=list)  # every dataset's problems, files prefixed
    notes: list = field(default_factory=list)  # how the input was read (not problems)
    rejected: list = field(default_factory=list)
    rejected_lines: int = 0  # ledger rows not loaded (see Dataset.rejected_lines)
    # ledger -> for each record, its provenance ["dataset/file[:sheet]#row", …]
    prov: dict[str, list[list[str]]] = field(default_factory=dict)
    reinstated: int = 0  # rows accepted through cross-dataset references
    # cadre node id -> (file, row): where the identity warnings point (other
    # kinds are not recorded: a million entries at province for no reader)
    origin: dict[str, tuple[str, int]] = field(default_factory=dict)

    @property
    def errors(self):
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self):
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def multi(self) -> bool:
        return len(self.sources) > 1

    def row_count(self) -> int:
        return sum(len(v) for v in self.records.values())

    @property
    def ledgers(self) -> dict[str, str]:
        """ledger -> source file(s), for the workspace meta."""
        out: dict[str, list[str]] = {}
        for s, ds in zip(self.sources, self.datasets):
            for ledger, src in ds.sources.items():
                out.setdefault(ledger, []).append(f"{s.name}/{src}" if self.multi else src)
        return {k: "; ".join(v) for k, v in out.items()}


def _ref_fields(ledger):
    return [f for f in ledger.fields if f.base in ("ref", "refs")]


class _Index:
    """Ids and names of every dataset, for cross-dataset references."""

    def __init__(self):
        self.local: dict[tuple[str, str], set[str]] = {}  # (dataset, kind) -> raw ids
        self.ids: dict[str, set[str]] = {}  # kind -> namespaced ids
        self.names: dict[tuple[str, str], list[str]] = {}  # (kind, name) -> namespaced ids

    def add(self, dataset: str, kind: str, d: dict, nsid: str) -> None:
        self.local.setdefault((dataset, kind), set()).add(d["id"])
        self.ids.setdefault(kind, set()).add(nsid)
        for nm in [d.get("name"), *(d.get("aliases") or ())]:
            if nm:
                lst = self.names.setdefault((kind, nm), [])
                if nsid not in lst:
                    lst.append(nsid)

    def resolve(self, dataset: str, kind: str, value: str, multi: bool) -> str | None:
        if kind in SHARED_KINDS:
            return value if value in self.ids.get(kind, ()) else None
        if value in self.local.get((dataset, kind), ()):
            return f"{dataset}/{value}" if multi else value
        if value in self.ids.get(kind, ()):
            return value
        named = self.names.get((kind, value)) or []
        own = [n for n in named if n.startswith(f"{dataset}/")] if multi else named
        if len(own) == 1:
            return own[0]
        if not own and len(named) == 1:
            return named[0]
        return None


def combine(sources: list[Source], lenient: bool = False,
            progress: Callable[[str, int], None] | None = None) -> Combined:
    """Load every source and combine them (see the module docstring).

    >>> c = combine(parse_sources(["examples/county"]))  # doctest: +SKIP
    >>> c.errors, c.row_count()                            # doctest: +SKIP
    ([], 1234)
    """
    from .dataset import load_dataset

    out = Combined(sources)
    multi = len(sources) > 1
    for s in sources:
        step = None
        if progress:
            def step(src, n, _name=s.name):
                progress(f"{_name}/{src}" if multi else src, n)
        ds = load_dataset(s.path, lenient=lenient, progress=step)
        # Provenance names the dataset as the workspace does (DIR=NAME).
        prefix = getattr(ds, "prov_prefix", None)
        if prefix:
            for src, pre in list(prefix.items()):
                prefix[src] = f"{s.name}/{pre.split('/', 1)[1]}" if "/" in pre else f"{s.name}/{pre}"
        out.datasets.append(ds)
    _combine(out, multi)
    return out


def _problem_field(ledger, row, p):
    """The ref field a problem points at (by the column header), or None."""
    for f in _ref_fields(ledger):
        if p.column == row.columns.get(f.name, f.name):
            return f
    return None


def _combine(out: Combined, multi: bool) -> None:
    idx = _Index()
    # Which rejected rows might come back: every problem a reference problem.
    by_row: dict[tuple[int, str, int], list] = {}
    for di, ds in enumerate(out.datasets):
        for p in ds.problems:
            if p.row is not None:
                by_row.setdefault((di, p.file, p.row), []).append(p)
    candidates: list[tuple[int, str, object, list]] = []  # (dataset index, ledger, row, problems)
    for di, ds in enumerate(out.datasets):
        src_ledger = {v: k for k, v in ds.sources.items()}
        for row, p in ds.rejected:
            if row is None or row.bad_fields:
                continue
            ledger_name = src_ledger.get(row.source)
            if ledger_name is None:
                continue
            ledger = LEDGERS[ledger_name]
            probs = [q for q in by_row.get((di, row.source, row.row), []) if q.severity == "error"]
            if probs and all(_problem_field(ledger, row, q) is not None and q.value for q in probs):
                candidates.append((di, ledger_name, row, probs))
    # Index every node record (accepted, or a candidate for reinstatement);
    # only a candidate needs it (a clean load has none).
    regions: dict[str, dict] = {}
    for di, ds in enumerate(out.datasets if candidates else ()):
        name = out.sources[di].name
        for kind, ledger in NODE_LEDGER.items():
            for r in ds.rows.get(ledger.name, []):
                d = r.data
                if kind in SHARED_KINDS:
                    idx.add(name, kind, d, d["id"])
                else:
                    idx.add(name, kind, d, f"{name}/{d['id']}" if multi else d["id"])
    for di, ledger_name, row, _ in candidates:
        kind = LEDGERS[ledger_name].node
        if kind and "id" in row.data:
            name = out.sources[di].name
            idx.add(name, kind, row.data, f"{name}/{row.data['id']}" if multi else row.data["id"])
    # Reinstate rows whose problems all resolve across datasets.
    withdrawn: set[int] = set()
    back: dict[tuple[int, str], list] = {}
    for di, ledger_name, row, probs in candidates:
        name = out.sources[di].name
        ledger = LEDGERS[ledger_name]
        d = row.data
        ok = True
        resolved: dict[str, object] = {}
        for f in _ref_fields(ledger):
            v = d.get(f.name)
            if v is None:
                continue
            vals = v if isinstance(v, list) else [v]
            got = [idx.resolve(name, f.arg, str(x), multi) for x in vals]
            if any(g is None for g in got):
                ok = False
                break
            resolved[f.name] = got if isinstance(v, list) else got[0]
        if not ok:
            continue
        for k, v in resolved.items():
            d[k] = v
        d["_resolved"] = True  # refs already namespaced
        back.setdefault((di, ledger_name), []).append(row)
        withdrawn.update(id(q) for q in probs)
        out.reinstated += 1
    # Records, namespaced, each with its provenance.
    region_prov: dict[str, list[str]] = {}
    for di, ds in enumerate(out.datasets):
        name = out.sources[di].name
        reinstated_rows = {id(r) for rows in back.values() for r in rows}
        prefix = getattr(ds, "prov_prefix", None) or {}

        def prov_of(r, prefix=prefix):
            also = getattr(r, "also", None)
            if not also:  # the common case: one row
                return [f"{prefix.get(r.source, r.source)}#{r.row}"]
            return [f"{prefix.get(x.source, x.source)}#{x.row}" for x in (r, *also)]

        for ledger_name in LEDGER_ORDER:
            ledger = LEDGERS[ledger_name]
            rows = list(ds.rows.get(ledger_name, [])) + back.get((di, ledger_name), [])
            if not rows:
                continue
            dest = out.records.setdefault(ledger_name, [])
            provs = out.prov.setdefault(ledger_name, [])
            kind = ledger.node
            refs = [(f.key, f.is_list) for f in _ref_fields(ledger) if f.arg not in SHARED_KINDS]
            if not multi and kind not in SHARED_KINDS and (di, ledger_name) not in back:
                # One dataset, nothing reinstated: records as they are (the
                # loop below would change nothing but provenance and origin).
                dest += [r.data for r in rows]
                provs += [prov_of(r) for r in rows]
                if kind == "cadre":
                    for r in rows:
                        out.origin[f"cadre:{r.data['id']}"] = (r.source, r.row)
                continue
            for r in rows:
                d = r.data
                if kind in SHARED_KINDS:
                    first = regions.get(d["id"])
                    if first is None:
                        regions[d["id"]] = d
                        if multi:
                            d["dataset"] = name
                        dest.append(d)
                        region_prov[d["id"]] = prov_of(r)
                        provs.append(region_prov[d["id"]])
                        continue
                    region_prov[d["id"]].extend(prov_of(r))  # a shared region: every row
                    if first.get("name") != d.get("name"):
                        from .dataset import Problem

                        out.problems.append(Problem(
                            "warning", f"{name}/{r.source}" if multi else r.source, r.row,
                            r.columns.get("name"), d.get("name"),
                            f"region {d['id']} is called {first.get('name')} in dataset "
                            f"{first.get('dataset')}: the first name is kept (区划名称不一致)",
                            ledger=ledger_name))
                    continue
                pre = d.pop("_resolved", False)
                if kind == "cadre":
                    out.origin[f"{kind}:{name}/{d['id']}" if multi else f"{kind}:{d['id']}"] = (
                        f"{name}/{r.source}" if multi else r.source, r.row)
                if multi:
                    if kind:
                        d["source_id"] = d["id"]
                        d["id"] = f"{name}/{d['id']}"
                    d["dataset"] = name
                    if not pre:
                        for key, is_list in refs:
                            v = d.get(key)
                            if v is None:
                                continue
                            d[key] = [f"{name}/{x}" for x in v] if is_list else f"{name}/{v}"
                dest.append(d)
                provs.append(prov_of(r))
        for p in ds.problems:
            if id(p) in withdrawn:
                continue
            if multi:
                p.file = f"{name}/{p.file}"
            out.problems.append(p)
        for p in getattr(ds, "notes", ()):
            if multi:
                p.file = f"{name}/{p.file}"
            out.notes.append(p)
        lines = set()
        for row, p in ds.rejected:
            if id(p) in withdrawn or (row is not None and id(row) in reinstated_rows):
                continue
            out.rejected.append((row, p))
            if row is not None:
                lines.add((row.source, row.row))
        out.rejected_lines += len(lines) + getattr(ds, "lines_refused", 0)
        ds.rows.clear()


def prepare(sources: list[Source], judgements_path=None, lenient: bool = False,
            progress: Callable[[str, int], None] | None = None):
    """Combine ``sources`` and add the identity warnings (pairs already judged
    are not warned about).  Returns ``(combined, judgements)``; the judgements
    are ``None`` without ``judgements_path``."""
    from ..identity.judgements import Judgements
    from ..identity.warnings import identity_warnings

    c = combine(sources, lenient=lenient, progress=progress)
    js = Judgements.load(judgements_path) if judgements_path is not None else None
    if c.errors and not lenient:
        return c, js
    c.problems.extend(identity_warnings(c.records.get("cadres", []), c.origin, c.multi, js))
    return c, js


def finish(c: Combined, judgements=None, progress=None):
    """Build the graph of combined records and apply the judgements:
    ``(graph, merge_report or None)``."""
    from ..graph.build import build_graph
    from ..identity import merge

    g = build_graph(c.records, progress=progress, share_records=True, provenance=c.prov)
    report = None
    if judgements is not None and len(judgements):
        report = merge.apply(g, judgements)
    return g, report


def build(sources: list[Source], judgements_path=None, lenient: bool = False,
          progress: Callable[[str, int], None] | None = None):
    """Combine ``sources``, add the identity warnings, build the graph and apply
    the judgements in ``judgements_path`` (a missing file merges nothing).

    Returns ``(combined, graph, merge_report)``; the graph is ``None`` when
    there are errors and not ``lenient``.
    """
    c, js = prepare(sources, judgements_path, lenient, progress)
    if c.errors and not lenient:
        return c, None, None
    g, report = finish(c, js)
    return c, g, report
