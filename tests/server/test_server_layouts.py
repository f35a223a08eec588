"""One Neo4j layout: push, the Cypher script and the bulk-import CSV make the same
database, and `--uri` queries work on each (against the real test server).

- The Cypher script is run on the server (``push --script``/``run_script``),
  twice.
- The bulk-import CSV cannot be run through ``neo4j-admin`` here (no Neo4j in
  the test environment), so :func:`admin_import` below reads the directory by
  the import tool's documented header rules (``name:type``, ``:ID(space)``,
  ``:START_ID``/``:END_ID``, ``:LABEL``/``:TYPE``, ``--array-delimiter``,
  empty cell = no property; ``int``/``long`` -> integer, ``float``/``double`` ->
  float, ``date`` -> a temporal value) and writes what it would create.  What
  this proves is that the CSV's headers and types describe exactly the
  properties push writes; it does not run Neo4j's importer itself.

Each database's every node and relationship property (types included) is
compared with push's, ``pull`` from each gives back the workspace graph, and
``kpi --uri`` gives the workspace's answer.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

from tests.server.conftest import MINI
from xuncha.cli import main
from xuncha.export import export
from xuncha.graph.server import push as P
from xuncha.graph.server.pull import pull
from xuncha.graph.workspace import save

from .test_server_push import load_store

HEADER_TYPES = {"": str, "string": str, "int": int, "long": int, "short": int, "byte": int,
                "float": float, "double": float, "boolean": lambda s: s == "true"}


def _typed(raw: str, type_: str, delimiter: str):
    if type_.endswith("[]"):
        conv = HEADER_TYPES[type_[:-2]]
        return [conv(x) for x in raw.split(delimiter)]
    if type_ == "date":
        return ("date", raw)  # a temporal value: never equal to push's ISO string
    return HEADER_TYPES[type_](raw)


def _parse_header(h: str):
    name, _, spec = h.partition(":")
    for role in ("ID", "START_ID", "END_ID"):
        if spec.startswith(role + "("):
            return role, name, spec[len(role) + 1:-1]
    if spec in ("LABEL", "TYPE"):
        return spec, name, None
    return "prop", name, spec


def admin_import(directory: Path, server, delimiter: str = ";") -> None:
    """What ``neo4j-admin database import full`` creates from these files."""
    readme = (directory / "README.md").read_text(encoding="utf-8")
    assert f'--array-delimiter="{delimiter}"' in readme
    ids: dict[tuple[str, str], tuple[str, str]] = {}  # (space, id) -> (label, id property)
    for path in sorted(directory.glob("nodes_*.csv")):
        assert f"--nodes={path.name}" in readme
        with open(path, encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh))
        cols = [_parse_header(h) for h in rows[0]]
        batch: dict[str, list[dict]] = {}
        for row in rows[1:]:
            props, lab = {}, None
            for (role, name, spec), raw in zip(cols, row):
                if role == "ID":
                    props[name] = raw
                    key = (spec, raw)
                elif role == "LABEL":
                    lab = raw
                elif raw != "":
                    props[name] = _typed(raw, spec, delimiter)
            if any(isinstance(v, tuple) for v in props.values()):
                raise AssertionError(f"{path.name}: a :date column; push stores ISO strings")
            id_name = next(n for r, n, _ in cols if r == "ID")
            ids[key] = (lab, id_name)
            batch.setdefault(lab, []).append(props)
        for lab, props in batch.items():
            server.write(f"UNWIND $rows AS p CREATE (n:`{lab}`) SET n = p", {"rows": props})
    for path in sorted(directory.glob("rels_*.csv")):
        assert f"--relationships={path.name}" in readme
        with open(path, encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh))
        cols = [_parse_header(h) for h in rows[0]]
        groups: dict[tuple, list[dict]] = {}
        for row in rows[1:]:
            props, s, t, typ = {}, None, None, None
            for (role, name, spec), raw in zip(cols, row):
                if role == "START_ID":
                    s = ids[(spec, raw)], raw
                elif role == "END_ID":
                    t = ids[(spec, raw)], raw
                elif role == "TYPE":
                    typ = raw
                elif raw != "":
                    props[name] = _typed(raw, spec, delimiter)
            (sl, sp), (tl, tp) = s[0], t[0]
            groups.setdefault((sl, sp, tl, tp, typ), []).append({"s": s[1], "t": t[1], "p": props})
        for (sl, sp, tl, tp, typ), rows_ in groups.items():
            server.write(f"UNWIND $rows AS row MATCH (a:`{sl}` {{{sp}: row.s}}) "
                         f"MATCH (b:`{tl}` {{{tp}: row.t}}) CREATE (a)-[r:`{typ}`]->(b) "
                         f"SET r = row.p", {"rows": rows_})


def _t(props) -> dict:
    """Properties with each value's type beside it (1 and 1.0 and True differ)."""
    def one(v):
        return [one(x) for x in v] if isinstance(v, list) else (type(v).__name__, v)
    return {k: one(v) for k, v in props.items()}


def _snapshot(server) -> tuple[dict, dict]:
    """Every xuncha node's and relationship's properties (types kept), by identity."""
    nodes = {r["x"]: (sorted(r["l"]), _t(r["p"])) for r in server.run(
        "MATCH (n) WHERE n.xid IS NOT NULL RETURN n.xid AS x, labels(n) AS l, properties(n) AS p")}
    rels = {(r["s"], r["t"], r["k"]): (r["ty"], _t(r["p"])) for r in server.run(
        "MATCH (a)-[r]->(b) RETURN a.xid AS s, b.xid AS t, r.key AS k, type(r) AS ty, "
        "properties(r) AS p")}
    meta = nodes.pop("xuncha")
    meta[1].pop("pushed_at")
    meta[1].pop("workspace_meta")
    assert meta[1]["complete"] == ("bool", True)
    return nodes, rels, meta


def _schema(server):
    if server.dialect.name != "falkordb":
        return sorted(r["name"] for r in server.run("SHOW CONSTRAINTS YIELD name RETURN name"))
    # The index of the derived statistics push adds (graph/server/stats.py) is
    # left out: script and CSV databases hold none, and queries fall back.
    idx = sorted((r["label"], tuple(r["properties"])) for r in server.run(
        "CALL db.indexes() YIELD label, properties RETURN label, properties")
        if r["label"] != "XunchaDerived")
    cons = sorted((r["label"], tuple(r["properties"]), r["status"]) for r in server.run(
        "CALL db.constraints() YIELD label, properties, status RETURN label, properties, status"))
    return idx, cons


@pytest.fixture(scope="module")
def mini_store():
    return load_store(MINI)


def _fresh(graph, name):
    from xuncha.graph.server.base import connect

    b = graph.backend
    uri = b.uri(name) if b.falkor else graph.uri
    server = connect(uri, graph.database, b.user, b.password)
    server.dialect.drop_graph(server)
    return uri, server


def test_script_and_csv_make_the_database_push_makes(graph, mini_store, tmp_path):
    from xuncha.export.cypher import run_script

    if graph.backend.name != "falkordb":
        pytest.skip("three databases side by side need FalkorDB graph keys")
    P.push(mini_store, graph.server)
    want = _snapshot(graph.server)
    want_schema = _schema(graph.server)
    assert want[0] and want[1]

    script = tmp_path / "g.cypher"
    export(mini_store, "cypher", script)
    uri_s, s_server = _fresh(graph, graph.uri.rsplit("/", 1)[1] + "_script")
    csv_dir = tmp_path / "neo4j"
    export(mini_store, "csv", csv_dir)
    uri_c, c_server = _fresh(graph, graph.uri.rsplit("/", 1)[1] + "_csv")
    try:
        text = script.read_text(encoding="utf-8")
        for _ in range(2):  # idempotent, schema statements included
            run_script(s_server, text)
            assert _snapshot(s_server) == want
            assert _schema(s_server) == want_schema
        admin_import(csv_dir, c_server)
        run_script(c_server, (csv_dir / "constraints.cypher").read_text(encoding="utf-8"))
        assert _snapshot(c_server) == want
        assert _schema(c_server) == want_schema
        for server in (s_server, c_server):
            back = pull(server)
            assert nx.utils.graphs_equal(back.graph, mini_store.graph)
            assert sorted(back.graph.edges(keys=True)) == sorted(mini_store.graph.edges(keys=True))
    finally:
        for server in (s_server, c_server):
            server.dialect.drop_graph(server)
            server.close()


def test_uri_queries_on_script_and_csv_databases(graph, mini_store, tmp_path):
    if graph.backend.name != "falkordb":
        pytest.skip("needs FalkorDB graph keys")
    ws = tmp_path / "ws"
    save(mini_store, ws)
    env = graph.backend.env()
    local = CliRunner().invoke(main, ["kpi", "--by", "unit", "--as-of", "2020-01-01", "-w", str(ws),
                                      "--format", "json"])
    assert local.exit_code == 0, local.output
    base = graph.uri.rsplit("/", 1)[1]
    uri_s, s_server = _fresh(graph, base + "_s")
    uri_c, c_server = _fresh(graph, base + "_c")
    try:
        script = tmp_path / "g.cypher"
        assert CliRunner().invoke(main, ["export", "cypher", "-w", str(ws), "-o", str(script),
                                         "-q"]).exit_code == 0
        for _ in range(2):
            r = CliRunner().invoke(main, ["push", "--uri", uri_s, "--script", str(script)],
                                   env=env, catch_exceptions=False)
            assert r.exit_code == 0, r.output
            assert "statements" in r.stderr
        csv_dir = tmp_path / "neo4j"
        assert CliRunner().invoke(main, ["export", "csv", "-w", str(ws), "-o", str(csv_dir),
                                         "-q"]).exit_code == 0
        admin_import(csv_dir, c_server)
        for uri in (uri_s, uri_c):
            remote = CliRunner().invoke(main, ["kpi", "--by", "unit", "--as-of", "2020-01-01",
                                               "--uri", uri, "-w", str(tmp_path / "nowhere"),
                                               "--format", "json"], env=env)
            assert remote.exit_code == 0, remote.output
            assert json.loads(remote.stdout) == json.loads(local.stdout) != []
    finally:
        for server in (s_server, c_server):
            server.dialect.drop_graph(server)
            server.close()


def test_schema_statements_are_idempotent(graph):
    P.ensure_schema(graph.server)
    first = _schema(graph.server)
    P.ensure_schema(graph.server)
    P.ensure_schema(graph.server)
    assert _schema(graph.server) == first and first
