"""Shared test helpers: write small ledgers from Python rows.

``ledgers`` writes a dataset directory under ``tmp_path``: each ledger as
CSV (any encoding, optional BOM, TSV), JSON Lines or an XLSX sheet, from a
header list and rows.  Tests build exactly the data they assert on.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest


class Ledgers:
    """Write ledgers into one dataset directory."""

    def __init__(self, directory: Path):
        self.dir = directory
        self.dir.mkdir(parents=True, exist_ok=True)

    def csv(self, name: str, header: list, rows: list[list], encoding: str = "utf-8",
            bom: bool = False, delimiter: str = ",", suffix: str = ".csv") -> Path:
        buf = io.StringIO()
        w = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
        data = buf.getvalue().encode(encoding)
        path = self.dir / f"{name}{suffix}"
        path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
        return path

    def jsonl(self, name: str, records: list[dict]) -> Path:
        path = self.dir / f"{name}.jsonl"
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                        encoding="utf-8")
        return path

    def xlsx(self, filename: str, sheets: dict[str, tuple[list, list[list]]],
             title: str | None = None, blank_rows: int = 0, formats: dict | None = None) -> Path:
        """One workbook; each sheet is ``(header, rows)``.  ``title`` adds a
        title row, ``blank_rows`` blank rows, above every header.  ``formats``
        maps (sheet, header) to a number format for that column's data cells."""
        import openpyxl

        wb = openpyxl.Workbook()
        wb.remove(wb.active)
        for sheet, (header, rows) in sheets.items():
            ws = wb.create_sheet(sheet)
            r = 1
            if title:
                ws.cell(row=r, column=1, value=title)
                r += 1
            r += blank_rows
            for c, h in enumerate(header, start=1):
                ws.cell(row=r, column=c, value=h)
            for row in rows:
                r += 1
                for c, v in enumerate(row, start=1):
                    if v is None or v == "":
                        continue
                    cell = ws.cell(row=r, column=c, value=v)
                    fmt = (formats or {}).get((sheet, header[c - 1] if c <= len(header) else None))
                    if fmt:
                        cell.number_format = fmt
        path = self.dir / filename
        wb.save(path)
        return path


@pytest.fixture
def ledgers(tmp_path) -> Ledgers:
    return Ledgers(tmp_path / "ledgers")


# A small, complete dataset with English headers: every ledger, valid.
BASE: dict[str, tuple[list, list[list]]] = {
    "regions": (["id", "name", "level", "parent_id"],
                [["330100", "临安市", "市", ""], ["330101", "东湖区", "县", "330100"],
                 ["010101", "零号县", "county", "330100"]]),
    "units": (["id", "name", "aliases", "kind", "level", "region_id", "parent_id"],
              [["U1", "东湖区财政局", "财政局", "政府部门", "县", "330101", ""],
               ["U2", "东湖区人民医院", "区医院；人民医院", "hospital", "county", "330101", "U1"],
               ["U3", "青石村", "", "村", "村", "010101", ""]]),
    "cadres": (["id", "name", "gender", "birth_date", "native_region_id"],
               [["C1", "张伟", "男", "1970.05", "330101"], ["C2", "李娜", "女", "1980-03", "010101"],
                ["C3", "张伟", "male", "1975年6月", ""], ["C4", "王芳", "F", "1985", ""]]),
    "positions": (["cadre_id", "unit_id", "title", "is_principal", "start", "end"],
                  [["C1", "U1", "局长", "是", "2015-01-01", "2019-12-31"],
                   ["C2", "U2", "院长", "Y", "2018/3/1", ""]]),
    "relations": (["cadre_id", "other_id", "kind", "note"], [["C4", "C2", "兄弟姐妹", ""]]),
    "rounds": (["id", "name", "committee_region_id", "kind", "start", "end"],
               [["R1", "第一轮巡察", "330100", "常规", "2019年3月1日", "2019年4月30日"]]),
    "teams": (["id", "name", "home_region_id", "capacity"], [["T1", "第一巡察组", "330100", "3"]]),
    "team_members": (["round_id", "team_id", "cadre_id", "role"], [["R1", "T1", "C4", "组长"]]),
    "assignments": (["round_id", "team_id", "unit_id", "mode"], [["R1", "T1", "U1", "cross"]]),
    "issues": (["id", "round_id", "unit_id", "team_id", "category", "subcategory", "description",
                "cadre_ids", "amount", "source", "found_date", "immediate"],
               [["I1", "R1", "U1", "T1", "作风建设", "违反中央八项规定精神", "违规发放津贴",
                 "C1", "25969元", "查阅资料", "2019-03-20", "否"],
                ["I2", "R1", "U2", "T1", "livelihood", "poverty_relief", "扶贫资金滞留",
                 "", "90余万元", "petition", "2019/4/2", "1"]]),
    "leads": (["id", "round_id", "unit_id", "issue_ids", "subject_ids", "discipline",
               "transferred_to", "transfer_date", "case_filed", "outcomes", "recovered_amount"],
              [["L1", "R1", "U1", "I1", "C1", "廉洁", "纪委监委", "2019-05-10", "是", "双开", "2.2万"]]),
    "actions": (["id", "issue_id", "lead_id", "kind", "measure", "owner_unit_id", "deadline",
                 "status", "recovered_amount"],
                [["A1", "I1", "", "追缴资金", "清退津贴", "U1", "2019-08-31", "已销号", "25969"],
                 ["A2", "I2", "", "rectification", "整改", "U2", "2019-09-30", "in_progress", ""]]),
}


def write_base(lg: Ledgers, **override) -> Ledgers:
    """Write :data:`BASE` as CSV; ``override[ledger] = (header, rows)`` or None to omit."""
    for name in BASE:
        spec = override.get(name, BASE[name])
        if spec is not None:
            lg.csv(name, *spec)
    return lg
