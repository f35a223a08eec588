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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from ..graph.schema import LEDGERS, Ledger

HEADER_SCAN = 15


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


def _header_score(cells: list, ledger: Ledger) -> int:
    known = ledger.headers
    return sum(1 for c in cells if c is not None and str(c).strip().lower() in known)


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
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    first: list[list] = []
    for row in reader:
        first.append(row)
        if len(first) >= HEADER_SCAN:
            break
    if not first:
        return Table(source, ledger, [], [], 1)
    h = _find_header(first, ledger)
    headers = [c.strip() for c in first[h]]
    rest = first[h + 1:]

    def rows() -> Iterator[tuple[int, list]]:
        n = h + 1
        for cells in rest:
            n += 1
            if any(c.strip() for c in cells):
                yield n, cells
        for cells in reader:
            n += 1
            if any(c.strip() for c in cells):
                yield n, cells

    return Table(source, ledger, headers, rows(), h + 1)


def read_jsonl(path: Path, ledger: Ledger) -> Table:
    source = path.name
    text = decode(path.read_bytes(), source)
    records: list[tuple[int, dict]] = []
    headers: dict[str, None] = {}
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise SourceError(source, f"line {n}: not valid JSON (JSON 格式错误): {exc.msg}") from None
        if not isinstance(obj, dict):
            raise SourceError(source, f"line {n}: expected a JSON object per line (每行一个对象)")
        for k in obj:
            headers.setdefault(str(k), None)
        records.append((n, obj))
    hs = list(headers)
    return Table(source, ledger, hs, [(n, [o.get(k) for k in hs]) for n, o in records], 0)


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
        it = ws.iter_rows()
        first = []
        for row in it:
            first.append([_xlsx_cell(c) for c in row])
            if len(first) >= HEADER_SCAN:
                break
        if not first:
            tables.append(Table(source, ledger, [], [], 1))
            continue
        h = _find_header(first, ledger)
        headers = ["" if c is None else str(c).strip() for c in first[h]]
        rest = first[h + 1:]

        def rows(rest=rest, it=it, h=h) -> Iterator[tuple[int, list]]:
            n = h + 1
            for cells in rest:
                n += 1
                if any(c is not None and str(c).strip() for c in cells):
                    yield n, cells
            for row in it:
                n += 1
                cells = [_xlsx_cell(c) for c in row]
                if any(c is not None and str(c).strip() for c in cells):
                    yield n, cells

        # Materialise now: the workbook is closed before rows are consumed.
        tables.append(Table(source, ledger, headers, list(rows()), h + 1))
    wb.close()
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
        try:
            _discover_one(path, tables, skipped)
        except SourceError as exc:
            errors.append(exc)
    return tables, skipped, errors


def _discover_one(path: Path, tables: list[Table], skipped: list[tuple[str, str]]) -> None:
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv", ".txt"):
        ledger = ledger_for(path.stem)
        if ledger is None:
            skipped.append((path.name, "file name names no ledger (台账)"))
            return
        tables.append(read_csv(path, ledger))
    elif suffix in (".jsonl", ".ndjson"):
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
