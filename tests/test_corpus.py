"""The corpus of broken and awkward ledger sets (tests/data/<case>/, one line
in each README.md says what a good tool does): for every case, the exact
outcome — the error's or warning's file, row and column, or the value loaded.

The cases are written by tests/data/make_corpus.py from tests/data/mini.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from xuncha.cli import main
from xuncha.graph.build import build_graph
from xuncha.loaders import load_dataset

DATA = Path(__file__).resolve().parent / "data"
CASES = sorted(p.name for p in DATA.iterdir() if (p / "README.md").is_file())


def load(case: str, lenient: bool = False):
    return load_dataset(DATA / case, lenient=lenient)


def where(problems) -> list[tuple]:
    return [(p.file, p.row, p.column) for p in problems]


def records(ds, ledger: str) -> dict:
    return {r.get("id", i): r for i, r in enumerate(ds.records.get(ledger, []))}


def test_every_case_says_what_a_good_tool_does():
    assert len(CASES) >= 20
    for case in CASES:
        text = (DATA / case / "README.md").read_text(encoding="utf-8").strip()
        assert "a good tool" in text and "\n" not in text, case


@pytest.mark.parametrize("case", CASES)
def test_validate_never_tracebacks(case):
    r = CliRunner().invoke(main, ["validate", str(DATA / case), "--format", "json"])
    assert r.exit_code in (0, 1), r.output
    assert "Traceback" not in r.output
    rows = json.loads(r.stdout)
    for p in rows:
        assert p["file"] and p["reason"], p


# -- 1. exact CSV reading --------------------------------------------------------

def test_unclosed_quote_is_an_error_where_it_opened():
    ds = load("csv-unclosed-quote")
    assert where(ds.errors) == [("relations.csv", 3, "备注")]
    assert "never closed" in ds.errors[0].reason
    # The five other relations are read as the rows they are, spouse tie included.
    ds = load("csv-unclosed-quote", lenient=True)
    rel = [(r["cadre_id"], r["other_id"], r["relation_kind"]) for r in ds.records["relations"]]
    assert rel == [("C004", "C002", "sibling"), ("C001", "C003", "colleague"),
                   ("C003", "C004", "classmate"), ("C002", "C003", "fellow_townsman"),
                   ("C004", "C001", "other")]
    assert ds.records["relations"][1]["note"] == "同一科室"  # nothing folded into a note
    # --lenient's count is the number of ledger rows not loaded: row 3 only.
    assert ds.rejected_lines == 1


def test_stray_quote_swallowing_a_row_is_flagged():
    ds = load("csv-stray-quote")
    first = ds.errors[0]
    assert (first.file, first.row, first.column) == ("issues.csv", 3, "问题表现")
    assert "holds whole rows" in first.reason
    # The swallowed row I3 is read as a row; rows citing I2 say it was rejected.
    ds = load("csv-stray-quote", lenient=True)
    assert sorted(records(ds, "issues")) == ["I1", "I3"]
    assert ("issues.csv", 5, "问题来源") in where(ds.errors)  # the stray quote itself
    refs = [p for p in ds.errors if p.file == "leads.csv"]
    assert refs and "rejected (issues.csv, row 3)" in refs[0].reason


def test_tabs_inside_quoted_cells_do_not_make_it_tsv():
    ds = load("csv-tabs-in-quoted-cells")
    assert ds.problems == [] and ds.notes == []
    assert records(ds, "issues")["I1"]["description"] == "违规发放津贴补贴\t（详见\t附件\t清单）"


def test_semicolon_delimiter_is_read_and_reported():
    ds = load("csv-semicolon")
    assert ds.problems == []
    assert [(n.file, "semicolon" in n.reason) for n in ds.notes] == [("units.csv", True)]
    assert records(ds, "units")["U002"]["parent_id"] == "U001"


def test_load_prints_each_note_once(tmp_path):
    r = CliRunner().invoke(main, ["load", str(DATA / "csv-semicolon"), "-w", str(tmp_path / "ws")])
    assert r.exit_code == 0, r.output
    notes = [line for line in r.stderr.splitlines() if line.startswith("note:")]
    assert len(notes) == 1 and "semicolon" in notes[0]


def test_utf16_with_and_without_bom():
    ds = load("utf16-unicode-text")
    assert ds.problems == []
    assert ds.sources["issues"] == "issues.txt" and ds.sources["units"] == "units.csv"
    assert records(ds, "issues")["I2"]["description"] == "违规办理低保"
    assert records(ds, "units")["U001"]["name"] == "东湖区财政局"


# -- 2. exact Excel reading ------------------------------------------------------

def test_id_number_typed_as_a_number():
    ds = load("xlsx-id-number-as-number")
    p = ds.errors[0]
    assert (p.file, p.row, p.column, p.value) == ("cadres.xlsx[人员]", 2, "身份证号",
                                                  "330101197005011000")
    assert "15 significant digits" in p.reason and "设置单元格格式为文本" in p.reason
    # Nothing with wrong digits is stored: the row is refused.
    assert "C001" not in records(load("xlsx-id-number-as-number", lenient=True), "cadres")


def test_unit_codes_typed_as_numbers_never_suggest_the_mangled_code():
    ds = load("xlsx-unit-codes-as-numbers")
    excel = [p for p in ds.errors if p.file == "units.xlsx[单位]"]
    assert where(excel) == [("units.xlsx[单位]", 2, "单位编码"), ("units.xlsx[单位]", 3, "单位编码"),
                            ("units.xlsx[单位]", 3, "上级单位"), ("units.xlsx[单位]", 4, "单位编码")]
    assert all("leading zeros" in p.reason for p in excel)
    refs = [p for p in ds.errors if p.value in ("0101", "0201")]
    assert len(refs) == 14  # positions 2, assignments 3, issues 3, leads 2, actions 4
    for p in refs:
        assert p.suggestion is None  # never "did you mean 101"
        assert "this reference is right" in p.reason and "units.xlsx[单位], row" in p.reason
    by_name = [p for p in ds.errors if p.value == "东湖区人民医院"]
    assert by_name and "rejected (units.xlsx[单位], row 3)" in by_name[0].reason


def test_formula_without_saved_value_is_named_by_its_cell():
    ds = load("xlsx-formula-no-value")
    p = ds.errors[0]
    assert (p.file, p.row, p.column, p.value) == ("issues.xlsx[问题台账]", 3, "涉及金额", "=2000*11")
    assert "问题台账!I3" in p.reason


def test_serial_dates_are_converted():
    ds = load("serial-dates")
    assert ds.problems == []
    issues = records(ds, "issues")
    assert [issues[i]["found_date"] for i in ("I1", "I2", "I3")] == [
        "2019-03-20", "2019-04-02", "2021-03-01"]
    assert records(ds, "rounds")["R1"]["start"] == "2019-03-01"


def test_two_row_merged_header_is_read_as_one():
    ds = load("xlsx-merged-header")
    assert ds.problems == []
    units = records(ds, "units")
    assert [(u["region_id"], u.get("parent_id"), u["sector"]) for u in units.values()] == [
        ("330101", None, "经济"), ("330101", "U001", "卫健"), ("330102", None, "乡镇")]
    assert "read as one header" in ds.notes[0].reason


def test_two_row_header_of_unknown_names_is_refused_with_the_reason():
    ds = load("xlsx-merged-header-unknown")
    head = [p for p in ds.errors if p.row == 1]
    assert where(head) == [("units.xlsx[单位]", 1, None)]
    assert "two rows" in head[0].reason and "区划, 上级" in head[0].reason
    # Said once, with the references it leaves unchecked; no error per row.
    assert len(ds.errors) == 2 and all(p.file == "units.xlsx[单位]" for p in ds.errors)


# -- 3. sanity rules -------------------------------------------------------------

def test_negative_amount():
    ds = load("negative-amount")
    p = ds.errors[0]
    assert (p.file, p.row, p.column, p.value) == ("issues.csv", 2, "涉及金额", "-25969元")
    assert "negative" in p.reason


def test_unit_cycle_is_named():
    ds = load("unit-cycle")
    p = ds.errors[0]
    assert (p.file, p.row, p.column) == ("units.csv", 4, "上级单位")
    assert "unit U001 → U003 → U001" in p.reason


def test_region_cycle_is_named():
    ds = load("region-cycle")
    p = ds.errors[0]
    assert (p.file, p.row, p.column) == ("regions.csv", 5, "上级区划")
    assert "region 330000 → 330102 → 330100 → 330000" in p.reason


def test_team_capacity_must_be_positive():
    ds = load("team-capacity")
    cap = [p for p in ds.errors if p.file == "teams.csv"]
    assert [(p.row, p.column, p.value) for p in cap] == [(2, "承担单位数", "-1"), (3, "承担单位数", "0")]


def test_three_principals_warned_once_two_are_normal():
    ds = load("three-principals")
    assert ds.errors == []
    assert where(ds.warnings) == [("positions.csv", 6, "是否一把手")]
    assert "3 principals" in ds.warnings[0].reason and "unit U001" in ds.warnings[0].reason
    assert len(ds.records["positions"]) == 6


def test_duplicate_relation_kept_once_citing_both_rows():
    ds = load("duplicate-relations")
    assert where(ds.warnings) == [("relations.csv", 5, "人员编号")]
    g = build_graph(ds.records, provenance=ds.provenance())
    ties = [d for _, _, d in g.edges("cadre:C001", data=True)
            if d["kind"] == "RELATED_TO" and d["relation_kind"] == "spouse"]
    assert ties == [{"relation_kind": "spouse", "kind": "RELATED_TO",
                     "prov": ["duplicate-relations/relations.csv#3",
                              "duplicate-relations/relations.csv#5"]}]


def test_implausible_dates_are_warned():
    ds = load("implausible-dates")
    assert ds.errors == []
    assert where(ds.warnings) == [("cadres.csv", 4, "出生年月"), ("issues.csv", 3, "发现时间")]


def test_id_number_checks():
    ds = load("id-number-checks")
    assert where(ds.warnings) == [("cadres.csv", 2, "身份证号"), ("cadres.csv", 3, "身份证号"),
                                  ("cadres.csv", 5, "身份证号")]
    check, birth, sex = (w.reason for w in ds.warnings)
    assert "check character is 7" in check and "gives 6" in check
    assert "1981-03-01" in birth and "1980-03-01" in birth
    assert "male" in sex and "female" in sex


def test_month_precision_end_dates_mean_the_end():
    ds = load("month-end-dates")
    assert ds.problems == []
    pos = ds.records["positions"]
    assert (pos[0]["start"], pos[0]["end"]) == ("2015-01-01", "2019-12-31")
    assert (pos[3]["start"], pos[3]["end"]) == ("2016-01-01", "2019-12-31")
    assert records(ds, "actions")["A1"]["deadline"] == "2019-08-31"


def test_opposite_enums_are_never_guessed():
    ds = load("opposite-enums")
    errs = {(p.row, p.column): p for p in ds.errors}
    assert set(errs) == {(3, "整改状态"), (4, "整改状态")}
    amb = errs[(3, "整改状态")]
    assert "not_started" in amb.reason and "in_progress" in amb.reason
    assert errs[(4, "整改状态")].suggestion is None  # not 已销号, its opposite
    ds = load("opposite-enums", lenient=True)
    assert records(ds, "actions")["A1"]["status"] == "completed"  # 已整改
    assert records(ds, "leads")["L2"]["case_filed"] is False  # 未立案


@pytest.mark.parametrize("case, first", [
    ("empty-units", "header only"),
    ("units-wrong-encoding", "not UTF-8, UTF-16 or GB18030"),
])
def test_a_failed_ledger_is_said_once_with_a_summary(case, first):
    ds = load(case)
    assert all(p.file == "units.csv" and p.row is None for p in ds.errors), where(ds.errors)
    assert first in ds.errors[0].reason
    summary = ds.errors[-1].reason
    assert "21 references" in summary and "issues.csv 被巡察单位 ×3" in summary


def test_reference_to_a_rejected_unit_suggests_no_other_unit():
    ds = load("rejected-unit-reference")
    ref = [p for p in ds.errors if p.file == "positions.csv"]
    assert where(ref) == [("positions.csv", 3, "单位编码")]
    assert ref[0].suggestion is None and "rejected (units.csv, row 3)" in ref[0].reason


def test_asof_mid_month_finds_the_principal_whose_term_ends_that_month(tmp_path):
    # 离任时间 2019.12: in post on 2019-12-15, gone on 2020-01-02.
    ws = tmp_path / "ws"
    runner = CliRunner()
    assert runner.invoke(main, ["load", str(DATA / "month-end-dates"), "-w", str(ws), "-q"]).exit_code == 0
    r = runner.invoke(main, ["asof", "U001", "2019-12-15", "-w", str(ws), "--format", "json"])
    assert [(p["cadre"], p["is_principal"]) for p in json.loads(r.stdout)] == [("cadre:C001", True)]
    r = runner.invoke(main, ["asof", "U001", "2020-01-02", "-w", str(ws), "--format", "json"])
    assert json.loads(r.stdout) == []


def test_lenient_load_says_why_and_counts_rows_not_loaded(tmp_path):
    r = CliRunner().invoke(main, ["load", str(DATA / "empty-units"), "-w", str(tmp_path / "ws"),
                                  "--lenient"])
    assert r.exit_code == 0, r.output
    assert "units.csv: header only" in r.output and "21 references" in r.output
    # 33 data rows in all, 3 of them units (none given): 15 loaded, 15 not.
    assert "loaded 已导入 15 rows" in r.output and "15 ledger rows rejected" in r.output
    rejected = (tmp_path / "ws" / "rejected.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(rejected) == 1 + 15
