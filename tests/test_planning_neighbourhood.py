"""`conflicts` reads only the pairs' neighbourhood: the same rows as the
checker over the whole graph, for every round, plans and team × unit pairs,
on generated data (every ground fires) and on the county example."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from xuncha.graph.build import build_graph
from xuncha.graph.store import GraphStore
from xuncha.loaders.dataset import load_dataset
from xuncha.planning.conflicts import find_conflicts
from xuncha.planning.neighbourhood import conflict_subgraph, resolve
from xuncha.planning.policy import load_policy

COUNTY = Path(__file__).parent.parent / "examples" / "county"


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    from xuncha.synth import generate

    d = tmp_path_factory.mktemp("gen")
    generate(d, scale="county", seed=11, truth=False)
    ds = load_dataset(d)
    return GraphStore(build_graph(ds.records))


@pytest.fixture(scope="module")
def county():
    ds = load_dataset(COUNTY)
    return GraphStore(build_graph(ds.records))


def rows(report):
    return [c.as_dict() for c in report.conflicts]


POLICIES = [
    {},
    {"repeat": "hard", "superior_subordinate": "hard", "native_place": "soft"},
    {"kinship": "off", "employment": "off"},
]


@pytest.mark.parametrize("modes", POLICIES)
def test_every_round_same_rows_as_the_whole_graph(generated, county, modes):
    pol = load_policy(None, modes or None)
    checked = fired = 0
    for store in (generated, county):
        for rid, _ in store.nodes("round"):
            raw = rid.partition(":")[2]
            try:
                full = find_conflicts(store, raw, policy=pol, neighbourhood=False)
            except Exception as exc:  # a round with no assignments: both must say so
                with pytest.raises(type(exc)):
                    find_conflicts(store, raw, policy=pol)
                continue
            local = find_conflicts(store, raw, policy=pol)
            assert rows(local) == rows(full), rid
            assert local.pairs == full.pairs and local.as_of == full.as_of
            checked += 1
            fired += len(full.conflicts)
    assert checked >= 5 and fired >= 10, (checked, fired)


def test_team_unit_pairs_and_plans_same_rows(generated):
    rnd = random.Random(3)
    teams = sorted(t.partition(":")[2] for t, _ in generated.nodes("team"))
    units = sorted(u.partition(":")[2] for u, _ in generated.nodes("unit"))
    pol = load_policy()
    seen = 0
    for it in range(25):
        ts, us = rnd.sample(teams, 2), rnd.sample(units, 6)
        as_of = rnd.choice(["2019-03-01", "2021-06-30", "2023-09-01"])
        full = find_conflicts(generated, None, None, ts, us, as_of, pol, neighbourhood=False)
        local = find_conflicts(generated, None, None, ts, us, as_of, pol)
        assert rows(local) == rows(full), it
        seen += len(full.conflicts)
        plan = ([{"team_id": t, "unit_id": u} for t, u in zip(ts * 3, us)], {"as_of": as_of})
        assert rows(find_conflicts(generated, plan=plan, policy=pol)) == rows(
            find_conflicts(generated, plan=plan, policy=pol, neighbourhood=False))
    assert seen > 0


def test_subgraph_is_small_and_ids_resolve_without_names(generated):
    rid = next(r for r, _ in generated.nodes("round"))
    raw = rid.partition(":")[2]
    sub = conflict_subgraph(generated, raw)
    assert 0 < sub.graph.number_of_nodes() < generated.graph.number_of_nodes() / 2
    assert not sub.graph.nodes(data="kind") or all(k != "issue" for _, k in sub.graph.nodes(data="kind"))
    # ids resolve directly: no name index is built on the store
    fresh = GraphStore(generated.graph)
    assert resolve(fresh, raw, "round") == rid and resolve(fresh, rid, "round") == rid
    assert "_names" not in fresh.__dict__
    name = generated.node(rid)["name"]
    assert resolve(fresh, name, "round") == rid  # a name still resolves (through the index)


def test_index_of_a_saved_workspace_equals_the_in_memory_one(county, tmp_path):
    """A saved workspace, not loaded: the planning index streams each edge kind
    and holds the same posts, memberships, history and regions."""
    from click.testing import CliRunner

    from xuncha.cli import main
    from xuncha.graph.workspace import open_workspace
    from xuncha.planning.index import PlanningIndex

    ws = tmp_path / "ws"
    assert CliRunner().invoke(main, ["load", str(COUNTY), "-w", str(ws), "-q"]).exit_code == 0
    lazy = open_workspace(ws)
    a, b = PlanningIndex(lazy), PlanningIndex(county)
    assert not lazy._whole  # answered without loading the graph
    assert a.posts_by_cadre == b.posts_by_cadre and a.posts_by_unit == b.posts_by_unit
    assert a._members == b._members and a.history == b.history and a.region_parent == b.region_parent
    assert a.posts_by_cadre and a.history
