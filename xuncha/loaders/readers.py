"""Raw readers: CSV (UTF-8, UTF-8 BOM, UTF-16, GB18030), XLSX and JSON Lines.

A reader turns one ledger source into a :class:`Table`: the source's display
name, its header row and its data rows, each row numbered the way the person
who keeps the ledger counts it (the spreadsheet row, or the line of the file).
Title rows and blank rows above the header are skipped: the header is the
first row, among the first :data:`HEADER_SCAN` rows, that names the most known
columns of the ledger; a two-row header (a merged group cell over its
columns) is read as one, or refused with the reason (``Table.header_problem``).

Exactness (nothing is folded, dropped or guessed silently):
- CSV: the delimiter is chosen among ``,`` tab ``;`` with quotes respected; a
  quote that never closes, or a quoted cell holding whole rows, is reported
  at the row where it opened (``Table.errors``) and reading resumes on the
  next line;
- XLSX: cells keep Excel's types, so the loader can refuse a code Excel
  turned into a number or a date; a formula without a saved result becomes
  an :class:`Uncached` cell naming its cell (``问题台账!H7``).
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from ..graph.schema import LEDGERS, Ledger
from ..parsing import clean

HEADER_SCAN = 15
# A single cell may hold a long description; the csv module's default limit
# (128 KiB) would abort the whole file on one long cell.
MAX_CELL = 16 * 1024 * 1024


class SourceError(Exception):
    """A whole file or sheet could not be read."""

    def __init__(self, source: str, message: str, ledger: Ledger | None = None):
        super().__init__(f"{source}: {message}")
        self.source = source
        self.message = message
        self.ledger = ledger  # the ledger the file stands for, when known


@dataclass
class Table:
    source: str  # e.g. "issues.csv" or "台账.xlsx[问题台账]"
    ledger: Ledger
    headers: list[str]
    rows: Iterable[tuple[int, list]]  # (row number, cells aligned to headers)
    header_row: int = 1
    notes: list[str] = field(default_factory=list)
    # Rows the reader could not parse: (row number, reason, column index or
    # None), e.g. a JSON Lines line that is not JSON, a CSV quote never
    # closed.  Filled while ``rows`` is consumed.
    errors: list[tuple] = field(default_factory=list)
    # Delimited text: a row with more cells than headers means values shifted
    # (an unquoted comma); in a workbook it is a note beside the table.
    delimited: bool = False
    # A workbook sheet: cells keep Excel's types (numbers, dates, formulas).
    workbook: bool = False
    # Why the header could not be read (e.g. a two-row header of unknown
    # names): the table is refused with this reason.
    header_problem: str | None = None


def header_text(cell) -> str:
    """A header cell as text: numbers from Excel without ``.0``, invisibles removed."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    return clean(cell)


def _ledger_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for l in LEDGERS.values():
        for n in (l.name, l.zh, *l.zh_aliases):
            names.setdefault(n.lower(), l.name)
    return names


LEDGER_NAMES = _ledger_names()


def ledger_for(name: str) -> Ledger | None:
    """The ledger a file stem or sheet name stands for (英文 or 中文)."""
    key = name.strip().lower()
    hit = LEDGER_NAMES.get(key)
    if hit is None:
        # "04_问题台账" or "问题台账（2023）": look for a known name inside.
        for n in sorted(LEDGER_NAMES, key=len, reverse=True):
            if len(n) >= 2 and n in key:
                hit = LEDGER_NAMES[n]
                break
    return LEDGERS[hit] if hit else None


def utf16_kind(data: bytes) -> str | None:
    """``utf-16`` when ``data`` is UTF-16 text (Excel's "Unicode text" save),
    else None.  With a byte-order mark that decides; without one, text in
    UTF-16 has a NUL byte in one half of most ASCII characters (digits,
    delimiters, line breaks), always at the same parity."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    sample = data[:8192]
    if len(sample) < 4 or b"\x00" not in sample:
        return None
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    pairs = len(sample) // 2
    if odd > pairs * 0.2 and even == 0:
        return "utf-16-le"
    if even > pairs * 0.2 and odd == 0:
        return "utf-16-be"
    return None


def decode(data: bytes, source: str) -> str:
    """UTF-8 (with or without BOM), UTF-16 (with or without BOM), else GB18030."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    u16 = utf16_kind(data)
    if u16:
        try:
            text = data.decode(u16)
        except UnicodeDecodeError as exc:
            raise SourceError(source, f"not valid UTF-16 text (编码错误) at byte {exc.start}") from None
        return text[1:] if text.startswith("\ufeff") else text
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise SourceError(
            source, f"not UTF-8, UTF-16 or GB18030 text (编码无法识别) at byte {exc.start}; "
                    f"save the file as UTF-8 (另存为 CSV UTF-8)"
        ) from None


_HEADER_NOISE = re.compile(r"\s+|[*＊]|[（(]\s*(?:必填|选填|可选|required|optional)\s*[)）]", re.I)


def header_key(h: str) -> str:
    """A header without template marks: ``问题编号*``, ``问题编号（必填）``, a
    line break from wrapped text in Excel -> ``问题编号``."""
    return _HEADER_NOISE.sub("", h).lower()


def _header_score(cells: list, ledger: Ledger) -> int:
    known = ledger.headers
    score = 0
    for c in cells:
        if c is not None:
            h = header_text(c)
            score += h.lower() in known or header_key(h) in known
    return score


def _blank(c) -> bool:
    return c is None or (isinstance(c, str) and not c.strip())


@dataclass
class Header:
    """Where the header is among the first rows, and its cells.

    ``index`` is the (last) header row's index in the rows scanned; ``span``
    is 2 for a two-row header (a merged group cell such as 单位信息 over
    所在区划 | 上级单位), read as one row: each column takes the lower cell,
    or the upper one where the lower is empty (vertically merged)."""

    index: int
    cells: list
    span: int = 1
    problem: str | None = None  # why a two-row header could not be read


def _find_header(first_rows: list[list], ledger: Ledger) -> Header:
    best, best_score = 0, 0
    for i, cells in enumerate(first_rows):
        score = _header_score(cells, ledger)
        if score > best_score:
            best, best_score = i, score
    head = Header(best, list(first_rows[best]) if first_rows else [])
    if best_score == 0:
        return head
    # A two-row header: the row above or below completes this one.
    for upper_i in (best - 1, best):
        lower_i = upper_i + 1
        if upper_i < 0 or lower_i >= len(first_rows):
            continue
        upper, lower = first_rows[upper_i], first_rows[lower_i]
        width = max(len(upper), len(lower))
        merged = [lower[j] if j < len(lower) and not _blank(lower[j])
                  else (upper[j] if j < len(upper) else None) for j in range(width)]
        if _header_score(merged, ledger) > best_score:
            return Header(lower_i, merged, 2)
    # The row under the header is blank under every known column and names
    # something elsewhere: a second header row of names this ledger does not
    # know (a data row always has values under known columns: the id…).
    if best + 1 < len(first_rows):
        below = first_rows[best + 1]
        cells = head.cells
        known = ledger.headers

        def is_known(j):
            if j >= len(cells) or _blank(cells[j]):
                return False
            h = header_text(cells[j])
            return h.lower() in known or header_key(h) in known
        def group_of(j):
            """The header cell over column j, or the nearest one left of it
            (a merged group cell keeps its text in its first column)."""
            return next((k for k in range(min(j, len(cells) - 1), -1, -1)
                         if not _blank(cells[k])), None)

        filled = [j for j, c in enumerate(below) if not _blank(c)]
        # Under a group header (a name this ledger does not know), not a
        # stray note beside a known column.
        grouped = [j for j in filled if (k := group_of(j)) is not None and not is_known(k)]
        if filled and grouped and not any(is_known(j) for j in filled):
            under_blank = filled
            groups = []
            for j in filled:
                k = next((k for k in range(min(j, len(cells) - 1), -1, -1)
                          if not _blank(cells[k])), None)
                if k is not None and header_text(cells[k]) not in groups:
                    groups.append(header_text(cells[k]))
            names = ", ".join(header_text(below[j]) for j in under_blank[:6])
            head.problem = (
                f"the header spans two rows (多行表头/合并单元格): the row under it names "
                f"{names} under {', '.join(groups[:3]) or 'empty header cells'}, which are not "
                f"columns of {ledger.name} ({ledger.zh}); write one header row with a column "
                f"name per column (e.g. {', '.join(f.zh for f in ledger.fields[:3])}), "
                f"so no column is dropped")
    return head


DELIMITERS = {",": "comma", "\t": "tab (制表符)", ";": "semicolon (分号)"}
# Line breaks as the csv module sees them (outside quotes, any of the three).
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
_BREAK = re.compile(r"\r\n|\r|\n")


_EXOTIC_BREAKS = re.compile("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def split_lines(text: str) -> list[str]:
    """Physical lines with their endings, split on ``\r\n``, ``\r`` or ``\n``
    only, as the csv module does (``str.splitlines`` also splits on U+2028,
    form feeds and other characters a cell may hold; it is used, being much
    faster, when the text holds none of them)."""
    if _EXOTIC_BREAKS.search(text) is None:
        return text.splitlines(True)
    return _LINE.findall(text)


def _parse_some(lines: list[str], delimiter: str, limit: int = 40) -> list[list[str]]:
    rows = []
    try:
        for row in csv.reader(lines[:limit], delimiter=delimiter):
            rows.append(row)
    except csv.Error:
        pass
    return rows


def sniff_delimiter(lines: list[str], ledger: Ledger, suffix: str) -> str:
    """The delimiter among ``,`` ``\\t`` ``;`` under which the file reads as this
    ledger: its header names the most known columns (quotes respected, so a
    tab inside a quoted cell does not count); then the one that splits the
    most rows into as many cells as the header has; ties keep the comma (the
    tab for ``.tsv``)."""
    preferred = "\t" if suffix == ".tsv" else ","
    best, best_key = preferred, None
    for d in DELIMITERS:
        rows = _parse_some(lines, d)
        if not rows:
            continue
        scan = rows[:HEADER_SCAN]
        h = max(range(len(scan)), key=lambda i: (_header_score(scan[i], ledger), -i))
        score = _header_score(scan[h], ledger)
        width = len(scan[h])
        consistent = sum(1 for r in rows[h + 1:] if len(r) == width) if width > 1 else 0
        key = (score, consistent, d == preferred)
        if best_key is None or key > best_key:
            best, best_key = d, key
    return best


def read_csv(path: Path, ledger: Ledger) -> Table:
    source = path.name
    lines = split_lines(decode(path.read_bytes(), source))  # the text itself is not kept
    suffix = path.suffix.lower()
    delimiter = sniff_delimiter(lines, ledger, suffix)
    if csv.field_size_limit() < MAX_CELL:
        csv.field_size_limit(MAX_CELL)
    notes = []
    if delimiter != ("\t" if suffix == ".tsv" else ","):
        notes.append(f"read as {DELIMITERS[delimiter]}-separated (分隔符: {delimiter!r}): "
                     f"its header names this ledger's columns under that delimiter")
    reader = _CsvRows(lines, delimiter, source)
    it = iter(reader)
    first: list[list] = []
    starts: list[int] = []
    for n, row in it:
        first.append(row)
        starts.append(n)
        if len(first) >= HEADER_SCAN:
            break
    table = Table(source, ledger, [], [], 1, notes=notes, delimited=True, errors=reader.errors)
    if not first:
        return table
    head = _find_header(first, ledger)
    h = head.index
    table.headers = [header_text(c) for c in head.cells]
    table.header_row = starts[h]
    table.header_problem = head.problem
    if head.span == 2:
        notes.append(f"rows {starts[h - 1]}–{starts[h]} read as one header (两行表头合并)")
    rest = list(zip(starts[h + 1:], first[h + 1:]))
    reader.width = len(table.headers)
    reader.skip_blank = True

    table.rows = itertools.chain(((n, c) for n, c in rest if "".join(c).strip()), it)
    return table


class _CsvRows:
    """Rows of delimited text with the line each starts on, checked for quotes.

    A quoted cell may hold line breaks.  When one runs to the end of the file
    (its quote never closes), or holds a line with a whole row's worth of
    delimiters (a stray quote swallowing the rows after it), the row where
    the quote opened is reported in :attr:`errors` and reading resumes on the
    next line, so the swallowed lines are read as the rows they are."""

    def __init__(self, lines: list[str], delimiter: str, source: str):
        self.lines = lines
        self.delimiter = delimiter
        self.source = source
        self.errors: list[tuple] = []  # (line, reason, column index or None)
        self.width = 0  # header cells, once the header is known
        self.skip_blank = False  # blank rows are not yielded (set after the header)

    def __iter__(self) -> Iterator[tuple[int, list]]:
        # Rows are numbered as a spreadsheet shows the file: one row per
        # record, a cell with line breaks inside is still one row.
        lines = self.lines
        start = 0  # index of the next line to read
        record = 0
        while start < len(lines):
            reader = csv.reader(iter(lines[start:]) if start else lines, delimiter=self.delimiter)
            prev = 0
            resume = None
            while True:
                try:
                    cells = next(reader)
                except StopIteration:
                    break
                except csv.Error as exc:
                    record += 1
                    self.errors.append((record, f"not readable as CSV (格式错误): {exc}"
                                                f"{self._line_note(record, start + prev + 1)}", None))
                    resume = start + prev + 1
                    break
                end = reader.line_num
                record += 1
                if end - prev > 1:
                    bad = self._swallowed(cells, start + prev, start + end)
                    if bad is not None:
                        reason, col = bad
                        self.errors.append((record, reason + self._line_note(record, start + prev + 1),
                                            col, cells))
                        resume = start + prev + 1
                        break
                prev = end
                if self.skip_blank and not "".join(cells).strip():
                    continue  # a blank row still counts
                yield record, cells
            if resume is None:
                return
            start = resume

    @staticmethod
    def _line_note(record: int, line: int) -> str:
        return "" if record == line else f" (line {line} of the file)"

    def _swallowed(self, cells: list[str], first: int, last: int):
        """(reason, column) when the quoted cell of a row read from
        lines ``first`` (0-based) to ``last`` (exclusive) is a runaway quote."""
        d = self.delimiter
        width = max(self.width, 3)
        raw = "".join(self.lines[first:last])
        at_eof = last >= len(self.lines)
        col = next((i for i, c in enumerate(cells) if _BREAK.search(c)), None)
        n_lines = last - first - 1
        if at_eof and raw.count('"') % 2 == 1:
            return (f"quote opened here is never closed (引号未闭合): the {n_lines} "
                               f"line(s) after it were swallowed into one cell; close the quote, "
                               f"or write a quote inside a quoted cell as \"\" (the lines after "
                               f"it were read as rows of their own)", col)
        if col is None:
            return None
        for k, seg in enumerate(_BREAK.split(cells[col])[1:], start=1):
            if seg.count(d) >= width - 1:
                return (f"a quoted cell opened here runs over {n_lines} line "
                                   f"break(s) to line {last} and holds whole rows (行被引号吞并): "
                                   f"its line {k + 1} is {_clip(seg)!r} with "
                                   f"{seg.count(d)} delimiters; check the quotes in this cell "
                                   f"(the lines after it were read as rows of their own)", col)
        return None


def _clip(s: str, limit: int = 50) -> str:
    return s if len(s) <= limit else s[: limit - 1] + "…"


def read_jsonl(path: Path, ledger: Ledger) -> Table:
    source = path.name
    text = decode(path.read_bytes(), source)
    records: list[tuple[int, dict]] = []
    headers: dict[str, None] = {}
    errors: list[tuple[int, str]] = []
    # Lines split on "\n" only: str.splitlines() would also split inside a
    # value holding U+2028 or a form feed, which JSON allows unescaped.
    for n, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            # NaN/Infinity are not JSON: keep them as text so the cell fails
            # with a clear message in a numeric column.
            obj = json.loads(line, parse_constant=str)
        except json.JSONDecodeError as exc:
            errors.append((n, f"not valid JSON (JSON 格式错误): {exc.msg} at column {exc.colno}", None))
            continue
        except (ValueError, RecursionError) as exc:  # e.g. a 5000-digit number
            errors.append((n, f"not valid JSON (JSON 格式错误): {exc}", None))
            continue
        if not isinstance(obj, dict):
            errors.append((n, f"expected a JSON object per line (每行一个对象), got {type(obj).__name__}", None))
            continue
        obj = {header_text(k): _json_cell(v) for k, v in obj.items()}
        for k in obj:
            headers.setdefault(k, None)
        records.append((n, obj))
    hs = list(headers)
    return Table(source, ledger, hs, [(n, [o.get(k) for k in hs]) for n, o in records], 0,
                 errors=errors)


def _json_cell(v):
    """Lone surrogates (``"\\ud800"``) cannot be stored or printed: replace them."""
    if isinstance(v, str):
        try:
            v.encode("utf-8")
        except UnicodeEncodeError:
            return v.encode("utf-8", "replace").decode("utf-8")
        return v
    if isinstance(v, list):
        return [_json_cell(x) for x in v]
    if isinstance(v, dict):
        return {str(_json_cell(k)): _json_cell(x) for k, x in v.items()}
    return v


def _xlsx_cell(cell):
    """Cell value; numbers formatted with leading zeros keep them (e.g. 000123)."""
    v = cell.value
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        fmt = getattr(cell, "number_format", None) or ""
        if fmt and set(fmt) == {"0"} and float(v).is_integer():
            return str(int(v)).zfill(len(fmt))
    return v


class Uncached:
    """A formula cell whose result Excel never saved (e.g. a workbook written
    by a program, not saved in Excel): its value is unknown, not empty."""

    __slots__ = ("cell", "formula")

    def __init__(self, cell: str, formula: str):
        self.cell = cell  # e.g. "问题台账!H7"
        self.formula = formula

    def __str__(self) -> str:
        return self.formula

    def __repr__(self) -> str:
        return f"Uncached({self.cell!r}, {self.formula!r})"


_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[ >/]")


def _formula_sheets(path: Path) -> bool:
    """Whether any sheet of the workbook holds a formula (a cheap scan of the
    zip, so only such workbooks are read a second time for their formulas)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as z:
            for name in z.namelist():
                if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    with z.open(name) as fh:
                        tail = b""
                        while True:
                            chunk = fh.read(1 << 20)
                            if not chunk:
                                break
                            if _FORMULA_TAG.search(tail + chunk):
                                return True
                            tail = chunk[-16:]
    except (OSError, zipfile.BadZipFile, KeyError):
        return False
    return False


def _formulas(path: Path) -> dict[str, dict[tuple[int, int], str]]:
    """sheet title -> {(row, column): formula} of every formula cell."""
    import openpyxl

    out: dict[str, dict[tuple[int, int], str]] = {}
    wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        for ws in wb.worksheets:
            found = {}
            for row in ws.iter_rows():
                for c in row:
                    v = getattr(c, "value", None)
                    if isinstance(v, str) and v.startswith("="):
                        found[(c.row, c.column)] = v
                    elif v is not None and v.__class__.__name__ == "ArrayFormula":
                        found[(c.row, c.column)] = "=" + str(getattr(v, "text", v)).lstrip("=")
            if found:
                out[ws.title] = found
    finally:
        wb.close()
    return out


def read_xlsx(path: Path) -> list[Table]:
    """Every sheet that names a ledger (or the only sheet of ``issues.xlsx``)."""
    try:
        import openpyxl
    except ImportError as exc:  # pragma: no cover - declared dependency
        raise SourceError(path.name, f"reading Excel needs openpyxl: {exc}") from None
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a bad file
        raise SourceError(path.name, f"not a readable Excel workbook (无法读取): {exc}") from None
    try:
        formulas = _formulas(path) if _formula_sheets(path) else {}
        return _read_workbook(wb, path, formulas)
    except SourceError:
        raise
    except Exception as exc:  # a damaged sheet inside a readable zip
        raise SourceError(path.name, f"not a readable Excel workbook (无法读取): {exc}") from None
    finally:
        wb.close()


def _row_number(row, fallback: int) -> int:
    """The spreadsheet row number of an openpyxl row (its cells know it)."""
    for c in row:
        r = getattr(c, "row", None)
        if r is not None:
            return r
    return fallback


def _read_workbook(wb, path: Path, formulas: dict | None = None) -> list[Table]:
    from openpyxl.utils import get_column_letter

    tables = []
    file_ledger = ledger_for(path.stem)
    sheets = wb.worksheets
    for ws in sheets:
        ledger = ledger_for(ws.title)
        if ledger is None and file_ledger is not None and len(sheets) == 1:
            ledger = file_ledger
        if ledger is None:
            continue
        source = f"{path.name}[{ws.title}]"
        sheet_formulas = (formulas or {}).get(ws.title, {})
        # Row numbers come from the cells: a sheet whose used range starts
        # below row 1 must still report rows as Excel shows them.
        n = 0
        numbered: list[tuple[int, list]] = []
        for row in ws.iter_rows():
            n = _row_number(row, n + 1)
            cells = [_xlsx_cell(c) for c in row]
            if sheet_formulas:
                for j, c in enumerate(row):
                    if cells[j] is None:
                        f = sheet_formulas.get((n, getattr(c, "column", None) or j + 1))
                        if f is not None:
                            cells[j] = Uncached(f"{ws.title}!{get_column_letter(j + 1)}{n}", f)
            if numbered or any(c is not None and str(c).strip() for c in cells):
                numbered.append((n, cells))
        if not numbered:
            tables.append(Table(source, ledger, [], [], 1, workbook=True))
            continue
        head = _find_header([c for _, c in numbered[:HEADER_SCAN]], ledger)
        h = head.index
        header_row = numbered[h][0]
        headers = [header_text(c) for c in head.cells]
        notes = []
        if head.span == 2:
            notes.append(f"rows {numbered[h - 1][0]}–{header_row} read as one header (两行表头合并)")
        body = [(r, cells) for r, cells in numbered[h + 1:]
                if any(c is not None and str(c).strip() for c in cells)]
        tables.append(Table(source, ledger, headers, body, header_row, notes=notes,
                            workbook=True, header_problem=head.problem))
    return tables


def discover(directory: Path) -> tuple[list[Table], list[tuple[str, str]], list[SourceError]]:
    """All ledger tables in a dataset directory, the files passed over, the unreadable.

    Returns ``(tables, skipped, errors)`` where skipped holds ``(file, why)``.
    """
    tables: list[Table] = []
    skipped: list[tuple[str, str]] = []
    errors: list[SourceError] = []
    for path in sorted(directory.iterdir()):
        if path.name.startswith((".", "~$")) or not path.is_file():
            continue
        if path.suffix.lower() in (".md", ".rst"):  # a README beside the ledgers
            continue
        if path.suffix.lower() == ".json" and ledger_for(path.stem) is None:
            continue  # e.g. the generator's truth.json: not a ledger, not a mistake
        try:
            _discover_one(path, tables, skipped)
        except SourceError as exc:
            if exc.ledger is None:
                exc.ledger = ledger_for(path.stem)
            errors.append(exc)
        except OSError as exc:  # unreadable file: permissions, a broken link
            errors.append(SourceError(path.name, f"cannot read the file (无法读取): {exc.strerror or exc}",
                                      ledger_for(path.stem)))
    return tables, skipped, errors


def _discover_one(path: Path, tables: list[Table], skipped: list[tuple[str, str]]) -> None:
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv", ".txt"):
        ledger = ledger_for(path.stem)
        if ledger is None:
            skipped.append((path.name, "file name names no ledger (台账)"))
            return
        tables.append(read_csv(path, ledger))
    elif suffix in (".jsonl", ".ndjson", ".json"):  # issues.json: JSON Lines too
        ledger = ledger_for(path.stem)
        if ledger is None:
            skipped.append((path.name, "file name names no ledger (台账)"))
            return
        tables.append(read_jsonl(path, ledger))
    elif suffix in (".xlsx", ".xlsm"):
        found = read_xlsx(path)
        if not found:
            skipped.append((path.name, "no sheet names a ledger (台账)"))
        tables.extend(found)
    else:
        skipped.append((path.name, "not CSV, XLSX or JSON Lines"))
