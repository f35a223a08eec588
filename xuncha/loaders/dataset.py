"""Load a dataset directory of ledgers into validated records.

:func:`load_dataset` reads every ledger it finds (CSV, XLSX, JSON Lines),
validates each row with the ledger's pydantic model, then checks the dataset
as a whole: duplicate ids, references to ids that do not exist or are of the
wrong kind, names that resolve to several people or units, dates out of order.
Every problem is collected (nothing stops at the first); each names the file,
the row as a spreadsheet user counts it, the column as headed in the file,
the value, the reason and, where one exists, the nearest valid value.

Sanity rules over the validated rows (cycles, capacity, principals,
duplicate relations, implausible dates, 身份证号) live in :mod:`.checks`.  A
ledger that fails as a whole (unreadable, empty, header only, header not
understood, no id column) is reported once, with a count of the references
it left unchecked, instead of one error per referring row.

Invariant: a record in ``Dataset.records`` has passed every check, and every
reference in it names an accepted record of the right kind by id (names have
been resolved to ids).  ``Dataset.provenance()`` gives each record's source
row, parallel to ``records``.
"""

from __future__ import annotations

import datetime as _dt
import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable


from .. import parsing, taxonomy
from . import checks
from ..errors import XunchaError
from ..graph.schema import LEDGER_ORDER, LEDGERS, NODE_KINDS, NODE_LEDGER, Ledger
from .readers import SourceError, Table, Uncached, discover, header_key as _header_key
from .records import fast_validator, model_for

SUGGESTION_WINDOW = 100  # neighbours (in sorted order) compared per "did you mean"
MAX_SUGGESTIONS = 500  # dangling references that get a suggestion


class DatasetError(XunchaError, FileNotFoundError):
    """The dataset path is missing or not a directory."""


@dataclass
class Problem:
    """One thing wrong with the input, located as the ledger keeper sees it."""

    severity: str  # "error" or "warning"
    file: str
    row: int | None
    column: str | None
    value: str | None
    reason: str
    suggestion: str | None = None
    ledger: str | None = None

    def as_dict(self) -> dict:
        return {
            "severity": self.severity,
            "file": self.file,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "reason": self.reason,
            "suggestion": self.suggestion,
        }

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column {self.column}"
        s = f"{where}: {self.reason}"
        if self.suggestion:
            s += f" (did you mean 是否应为: {self.suggestion})"
        return s


@dataclass(slots=True)  # ~1.5 M rows at province: less to allocate
class Row:
    """A validated row and where it came from."""

    data: dict
    source: str
    row: int
    cells: list  # the cells as read
    columns: dict  # field name -> header as written in the file
    bad_fields: frozenset = frozenset()  # fields whose cells failed (rejected rows)
    headers: list | None = None  # [(cell index, header)] of the mapped columns
    also: list | None = None  # duplicate rows (Row) merged into this one, cited in prov

    @property
    def raw(self) -> dict:
        """Header -> cell as read, for the rejected-rows file (built on demand:
        only rejected rows need it, and most rows are not rejected)."""
        cells = self.cells
        if isinstance(cells, dict):
            return cells
        return {h: (cells[i] if i < len(cells) else None) for i, h in self.headers or ()}


def _model_validate(ledger_name: str, data: dict):
    """``(record, None)`` or ``(None, errors)`` from the ledger's pydantic model."""
    from pydantic import ValidationError

    try:
        return model_for(ledger_name).model_validate(data), None
    except ValidationError as exc:
        return None, exc.errors()


@dataclass
class Dataset:
    directory: Path
    rows: dict[str, list[Row]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    # How the input was read, where a user may want to know (a delimiter
    # other than the comma, a two-row header read as one): not problems.
    notes: list[Problem] = field(default_factory=list)
    rejected: list[tuple[Row | None, Problem]] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)  # ledger -> source
    skipped: list[tuple[str, str]] = field(default_factory=list)
    # source -> "dataset/file[:sheet]", the prefix of each row's provenance
    prov_prefix: dict[str, str] = field(default_factory=dict)
    # Data lines of files or sheets refused whole (a second file for one
    # ledger, an unreadable header), which are in no rejected row.
    lines_refused: int = 0

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def records(self) -> dict[str, list[dict]]:
        return {k: [r.data for r in v] for k, v in self.rows.items()}

    def row_count(self) -> int:
        return sum(len(v) for v in self.rows.values())

    @property
    def rejected_lines(self) -> int:
        """Ledger rows not loaded: every rejected row once (a row with three
        bad cells is one row), plus the rows of files refused whole."""
        return len({(r.source, r.row) for r, _ in self.rejected if r is not None}) + self.lines_refused

    def provenance(self) -> dict[str, list]:
        """ledger -> for each record (in :attr:`records` order), where it came
        from: ``"dataset/file[:sheet]#row"``, or a list of them when duplicate
        rows were kept once.  Rows are numbered as the ledger keeper sees
        them: the spreadsheet or CSV line, the JSON Lines line.
        (:func:`xuncha.graph.build.build_graph` turns each into the ``prov``
        list of the record's node and edges.)"""
        prefix = self.prov_prefix
        out = {}
        for name, rows in self.rows.items():
            out[name] = [f"{prefix[r.source]}#{r.row}" if r.also is None
                         else [f"{prefix[x.source]}#{x.row}" for x in (r, *r.also)] for r in rows]
        return out


def _cell_empty(v) -> bool:
    if isinstance(v, str):
        return not (v.strip() if v.isprintable() else parsing.clean(v))
    return v is None or v == []


_approx_cache: dict[str, bool] = {}


def _money_approx(cell: str) -> bool:
    """Whether a money cell said 余/多 (approximate); memoised (hot path)."""
    hit = _approx_cache.get(cell)
    if hit is None:
        hit = parsing.parse_money(cell)[1]
        if len(_approx_cache) < 100_000:
            _approx_cache[cell] = hit
    return hit


# Cell types Excel gives a code that was not typed as text.
EXCEL_TYPED = (int, float, _dt.datetime, _dt.date)


def _number_text(v) -> str:
    """A number from an Excel cell as Excel shows it: whole numbers without
    ``.0``, and no more than 15 significant digits (Excel keeps no more)."""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    if isinstance(v, int) and abs(v) >= 10 ** 15:
        from decimal import Decimal

        v = int(Decimal(f"{v:.15g}"))
    return str(v)


def column_letter(i: int) -> str:
    """Spreadsheet column letter of a 0-based index: 0 -> A, 26 -> AA."""
    out = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        out = chr(65 + r) + out
    return out


def _short(v, limit: int = 60) -> str:
    s = str(v)
    return s if len(s) <= limit else s[: limit - 1] + "…"


def _nearest(value: str, pool) -> str | None:
    if not value:
        return None
    hit = difflib.get_close_matches(value, pool, n=1, cutoff=0.6)
    return hit[0] if hit else None


# Per-ledger row normalisers that run before validation.
def _normalise_issue(data: dict) -> None:
    """Older ledgers put a "three problems" subcategory (党的领导弱化, …) in the
    category column: file it under its five-constructions parent."""
    cat = data.get("category")
    if cat is None or isinstance(cat, (list, dict)) or (
            cat.__class__ is str and taxonomy.is_spelling("category", cat)):
        return  # the common case: a category code or name
    c = parsing.parse_code(cat)
    try:
        taxonomy.lookup("category", c)
        return
    except taxonomy.EnumError:
        pass
    try:
        sub = taxonomy.lookup("subcategory", c)
    except taxonomy.EnumError:
        return
    data["category"] = taxonomy.SUBCATEGORY_PARENT[sub]
    if _cell_empty(data.get("subcategory")):
        data["subcategory"] = sub


NORMALISERS: dict[str, Callable[[dict], None]] = {"issues": _normalise_issue}


class _Loader:
    def __init__(self, directory: Path, lenient: bool):
        self.ds = Dataset(directory)
        self.lenient = lenient
        self.dataset_name = directory.resolve().name or "dataset"
        # ledger -> (source, why, already reported): ledgers that failed as a
        # whole (unreadable, empty, header only, no id column).
        self.failed: dict[str, tuple[str, str, bool]] = {}
        # failed ledger -> {(source, column): count} of references it left
        # unchecked (directly, or through a row rejected because of it)
        self.unchecked: dict[str, dict[tuple[str, str], int]] = {}
        # kind -> {id: failed ledger} of rows rejected only because of it
        self.blocked: dict[str, dict[str, str]] = {}
        # kind -> {number as shown: (source, row)}: ids Excel typed as numbers
        self.numeric_ids: dict[str, dict[str, tuple[str, int]]] = {}

    def prov_prefix(self, source: str) -> str:
        """``dataset/file`` or ``dataset/file:sheet`` for a table's source name."""
        if source.endswith("]") and "[" in source:
            f, _, sheet = source[:-1].partition("[")
            return f"{self.dataset_name}/{f}:{sheet}"
        return f"{self.dataset_name}/{source}"

    def whole_failure(self, ledger: Ledger, source: str, why: str, reported: bool = False) -> None:
        """A ledger that failed as a whole: said once, with the references it
        leaves unchecked (see :meth:`report_failures`)."""
        self.failed.setdefault(ledger.name, (source, why, reported))

    def problem(self, severity, source, row, column, value, reason, suggestion=None,
                ledger=None, rec: Row | None = None) -> Problem:
        p = Problem(severity, source, row, column,
                    None if value is None else _short(value, 200), reason, suggestion, ledger)
        self.ds.problems.append(p)
        return p

    # -- phase 1: rows ---------------------------------------------------
    def read_table(self, t: Table) -> None:
        ledger = t.ledger
        if ledger.name in self.ds.sources:
            p = self.problem("error", t.source, None, None, None,
                             f"ledger {ledger.name} ({ledger.zh}) is also given by "
                             f"{self.ds.sources[ledger.name]}; this source was not read: keep one "
                             f"file or sheet per ledger (台账重复)", ledger=ledger.name)
            self.ds.rejected.append((None, p))
            self.ds.lines_refused += sum(1 for _ in t.rows)
            return
        self.ds.sources[ledger.name] = t.source
        self.ds.prov_prefix[t.source] = self.prov_prefix(t.source)
        for note in t.notes:
            self.ds.notes.append(Problem("note", t.source, t.header_row or None, None, None, note,
                                         ledger=ledger.name))
        if not t.headers:
            # JSON Lines with no object (empty, or every line bad) has no
            # columns to check; an empty CSV/sheet has no header row at all.
            if t.header_row:
                self.whole_failure(ledger, t.source, "empty: no header row, nothing read (空文件)")
            for n, why, _ in t.errors:
                p = self.problem("error", t.source, n, None, None, why, ledger=ledger.name)
                self.ds.rejected.append((None, p))
            return
        if t.header_problem:
            p = self.problem("error", t.source, t.header_row or None, None, None, t.header_problem,
                             ledger=ledger.name)
            lines = sum(1 for _ in t.rows)
            self.ds.rejected.append((None, p))
            self.ds.lines_refused += lines
            self.failed[ledger.name] = (t.source, "header not understood (表头无法识别)", True)
            return
        known = ledger.headers
        colmap: dict[int, str] = {}  # column index -> field name
        columns: dict[str, str] = {}  # field name -> header
        for i, h in enumerate(t.headers):
            if not h:
                continue
            name = known.get(h) or known.get(h.lower()) or known.get(_header_key(h))
            if name is None:
                sug = _nearest(h, list(known))
                self.problem("warning", t.source, t.header_row or None, h, None,
                             f"unknown column ignored (未知列，已忽略) in {ledger.name} ({ledger.zh})",
                             sug and f"{sug}", ledger.name)
                continue
            if name in columns:
                f = ledger.field(name)
                first_i = next(j for j, nm in colmap.items() if nm == name)
                self.problem("error", t.source, t.header_row or None, h, None,
                             f"column {h} (column {column_letter(i)}) repeats column "
                             f"{columns[name]} (column {column_letter(first_i)}): both mean "
                             f"{f.name} {f.zh}; keep one (重复列)", ledger=ledger.name)
                continue
            colmap[i] = name
            columns[name] = h
        missing = [f for f in ledger.fields if f.required and f.name not in columns]
        for f in missing:
            self.problem("error", t.source, t.header_row or None, f"{f.name} {f.zh}", None,
                         f"required column missing (缺少必填列) in {ledger.name} ({ledger.zh})",
                         ledger=ledger.name)
        if missing and not self.lenient:
            # Still read the rows so the report covers them; rows can't be kept.
            pass
        normalise = NORMALISERS.get(ledger.name)
        money = [f.name for f in ledger.fields if f.base == "money"]
        keys = {f.name: f.key for f in ledger.fields if f.prop}
        out = self.ds.rows.setdefault(ledger.name, [])
        missing_names = {f.name for f in missing}
        width = len(t.headers)
        unheaded = {i for i in range(width) if i not in colmap and not t.headers[i]}
        unheaded_seen: set[int] = set()
        before = len(out)
        try:
            self._read_rows(t, ledger, normalise, money, keys, out, colmap, columns,
                            missing_names, width, unheaded, unheaded_seen)
        except SourceError as exc:  # the rest of the file could not be parsed
            p = self.problem("error", t.source, None, None, None, exc.message, ledger=ledger.name)
            self.ds.rejected.append((None, p))
        for n, why, col, *cells in t.errors:
            header = None
            if col is not None:
                header = (t.headers[col] if col < len(t.headers) and t.headers[col]
                          else column_letter(col))
            cells = cells[0] if cells else []
            headers = [(i, columns[nm]) for i, nm in colmap.items()]
            # The cells before the bad one, so references to this row's id
            # say it was rejected rather than that it does not exist.
            data = {name: cells[i] for i, name in colmap.items()
                    if i < len(cells) and (col is None or i < col) and isinstance(cells[i], str)}
            p = self.problem("error", t.source, n, header, None, why, ledger=ledger.name)
            self.ds.rejected.append((Row(data, t.source, n, cells, columns, headers=headers), p))
        if len(out) == before and ledger.node and (
                "id" in missing_names or not any(r.source == t.source for r, _ in self.ds.rejected
                                                 if r is not None)):
            self.whole_failure(ledger, t.source,
                               "required column id missing (缺少编号列)" if "id" in missing_names
                               else "header only, no data rows (只有表头，没有数据)")

    def _read_rows(self, t, ledger, normalise, money, keys, out, colmap, columns,
                   missing_names, width, unheaded, unheaded_seen) -> None:
        # The hot loop of every load: one pass per row, no per-cell function
        # calls for the common case of a clean text cell.
        items = [(i, name) for i, name in colmap.items()]
        headers = [(i, columns[name]) for i, name in items]
        clean = parsing.clean
        fast = fast_validator(ledger.name)
        list_fields = [f.name for f in ledger.fields if f.is_list]
        keys = list(keys.items())
        money_approx = _money_approx
        workbook = t.workbook
        code_fields = {f.name for f in ledger.fields if f.base in ("code", "ref", "refs")}
        for n, cells in t.rows:
            data = {}
            ncells = len(cells)
            excel_bad = None
            for i, name in items:
                if i >= ncells:
                    continue
                v = cells[i]
                if v.__class__ is str:
                    v = v.strip() if v.isprintable() else clean(v)
                    if v:
                        data[name] = v
                elif not _cell_empty(v):
                    if workbook and (v.__class__ is Uncached or (
                            name in code_fields and v.__class__ in EXCEL_TYPED)):
                        excel_bad = (excel_bad or []) + [(i, name, v)]
                        continue
                    data[name] = v
            if len(cells) > width or unheaded:
                extra = [(i, c) for i, c in enumerate(cells)
                         if (i >= width or i in unheaded) and not _cell_empty(c)]
                if extra and t.delimited and any(i >= width for i, _ in extra):
                    vals = ", ".join(repr(_short(c, 30)) for _, c in extra[:3])
                    p = self.problem(
                        "error", t.source, n, column_letter(extra[0][0]), _short(extra[0][1]),
                        f"row has {len(cells)} cells but the header has {width} columns "
                        f"(单元格多于表头): extra value(s) {vals}; an unquoted comma inside a cell "
                        f"shifts the values; quote the cell or remove the extra cells",
                        ledger=ledger.name)
                    self.ds.rejected.append((Row(data, t.source, n, cells, columns, headers=headers), p))
                    continue
                for i, c in extra:
                    if i not in unheaded_seen:
                        unheaded_seen.add(i)
                        self.problem("warning", t.source, n, column_letter(i), _short(c),
                                     "value in a column without a header ignored "
                                     "(无表头的列已忽略); give the column a header",
                                     ledger=ledger.name)
            if normalise:
                normalise(data)
            excel_first = None
            if excel_bad:
                for i, name, v in excel_bad:
                    p = self._excel_problem(t.source, n, ledger, columns[name], name, v)
                    excel_first = excel_first or p
            d = None if excel_bad else fast(data)
            errs = None
            if d is None:  # the pydantic model: its record, or its errors
                rec, errs = _model_validate(ledger.name, data)
            if errs is not None or excel_bad:
                skip = {name for _, name, _ in excel_bad or ()}
                bad = frozenset(e["loc"][0] for e in errs or () if e["loc"]) | skip
                row = Row(data, t.source, n, cells, columns, bad or frozenset({"?"}), headers)
                first = excel_first
                for e in errs or ():
                    fname = e["loc"][0] if e["loc"] else None
                    if fname in missing_names or fname in skip:
                        continue  # reported once, as a missing column / an Excel cell
                    p = self._cell_problem(t.source, n, ledger, columns, fname, data, e)
                    first = first or p
                if first is None:
                    first = Problem("error", t.source, n, None, None, "required column missing")
                self.ds.rejected.append((row, first))
                continue
            if missing_names:
                self.ds.rejected.append((Row(data, t.source, n, cells, columns, headers=headers),
                                         Problem("error", t.source, n, None, None,
                                                 "required column missing (缺少必填列): "
                                                 + ", ".join(sorted(missing_names)))))
                continue
            if d is None:
                d = {k: v for k, v in rec.__dict__.items() if v is not None}
            for lf in list_fields:
                if d.get(lf) == []:
                    del d[lf]
            for k, new in keys:
                if k in d:
                    d[new] = d.pop(k)
            for m in money:
                rv = data.get(m)
                if rv.__class__ is str and money_approx(rv):
                    d[f"{m}_approx"] = True
            out.append(Row(d, t.source, n, cells, columns, headers=headers))

    def _excel_problem(self, source, n, ledger: Ledger, header: str, fname: str, v) -> Problem:
        """A workbook cell Excel has changed: a formula with no saved result,
        or a code typed as a number (leading zeros and digits past the 15th
        significant one are gone before xuncha sees the cell)."""
        if v.__class__ is Uncached:
            return self.problem(
                "error", source, n, header, v.formula,
                f"formula in cell {v.cell} has no saved value (公式没有计算结果): the workbook "
                f"was written without Excel computing it, so its value is unknown; open the "
                f"file in Excel and save it, or paste the column as values (选择性粘贴为数值)",
                ledger=ledger.name)
        f = ledger.field(fname)
        if isinstance(v, (_dt.date, _dt.datetime)):
            shown = v.date().isoformat() if isinstance(v, _dt.datetime) else v.isoformat()
            return self.problem(
                "error", source, n, header, shown,
                f"{f.name} {f.zh} is a code, but Excel turned this cell into a date ({shown}), "
                f"as it does with codes like 1-2 or 3/4; format the column as text "
                f"(设置单元格格式为文本) and type the value again", ledger=ledger.name)
        shown = _number_text(v)
        if isinstance(v, float) and not v.is_integer():
            what = f"a number with a fraction ({shown})"
        elif abs(v) >= 10 ** 15:
            what = (f"{shown}: Excel keeps 15 significant digits, so the digits after the 15th "
                    f"are lost (超过15位的数字已丢失)")
        else:
            what = f"{shown}: Excel drops leading zeros (前导零已丢失, e.g. 0402 becomes 402)"
        if f.name == "id" and ledger.node:
            self.numeric_ids.setdefault(ledger.node, {})[shown] = (source, n)
        return self.problem(
            "error", source, n, header, shown,
            f"{f.name} {f.zh} is a code, but this cell is typed as a number in Excel, {what}; "
            f"format the column as text (设置单元格格式为文本) and type the values again, or "
            f"start each with an apostrophe (')", ledger=ledger.name)

    def _cell_problem(self, source, n, ledger: Ledger, columns, fname, data, e) -> Problem:
        f = ledger.field(fname) if fname else None
        col = columns.get(fname, f"{fname} {f.zh}" if f else None) if fname else None
        value = data.get(fname) if fname else None
        if e["type"] == "missing":
            reason = f"required cell is empty (必填项为空): {f.name} {f.zh}" if f else "missing"
            return self.problem("error", source, n, col, None, reason, ledger=ledger.name)
        err = (e.get("ctx") or {}).get("error")
        if err is not None:
            reason = str(err)
        else:
            reason = e["msg"]
            if f is not None:
                reason = f"{reason} ({f.zh}, expected {f.value_type})"
        suggestion = getattr(err, "suggestion", None)
        if suggestion is None and f is not None and f.base in ("enum", "enums") and value is not None:
            try:
                suggestion = taxonomy.nearest(f.arg, parsing.parse_code(value))
            except ValueError:
                suggestion = None
        return self.problem("error", source, n, col, value, reason, suggestion, ledger.name)

    # -- phase 2: the dataset as a whole --------------------------------------
    def reject(self, row: Row, p: Problem, rejected_ids: set) -> None:
        self.ds.rejected.append((row, p))
        rejected_ids.add(id(row))

    def check_unique(self) -> None:
        for name, rows in self.ds.rows.items():
            ledger = LEDGERS[name]
            key = ("id",) if ledger.node else ledger.unique
            if not key:
                continue
            seen: dict[tuple, Row] = {}
            bad: set = set()
            for r in rows:
                k = tuple(r.data.get(f) for f in key)
                if k in seen:
                    first = seen[k]
                    col = ", ".join(r.columns.get(f, f) for f in key)
                    p = self.problem("error", r.source, r.row, col, "/".join(map(str, k)),
                                     f"duplicate {'id' if ledger.node else 'row'} (编号重复): "
                                     f"already on row {first.row}", ledger=name)
                    self.reject(r, p, bad)
                else:
                    seen[k] = r
            if bad:
                self.ds.rows[name] = [r for r in rows if id(r) not in bad]

    def build_indexes(self):
        # id -> kind over all node ledgers; names for kinds displayed by name.
        self.ids: dict[str, set[str]] = {}
        self.kind_of: dict[str, list[str]] = {}
        self.names: dict[str, dict[str, list[str]]] = {}
        for kind, ledger in NODE_LEDGER.items():
            rows = self.ds.rows.get(ledger.name, [])
            ids = {r.data["id"] for r in rows}
            self.ids[kind] = ids
            for i in ids:
                self.kind_of.setdefault(i, []).append(kind)
            if NODE_KINDS[kind].display == "name":
                idx: dict[str, list[str]] = {}
                for r in rows:
                    for nm in [r.data.get("name"), *r.data.get("aliases", [])]:
                        if nm and r.data["id"] not in idx.setdefault(nm, []):
                            idx[nm].append(r.data["id"])
                self.names[kind] = idx
        self.rejected_ids: dict[str, dict[str, Row]] = {}
        self.rejected_names: dict[str, dict[str, Row]] = {}
        for row, _ in self.ds.rejected:
            if row is None:
                continue
            for kind, ledger in NODE_LEDGER.items():
                if row.source != self.ds.sources.get(ledger.name):
                    continue
                if "id" in row.data:
                    try:
                        rid = parsing.parse_code(row.data["id"])
                    except ValueError:
                        rid = None
                    if rid is not None:
                        self.rejected_ids.setdefault(kind, {})[rid] = row
                if NODE_KINDS[kind].display == "name" and row.data.get("name"):
                    try:
                        nm = parsing.parse_code(row.data["name"])
                    except ValueError:
                        continue
                    self.rejected_names.setdefault(kind, {}).setdefault(nm, row)
        self.suggested = 0
        self._pools: dict[str, tuple[list[str], list[str]]] = {}

    def resolve(self, kind: str, value: str) -> tuple[str | None, str | None, str | None]:
        """(id, reason, suggestion): the id a reference names, or why not."""
        ids = self.ids.get(kind, set())
        if value in ids:
            return value, None, None
        named = self.names.get(kind, {}).get(value)
        if named:
            if len(named) == 1:
                return named[0], None, None
            cands = "; ".join(f"{kind}:{i}" for i in sorted(named)[:10])
            return None, (f"name '{value}' is ambiguous (重名): {len(named)} {kind}s are called "
                          f"that; write the id, one of {cands}"), sorted(named)[0]
        zh = NODE_KINDS[kind].zh
        others = [k for k in self.kind_of.get(value, []) if k != kind]
        if others:
            ok = others[0]
            return None, (f"'{value}' is a {ok} ({NODE_KINDS[ok].zh}), expected a {kind} ({zh})"), None
        rej = self.rejected_ids.get(kind, {}).get(value) or self.rejected_names.get(kind, {}).get(value)
        if rej is not None:
            return None, (f"refers to {kind} {value} ({zh}), which was rejected "
                          f"({rej.source}, row {rej.row}): fix that row"), None
        numeric = self.numeric_ids.get(kind)
        if numeric and value.isdigit():
            hit = numeric.get(value.lstrip("0") or "0")
            if hit is not None:
                return None, (f"no {kind} ({zh}) '{value}': {hit[0]}, row {hit[1]} has the id "
                              f"typed as a number ({value.lstrip('0') or '0'}), which lost its "
                              f"leading zeros in Excel; fix that cell (this reference is "
                              f"right)"), None
        suggestion = None
        if self.suggested < MAX_SUGGESTIONS:
            self.suggested += 1
            suggestion = _nearest(value, self._candidates(kind, value))
            if suggestion and value.isdigit() and suggestion == (value.lstrip("0") or "0"):
                suggestion = None  # never from the right code to its Excel-mangled form
        return None, f"no {kind} ({zh}) with id or name '{value}' (引用不存在)", suggestion

    def _candidates(self, kind: str, value: str) -> list[str]:
        """Ids and names of ``kind`` worth comparing with ``value``.

        A small pool is returned whole.  A large one is cut to the neighbours
        of ``value`` in sorted order and in sorted order of the reversed
        strings, so a typo at either end still finds its id, and one
        suggestion costs milliseconds, not a scan of every id."""
        cache = self._pools
        pools = cache.get(kind)
        if pools is None:
            words = sorted(self.ids.get(kind, set()) | set(self.names.get(kind, {})))
            pools = cache[kind] = (words, sorted(w[::-1] for w in words))
        words, backwards = pools
        if len(words) <= 2 * SUGGESTION_WINDOW:
            return words
        import bisect

        i = bisect.bisect_left(words, value)
        j = bisect.bisect_left(backwards, value[::-1])
        near = words[max(0, i - SUGGESTION_WINDOW): i + SUGGESTION_WINDOW]
        near += [w[::-1] for w in backwards[max(0, j - SUGGESTION_WINDOW): j + SUGGESTION_WINDOW]]
        return near

    def check_refs(self) -> None:
        self.build_indexes()
        # A kind referred to whose ledger is absent fails as a whole too.
        for name in LEDGER_ORDER:
            if name not in self.ds.sources:
                continue
            for f in LEDGERS[name].fields:
                if f.base in ("ref", "refs"):
                    target = NODE_LEDGER[f.arg]
                    if target.name not in self.ds.sources and target.name not in self.failed:
                        self.failed[target.name] = (
                            str(self.ds.directory.name or self.ds.directory),
                            f"no {target.name} ledger ({target.zh}台账) in the dataset "
                            f"(expected e.g. {target.name}.csv or {target.zh}.csv)", True)
        failed_kinds = {LEDGERS[n].node for n in self.failed if LEDGERS[n].node}
        for name in LEDGER_ORDER:
            rows = self.ds.rows.get(name) or []
            if name not in self.ds.sources:
                continue
            ledger = LEDGERS[name]
            refs = [f for f in ledger.fields if f.base in ("ref", "refs")]
            specs = [(f, f.name, f.is_list, self.ids.get(f.arg, set())) for f in refs]
            bad: set = set()
            for r in rows:
                d = r.data
                for f, fname, is_list, ids in specs:
                    v = d.get(fname)
                    if v is None:
                        continue
                    # Fast path: the reference is an id of the right kind.
                    if is_list:
                        if all(x in ids for x in v):
                            continue
                    elif v in ids:
                        continue
                    cause = self.blocking(f.arg, v if is_list else [v], failed_kinds)
                    if cause is not None:
                        # Said once for the failed ledger, not once per row.
                        col = r.columns.get(f.name, f.name)
                        per = self.unchecked.setdefault(cause, {})
                        per[(r.source, col)] = per.get((r.source, col), 0) + 1
                        if id(r) not in bad:
                            src, why, _ = self.failed[cause]
                            self.reject(r, Problem("error", r.source, r.row, col, _short(v),
                                                   f"not checked: {src} failed ({why})", None,
                                                   name), bad)
                            if ledger.node and "id" in d:
                                self.blocked.setdefault(ledger.node, {})[d["id"]] = cause
                        continue
                    values = v if is_list else [v]
                    resolved = []
                    for item in values:
                        rid, reason, sug = self.resolve(f.arg, item)
                        if rid is None:
                            p = self.problem("error", r.source, r.row, r.columns.get(f.name, f.name),
                                             item, reason, sug, name)
                            if id(r) not in bad:
                                self.reject(r, p, bad)
                        else:
                            resolved.append(rid)
                    if id(r) not in bad:
                        d[f.name] = resolved if f.is_list else resolved[0]
                for a, b in ledger.date_order:
                    if a in d and b in d and d[b] < d[a]:
                        fa, fb = ledger.field(a), ledger.field(b)
                        p = self.problem("error", r.source, r.row, r.columns.get(b, b), d[b],
                                         f"{fb.name} {fb.zh} is before {fa.name} {fa.zh} "
                                         f"({d[a]}) (时间顺序错误)", ledger=name)
                        if id(r) not in bad:
                            self.reject(r, p, bad)
                extra = ROW_CHECKS.get(name)
                if extra:
                    for col, value, reason in extra(d):
                        p = self.problem("error", r.source, r.row, r.columns.get(col, col), value,
                                         reason, ledger=name)
                        if id(r) not in bad:
                            self.reject(r, p, bad)
                if name in checks.ROW_RULES:
                    for col, value, reason in checks.row_findings(name, d):
                        p = self.problem("error", r.source, r.row, r.columns.get(col, col), value,
                                         reason, ledger=name)
                        if id(r) not in bad:
                            self.reject(r, p, bad)
            if ledger.node:
                for fd in checks.cycle_findings([r for r in rows if id(r) not in bad], ledger):
                    p = self.finding(name, fd)
                    if id(fd.row) not in bad:
                        self.reject(fd.row, p, bad)
            self.check_rejected_refs(name, refs)
            if bad:
                self.ds.rows[name] = [r for r in rows if id(r) not in bad]
                # Later ledgers must not resolve to rows rejected here.
                if ledger.node:
                    self.build_indexes()

    def blocking(self, kind: str, values, failed_kinds) -> str | None:
        """The failed ledger that keeps these references from being checked:
        the ledger of ``kind`` itself, or the one a referred row depended on."""
        if kind in failed_kinds:
            return NODE_LEDGER[kind].name
        blocked = self.blocked.get(kind)
        if blocked:
            for v in values:
                if v in blocked:
                    return blocked[v]
        return None

    def check_rejected_refs(self, name: str, refs) -> None:
        """References in rows already rejected for a bad cell: report them too,
        so one validation run lists every problem of a row."""
        source = self.ds.sources.get(name)
        failed_kinds = {LEDGERS[n].node for n in self.failed if LEDGERS[n].node}
        for row, _ in self.ds.rejected:
            if row is None or not row.bad_fields or row.source != source:
                continue
            for f in refs:
                v = row.data.get(f.name)
                if v is None or f.name in row.bad_fields or f.arg in failed_kinds:
                    continue
                try:
                    values = parsing.parse_list(v) if f.is_list else [parsing.parse_code(v)]
                except ValueError:
                    continue
                for item in values:
                    rid, reason, sug = self.resolve(f.arg, item)
                    if rid is None:
                        self.problem("error", row.source, row.row, row.columns.get(f.name, f.name),
                                     item, reason, sug, name)

    def report_failures(self) -> None:
        """One problem per ledger that failed as a whole, with the references
        it left unchecked, instead of one error per referring row."""
        for name, (source, why, reported) in self.failed.items():
            ledger = LEDGERS[name]
            refs = self.unchecked.get(name, {})
            total = sum(refs.values())
            if total:
                parts = ", ".join(f"{src} {col} ×{n:,}" for (src, col), n in
                                  sorted(refs.items(), key=lambda kv: -kv[1])[:6])
                lead = f"{source} failed as a whole: {why}; so " if reported else f"{why}; so "
                self.problem("error", source, None, None, None,
                             f"{lead}{total:,} references to {ledger.node} ({ledger.zh}), or to "
                             f"rows that refer to one, could not be checked (无法核对的引用): "
                             f"{parts}; the rows holding them were not loaded. Fix {source} "
                             f"first", ledger=name)
            elif not reported:
                self.problem("warning", source, None, None, None,
                             f"{why}: nothing read for {name} ({ledger.zh})", ledger=name)

    def finding(self, name: str, fd) -> Problem:
        r = fd.row
        return self.problem(fd.severity, r.source, r.row, r.columns.get(fd.field, fd.field),
                            fd.value, fd.reason, ledger=name)

    def sanity(self) -> None:
        """Warnings for what is well-formed but implausible (see :mod:`.checks`)."""
        rows = self.ds.rows
        if rows.get("relations"):
            kept, found = checks.duplicate_relations(rows["relations"])
            rows["relations"] = kept
            for fd in found:
                self.finding("relations", fd)
        for fd in checks.principal_findings(rows.get("positions", [])):
            self.finding("positions", fd)
        for name in LEDGER_ORDER:
            if rows.get(name):
                for fd in checks.date_findings(name, rows[name]):
                    self.finding(name, fd)
        for fd in checks.id_number_findings(rows.get("cadres", [])):
            self.finding("cadres", fd)

    def warnings(self) -> None:
        actions = self.ds.rows.get("actions", [])
        addressed = {r.data.get("issue_id") for r in actions}
        issues = self.ds.rows.get("issues", [])
        if "actions" in self.ds.sources:
            no_action = [r for r in issues if r.data["id"] not in addressed]
            for r in no_action[:200]:
                self.problem("warning", r.source, r.row, r.columns.get("id"), r.data["id"],
                             "issue has no rectification action yet (尚无整改措施)", ledger="issues")
            if len(no_action) > 200:
                self.problem("warning", self.ds.sources["issues"], None, None, None,
                             f"{len(no_action) - 200} more issues have no action yet")


def _issue_checks(d: dict):
    sub = d.get("subcategory")
    if sub and taxonomy.SUBCATEGORY_PARENT.get(sub) != d.get("category"):
        parent = taxonomy.SUBCATEGORY_PARENT.get(sub)
        yield ("subcategory", sub,
               f"subcategory {taxonomy.label('subcategory', sub)} belongs to "
               f"{taxonomy.label('category', parent)}, not "
               f"{taxonomy.label('category', d.get('category'))} (子类与类别不符)")


def _action_checks(d: dict):
    if not d.get("issue_id") and not d.get("lead_id"):
        yield ("issue_id", None, "an action must name an issue_id 问题编号 or a lead_id 线索编号")


def _relation_checks(d: dict):
    if d.get("cadre_id") == d.get("other_id"):
        yield ("other_id", d.get("other_id"), "a person cannot be related to themself")


ROW_CHECKS = {"issues": _issue_checks, "actions": _action_checks, "relations": _relation_checks}


def load_dataset(directory: str | Path, lenient: bool = False,
                 progress: Callable[[str, int], None] | None = None) -> Dataset:
    """Read and validate every ledger in ``directory``.

    >>> ds = load_dataset("examples/county")      # doctest: +SKIP
    >>> ds.errors, ds.row_count()                  # doctest: +SKIP
    ([], 1234)
    """
    from ..perf import gc_paused

    with gc_paused():
        return _load_dataset(Path(directory), lenient, progress)


def _load_dataset(directory: Path, lenient: bool, progress) -> Dataset:
    if not directory.is_dir():
        what = "is a file, not a directory" if directory.exists() else "does not exist"
        raise DatasetError(f"{directory} {what}: give the directory that holds the ledgers "
                           f"(台账目录), e.g. xuncha load examples/county")
    loader = _Loader(directory, lenient)
    tables, skipped, source_errors = discover(directory)
    loader.ds.skipped = skipped
    for err in source_errors:
        p = loader.problem("error", err.source, None, None, None, err.message)
        loader.ds.rejected.append((None, p))
        if err.ledger is not None:
            loader.whole_failure(err.ledger, err.source, "not readable (无法读取)", reported=True)
    for name, why in skipped:
        loader.problem("warning", name, None, None, None, f"file ignored: {why}")
    order = {n: i for i, n in enumerate(LEDGER_ORDER)}
    for t in sorted(tables, key=lambda t: order[t.ledger.name]):
        loader.read_table(t)
        if progress:
            progress(t.source, len(loader.ds.rows.get(t.ledger.name, [])))
    if not tables and not source_errors:
        loader.problem("error", str(directory), None, None, None,
                       "no ledgers found (未找到台账): expected files such as units.csv or 单位.csv")
    loader.check_unique()
    loader.check_refs()
    loader.report_failures()
    loader.sanity()
    loader.warnings()
    # Report in reading order: file by file, row by row (file-level first).
    first_seen: dict[str, int] = {}
    for p in loader.ds.problems:
        first_seen.setdefault(p.file, len(first_seen))
    loader.ds.problems.sort(key=lambda p: (first_seen[p.file], -1 if p.row is None else p.row))
    loader.ds.dataset_name = loader.dataset_name
    return loader.ds
