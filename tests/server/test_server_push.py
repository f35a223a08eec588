"""Push, pull, wipe, idempotence, interruption and injection against a real server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import networkx as nx
import pytest

from tests.conftest import write_base
from tests.server.conftest import MINI
from xuncha.graph.build import build_graph
from xuncha.graph.server import push as P
from xuncha.graph.server.base import ServerError, parse_uri
from xuncha.graph.server.pull import pull
from xuncha.graph.store import GraphStore
from xuncha.graph.workspace import save
from xuncha.loaders.dataset import load_dataset


def load_store(directory) -> GraphStore:
    ds = load_dataset(directory)
    assert not ds.errors, ds.errors[:3]
    return GraphStore(build_graph(ds.records), {"source": str(directory)})


def scaled_store(copies: int) -> GraphStore:
    """``copies`` disjoint copies of the mini graph (ids suffixed ``~k``)."""
    base = load_store(MINI).graph
    g = nx.MultiDiGraph()
    for k in range(copies):
        copy = nx.relabel_nodes(base, {n: f"{n}~{k}" for n in base}, copy=True)
        g.add_nodes_from(copy.nodes(data=True))
        g.add_edges_from(copy.edges(keys=True, data=True))  # keep the string keys
    return GraphStore(g, {"copies": copies})


def server_counts(graph) -> tuple[int, int, int]:
    nodes = graph.count("MATCH (n) WHERE n.xid IS NOT NULL RETURN count(n) AS n")
    distinct = graph.count("MATCH (n) WHERE n.xid IS NOT NULL RETURN count(DISTINCT n.xid) AS n")
    rels = graph.count("MATCH ()-[r]->() RETURN count(r) AS n")
    return nodes, distinct, rels


# -- URIs (no server) -------------------------------------------------------------

def test_parse_uri_picks_backend_graph_and_port():
    u = parse_uri("falkordb://127.0.0.1:6380/county")
    assert (u.backend, u.host, u.port, u.graph) == ("falkordb", "127.0.0.1", 6380, "county")
    assert parse_uri("redis://h/0").graph == "xuncha"  # a Redis db number is not a graph
    assert parse_uri("falkordb://h:1/a", database="b").graph == "b"
    n = parse_uri("neo4j+s://abc.databases.neo4j.io", database="inspect")
    assert (n.backend, n.port, n.graph, n.tls) == ("neo4j", 7687, "inspect", True)
    assert parse_uri("bolt://localhost").graph is None
    with pytest.raises(ServerError, match="unknown URI scheme"):
        parse_uri("http://localhost:7474")
    with pytest.raises(ServerError, match="not a graph server URI"):
        parse_uri("localhost:7687")


# -- push / pull ----------------------------------------------------------------------

def test_push_then_pull_gives_the_same_graph_with_types(graph, ledgers):
    store = load_store(write_base(ledgers).dir)
    report = P.push(store, graph.server, batch_size=3)
    assert report.node_rows == store.graph.number_of_nodes()
    assert report.edge_rows == store.graph.number_of_edges()
    back = pull(graph.server)
    assert nx.utils.graphs_equal(store.graph, back.graph)
    assert sorted(back.graph.edges(keys=True)) == sorted(store.graph.edges(keys=True))
    i1, t1, c1 = back.node("issue:I1"), back.node("team:T1"), back.node("cadre:C1")
    assert isinstance(i1["amount"], float) and i1["amount"] == 25969.0
    assert i1["immediate"] is False and back.node("issue:I2")["amount_approx"] is True
    assert i1["found_date"] == "2019-03-20" and isinstance(i1["cadre_ids"], list)
    assert isinstance(t1["capacity"], int) and t1["capacity"] == 3
    assert c1["birth_date"] == "1970-05-01" or c1["birth_date"].startswith("1970-05")
    assert back.meta["source"] == store.meta["source"]
    edge = back.graph.edges["cadre:C1", "unit:U1", "HELD_POSITION"]
    assert edge == store.graph.edges["cadre:C1", "unit:U1", "HELD_POSITION"]


def test_none_and_empty_list_survive_a_round_trip(graph):
    store = load_store(MINI)
    store.graph.nodes["unit:U001"]["sector"] = None
    store.graph.nodes["unit:U001"]["aliases"] = []
    P.push(store, graph.server)
    back = pull(graph.server).node("unit:U001")
    assert back["sector"] is None and "sector" in back and back["aliases"] == []


def test_pushing_twice_changes_nothing(graph):
    store = load_store(MINI)
    P.push(store, graph.server, batch_size=10)
    first = pull(graph.server)
    counts = server_counts(graph)
    P.push(store, graph.server, batch_size=7)
    assert server_counts(graph) == counts
    n = store.graph.number_of_nodes()
    assert counts == (n + 1, n + 1, store.graph.number_of_edges())  # + the meta node
    assert nx.utils.graphs_equal(pull(graph.server).graph, first.graph)


def test_a_second_push_replaces_changed_and_removed_properties(graph):
    store = load_store(MINI)
    P.push(store, graph.server)
    node = store.graph.nodes["issue:I1"]
    node["description"] = "改过的描述"
    del node["amount"]
    P.push(store, graph.server)
    back = pull(graph.server).node("issue:I1")
    assert back["description"] == "改过的描述" and "amount" not in back


def test_wipe_removes_only_xunchas_data(graph):
    s = graph.server
    s.write("CREATE (:Unit {name: 'not ours'})-[:OWNS]->(:Other {name: 'foreign'})")
    P.push(load_store(MINI), s)
    assert P.wipe(s) == load_store(MINI).graph.number_of_nodes() + 1
    assert graph.count("MATCH (n) WHERE n.xid IS NOT NULL RETURN count(n) AS n") == 0
    assert graph.count("MATCH (:Unit {name: 'not ours'})-[:OWNS]->(:Other) RETURN count(*) AS n") == 1
    with pytest.raises(ServerError, match="no xuncha graph"):
        pull(s)


def test_cypher_injection_is_impossible(graph, ledgers):
    nasty = [
        "张某\"}) DETACH DELETE n //",
        "O'Brien `Label` {x: 1} $param",
        "MATCH (n) DETACH DELETE n; RETURN 1",
        "\\\" \\' \\\\ }] ) CALL db.labels() YIELD label RETURN label",
        "换行\n第二行\t制表 ${x} {{}} /* comment */ UNION ALL",
    ]
    units = (["id", "name", "kind", "region_id"],
             [[f"U{k}", text, "政府部门", "330101"] for k, text in enumerate(nasty, 1)])
    issues = (["id", "round_id", "unit_id", "category", "description"],
              [[f"I{k}", "R1", f"U{k}", "conduct", text] for k, text in enumerate(nasty, 1)])
    store = load_store(write_base(ledgers, units=units, issues=issues, leads=None,
                                  actions=None, positions=None, assignments=None).dir)
    P.push(store, graph.server)
    back = pull(graph.server)
    assert nx.utils.graphs_equal(store.graph, back.graph)
    for k, text in enumerate(nasty, 1):
        assert back.node(f"unit:U{k}")["name"] == text
        assert back.node(f"issue:I{k}")["description"] == text
        rows = graph.server.run("MATCH (n:Unit) WHERE n.name = $t RETURN n.xid AS x", {"t": text})
        assert [r["x"] for r in rows] == [f"unit:U{k}"]
    assert graph.count("MATCH (n) WHERE n.xid IS NOT NULL RETURN count(n) AS n") == \
        store.graph.number_of_nodes() + 1


# -- versions, incomplete pushes, errors ---------------------------------------------------

def test_a_graph_pushed_by_another_format_is_refused_until_wiped(graph):
    store = load_store(MINI)
    P.push(store, graph.server)
    P.write_meta(graph.server, format_version=0, xuncha="0.0.1")
    with pytest.raises(ServerError, match=r"xuncha 0\.0\.1 in graph format 0.*--wipe"):
        pull(graph.server)
    with pytest.raises(ServerError, match="--wipe"):
        P.push(store, graph.server)
    P.push(store, graph.server, wipe_first=True)
    assert nx.utils.graphs_equal(pull(graph.server).graph, store.graph)


def test_pull_refuses_an_unfinished_push(graph):
    P.push(load_store(MINI), graph.server)
    P.write_meta(graph.server, complete=False)
    with pytest.raises(ServerError, match="did not finish.*xuncha push"):
        pull(graph.server)


def test_unreachable_server_says_so():
    from tests.falkordb_server import free_port
    from xuncha.graph.server.base import Unreachable, connect

    with pytest.raises(Unreachable, match="cannot reach FalkorDB.*running"):
        connect(f"falkordb://127.0.0.1:{free_port()}/x")


def test_wrong_password_is_an_auth_error(falkor_server, monkeypatch):
    from xuncha.graph.server.base import AuthFailed, connect

    monkeypatch.delenv("FALKORDB_PASSWORD", raising=False)
    from tests.falkordb_server import FalkorServer

    with FalkorServer(password="s3cret") as srv:
        with pytest.raises(AuthFailed, match="FALKORDB_PASSWORD"):
            connect(srv.uri("g"), password="wrong")
        with pytest.raises(AuthFailed):
            connect(srv.uri("g"))
        monkeypatch.setenv("FALKORDB_PASSWORD", "s3cret")
        with connect(srv.uri("g")) as s:
            assert s.write("RETURN 1 AS one") == [{"one": 1}]


def test_unknown_graph_suggests_the_near_ones(graph):
    from xuncha.graph.server.base import UnknownDatabase, connect

    if graph.backend.name != "falkordb":
        pytest.skip("graph keys are a FalkorDB notion; Neo4j refuses an unknown --database")
    P.push(load_store(MINI), graph.server)
    with connect(graph.uri + "x") as other:
        with pytest.raises(UnknownDatabase, match="did you mean.*" + graph.server.uri.graph):
            pull(other)


def test_server_dying_mid_push_stops_cleanly_and_a_rerun_completes(monkeypatch):
    from tests.falkordb_server import FalkorServer
    from xuncha.graph.server.base import Unreachable, connect

    store = scaled_store(5)
    srv = FalkorServer().start()
    try:
        server = connect(srv.uri("g"))
        seen = []

        def task(desc, total):
            def advance(n):
                seen.append(n)
                if len(seen) == 3:
                    srv.kill()
            return advance

        with pytest.raises(Unreachable, match=r"stopped after [\d,]+ rows.*again"):
            P.push(store, server, batch_size=20, task=task)
        srv.start()  # a fresh, empty server on the same port
        server = connect(srv.uri("g"))
        P.push(store, server, batch_size=20)
        assert nx.utils.graphs_equal(pull(server).graph, store.graph)
    finally:
        srv.stop()


def test_killed_push_is_completed_by_pushing_again(graph, tmp_path):
    store = scaled_store(60)  # ~3k nodes, ~4.7k relationships
    ws = save(store, tmp_path / "ws")
    cmd = [sys.executable, "-m", "xuncha.cli", "push", "--uri", graph.uri, "-w", str(ws),
           "--batch-size", "10", "-q"]
    if graph.database:
        cmd += ["--database", graph.database]
    proc = subprocess.Popen(cmd, env=graph.backend.env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, cwd=Path(__file__).resolve().parents[2])
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if graph.count("MATCH (n:Issue) RETURN count(n) AS n") > 0:
                break
            assert proc.poll() is None, proc.stderr.read().decode()
            time.sleep(0.01)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(10)
    meta = P.read_meta(graph.server)
    assert meta["complete"] is False  # really interrupted
    nodes, distinct, rels = server_counts(graph)
    assert 0 < nodes < store.graph.number_of_nodes()
    with pytest.raises(ServerError, match="did not finish"):
        pull(graph.server)
    P.push(store, graph.server, batch_size=500)
    n = store.graph.number_of_nodes()
    assert server_counts(graph) == (n + 1, n + 1, store.graph.number_of_edges())
    assert nx.utils.graphs_equal(pull(graph.server).graph, store.graph)
