"""patterns: common, recurring, trails, clusters on the hand-built world
(see tests/test_queries_common.py), with their near misses."""

from __future__ import annotations

import pytest

from xuncha.errors import XunchaError
from xuncha.queries import patterns as P
from xuncha.queries.common import Window

from .test_queries_common import world  # noqa: F401  (fixture)


def test_common_needs_units_and_share(world):
    rows = P.common(world, Window(rounds=("round:R1",)), min_units=4)
    assert [(r.round, r.category) for r in rows] == [("round:R1", "category:financial_management")]
    (r,) = rows
    assert r.units == ["unit:U1", "unit:U2", "unit:U3", "unit:U5"]
    assert r.units_inspected == 6 and r.share == round(4 / 6, 4)
    assert r.issues == ["issue:I12", "issue:I13", "issue:I4", "issue:I7"]
    # Four units is below the default minimum (5); 4/6 is below a 0.7 share.
    assert P.common(world, Window(rounds=("round:R1",))) == []
    assert P.common(world, Window(rounds=("round:R1",)), min_units=4, min_share=0.7) == []


def test_common_region_filter_includes_sub_regions(world):
    # 东湖区 holds U1 and, through 青石镇 (a township below it), U3.
    rows = P.common(world, Window(regions=("region:330101",)), min_units=2)
    assert [(r.round, r.category, r.units, r.units_inspected) for r in rows] == [
        ("round:R1", "category:financial_management", ["unit:U1", "unit:U3"], 2)]


def test_common_pooled_and_top_level(world):
    rows = P.common(world, min_units=6, min_share=1.0, level="category", per_round=False)
    # Every unit had a discipline 纪律建设 issue at some point.
    assert [(r.round, r.category) for r in rows] == [(None, "category:discipline")]
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


def test_trails_follow_principal_tenures(world):
    rows = P.trails(world)
    assert [t.cadre for t in rows] == ["cadre:C1"]
    (t,) = rows
    assert [(s.unit, s.issues) for s in t.stops] == [
        ("unit:U1", ["issue:I1", "issue:I7", "issue:I17"]),
        ("unit:U2", ["issue:I11"]),  # I12, I15, I19 were found before C1 came
    ]
    assert t.stops[0].start < t.stops[1].start
    # C10 headed U4 and U6, but U4's issues came after he left: one stop only.
    assert "cadre:C10" not in {t.cadre for t in P.trails(world, min_units=2)}
    assert "cadre:C10" in {t.cadre for t in P.trails(world, min_units=1)}


def test_trails_by_implication(world):
    assert [t.cadre for t in P.trails(world, role="implicated")] == ["cadre:C5"]
    assert [t.cadre for t in P.trails(world, role="any")] == ["cadre:C1", "cadre:C5"]
    assert P.trails(world, Window(until="2020-12-31")) == []


def test_clusters_join_by_cadres_and_ties_only(world):
    rows = P.clusters(world)
    assert [(c.number, c.items, c.units) for c in rows] == [
        # C3 sibling C4, C4 business with C11: three units
        (1, ["issue:I1", "issue:I2", "issue:I20", "lead:L2"], ["unit:U1", "unit:U3", "unit:U6"]),
        (2, ["issue:I3", "issue:I4", "lead:L1"], ["unit:U4", "unit:U5"]),  # C5; a case filed
    ]
    assert rows[1].cases == 1 and rows[1].sanctions == 1
    texts = " ".join(x["text"] for x in rows[0].links)
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
