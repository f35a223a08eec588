"""related(): every signal and tier on the hand-built world, and the near
misses that must not match (see tests/test_queries_common.py for the world).

Inspection periods of the world (every unit is inspected in both rounds, the
team arriving on the round's start): R1 covers 2014-03-01..2019-03-01 (first
inspection: five years back), R2 covers 2019-03-02..2021-03-01 (since R1's
arrival).  Nobody named in the world's items was a principal, so the
``principal`` signal (moderate) does not occur here (see
tests/test_queries_planted.py); one principal answering for two items is
``same_principal`` (weak).
"""

from __future__ import annotations

import pytest

from xuncha.errors import XunchaError
from xuncha.queries import related as R
from xuncha.queries.related import related
from xuncha.queries.text import TextIndex, ngrams, normalise, similarity

from .test_queries_common import world  # noqa: F401  (fixture)


def by_id(rows):
    return {r.id: r for r in rows}


def reasons(row, signal):
    return [x for x in row.reasons if x.signal == signal]


def test_same_cadre_and_linked_lead_are_strong(world):
    got = by_id(related(world, "issue:I3", limit=None))
    assert got["issue:I4"].signals == ["same_cadre"] and got["issue:I4"].tier == "strong"
    (why,) = reasons(got["issue:I4"], "same_cadre")
    assert why.path == ["issue:I3", "cadre:C5", "issue:I4"]
    assert [h["kind"] for h in why.hops] == ["IMPLICATES", "IMPLICATES"]
    assert "赵强 (cadre:C5)" in why.text
    assert set(got["lead:L1"].signals) == {"same_cadre", "linked"}
    (link,) = reasons(got["lead:L1"], "linked")
    assert link.path == ["issue:I3", "lead:L1"] and link.hops[0]["kind"] == "RAISED_FROM"


def test_kin_tie_names_the_relation(world):
    got = by_id(related(world, "issue:I1", limit=None))
    row = got["issue:I2"]
    assert row.signals == ["kin"] and row.tier == "strong"
    (why,) = reasons(row, "kin")
    assert why.path == ["issue:I1", "cadre:C3", "cadre:C4", "issue:I2"]
    assert why.hops[1]["kind"] == "RELATED_TO" and why.hops[1]["props"]["relation_kind"] == "sibling"
    assert "兄弟姐妹" in why.text.render("zh") and "李娜 (cadre:C3)" in why.text and "王芳 (cadre:C4)" in why.text
    # C4 is no subject of a lead about I2's case? She is (L2): no mention discount.
    assert row.score == R.RELATION_WEIGHTS["sibling"]
    assert "lead:L2" in got


def test_tie_chain_two_hops_is_moderate(world):
    row = by_id(related(world, "issue:I1", limit=None))["issue:I20"]
    assert row.signals == ["tie_chain"] and row.tier == "moderate"
    (why,) = reasons(row, "tie_chain")
    assert why.path == ["issue:I1", "cadre:C3", "cadre:C4", "cadre:C11", "issue:I20"]
    assert why.weight == pytest.approx(
        R.RELATION_WEIGHTS["sibling"] * R.RELATION_WEIGHTS["business"] * R.MENTION_FACTOR)
    assert "经济往来" in why.text.render("zh") and "兄弟姐妹" in why.text.render("zh")
    # One hop from C4's own issue: a plain (non-kin) tie, moderate.
    row = by_id(related(world, "issue:I2", limit=None))["issue:I20"]
    assert row.signals == ["tie"] and row.tier == "moderate"


def test_same_principal_answers_for_both_inspected_periods(world):
    got = by_id(related(world, "issue:I1", limit=None, min_tier="weak"))
    row = got["issue:I11"]
    assert row.signals == ["same_principal"] and row.tier == "weak"
    (why,) = reasons(row, "same_principal")
    # I1's unit <- its answerable principal C1 -> U2, where C1 answers for I11.
    assert why.path == ["issue:I1", "unit:U1", "cadre:C1", "unit:U2", "issue:I11"]
    assert [h["kind"] for h in why.hops] == ["FOUND_IN", "HELD_POSITION", "HELD_POSITION", "FOUND_IN"]
    assert why.hops[1]["props"]["start"] == "2015-01-01" and why.hops[2]["props"]["start"] == "2020-01-01"
    # C1 headed U1 for 1,520 of the 1,827 days of R1's period, U2 for 426 of R2's 731.
    assert "局长任职2015-01至2019-12，覆盖被巡察期间(2014-03至2019-03)的83%" in why.text.render("zh")
    assert "院长任职2020-01至今，覆盖被巡察期间(2019-03至2021-03)的58%" in why.text.render("zh")
    # neither item names him: not shown by default
    assert "issue:I11" not in by_id(related(world, "issue:I1", limit=None))


def test_a_principal_who_left_during_the_period_still_answers(world):
    # C1 left U1 at the end of 2019, ten months into R2's period: 离任不免责,
    # so R2's I14 at U1 is his too, although he was at U2 when it was found.
    got = by_id(related(world, "issue:I11", limit=None, min_tier="weak"))
    assert got["issue:I14"].signals == ["same_principal"]
    # C10 left U4 two months before R1's arrival: he answers for I9 at U4 and,
    # as principal of U6 since 2019-06, for R2's I10.
    got = by_id(related(world, "issue:I9", limit=None, min_tier="weak"))
    assert got["issue:I10"].signals == ["same_principal"]
    (why,) = reasons(got["issue:I10"], "same_principal")
    assert "2016-01至2018-12" in why.text.render("zh")


def test_principal_of_an_earlier_period_does_not_answer(world):
    # R1's issues at U6 (I5, I20) predate C10 (there since 2019-06-01).
    got = by_id(related(world, "issue:I3", limit=None, min_tier="weak"))
    assert "issue:I10" in got and "issue:I5" not in got and "issue:I20" not in got
    got = by_id(related(world, "cadre:C10", limit=None))
    assert {"issue:I10", "issue:I3", "issue:I8", "issue:I9"} <= set(got)
    assert "issue:I5" not in got and "issue:I20" not in got


def test_overlapping_posts_without_a_declared_tie_are_weak(world):
    assert "issue:I6" not in by_id(related(world, "issue:I5", limit=None))
    got = by_id(related(world, "issue:I5", limit=None, min_tier="weak"))
    row = got["issue:I6"]
    assert row.signals == ["coworker"] and row.tier == "weak"
    (why,) = reasons(row, "coworker")
    assert why.path == ["issue:I5", "cadre:C6", "unit:U3", "cadre:C7", "issue:I6"]
    assert [h["kind"] for h in why.hops] == ["IMPLICATES", "HELD_POSITION", "HELD_POSITION",
                                           "IMPLICATES"]
    assert "2012-06-01" in why.text
    # C8 (I7) and C9 (I8) served at U5 but never at the same time.
    assert "issue:I8" not in by_id(related(world, "issue:I7", limit=None, min_tier="weak"))


def test_nothing_qualifies_means_empty(world):
    # I12 (U2 卫健) and I4 (U5 教育): same region, round and category, nothing else;
    # I12's only links are weak (same unit).
    assert related(world, "issue:I12", limit=None) == []
    got = by_id(related(world, "issue:I12", limit=None, min_tier="weak"))
    assert "issue:I4" not in got
    assert set(got) == {"issue:I11", "issue:I15", "issue:I19"}
    assert all(r.signals == ["same_unit"] and r.tier == "weak" for r in got.values())


def test_category_sector_period_is_weak(world):
    got = by_id(related(world, "issue:I3", limit=None, min_tier="weak"))
    row = got["issue:I17"]  # U1 经济, procurement, 56 days later
    assert row.signals == ["category_sector"] and row.tier == "weak"
    assert reasons(row, "category_sector")[0].path == ["issue:I3", "category:procurement",
                                                      "issue:I17"]
    assert "issue:I18" not in by_id(related(world, "issue:I17", limit=None, min_tier="weak"))
    assert "issue:I17" not in by_id(related(world, "issue:I3", limit=None))


def test_similar_descriptions_are_weak_and_have_no_hops(world):
    got = by_id(related(world, "issue:I1", limit=None, min_tier="weak"))
    row = got["issue:I19"]
    assert row.signals == ["similar_text"]
    (why,) = reasons(row, "similar_text")
    assert why.path == ["issue:I1", "issue:I19"] and why.hops == []
    assert 0 < row.score <= R.W_TEXT


def test_order_is_tier_score_evidence_recency(world):
    rows = related(world, "unit:U6", limit=None, min_tier="weak")
    keys = [(R.TIERS.index(r.tier), -r.score, -r.evidence) for r in rows]
    assert keys == sorted(keys)
    for a, b in zip(rows, rows[1:]):
        if (a.tier, a.score, a.evidence) == (b.tier, b.score, b.evidence):
            assert (a.date or "") >= (b.date or "")
    assert [r.as_dict() for r in rows] == [r.as_dict() for r in related(world, "U6", limit=None,
                                                                         min_tier="weak")]


def test_score_is_noisy_or(world):
    l1 = by_id(related(world, "issue:I3", limit=None, min_tier="weak"))["lead:L1"]
    # same unit: the same-cadre link is discounted; C5 is L1's subject (no mention factor)
    expect = 1 - (1 - R.W_SAME_CADRE * R.SAME_UNIT_FACTOR) * (1 - R.W_LINKED) * (1 - R.W_SAME_UNIT)
    assert l1.score == round(expect, 4)


def test_cadre_seed(world):
    got = by_id(related(world, "cadre:C1", limit=None))
    # C1 answers for U1's R1 issues and R2's I14 (left during its period), U2's R2 issue.
    assert set(got) == {"issue:I1", "issue:I7", "issue:I17", "issue:I14", "issue:I11"}
    (why,) = reasons(got["issue:I11"], "principal")
    assert why.path == ["cadre:C1", "unit:U2", "issue:I11"]
    got = by_id(related(world, "cadre:C3", limit=None))
    assert got["issue:I1"].signals == ["same_cadre"]
    assert got["issue:I2"].signals == ["kin"]


def test_unit_seed_links_elsewhere_and_own_items_only_as_weak(world):
    got = by_id(related(world, "unit:U6", limit=None))
    # I2/L2 (C4, business partner of C11 of I20); I1 (C3, C4's sibling: a chain)
    assert set(got) == {"issue:I2", "lead:L2", "issue:I1"}
    assert got["issue:I2"].signals == ["tie"] and got["issue:I1"].signals == ["tie_chain"]
    weak = by_id(related(world, "unit:U6", limit=None, min_tier="weak"))
    # own items; I6 (C7 overlapped C6 of I5 at U3); U4's R1 items (C10 answers
    # for them and for I10 here)
    assert {"issue:I5", "issue:I10", "issue:I20", "issue:I6", "issue:I3", "issue:I8",
            "issue:I9", "lead:L1"} <= set(weak)
    assert weak["issue:I6"].signals == ["coworker"]
    assert reasons(weak["issue:I5"], "same_unit")[0].path == ["unit:U6", "issue:I5"]


def test_json_row_shape_and_every_hop_is_an_edge(world):
    for seed in ("issue:I1", "issue:I3", "unit:U6", "cadre:C1", "lead:L2"):
        for row in related(world, seed, limit=None, min_tier="weak"):
            d = row.as_dict()
            assert list(d)[:2] == ["id", "kind"] and {"score", "tier", "evidence"} <= set(d)
            assert d["reasons"]
            for r in d["reasons"]:
                assert r["path"][-1] == d["id"]
                if r["signal"] == "similar_text":
                    continue
                assert len(r["hops"]) == len(r["path"]) - 1
                for a, b, h in zip(r["path"], r["path"][1:], r["hops"]):
                    assert {h["source"], h["target"]} == {a, b}
                    assert any(e["kind"] == h["kind"] and
                               all(e.get(k) == v for k, v in h["props"].items())
                               for e in world.graph.get_edge_data(h["source"], h["target"]).values())


def test_limit_min_score_tier_and_signal_filter(world):
    assert len(related(world, "issue:I3", limit=2)) == 2
    assert {r.id for r in related(world, "issue:I3", min_score=0.5, limit=None)} == {
        "lead:L1", "issue:I4"}
    assert {r.id for r in related(world, "issue:I3", min_tier="strong", limit=None)} == {
        "lead:L1", "issue:I4"}
    only = related(world, "issue:I3", signals=("same_unit",), limit=None, min_tier="weak")
    assert {r.id for r in only} == {"lead:L1", "issue:I8", "issue:I9", "issue:I18"}
    assert all(r.signals == ["same_unit"] for r in only)
    with pytest.raises(XunchaError):
        related(world, "issue:I3", signals=("nope",))
    with pytest.raises(XunchaError):
        related(world, "issue:I3", min_tier="medium")


def test_unknown_reference_is_a_clean_error(world):
    with pytest.raises(XunchaError, match="未找到"):
        related(world, "issue:I999")
    with pytest.raises(XunchaError, match="歧义"):
        related(world, "张伟")  # two people


# -- text similarity ---------------------------------------------------------------------


def test_ngrams_stay_inside_runs():
    assert normalise("违规，发放 ABC") == ["违规", "发放", "abc"]
    assert ngrams("违规发放") == ["违规", "规发", "发放", "违规发", "规发放"]
    assert "规发" not in ngrams("违规，发放")


def test_similarity_orders_near_above_far():
    a = "违规发放津贴补贴"
    assert similarity(a, a) == pytest.approx(1.0)
    assert similarity(a, "违规发放津贴") > similarity(a, "违规公款吃喝") > similarity(a, "办公用房超标")
    assert similarity(a, "") == 0.0


def test_masked_names_are_blanked():
    assert normalise("反映王某涉嫌违纪，李某某收受") == ["反映", "涉嫌违纪", "收受"]


def test_boilerplate_weighs_nothing():
    idx = TextIndex()
    for i in range(50):
        idx.add(f"t{i}", f"反映{'赵钱孙李周吴郑王'[i % 8]}某涉嫌违规收受礼金问题")
    for i in range(40):
        idx.add(f"o{i}", f"其他事项第{i}项")
    # a template shared by 50 of 90 records: every term is boilerplate
    assert idx.similar("t0", min_similarity=0.01) == []


def test_text_index_matches_through_rare_terms_and_skips_self():
    idx = TextIndex()
    docs = {f"d{i}": f"存在问题{i}号" for i in range(6)}
    docs.update({"a": "存在问题违规发放津贴补贴", "b": "违规发放津贴补贴存在问题", "c": "存在问题办公用房超标"})
    for k, v in docs.items():
        idx.add(k, v)
    hits = idx.similar("a", min_similarity=0.3)
    assert hits[0][0] == "b" and all(d != "a" for d, _ in hits)
    assert hits[0][1] == pytest.approx(idx.cosine("a", "b"))
    assert "c" not in dict(hits)
