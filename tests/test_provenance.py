"""Provenance: every node and edge cites the ledger rows it came from
(``prov``: "dataset/file[:sheet]#row"); ``show`` prints it; exports carry it
only with --provenance; a later load reports what changed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from tests.conftest import BASE, Ledgers, write_base
from xuncha.cli import main
from xuncha.graph.build import build_graph
from xuncha.loaders import load_dataset

MINI = Path(__file__).resolve().parent / "data" / "mini"


def run(*args, code=0):
    r = CliRunner().invoke(main, [str(a) for a in args])
    assert r.exit_code == code, r.output
    return r


def test_every_node_and_edge_from_a_ledger_cites_its_row(tmp_path):
    d = tmp_path / "东湖区2019"
    shutil.copytree(MINI, d)
    ds = load_dataset(d)
    g = build_graph(ds.records, provenance=ds.provenance())
    for n, a in g.nodes(data=True):
        if a["kind"] == "category":
            assert "prov" not in a  # built in, from no ledger
        else:
            assert len(a["prov"]) == 1 and a["prov"][0].startswith("东湖区2019/"), n
    for u, v, a in g.edges(data=True):
        if a["kind"] != "SUBCATEGORY_OF":
            assert len(a["prov"]) == 1, (u, v, a)
    # The header is line 1, so the first data row is #2; the third issue is #4.
    assert g.nodes["issue:I3"]["prov"] == ["东湖区2019/issues.csv#4"]
    # An edge cites the row that states it, not its endpoints' rows.
    (held,) = [a for _, v, a in g.edges("cadre:C002", data=True) if a["kind"] == "HELD_POSITION"]
    assert held["prov"] == ["东湖区2019/positions.csv#4"]
    (found_in,) = [a for _, _, a in g.edges("issue:I3", data=True) if a["kind"] == "FOUND_IN"]
    assert found_in["prov"] == ["东湖区2019/issues.csv#4"]
    # Lists are not shared between attributes: editing one leaves the others.
    found_in["prov"].append("x")
    assert g.nodes["issue:I3"]["prov"] == ["东湖区2019/issues.csv#4"]


def test_sheet_and_json_lines_rows(tmp_path):
    lg = Ledgers(tmp_path / "ds")
    write_base(lg, units=None, issues=None)
    h, rows = BASE["units"]
    lg.xlsx("台账.xlsx", {"单位": (h, rows)}, title="东湖区单位台账", blank_rows=1)
    h, rows = BASE["issues"]
    lg.jsonl("issues", [dict(zip(h, r)) for r in rows])
    ds = load_dataset(lg.dir)
    assert ds.errors == []
    g = build_graph(ds.records, provenance=ds.provenance())
    # Title on row 1, blank row 2, header row 3: the first unit is on row 4.
    assert g.nodes["unit:U1"]["prov"] == ["ds/台账.xlsx:单位#4"]
    assert g.nodes["issue:I2"]["prov"] == ["ds/issues.jsonl#2"]


def test_show_prints_the_source_and_exports_keep_it_only_on_request(tmp_path):
    ws = tmp_path / "ws"
    run("load", MINI, "-w", ws, "-q")
    r = CliRunner().invoke(main, ["show", "issue:I2", "--format", "table", "-w", str(ws)],
                           env={"COLUMNS": "80"})
    assert r.exit_code == 0 and "来源 source: mini/issues.csv#3" in r.stdout
    view = json.loads(run("show", "issue:I2", "-w", ws).stdout)
    assert view["prov"] == ["mini/issues.csv#3"]
    plain = json.loads(run("export", "json", "-w", ws, "-q").stdout)
    assert not any("prov" in n for n in plain["nodes"])
    assert not any("prov" in e for e in plain["edges"])
    kept = json.loads(run("export", "json", "--provenance", "-w", ws, "-q").stdout)
    nodes = {n["id"]: n for n in kept["nodes"]}
    assert nodes["issue:I2"]["prov"] == ["mini/issues.csv#3"]
    assert all("prov" in e for e in kept["edges"] if e["kind"] != "SUBCATEGORY_OF")


def test_a_later_load_reports_what_changed(tmp_path):
    d = tmp_path / "mini"
    shutil.copytree(MINI, d)
    ws = tmp_path / "ws"
    r = run("load", d, "-w", ws, "--format", "json", "-q")
    assert json.loads(r.stdout) == {"previous": False, "changes": None}
    # Correct the ledgers: drop a relation, change an amount, add an issue;
    # insert a blank line at the top of the data (every row moves: not a change).
    rel = d / "relations.csv"
    rel.write_text(rel.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    iss = d / "issues.csv"
    lines = iss.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace("25969元", "26000元")
    lines.insert(1, "")
    lines.append("I4,R2,U003,T2,民生,扶贫,扶贫资金滞留,,,走访,2021-03-10,否")
    iss.write_text("\n".join(lines) + "\n", encoding="utf-8")
    r = run("load", d, "-w", ws, "--format", "json", "-q")
    ch = json.loads(r.stdout)["changes"]
    assert ch["counts"] == {"nodes": {"added": 1, "removed": 0, "modified": 1},
                            "edges": {"added": 4, "removed": 1, "modified": 0}}
    assert ch["nodes"]["added"] == {"issue": {"count": 1, "ids": ["issue:I4"]}}
    assert ch["nodes"]["modified"] == {"issue": {"count": 1, "ids": ["issue:I1"]}}
    assert ch["edges"]["removed"]["RELATED_TO"]["ids"] == ["cadre:C004 -RELATED_TO-> cadre:C002"]
    assert {k: v["ids"] for k, v in ch["edges"]["added"].items()} == {
        "DURING": ["issue:I4 -DURING-> round:R2"], "FOUND_BY": ["issue:I4 -FOUND_BY-> team:T2"],
        "FOUND_IN": ["issue:I4 -FOUND_IN-> unit:U003"],
        "IN_CATEGORY": ["issue:I4 -IN_CATEGORY-> category:poverty_relief"]}
    # The summary on stderr names kinds and the first ids.
    r = run("load", d, "-w", ws)
    assert "no changes since the previous workspace" in r.output
