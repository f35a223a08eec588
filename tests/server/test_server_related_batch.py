"""``related --uri`` reads the server in batches (issue 14): a few statements
per call whatever the seed's degree, and still the embedded answer.

The server walk runs in optimistic passes (:meth:`LazyStore.settle`): each
pass notes what it could not read, the notes are fetched in one statement,
and memo entries computed from part of the data are dropped between passes
(:class:`xuncha.queries.view._Memo`).  These tests check the three things
that can go wrong: a regression to fetching node by node (round trips), an
answer built from a stale memo (parity over many seeds, and every memo kept
equal to a plain walk's), and the FalkorDB result reader (same values as the
client's parser).
"""

from __future__ import annotations

import random

import pytest

from tests.server.test_server_queries import generated, pushed  # noqa: F401 - fixtures
from xuncha.graph.server import queries as Q
from xuncha.graph.server import queries_related as QR
from xuncha.queries.related import rank, related


def spied(monkeypatch, server) -> list[str]:
    statements: list[str] = []
    run = server.run

    def spy(statement, params=None):
        statements.append(statement)
        return run(statement, params)

    monkeypatch.setattr(server, "run", spy)
    return statements


def stores_made(monkeypatch) -> list:
    made = []

    class Recording(Q.LazyStore):
        def __init__(self, *a, **k):
            super().__init__(*a, **k)
            made.append(self)

    monkeypatch.setattr(QR, "LazyStore", Recording)
    return made


def busiest(store, kind: str, edge: str, n: int = 2) -> list[str]:
    """The ``n`` nodes of ``kind`` with the most ``edge`` relationships in."""
    deg = {nid: sum(1 for _ in store.in_edges(nid, edge)) for nid, _ in store.nodes(kind)}
    return sorted(deg, key=lambda x: (-deg[x], x))[:n]


@pytest.mark.parametrize("tier, bound", [("moderate", 12), ("weak", 24)])
def test_round_trips_do_not_grow_with_the_neighbourhood(pushed, monkeypatch, tier, bound):  # noqa: F811
    store, server = pushed[0]
    seeds = busiest(store, "unit", "FOUND_IN") + busiest(store, "cadre", "IMPLICATES")
    for seed in seeds:
        statements = spied(monkeypatch, server)
        made = stores_made(monkeypatch)
        got = [r.as_dict() for r in QR.related(server, seed, limit=None, min_tier=tier)]
        monkeypatch.undo()
        assert got == [r.as_dict() for r in related(store, seed, limit=None, min_tier=tier)]
        read = sum(1 for d in made[0]._nodes.values() if d is not None)
        # node by node this walk would send about one statement per node it reads
        assert len(statements) <= bound, (seed, len(statements), read)
        if seed.startswith("unit:"):  # hundreds of nodes, read in a few statements
            assert read >= 20 * len(statements), (seed, len(statements), read)


def test_fetching_as_read_is_the_same_walk_with_more_round_trips(pushed, monkeypatch):  # noqa: F811
    store, server = pushed[0]
    seed = busiest(store, "unit", "FOUND_IN", 1)[0]
    statements = spied(monkeypatch, server)
    lazy = Q.LazyStore(server, learn=False)
    plain = [r.as_dict() for r in rank(lazy, lazy.resolve(seed), None)]
    per_node = len(statements)
    statements.clear()
    batched = [r.as_dict() for r in QR.related(server, seed, limit=None)]
    assert batched == plain == [r.as_dict() for r in related(store, seed, limit=None)]
    assert per_node > 10 * len(statements)


def test_related_parity_on_many_seeds(pushed):  # noqa: F811
    store, server = pushed[0]
    rnd = random.Random(2026)
    seeds = [s for kind in ("issue", "lead", "cadre", "unit")
             for s in rnd.sample(sorted(n for n, _ in store.nodes(kind)), 20)]
    for seed in seeds:
        for tier in ("moderate", "weak"):
            mem = [r.as_dict() for r in related(store, seed, limit=None, min_tier=tier)]
            assert [r.as_dict() for r in QR.related(server, seed, limit=None, min_tier=tier)] \
                == mem, (seed, tier)


def _plain(x):
    """A memo value as plain data (items, posts, ties, visits are objects)."""
    if isinstance(x, (list, tuple)):
        return [_plain(y) for y in x]
    if isinstance(x, (set, frozenset)):
        return sorted(_plain(y) for y in x)
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    if hasattr(x, "__dict__"):
        return {k: _plain(v) for k, v in vars(x).items()}
    if hasattr(x, "__slots__"):
        return {k: _plain(getattr(x, k, None)) for k in x.__slots__}
    return x


def test_memos_kept_across_passes_equal_a_plain_walk(pushed, monkeypatch):  # noqa: F811
    store, server = pushed[0]
    rnd = random.Random(7)
    made = stores_made(monkeypatch)
    kept = 0
    for kind in ("issue", "lead", "cadre", "unit"):
        for seed in rnd.sample(sorted(n for n, _ in store.nodes(kind)), 8):
            QR.related(server, seed, limit=None, min_tier="weak")
            lazy = made[-1]
            memo = lazy.__dict__["_xuncha_view"]
            # the same fetched data, read by a plain walk (no passes, no misses)
            fresh = Q.LazyStore(server)
            fresh._nodes, fresh._edges = dict(lazy._nodes), dict(lazy._edges)
            fresh._blocks = dict(lazy._blocks)
            rank(fresh, seed, None, min_tier="weak", similar=lambda it: [])
            truth = fresh.__dict__["_xuncha_view"]
            for name, m in vars(memo).items():
                if isinstance(m, dict) and name.startswith("_"):
                    other = getattr(truth, name)
                    for key in dict.keys(m):
                        if key in other:
                            kept += 1
                            assert _plain(dict.__getitem__(m, key)) == \
                                _plain(dict.__getitem__(other, key)), (seed, name, key)
    assert kept > 1000


def test_a_memo_computed_from_part_of_the_data_is_dropped():
    from xuncha.queries.view import View

    class Store:
        misses = 0

    s = Store()
    v = View(s)
    assert v._ties.get("cadre:a") is None  # a computation starts
    v._ties["cadre:a"] = ["clean"]
    assert v._leads_of.get("issue:x") is None
    s.misses += 1  # the store answered a read from part of the data
    v._leads_of["issue:x"] = ["partial"]
    assert v._items.get("issue:y") is None
    v._ties["cadre:a"]  # a clean read does not taint  # noqa: B018
    v._leads_of["issue:x"]  # a dirty read does  # noqa: B018
    v._items["issue:y"] = "built on the partial entry"
    v.forget_dirty()
    assert dict(v._ties) == {"cadre:a": ["clean"]}
    assert dict(v._leads_of) == {} and dict(v._items) == {}


def test_falkordb_rows_read_as_the_client_reads_them(pushed):  # noqa: F811
    store, server = pushed[0]
    if server.dialect.name != "falkordb":
        pytest.skip("FalkorDB's result format")
    statements = [
        ("MATCH (n) WHERE n.xid IS NOT NULL RETURN n.xid AS x, properties(n) AS p ORDER BY x", None),
        ("MATCH (a)-[r]->(b) RETURN a.xid AS a, type(r) AS t, properties(r) AS p, b.xid AS b "
         "ORDER BY a, t, b LIMIT 3000", None),
        ("RETURN 1.5 AS f, -0.0 AS z, 1e300 AS big, 3 AS i, true AS t, false AS f2, null AS n, "
         "'引号\"\\\\ \\n' AS s, [1, 'a', [2.25, null], {k: false}] AS l, {a: {b: [1]}} AS m", None),
        ("UNWIND $xs AS x RETURN x", {"xs": ["a\"b", "c\\d", "中文", ""]}),
        ("MATCH (n:`Issue`) RETURN n LIMIT 2", None),  # a node: the client reads it
    ]
    for statement, params in statements:
        res = server.graph.ro_query(statement, params)
        names = [h[1] for h in res.header]
        client = [dict(zip(names, row)) for row in res.result_set]
        ours = server.run(statement, params)
        assert ours == client, statement
        for a, b in zip(ours, client):
            for k in a:
                assert type(a[k]) is type(b[k]) or isinstance(b[k], dict), (statement, k)
        assert len(ours) == len(client) > 0


def test_timeline_and_path_read_in_batches_too(pushed, monkeypatch):  # noqa: F811
    from xuncha.queries.paths import paths
    from xuncha.queries.timeline import timeline

    store, server = pushed[0]
    unit = busiest(store, "unit", "HELD_POSITION", 1)[0]
    statements = spied(monkeypatch, server)
    assert Q.timeline(server, unit) == timeline(store, unit)
    assert len(statements) <= 3, len(statements)  # node by node: one per post, item, action
    cadres = busiest(store, "cadre", "IMPLICATES", 6)
    for a, b in zip(cadres[::2], cadres[1::2]):
        statements.clear()
        assert Q.paths(server, a, b) == paths(store, a, b)
        assert len(statements) <= 4 * 6, (a, b, len(statements))  # a few per hop of max_hops
