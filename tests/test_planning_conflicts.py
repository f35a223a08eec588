"""Conflict rules 回避事由: each ground just inside and just outside its window,
composed kinship (in-laws, cousins), same-name people, evidence paths."""

from __future__ import annotations

import pytest

from xuncha.planning.conflicts import ConflictChecker, ManualRecusal, check_pairs
from xuncha.planning.index import Member
from xuncha.planning.kinship import Kinship, KinRules, classify
from xuncha.planning.policy import PolicyError, load_policy

from .test_planning_helpers import cadre, index, post, team, unit, world

AS_OF = "2024-03-01"  # window start for 3 years: 2021-03-01


def grounds(cs):
    return sorted({c.ground for c in cs})


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    d = tmp_path_factory.mktemp("conflicts")
    cadres = [cadre(f"I{i}") for i in range(1, 30)] + [cadre(f"K{i}") for i in range(1, 30)]
    cadres += [cadre("ZA", "张伟"), cadre("ZB", "张伟"), cadre("N1", native="330101001"),
               cadre("N2", native="330103")]
    units = [unit(f"U{i}") for i in range(1, 30)]
    units += [unit("U0"), unit("UC", parent="U0"), unit("UT", region="330101001", level="township")]
    positions = [
        # employment: recent window (short posts, so the long rule cannot fire)
        post("I1", "U1", "科员", False, "2020-06-01", "2021-03-01"),  # ends on the window start: in
        post("I2", "U2", "科员", False, "2020-06-01", "2021-02-28"),  # one day before: out
        post("I3", "U3", "科员", False, "2010-01-01", "2013-01-01"),  # exactly 3 years: long, in
        post("I4", "U4", "科员", False, "2010-01-02", "2013-01-01"),  # a day short of 3 years: out
        post("I5", "U5", "科员", False, "2024-03-02", None),  # starts after the date: out
        post("I6", "U0", "科员", False, "2022-01-01", None),  # superior unit of UC
        # kinship: the relative's post as of the date
        post("K1", "U6", "局长", True, "2024-03-01"),  # starts on the date: in
        post("K2", "U7", "局长", True, "2024-03-02"),  # starts the day after: out
        post("K3", "U8", "局长", True, "2019-01-01", "2024-02-29"),  # ended the day before: out
        post("K4", "U9", "副局长", False, "2020-01-01"),  # deputy: leadership by title
        post("K5", "U10", "科员", False, "2020-01-01"),  # spouse of I12, ordinary staff
        post("K6", "U11", "科员", False, "2020-01-01"),  # sibling of I13, ordinary staff
        post("K7", "U12", "局长", True, "2020-01-01"),  # in-law of I14 (spouse's sibling)
        post("K10", "U13", "局长", True, "2020-01-01"),  # cousin of I15
        post("K12", "U14", "局长", True, "2020-01-01"),  # great-uncle of I16
        post("ZB", "U15", "局长", True, "2020-01-01"),  # the other 张伟
        post("ZA", "U16", "局长", True, "2020-01-01"),  # the related 张伟
        # superior/subordinate: worked together, overlap within 3 years
        post("I20", "U20", "副局长", False, "2018-01-01", "2021-03-01"),
        post("K20", "U20", "局长", True, "2016-01-01", "2022-01-01"),
        post("K20", "U21", "局长", True, "2022-06-01"),
        post("I21", "U22", "副局长", False, "2018-01-01", "2021-02-28"),
        post("K21", "U22", "局长", True, "2016-01-01", "2022-01-01"),
        post("K21", "U23", "局长", True, "2022-06-01"),
    ]
    relations = [
        {"cadre_id": "I7", "other_id": "K1", "kind": "sibling"},
        {"cadre_id": "I8", "other_id": "K2", "kind": "sibling"},
        {"cadre_id": "K3", "other_id": "I9", "kind": "兄弟姐妹"},  # recorded from the other side
        {"cadre_id": "I11", "other_id": "K4", "kind": "sibling"},
        {"cadre_id": "I12", "other_id": "K5", "kind": "spouse"},
        {"cadre_id": "I13", "other_id": "K6", "kind": "sibling"},
        # I14's spouse K8 (recorded K8 -> I14), K8's sibling K7: spouse's sibling 姻亲
        {"cadre_id": "K8", "other_id": "I14", "kind": "spouse"},
        {"cadre_id": "K7", "other_id": "K8", "kind": "sibling"},
        # I15's parent K9, K9's sibling K11, K11's child K10: a first cousin (UUDD)
        {"cadre_id": "I15", "other_id": "K9", "kind": "parent"},
        {"cadre_id": "K9", "other_id": "K11", "kind": "sibling"},
        {"cadre_id": "K10", "other_id": "K11", "kind": "parent"},
        # I16's parent K13, K13's parent K14, K14's sibling K12: a great-uncle (UUUD), 4 generations
        {"cadre_id": "I16", "other_id": "K13", "kind": "parent"},
        {"cadre_id": "K13", "other_id": "K14", "kind": "parent"},
        {"cadre_id": "K14", "other_id": "K12", "kind": "sibling"},
        {"cadre_id": "I17", "other_id": "ZA", "kind": "sibling"},
    ]
    rounds = [
        {"id": "R7", "name": "第七轮", "committee_region_id": "330100", "level": "city", "kind": "cross",
         "start": "2023-03-01", "end": "2023-04-30"},
        {"id": "R8", "name": "第八轮", "committee_region_id": "330100", "level": "city", "kind": "cross",
         "start": "2023-09-01", "end": "2023-10-30"},
        {"id": "R9", "name": "第九轮", "committee_region_id": "330100", "level": "city", "kind": "cross",
         "start": AS_OF, "end": "2024-04-30"},
        {"id": "RR", "name": "常规轮", "committee_region_id": "330101", "level": "county",
         "kind": "regular", "start": AS_OF, "end": "2024-04-30"},
    ]
    teams = [team("T1", "330101"), team("T2", "330101"), team("TC", "330100", "city"),
             team("T3", "330102"), team("T4", "330101")]
    assignments = [
        {"round_id": "R8", "team_id": "T1", "unit_id": "U25", "mode": "cross"},
        {"round_id": "R7", "team_id": "T1", "unit_id": "U26", "mode": "cross"},
        {"round_id": "R8", "team_id": "T4", "unit_id": "U27", "mode": "cross"},
    ]
    units += [unit("U40", region="330103")]
    assignments.append({"round_id": "R8", "team_id": "T3", "unit_id": "U40", "mode": "cross"})
    units += [unit("U41", region="330103")]
    return world(d, cadres=cadres, units=units, positions=positions, relations=relations,
                 rounds=rounds, teams=teams, assignments=assignments)


@pytest.fixture(scope="module")
def ix(store):
    return index(store)


def check(ix, inspector, unit_id, team_id="TC", round_id="R9", policy=None, **kw):
    """Conflicts of ``inspector`` (on the city team TC by default: no team-level grounds)."""
    ch = ConflictChecker(ix, None, round_id, policy, **kw)
    return ch.pair(team_id, [Member(inspector, "member")] if inspector else [], unit_id)


# -- employment ------------------------------------------------------------------------

def test_employment_window_edges(ix):
    cs = check(ix, "I1", "U1")
    assert grounds(cs) == ["employment"]
    c = cs[0]
    assert c.window_start == "2021-03-01" and c.end == "2021-03-01" and c.as_of == AS_OF
    assert c.path == ["cadre:I1", "unit:U1"] and c.inspector_id == "cadre:I1"
    assert "近3年" in c.text.render("zh") and "last 3 years" in c.text.render("en")
    assert check(ix, "I2", "U2") == []


def test_employment_long_service_edges(ix):
    cs = check(ix, "I3", "U3")
    assert grounds(cs) == ["employment"] and cs[0].detail == "long"
    assert check(ix, "I4", "U4") == []
    off = load_policy(None).model_copy()
    pol = load_policy(None)
    pol.grounds["employment"] = pol.grounds["employment"].model_copy(update={"long_years": None})
    assert check(ix, "I3", "U3", policy=pol) == []
    assert off.grounds["employment"].long_years == 3


def test_employment_future_post_and_superior_unit(ix):
    assert check(ix, "I5", "U5") == []
    cs = check(ix, "I6", "UC")
    assert grounds(cs) == ["employment"] and cs[0].detail == "superior_unit"
    assert cs[0].path == ["cadre:I6", "unit:U0", "unit:UC"]
    pol = load_policy(None)
    pol.grounds["employment"] = pol.grounds["employment"].model_copy(update={"superior_levels": 0})
    assert check(ix, "I6", "UC", policy=pol) == []


# -- kinship ----------------------------------------------------------------------------

def test_kinship_post_window_edges(ix):
    cs = check(ix, "I7", "U6")
    assert grounds(cs) == ["kinship"]
    assert cs[0].path == ["cadre:I7", "cadre:K1", "unit:U6"] and cs[0].start == AS_OF
    assert check(ix, "I8", "U7") == []  # relative's post starts the day after
    assert check(ix, "I9", "U8") == []  # relative left the day before


def test_kinship_recorded_one_direction_is_symmetric(ix):
    # K3 -> I9 recorded; as of a date K3 still held the post, I9 is conflicted
    ch = ConflictChecker(ix, "2024-01-01")
    assert grounds(ch.pair("TC", [Member("I9", None)], "U8")) == ["kinship"]


def test_kinship_leadership_and_any_staff(ix, tmp_path):
    assert grounds(check(ix, "I11", "U9")) == ["kinship"]  # 副局长: leadership
    f = tmp_path / "principals.yaml"
    f.write_text("leadership: {titles: [], exclude: []}\n")
    pol = load_policy(f)
    assert check(ix, "I11", "U9", policy=pol) == []  # principals only
    assert grounds(check(ix, "I12", "U10")) == ["kinship"]  # spouse: any staff
    assert check(ix, "I13", "U11") == []  # sibling who is ordinary staff


def test_kinship_in_law_composed(ix):
    cs = check(ix, "I14", "U12")
    assert grounds(cs) == ["kinship"]
    assert cs[0].detail == "in_law:SUD"
    assert cs[0].path == ["cadre:I14", "cadre:K8", "cadre:K7", "unit:U12"]
    assert "配偶的兄弟姐妹" in cs[0].text.render("zh") and "spouse's sibling" in cs[0].text.render("en")
    # the chain names the person in between, in either language
    assert "（经干部K8（K8））" in cs[0].text.render("zh") and "(through 干部K8 (K8))" in cs[0].text.render("en")
    pol = load_policy(None)
    pol.grounds["kinship"] = pol.grounds["kinship"].model_copy(update={"compose": False})
    assert check(ix, "I14", "U12", policy=pol) == []


def test_kinship_cousin_within_three_generations(ix):
    cs = check(ix, "I15", "U13")
    assert grounds(cs) == ["kinship"] and cs[0].detail == "collateral:UUDD"
    pol = load_policy(None)
    pol.grounds["kinship"] = pol.grounds["kinship"].model_copy(update={"collateral_generations": 2})
    assert check(ix, "I15", "U13", policy=pol) == []


def test_kinship_great_uncle_is_beyond_three_generations(ix):
    assert check(ix, "I16", "U14") == []
    pol = load_policy(None)
    pol.grounds["kinship"] = pol.grounds["kinship"].model_copy(update={"collateral_generations": 4})
    assert grounds(check(ix, "I16", "U14", policy=pol)) == ["kinship"]


def test_same_name_different_person(ix):
    # I17 is the sibling of ZA (张伟); ZB is another 张伟 who leads U15
    assert check(ix, "I17", "U15") == []
    cs = check(ix, "I17", "U16")
    assert grounds(cs) == ["kinship"] and "cadre:ZA" in cs[0].path and "cadre:ZB" not in cs[0].path


def test_classify_degrees():
    r = KinRules()
    assert classify("S", r) == "spouse"
    assert classify("UU", r) == "lineal" and classify("DDD", r) == "lineal"
    assert classify("UD", r) == classify("UUD", r) == classify("UDD", r) == classify("UUDD", r) == "collateral"
    assert classify("UUUD", r) is None and classify("UUUDDD", r) is None  # second cousin
    assert classify("SU", r) == classify("DS", r) == classify("UDS", r) == "in_law"
    assert classify("SUDS", r) is None  # not in the default in-law kinds
    k = Kinship.from_edges([("A", "B", "child"), ("C", "B", "child")])
    # A and C share a child: co-parents, not blood kin
    assert [x.other for x in k.kin("A", r)] == ["B"]


# -- superior / subordinate --------------------------------------------------------------

def test_superior_subordinate_window_edges(ix):
    cs = check(ix, "I20", "U21")
    assert grounds(cs) == ["superior_subordinate"]
    assert cs[0].end == "2021-03-01" and cs[0].window_start == "2021-03-01"
    assert cs[0].path == ["cadre:I20", "unit:U20", "cadre:K20", "unit:U21"]
    assert check(ix, "I21", "U23") == []


# -- local / native place -------------------------------------------------------------------

def test_local_in_cross_round_only_for_county_teams(ix):
    cs = check(ix, None, "UT", team_id="T2")
    assert grounds(cs) == ["local"] and cs[0].inspector_id is None
    assert cs[0].path == ["team:T2", "region:330101", "region:330101001", "unit:UT"]
    assert check(ix, None, "UT", team_id="TC") == []  # a city team: upgraded 提级, not local
    assert check(ix, None, "UT", team_id="T2", round_id="RR") == []  # a regular county round


def test_native_place_at_county_level(ix):
    assert check(ix, "N1", "U1") == []  # U1 lies in 330102, not the native county
    cs = check(ix, "N1", "UT", team_id="T3")  # township native place, unit in the same county
    assert grounds(cs) == ["native_place"]
    assert cs[0].path == ["cadre:N1", "region:330101001", "region:330101", "unit:UT"]
    assert check(ix, "N2", "UT", team_id="T3") == []  # native of a neighbouring county
    # a local team: local is the ground, not every member's native place
    assert grounds(check(ix, "N1", "UT", team_id="T2")) == ["local"]


# -- repeat / reciprocal / manual -------------------------------------------------------------

def test_repeat_within_k_rounds(ix):
    cs = check(ix, None, "U25", "T1")
    assert grounds(cs) == ["repeat"] and {c.detail for c in cs} == {"team_unit", "region_region"}
    assert "round:R8" in next(c for c in cs if c.detail == "team_unit").path
    assert grounds(check(ix, None, "U26", "T1")) == ["repeat"]  # R7 is within the last 2 rounds
    pol = load_policy(None)
    pol.grounds["repeat"] = pol.grounds["repeat"].model_copy(update={"rounds": 1})
    # R7 is now outside the window; R8's region pairing 330101 -> 330102 still counts
    assert {c.detail for c in check(ix, None, "U26", "T1", policy=pol)} == {"region_region"}
    pol.grounds["repeat"] = pol.grounds["repeat"].model_copy(update={"rounds": 1, "region_region": False})
    assert check(ix, None, "U26", "T1", policy=pol) == []
    assert grounds(check(ix, None, "U25", "T1", policy=pol)) == ["repeat"]


def test_repeat_region_to_region(ix):
    # T4 (330101) inspected U27 (330102) in R8: another 330101 team to 330102 repeats the pairing
    cs = [c for c in check(ix, None, "U1", team_id="T2") if c.detail == "region_region"]
    assert cs and cs[0].path[:2] == ["team:T2", "region:330101"]


def test_reciprocal_in_one_plan(ix):
    ch = ConflictChecker(ix, None, "R9")
    pairs = [("T1", "U1"), ("T3", "UT")]  # 330101 -> 330102 and 330102 -> 330101
    cs = [c for c in check_pairs(ch, pairs, {}) if c.ground == "reciprocal"]
    assert len(cs) == 2 and {c.unit_id for c in cs} == {"unit:U1", "unit:UT"}
    off = load_policy(None, {"reciprocal": "off"})
    ch2 = ConflictChecker(ix, None, "R9", off)
    assert not [c for c in check_pairs(ch2, pairs, {}) if c.ground == "reciprocal"]


def test_manual_recusal_with_dates(ix, tmp_path):
    f = tmp_path / "recusals.csv"
    f.write_text("人员编号,单位编码,回避事由,开始时间,结束时间\n"
                 "I22,U22,本人申请：曾参与该单位项目评审,2024-01-01,\n"
                 "I23,U22,已过期,2023-01-01,2024-02-29\n", encoding="utf-8")
    m = ManualRecusal.read(f)
    cs = check(ix, "I22", "U22", manual=m)
    assert grounds(cs) == ["manual"] and "项目评审" in cs[0].text
    assert check(ix, "I23", "U22", manual=m) == []


def test_soft_ground_is_a_penalty(ix):
    pol = load_policy(None, {"employment": "soft"})
    ch = ConflictChecker(ix, None, "R9", pol)
    cm = ch.matrix(["TC"], {"TC": [Member("I1", "member")]}, ["U1", "U2"])
    assert not cm.hard.any()
    assert cm.penalty[0, 0] == pol.weight("employment") and cm.penalty[0, 1] == 0


def test_matrix_agrees_with_pairwise_checks(ix):
    teams = ["T1", "T2", "T3", "TC"]
    members = {"T1": [Member("I1", None), Member("I7", None)], "T2": [Member("N1", None)],
               "T3": [Member("I14", None), Member("N1", None)], "TC": [Member("I20", None)]}
    units = sorted(ix.units)
    ch = ConflictChecker(ix, None, "R9")
    cm = ch.matrix(teams, members, units)
    for i, t in enumerate(teams):
        for j, u in enumerate(units):
            pair = ch.pair(t, members[t], u)
            assert bool(cm.hard[i, j]) == any(c.severity == "hard" for c in pair), (t, u)
            assert sorted(c.key for c in cm.by_pair.get((i, j), [])) == sorted(c.key for c in pair)


# -- policy file --------------------------------------------------------------------------------

def test_policy_yaml_off_and_errors(tmp_path):
    f = tmp_path / "p.yaml"
    f.write_text("grounds:\n  reciprocal: {mode: off}\n  native_place: {mode: soft, weight: 3}\n")
    p = load_policy(f)
    assert p.mode("reciprocal") == "off" and p.weight("native_place") == 3
    assert p.mode("kinship") == "hard"  # untouched grounds keep the default
    f.write_text("grounds:\n  kinshp: {mode: off}\n")
    with pytest.raises(PolicyError, match="did you mean.*kinship"):
        load_policy(f)
    f.write_text("grounds:\n  kinship: {classes: [spouse, lineall]}\n")
    with pytest.raises(PolicyError, match="lineal"):
        load_policy(f)
