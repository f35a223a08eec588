"""`push --prune`: after a ledger is corrected, the server holds what the workspace
holds, and nothing of anyone else's is touched (against the real test server)."""

from __future__ import annotations

import networkx as nx
from click.testing import CliRunner

from tests.conftest import BASE, write_base
from xuncha.cli import main
from xuncha.graph.server import push as P
from xuncha.graph.server.pull import pull
from xuncha.graph.workspace import open_workspace

from .test_server_push import load_store


def _corrected(ledgers):
    """BASE with a wrong spouse tie, then the ledger as corrected: the tie removed, a
    relation's other end changed, an issue (and its action) withdrawn."""
    rel_h = ["cadre_id", "other_id", "kind", "note"]
    wrong = write_base(ledgers, relations=(rel_h, [["C4", "C2", "兄弟姐妹", ""],
                                                   ["C1", "C4", "夫妻", "录入错误"]]))
    before = load_store(wrong.dir)
    issues_h, issues_r = BASE["issues"]
    actions_h, actions_r = BASE["actions"]
    fixed = write_base(ledgers, relations=(rel_h, [["C4", "C3", "兄弟姐妹", ""]]),
                       issues=(issues_h, [r for r in issues_r if r[0] != "I2"]),
                       actions=(actions_h, [r for r in actions_r if r[1] != "I2"]))
    after = load_store(fixed.dir)
    return before, after


def _server_ties(server):
    return sorted((r["s"], r["t"]) for r in server.run(
        "MATCH (a)-[r:RELATED_TO]->(b) RETURN a.xid AS s, b.xid AS t"))


def test_prune_removes_stale_ties_and_nodes(graph, ledgers):
    before, after = _corrected(ledgers)
    server = graph.server
    P.push(before, server)
    server.write("CREATE (:Note {text: 'not xuncha'})")  # someone else's data
    server.write("CREATE (:Cadre {name: 'hand-made, no xid'})")
    assert ("cadre:C1", "cadre:C4") in _server_ties(server)

    report = P.push(after, server)  # a plain push only adds and updates
    assert ("cadre:C1", "cadre:C4") in _server_ties(server) and report.pruned_edges == 0

    report = P.push(after, server, prune=True)
    assert _server_ties(server) == [("cadre:C4", "cadre:C3")]
    assert report.pruned_nodes == 2  # issue I2 and action A2
    assert report.pruned_edges == 2  # C1-C4 spouse, C4-C2 sibling
    back = pull(server)
    assert nx.utils.graphs_equal(back.graph, after.graph)
    assert sorted(back.graph.edges(keys=True)) == sorted(after.graph.edges(keys=True))
    assert graph.count("MATCH (n:Note) RETURN count(n) AS n") == 1
    assert graph.count("MATCH (n:Cadre) WHERE n.xid IS NULL RETURN count(n) AS n") == 1
    # Pruning again finds nothing; the graph is marked complete.
    report = P.push(after, server, prune=True)
    assert (report.pruned_nodes, report.pruned_edges) == (0, 0)
    assert P.read_meta(server)["complete"] is True


def test_cli_push_prune(graph, ledgers, tmp_path):
    before, after = _corrected(ledgers)
    from xuncha.graph.workspace import save

    ws_before, ws_after = tmp_path / "a", tmp_path / "b"
    save(before, ws_before)
    save(after, ws_after)
    env = graph.backend.env()
    extra = ["--database", graph.database] if graph.database else []

    def run(*args):
        return CliRunner().invoke(main, [*args, "--uri", graph.uri, *extra], env=env,
                                  catch_exceptions=False)

    assert run("push", "-w", str(ws_before), "-q").exit_code == 0
    res = run("push", "-w", str(ws_after), "--prune")
    assert res.exit_code == 0, res.output
    assert "pruned" in res.stderr and "2 nodes and 2 relationships" in res.stderr
    assert run("pull", "-w", str(tmp_path / "c"), "-q").exit_code == 0
    assert nx.utils.graphs_equal(open_workspace(tmp_path / "c").graph,
                                 open_workspace(ws_after).graph)
