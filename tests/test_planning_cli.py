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
    assert "sibling" in k["text"] or "兄弟姐妹" in k["text"]  # per --lang / the locale
    assert k["code"] == "conflict.sentence"


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
    r = run("plan", "--round", "R1", "-w", ws, "--format", "json", code=3)
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


# -- planner settings (issue 13 item 8) -------------------------------------------------

@pytest.fixture(scope="module")
def county_ws(tmp_path_factory):
    if not COUNTY.exists():
        pytest.skip("examples/county not present")
    w = tmp_path_factory.mktemp("county")
    run("load", COUNTY, "-w", w, "-q")
    return w


def test_plan_help_examples_run_on_the_county_example(county_ws, tmp_path, monkeypatch):
    """Every `xuncha plan …` line of `plan --help` runs as written on examples/county."""
    import shlex

    monkeypatch.chdir(tmp_path)
    lines = [ln.strip().split("  #")[0] for ln in run("plan", "--help").output.splitlines()
             if ln.strip().startswith("xuncha plan ")]
    assert len(lines) >= 4, lines
    for ln in lines:
        args = shlex.split(ln)[1:] + ["-w", str(county_ws)]
        if "-o" not in args and "--why" not in args:
            args += ["--format", "json"]
        r = run(*args)
        if "--why" in args:
            assert json.loads(r.stdout)["verdict"]
        elif "-o" not in args:
            doc = json.loads(r.stdout)
            assert doc["status"] == "optimal" and doc["assignments"], ln
            if "--round-start" in args:  # a future round, planned without writing it anywhere
                assert doc["round_id"] == "R2025-1" and doc["as_of"] == "2025-03-01"
            if "--keep" in args:
                assert [m["unit_id"] for m in doc["moved"]] == ["unit:0101"]
    assert (tmp_path / "plan.json").exists()


def test_future_round_needs_a_start(county_ws):
    r = run("plan", "--round", "R2030-1", "--region", "381022", "-w", county_ws, code=2)
    assert "--round-start" in r.output and "R2030-1" in r.output
    r = run("plan", "--round", "R2021-1", "--round-start", "2021-03-15", "-w", county_ws, code=2)
    assert "already in the ledgers" in r.output


def test_min_load_above_capacity_is_an_error(county_ws):
    r = run("plan", "--round", "R2021-1", "--min-load", "4", "-w", county_ws, code=2)
    assert "T1" in r.output and "capacity" in r.output and " 3 " in r.output and "4" in r.output
    assert "Traceback" not in r.output
    r = run("plan", "--round", "R2021-1", "--load", "T1=3:2", "-w", county_ws, code=2)
    assert "above the maximum" in r.output
    r = run("plan", "--round", "R2021-1", "--load", "T1=x", "-w", county_ws, code=2)
    assert "TEAM=MIN:MAX" in r.output


def loads_of(doc):
    out: dict = {}
    for a in doc["assignments"]:
        out[a["team_id"]] = out.get(a["team_id"], 0) + 1
    return out


@pytest.mark.parametrize("fmt", ["csv", "yaml"])
def test_teams_file_loads_and_units_file_demand(county_ws, tmp_path, fmt):
    if fmt == "csv":
        teams = tmp_path / "teams.csv"
        teams.write_text("巡察组编号,最少承担单位数,最多承担单位数\nT1,2,2\nT2,0,1\nT3,1,3\nT4,,2\n", encoding="utf-8")
        units = tmp_path / "units.csv"
        units.write_text("单位编码,需派组数\n0101,2\n0102,\n0105,\n0301,\n0302,\n", encoding="utf-8")
    else:
        teams = tmp_path / "teams.yaml"
        teams.write_text("T1: {min_load: 2, max_load: 2}\nT2: {min_load: 0, max_load: 1}\n"
                         "T3: {min_load: 1, max_load: 3}\nT4: {max_load: 2}\n", encoding="utf-8")
        units = tmp_path / "units.yaml"
        units.write_text("- {unit_id: '0101', demand: 2}\n- {unit_id: '0102'}\n- {unit_id: '0105'}\n"
                         "- {unit_id: '0301'}\n- {unit_id: '0302'}\n", encoding="utf-8")
    doc = json.loads(run("plan", "--teams", teams, "--units", units, "--round", "R2021-1",
                         "-w", county_ws, "--format", "json").stdout)
    assert doc["status"] == "optimal", doc.get("relaxations")
    by_unit: dict = {}
    for a in doc["assignments"]:
        by_unit.setdefault(a["unit_id"], []).append(a["team_id"])
    assert sorted(len(v) for v in by_unit.values()) == [1, 1, 1, 1, 2]
    assert len(set(by_unit["unit:0101"])) == 2  # joint inspection: two distinct teams
    load = loads_of(doc)
    assert load.get("team:T1") == 2 and load.get("team:T2", 0) <= 1
    assert 1 <= load.get("team:T3", 0) <= 3 and load.get("team:T4", 0) <= 2
    assert doc["stats"]["recheck_hard_conflicts"] == 0
    # --load overrides the file
    doc = json.loads(run("plan", "--teams", teams, "--units", units, "--round", "R2021-1",
                         "--load", "T1=0:1", "-w", county_ws, "--format", "json").stdout)
    assert loads_of(doc).get("team:T1", 0) <= 1


def test_bad_loads_in_a_teams_file_name_the_cell(county_ws, tmp_path):
    teams = tmp_path / "teams.csv"
    teams.write_text("team_id,min_load,max_load\nT1,1,2\nT2,two,3\n", encoding="utf-8")
    r = run("plan", "--teams", teams, "--round", "R2021-1", "-w", county_ws, code=1)
    assert "row 3" in r.output and "min_load" in r.output and "'two'" in r.output


def test_short_teams_in_every_format_and_the_real_fix_first(county_ws, tmp_path):
    """Only minimum loads make this plan impossible (8 units, 4 teams of minimum
    3): the short teams show in table, CSV and JSON, and the first (proven)
    change is to lower those minimums; no rule that blocks nothing is offered."""
    args = ("plan", "--round", "R2021-1", "--min-load", "3", "-w", county_ws)
    doc = json.loads(run(*args, "--format", "json", code=3).stdout)
    assert doc["status"] == "infeasible" and not doc["unassigned"]
    short = {t["team_id"]: t for t in doc["short_teams"]}
    assert short and all(t["load"] < 3 and t["min_load"] == 3 for t in short.values())
    rel = doc["relaxations"]
    assert rel and rel[0]["rule"] == "min_load" and all(r["sufficient"] for r in rel)
    assert not [r for r in rel if "+" in r["rule"]]
    for lang, says in (("zh", "未达最少承担单位数"), ("en", "minimum load")):
        csv_text = run(*args, "--format", "csv", "--lang", lang, code=3).stdout
        for t in short:
            assert any(line.startswith(t) and says in line for line in csv_text.splitlines())
        table = run(*args, "--format", "table", "--lang", lang, code=3).stdout
        assert says in table and all(t in table for t in short)
    # every change offered, applied, gives a full plan
    for r in rel:
        if r["rule"] == "min_load":
            loads = [f"--load={t.split(' ')[0]}={t.split('→')[1]}:" for t in r["change"].split("of ")[1].split(", ")]
            run(*args, *loads, "--format", "json")
        elif r["rule"] not in ("max_load",):
            run(*args, "--ground", f"{r['rule']}=off", "--format", "json")


def test_why_on_an_infeasible_plan_never_reports_a_negative_cost(county_ws):
    args = ("plan", "--round", "R2021-1", "--max-load", "1", "-w", county_ws)
    doc = json.loads(run(*args, "--format", "json", code=3).stdout)
    assert doc["unassigned"]
    rel = [r for r in doc["relaxations"] if r["rule"] == "max_load"]
    assert rel and rel[0]["sufficient"]
    verdicts = set()
    for t in ("T1", "T2", "T3", "T4"):
        for u in ("0101", "0102", "0301", "0401"):
            w = json.loads(run(*args, "--why", t, u, "--format", "json", "--lang", "zh").stdout)
            verdicts.add(w["verdict"])
            assert w["cost"] is None or w["cost"] >= 0, w
            if w["verdict"] not in ("assigned", "conflict") and w["team_units"]:
                # the team is at its capacity of 1: the answer says so and names its unit
                assert "已满负荷" in w["text"] and w["team_units"][0]["unit"] in w["text"], w["text"]
    assert {"assigned", "conflict"} < verdicts, verdicts
