"""The analyst commands end to end: load the hand-built world, then ask."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from xuncha.cli import COMMANDS, main

from .test_queries_common import write_world

ANALYSIS = ("related", "path", "patterns", "timeline", "asof")


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli")
    data = write_world(root / "data")
    out = CliRunner().invoke(main, ["load", str(data), "-w", str(root / "ws"), "-q"])
    assert out.exit_code == 0, out.output
    return str(root / "ws")


def run(ws, *args):
    res = CliRunner().invoke(main, [*args, "-w", ws])
    return res


def test_commands_are_registered_with_help():
    for name in ANALYSIS:
        assert name in COMMANDS
        res = CliRunner().invoke(main, [name, "--help"])
        assert res.exit_code == 0 and len(res.output) > 200


def test_related_json_rows(ws):
    res = run(ws, "related", "I1", "--format", "json")
    assert res.exit_code == 0, res.output
    rows = json.loads(res.output)
    # I2 and L2 name I1's sibling, equally strong: the later one (L2) first
    assert [x["id"] for x in rows[:2]] == ["lead:L2", "issue:I2"]
    assert {"id", "kind", "score", "tier", "reasons"} <= set(rows[1])
    r = rows[1]["reasons"][0]
    assert r["signal"] == "kin" and r["tier"] == "strong" and r["code"] == "related.tie"
    assert "sibling" in r["text"] or "兄弟姐妹" in r["text"]  # per --lang / the locale
    assert r["path"] == ["issue:I1", "cadre:C3", "cadre:C4", "issue:I2"]
    assert [h["kind"] for h in r["hops"]] == ["IMPLICATES", "RELATED_TO", "IMPLICATES"]


def test_related_empty_answer_exits_zero_with_a_note(ws):
    res = run(ws, "related", "I12", "--format", "json")
    assert res.exit_code == 0 and json.loads(res.stdout) == []
    assert "no related issues" in res.stderr and "--weak" in res.stderr
    res = run(ws, "related", "I12", "--format", "json", "--lang", "zh")
    assert "未找到证据充分的关联案件" in res.stderr and "--weak" in res.stderr
    res = run(ws, "related", "I12", "--format", "json", "--weak")
    assert {r["tier"] for r in json.loads(res.stdout)} == {"weak"}


def test_related_policy_options_change_the_answer(ws):
    # C1 headed U2 for 14 months before R2's arrival: a 15-month newcomer rule drops him.
    ids = {r["id"] for r in json.loads(run(ws, "related", "I1", "--format", "json",
                                            "--weak").stdout)}
    assert "issue:I11" in ids
    res = run(ws, "related", "I1", "--format", "json", "--weak", "--newcomer-months", "15")
    assert "issue:I11" not in {r["id"] for r in json.loads(res.stdout)}


def test_related_table_and_csv(ws):
    res = run(ws, "related", "cadre:C1", "--format", "table", "-k", "2")
    assert res.exit_code == 0 and "principal" in res.output
    res = run(ws, "related", "I3", "--format", "csv")
    lines = res.output.splitlines()
    assert lines[0] == "\ufeffid,kind,tier,score,evidence,unit,date,label,signals,reasons"
    import csv
    import io

    first = next(csv.DictReader(io.StringIO(res.output.lstrip("\ufeff"))))
    assert (first["id"], first["kind"], first["signals"]) == (
        "lead:L1", "lead", "linked;same_cadre")
    assert 0.9 < float(first["score"]) < 1 and "赵强 (cadre:C5)" in first["reasons"]


def test_related_unknown_ref_is_clean(ws):
    res = run(ws, "related", "issue:I999")
    assert res.exit_code != 0 and "未找到" in res.output and "Traceback" not in res.output


def test_path_two_and_many(ws):
    res = run(ws, "path", "I1", "I2", "--format", "json")
    assert json.loads(res.output)[0]["nodes"] == ["issue:I1", "cadre:C3", "cadre:C4", "issue:I2"]
    res = run(ws, "path", "I12", "I4", "--max-hops", "2", "--format", "json")
    assert json.loads(res.stdout) == [] and "--through-hubs" in res.stderr
    res = run(ws, "path", "I12", "I4", "--max-hops", "2", "--through-hubs", "--format", "json")
    assert len(json.loads(res.output)) == 2
    res = run(ws, "path", "C3", "C5", "C1", "--format", "json")
    net = json.loads(res.output)
    assert {n["id"] for n in net["nodes"] if n["terminal"]} == {"cadre:C3", "cadre:C5", "cadre:C1"}
    res = run(ws, "path", "C3")
    assert res.exit_code != 0


def test_patterns_commands(ws):
    res = run(ws, "patterns", "common", "--round", "R1", "--min-units", "4", "--format", "json")
    rows = json.loads(res.output)
    assert [r["category"] for r in rows] == ["category:financial_management"]
    assert (rows[0]["lift"], rows[0]["base_with"], rows[0]["base_inspections"]) == (2.0, 4, 12)
    res = run(ws, "patterns", "common", "--region", "东湖区", "--min-units", "2", "--format", "json")
    assert json.loads(res.output)[0]["unit_ids"] == ["unit:U1", "unit:U3"]
    res = run(ws, "patterns", "recurring", "--format", "json")
    assert json.loads(res.output)[0]["again_issue"] == "issue:I14"
    res = run(ws, "patterns", "trails", "--format", "json")
    assert [t["cadre"] for t in json.loads(res.output)] == ["cadre:C1", "cadre:C10"]
    # a 15-month newcomer rule: C1 had headed U2 for 14 months when R2 arrived,
    # so U1 is his only stop; C10 had headed U6 for 21.
    res = run(ws, "patterns", "trails", "--format", "json", "--newcomer-months", "15")
    assert [t["cadre"] for t in json.loads(res.output)] == ["cadre:C10"]
    # a 20-month overlap rule: C1 headed U1 for 10 months of R2's period and U2
    # for 14; C10 headed U4 for 36 months of R1's and U6 for 21 of R2's.
    res = run(ws, "patterns", "trails", "--format", "json", "--min-overlap-months", "20")
    assert [t["cadre"] for t in json.loads(res.output)] == ["cadre:C10"]
    res = run(ws, "patterns", "clusters", "--format", "csv")
    assert res.output.splitlines()[0].startswith("\ufeffcluster,units,items")
    res = run(ws, "patterns", "trails", "--since", "2021年4月1日", "--format", "json")
    assert json.loads(res.output) == []
    res = run(ws, "patterns", "common", "--sector", "经纪")
    assert res.exit_code != 0 and "经济" in res.output


def test_timeline_and_asof(ws):
    res = run(ws, "timeline", "C1", "--format", "json")
    ev = json.loads(res.output)
    assert ev[0]["event"] == "post_start" and ev[-1]["id"] == "issue:I11"
    res = run(ws, "asof", "U4", "2017年6月1日", "--format", "json")
    assert [r["cadre"] for r in json.loads(res.output)] == ["cadre:C10", "cadre:C2"]
    res = run(ws, "asof", "U4", "not-a-date")
    assert res.exit_code != 0 and "Traceback" not in res.output
