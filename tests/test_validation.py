"""Validation: every rule, every problem reported at once with its location."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from tests.conftest import BASE, Ledgers, write_base
from xuncha.cli import main
from xuncha.loaders import load_dataset


def _with(name: str, edit=None, extra: list | None = None, header: list | None = None):
    """BASE[name] with ``edit(rows)`` applied and ``extra`` rows appended."""
    h, rows = BASE[name]
    rows = [list(r) for r in rows]
    if edit:
        edit(h, rows)
    return (header or h), rows + (extra or [])


def _set(row_index: int, column: str, value):
    def edit(h, rows):
        rows[row_index][h.index(column)] = value
    return edit


@pytest.fixture
def broken(tmp_path):
    """BASE with one of each kind of error, all in one dataset."""
    lg = Ledgers(tmp_path / "broken")
    units_h = [c for c in BASE["units"][0] if c != "kind"]
    units_rows = [[v for c, v in zip(BASE["units"][0], r) if c != "kind"] for r in BASE["units"][1]]
    write_base(
        lg,
        regions=_with("regions", _set(1, "name", "  "), extra=[["330100", "重复", "市", ""]]),
        units=(units_h, units_rows),
        cadres=_with("cadres", lambda h, rows: (rows[0].__setitem__(h.index("birth_date"), "1970-13"),
                                                rows[1].__setitem__(h.index("gender"), "女性"))),
        positions=_with("positions", _set(0, "end", "2014-12-31"),
                        extra=[["C1", "U11", "副局长", "", "2016", ""]]),
        issues=_with("issues", lambda h, rows: (
            rows[0].__setitem__(h.index("subcategory"), "扶贫"),
            rows[1].__setitem__(h.index("amount"), "很多钱"),
            rows[1].__setitem__(h.index("immediate"), "也许"))),
        team_members=_with("team_members", extra=[["R1", "T1", "C4", "组员"]]),
        leads=_with("leads", _set(0, "outcomes", "警告")),
        actions=_with("actions", _set(1, "status", "已完"),
                      extra=[["A3", "", "", "整改", "", "", "", "整改中", ""]]),
    )
    return lg.dir


def test_every_problem_is_reported_at_once(broken):
    ds = load_dataset(broken)
    got = {(p.file, p.row, p.column): p for p in ds.errors}
    expected = {
        ("regions.csv", 3, "name"): None,  # required cell empty
        ("regions.csv", 5, "id"): "330100",  # duplicate id
        ("units.csv", 1, "kind 单位类型"): None,  # required column missing
        ("cadres.csv", 2, "birth_date"): "1970-13",
        ("cadres.csv", 3, "gender"): "女性",
        ("positions.csv", 2, "end"): "2014-12-31",  # before start
        ("positions.csv", 4, "unit_id"): "U11",  # dangling
        ("issues.csv", 2, "subcategory"): "poverty_relief",  # not under conduct
        ("issues.csv", 3, "amount"): "很多钱",
        ("issues.csv", 3, "immediate"): "也许",
        ("team_members.csv", 3, "round_id, team_id, cadre_id"): "R1/T1/C4",  # duplicate row
        ("leads.csv", 2, "outcomes"): "警告",
        ("actions.csv", 3, "status"): "已完",
        ("actions.csv", 4, "issue_id"): None,  # neither issue nor lead
    }
    assert set(got) >= set(expected), sorted(set(expected) - set(got))
    for key, value in expected.items():
        assert got[key].value == value, key
        assert got[key].reason
    # Every other error is a reference to a row refused above, and says so:
    # nothing is silently dropped.
    others = [p for p in ds.errors if (p.file, p.row, p.column) not in expected]
    assert others and all("which was rejected" in p.reason for p in others)
    assert any("unit U1" in p.reason and "units.csv, row 2" in p.reason for p in others)


def test_reasons_and_suggestions(broken):
    ds = load_dataset(broken)
    by = {(p.file, p.row, p.column): p for p in ds.errors}
    assert "required cell is empty" in by["regions.csv", 3, "name"].reason
    assert "already on row 2" in by["regions.csv", 5, "id"].reason
    assert "required column missing" in by["units.csv", 1, "kind 单位类型"].reason
    assert "not a valid date" in by["cadres.csv", 2, "birth_date"].reason
    assert by["cadres.csv", 3, "gender"].suggestion == "female (女)"
    assert "before start" in by["positions.csv", 2, "end"].reason
    assert "no unit" in by["positions.csv", 4, "unit_id"].reason
    sub = by["issues.csv", 2, "subcategory"].reason
    assert "livelihood" in sub and "conduct" in sub
    assert "金额" in by["issues.csv", 3, "amount"].reason
    assert "是" in by["issues.csv", 3, "immediate"].reason
    assert by["actions.csv", 3, "status"].suggestion == "completed (已完成)"
    assert "issue_id" in by["actions.csv", 4, "issue_id"].reason
    assert "lead_id" in by["actions.csv", 4, "issue_id"].reason
    text = str(by["actions.csv", 3, "status"])
    assert text.startswith("actions.csv, row 3, column status:") and "completed" in text


def test_rejected_rows_still_have_their_references_checked(tmp_path):
    # Row 2 has a bad date AND a dangling unit: both are reported in one run.
    h = ["cadre_id", "unit_id", "title", "start"]
    lg = write_base(Ledgers(tmp_path / "d"), positions=(h, [["C1", "U9", "局长", "去年"]]))
    ds = load_dataset(lg.dir)
    assert sorted((p.row, p.column) for p in ds.errors) == [(2, "start"), (2, "unit_id")]


def test_references_to_rejected_rows_say_why(tmp_path):
    lg = write_base(Ledgers(tmp_path / "d"), teams=_with("teams", _set(0, "capacity", "三个")))
    ds = load_dataset(lg.dir)
    (bad,) = [p for p in ds.errors if p.file == "teams.csv"]
    assert (bad.row, bad.column, bad.value) == (2, "capacity", "三个")
    refs = [p for p in ds.errors if p.file != "teams.csv"]
    # Rows naming the team are refused and say why; so, in turn, rows naming those.
    assert refs and all("which was rejected" in p.reason for p in refs)
    assert {p.file for p in refs if "team T1" in p.reason} == {"team_members.csv",
                                                               "assignments.csv", "issues.csv"}


def test_chinese_headers_are_reported_as_written(tmp_path):
    lg = Ledgers(tmp_path / "d")
    lg.csv("行政区划", ["区划代码", "名称", "层级"], [["330100", "临安市", "星球"]])
    (p,) = load_dataset(lg.dir).errors
    assert (p.file, p.row, p.column, p.value) == ("行政区划.csv", 2, "层级", "星球")
    assert "层级" in p.reason


def test_warnings_do_not_fail(tmp_path):
    lg = write_base(Ledgers(tmp_path / "d"), actions=_with("actions", lambda h, rows: rows.pop()))
    ds = load_dataset(lg.dir)
    assert ds.errors == []
    (w,) = ds.warnings
    assert (w.file, w.row, w.value) == ("issues.csv", 3, "I2") and "no rectification" in w.reason
    r = CliRunner().invoke(main, ["validate", str(lg.dir)])
    assert r.exit_code == 0
    rows = json.loads(r.stdout)
    assert [x["severity"] for x in rows] == ["warning"]


def test_validate_exit_codes_and_output(tmp_path, broken):
    clean = write_base(Ledgers(tmp_path / "clean")).dir
    runner = CliRunner()
    r = runner.invoke(main, ["validate", str(clean)])
    assert r.exit_code == 0 and json.loads(r.stdout) == []
    assert "0 errors" in r.stderr
    r = runner.invoke(main, ["validate", str(broken)])
    assert r.exit_code == 1 and "Traceback" not in r.output
    rows = json.loads(r.stdout)
    assert rows and set(rows[0]) == {"severity", "file", "row", "column", "value", "reason",
                                     "suggestion"}
    assert {"file": "actions.csv", "row": 3, "column": "status", "value": "已完"}.items() <= \
        next(x for x in rows if x["file"] == "actions.csv" and x["row"] == 3).items()
    r = runner.invoke(main, ["validate", str(broken), "--format", "csv"])
    assert r.exit_code == 1
    assert r.stdout.splitlines()[0] == "\ufeffseverity,file,row,column,value,reason,suggestion"
    r = runner.invoke(main, ["validate", str(broken), "--format", "table"],
                      env={"COLUMNS": "300"})
    assert r.exit_code == 1 and "actions.csv" in r.stdout and "completed (已完成)" in r.stdout
