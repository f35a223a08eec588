"""Parity: each query answers the same on the server (Cypher) as in memory.

The data: a generated county (``xuncha generate --scale county``, ~5k nodes),
the hand-made mini dataset and the conftest BASE; pushed once per module.
"""

from __future__ import annotations

import uuid

import pytest
from click.testing import CliRunner

from tests.server.conftest import MINI
from tests.server.test_server_push import load_store
from xuncha.graph.server import queries as Q
from xuncha.graph.server.base import connect
from xuncha.graph.server.push import push
from xuncha.queries.kpi import GROUPINGS, kpi
from xuncha.queries.timeline import asof, timeline

AS_OF = "2025-06-30"


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    from xuncha.cli import main

    out = tmp_path_factory.mktemp("gen") / "county"
    res = CliRunner().invoke(main, ["generate", "--scale", "county", "--seed", "7", "-o", str(out),
                                    "-q", "--no-truth"])
    assert res.exit_code == 0, res.output
    return load_store(out)


@pytest.fixture(scope="module")
def pushed(backend, generated):
    """(store, server) pairs: generated county and mini, each on its own graph."""
    pairs = []
    for name, store in (("gen", generated), ("mini", load_store(MINI))):
        uri = backend.uri(f"parity_{name}_{uuid.uuid4().hex[:6]}")
        server = connect(uri, backend.database(name), backend.user, backend.password)
        server.dialect.drop_graph(server)
        push(store, server)
        pairs.append((store, server))
        if backend.name == "neo4j":
            break  # one database: the generated data only
    yield pairs
    for _, server in pairs:
        server.dialect.drop_graph(server)
        server.close()


def same_kpi(mem, srv):
    assert [r.group for r in srv] == [r.group for r in mem]
    for a, b in zip(mem, srv):
        da, db = a.as_dict(), b.as_dict()
        assert db.pop("money_recovered") == pytest.approx(da.pop("money_recovered"), abs=0.011)
        assert db == da


@pytest.mark.parametrize("as_of", ["2019-06-01", AS_OF])
@pytest.mark.parametrize("by", GROUPINGS)
def test_kpi_parity(pushed, by, as_of):
    for store, server in pushed:
        mem = kpi(store, by=by, as_of=as_of)
        assert len(mem) > 1
        same_kpi(mem, Q.kpi(server, by=by, as_of=as_of))


def test_kpi_parity_on_base(graph, ledgers):
    from tests.conftest import write_base

    store = load_store(write_base(ledgers).dir)
    push(store, graph.server)
    for by in GROUPINGS:
        same_kpi(kpi(store, by=by, as_of="2019-06-01"), Q.kpi(graph.server, by=by, as_of="2019-06-01"))


def sample(store, kind, n):
    ids = sorted(nid for nid, _ in store.nodes(kind))
    return ids[:: max(1, len(ids) // n)][:n]


def test_timeline_parity(pushed):
    checked = 0
    for store, server in pushed:
        for kind in ("cadre", "unit"):
            for nid in sample(store, kind, 12):
                mem = [e.as_dict() for e in timeline(store, nid, as_of=AS_OF)]
                srv = [e.as_dict() for e in Q.timeline(server, nid, as_of=AS_OF)]
                assert srv == mem, nid
                checked += bool(mem)
    assert checked > 10


def test_asof_parity(pushed):
    found = 0
    for store, server in pushed:
        for nid in sample(store, "unit", 15):
            for date in ("2016-01-01", "2019-06-30", "2023-03-01"):
                mem = [p.as_dict() for p in asof(store, nid, date)]
                assert [p.as_dict() for p in Q.asof(server, nid, date)] == mem, (nid, date)
                found += len(mem)
    assert found > 10


def test_server_resolves_names_like_the_store(pushed):
    from xuncha.graph.store import NotFound

    store, server = pushed[-1]
    for nid, attrs in list(store.nodes("unit"))[:5]:
        assert Q.resolve(server, attrs["id"], ("unit",)) == store.resolve(attrs["id"], ("unit",))
        assert Q.resolve(server, attrs["name"], ("unit",)) == nid
    with pytest.raises(NotFound, match="未找到"):
        Q.resolve(server, "no such unit 不存在", ("unit",))


def test_server_query_without_a_twin_says_so():
    from xuncha.graph.server.base import ServerError

    def not_on_servers(store):  # pragma: no cover - never called
        return []

    with pytest.raises(ServerError, match="drop --uri"):
        Q.server_version(not_on_servers)


def test_path_and_network_parity(pushed):
    import random

    from xuncha.queries.paths import network, paths

    store, server = pushed[0]
    rnd = random.Random(5)
    people = sorted(n for n, _ in store.nodes("cadre"))
    ends = people + sorted(n for n, _ in store.nodes("issue"))
    found = 0
    for _ in range(8):
        a, b = rnd.choice(people), rnd.choice(ends)
        mem = paths(store, a, b, max_hops=6, limit=5)
        assert Q.paths(server, a, b, max_hops=6, limit=5) == mem, (a, b)
        found += bool(mem)
    assert found >= 3
    terms = [rnd.choice(people) for _ in range(3)]
    assert Q.network(server, terms, max_hops=5) == network(store, terms, max_hops=5)
