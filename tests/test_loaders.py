"""Loaders: every format and encoding gives the same records; cells in every
accepted spelling; references by id or name; malformed files are reported."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from tests.conftest import BASE, Ledgers, write_base
from xuncha.graph.schema import LEDGERS
from xuncha.loaders import load_dataset
from xuncha.loaders.dataset import DatasetError

ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def zh_header(ledger: str, header: list[str]) -> list[str]:
    return [LEDGERS[ledger].field(h).zh for h in header]


def errors(ds):
    return [p for p in ds.errors]


def only(problems, **match):
    out = [p for p in problems if all(getattr(p, k) == v for k, v in match.items())]
    assert out, f"no problem matching {match} in {[str(p) for p in problems]}"
    return out


@pytest.fixture
def reference(tmp_path):
    """Records of BASE written as plain UTF-8 CSV with English headers."""
    ds = load_dataset(write_base(Ledgers(tmp_path / "ref")).dir)
    assert ds.problems == []
    return ds.records


def test_base_dataset_loads_with_canonical_values(reference):
    issue = {d["id"]: d for d in reference["issues"]}
    assert issue["I1"]["category"] == "conduct"
    assert issue["I1"]["subcategory"] == "eight_point_rules"
    assert issue["I1"]["amount"] == 25969.0 and "amount_approx" not in issue["I1"]
    assert issue["I2"]["amount"] == 900000.0 and issue["I2"]["amount_approx"] is True
    assert issue["I2"]["found_date"] == "2019-04-02" and issue["I2"]["immediate"] is True
    assert issue["I2"]["source"] == "petition"
    lead = reference["leads"][0]
    assert lead["outcomes"] == ["party_expulsion", "gov_discharge"]  # 双开
    assert lead["transferred_to"] == "discipline_commission" and lead["case_filed"] is True
    assert lead["recovered_amount"] == 22000.0 and lead["discipline"] == "integrity"
    units = {d["id"]: d for d in reference["units"]}
    assert units["U2"]["aliases"] == ["区医院", "人民医院"]
    assert units["U1"]["unit_kind"] == "government_department"  # Field.key, not "kind"
    assert units["U3"]["region_id"] == "010101"
    cadres = {d["id"]: d for d in reference["cadres"]}
    assert cadres["C1"]["birth_date"] == "1970-05-01" and cadres["C3"]["birth_date"] == "1975-06-01"
    assert cadres["C4"]["gender"] == "female"
    assert reference["rounds"][0]["start"] == "2019-03-01"
    assert reference["rounds"][0]["round_kind"] == "regular"
    assert reference["teams"][0]["capacity"] == 3
    assert reference["positions"][1]["is_principal"] is True
    assert reference["relations"][0]["relation_kind"] == "sibling"


@pytest.mark.parametrize("encoding, bom, delimiter, suffix", [
    ("utf-8", True, ",", ".csv"),
    ("gb18030", False, ",", ".csv"),
    ("utf-8", False, "\t", ".tsv"),
    ("gb18030", False, "\t", ".txt"),
])
def test_csv_encodings_with_chinese_headers_give_the_same_records(tmp_path, reference, encoding,
                                                                  bom, delimiter, suffix):
    lg = Ledgers(tmp_path / "zh")
    for name, (header, rows) in BASE.items():
        lg.csv(LEDGERS[name].zh if name in ("issues", "units") else name, zh_header(name, header),
               rows, encoding=encoding, bom=bom, delimiter=delimiter, suffix=suffix)
    if encoding == "gb18030":  # really not UTF-8 on disk
        with pytest.raises(UnicodeDecodeError):
            next((lg.dir).glob("问题台账*")).read_bytes().decode("utf-8")
    ds = load_dataset(lg.dir)
    assert ds.problems == []
    assert ds.records == reference


def _native_json(name: str, header: list[str], row: list) -> dict:
    """A JSON Lines record with native types: numbers, booleans, lists."""
    out = {}
    for h, v in zip(header, row):
        f = LEDGERS[name].field(h)
        if v == "":
            continue
        if f.base == "bool":
            v = v in ("是", "Y", "1")
        elif f.base == "int" or (f.base == "money" and v.isdigit()):
            v = int(v)
        elif f.is_list:
            v = re.split("[;；、]", v)
        out[h] = v
    return out


def test_json_lines_with_native_values_give_the_same_records(ledgers, reference):
    for name, (header, rows) in BASE.items():
        ledgers.jsonl(name, [_native_json(name, header, r) for r in rows])
    ds = load_dataset(ledgers.dir)
    assert ds.problems == []
    assert ds.records == reference


def _excel_native(name: str, header: list[str], row: list) -> list:
    """Excel-typed cells: ISO dates as date cells, digit-only amounts as numbers; codes
    stay text (a code typed as a number is an error: see test_corpus)."""
    out = []
    for h, v in zip(header, row):
        f = LEDGERS[name].field(h)
        if f.base == "date" and ISO.match(v):
            v = dt.datetime.fromisoformat(v)
        elif f.base in ("int", "money") and v.isdigit() and not v.startswith("0"):
            v = int(v)
        out.append(v)
    return out


@pytest.mark.parametrize("title, blank", [(None, 0), ("东湖区巡察问题台账（2019年）", 0),
                                          ("台账", 2), (None, 3)])
def test_one_workbook_with_a_sheet_per_ledger(ledgers, reference, title, blank):
    sheets = {}
    for i, (name, (header, rows)) in enumerate(BASE.items()):
        sheet = LEDGERS[name].zh if i % 2 else name  # English and Chinese sheet names
        hdr = zh_header(name, header) if i % 3 == 0 else header
        sheets[sheet] = (hdr, [_excel_native(name, header, r) for r in rows])
    ledgers.xlsx("巡察台账.xlsx", sheets, title=title, blank_rows=blank)
    ds = load_dataset(ledgers.dir)
    assert ds.problems == []
    assert ds.records == reference


def test_excel_rows_are_numbered_as_excel_shows_them(ledgers):
    header, rows = BASE["regions"]
    bad = rows + [["330199", "坏区", "星球", ""]]
    ledgers.xlsx("regions.xlsx", {"行政区划": (header, bad)}, title="行政区划表", blank_rows=2)
    ds = load_dataset(ledgers.dir)
    (p,) = ds.errors
    # title row 1, blanks 2-3, header 4, data 5.. -> the 4th data row is row 8.
    assert (p.file, p.row, p.column, p.value) == ("regions.xlsx[行政区划]", 8, "level", "星球")


def test_csv_title_rows_above_the_header_are_skipped_and_counted(ledgers):
    path = ledgers.dir / "regions.csv"
    path.write_text("行政区划表,,\n,,\n区划代码,名称,层级\n330100,临安市,市\n330101,东湖区,星球\n",
                    encoding="utf-8")
    ds = load_dataset(ledgers.dir)
    assert [r["id"] for r in ds.records["regions"]] == ["330100"]
    (p,) = ds.errors
    assert (p.file, p.row, p.column, p.value) == ("regions.csv", 5, "层级", "星球")


def test_single_sheet_issues_workbook_is_the_issues_ledger(tmp_path, reference):
    lg = write_base(Ledgers(tmp_path / "d"), issues=None)
    header, rows = BASE["issues"]
    lg.xlsx("issues.xlsx", {"Sheet1": (header, [_excel_native("issues", header, r) for r in rows])})
    ds = load_dataset(lg.dir)
    assert ds.problems == []
    assert ds.sources["issues"] == "issues.xlsx[Sheet1]"
    assert ds.records["issues"] == reference["issues"]


def test_leading_zero_codes_survive_every_format(tmp_path):
    header = ["id", "name", "level", "parent_id"]
    rows = [["010000", "甲省", "省", ""], ["010100", "乙市", "市", "010000"]]
    got = {}
    lg = Ledgers(tmp_path / "csv")
    lg.csv("regions", header, rows)
    got["csv"] = load_dataset(lg.dir).records["regions"]
    lg = Ledgers(tmp_path / "jsonl")
    lg.jsonl("regions", [dict(zip(header, r)) for r in rows])
    got["jsonl"] = load_dataset(lg.dir).records["regions"]
    lg = Ledgers(tmp_path / "xlsx_text")
    lg.xlsx("regions.xlsx", {"regions": (header, rows)})
    got["xlsx_text"] = load_dataset(lg.dir).records["regions"]
    lg = Ledgers(tmp_path / "xlsx_number")
    numeric = [[10000, "甲省", "省", None], [10100, "乙市", "市", 10000]]
    lg.xlsx("regions.xlsx", {"regions": (header, numeric)},
            formats={("regions", "id"): "000000", ("regions", "parent_id"): "000000"})
    got["xlsx_number"] = load_dataset(lg.dir).records["regions"]
    for fmt, recs in got.items():
        assert [(r["id"], r.get("parent_id")) for r in recs] == [("010000", None),
                                                                ("010100", "010000")], fmt


def test_header_aliases(ledgers):
    ledgers.csv("regions", ["区划代码", "区划名称", "层级", "上级区划代码"],
                [["330100", "临安市", "市", ""], ["330101", "东湖区", "区", "330100"]])
    ledgers.csv("cadres", ["人员编号", "姓名", "出生日期", "身份证号码", "电话"],
                [["C1", "张伟", "1970年5月1日", "330101197005011236", "13800000000"]])
    ds = load_dataset(ledgers.dir)
    assert ds.problems == []
    assert ds.records["regions"][1] == {"id": "330101", "name": "东湖区", "level": "county",
                                        "parent_id": "330100"}
    c = ds.records["cadres"][0]
    assert c["id_number"] == "330101197005011236" and c["phone"] == "13800000000"
    assert c["birth_date"] == "1970-05-01"


@pytest.mark.parametrize("cell, category, sub", [
    ("党的领导弱化", "political", "weakened_leadership"),
    ("党的建设缺失", "organizational", "party_building_lacking"),
    ("全面从严治党不力", "discipline", "strict_governance_weak"),
    ("作风建设", "conduct", None),
    ("discipline", "discipline", None),
])
def test_three_problems_names_in_the_category_column(tmp_path, cell, category, sub):
    header, rows = BASE["issues"]
    row = list(rows[0])
    row[header.index("category")] = cell
    row[header.index("subcategory")] = ""
    lg = write_base(Ledgers(tmp_path / "d"), issues=(header, [row, rows[1]]))
    ds = load_dataset(lg.dir)
    assert ds.errors == []
    rec = ds.records["issues"][0]
    assert rec["category"] == category and rec.get("subcategory") == sub


@pytest.mark.parametrize("cell, codes", [
    ("双开", ["party_expulsion", "gov_discharge"]),
    ("党内警告；政务警告", ["party_warning", "gov_warning"]),
    ("诫勉、组织处理", ["admonishment", "org_handling"]),
    ("开除党籍;双开", ["party_expulsion", "gov_discharge"]),
    ("criticism", ["criticism"]),
])
def test_outcomes(tmp_path, cell, codes):
    header, rows = BASE["leads"]
    row = list(rows[0])
    row[header.index("outcomes")] = cell
    ds = load_dataset(write_base(Ledgers(tmp_path / "d"), leads=(header, [row])).dir)
    assert ds.errors == []
    assert ds.records["leads"][0]["outcomes"] == codes


def test_bare_warning_outcome_is_an_error_naming_both(tmp_path):
    header, rows = BASE["leads"]
    row = list(rows[0])
    row[header.index("outcomes")] = "警告"
    ds = load_dataset(write_base(Ledgers(tmp_path / "d"), leads=(header, [row])).dir)
    (p,) = ds.errors
    assert (p.file, p.row, p.column, p.value) == ("leads.csv", 2, "outcomes", "警告")
    assert "党内警告" in p.reason and "政务警告" in p.reason


# -- references ----------------------------------------------------------------

def _positions(tmp_path, *rows):
    header = ["cadre_id", "unit_id", "title", "start"]
    return load_dataset(write_base(Ledgers(tmp_path / "d"), positions=(header, list(rows))).dir)


def test_references_by_unique_name_and_alias_resolve_to_ids(tmp_path):
    ds = _positions(tmp_path, ["李娜", "区医院", "院长", "2018"], ["C4", "东湖区财政局", "科员", "2019"])
    assert ds.errors == []
    assert [(r["cadre_id"], r["unit_id"]) for r in ds.records["positions"]] == [("C2", "U2"),
                                                                             ("C4", "U1")]


def test_ambiguous_name_lists_the_candidates(tmp_path):
    ds = _positions(tmp_path, ["张伟", "U1", "局长", "2018"])
    (p,) = ds.errors
    assert (p.file, p.row, p.column, p.value) == ("positions.csv", 2, "cadre_id", "张伟")
    assert "cadre:C1" in p.reason and "cadre:C3" in p.reason and "ambiguous" in p.reason


def test_dangling_id_suggests_the_nearest(tmp_path):
    ds = _positions(tmp_path, ["C1", "U11", "局长", "2018"])
    (p,) = ds.errors
    assert (p.row, p.column, p.value, p.suggestion) == (2, "unit_id", "U11", "U1")
    assert "no unit" in p.reason and "单位" in p.reason


def test_wrong_kind_endpoint_says_so(tmp_path):
    header, rows = BASE["issues"]
    row = list(rows[0])
    row[header.index("unit_id")] = "C1"
    ds = load_dataset(write_base(Ledgers(tmp_path / "d"), issues=(header, [row, rows[1]])).dir)
    p = only(ds.errors, column="unit_id")[0]
    assert p.value == "C1" and "is a cadre" in p.reason and "expected a unit" in p.reason


# -- malformed input --------------------------------------------------------------

def test_row_with_more_cells_than_headers_is_an_error(ledgers):
    (ledgers.dir / "regions.csv").write_text(
        "id,name,level\n330100,临安市,市\n330101,东湖,区,多余\n330102,西山县,县,\n", encoding="utf-8")
    ds = load_dataset(ledgers.dir)
    (p,) = ds.errors
    assert (p.file, p.row, p.column, p.value) == ("regions.csv", 3, "D", "多余")
    assert "4 cells" in p.reason and "3 columns" in p.reason
    # A trailing empty cell is harmless.
    assert [r["id"] for r in ds.records["regions"]] == ["330100", "330102"]


def test_excel_value_beside_the_table_is_a_warning(ledgers):
    ledgers.xlsx("regions.xlsx", {"regions": (["id", "name", "level"],
                                              [["330100", "临安市", "市", "备注"]])})
    ds = load_dataset(ledgers.dir)
    assert ds.errors == []
    (w,) = ds.warnings
    assert (w.row, w.column, w.value) == (2, "D", "备注")
    assert len(ds.records["regions"]) == 1


def test_numeric_excel_header_cells(ledgers):
    ledgers.xlsx("regions.xlsx", {"regions": (["id", "name", "level", 2023.0, 7],
                                              [["330100", "临安市", "市", 1, 2]])})
    ds = load_dataset(ledgers.dir)
    assert ds.errors == []
    assert sorted(w.column for w in ds.warnings) == ["2023", "7"]


def test_duplicate_headers_are_an_error_naming_both_columns(ledgers):
    ledgers.csv("regions", ["id", "name", "level", "名称"], [["330100", "临安市", "市", "x"]])
    ds = load_dataset(ledgers.dir)
    (p,) = ds.errors
    assert (p.row, p.column) == (1, "名称")
    assert "column D" in p.reason and "column B" in p.reason and "name" in p.reason


def test_json_lists_and_objects_in_scalar_fields(ledgers):
    ledgers.jsonl("units", [
        {"id": ["U1"], "name": "甲", "kind": "hospital"},
        {"id": "U2", "name": {"zh": "乙"}, "kind": "hospital"},
        {"id": "U3", "name": "丙", "kind": ["hospital"], "aliases": ["丙院", "丙医院"]},
        {"id": "U4", "name": "丁", "kind": "hospital", "aliases": {"a": 1}},
        {"id": "U5", "name": "戊", "kind": "hospital", "aliases": ["戊院"]},
    ])
    ds = load_dataset(ledgers.dir)
    assert [(p.row, p.column) for p in ds.errors] == [(1, "id"), (2, "name"), (3, "kind"),
                                                      (4, "aliases")]
    assert all("list" in p.reason or "object" in p.reason for p in ds.errors)
    assert ds.records["units"] == [{"id": "U5", "name": "戊", "aliases": ["戊院"],
                                    "unit_kind": "hospital"}]


def test_invalid_json_lines_are_reported_and_the_rest_loaded(ledgers):
    (ledgers.dir / "regions.jsonl").write_text(
        '{"id": "330100", "name": "临安市", "level": "市"}\n'
        '{"id": "330101", "name": \n'
        '\n'
        '[1, 2]\n'
        '{"id": "330102", "name": "西山县", "level": "县", "parent_id": NaN}\n'
        '{"id": "330103", "name": "北山县", "level": "县"}\n', encoding="utf-8")
    ds = load_dataset(ledgers.dir)
    assert [(p.row, p.column) for p in ds.errors] == [(2, None), (4, None), (5, "parent_id")]
    assert "JSON" in ds.errors[0].reason and "object" in ds.errors[1].reason
    assert [r["id"] for r in ds.records["regions"]] == ["330100", "330103"]


def test_ledger_given_twice_is_an_error_and_the_first_source_kept(tmp_path):
    lg = write_base(Ledgers(tmp_path / "d"))
    header, rows = BASE["regions"]
    lg.xlsx("台账.xlsx", {"行政区划": (header, rows)})
    ds = load_dataset(lg.dir)
    (p,) = ds.errors
    assert p.file == "台账.xlsx[行政区划]" and "regions.csv" in p.reason
    assert ds.sources["regions"] == "regions.csv"


def test_unreadable_files_are_reported_not_raised(ledgers):
    ledgers.csv("regions", *BASE["regions"])
    (ledgers.dir / "units.xlsx").write_bytes(b"PK\x03\x04 truncated workbook")
    (ledgers.dir / "cadres.csv").write_bytes(bytes(range(128, 256)) * 4)
    (ledgers.dir / "notes.docx").write_bytes(b"whatever")
    ds = load_dataset(ledgers.dir)
    assert sorted(p.file for p in ds.errors) == ["cadres.csv", "units.xlsx"]
    assert any(p.file == "notes.docx" for p in ds.warnings)
    assert len(ds.records["regions"]) == 3


def test_very_long_cell_and_invisible_characters(ledgers):
    long = "很长的描述" * 40_000  # 200k characters: above the csv module's default limit
    ledgers.csv("regions", ["\ufeffid", "name", "level"],
                [["\ufeff330100", long, "市\u200b"], ["33\x000101", "东湖区", "县"]])
    ds = load_dataset(ledgers.dir)
    assert ds.errors == []
    assert [r["id"] for r in ds.records["regions"]] == ["330100", "330101"]
    assert ds.records["regions"][0]["name"] == long


def test_empty_and_missing_directories(tmp_path):
    ds = load_dataset(tmp_path)
    (p,) = ds.errors
    assert "no ledgers found" in p.reason
    with pytest.raises(DatasetError, match="does not exist"):
        load_dataset(tmp_path / "nope")
    f = tmp_path / "file.csv"
    f.write_text("x")
    with pytest.raises(DatasetError, match="is a file"):
        load_dataset(f)


def test_records_are_json_serialisable_with_native_types(reference):
    # Only str, int, float, bool and list[str] reach the graph.
    for rows in reference.values():
        for d in rows:
            for v in d.values():
                assert isinstance(v, (str, int, float, bool, list)), v
                if isinstance(v, list):
                    assert all(isinstance(x, str) for x in v)
    json.dumps(reference, ensure_ascii=False)


def test_template_marks_in_headers(ledgers):
    ledgers.xlsx("regions.xlsx", {"regions": (
        ["区划代码*", "名称（必填）", "层\n级", "上级区划 (optional)"], [["330100", "临安市", "市", ""]])},
        title="行政区划")
    ds = load_dataset(ledgers.dir)
    assert ds.problems == []
    assert ds.records["regions"] == [{"id": "330100", "name": "临安市", "level": "city"}]


def test_empty_files(ledgers):
    ledgers.csv("regions", *BASE["regions"])
    (ledgers.dir / "teams.csv").write_bytes(b"")
    (ledgers.dir / "units.jsonl").write_bytes(b"")
    ledgers.csv("relations", BASE["relations"][0], [])  # a header and no rows: fine
    ds = load_dataset(ledgers.dir)
    assert ds.errors == []
    (w,) = ds.warnings
    assert w.file == "teams.csv" and "empty" in w.reason


def test_dangling_ids_get_suggestions_in_a_large_ledger(ledgers):
    # More ids than the suggestion window: typos at either end still find theirs.
    ledgers.csv("regions", ["id", "name", "level"], [["330100", "临安市", "市"]])
    ledgers.csv("units", ["id", "name", "kind", "region_id"],
                [[f"U{i:05d}", f"单位{i}", "政府部门", "330100"] for i in range(3000)])
    ledgers.csv("positions", ["cadre_id", "unit_id", "title", "start"],
                [["C1", "U01234x", "科员", "2020"], ["C1", "X01234", "科员", "2020"]])
    ledgers.csv("cadres", ["id", "name"], [["C1", "张伟"]])
    ds = load_dataset(ledgers.dir)
    assert [(p.value, p.suggestion) for p in ds.errors] == [("U01234x", "U01234"),
                                                           ("X01234", "U01234")]


def test_code_cells_excel_typed_as_numbers_or_dates_are_errors(ledgers):
    # Text cells load; a number (leading zeros gone) or a date (Excel read
    # "1-2" as January 2nd) in a code column is an error at its cell.
    write_base(ledgers, teams=None)
    ledgers.xlsx("teams.xlsx", {"巡察组": (["id", "name", "home_region_id"], [
        ["T1", "第一巡察组", "330100"], ["T9", "第九巡察组", 330100],
        [dt.datetime(2024, 1, 2), "第二巡察组", "330100"]])})
    ds = load_dataset(ledgers.dir)
    bad = [(p.row, p.column, p.value) for p in ds.errors if p.file == "teams.xlsx[巡察组]"]
    assert bad == [(3, "home_region_id", "330100"), (4, "id", "2024-01-02")]
    assert "leading zeros" in ds.errors[0].reason
    assert [r["id"] for r in load_dataset(ledgers.dir, lenient=True).records["teams"]] == ["T1"]


def test_a_note_under_the_header_is_not_a_second_header_row(ledgers):
    # A remark beside the known columns, right under the header, is a value in
    # a column without a header (warned), not a two-row header to refuse.
    write_base(ledgers, teams=None)
    ledgers.xlsx("teams.xlsx", {"巡察组": (["id", "name", "home_region_id", ""], [
        ["", "", "", "注：编号以组织部文件为准"], ["T1", "第一巡察组", "330100", ""]])})
    ds = load_dataset(ledgers.dir, lenient=True)
    assert not any("two rows" in p.reason for p in ds.problems)
    # The note's row is a row without its required cells; the team loads.
    assert {(p.row, p.column) for p in ds.errors} == {(2, "id"), (2, "name")}
    assert [r["id"] for r in ds.records["teams"]] == ["T1"]
