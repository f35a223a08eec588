"""An Excel workbook for people who live in Excel: one sheet per kind.

A sheet per node kind (named by its Chinese name, e.g. ``人员``) with the
registry's Chinese headers (the ledger headers, so a sheet reads like the
ledger it came from), then a sheet per edge kind (``关系-任职``) with the two
ends' ids and labels and the edge's properties.  Enumerated codes are shown by
their Chinese names (``closed`` → ``已销号``), yes/no as 是/否, lists joined
with ``；``, dates as real Excel dates, money and counts as numbers, codes
(region ids with leading zeros) as text.  The header row is frozen and
filterable.

Safe to open: every text cell is passed through
:func:`xuncha.spreadsheet.xlsx_value` — control characters (which XLSX cannot
hold) are removed, and text Excel would run as a formula (``=``, ``+``,
``-``, ``@``, tab, CR first) is prefixed with ``'``; numbers (negative ones
included) stay numbers.

Written with openpyxl's write-only mode (rows stream to disk), to a
temporary file renamed into place.
"""

from __future__ import annotations

import datetime as _dt
import re

from .. import taxonomy
from ..graph.schema import EDGE_KINDS, NODE_KINDS
from ..spreadsheet import xlsx_value
from .base import Exporter

_BAD_SHEET = re.compile(r"[\[\]:*?/\\]")
MAX_ROWS = 1_048_575


def _cell_value(value, col):
    if value is None:
        return None
    f = col.field
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (list, tuple)):
        if f is not None and f.base == "enums" and f.arg in taxonomy.TAXONOMIES:
            value = [taxonomy.zh(f.arg, v) for v in value]
        return xlsx_value("；".join(map(str, value)))
    if col.type == "date" and isinstance(value, str) and len(value) == 10:
        try:
            return _dt.date.fromisoformat(value)
        except ValueError:
            return xlsx_value(value)
    if isinstance(value, str):
        if f is not None and f.base == "enum" and f.arg in taxonomy.TAXONOMIES:
            value = taxonomy.zh(f.arg, value)
        return xlsx_value(value)
    return value


class XLSXExporter(Exporter):
    name = "xlsx"
    extension = ".xlsx"
    binary = True

    def start(self) -> None:
        from openpyxl import Workbook

        self.wb = Workbook(write_only=True)
        self.sheets: dict[tuple[str, str], object] = {}
        self.rows: dict[tuple[str, str], int] = {}
        self.labels: dict[str, str] = {}
        self.used_titles: set[str] = set()
        self.date_style = None

    def _title(self, text: str) -> str:
        t = _BAD_SHEET.sub("_", xlsx_value(text).lstrip("'"))[:31]
        base, n = t, 2
        while t in self.used_titles:
            t = f"{base[:28]}_{n}"
            n += 1
        self.used_titles.add(t)
        return t

    def _sheet(self, key, title: str, headers: list[str], widths: list[int]):
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font, PatternFill
        from openpyxl.utils import get_column_letter

        ws = self.wb.create_sheet(self._title(title))
        ws.freeze_panes = "A2"
        for i, w in enumerate(widths, 1):
            ws.column_dimensions[get_column_letter(i)].width = w
        bold, fill = Font(bold=True), PatternFill("solid", fgColor="E8EDF3")
        row = []
        for h in headers:
            c = WriteOnlyCell(ws, value=xlsx_value(h))
            c.font, c.fill = bold, fill
            row.append(c)
        ws.append(row)
        ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}1"
        self.sheets[key] = ws
        self.rows[key] = 0
        return ws

    def _append(self, key, values, cols):
        from openpyxl.cell import WriteOnlyCell

        ws = self.sheets[key]
        if self.rows[key] >= MAX_ROWS:
            return
        row = []
        for v, c in zip(values, cols):
            if isinstance(v, _dt.date):
                cell = WriteOnlyCell(ws, value=v)
                cell.number_format = "yyyy-mm-dd"
                row.append(cell)
            else:
                row.append(v)
        ws.append(row)
        self.rows[key] += 1

    def write_node(self, nid: str, attrs: dict, label: str) -> None:
        kind = attrs.get("kind")
        self.labels[nid] = label
        cols = [c for c in self.columns.nodes[kind] if c.key != "kind"]
        key = ("node", kind)
        if key not in self.sheets:
            zh = NODE_KINDS[kind].zh if kind in NODE_KINDS else kind
            self._sheet(key, zh, ["节点 node"] + [c.zh or c.key for c in cols],
                        [18] + [max(10, min(40, 2 * len(c.zh or c.key) + 4)) for c in cols])
        self._append(key, [xlsx_value(nid)] + [_cell_value(attrs.get(c.key), c) for c in cols],
                     [None] + cols)

    def write_edge(self, u: str, v: str, key_: str, attrs: dict) -> None:
        kind = attrs.get("kind")
        cols = [c for c in self.columns.edges[kind] if c.key != "kind"]
        key = ("edge", kind)
        if key not in self.sheets:
            zh = EDGE_KINDS[kind].zh if kind in EDGE_KINDS else kind
            self._sheet(key, f"关系-{zh}",
                        ["起点 from", "起点名称", "终点 to", "终点名称"] + [c.zh or c.key for c in cols],
                        [18, 18, 18, 18] + [max(10, min(40, 2 * len(c.zh or c.key) + 4)) for c in cols])
        ends = (u, self.labels.get(u, u), v, self.labels.get(v, v))
        self._append(key, [xlsx_value(x) for x in ends]
                     + [_cell_value(attrs.get(c.key), c) for c in cols],
                     [None] * 4 + cols)

    def end(self) -> None:
        if not self.sheets:
            self.wb.create_sheet("空 empty")
        self.wb.save(self.out.fh)

    def abort(self) -> None:
        # Close the sheets' own temporary writers before dropping the output.
        for ws in getattr(self, "sheets", {}).values():
            try:
                ws.close()
            except Exception:  # noqa: BLE001 - already failing; clean up what we can
                pass
        super().abort()
