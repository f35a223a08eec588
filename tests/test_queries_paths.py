"""paths/network and timeline/asof on the hand-built world (tests/test_queries_common.py)."""

from __future__ import annotations

import pytest

from xuncha.errors import XunchaError
from xuncha.queries.paths import EDGE_WEIGHTS, network, paths
from xuncha.queries.timeline import asof, timeline

from .test_queries_common import world  # noqa: F401  (fixture)


def test_lightest_path_goes_through_the_people_and_their_tie(world):
    got = paths(world, "issue:I1", "issue:I2")
    p = got[0]
    assert p.nodes == ["issue:I1", "cadre:C3", "cadre:C4", "issue:I2"]
    assert [s.kind for s in p.steps] == ["IMPLICATES", "RELATED_TO", "IMPLICATES"]
    assert p.weight == 3 * EDGE_WEIGHTS["IMPLICATES"]
    assert p.steps[1].props["relation_kind"] == "sibling"
    assert "sibling" in p.text and "<-[IMPLICATES]-" in p.text
    # k best, lightest first, all simple, every hop an edge
    assert len(got) == 5
    assert [x.weight for x in got] == sorted(x.weight for x in got)
    assert len({tuple(x.nodes) for x in got}) == 5
    for x in got:
        assert len(set(x.nodes)) == len(x.nodes)
        assert x.weight == sum(EDGE_WEIGHTS[s.kind] for s in x.steps)
        for st in x.steps:
            assert any(d["kind"] == st.kind for d in world.graph.get_edge_data(st.source, st.target).values())
    # the team that inspected both units is context: far down the list
    via_team = [x for x in got if "team:T1" in x.nodes]
    assert via_team and via_team[0].weight > 3 * p.weight


def test_shortest_counts_hops(world):
    # I1 and I14 share their unit: 2 hops, but through context (weight 6);
    # plain hop count puts that first either way, and weighs every hop 1.
    p = paths(world, "issue:I1", "issue:I14", shortest=True)[0]
    assert p.nodes == ["issue:I1", "unit:U1", "issue:I14"] and p.weight == 2
    assert paths(world, "issue:I1", "issue:I14")[0].weight == 2 * EDGE_WEIGHTS["FOUND_IN"]


def test_no_path_within_the_limit_is_empty(world):
    assert paths(world, "issue:I1", "issue:I2", max_hops=2) == []


def test_hubs_are_skipped_unless_asked(world):
    # I12 and I4 share only a round, a category and a region.
    assert paths(world, "issue:I12", "issue:I4", max_hops=2) == []
    via = paths(world, "issue:I12", "issue:I4", max_hops=2, through_hubs=True)
    assert sorted(p.nodes[1] for p in via) == ["category:financial_management", "round:R1"]
    longer = paths(world, "issue:I12", "issue:I4", max_hops=8)
    assert longer and all(not n.startswith(("round:", "category:", "region:"))
                          for p in longer for n in p.nodes)


def test_paths_are_deterministic_and_limited(world):
    a = [(p.weight, p.nodes) for p in paths(world, "issue:I12", "issue:I4", max_hops=8)]
    assert [w for w, _ in a] == sorted(w for w, _ in a)
    assert a == [(p.weight, p.nodes) for p in paths(world, "I12", "I4", max_hops=8)]
    assert len(paths(world, "issue:I12", "issue:I4", max_hops=8, limit=1)) == 1


def test_path_may_end_at_a_hub(world):
    p = paths(world, "issue:I1", "round:R1")[0]
    assert p.nodes == ["issue:I1", "round:R1"]


def test_network_connects_all_terminals(world):
    net = network(world, ["cadre:C3", "cadre:C5", "cadre:C1"])
    assert net.unreached == []
    assert {"cadre:C3", "cadre:C5", "cadre:C1"} <= set(net.nodes)
    assert len(net.paths) == 2  # a spanning tree over three terminals
    ends = {(p.nodes[0], p.nodes[-1]) for p in net.paths}
    assert ("cadre:C3", "cadre:C1") in ends  # the shortest pair is kept
    for st in net.steps:
        assert st.source in net.nodes and st.target in net.nodes
    with pytest.raises(XunchaError):
        network(world, ["cadre:C3"])


def test_network_reports_unreached(world):
    net = network(world, ["cadre:C3", "cadre:C4", "issue:I16"], max_hops=2)
    assert net.unreached == [("cadre:C3", "issue:I16"), ("cadre:C4", "issue:I16")]


def test_cadre_timeline_in_date_order(world):
    ev = timeline(world, "cadre:C1")
    assert [(e.date, e.event, e.id) for e in ev] == [
        ("2015-01-01", "post_start", "unit:U1"),
        ("2019-03-20", "issue_in_tenure", "issue:I1"),
        ("2019-03-22", "issue_in_tenure", "issue:I7"),
        ("2019-05-20", "issue_in_tenure", "issue:I17"),
        ("2019-12-31", "post_end", "unit:U1"),
        ("2020-01-01", "post_start", "unit:U2"),
        # R2 found I14 at U1 after he left: he headed it for 10 months of its period
        ("2021-03-10", "issue_in_tenure", "issue:I14"),
        ("2021-03-20", "issue_in_tenure", "issue:I11"),
    ]
    i14 = next(e for e in ev if e.id == "issue:I14")
    assert "局长任职2015-01至2019-12，覆盖被巡察期间(2019-03至2021-03)的42%" in i14.text.render("zh")
    # a stricter policy: 15 months in post at the arrival (C1 had 14 at U2)
    from xuncha.queries.periods import Policy

    strict = timeline(world, "cadre:C1", policy=Policy.from_months(newcomer_months=15))
    assert "issue:I11" not in {e.id for e in strict}
    ev = timeline(world, "cadre:C5")
    assert [(e.event, e.id) for e in ev] == [
        ("issue_named", "issue:I3"), ("issue_named", "issue:I4"),
        ("lead_transferred", "lead:L1"), ("case_filed", "lead:L1")]


def test_unit_timeline(world):
    ev = timeline(world, "unit:U1", as_of="2022-01-01")
    kinds = [e.event for e in ev]
    assert kinds[0] == "post_start" and "inspection_start" in kinds
    dates = [e.date for e in ev if e.date]
    assert dates == sorted(dates)
    done = [e for e in ev if e.id == "action:A1"]
    assert done[0].event == "action_completed" and done[0].date == "2019-08-01"
    due = [e for e in ev if e.id == "action:A4"]
    assert due[0].event == "action_due" and "逾期" in due[0].text.render("zh")  # 2021-12-31 < 2022-01-01
    assert "逾期" not in [e for e in timeline(world, "unit:U1", as_of="2021-06-01")
                          if e.id == "action:A4"][0].text
    with pytest.raises(XunchaError):
        timeline(world, "issue:I1")


def test_asof_windows_and_order(world):
    assert [p.cadre for p in asof(world, "unit:U3", "2012-07-01")] == ["cadre:C6", "cadre:C7"]
    assert [p.cadre for p in asof(world, "unit:U1", "2019-12-31")] == ["cadre:C1"]
    assert asof(world, "unit:U1", "2020-01-01") == []
    # Principal first: on 2017-06-01 U4 had C10 (局长, principal) and C2.
    rows = asof(world, "南岭县税务局", "2017-06-01")
    assert [(p.cadre, p.is_principal) for p in rows] == [("cadre:C10", True), ("cadre:C2", False)]
