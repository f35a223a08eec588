"""Raw readers: CSV (UTF-8, UTF-8 BOM, GB18030), XLSX and JSON Lines.

A reader turns one ledger source into a :class:`Table`: the source's display
name, its header row and its data rows, each row numbered the way the person
who keeps the ledger counts it (the spreadsheet row, or the line of the file).
Title rows and blank rows above the header are skipped: the header is the
first row, among the first :data:`HEADER_SCAN` rows, that names the most known
columns of the ledger.
"""

from __future__ import annotations

import csv
import io
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

    def __init__(self, source: str, message: str):
        super().__init__(f"{source}: {message}")
        self.source = source
        self.message = message


@dataclass
class Table:
    source: str  # e.g. "issues.csv" or "台账.xlsx[问题台账]"
    ledger: Ledger
    headers: list[str]
    rows: Iterable[tuple[int, list]]  # (row number, cells aligned to headers)
    header_row: int = 1
    notes: list[str] = field(default_factory=list)
    # Rows the reader could not parse: (row number, reason), e.g. a JSON Lines
    # line that is not JSON.  Filled while ``rows`` is consumed.
    errors: list[tuple[int, str]] = field(default_factory=list)
    # Delimited text: a row with more cells than headers means values shifted
    # (an unquoted comma); in a workbook it is a note beside the table.
    delimited: bool = False


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


def decode(data: bytes, source: str) -> str:
    """UTF-8 (with or without BOM), else GB18030."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise SourceError(
            source, f"not UTF-8 or GB18030 text (编码无法识别) at byte {exc.start}"
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


def _find_header(first_rows: list[list], ledger: Ledger) -> int:
    best, best_score = 0, 0
    for i, cells in enumerate(first_rows):
        score = _header_score(cells, ledger)
        if score > best_score:
            best, best_score = i, score
    return best


def read_csv(path: Path, ledger: Ledger) -> Table:
    source = path.name
    text = decode(path.read_bytes(), source)
    sample = text[:4096]
    delimiter = "\t" if path.suffix.lower() == ".tsv" or (
        sample.count("\t") > sample.count(",")) else ","
    if csv.field_size_limit() < MAX_CELL:
        csv.field_size_limit(MAX_CELL)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    first: list[list] = []
    try:
        for row in reader:
            first.append(row)
            if len(first) >= HEADER_SCAN:
                break
    except csv.Error as exc:
        raise SourceError(source, f"row {len(first) + 1}: not readable as CSV (格式错误): {exc}") from None
    if not first:
        return Table(source, ledger, [], [], 1, delimited=True)
    h = _find_header(first, ledger)
    headers = [header_text(c) for c in first[h]]
    rest = first[h + 1:]

    def rows() -> Iterator[tuple[int, list]]:
        n = h + 1
        for cells in rest:
            n += 1
            if any(c.strip() for c in cells):
                yield n, cells
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise SourceError(source, f"row {n + 1}: not readable as CSV (格式错误): {exc}; "
                                          "the rows after it were not read") from None
            n += 1
            if any(c.strip() for c in cells):
                yield n, cells

    return Table(source, ledger, headers, rows(), h + 1, delimited=True)


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
            errors.append((n, f"not valid JSON (JSON 格式错误): {exc.msg} at column {exc.colno}"))
            continue
        except (ValueError, RecursionError) as exc:  # e.g. a 5000-digit number
            errors.append((n, f"not valid JSON (JSON 格式错误): {exc}"))
            continue
        if not isinstance(obj, dict):
            errors.append((n, f"expected a JSON object per line (每行一个对象), got {type(obj).__name__}"))
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
        return _read_workbook(wb, path)
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


def _read_workbook(wb, path: Path) -> list[Table]:
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
        # Row numbers come from the cells: a sheet whose used range starts
        # below row 1 must still report rows as Excel shows them.
        n = 0
        numbered: list[tuple[int, list]] = []
        for row in ws.iter_rows():
            n = _row_number(row, n + 1)
            cells = [_xlsx_cell(c) for c in row]
            if numbered or any(c is not None and str(c).strip() for c in cells):
                numbered.append((n, cells))
        if not numbered:
            tables.append(Table(source, ledger, [], [], 1))
            continue
        h = _find_header([c for _, c in numbered[:HEADER_SCAN]], ledger)
        header_row, header_cells = numbered[h]
        headers = [header_text(c) for c in header_cells]
        body = [(r, cells) for r, cells in numbered[h + 1:]
                if any(c is not None and str(c).strip() for c in cells)]
        tables.append(Table(source, ledger, headers, body, header_row))
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
            errors.append(exc)
        except OSError as exc:  # unreadable file: permissions, a broken link
            errors.append(SourceError(path.name, f"cannot read the file (无法读取): {exc.strerror or exc}"))
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
