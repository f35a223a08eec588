"""The saved workspace: round trip, determinism, atomic writes, safe opening."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import BASE, Ledgers, write_base
from xuncha.cli import main
from xuncha.graph.build import build_graph
from xuncha.graph.store import GraphStore
from xuncha.graph.workspace import (FORMAT_VERSION, GRAPH_FILE, WorkspaceError, atomic_write, open_workspace,
                                    save)
from xuncha.loaders import load_dataset

MINI = Path(__file__).parent / "data" / "mini"


def snapshot(g):
    """Everything a graph holds, with value types, in a comparable form."""
    def typed(d):
        return sorted((k, type(v).__name__, json.dumps(v, ensure_ascii=False)) for k, v in d.items())
    nodes = sorted((n, typed(d)) for n, d in g.nodes(data=True))
    edges = sorted((u, v, k, typed(d)) for u, v, k, d in g.edges(keys=True, data=True))
    return nodes, edges


def files(d: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(d.iterdir())}


@pytest.mark.parametrize("source", ["mini", "base"])
def test_save_then_open_gives_an_equal_graph(tmp_path, source):
    directory = MINI if source == "mini" else write_base(Ledgers(tmp_path / "base")).dir
    ds = load_dataset(directory)
    assert ds.errors == []
    g = build_graph(ds.records)
    save(GraphStore(g, {"source": "x"}), tmp_path / "ws")
    store = open_workspace(tmp_path / "ws")
    assert snapshot(store.graph) == snapshot(g)
    assert store.meta["source"] == "x" and store.meta["saved"]
    # Typed attributes survive: floats stay floats, bools bools, lists lists.
    if source == "base":
        i2 = store.node("issue:I2")
        assert i2["amount"] == 900000.0 and type(i2["amount"]) is float
        assert i2["amount_approx"] is True and i2["immediate"] is True
        assert store.node("team:T1")["capacity"] == 3
        assert store.node("unit:U2")["aliases"] == ["区医院", "人民医院"]
        (edge,) = [d for _, _, d in store.out_edges("cadre:C1", "HELD_POSITION")]
        assert edge == {"kind": "HELD_POSITION", "title": "局长", "is_principal": True,
                        "start": "2015-01-01", "end": "2019-12-31"}


def test_loading_twice_gives_the_same_graph_and_file(tmp_path):
    runner = CliRunner()
    docs = []
    for ws in ("ws1", "ws2"):
        r = runner.invoke(main, ["load", str(MINI), "-w", str(tmp_path / ws)])
        assert r.exit_code == 0, r.output
        doc = json.loads((tmp_path / ws / GRAPH_FILE).read_bytes())
        doc.pop("saved")
        docs.append(doc)
    assert docs[0] == docs[1]
    raw = [(tmp_path / ws / GRAPH_FILE).read_text() for ws in ("ws1", "ws2")]
    strip = [json.dumps({k: v for k, v in json.loads(t).items() if k != "saved"}) for t in raw]
    assert strip[0] == strip[1]
    assert snapshot(open_workspace(tmp_path / "ws1").graph) == \
        snapshot(open_workspace(tmp_path / "ws2").graph)


def test_failed_load_leaves_the_previous_workspace_byte_for_byte(tmp_path):
    runner = CliRunner()
    ws = tmp_path / "ws"
    good = write_base(Ledgers(tmp_path / "good")).dir
    assert runner.invoke(main, ["load", str(good), "-w", str(ws)]).exit_code == 0
    before = files(ws)
    bad = Ledgers(tmp_path / "bad")
    header, rows = BASE["regions"]
    bad.csv("regions", header, rows + [["330199", "", "外星", ""]])
    r = runner.invoke(main, ["load", str(bad.dir), "-w", str(ws)])
    assert r.exit_code == 1 and "Traceback" not in r.output
    assert "regions.csv, row 5" in r.stderr and "nothing was written" in r.stderr
    assert files(ws) == before


def test_lenient_load_keeps_good_rows_and_writes_rejected_rows(tmp_path):
    lg = Ledgers(tmp_path / "d")
    header, rows = BASE["regions"]
    lg.csv("regions", header, rows + [["330199", "坏区", "外星", ""]])
    lg.csv("teams", ["id", "name", "capacity"], [["T1", "一组", "3"]])
    (lg.dir / "units.xlsx").write_bytes(b"not a workbook")
    ws = tmp_path / "ws"
    r = CliRunner().invoke(main, ["load", str(lg.dir), "-w", str(ws), "--lenient"])
    assert r.exit_code == 0, r.output
    assert "units.xlsx" in r.stderr and "rows rejected" in r.stderr
    store = open_workspace(ws)
    assert store.has("region:330101") and not store.has("region:330199")
    assert store.has("team:T1")
    text = (ws / "rejected.csv").read_text(encoding="utf-8-sig")
    rej = list(csv.DictReader(io.StringIO(text)))
    by_file = {r["file"]: r for r in rej}
    assert by_file["regions.csv"]["row"] == "5" and by_file["regions.csv"]["column"] == "level"
    assert by_file["regions.csv"]["value"] == "外星" and by_file["regions.csv"]["reason"]
    assert json.loads(by_file["regions.csv"]["record"])["name"] == "坏区"
    assert "not a readable Excel workbook" in by_file["units.xlsx"]["reason"]
    # A later clean load removes the stale rejected.csv.
    (lg.dir / "units.xlsx").unlink()
    lg.csv("regions", header, rows)
    assert CliRunner().invoke(main, ["load", str(lg.dir), "-w", str(ws)]).exit_code == 0
    assert not (ws / "rejected.csv").exists()


def test_atomic_write_replaces_or_leaves_the_old_file(tmp_path):
    f = tmp_path / "graph.json"
    atomic_write(f, "old")
    atomic_write(f, b"new")
    assert f.read_bytes() == b"new"
    with pytest.raises(TypeError):
        atomic_write(f, object())  # the write itself raises, after the temp file exists
    assert f.read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.json"]
    # The directory is a file: nothing can be written, nothing is left behind.
    blocker = tmp_path / "blocker"
    blocker.write_text("x")
    with pytest.raises(OSError):
        atomic_write(blocker / "graph.json", b"data")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blocker", "graph.json"]


def test_save_failure_keeps_the_previous_workspace(tmp_path):
    ws = tmp_path / "ws"
    save(GraphStore(build_graph(load_dataset(MINI).records)), ws)
    before = files(ws)
    g = build_graph({})
    g.add_node("unit:X", kind="unit", id="X", bad=object())  # not JSON
    with pytest.raises(WorkspaceError, match="cannot save"):
        save(GraphStore(g), ws)
    assert files(ws) == before


def test_workspace_is_plain_json(tmp_path):
    save(GraphStore(build_graph(load_dataset(MINI).records)), tmp_path)
    data = (tmp_path / GRAPH_FILE).read_bytes()
    doc = json.loads(data)
    assert doc["format"] == "xuncha-workspace" and isinstance(doc["version"], int)
    assert not data.startswith(b"\x80")  # not a pickle


V = str(FORMAT_VERSION).encode()
HEAD = b'{"format": "xuncha-workspace", "version": ' + V


@pytest.mark.parametrize("content, message", [
    (b"", "unreadable"),
    (HEAD + b', "nodes": {', "unreadable"),
    (b"\x80\x04\x95\x05\x00\x00\x00\x00\x00\x00\x00]\x94.", "unreadable"),  # a pickle
    (b"[1, 2, 3]", "not a xuncha workspace"),
    (b"{\"format\": \"something-else\"}", "not a xuncha workspace"),
    (b"{\"format\": \"xuncha-workspace\", \"version\": 0, \"xuncha\": \"0.0.1\"}", "version 0"),
    (HEAD + b', "nodes": [["a", {}]], "adj": {}}', "damaged"),
    (HEAD + b', "nodes": {"unit:u": 5}, "adj": {}}', "damaged"),
    (HEAD + b', "nodes": {"unit:u": {}}, "adj": {"unit:x": {}}}', "damaged"),
    (HEAD + b', "nodes": {"unit:u": {}}, "adj": {"unit:u": {"unit:v": {"K": {}}}}}', "damaged"),
    (HEAD + b', "nodes": {"unit:u": {}}, "adj": {"unit:u": {"unit:u": {"K": 3}}}}', "damaged"),
    (HEAD + b"}", "damaged"),
])
def test_bad_workspace_files_give_a_clean_error(tmp_path, content, message):
    (tmp_path / GRAPH_FILE).write_bytes(content)
    with pytest.raises(WorkspaceError, match=message):
        open_workspace(tmp_path)
    r = CliRunner().invoke(main, ["stats", "-w", str(tmp_path)])
    assert r.exit_code == 1 and "Traceback" not in r.output and message in r.output


def test_missing_workspace(tmp_path, monkeypatch):
    with pytest.raises(WorkspaceError, match="xuncha load"):
        open_workspace(tmp_path / "none")
    monkeypatch.setenv("XUNCHA_WORKSPACE", str(tmp_path / "env"))
    r = CliRunner().invoke(main, ["load", str(MINI)])
    assert r.exit_code == 0
    assert (tmp_path / "env" / GRAPH_FILE).exists()
    assert open_workspace().graph.number_of_nodes() > 0
