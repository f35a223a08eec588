"""Write generated ledgers as CSV, JSON Lines or XLSX (and ``truth.json``).

Columns are every field the registry declares for the ledger, in registry
order, except ``phone`` (never generated).  Cells are written the way a clean
ledger keeps them: canonical codes (or, with ``headers="zh"``, Chinese headers
and Chinese enum names, 是/否), ISO dates, ``;``-separated lists, amounts in
yuan.  Output is byte-identical for identical rows: fixed column order,
``\\n`` line ends, no timestamps.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Callable, Iterable

from .. import taxonomy
from ..graph.schema import LEDGER_ORDER, LEDGERS, Field

SKIP_FIELDS = frozenset({"phone"})
FORMATS = ("csv", "jsonl", "xlsx")


def columns(ledger_name: str) -> list[Field]:
    return [f for f in LEDGERS[ledger_name].fields if f.name not in SKIP_FIELDS]


def _money(v: float) -> str:
    return f"{v:.0f}" if float(v).is_integer() else f"{v:.2f}"


def _cell_fn(f: Field, zh: bool) -> Callable:
    b = f.base
    if b == "bool":
        yes, no = ("是", "否") if zh else ("true", "false")
        return lambda v: yes if v else no
    if b == "money":
        return _money
    if b in ("list", "refs"):
        return lambda v: ";".join(v)
    if b == "enum" and zh:
        table = taxonomy.TAXONOMIES[f.arg]
        return lambda v: table[v][0]
    if b == "enums":
        if zh:
            table = taxonomy.TAXONOMIES[f.arg]
            return lambda v: ";".join(table[c][0] for c in v)
        return lambda v: ";".join(v)
    if b == "int":
        return str
    return None  # written as is


def cells(ledger_name: str, rows: Iterable[dict], zh: bool = False) -> Iterable[list]:
    """Row dicts -> lists of cell strings aligned to :func:`columns`."""
    cols = columns(ledger_name)
    names = [f.name for f in cols]
    fns = [_cell_fn(f, zh) for f in cols]
    pairs = list(zip(names, fns))
    for d in rows:
        out = []
        for name, fn in pairs:
            v = d.get(name)
            if v is None or v == []:
                out.append("")
            elif fn is None:
                out.append(v)
            else:
                out.append(fn(v))
        yield out


def headers(ledger_name: str, zh: bool = False) -> list[str]:
    return [f.zh if zh else f.name for f in columns(ledger_name)]


def write_ledgers(rows: dict[str, list[dict]], out: Path, fmt: str = "csv", zh: bool = False,
                  progress: Callable[[str, float], None] | None = None) -> list[Path]:
    """Write every ledger into directory ``out``; returns the files written."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    names = [n for n in LEDGER_ORDER if n in rows]
    if fmt == "xlsx":
        written.append(_write_xlsx(rows, out, names, zh))
    for k, name in enumerate(names):
        if fmt == "csv":
            path = out / f"{name}.csv"
            # UTF-8 with BOM: ledgers are for people, and Excel on Chinese Windows
            # reads BOM-less UTF-8 as GBK (mojibake).
            with open(path, "w", encoding="utf-8-sig", newline="") as fh:
                wr = csv.writer(fh, lineterminator="\n")
                wr.writerow(headers(name, zh))
                wr.writerows(cells(name, rows[name], zh))
            written.append(path)
        elif fmt == "jsonl":
            path = out / f"{name}.jsonl"
            hs = headers(name, zh)
            with open(path, "w", encoding="utf-8", newline="\n") as fh:
                for cs in cells(name, rows[name], zh):
                    obj = {h: c for h, c in zip(hs, cs) if c != ""}
                    fh.write(json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n")
            written.append(path)
        if progress:
            progress("writing 写出台账", (k + 1) / len(names))
    return written


def _write_xlsx(rows, out: Path, names: list[str], zh: bool) -> Path:
    """One workbook, one sheet per ledger (code-like columns as text)."""
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    for name in names:
        ws = wb.create_sheet(LEDGERS[name].zh if zh else name)
        ws.append(headers(name, zh))
        for cs in cells(name, rows[name], zh):
            ws.append(cs)
    path = out / "ledgers.xlsx"
    wb.save(path)
    _fix_zip_times(path)
    return path


def _fix_zip_times(path: Path) -> None:
    """Rewrite an .xlsx with fixed member timestamps and metadata, so that the
    same rows give the same bytes."""
    import io
    import re
    import zipfile

    src = zipfile.ZipFile(path)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"<dcterms:(created|modified)([^>]*)>[^<]*</dcterms:\1>",
                              rb"<dcterms:\1\2>2025-01-01T00:00:00Z</dcterms:\1>", data)
            zi = zipfile.ZipInfo(info.filename, date_time=(2025, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(zi, data)
    src.close()
    path.write_bytes(buf.getvalue())


def write_truth(truth: dict, out: Path) -> Path:
    path = Path(out) / "truth.json"
    from .truth import TABLES

    head = {k: v for k, v in truth.items() if k not in TABLES}
    text = json.dumps(head, ensure_ascii=False, indent=1, sort_keys=False)
    enc = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text[:-2])  # reopen the object: the big tables follow, one row a line
        for k in TABLES:
            if k not in truth:
                continue
            fh.write(f',\n "{k}": [\n')
            fh.write(",\n".join(map(enc, truth[k])))
            fh.write("\n ]")
        fh.write("\n}\n")
    return path
