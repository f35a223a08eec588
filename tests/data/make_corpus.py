#!/usr/bin/env python3
"""Write the corpus of broken and awkward ledger sets under tests/data/.

Each case is a complete dataset directory: the small valid dataset
``tests/data/mini`` (with a valid 身份证号) with one thing broken or awkward,
and a README.md whose one line says what a good tool does with it.
``tests/test_corpus.py`` asserts the exact outcome of every case (the
error's file, row and column, or the loaded value).  The files are committed,
so ``xuncha validate tests/data/<case>`` works as a user would run it; run
this script after changing a case:

    .venv/bin/python tests/data/make_corpus.py
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent
MINI = HERE / "mini"
# The mini dataset's C001 has a 身份证号 with a wrong check digit (tests of
# masking use it); the corpus base has a valid one.
VALID_ID = "330101197005011236"

CASES: dict[str, str] = {}


def case(name: str, readme: str):
    def register(fn):
        CASES[name] = readme
        fn.case = name
        BUILDERS.append(fn)
        return fn
    return register


BUILDERS: list = []


def read(name: str) -> tuple[list[str], list[list[str]]]:
    with open(MINI / f"{name}.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    if name == "cadres":
        rows[1][5] = VALID_ID
    return rows[0], rows[1:]


def csv_text(header, rows, delimiter=",") -> str:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


class Case:
    def __init__(self, name: str):
        self.dir = HERE / name
        if self.dir.exists():
            shutil.rmtree(self.dir)
        self.dir.mkdir()
        for p in sorted(MINI.glob("*.csv")):
            self.write(p.stem, *read(p.stem))
        (self.dir / "README.md").write_text(CASES[name] + "\n", encoding="utf-8")

    def write(self, name, header, rows, delimiter=",", suffix=".csv"):
        self.raw(f"{name}{suffix}", csv_text(header, rows, delimiter))

    def raw(self, filename: str, text: str | bytes) -> None:
        path = self.dir / filename
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")

    def drop(self, name: str) -> None:
        (self.dir / f"{name}.csv").unlink()

    def xlsx(self, name: str, sheet: str, rows: list[list], merges=(), formats=None) -> None:
        """One workbook ``name.xlsx`` with one sheet; ``rows`` from row 1, native
        values kept (numbers stay numbers, strings starting '=' are formulas)."""
        import openpyxl

        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = sheet
        for r, row in enumerate(rows, start=1):
            for c, v in enumerate(row, start=1):
                if v is not None and v != "":
                    cell = ws.cell(row=r, column=c, value=v)
                    if formats and (r, c) in formats:
                        cell.number_format = formats[(r, c)]
        for m in merges:
            ws.merge_cells(m)
        path = self.dir / f"{name}.xlsx"
        wb.save(path)
        _fix_zip_times(path)
        self.drop(name)


def _fix_zip_times(path: Path) -> None:
    """Rewrite an .xlsx with fixed timestamps, so regenerating gives the same bytes."""
    import re
    import zipfile

    with zipfile.ZipFile(path) as z:
        items = [(i.filename, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in items:
            if name == "docProps/core.xml":
                data = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2024-01-01T00:00:00Z", data)
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)


# -- 1. exact CSV reading --------------------------------------------------------

RELATIONS = [["C004", "C002", "兄弟姐妹", ""], ["C001", "C002", "夫妻", ""],
             ["C001", "C003", "同事", "同一科室"], ["C003", "C004", "同学", ""],
             ["C002", "C003", "老乡", ""], ["C004", "C001", "其他", "邻居"]]


@case("csv-unclosed-quote", "relations.csv row 3 opens a quote in 备注 that never closes: a good "
      "tool reports relations.csv row 3 column 备注 (quote never closed) instead of folding the "
      "rows after it into one note, and --lenient loads the other relations (only row 3 is lost).")
def _(c: Case):
    h, _ = read("relations")
    lines = [",".join(h)] + [",".join(r) for r in RELATIONS]
    lines[2] = 'C001,C002,夫妻,"婚姻登记于2010年'  # the quote is never closed
    c.raw("relations.csv", "\n".join(lines) + "\n")


@case("csv-stray-quote", "issues.csv row 3 opens a quote in 问题表现 that a later row's stray "
      "quote closes, swallowing a whole row: a good tool reports issues.csv row 3 column "
      "问题表现 and reads the row after it as a row.")
def _(c: Case):
    h, rows = read("issues")
    rows.append(["I4", "R2", "U003", "T2", "民生", "扶贫", "扶贫资金滞留", "", "", "走访",
                 "2021-03-10", "否"])
    lines = [",".join(h)] + [",".join(r) for r in rows]
    lines[2] = lines[2].replace("违规办理低保", '"违规办理低保')
    lines[4] = lines[4].replace("走访", '走访"')
    c.raw("issues.csv", "\n".join(lines) + "\n")


@case("csv-tabs-in-quoted-cells", "issues.csv is comma-separated; its quoted 问题表现 cells hold "
      "tabs: a good tool reads it as CSV (quotes respected when choosing the delimiter), "
      "keeping the tabs inside the cells.")
def _(c: Case):
    h, rows = read("issues")
    for r in rows:
        r[6] = f"\t{r[6]}\t（详见\t附件\t清单）"
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_ALL).writerows([h] + rows)
    c.raw("issues.csv", buf.getvalue())


@case("csv-semicolon", "units.csv is separated by semicolons (Excel in a locale whose decimal "
      "mark is a comma): a good tool reads it, and says it chose the semicolon.")
def _(c: Case):
    c.write("units", *read("units"), delimiter=";")


@case("utf16-unicode-text", "issues.txt is Excel's \"Unicode text\" save (UTF-16 with a BOM, "
      "tab-separated) and units.csv is UTF-16LE without a BOM: a good tool reads both.")
def _(c: Case):
    h, rows = read("issues")
    c.drop("issues")
    c.raw("issues.txt", "\ufeff".encode("utf-16-le") +
          csv_text(h, rows, "\t").replace("\n", "\r\n").encode("utf-16-le"))
    h, rows = read("units")
    c.raw("units.csv", csv_text(h, rows).encode("utf-16-le"))


# -- 2. exact Excel reading ------------------------------------------------------

@case("xlsx-id-number-as-number", "cadres.xlsx holds C001's 18-digit 身份证号 as a number, which "
      "Excel keeps to 15 significant digits: a good tool reports 人员!F2 as typed as a number "
      "(digits beyond the 15th lost; format the column as text) instead of storing wrong digits.")
def _(c: Case):
    h, rows = read("cadres")
    rows[0][5] = float(VALID_ID)  # what Excel stores: a double
    c.xlsx("cadres", "人员", [h] + rows)


@case("xlsx-unit-codes-as-numbers", "units.xlsx has the unit codes 0101, 0102, 0201 typed as "
      "numbers (101, 102, 201); the other ledgers rightly say 0101: a good tool reports each "
      "单位编码 cell in units.xlsx, and says a reference to 0101 is right (never suggests 101).")
def _(c: Case):
    codes = {"U001": "0101", "U002": "0102", "U003": "0201"}
    for p in sorted(c.dir.glob("*.csv")):
        text = p.read_text(encoding="utf-8")
        for old, new in codes.items():
            text = text.replace(old, new)
        p.write_text(text, encoding="utf-8")
    h, rows = read("units")
    for r in rows:
        r[0] = int(codes[r[0]])
        if r[6]:
            r[6] = int(codes[r[6]])
    c.xlsx("units", "单位", [h] + rows)


@case("xlsx-formula-no-value", "issues.xlsx has a formula (=2000*11) in 涉及金额 of row 3 that "
      "was never calculated (no saved value): a good tool names the cell 问题台账!I3 instead of "
      "loading the issue without its amount.")
def _(c: Case):
    h, rows = read("issues")
    rows[1][8] = "=2000*11"
    c.xlsx("issues", "问题台账", [h] + rows)


@case("serial-dates", "issues.xlsx has 发现时间 as Excel serial numbers in General cells "
      "(43544) and rounds.csv has 开始时间 43525 typed as text: a good tool reads 2019-03-20 "
      "and 2019-03-01.")
def _(c: Case):
    h, rows = read("issues")
    epoch = dt.date(1899, 12, 30)
    for r in rows:
        r[10] = (dt.date.fromisoformat({"2019-03-20": "2019-03-20", "2019/4/2": "2019-04-02",
                                        "2021.03": "2021-03-01"}[r[10]]) - epoch).days
    c.xlsx("issues", "问题台账", [h] + rows)
    h, rows = read("rounds")
    rows[0][6] = "43525"
    c.write("rounds", h, rows)


UNIT_TWO_ROW = [["单位编码", "单位名称", "简称", "单位类型", "层级", "单位信息", None, "板块"]]


@case("xlsx-merged-header", "units.xlsx has a two-row header: 单位信息 merged over 所在区划 | "
      "上级单位, the other headers merged down both rows: a good tool reads it as one header and "
      "loads every unit's region and parent.")
def _(c: Case):
    h, rows = read("units")
    top = ["单位编码", "单位名称", "简称", "单位类型", "层级", "单位信息", None, "板块"]
    sub = [None, None, None, None, None, "所在区划", "上级单位", None]
    c.xlsx("units", "单位", [top, sub] + rows,
           merges=["A1:A2", "B1:B2", "C1:C2", "D1:D2", "E1:E2", "F1:G1", "H1:H2"])


@case("xlsx-merged-header-unknown", "units.xlsx has a two-row header whose second row names "
      "columns the ledger does not know (区划, 上级): a good tool refuses the sheet at its "
      "header row, saying why, instead of dropping those columns.")
def _(c: Case):
    h, rows = read("units")
    top = ["单位编码", "单位名称", "简称", "单位类型", "层级", "单位信息", None, "板块"]
    sub = [None, None, None, None, None, "区划", "上级", None]
    c.xlsx("units", "单位", [top, sub] + rows,
           merges=["A1:A2", "B1:B2", "C1:C2", "D1:D2", "E1:E2", "F1:G1", "H1:H2"])


# -- 3. sanity rules -------------------------------------------------------------

@case("negative-amount", "issues.csv row 2 has 涉及金额 -25969元: a good tool reports issues.csv "
      "row 2 column 涉及金额 (negative amount).")
def _(c: Case):
    h, rows = read("issues")
    rows[0][8] = "-25969元"
    c.write("issues", h, rows)


@case("unit-cycle", "units.csv makes U001 the parent of U003 and U003 the parent of U001: a "
      "good tool reports the cycle U001 → U003 → U001 at units.csv row 4 column 上级单位.")
def _(c: Case):
    h, rows = read("units")
    rows[0][6] = "U003"
    rows[2][6] = "U001"
    c.write("units", h, rows)


@case("region-cycle", "regions.csv makes 330102 the parent of 330000 (浙江省), closing "
      "330000 → 330102 → 330100 → 330000: a good tool reports the cycle at regions.csv row 5 "
      "column 上级区划.")
def _(c: Case):
    h, rows = read("regions")
    rows[0][3] = "330102"
    c.write("regions", h, rows)


@case("team-capacity", "teams.csv gives T1 承担单位数 -1 and T2 0: a good tool reports "
      "teams.csv rows 2 and 3 column 承担单位数.")
def _(c: Case):
    h, rows = read("teams")
    rows[0][4] = "-1"
    rows[1][4] = "0"
    c.write("teams", h, rows)


@case("three-principals", "positions.csv gives unit U001 three principals at once from "
      "2017-06-01 (局长 C001, 书记 C002, 局长 C003); U003 has two (书记 and 镇长), which is "
      "normal: a good tool warns once, at positions.csv row 6, and loads every post.")
def _(c: Case):
    h, rows = read("positions")
    rows[2][4] = "是"  # C002 镇长 of U003
    rows += [["C002", "U001", "书记", "正科", "是", "2016-03-01", ""],
             ["C003", "U001", "局长", "正科", "是", "2017-06-01", ""],
             ["C004", "U003", "书记", "正科", "是", "2018-01-01", ""]]
    c.write("positions", h, rows)


@case("duplicate-relations", "relations.csv gives C001–C002 夫妻 on rows 3 and 5: a good tool "
      "warns at row 5, keeps one RELATED_TO edge and cites both rows as its source.")
def _(c: Case):
    h, _ = read("relations")
    c.write("relations", h, RELATIONS[:3] + [RELATIONS[1]] + RELATIONS[3:])


@case("implausible-dates", "cadres.csv gives C003 出生年月 1850 and issues.csv dates I2 "
      "发现时间 2099-04-02: a good tool warns at cadres.csv row 4 and issues.csv row 3.")
def _(c: Case):
    h, rows = read("cadres")
    rows[2][3] = "1850"
    c.write("cadres", h, rows)
    h, rows = read("issues")
    rows[1][10] = "2099-04-02"
    c.write("issues", h, rows)


@case("id-number-checks", "cadres.csv has a 身份证号 with a wrong check digit (C001), one whose "
      "birth date disagrees with 出生年月 (C002) and one whose sex digit says male for a woman "
      "(C004): a good tool warns at rows 2, 3 and 5, column 身份证号.")
def _(c: Case):
    from xuncha.loaders.checks import id_check_char

    def valid(first17):
        return first17 + id_check_char(first17)
    h, rows = read("cadres")
    rows[0][5] = VALID_ID[:-1] + "7"  # wrong check digit
    rows[1][5] = valid("33010219810301002")  # born 1981-03, 出生年月 says 1980-03
    rows[3][5] = valid("33010119850101001")  # 001 is odd: a man; C004 is 女
    c.write("cadres", h, rows)


@case("month-end-dates", "positions.csv gives 离任时间 2019.12 and 2019 and actions.csv "
      "整改时限 2019.08: a good tool stores the last day of the period (2019-12-31, "
      "2019-08-31), while a start date 2015.01 keeps the first day.")
def _(c: Case):
    h, rows = read("positions")
    rows[0][5] = "2015.01"
    rows[0][6] = "2019.12"
    rows.append(["C003", "U002", "副院长", "副科", "否", "2016", "2019"])
    c.write("positions", h, rows)
    h, rows = read("actions")
    rows[0][7] = "2019.08"
    c.write("actions", h, rows)


@case("opposite-enums", "actions.csv says 已整改 (= 已完成, completed), 未整改 (not started or "
      "in progress: ambiguous) and 未销号 (no spelling means that); leads.csv says 未立案: a "
      "good tool loads 已整改 as completed and 未立案 as not filed, and never suggests a "
      "value of the opposite meaning.")
def _(c: Case):
    h, rows = read("actions")
    rows[0][8] = "已整改"
    rows[1][8] = "未整改"
    rows[2][8] = "未销号"
    c.write("actions", h, rows)
    h, rows = read("leads")
    rows[1][9] = "未立案"
    c.write("leads", h, rows)


@case("empty-units", "units.csv has its header and no rows: a good tool says so once, summing "
      "up the references to units it could not check, instead of one error per referring row.")
def _(c: Case):
    h, _ = read("units")
    c.write("units", h, [])


@case("units-wrong-encoding", "units.csv is not text in any encoding a ledger uses: a good tool "
      "says so once for units.csv and sums up the references to units it could not check.")
def _(c: Case):
    h, rows = read("units")
    c.raw("units.csv", csv_text(h, rows).encode("utf-8").replace("财政局".encode(), b"\xff\xfe\xff"))


@case("rejected-unit-reference", "units.csv row 3 (U002) has an invalid 单位类型; positions "
      "refer to it by name: a good tool rejects the unit and says the reference names a rejected "
      "unit, without suggesting a different unit.")
def _(c: Case):
    h, rows = read("units")
    rows[1][3] = "医疗机构"
    c.write("units", h, rows)


def main() -> None:
    for build in BUILDERS:
        build(Case(build.case))
        print(f"{build.case}: {CASES[build.case][:70]}…")


if __name__ == "__main__":
    main()
