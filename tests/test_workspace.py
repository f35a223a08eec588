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
from xuncha.graph.store import GraphStore, NotFound
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


def dump_db(path: Path) -> dict:
    """Every table of a workspace file, minus the save time."""
    import sqlite3

    con = sqlite3.connect(path)
    out = {}
    for (t,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"):
        out[t] = [r for r in con.execute(f"SELECT * FROM {t} ORDER BY rowid")
                  if not (t == "info" and r[0] == "saved")]
    con.close()
    return out


def test_loading_twice_gives_the_same_graph_and_file(tmp_path):
    runner = CliRunner()
    for ws in ("ws1", "ws2"):
        r = runner.invoke(main, ["load", str(MINI), "-w", str(tmp_path / ws)])
        assert r.exit_code == 0, r.output
    a, b = (dump_db(tmp_path / ws / GRAPH_FILE) for ws in ("ws1", "ws2"))
    assert a == b and a["node"] and a["adj"] and a["name"]
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


def test_workspace_is_sqlite_of_json_values_never_code(tmp_path):
    import sqlite3

    save(GraphStore(build_graph(load_dataset(MINI).records)), tmp_path)
    data = (tmp_path / GRAPH_FILE).read_bytes()
    assert data.startswith(b"SQLite format 3\x00") and not data.startswith(b"\x80")
    con = sqlite3.connect(tmp_path / GRAPH_FILE)
    info = {k: json.loads(v) for k, v in con.execute("SELECT key, value FROM info")}
    assert info["format"] == "xuncha-workspace" and info["version"] == FORMAT_VERSION
    # Every stored value is plain JSON; the file holds no views or triggers.
    for (attrs,) in con.execute("SELECT attrs FROM node"):
        assert isinstance(json.loads(attrs), dict)
    kinds = {t for (t,) in con.execute("SELECT type FROM sqlite_master")}
    assert kinds == {"table", "index"}


def _ws(tmp_path) -> tuple[Path, "nx.MultiDiGraph"]:
    directory = write_base(Ledgers(tmp_path / "base")).dir
    g = build_graph(load_dataset(directory).records)
    ws = tmp_path / "ws"
    save(GraphStore(g, {"source": str(directory)}), ws)
    return ws, g


def _sql(ws: Path, *statements):
    import sqlite3

    con = sqlite3.connect(ws / GRAPH_FILE)
    for st in statements:
        con.execute(*st) if isinstance(st, tuple) else con.execute(st)
    con.commit()
    con.close()


@pytest.mark.parametrize("content, message", [
    (b"", "not a xuncha workspace|unreadable"),
    (b"SQLite format 3\x00" + b"\x00" * 200, "unreadable"),
    (b"\x80\x04\x95\x05\x00\x00\x00\x00\x00\x00\x00]\x94.", "unreadable"),  # a pickle
    (b'{"format": "xuncha-workspace", "version": 4, "nodes": {}}', "unreadable"),
])
def test_bad_workspace_files_give_a_clean_error(tmp_path, content, message):
    (tmp_path / GRAPH_FILE).write_bytes(content)
    with pytest.raises(WorkspaceError, match=message):
        open_workspace(tmp_path)
    r = CliRunner().invoke(main, ["stats", "-w", str(tmp_path)])
    assert r.exit_code == 1 and "Traceback" not in r.output
    assert any(m in r.output for m in message.split("|"))


@pytest.mark.parametrize("change, message", [
    ("UPDATE info SET value = '\"other\"' WHERE key = 'format'", "not a xuncha workspace"),
    ("UPDATE info SET value = '0' WHERE key = 'version'", "version 0"),
    ("DROP TABLE info", "unreadable"),
])
def test_wrong_format_or_version_gives_a_clean_error(tmp_path, change, message):
    ws, _ = _ws(tmp_path)
    _sql(ws, change)
    r = CliRunner().invoke(main, ["show", "unit:U1", "-w", str(ws)])
    assert r.exit_code == 1 and "Traceback" not in r.output and message in r.output


@pytest.mark.parametrize("change", [
    ("UPDATE node SET attrs = '5' WHERE id = 'unit:U1'",),
    ("UPDATE node SET attrs = '{\"kind\": ' WHERE id = 'unit:U1'",),
    ("UPDATE adj SET succ = '{\"unit:nowhere\": {\"K\": {\"kind\": \"K\"}}}' "
     "WHERE seq = (SELECT seq FROM node WHERE id = 'unit:U1')",),
    ("UPDATE adj SET succ = '{\"unit:U2\": {\"K\": 3}}' "
     "WHERE seq = (SELECT seq FROM node WHERE id = 'unit:U1')",),
])
def test_damaged_rows_give_a_clean_error_when_read(tmp_path, change):
    ws, _ = _ws(tmp_path)
    _sql(ws, *change)
    # The whole-graph read (export) refuses the damaged row...
    r = CliRunner().invoke(main, ["export", "json", "-o", str(tmp_path / "g.json"),
                                  "-w", str(ws)])
    assert r.exit_code == 1 and "Traceback" not in r.output and "damaged" in r.output, r.output
    assert not (tmp_path / "g.json").exists()
    # ...and so does a per-node read that touches it (the edge to a missing node
    # is only visible to whole-graph reads).
    if "nowhere" not in change[0]:
        r = CliRunner().invoke(main, ["show", "unit:U1", "-w", str(ws)])
        assert r.exit_code == 1 and "Traceback" not in r.output and "damaged" in r.output, r.output


def test_previous_format_asks_for_a_reload_naming_the_ledgers(tmp_path):
    old = tmp_path / "ws"
    old.mkdir()
    (old / "graph.json").write_text(
        '{"format":"xuncha-workspace","version":3,"xuncha":"0.1.0","saved":"2026-01-01T00:00:00+00:00",'
        '"meta":{"source":"/data/县巡察台账","rows":10},"nodes":{},"adj":{}}', encoding="utf-8")
    r = CliRunner().invoke(main, ["related", "issue:I1", "-w", str(old)])
    assert r.exit_code == 1 and "Traceback" not in r.output
    assert "重新导入" in r.output and "xuncha load /data/县巡察台账 -w" in r.output
    # Loading again replaces the old file with the new format.
    assert CliRunner().invoke(main, ["load", str(MINI), "-w", str(old)]).exit_code == 0
    assert sorted(p.name for p in old.iterdir()) == [GRAPH_FILE]


def test_missing_workspace(tmp_path, monkeypatch):
    with pytest.raises(WorkspaceError, match="xuncha load"):
        open_workspace(tmp_path / "none")
    monkeypatch.setenv("XUNCHA_WORKSPACE", str(tmp_path / "env"))
    r = CliRunner().invoke(main, ["load", str(MINI)])
    assert r.exit_code == 0
    assert (tmp_path / "env" / GRAPH_FILE).exists()
    assert open_workspace().graph.number_of_nodes() > 0


# -- lazy access -----------------------------------------------------------------

def test_per_node_questions_read_only_what_they_touch(tmp_path):
    ws, g = _ws(tmp_path)
    mem = GraphStore(g)
    store = open_workspace(ws)
    lazy = store.graph
    assert store.resolve("unit:U2") == "unit:U2" and store.resolve("U2") == "unit:U2"
    for nid in ("unit:U2", "cadre:C1", "issue:I2", "round:R1"):
        assert store.node(nid) == mem.node(nid) and store.label(nid) == mem.label(nid)
        assert list(store.out_edges(nid)) == list(mem.out_edges(nid))
        assert sorted(store.sources(nid, "IMPLICATES")) == sorted(mem.sources(nid, "IMPLICATES"))
        assert sorted((u, d["kind"]) for u, _, d in store.in_edges(nid)) == \
            sorted((u, d["kind"]) for u, _, d in mem.in_edges(nid))
        assert sorted(lazy.predecessors(nid)) == sorted(g.predecessors(nid))
        assert lazy.out_degree(nid) == g.out_degree(nid)
    assert list(store.nodes("cadre")) == list(mem.nodes("cadre"))
    assert list(store.edges("HELD_POSITION")) == list(mem.edges("HELD_POSITION"))
    assert list(store.edges("NO_SUCH_KIND")) == []
    assert store.counts() == mem.counts()
    assert store.by_kind["unit"] == mem.by_kind["unit"] and store.by_kind.get("nope", ()) == ()
    assert len(lazy) == len(g) and lazy.number_of_edges() == g.number_of_edges()
    assert "unit:U2" in lazy and "unit:nope" not in lazy and not store.has("nope")
    # None of that loaded the whole graph or built a name index.
    assert not lazy.loaded and lazy._node.cached() < len(g)
    assert "_names" not in store.__dict__


def test_whole_graph_reads_load_once_and_equal_the_saved_graph(tmp_path):
    ws, g = _ws(tmp_path)
    store = open_workspace(ws)
    store.node("unit:U2")  # a cached attribute dict stays the same object
    before = store.node("unit:U2")
    assert list(store.graph) == list(g)  # load order kept
    assert snapshot(store.graph) == snapshot(g)
    assert store.graph.loaded and store.node("unit:U2") is before
    # In-edges of the loaded graph share the out-edges' key dicts, in the
    # order the per-node reads gave them.
    fresh = open_workspace(ws)
    for nid in g:
        assert list(fresh.in_edges(nid)) == list(store.in_edges(nid))
        u_v = [(u, v) for u, v, _ in store.in_edges(nid)]
        for u, v in u_v:
            assert store.graph._succ[u][v] is store.graph._pred[v][u]


def test_a_changed_opened_graph_behaves_as_networkx(tmp_path):
    ws, g = _ws(tmp_path)
    store = open_workspace(ws)
    n, e = store.graph.number_of_nodes(), store.graph.number_of_edges()
    store.graph.add_edge("unit:U1", "unit:NEW", key="X", kind="X")
    assert store.graph.number_of_nodes() == n + 1 and store.graph.number_of_edges() == e + 1
    assert store.counts()[1]["X"] == 1
    assert ("unit:U1", "unit:NEW", {"kind": "X"}) in list(store.out_edges("unit:U1"))
    assert [u for u, _, _ in store.in_edges("unit:NEW")] == ["unit:U1"]
    # Saving it gives a workspace with the edge; the original is untouched on disk.
    save(store, tmp_path / "ws2")
    assert open_workspace(tmp_path / "ws2").has("unit:NEW")
    assert not open_workspace(ws).has("unit:NEW")


def test_ids_resolve_before_names(tmp_path):
    lg = write_base(Ledgers(tmp_path / "base"))
    header, rows = BASE["cadres"]
    i_name = header.index("name")
    # A cadre named like another cadre's id, and a unit id equal to a cadre id.
    row = list(rows[0])
    row[0], row[i_name] = "C9", "C1"
    lg.csv("cadres", header, rows + [row])
    ws = tmp_path / "ws"
    assert CliRunner().invoke(main, ["load", str(lg.dir), "-w", str(ws)]).exit_code == 0
    store = open_workspace(ws)
    assert store.resolve("C1") == "cadre:C1"  # the id, not the namesake
    assert store.resolve("cadre:C9") == "cadre:C9"
    assert "_names" not in store.__dict__ and not store.graph.loaded
    # Names still resolve, through the saved index.
    name = store.node("unit:U2")["name"]
    assert store.resolve(name) == "unit:U2"
    assert store.resolve("区医院") == "unit:U2"  # an alias
    with pytest.raises(NotFound, match="did you mean") as exc:
        store.resolve("unit:U9")
    assert "unit:U1" in exc.value.candidates or "unit:U2" in exc.value.candidates
    # The in-memory store agrees.
    mem = GraphStore(build_graph(load_dataset(lg.dir).records))
    for ref in ("C1", "cadre:C9", name, "区医院"):
        assert mem.resolve(ref) == store.resolve(ref)


def test_derived_tables_are_saved_and_read_by_key(tmp_path):
    from xuncha.graph import derived

    calls = []

    def build(store):
        calls.append(store)
        out = {}
        for _, d in store.nodes("issue"):
            out.setdefault(d["unit_id"], []).append(d["id"])
        return out

    derived.register("test_issues_by_unit", version=1)(build)
    try:
        ws, g = _ws(tmp_path)
        assert len(calls) == 1  # computed at save time
        expected = build(GraphStore(g))
        store = open_workspace(ws)
        table = store.derived("test_issues_by_unit")
        assert len(calls) == 2  # (the expected value above) not recomputed on open
        assert table["U1"] == expected["U1"] and "U404" not in table
        assert dict(table.items()) == expected and sorted(table) == sorted(expected)
        assert table.get_many(["U1", "U404"]) == {"U1": expected["U1"]}
        assert not store.graph.loaded
        # A changed builder (new version) is recomputed, not answered from stale rows.
        derived.register("test_issues_by_unit", version=2)(lambda s: {"x": [1]})
        assert dict(open_workspace(ws).derived("test_issues_by_unit")) == {"x": [1]}
        # An in-memory store computes on first use and caches.
        mem = GraphStore(g)
        assert mem.derived("test_issues_by_unit") is mem.derived("test_issues_by_unit")
        with pytest.raises(KeyError, match="no derived table"):
            mem.derived("no_such_table")
    finally:
        derived.BUILDERS.pop("test_issues_by_unit", None)
        derived.VERSIONS.pop("test_issues_by_unit", None)


def test_large_dict_values_of_derived_tables_are_read_key_by_key(tmp_path):
    from xuncha.graph import derived
    from xuncha.graph.workspace import NEST_MIN

    big = {f"t{i:04d}": [i, f"doc{i}"] for i in range(NEST_MIN + 5)}
    derived.register("test_text", version=1)(lambda s: {"n": 7, "df": big, "small": {"a": 1}})
    try:
        ws, _ = _ws(tmp_path)
        t = open_workspace(ws).derived("test_text")
        assert t["n"] == 7 and t["small"] == {"a": 1}
        df = t["df"]
        assert df["t0003"] == [3, "doc3"] and df.get("nope") is None and "t0004" in df
        assert len(df) == len(big) and list(df) == sorted(big) and dict(df.items()) == big
        assert df.get_many(["t0001", "zz"]) == {"t0001": [1, "doc1"]}
        assert sorted(t) == ["df", "n", "small"] and len(t) == 3
        assert {k: (dict(v.items()) if k == "df" else v) for k, v in t.items()} == \
            {"n": 7, "df": big, "small": {"a": 1}}
    finally:
        derived.BUILDERS.pop("test_text", None)
        derived.VERSIONS.pop("test_text", None)


def test_every_edge_streams_without_loading_the_graph(tmp_path):
    ws, g = _ws(tmp_path)
    store = open_workspace(ws)
    assert list(store.edges()) == [(u, v, k, d) for u, v, k, d in g.edges(keys=True, data=True)]
    assert not store.graph.loaded


def test_edges_of_kinds_and_prefetch_read_only_the_rows_they_need(tmp_path):
    ws, g = _ws(tmp_path)
    mem = GraphStore(g)
    store = open_workspace(ws)
    kinds = {"HELD_POSITION", "IMPLICATES", "RELATED_TO", "DURING", "NO_SUCH_KIND"}
    got = store.edges_of(kinds)
    assert got == mem.edges_of(kinds)
    # the same edges, in the same order, as a scan of the whole graph (DURING
    # leaves from issues and leads, read one kind at a time and merged)
    assert store._edge_sources["DURING"] == ["issue", "lead"]
    for k in ("HELD_POSITION", "DURING"):
        assert got[k] == [(u, v, d) for u, v, _, d in mem.edges(k)]
    assert got["IMPLICATES"] and got["NO_SUCH_KIND"] == []
    assert not store.graph.loaded and store.graph._node.cached() == 0
    ids = ["cadre:C1", "issue:I2", "unit:U2"]
    store.prefetch(ids + ["unit:nope"])
    lazy = store.graph
    assert all(n in lazy._node._d and n in lazy._succ._d and n in lazy._pred._d for n in ids)
    assert "unit:nope" not in lazy._node._d and not store.has("unit:nope")
    for nid in ids:  # what was prefetched is what a per-node read gives
        assert store.node(nid) == mem.node(nid)
        assert list(store.out_edges(nid)) == list(mem.out_edges(nid))
        assert sorted(map(repr, store.in_edges(nid))) == sorted(map(repr, mem.in_edges(nid)))
    assert not lazy.loaded


def _county(tmp_path):
    """A generated county, with parallel edges whose order a reader could
    change: a second assignment of one team to one unit in the same round
    (no start of its own, a later end), and a second tie of a linking kind
    between two cadres (another note)."""
    from xuncha.queries.related import LINKING
    from xuncha.synth import generate

    out = tmp_path / "data"
    generate(out, scale="county", seed=3)
    g = build_graph(load_dataset(out).records)
    team, unit, d = next((u, v, d) for u, v, d in g.edges(data=True) if d["kind"] == "INSPECTED"
                         and d.get("end") and any(k == "FOUND_IN" for _, _, k in g.in_edges(v, data="kind")))
    g.add_edge(team, unit, "again", kind="INSPECTED", round_id=d["round_id"], end=d["end"][:4] + "-12-31")
    a, b, d = next((u, v, d) for u, v, d in g.edges(data=True)
                   if d["kind"] == "RELATED_TO" and d.get("relation_kind") in LINKING)
    g.add_edge(a, b, "again", **{**d, "note": "second"})
    save(GraphStore(g), tmp_path / "ws")
    return tmp_path / "ws", g


# (pattern, keyword arguments): the ways the scans read
SCANS = [("common", {}), ("recurring", {}), ("trails", {}), ("trails", {"role": "implicated"}),
         ("trails", {"role": "any", "min_units": 1}), ("clusters", {}), ("clusters", {"min_units": 1})]


def _windowed(g):
    from xuncha.queries.common import Window

    rounds = sorted(n for n, k in g.nodes(data="kind") if k == "round")
    return [("trails", {"window": Window(rounds=tuple(rounds[:3]))}),
            ("trails", {"window": Window(since="2020-01-01"), "role": "any"}),
            ("clusters", {"window": Window(until="2021-12-31")})]


def test_pattern_scans_on_a_saved_workspace_equal_the_in_memory_ones(tmp_path):
    from xuncha.queries import patterns

    ws, g = _county(tmp_path)
    for name, kw in SCANS + _windowed(g):
        lazy = open_workspace(ws)
        want = [x.as_dict() for x in patterns.scan(GraphStore(g), name, **kw)]
        assert want, name  # a county has every pattern
        assert [x.as_dict() for x in patterns.scan(lazy, name, **kw)] == want, (name, kw)
        # Every scan reads in bulk only what it uses: never the whole graph,
        # no node's edges one by one, and node by node only the names shown.
        graph = lazy.graph
        assert not graph.loaded and graph._succ.cached() == 0 and graph._pred.cached() == 0, name
        shown = sum(1 + len(x["stops"]) for x in want) if name == "trails" else \
            sum(2 * len(x["links"]) for x in want) if name == "clusters" else \
            len(want) if name == "recurring" else 0  # recurring: each row's unit
        assert graph._node.cached() <= shown, name


def test_bulk_reads_answer_as_reading_node_by_node(tmp_path, monkeypatch):
    """trails and clusters over a bulk read (of a saved workspace, of a graph
    in memory, with the query index built by the same read or before) give
    what they give reading node by node through ``view(store)``."""
    from xuncha.queries import patterns
    from xuncha.queries.common import index
    from xuncha.queries.view import view

    ws, g = _county(tmp_path)
    cases = [(n, kw) for n, kw in SCANS + _windowed(g) if n in ("trails", "clusters")]
    with monkeypatch.context() as m:
        m.setattr(patterns, "indexed_bulk_view", lambda store, *a, **k: (index(store), view(store)))
        want = [[x.as_dict() for x in patterns.scan(open_workspace(ws), n, **kw)] for n, kw in cases]
    assert all(want)
    before = open_workspace(ws)  # the index built before, by another scan
    patterns.scan(before, "common")
    mem = GraphStore(g)
    for (name, kw), w in zip(cases, want):
        for store in (open_workspace(ws), before, mem):
            assert [x.as_dict() for x in patterns.scan(store, name, **kw)] == w, (name, kw)


def test_a_bulk_store_answers_as_the_store(tmp_path):
    from xuncha.graph.bulk import BulkStore
    from xuncha.queries.common import INDEX_EDGES, INDEX_FIELDS
    from xuncha.queries.view import view_reads

    ws, g = _county(tmp_path)
    mem = GraphStore(g)
    nodes, edges = view_reads(("issue", "lead"), {"lead": ("case_filed",)}, ("RELATED_TO",))
    for store in (open_workspace(ws), mem):
        bulk = BulkStore(store, {**INDEX_FIELDS, **nodes}, edges | INDEX_EDGES)
        assert bulk.edges_of(INDEX_EDGES) == mem.edges_of(INDEX_EDGES)
        bulk.keep(nodes, edges)
        assert bulk.edges_of({"RELATED_TO"}) == mem.edges_of({"RELATED_TO"})
        for kind, fields in nodes.items():
            for nid in mem.by_kind[kind]:
                want = {f: mem.node(nid)[f] for f in fields if mem.node(nid).get(f) is not None}
                assert {f: bulk.node(nid).get(f) for f in want} == want
                assert bulk.has(nid) and bulk.label(nid) == mem.label(nid)
        assert "HELD_POSITION" not in bulk._found and "unit" not in bulk._by_kind
        for nid in g:
            for k in edges:  # every node's edges of the kinds read, in the store's order
                assert list(bulk.out_edges(nid, k)) == list(mem.out_edges(nid, k)), (nid, k)
                # in-edges: grouped by source in the sources' order; one source's in its order
                assert sorted(bulk.in_edges(nid, k), key=lambda e: e[0]) == \
                    sorted(mem.in_edges(nid, k), key=lambda e: e[0]), (nid, k)
            # other kinds: the store's own answer
            assert list(bulk.out_edges(nid, "HELD_POSITION")) == list(mem.out_edges(nid, "HELD_POSITION"))


def _awkward_graph():
    """Edges and nodes the fast writer must not take shortcuts on: parallel
    edges, self-loops, keys that are not the kind, provenance differing from
    the source node's, empty attributes, nodes without a kind or edges, names
    equal to the raw id, numeric raw ids, aliases and source records."""
    import networkx as nx

    g = nx.MultiDiGraph()
    g.add_node("unit:U1", kind="unit", id="U1", name="财政局", prov=["d/units.csv#2"])
    g.add_node("unit:U2", kind="unit", id="U2", name="U2", aliases=["区医院", "人民医院"],
               prov=["d/units.csv#3"])
    g.add_node("cadre:C1", kind="cadre", id="C1", name="张三", prov=["d/cadres.csv#2"],
               sources=["甲县/C1", "乙县/C9"], source_names=["张三", "张叁"], source_id="甲县/C1")
    g.add_node("cadre:C2", kind="cadre", id=7, name="", prov=["d/cadres.csv#3"])
    g.add_node("issue:I1", kind="issue", id="I1", name="I1", prov=["d/issues.csv#2"])
    g.add_node('odd:"quoted"\\/键', kind="odd", id='"quoted"\\/键', name=3)
    g.add_node("loner")  # no attributes at all, no edges
    g.add_node("region:1", kind="region", id="1", name="某区")
    g.add_edge("cadre:C1", "unit:U1", key="HELD_POSITION", kind="HELD_POSITION", start="2015-01-01",
               prov=["d/positions.csv#2"])
    g.add_edge("cadre:C1", "unit:U1", key="HELD_POSITION#2", kind="HELD_POSITION", start="2019-01-01",
               prov=["d/positions.csv#9"])  # parallel, same kind
    g.add_edge("cadre:C1", "unit:U1", key="MEMBER_OF", kind="ADVISES")  # key is not the kind
    g.add_edge("unit:U1", "unit:U1", key="SUBORDINATE_TO", kind="SUBORDINATE_TO",
               prov=["d/units.csv#2"])  # self-loop
    g.add_edge("unit:U2", "unit:U2", key="X", kind="X")
    g.add_edge("unit:U2", "unit:U2", key="Y", kind="Y")
    g.add_edge("issue:I1", "unit:U2", key="FOUND_IN", kind="FOUND_IN", prov=["d/issues.csv#2"])
    g.add_edge("issue:I1", "cadre:C1", key="IMPLICATES", kind="IMPLICATES", prov=["other/x.csv#7"])
    g.add_edge("issue:I1", "cadre:C2", key="IMPLICATES", kind="IMPLICATES",
               prov=["d/issues.csv#2", "d/extra.csv#4"])
    g.add_edge("issue:I1", "cadre:C2", key="E", kind="E")  # an edge with only its kind
    g.add_edge("cadre:C2", 'odd:"quoted"\\/键', key="K")  # no attributes at all
    g.add_edge('odd:"quoted"\\/键', "issue:I1", key="K", kind=None, w=1.5, ok=True, tags=["a", "b"])
    g.add_edge("unit:U1", "region:1", key="LOCATED_IN", kind="LOCATED_IN", prov=["d/units.csv#2"])
    g.add_edge("unit:U2", "region:1", key="LOCATED_IN", kind="LOCATED_IN", prov=["d/units.csv#3"])
    g.add_edge("cadre:C2", "region:1", key="NATIVE_OF", kind="NATIVE_OF", prov=["d/cadres.csv#3"])
    # ids stored escaped in JSON (a control character, a backslash)
    g.add_node("odd:两行\n换行\t", kind="odd", id="两行\n换行\t")
    g.add_edge("issue:I1", "odd:两行\n换行\t", key="K", kind="K")
    g.add_edge("unit:U1", "odd:两行\n换行\t", key="K", kind="K", prov=["d/units.csv#2"])
    g.add_node("odd:a\\b", kind="odd", id="a\\b")
    g.add_edge("region:1", "odd:a\\b", key="K", kind="K")
    return g


def _save_graph_only(g, ws: Path) -> None:
    """Save ``g`` without derived tables (their builders expect every edge
    to have a kind; the graph layer must not)."""
    from xuncha.graph.workspace import _write_db

    ws.mkdir()
    _write_db(ws / GRAPH_FILE, g, {}, {})


def test_awkward_graph_round_trips_through_every_read(tmp_path):
    from xuncha.graph.store import name_keys

    g = _awkward_graph()
    _save_graph_only(g, tmp_path / "ws")
    mem = GraphStore(g)

    def fresh():
        return open_workspace(tmp_path / "ws")

    # In-edges in the order the out-edges list them (as a loaded graph
    # rebuilds them), not in the order they were added.
    pred: dict = {n: {} for n in g}
    for u in g:
        for v, keyed in g._succ[u].items():
            pred[v][u] = keyed
    assert list(pred["unit:U1"]) == ["unit:U1", "cadre:C1"] != list(g._pred["unit:U1"])
    # Per-node reads from a cold store: out- and in-edges, with their order.
    for n in g:
        s = fresh()
        assert s.node(n) == g.nodes[n]
        assert list(s.graph._pred[n].items()) == list(pred[n].items())
        assert list(s.graph._succ[n].items()) == list(g._succ[n].items())
        assert sorted(s.in_edges(n), key=repr) == sorted(mem.in_edges(n), key=repr)
        assert list(s.out_edges(n)) == list(mem.out_edges(n))
    s = fresh()
    s.prefetch(list(g))
    assert [list(s.graph._pred[n].items()) for n in g] == [list(pred[n].items()) for n in g]
    # Counts, edge sources, names.
    s = fresh()
    assert s.counts() == mem.counts()
    assert s._edge_sources == {"HELD_POSITION": ["cadre"], "ADVISES": ["cadre"], "SUBORDINATE_TO": ["unit"],
                               "X": ["unit"], "Y": ["unit"], "FOUND_IN": ["issue"], "IMPLICATES": ["issue"],
                               "E": ["issue"], None: ["cadre", "odd"], "LOCATED_IN": ["unit"],
                               "NATIVE_OF": ["cadre"], "K": ["issue", "region", "unit"]}
    for n, attrs in g.nodes(data=True):
        for key in name_keys(attrs):
            assert s._name_hits(key) == mem._name_hits(key), key
    assert s._name_hits("7") == ["cadre:C2"] and s._name_hits("") == []
    assert s._name_hits("U2") == ["unit:U2"] and s._name_hits("张叁") == ["cadre:C1"]
    assert s._name_hits("I1") == ["issue:I1"]
    # The name table holds each node's name keys but the raw ids the id finds.
    rows = s._src.q("SELECT name, seq FROM name").fetchall()
    assert len(rows) == len(set(rows))
    for seq, (n, a) in enumerate(g.nodes(data=True), 1):
        mine = {k for k, i in rows if i == seq}
        assert mine <= set(name_keys(a))
        assert set(name_keys(a)) - mine <= {n.partition(":")[2]}, n
    assert ("U1", 1) not in rows and ("I1", 5) not in rows and ("7", 4) in rows
    # Whole-graph read.
    assert snapshot(fresh().graph) == snapshot(g)
    assert list(fresh().edges()) == list(mem.edges())


def test_path_index_holds_every_neighbour_and_edge_kind(tmp_path):
    """The saved compact adjacency against the graph itself: each node's
    neighbours either way (self-loops left out) and the kinds joining them."""
    g = _awkward_graph()
    _save_graph_only(g, tmp_path / "ws")
    h = open_workspace(tmp_path / "ws").hop_index()
    ids = sorted(g)
    for n in g:
        r = h.rank(n)
        assert ids[r] == n and h.node_kinds[h.node_kind[r]] == g.nodes[n].get("kind")
        want: dict = {}
        for u, v, d in list(g.out_edges(n, data=True)) + list(g.in_edges(n, data=True)):
            other = v if u == n else u
            if other != n:
                want.setdefault(other, set()).add(d.get("kind"))
        lo, hi = h.offsets[r], h.offsets[r + 1]
        got = {ids[int(m)]: set(h.masks[int(c)]) for m, c in zip(h.nbrs[lo:hi], h.codes[lo:hi])}
        assert got == want, n
        assert list(h.nbrs[lo:hi]) == sorted(h.nbrs[lo:hi])


def test_path_index_is_the_same_whichever_way_it_sorts(monkeypatch):
    """Keys and kind codes packed into one sorted array, or sorted by index
    (the road for graphs too large to pack): the same arrays."""
    from xuncha.graph import hops

    g = _awkward_graph()
    g2 = build_graph(load_dataset(MINI).records)
    for graph in (g, g2):
        packed = hops.build(graph)
        monkeypatch.setattr(hops, "_UNPACKED", True)
        assert hops.build(graph) == packed
        monkeypatch.setattr(hops, "_UNPACKED", False)


@pytest.mark.parametrize("pred", ["'[999999]'", "'nope'", "'{\"a\": 1}'",
                                  "(SELECT pred FROM adj WHERE seq = (SELECT seq FROM node WHERE id = 'region:330101'))"])
def test_damaged_in_edge_lists_give_a_clean_error_when_read(tmp_path, pred):
    """In-edges are read from their sources' rows; a list naming a row that
    does not exist, or does not hold the edge, is damage, not a shorter answer."""
    ws, _ = _ws(tmp_path)
    _sql(ws, f"UPDATE adj SET pred = {pred} WHERE seq = (SELECT seq FROM node WHERE id = 'unit:U1')")
    r = CliRunner().invoke(main, ["show", "unit:U1", "-w", str(ws)])
    assert r.exit_code == 1 and "Traceback" not in r.output and "damaged" in r.output, r.output


def test_the_previous_format_asks_for_a_reload(tmp_path):
    ws, _ = _ws(tmp_path)
    _sql(ws, f"UPDATE info SET value = '{FORMAT_VERSION - 1}' WHERE key = 'version'")
    r = CliRunner().invoke(main, ["show", "unit:U1", "-w", str(ws)])
    assert r.exit_code == 1 and "Traceback" not in r.output
    assert f"version {FORMAT_VERSION - 1}" in r.output and "重新导入" in r.output


def test_edges_between_ids_json_escapes(tmp_path):
    """The edges between two nodes are cut out of a row by a JSON path; ids
    stored escaped (a control character, a backslash) are found all the same."""
    g = _awkward_graph()
    _save_graph_only(g, tmp_path / "ws")
    for u, v in (("issue:I1", "odd:两行\n换行\t"), ("region:1", "odd:a\\b"), ("cadre:C2", 'odd:"quoted"\\/键'),
                 ("cadre:C1", "unit:U1")):
        want = sorted(((a, b, d) for a, b, d in g.edges(data=True) if {a, b} == {u, v}), key=repr)
        assert want and sorted(open_workspace(tmp_path / "ws").edges_between(u, v), key=repr) == want
        got = open_workspace(tmp_path / "ws").edges_between_many([(u, v)])[(u, v)]
        assert sorted(got, key=repr) == want
