"""The core commands end to end with click's CliRunner: load, stats, show, kpi."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from tests.conftest import Ledgers
from xuncha.cli import main

AS_OF = "2024-06-30"


@pytest.fixture(scope="module")
def kpi_ws(tmp_path_factory):
    """A small dataset whose indicators are worked out by hand in the tests."""
    root = tmp_path_factory.mktemp("kpi")
    lg = Ledgers(root / "ledgers")
    lg.csv("regions", ["id", "name", "level"], [["330101", "甲县", "县"], ["330102", "乙县", "县"]])
    lg.csv("units", ["id", "name", "kind", "region_id"],
           [["U1", "甲县财政局", "政府部门", "330101"], ["U2", "甲县医院", "医院", "330101"],
            ["U3", "乙县水利局", "政府部门", "330102"]])
    lg.csv("cadres", ["id", "name"], [["C1", "张伟"], ["C2", "张伟"], ["C3", "李娜"]])
    lg.csv("rounds", ["id", "name", "kind"], [["R1", "第一轮", "常规"], ["R2", "第二轮", "专项"]])
    lg.csv("teams", ["id", "name"], [["T1", "第一组"], ["T2", "第二组"]])
    lg.csv("assignments", ["round_id", "team_id", "unit_id"],
           [["R1", "T1", "U1"], ["R1", "T1", "U2"], ["R2", "T2", "U3"]])
    lg.csv("issues", ["id", "round_id", "unit_id", "team_id", "category", "subcategory",
                      "description", "cadre_ids"],
           [["I1", "R1", "U1", "T1", "作风建设", "违反中央八项规定精神", "违规吃喝", "C1"],
            ["I2", "R1", "U1", "", "纪律建设", "廉洁问题", "违规收礼", ""],
            ["I3", "R1", "U2", "T2", "作风建设", "形式主义", "文山会海", ""],  # team overrides
            ["I4", "R2", "U3", "", "民生", "扶贫", "扶贫资金滞留", ""],
            ["I5", "R2", "U3", "", "作风建设", "", "作风漂浮", ""]])  # no action
    lg.csv("leads", ["id", "round_id", "unit_id", "issue_ids", "subject_ids", "transferred_to",
                     "transfer_date", "case_filed", "recovered_amount"],
           [["L1", "R1", "U1", "I1", "C1", "纪委监委", "2024-02-01", "是", "2万"],
            ["L2", "R2", "U3", "", "", "组织部", "2024-09-01", "否", ""]])  # after as-of
    lg.csv("actions", ["id", "issue_id", "lead_id", "kind", "deadline", "status",
                       "recovered_amount"],
           [["A1", "I1", "", "追缴资金", "2024-01-01", "已完成", "1000"],
            ["A2", "I1", "", "整改", "2024-01-01", "已销号", ""],
            ["A3", "I2", "", "整改", "2024-03-01", "整改中", ""],  # overdue
            ["A4", "I3", "", "整改", "2024-12-31", "整改中", ""],
            ["A5", "I4", "", "建章立制", "", "长期坚持", ""],
            ["A6", "", "L1", "追责问责", "2024-01-01", "已完成", "500"]])
    ws = root / "ws"
    r = CliRunner().invoke(main, ["load", str(lg.dir), "-w", str(ws)])
    assert r.exit_code == 0, r.output
    assert "1 warnings" in r.stderr  # I5 has no action
    return ws


def run(ws, *args, code=0):
    r = CliRunner().invoke(main, [*args, "-w", str(ws)])
    assert r.exit_code == code, r.output
    assert "Traceback" not in r.output
    return r


def kpi_rows(ws, by):
    rows = json.loads(run(ws, "kpi", "--by", by, "--as-of", AS_OF).stdout)
    keys = ["issues", "issues_rectified", "rectification_rate", "leads", "leads_transferred",
            "cases_filed", "actions", "actions_overdue", "money_recovered"]
    return {r["group"]: [r[k] for k in keys] for r in rows}


TOTAL = [5, 2, 0.4, 2, 1, 1, 6, 1, 21500]


@pytest.mark.parametrize("by, expected", [
    ("round", {"round:R1": [3, 1, 0.3333, 1, 1, 1, 5, 1, 21500],
               "round:R2": [2, 1, 0.5, 1, 0, 0, 1, 0, 0]}),
    ("unit", {"unit:U1": [2, 1, 0.5, 1, 1, 1, 4, 1, 21500],
              "unit:U2": [1, 0, 0.0, 0, 0, 0, 1, 0, 0],
              "unit:U3": [2, 1, 0.5, 1, 0, 0, 1, 0, 0]}),
    ("team", {"team:T1": [2, 1, 0.5, 1, 1, 1, 4, 1, 21500],
              "team:T2": [3, 1, 0.3333, 1, 0, 0, 2, 0, 0]}),
    ("region", {"region:330101": [3, 1, 0.3333, 1, 1, 1, 5, 1, 21500],
                "region:330102": [2, 1, 0.5, 1, 0, 0, 1, 0, 0]}),
    ("category", {"category:conduct": [3, 1, 0.3333, 1, 1, 1, 4, 0, 21500],
                  "category:discipline": [1, 0, 0.0, 0, 0, 0, 1, 1, 0],
                  "category:livelihood": [1, 1, 1.0, 0, 0, 0, 1, 0, 0]}),
])
def test_kpi_by_each_grouping(kpi_ws, by, expected):
    assert kpi_rows(kpi_ws, by) == {**expected, "total": TOTAL}


def test_kpi_rows_are_sorted_and_named(kpi_ws):
    rows = json.loads(run(kpi_ws, "kpi", "--by", "unit", "--as-of", AS_OF).stdout)
    assert [r["group"] for r in rows] == ["unit:U1", "unit:U2", "unit:U3", "total"]
    assert rows[0]["name"] == "甲县财政局"


def test_kpi_as_of_changes_overdue_and_transferred(kpi_ws):
    rows = json.loads(run(kpi_ws, "kpi", "--as-of", "2025年1月1日").stdout)
    total = rows[-1]
    assert total["leads_transferred"] == 2  # L2 transferred 2024-09-01
    assert total["actions_overdue"] == 2  # A4's deadline 2024-12-31 has now passed


def test_kpi_bad_as_of_is_a_usage_error(kpi_ws):
    r = run(kpi_ws, "kpi", "--as-of", "next week", code=2)
    assert "not a date" in r.output


def test_kpi_formats(kpi_ws):
    r = run(kpi_ws, "kpi", "--by", "round", "--as-of", AS_OF, "--format", "csv")
    assert r.stdout.startswith("\ufeff")  # UTF-8 with BOM, for Excel
    rows = list(csv.DictReader(io.StringIO(r.stdout[1:])))
    assert [x["group"] for x in rows] == ["round:R1", "round:R2", "total"]
    assert rows[0]["rectification_rate"] == "0.3333" and rows[2]["money_recovered"] == "21500"
    r = CliRunner().invoke(main, ["kpi", "--as-of", AS_OF, "--format", "table", "-w", str(kpi_ws)],
                           env={"COLUMNS": "250"})
    assert r.exit_code == 0
    assert "rate 整改率" in r.stdout and "第一轮" in r.stdout and "33.33%" in r.stdout
    # Piped (not a terminal) and no --format: JSON.
    assert isinstance(json.loads(run(kpi_ws, "kpi", "--as-of", AS_OF).stdout), list)


def test_rectification_rate_121_of_128(tmp_path):
    lg = Ledgers(tmp_path / "d")
    lg.csv("units", ["id", "name", "kind"], [["U1", "某局", "政府部门"]])
    lg.csv("rounds", ["id", "name", "kind"], [["R1", "第一轮", "常规"]])
    lg.csv("issues", ["id", "round_id", "unit_id", "category", "description"],
           [[f"I{i:03d}", "R1", "U1", "作风建设", "问题"] for i in range(128)])
    lg.csv("actions", ["id", "issue_id", "kind", "status"],
           [[f"A{i:03d}", f"I{i:03d}", "整改", "已完成" if i < 121 else "整改中"]
            for i in range(128)])
    ws = tmp_path / "ws"
    run(ws, "load", str(lg.dir))
    rows = json.loads(run(ws, "kpi", "--by", "unit").stdout)
    assert rows[0]["issues"] == 128 and rows[0]["issues_rectified"] == 121
    assert rows[0]["rectification_rate"] == 0.9453


def test_stats(kpi_ws):
    rows = json.loads(run(kpi_ws, "stats").stdout)
    counts = {(r["type"], r["kind"]): r["count"] for r in rows}
    assert counts["node", "issue"] == 5 and counts["node", "unit"] == 3
    assert counts["node", "cadre"] == 3 and counts["node", "action"] == 6
    assert counts["edge", "FOUND_IN"] == 5 and counts["edge", "INSPECTED"] == 3
    assert counts["edge", "ADDRESSES"] == 6 and counts["edge", "IMPLICATES"] == 1
    assert next(r for r in rows if r["kind"] == "issue")["zh"] == "问题"
    r = run(kpi_ws, "stats", "--format", "csv")
    assert r.stdout.splitlines()[0] == "\ufefftype,kind,zh,count"


@pytest.mark.parametrize("ref", ["unit:U1", "U1", "甲县财政局"])
def test_show_by_id_bare_id_or_unique_name(kpi_ws, ref):
    view = json.loads(run(kpi_ws, "show", ref).stdout)
    assert view["id"] == "unit:U1" and view["kind"] == "unit" and view["label"] == "甲县财政局"
    assert view["properties"]["region_id"] == "330101"
    found = {n["id"] for n in view["neighbours"]["<FOUND_IN"]}
    assert found == {"issue:I1", "issue:I2"}
    assert [n["id"] for n in view["neighbours"]["LOCATED_IN>"]] == ["region:330101"]


def test_show_edge_properties_and_formats(kpi_ws):
    view = json.loads(run(kpi_ws, "show", "team:T1").stdout)
    (ins,) = [n for n in view["neighbours"]["INSPECTED>"] if n["id"] == "unit:U1"]
    # The edge cites its ledger row: the dataset directory, the file, the line.
    assert ins["props"] == {"round_id": "R1", "prov": ["ledgers/assignments.csv#2"]}
    assert view["prov"] == ["ledgers/teams.csv#2"]
    r = run(kpi_ws, "show", "team:T1", "--format", "csv")
    assert r.stdout.splitlines()[0] == "\ufeffgroup,edge,id,label,props"
    r = CliRunner().invoke(main, ["show", "team:T1", "--format", "table", "-w", str(kpi_ws)],
                           env={"COLUMNS": "200"})
    assert r.exit_code == 0 and "第一组" in r.stdout and "unit:U2" in r.stdout


def test_show_ambiguous_name_lists_candidates(kpi_ws):
    r = run(kpi_ws, "show", "张伟", code=1)
    assert "ambiguous" in r.output and "cadre:C1" in r.output and "cadre:C2" in r.output


def test_show_unknown_suggests(kpi_ws):
    r = run(kpi_ws, "show", "unit:U4", code=1)
    assert "did you mean" in r.output and "unit:U1" in r.output


def test_commands_without_a_workspace_fail_cleanly(tmp_path):
    for args in (["stats"], ["show", "U1"], ["kpi"]):
        r = run(tmp_path / "none", *args, code=1)
        assert "no workspace" in r.output and "xuncha load" in r.output


def test_load_error_messages(tmp_path):
    # A path that is a file, and one that does not exist: usage errors, no traceback.
    f = tmp_path / "issues.csv"
    f.write_text("id\n")
    for path in (f, tmp_path / "nope"):
        r = CliRunner().invoke(main, ["load", str(path), "-w", str(tmp_path / "ws")])
        assert r.exit_code == 2 and "Traceback" not in r.output and str(path.name) in r.output
    # Errors name file, row, column and value.
    lg = Ledgers(tmp_path / "d")
    lg.csv("units", ["单位编码", "单位名称", "单位类型"], [["U1", "某局", "政府部门"], ["U2", "某院", "医馆"]])
    r = CliRunner().invoke(main, ["load", str(lg.dir), "-w", str(tmp_path / "ws")])
    assert r.exit_code == 1 and "Traceback" not in r.output
    assert "units.csv, row 3, column 单位类型" in r.stderr and "'医馆'" in r.stderr
    assert "did you mean" in r.stderr
    # A workspace path that is a file.
    r = CliRunner().invoke(main, ["load", str(lg.dir), "-w", str(f), "--lenient"])
    assert r.exit_code in (1, 2) and "Traceback" not in r.output


def test_workspace_under_a_file_is_a_clean_error(tmp_path):
    f = tmp_path / "afile"
    f.write_text("x")
    lg = Ledgers(tmp_path / "d")
    lg.csv("regions", ["id", "name", "level"], [["330100", "临安市", "市"]])
    r = CliRunner().invoke(main, ["load", str(lg.dir), "-w", str(f / "sub")])
    assert r.exit_code == 1 and "Traceback" not in r.output
    assert "cannot write the workspace" in r.output
