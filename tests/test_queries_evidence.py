"""Every evidence path the analyst queries show is a walk over real edges, on
a generated county (``xuncha generate --scale county --seed 7``): each hop of
every ``related`` reason (all seeds, every tier) is an edge of the graph with
the stated kind and properties; every trail stop is a HELD_POSITION edge with
its real dates; every cluster link and every ``path`` step is an edge."""

from __future__ import annotations

import random

import pytest
from click.testing import CliRunner

from xuncha.queries import patterns as P
from xuncha.queries.paths import paths
from xuncha.queries.related import related


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    from tests.server.test_server_push import load_store
    from xuncha.cli import main

    out = tmp_path_factory.mktemp("gen") / "county"
    res = CliRunner().invoke(main, ["generate", "--scale", "county", "--seed", "7", "-o", str(out),
                                    "-q", "--no-truth"])
    assert res.exit_code == 0, res.output
    return load_store(out)


def is_edge(g, hop) -> bool:
    data = g.get_edge_data(hop["source"], hop["target"]) or {}
    return any(d["kind"] == hop["kind"] and all(d.get(k) == v for k, v in hop["props"].items())
               for d in data.values())


def test_every_related_reason_walks_real_edges(county):
    g = county.graph
    seeds = sorted(n for k in ("issue", "lead") for n, _ in county.nodes(k))
    seeds += random.Random(3).sample(sorted(n for n, _ in county.nodes("cadre")), 40)
    seeds += sorted(n for n, _ in county.nodes("unit"))[:15]
    hops = results = 0
    signals = set()
    for seed in seeds:
        for row in related(county, seed, limit=None, min_tier="weak"):
            results += 1
            assert row.reasons, (seed, row.id)
            for r in row.reasons:
                signals.add(r.signal)
                assert r.path[-1] == row.id
                if r.signal == "similar_text":
                    assert r.hops == [] and len(r.path) == 2
                    continue
                assert len(r.hops) == len(r.path) - 1, (seed, r)
                for a, b, h in zip(r.path, r.path[1:], r.hops):
                    assert {h["source"], h["target"]} == {a, b}
                    assert is_edge(g, h), (seed, row.id, r.signal, h)
                    hops += 1
    assert results > 1000 and hops > 5000
    assert {"same_cadre", "linked", "principal", "same_unit", "similar_text"} <= signals


def test_trail_stops_and_cluster_links_are_edges(county):
    g = county.graph
    trails = P.trails(county, role="any")
    assert trails
    for t in trails:
        for s in t.stops:
            assert any(d["kind"] == "HELD_POSITION" and d.get("start") == s.start
                       and d.get("end") == s.end and d.get("title") == s.title
                       for d in (g.get_edge_data(t.cadre, s.unit) or {}).values()), (t.cadre, s)
        starts = [s.start for s in t.stops]
        assert starts == sorted(starts)
    clusters = P.clusters(county)
    assert clusters
    for c in clusters:
        for link in c.links:
            assert len(link["hops"]) == 1 and is_edge(g, link["hops"][0]), link


def test_path_steps_are_edges(county):
    rnd = random.Random(5)
    people = sorted(n for n, _ in county.nodes("cadre"))
    issues = sorted(n for n, _ in county.nodes("issue"))
    found = 0
    for _ in range(15):
        for p in paths(county, rnd.choice(people), rnd.choice(issues), max_hops=6, limit=3):
            found += 1
            for st in p.steps:
                assert any(d["kind"] == st.kind for d in county.graph.get_edge_data(
                    st.source, st.target).values())
            assert p.weight == pytest.approx(sum(
                __import__("xuncha.queries.paths", fromlist=["x"]).EDGE_WEIGHTS[s.kind]
                for s in p.steps))
    assert found > 5
