"""related(): every signal on the hand-built world, and the near misses that
must not match (see tests/test_queries_common.py for the world)."""

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


def test_same_cadre_and_linked_lead(world):
    got = by_id(related(world, "issue:I3", limit=None))
    assert got["issue:I4"].signals == ["same_cadre"]
    (why,) = reasons(got["issue:I4"], "same_cadre")
    assert why.path == ["issue:I3", "cadre:C5", "issue:I4"]
    assert "赵强 (cadre:C5)" in why.text
    assert set(got["lead:L1"].signals) == {"same_cadre", "linked", "same_unit"}
    (link,) = reasons(got["lead:L1"], "linked")
    assert link.path == ["issue:I3", "lead:L1"]


def test_kin_tie_names_the_relation(world):
    got = by_id(related(world, "issue:I1", limit=None))
    row = got["issue:I2"]
    assert row.signals == ["tie"]
    (why,) = reasons(row, "tie")
    assert why.path == ["issue:I1", "cadre:C3", "cadre:C4", "issue:I2"]
    assert "兄弟姐妹" in why.text and "李娜 (cadre:C3)" in why.text and "王芳 (cadre:C4)" in why.text
    assert row.score == R.TIE_WEIGHTS["sibling"]
    assert "lead:L2" in got  # the lead about C4 too


def test_tie_chain_two_hops(world):
    # C3 (I1) is C4's sibling; C4 does business with C11 (I20).
    row = by_id(related(world, "issue:I1", limit=None))["issue:I20"]
    assert row.signals == ["tie_chain"]
    (why,) = reasons(row, "tie_chain")
    assert why.path == ["issue:I1", "cadre:C3", "cadre:C4", "cadre:C11", "issue:I20"]
    assert why.weight == pytest.approx(
        R.TIE_WEIGHTS["sibling"] * R.TIE_WEIGHTS["business"] * R.MENTION_FACTOR)
    assert "经济往来" in why.text and "兄弟姐妹" in why.text
    # One hop from C4's own issue: a plain tie.
    assert by_id(related(world, "issue:I2", limit=None))["issue:I20"].signals == ["tie"]


def test_same_principal_across_units_at_both_dates(world):
    got = by_id(related(world, "issue:I1", limit=None))
    row = got["issue:I11"]
    assert row.signals == ["principal"]
    (why,) = reasons(row, "principal")
    # I1's unit -> its principal C1 on 2019-03-20 -> U2, where C1 was principal on 2021-03-20.
    assert why.path == ["issue:I1", "unit:U1", "cadre:C1", "unit:U2", "issue:I11"]
    assert "2019-03-20" in why.text and "2021-03-20" in why.text and "张伟 (cadre:C1)" in why.text


def test_principal_outside_the_tenure_does_not_match(world):
    # I9 (U4, 2019-05-01) came after C10 left U4; C10 then headed U6 (I10).
    got = by_id(related(world, "issue:I9", limit=None))
    assert "issue:I10" not in got
    got = by_id(related(world, "issue:I10", limit=None))
    assert "issue:I9" not in got
    # From C10 himself: I10 (in his U6 tenure) is a principal match; I3, I8, I9
    # (U4 in 2019, after he left) are not.
    got = by_id(related(world, "cadre:C10", limit=None))
    assert got["issue:I10"].signals == ["principal"]
    for far in ("issue:I3", "issue:I8"):
        assert far not in got
    assert "principal" not in got.get("issue:I9", R.Related("", "", "", None, None, 0)).signals
    # I12 at U2 was found in 2019, before C1 arrived there: no principal link to U1's issues.
    assert "issue:I12" not in by_id(related(world, "issue:I1", limit=None))


def test_same_name_different_person_does_not_match(world):
    # C2 张伟 (named in I9) is not C1 张伟 (principal of U1 and U2).
    got = by_id(related(world, "issue:I9", limit=None))
    for other in ("issue:I1", "issue:I7", "issue:I11", "issue:I17"):
        assert other not in got
    assert "issue:I9" not in by_id(related(world, "cadre:C1", limit=None))


def test_derived_colleagues_need_overlapping_tenure(world):
    got = by_id(related(world, "issue:I5", limit=None))
    (why,) = reasons(got["issue:I6"], "tie")
    # no lead is about C7: a mere mention
    assert why.weight == pytest.approx(R.W_DERIVED_COLLEAGUE * R.MENTION_FACTOR)
    assert why.path == ["issue:I5", "cadre:C6", "cadre:C7", "issue:I6"]
    assert "同事" in why.text and "2012-06-01" in why.text
    # C8 (I7) and C9 (I8) served at U5 but never at the same time.
    assert "issue:I8" not in by_id(related(world, "issue:I7", limit=None))


def test_hubs_alone_never_relate(world):
    # I12 (U2 卫健) and I4 (U5 教育): same region 330102, same round R1, same
    # category financial_management, nothing else.
    got = by_id(related(world, "issue:I12", limit=None))
    assert "issue:I4" not in got
    assert set(got) == {"issue:I11", "issue:I15", "issue:I19"}  # same unit only
    assert all(r.signals == ["same_unit"] for r in got.values())


def test_category_sector_period(world):
    got = by_id(related(world, "issue:I3", limit=None))
    row = got["issue:I17"]  # U1 经济, procurement, 56 days later
    assert row.signals == ["category_sector"]
    assert reasons(row, "category_sector")[0].path == ["issue:I3", "category:procurement",
                                                      "issue:I17"]
    # I18 (U4 经济 procurement) is two years after I17: not the same period.
    assert "issue:I18" not in by_id(related(world, "issue:I17", limit=None))


def test_similar_descriptions(world):
    got = by_id(related(world, "issue:I1", limit=None))
    row = got["issue:I19"]
    assert row.signals == ["similar_text"]
    sim = similarity("违规发放津贴补贴", "违规发放津贴补贴共计十二万元")
    assert sim > R.TEXT_MIN
    assert 0 < row.score <= R.W_TEXT


def test_score_is_noisy_or_and_order_is_deterministic(world):
    rows = related(world, "issue:I3", limit=None)
    l1 = by_id(rows)["lead:L1"]
    # same unit: the same-cadre link is halved; C5 is L1's subject (no mention factor)
    expect = 1 - (1 - R.W_SAME_CADRE * R.SAME_UNIT_FACTOR) * (1 - R.W_LINKED) * (1 - R.W_SAME_UNIT)
    assert l1.score == round(expect, 4)
    keys = [(-r.score, r.id) for r in rows]
    assert keys == sorted(keys)
    assert [r.as_dict() for r in rows] == [r.as_dict() for r in related(world, "I3", limit=None)]


def test_cadre_seed(world):
    got = by_id(related(world, "cadre:C1", limit=None))
    assert set(got) == {"issue:I1", "issue:I7", "issue:I17", "issue:I11"}
    (why,) = reasons(got["issue:I11"], "principal")
    assert why.path == ["cadre:C1", "unit:U2", "issue:I11"]
    got = by_id(related(world, "cadre:C3", limit=None))
    assert got["issue:I1"].signals == ["same_cadre"]
    assert got["issue:I2"].signals == ["tie"]


def test_unit_seed_lists_own_items_and_links_elsewhere(world):
    got = by_id(related(world, "unit:U6", limit=None))
    # own I5, I10, I20; I6 (C7, colleague of C6); I2/L2 (C4, partner of C11); I1 (chain)
    assert set(got) == {"issue:I5", "issue:I10", "issue:I20", "issue:I6", "issue:I2", "lead:L2",
                        "issue:I1"}
    assert got["issue:I6"].signals == ["tie"]
    assert reasons(got["issue:I5"], "same_unit")[0].path == ["unit:U6", "issue:I5"]


def test_json_row_shape(world):
    d = related(world, "issue:I1", limit=1)[0].as_dict()
    assert list(d)[:2] == ["id", "kind"] and "score" in d
    for r in d["reasons"]:
        assert set(r) >= {"signal", "text", "path"}
        assert r["path"][0] == "issue:I1" and r["path"][-1] == d["id"]


def test_limit_min_score_and_signal_filter(world):
    assert len(related(world, "issue:I3", limit=2)) == 2
    assert {r.id for r in related(world, "issue:I3", min_score=0.5, limit=None)} == {
        "lead:L1", "issue:I4"}
    only = related(world, "issue:I3", signals=("same_unit",), limit=None)
    assert {r.id for r in only} == {"lead:L1", "issue:I8", "issue:I9", "issue:I18"}
    assert all(r.signals == ["same_unit"] for r in only)
    with pytest.raises(XunchaError):
        related(world, "issue:I3", signals=("nope",))


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


def test_text_index_matches_through_rare_terms_and_skips_self():
    idx = TextIndex(max_df=0.5, min_max_df=1)
    docs = {f"d{i}": f"存在问题{i}号" for i in range(6)}
    docs.update({"a": "存在问题违规发放津贴补贴", "b": "违规发放津贴补贴存在问题", "c": "存在问题办公用房超标"})
    for k, v in docs.items():
        idx.add(k, v)
    hits = idx.similar("a", min_similarity=0.3)
    assert hits[0][0] == "b" and all(d != "a" for d, _ in hits)
    assert hits[0][1] == pytest.approx(idx.cosine("a", "b"))
    assert "c" not in dict(hits)
