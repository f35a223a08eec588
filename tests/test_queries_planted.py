"""The near misses of the analyst queries, planted by hand in a small ledger,
with every expected answer derived here from the story (not from the code).

The story (county 330101; rounds R1 2020-03-01.. and R2 2023-03-01..):

- 乙局 A2: principal C21 王建 2013-01-01..2019-11-09 (left four months before
  R1's team arrived on 2020-03-10), then C20 赵明 from 2020-02-17 (three
  weeks before it).  R1 found X1 there.  X1 is C21's, not C20's.
- C20 had headed 丙局 A3 2014-01-01..2020-02-16; R1 found X2 at A3 (arrival
  2020-03-10): X2 is C20's (he left during its period: 离任不免责).  So C20
  links nothing to X1, and is no trail.
- C21 went on to head 丁局 A4 from 2019-11-10; A4's first inspection (R2,
  arrival 2023-03-01, period back to 2018-03-01) found X4: C21's.  X1 and
  X4 share him (weakly: neither names him), and he is a trail A2 → A4.
  N1 (B8) names C21: X1 and X4 are his, so N1 relates to both (moderate).
- A3 in R2: C23 principal from 2020-02-17; C22 had headed A3 2008..2013.
  D1 says "2012年收受…": C22's alone.  D2's ledger dates the conduct
  2019-01-01..2019-12-31: C20's alone.
- Townships B1..B12, all inspected by team T9 in both rounds.  Every one had
  形式主义 formalism in both; only B5, B6, B7 had 办公用房超标 office_space
  (in R1): the rare three-unit cluster outranks the everywhere-category.
- Z1 (B6, names C40) and Z2 (B7, names C41): C40 and C41 are in-laws 姻亲;
  T9 found both (and everything else in B1..B12).
- Namesakes: C30 王伟 and C31 王伟, subjects of L30 (B1) and L31 (B2), whose
  summaries are the template 反映王某涉嫌违规收受礼金问题 that 60 other leads
  share: not related.  Q1 (B3, C32) and Q2 (B4, C33) say the same sentence
  about two different named people: not related by text.  Q3 (B5) says it
  with nobody named: weakly similar to Q1.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from xuncha.graph.build import build_graph
from xuncha.graph.store import GraphStore
from xuncha.loaders.dataset import load_dataset
from xuncha.queries import patterns as P
from xuncha.queries.common import Window
from xuncha.queries.paths import paths
from xuncha.queries.periods import Policy
from xuncha.queries.related import related
from xuncha.queries.timeline import timeline
from xuncha.queries.view import view

B = [f"B{i}" for i in range(1, 13)]
ISSUE_HEAD = ["id", "round_id", "unit_id", "team_id", "category", "subcategory", "description",
              "cadre_ids", "found_date", "conduct_start", "conduct_end"]


def _issues() -> list[list]:
    rows = [
        ["X1", "R1", "A2", "T1", "discipline", "financial_management", "专项资金管理使用不规范", "", "2020-03-20", "", ""],
        ["X2", "R1", "A3", "T1", "discipline", "procurement", "工程项目未经公开招标", "", "2020-04-01", "", ""],
        ["X4", "R2", "A4", "T1", "discipline", "integrity", "违规发放节日福利", "", "2023-03-15", "", ""],
        ["D1", "R2", "A3", "T1", "discipline", "integrity", "2012年收受工程商礼金", "", "2023-03-20", "", ""],
        ["D2", "R2", "A3", "T1", "discipline", "financial_management", "账外设立小金库", "", "2023-03-21", "2019-01-01", "2019-12-31"],
        ["Z1", "R1", "B6", "T9", "discipline", "integrity", "利用职务便利为亲属承揽工程", "C40", "2020-04-02", "", ""],
        ["Z2", "R1", "B7", "T9", "livelihood", "social_assistance", "违规办理亲属低保", "C41", "2020-04-03", "", ""],
        ["Q1", "R1", "B3", "T9", "conduct", "hedonism", "长期违规占用公车用于接送子女上下学", "C32", "2020-04-05", "", ""],
        ["Q2", "R1", "B4", "T9", "conduct", "hedonism", "长期违规占用公车用于接送子女上下学", "C33", "2020-04-06", "", ""],
        ["Q3", "R1", "B5", "T9", "conduct", "hedonism", "长期违规占用公车用于接送子女上下学", "", "2020-04-07", "", ""],
        ["N1", "R1", "B8", "T9", "discipline", "integrity", "借用下属单位车辆", "C21", "2020-04-08", "", ""],
    ]
    for n, u in enumerate(B, 1):
        rows.append([f"F{n}", "R1", u, "T9", "conduct", "formalism", f"第{n}片区督查检查过多过频", "", "2020-04-10", "", ""])
        rows.append([f"G{n}", "R2", u, "T9", "conduct", "formalism", f"第{n}片区会议文件层层加码", "", "2023-04-10", "", ""])
    for u in ("B5", "B6", "B7"):
        rows.append([f"O{u}", "R1", u, "T9", "discipline", "office_space", f"{u}办公用房面积超标", "", "2020-04-12", "", ""])
    return rows


def _leads() -> list[list]:
    rows = [["L30", "R1", "B1", "C30", "纪委监委", "2020-05-01", "反映王某涉嫌违规收受礼金问题"],
            ["L31", "R1", "B2", "C31", "纪委监委", "2020-05-02", "反映王某涉嫌违规收受礼金问题"]]
    for n in range(60):
        rows.append([f"M{n}", "R1", B[n % 12], "", "纪委监委", "2020-05-03",
                     f"反映{'赵钱孙李周吴郑冯陈卫'[n % 10]}某涉嫌违规收受礼金问题"])
    return rows


LEDGERS = {
    "regions": (["id", "name", "level", "parent_id"], [
        ["330100", "临安市", "city", ""], ["330101", "东湖区", "county", "330100"]]),
    "units": (["id", "name", "kind", "region_id", "sector"], [
        ["A1", "东湖区甲局", "government_department", "330101", "经济"],
        ["A2", "东湖区乙局", "government_department", "330101", "经济"],
        ["A3", "东湖区丙局", "government_department", "330101", "经济"],
        ["A4", "东湖区丁局", "government_department", "330101", "经济"],
    ] + [[u, f"东湖区{u}镇", "township", "330101", "乡镇"] for u in B]),
    "cadres": (["id", "name"], [
        ["C20", "赵明"], ["C21", "王建"], ["C22", "孙海"], ["C23", "李涛"],
        ["C30", "王伟"], ["C31", "王伟"], ["C32", "李强"], ["C33", "李刚"],
        ["C40", "周平"], ["C41", "吴丽"]]),
    "positions": (["cadre_id", "unit_id", "title", "is_principal", "start", "end"], [
        ["C21", "A2", "局长", "是", "2013-01-01", "2019-11-09"],
        ["C20", "A2", "局长", "是", "2020-02-17", ""],
        ["C20", "A3", "局长", "是", "2014-01-01", "2020-02-16"],
        ["C21", "A4", "局长", "是", "2019-11-10", ""],
        ["C22", "A3", "局长", "是", "2008-01-01", "2013-12-31"],
        ["C23", "A3", "局长", "是", "2020-02-17", ""],
    ]),
    "relations": (["cadre_id", "other_id", "kind"], [["C40", "C41", "姻亲"]]),
    "rounds": (["id", "name", "kind", "start", "end"], [
        ["R1", "2020年第一轮巡察", "regular", "2020-03-01", "2020-05-31"],
        ["R2", "2023年第一轮巡察", "regular", "2023-03-01", "2023-05-31"]]),
    "teams": (["id", "name"], [["T1", "第一巡察组"], ["T9", "第九巡察组"]]),
    "assignments": (["round_id", "team_id", "unit_id", "start", "end"],
                    [["R1", "T1", u, "2020-03-10", "2020-05-10"] for u in ("A1", "A2", "A3")]
                    + [["R2", "T1", u, "", ""] for u in ("A1", "A2", "A3", "A4")]
                    + [[r, "T9", u, "", ""] for r in ("R1", "R2") for u in B]),
    "issues": (ISSUE_HEAD, _issues()),
    "leads": (["id", "round_id", "unit_id", "subject_ids", "transferred_to", "transfer_date",
               "summary"], _leads()),
}


@pytest.fixture(scope="module")
def story(tmp_path_factory) -> GraphStore:
    d: Path = tmp_path_factory.mktemp("planted")
    for name, (header, rows) in LEDGERS.items():
        with open(d / f"{name}.csv", "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(header)
            w.writerows(rows)
    ds = load_dataset(d)
    assert not ds.errors, [str(p) for p in ds.errors]
    return GraphStore(build_graph(ds.records))


def ids(rows):
    return {r.id for r in rows}


def test_newcomer_and_predecessor(story):
    v = view(story)
    x1 = v.item("issue:X1")
    # the predecessor who left four months before answers; the newcomer does not
    assert [p.cadre for p, _ in v.answering(x1)] == ["cadre:C21"]
    got = related(story, "issue:X1", limit=None)
    assert [(r.id, r.signals, r.tier) for r in got] == [("issue:N1", ["principal"], "moderate")]
    assert "王建 (cadre:C21)（东湖区乙局 (unit:A2)局长任职2013-01至2019-11，覆盖被巡察期间(2015-03至2020-03)的93%）" \
        in got[0].reasons[0].text.render("zh")
    weak = related(story, "issue:X1", limit=None, min_tier="weak")
    assert "issue:X4" in ids(weak) and "issue:X2" not in ids(weak)
    (row,) = [r for r in weak if r.id == "issue:X4"]
    assert row.signals == ["same_principal"] and "cadre:C21" in row.reasons[0].path
    n1 = related(story, "issue:N1", limit=None)
    assert ids(n1) == {"issue:X1", "issue:X4"}
    assert all(r.signals == ["principal"] for r in n1)
    # from the other side: C20 answers for X2, and links it to nothing at A2
    assert "issue:X1" not in ids(related(story, "issue:X2", limit=None, min_tier="weak"))


def test_tuned_policy_makes_the_newcomer_answer(story):
    loose = Policy.from_months(min_overlap_months=0.5, newcomer_months=0)
    x1 = view(story).item("issue:X1")
    assert [p.cadre for p, _ in view(story).answering(x1, loose)] == ["cadre:C21", "cadre:C20"]
    assert "issue:X2" in ids(related(story, "issue:X1", limit=None, policy=loose,
                                     min_tier="weak"))


def test_trails_credit_tenures_not_logging_days(story):
    rows = P.trails(story)
    assert [t.cadre for t in rows] == ["cadre:C21"]
    (t,) = rows
    assert [(s.unit, s.start, s.end, s.issues) for s in t.stops] == [
        ("unit:A2", "2013-01-01", "2019-11-09", ["issue:X1"]),
        ("unit:A4", "2019-11-10", None, ["issue:X4"])]
    # A2's R1 period runs 2015-03-10..2020-03-10 (1828 days); he held it
    # until 2019-11-09 (1706 of them).
    assert t.stops[0].periods[0]["period"] == ["2015-03-10", "2020-03-10"]
    assert t.stops[0].periods[0]["share"] == pytest.approx(1706 / 1828, abs=1e-4)


def test_timeline_names_only_answerable_issues(story):
    c20 = [e.id for e in timeline(story, "cadre:C20") if e.event == "issue_in_tenure"]
    assert c20 == ["issue:X2", "issue:D2"]  # not X1 (newcomer), D2 by its conduct dates
    c22 = [e.id for e in timeline(story, "cadre:C22") if e.event == "issue_in_tenure"]
    assert c22 == ["issue:D1"]  # "2012年收受…"


def test_conduct_dates_narrow_the_period(story):
    v = view(story)
    d1, d2 = v.item("issue:D1"), v.item("issue:D2")
    assert (v.period(d1).start, v.period(d1).end, v.period(d1).source) == (
        "2012-01-01", "2012-12-31", "description")
    assert (v.period(d2).start, v.period(d2).end, v.period(d2).source) == (
        "2019-01-01", "2019-12-31", "ledger")
    assert [p.cadre for p, _ in v.answering(d1)] == ["cadre:C22"]
    assert [p.cadre for p, _ in v.answering(d2)] == ["cadre:C20"]


def test_rare_three_unit_cluster_outranks_the_everywhere_category(story):
    rows = P.common(story, Window(rounds=("round:R1",)))
    order = [r.category for r in rows]
    # (Q1-Q3 make 享乐主义 hedonism another rare three-unit cluster, tied with it)
    assert order == ["category:hedonism", "category:office_space", "category:formalism"]
    top = rows[1]
    assert top.units == ["unit:B5", "unit:B6", "unit:B7"] and top.units_inspected == 15
    # 3 of the 31 inspections (15 in R1, 16 in R2) found it; formalism 24 of them
    assert (top.base_with, top.base_inspections) == (3, 31)
    assert top.lift == pytest.approx(round((3 / 15) / (3 / 31), 4))
    assert rows[2].lift == pytest.approx(round((12 / 15) / (24 / 31), 4))
    # --min-units alone is honoured; a share only when asked
    assert P.common(story, Window(rounds=("round:R1",)), min_units=3, min_share=0.5)[0].category \
        == "category:formalism"


def test_in_laws_connect_before_the_team(story):
    got = paths(story, "issue:Z1", "issue:Z2")
    assert got[0].nodes == ["issue:Z1", "cadre:C40", "cadre:C41", "issue:Z2"]
    assert [s.kind for s in got[0].steps] == ["IMPLICATES", "RELATED_TO", "IMPLICATES"]
    team = [p for p in got if "team:T9" in p.nodes]
    assert all(p.weight > got[0].weight for p in team)
    rel = related(story, "issue:Z1", limit=None)
    assert [(r.id, r.signals, r.tier) for r in rel] == [("issue:Z2", ["kin"], "strong")]


def test_a_busy_team_relates_nothing(story):
    # T9 found every township issue; only Z2 (in-law) qualifies for Z1, and
    # the formalism issues have nothing but their unit and category.
    assert related(story, "issue:F1", limit=None) == []


def test_namesakes_and_template_sentences(story):
    weak = related(story, "lead:L30", limit=None, min_tier="weak")
    assert "lead:L31" not in ids(weak)
    assert all(r.signals == ["same_unit"] for r in weak)  # the other template leads in B1
    assert related(story, "lead:L30", limit=None) == []
    # the same (rare) sentence about two different named people is no link
    q1 = related(story, "issue:Q1", limit=None, min_tier="weak")
    # (Q2 is weakly related by category, sector and period, not by text)
    assert all("similar_text" not in r.signals for r in q1 if r.id == "issue:Q2")
    (q3,) = [r for r in q1 if r.id == "issue:Q3"]
    assert "similar_text" in q3.signals and q3.tier == "weak"
