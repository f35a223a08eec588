"""`xuncha push` / `xuncha pull` as a user runs them, against the test server."""

from __future__ import annotations

import json

import networkx as nx
from click.testing import CliRunner

from tests.server.conftest import MINI
from xuncha.cli import main
from xuncha.graph.workspace import open_workspace


def run(graph, *args, input=None):
    extra = ["--database", graph.database] if graph.database else []
    res = CliRunner().invoke(main, [*args, "--uri", graph.uri, *extra], input=input,
                             env=graph.backend.env(), catch_exceptions=False)
    return res


def test_push_then_pull_round_trips_a_workspace(graph, tmp_path):
    ws, ws2 = tmp_path / "ws", tmp_path / "ws2"
    assert CliRunner().invoke(main, ["load", str(MINI), "-w", str(ws), "-q"]).exit_code == 0
    res = run(graph, "push", "-w", str(ws), "--batch-size", "7")
    assert res.exit_code == 0, res.output
    assert "pushed" in res.stderr and "52 nodes" in res.stderr and "rows/s" in res.stderr
    res = run(graph, "pull", "-w", str(ws2))
    assert res.exit_code == 0, res.output
    assert nx.utils.graphs_equal(open_workspace(ws).graph, open_workspace(ws2).graph)


def test_wipe_needs_confirmation(graph, tmp_path):
    ws = tmp_path / "ws"
    CliRunner().invoke(main, ["load", str(MINI), "-w", str(ws), "-q"])
    assert run(graph, "push", "-w", str(ws), "-q").exit_code == 0
    res = run(graph, "push", "-w", str(ws), "--wipe")
    assert res.exit_code != 0 and "--yes" in res.output
    assert run(graph, "push", "-w", str(ws), "--wipe", "--yes", "-q").exit_code == 0


def test_password_in_uri_is_refused(tmp_path):
    CliRunner().invoke(main, ["load", str(MINI), "-w", str(tmp_path), "-q"])
    res = CliRunner().invoke(main, ["push", "--uri", "falkordb://me:secret@127.0.0.1:1/g",
                                    "-w", str(tmp_path)])
    assert res.exit_code != 0 and "FALKORDB_PASSWORD" in res.output


def test_kpi_uri_runs_on_the_server(graph, tmp_path):
    ws = tmp_path / "ws"
    CliRunner().invoke(main, ["load", str(MINI), "-w", str(ws), "-q"])
    assert run(graph, "push", "-w", str(ws), "-q").exit_code == 0
    local = CliRunner().invoke(main, ["kpi", "--by", "unit", "--as-of", "2020-01-01", "-w", str(ws),
                                      "--format", "json"])
    remote = run(graph, "kpi", "--by", "unit", "--as-of", "2020-01-01", "--format", "json",
                 "-w", str(tmp_path / "nowhere"))
    assert remote.exit_code == 0, remote.output
    assert json.loads(remote.stdout) == json.loads(local.stdout)


def test_timeline_and_asof_uri_run_on_the_server(graph, tmp_path):
    ws = tmp_path / "ws"
    CliRunner().invoke(main, ["load", str(MINI), "-w", str(ws), "-q"])
    assert run(graph, "push", "-w", str(ws), "-q").exit_code == 0
    nowhere = str(tmp_path / "nowhere")  # proves nothing is read from a workspace
    for args in (["timeline", "C001", "--as-of", "2021-01-01"], ["asof", "U001", "2019年6月1日"],
                 ["path", "C004", "issue:I2"], ["path", "C001", "C002", "C004"]):
        local = CliRunner().invoke(main, [*args, "-w", str(ws), "--format", "json"])
        remote = run(graph, *args, "-w", nowhere, "--format", "json")
        assert remote.exit_code == 0, remote.output
        assert json.loads(remote.stdout) == json.loads(local.stdout) != []
    res = run(graph, "timeline", "no-such-cadre", "-w", nowhere)
    assert res.exit_code != 0 and "未找到" in res.output


def test_queries_on_a_graph_never_pushed_say_what_to_do(graph, tmp_path):
    res = run(graph, "kpi", "-w", str(tmp_path))
    assert res.exit_code != 0 and "xuncha push" in res.output
