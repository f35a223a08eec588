"""patterns: common, recurring, trails, clusters on the hand-built world
(see tests/test_queries_common.py), with their near misses."""

from __future__ import annotations

import pytest

from xuncha.errors import XunchaError
from xuncha.queries import patterns as P
from xuncha.queries.common import Window

from .test_queries_common import world  # noqa: F401  (fixture)


def test_common_min_units_alone_and_share_only_when_asked(world):
    rows = P.common(world, Window(rounds=("round:R1",)), min_units=4)
    assert [(r.round, r.category) for r in rows] == [("round:R1", "category:financial_management")]
    (r,) = rows
    assert r.units == ["unit:U1", "unit:U2", "unit:U3", "unit:U5"]
    assert r.units_inspected == 6 and r.share == round(4 / 6, 4)
    assert r.issues == ["issue:I12", "issue:I13", "issue:I4", "issue:I7"]
    # Base rate: 4 of the 12 inspections (6 units × 2 rounds) found it; lift 0.667/0.333.
    assert (r.base_with, r.base_inspections, r.lift) == (4, 12, 2.0)
    assert P.common(world, Window(rounds=("round:R1",)), min_units=4, min_share=0.7) == []
    assert P.common(world, Window(rounds=("round:R1",)), min_units=5) == []
    # The default minimum is three units, with no share.
    assert P.COMMON_MIN_UNITS == 3
    assert [r.category for r in P.common(world, Window(rounds=("round:R1",)))] == [
        "category:financial_management"]


def test_common_region_filter_includes_sub_regions(world):
    # 东湖区 holds U1 and, through 青石镇 (a township below it), U3.
    rows = P.common(world, Window(regions=("region:330101",)), min_units=2)
    assert [(r.round, r.category, r.units, r.units_inspected) for r in rows] == [
        ("round:R1", "category:financial_management", ["unit:U1", "unit:U3"], 2)]


def test_common_pooled_and_top_level(world):
    rows = P.common(world, min_units=6, min_share=1.0, level="category", per_round=False)
    # Every unit had a discipline 纪律建设 issue at some point.
    assert [(r.round, r.category) for r in rows] == [(None, "category:discipline")]
    # Found in 8 of the 12 inspections (all six in R1, U3 and U4 in R2): lift 1.
    assert (rows[0].base_with, rows[0].base_inspections, rows[0].lift) == (8, 12, 1.0)
    with pytest.raises(XunchaError):
        P.common(world, level="nope")


def test_recurring_after_rectification(world):
    rows = P.recurring(world)
    assert [(r.unit, r.category, r.first_issue, r.again_issue) for r in rows] == [
        ("unit:U1", "category:eight_point_rules", "issue:I1", "issue:I14")]
    (r,) = rows
    assert r.rectified_date == "2019-08-01" and r.lookback and r.again_round == "round:R2"
    assert r.path == ["issue:I1", "unit:U1", "issue:I14"]
    # Not recurrences: U2 formalism (I15 never rectified, then I11), U3 (I2
    # rectified, then a different subcategory I16), U4 procurement (I3 has no action).


def test_recurring_respects_the_window(world):
    assert P.recurring(world, Window(since="2021-03-11")) == []
    assert P.recurring(world, Window(regions=("region:330102",))) == []
    assert len(P.recurring(world, Window(sectors=("经济",)))) == 1


def test_trails_follow_the_inspected_periods(world):
    rows = P.trails(world)
    assert [t.cadre for t in rows] == ["cadre:C1", "cadre:C10"]
    t = rows[0]
    assert [(s.unit, s.title, s.start, s.end, s.issues) for s in t.stops] == [
        # R1's U1 issues, and R2's I14: he left U1 seven months into its period
        ("unit:U1", "局长", "2015-01-01", "2019-12-31", ["issue:I1", "issue:I7", "issue:I17", "issue:I14"]),
        ("unit:U2", "院长", "2020-01-01", None, ["issue:I11"]),  # R1's (I12, I15, I19) predate him
    ]
    assert [p["round"] for p in t.stops[0].periods] == ["round:R1", "round:R2"]
    assert t.stops[0].periods[0]["text"].render("zh") == "局长任职2015-01至2019-12，覆盖被巡察期间(2014-03至2019-03)的83%"
    # C10 left U4 two months before R1 arrived: U4's R1 issues are his, and U6's R2 one.
    c10 = rows[1]
    assert [(s.unit, s.issues) for s in c10.stops] == [
        ("unit:U4", ["issue:I3", "issue:I8", "issue:I9"]), ("unit:U6", ["issue:I10"])]


def test_trail_stops_are_real_posts(world):
    for t in P.trails(world, role="any", min_units=1):
        for s in t.stops:
            assert any(d["kind"] == "HELD_POSITION" and d.get("start") == s.start
                       and d.get("end") == s.end and d.get("title") == s.title
                       for d in world.graph.get_edge_data(t.cadre, s.unit).values())


def test_trails_by_implication_never_invent_a_stop(world):
    # C5 is named at U4 and U5 but held no post there: no stop, no trail.
    assert P.trails(world, role="implicated") == []
    (c5,) = [t for t in P.trails(world, role="implicated", min_units=0) if t.cadre == "cadre:C5"]
    assert c5.stops == [] and c5.named_without_post == ["issue:I3", "issue:I4"]
    assert [t.cadre for t in P.trails(world, role="any")] == ["cadre:C1", "cadre:C10"]
    # Up to 2019 only R1's issues count: one unit each, no trail.
    assert P.trails(world, Window(until="2019-12-31")) == []
    assert {t.cadre for t in P.trails(world, Window(until="2019-12-31"), min_units=1)} == {
        "cadre:C1", "cadre:C10"}
    assert P.trails(world, Window(since="2021-04-01")) == []


def test_clusters_join_by_cadres_and_ties_only(world):
    rows = P.clusters(world)
    assert [(c.number, c.items, c.units) for c in rows] == [
        # C3 sibling C4, C4 business with C11: three units
        (1, ["issue:I1", "issue:I2", "issue:I20", "lead:L2"], ["unit:U1", "unit:U3", "unit:U6"]),
        (2, ["issue:I3", "issue:I4", "lead:L1"], ["unit:U4", "unit:U5"]),  # C5; a case filed
    ]
    assert rows[1].cases == 1 and rows[1].sanctions == 1
    texts = " ".join(x["text"].render("zh") for x in rows[0].links)
    assert "兄弟姐妹" in texts and "经济往来" in texts
    # Derived colleagues (I5/I6), same name (I9 vs C1) and hubs join nothing.
    single = P.clusters(world, min_units=1)
    assert ["issue:I5"] in [c.items for c in single] and ["issue:I6"] in [c.items for c in single]


def test_clusters_window(world):
    assert P.clusters(world, Window(sectors=("经济",))) == []  # I4 (教育) falls out
    # Without U6 (南岭县), the tie cluster keeps U1 and U3.
    rows = P.clusters(world, Window(regions=("region:330101", "region:330102")))
    assert [c.units for c in rows] == [["unit:U1", "unit:U3"]]
    assert len(P.clusters(world, Window(rounds=("round:R1",)))) == 2


def test_scan_dispatch(world):
    assert P.scan(world, "trails")[0].cadre == "cadre:C1"
    with pytest.raises(XunchaError):
        P.scan(world, "nope")
