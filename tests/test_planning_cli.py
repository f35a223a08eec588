"""The planning commands end to end: policy, conflicts, plan (CliRunner)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from xuncha.cli import main
from xuncha.planning.policy import default_text, load_policy

MINI = Path(__file__).parent / "data" / "mini"
COUNTY = Path(__file__).parent.parent / "examples" / "county"


def run(*args, code=0):
    r = CliRunner().invoke(main, [str(a) for a in args])
    assert r.exit_code == code, (r.output, r.exception)
    return r


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    w = tmp_path_factory.mktemp("ws")
    run("load", MINI, "-w", w, "-q")
    return w


def test_policy_show_prints_the_default(tmp_path):
    out = run("policy", "show").output
    assert out == default_text()
    doc = yaml.safe_load(out)
    assert set(doc["grounds"]) == set(load_policy().grounds)
    f = tmp_path / "p.yaml"
    f.write_text("grounds:\n  native_place: {mode: soft, weight: 2}\n")
    eff = yaml.safe_load(run("policy", "show", "--policy", f).output)
    assert eff["grounds"]["native_place"]["mode"] == "soft" and eff["grounds"]["kinship"]["mode"] == "hard"
    assert "native_place=soft(2)" in run("policy", "check", f).output
    f.write_text("grounds:\n  native: {mode: soft}\n")
    r = run("policy", "check", f, code=1)
    assert "native_place" in r.output and "Traceback" not in r.output


def test_conflicts_round_json(ws):
    r = run("conflicts", "--round", "R1", "-w", ws, "--format", "json", code=1)
    rows = json.loads(r.stdout)
    assert {c["ground"] for c in rows} == {"kinship", "native_place"}
    k = next(c for c in rows if c["ground"] == "kinship")
    assert k["team_id"] == "team:T1" and k["unit_id"] == "unit:U003" and k["inspector_id"] == "cadre:C004"
    assert k["path"] == ["cadre:C004", "cadre:C002", "unit:U003"] and k["as_of"] == "2019-03-01"
    assert "兄弟姐妹" in k["text"]


def test_conflicts_pair_and_ground_override(ws):
    r = run("conflicts", "--team", "T1", "--unit", "U003", "--as-of", "2019-03-01", "-w", ws,
            "--ground", "kinship=off", "--format", "json", code=0)
    assert json.loads(r.stdout) == []
    r = run("conflicts", "--team", "第一巡察组", "--unit", "U003", "--as-of", "2019年3月1日", "-w", ws,
            "--format", "csv", code=1)
    assert r.stdout.splitlines()[0].startswith("\ufeffground,severity,team_id,unit_id,inspector_id,text,path")


def test_conflicts_usage_errors(ws):
    r = run("conflicts", "-w", ws, code=2)
    assert "--round" in r.output
    r = run("conflicts", "--team", "T9", "--unit", "U003", "-w", ws, code=1)
    assert "T9" in r.output and "Traceback" not in r.output


def test_plan_infeasible_json_and_exit_code(ws):
    r = run("plan", "--round", "R1", "-w", ws, "--format", "json", code=2)
    doc = json.loads(r.stdout)
    assert {"assignments", "unassigned", "objective", "status"} <= set(doc)
    assert doc["status"] == "infeasible" and len(doc["unassigned"]) == 2
    assert any(r["sufficient"] for r in doc["relaxations"])
    r = run("plan", "--round", "R1", "-w", ws, "--format", "json", "--ground", "kinship=off",
            "--ground", "native_place=soft", code=0)
    doc = json.loads(r.stdout)
    assert doc["status"] == "optimal" and len(doc["assignments"]) == 2
    assert doc["stats"]["recheck_hard_conflicts"] == 0


def test_plan_files_xlsx_and_why(ws, tmp_path):
    units = tmp_path / "units.txt"
    units.write_text("U001\nunit:U003\n", encoding="utf-8")
    teams = tmp_path / "teams.csv"
    teams.write_text("巡察组编号,人员编号,职责\nT1,C003,组长\nT2,C001,组员\n", encoding="utf-8")
    plan_json = tmp_path / "plan.json"
    relax = ("--ground", "repeat=off", "--ground", "native_place=off")
    run("plan", "--units", units, "--teams", teams, "--as-of", "2021-03-01", "-w", ws, *relax,
        "-o", plan_json, "--format", "json")
    doc = json.loads(plan_json.read_text(encoding="utf-8"))
    assert doc["status"] == "optimal" and len(doc["assignments"]) == 2
    # the plan re-checked by `conflicts` has no hard conflict
    run("conflicts", "--plan", plan_json, "-w", ws, *relax, code=0)
    out = tmp_path / "plan.xlsx"
    run("plan", "--units", units, "--teams", teams, "--as-of", "2021-03-01", "-w", ws, *relax, "-o", out)
    from openpyxl import load_workbook

    wb = load_workbook(out)
    assert "assignments 安排" in wb.sheetnames
    r = run("plan", "--units", units, "--teams", teams, "--as-of", "2021-03-01", "-w", ws, *relax,
            "--why", "T2", "U001", "--format", "json")
    w = json.loads(r.stdout)
    assert w["team_id"] == "team:T2" and w["verdict"] == "conflict"
    assert {c["ground"] for c in w["conflicts"]} == {"employment"}
    # a late --forbid on U003's team: re-plan keeping the rest, report the move
    a = next(x for x in doc["assignments"] if x["unit_id"] == "unit:U003")
    r = run("plan", "--units", units, "--teams", teams, "--as-of", "2021-03-01", "-w", ws, *relax,
            "--keep", plan_json, "--forbid", f"{a['team_id'][5:]}=U003", "--format", "json")
    again = json.loads(r.stdout)
    assert [m["unit_id"] for m in again["moved"]] == ["unit:U003"]
    assert again["moved"][0]["from"] == [a["team_id"]] and again["moved"][0]["to"] != [a["team_id"]]


@pytest.mark.skipif(not COUNTY.exists(), reason="examples/county not present")
def test_county_example_conflicts_and_plan(tmp_path):
    w = tmp_path / "ws"
    run("load", COUNTY, "-w", w, "-q")
    rows = json.loads(run("conflicts", "--round", "R2023-1", "-w", w, "--format", "json", code=1).stdout)
    kin = [c for c in rows if c["ground"] == "kinship"]
    assert [(c["inspector_id"], c["unit_id"]) for c in kin] == [("cadre:C007", "unit:0403")]
    rows = json.loads(run("conflicts", "--round", "R2021-1", "-w", w, "--format", "json", code=1).stdout)
    assert ("employment", "cadre:C008", "unit:0101") in {(c["ground"], c["inspector_id"], c["unit_id"])
                                                         for c in rows}
    # the borderline case: a brother who *was* 镇长 until 2019.02 is no conflict in 2022
    rows = json.loads(run("conflicts", "--round", "R2022-1", "-w", w, "--format", "json", code=1).stdout)
    assert not [c for c in rows if c["ground"] == "kinship"]
    doc = json.loads(run("plan", "--round", "R2021-1", "-w", w, "--format", "json").stdout)
    assert doc["status"] == "optimal" and doc["stats"]["recheck_hard_conflicts"] == 0
