"""A small hand-built world where every analyst query's answer is known, and
tests of the shared query indexes (principal windows, ties, regions).

The world (written as ledgers, loaded by the real loader and graph builder):

regions  330100 临安市 > 330101 东湖区 > 330101001 青石镇; 330102 西山县; 330103 南岭县
units    U1 东湖区财政局 (330101, 经济)   U2 西山县人民医院 (330102, 卫健)
         U3 青石镇 (330101001, 乡镇)       U4 南岭县税务局 (330103, 经济)
         U5 西山县第一中学 (330102, 教育)   U6 南岭县第一中学 (330103, 教育)
rounds   R1 2019-03-01..05-31 regular, R2 2021-03-01..05-31 look-back; each round
         inspects all six units (T1: U1-U3, T2: U4-U6)
posts    C1 张伟 principal U1 2015..2019-12-31, principal U2 2020..
         C2 张伟 (another person, same name) at U4 2017.., not principal
         C6, C7 at U3, overlapping 2012-06-01..2012-12-31 (derived colleagues)
         C8, C9 at U5, NOT overlapping (2010-2011, 2013-2015)
         C10 principal U4 2016..2018-12-31, principal U6 2019-06-01..
ties     C3 李娜 –sibling– C4 王芳 –business– C11 孙丽
issues   I1  R1 U1 eight_point_rules  C3  2019-03-20 违规发放津贴补贴 (rectified: A1)
         I2  R1 U3 social_assistance  C4  2019-04-02 (rectified: A2)
         I3  R1 U4 procurement        C5  2019-03-25
         I4  R1 U5 financial_mgmt     C5  2019-04-10
         I5  R1 U6 integrity          C6  2019-04-15
         I6  R2 U5 cadre_selection    C7  2021-03-15
         I7  R1 U1 financial_mgmt     C8  2019-03-22
         I8  R1 U4 grassroots         C9  2019-04-20
         I9  R1 U4 formalism          C2  2019-05-01
         I10 R2 U6 decisions_not_impl     2021-04-01
         I11 R2 U2 formalism              2021-03-20
         I12 R1 U2 financial_mgmt         2019-04-05
         I13 R1 U3 financial_mgmt         2019-04-12
         I14 R2 U1 eight_point_rules      2021-03-10 (recurs I1)
         I15 R1 U2 formalism              2019-04-08 (action in progress)
         I16 R2 U3 office_space           2021-03-12
         I17 R1 U1 procurement            2019-05-20
         I18 R2 U4 procurement            2021-04-10
         I19 R1 U2 extravagance           2019-04-20 违规发放津贴补贴共计十二万元
         I20 R1 U6 poverty_relief     C11 2019-04-25
leads    L1 from I3 about C5 (case filed, 党内警告); L2 from I2 about C4
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from xuncha.graph.build import build_graph
from xuncha.graph.store import GraphStore
from xuncha.loaders.dataset import load_dataset
from xuncha.queries.common import Window, index

LEDGERS = {
    "regions": (["id", "name", "level", "parent_id"], [
        ["330100", "临安市", "city", ""],
        ["330101", "东湖区", "county", "330100"],
        ["330102", "西山县", "county", "330100"],
        ["330103", "南岭县", "county", "330100"],
        ["330101001", "青石镇", "township", "330101"],
    ]),
    "units": (["id", "name", "kind", "region_id", "sector"], [
        ["U1", "东湖区财政局", "government_department", "330101", "经济"],
        ["U2", "西山县人民医院", "hospital", "330102", "卫健"],
        ["U3", "东湖区青石镇", "township", "330101001", "乡镇"],
        ["U4", "南岭县税务局", "government_department", "330103", "经济"],
        ["U5", "西山县第一中学", "school", "330102", "教育"],
        ["U6", "南岭县第一中学", "school", "330103", "教育"],
    ]),
    "cadres": (["id", "name"], [
        ["C1", "张伟"], ["C2", "张伟"], ["C3", "李娜"], ["C4", "王芳"], ["C5", "赵强"],
        ["C6", "刘洋"], ["C7", "陈静"], ["C8", "杨军"], ["C9", "黄敏"], ["C10", "周涛"],
        ["C11", "孙丽"],
    ]),
    "positions": (["cadre_id", "unit_id", "title", "is_principal", "start", "end"], [
        ["C1", "U1", "局长", "是", "2015-01-01", "2019-12-31"],
        ["C1", "U2", "院长", "是", "2020-01-01", ""],
        ["C2", "U4", "科长", "否", "2017-01-01", ""],
        ["C6", "U3", "科员", "否", "2010-01-01", "2012-12-31"],
        ["C7", "U3", "副镇长", "否", "2012-06-01", "2014-12-31"],
        ["C8", "U5", "教师", "否", "2010-01-01", "2011-12-31"],
        ["C9", "U5", "教师", "否", "2013-01-01", "2015-12-31"],
        ["C10", "U4", "局长", "是", "2016-01-01", "2018-12-31"],
        ["C10", "U6", "校长", "是", "2019-06-01", ""],
    ]),
    "relations": (["cadre_id", "other_id", "kind"], [["C3", "C4", "兄弟姐妹"],
                                                     ["C11", "C4", "经济往来"]]),
    "rounds": (["id", "name", "kind", "start", "end"], [
        ["R1", "第一轮巡察", "regular", "2019-03-01", "2019-05-31"],
        ["R2", "第二轮巡察（回头看）", "lookback", "2021-03-01", "2021-05-31"],
    ]),
    "teams": (["id", "name"], [["T1", "第一巡察组"], ["T2", "第二巡察组"]]),
    "assignments": (["round_id", "team_id", "unit_id"], [
        [r, t, u] for r in ("R1", "R2")
        for t, us in (("T1", ("U1", "U2", "U3")), ("T2", ("U4", "U5", "U6"))) for u in us
    ]),
    "issues": (["id", "round_id", "unit_id", "category", "subcategory", "description",
                "cadre_ids", "found_date"], [
        ["I1", "R1", "U1", "conduct", "eight_point_rules", "违规发放津贴补贴", "C3", "2019-03-20"],
        ["I2", "R1", "U3", "livelihood", "social_assistance", "违规办理低保对象认定", "C4", "2019-04-02"],
        ["I3", "R1", "U4", "discipline", "procurement", "政府采购未按规定程序执行", "C5", "2019-03-25"],
        ["I4", "R1", "U5", "discipline", "financial_management", "学校食堂账目管理混乱", "C5", "2019-04-10"],
        ["I5", "R1", "U6", "discipline", "integrity", "收受学生家长礼品", "C6", "2019-04-15"],
        ["I6", "R2", "U5", "organizational", "cadre_selection", "违规提拔任用干部", "C7", "2021-03-15"],
        ["I7", "R1", "U1", "discipline", "financial_management", "专项资金拨付审批把关不严", "C8", "2019-03-22"],
        ["I8", "R1", "U4", "organizational", "grassroots", "基层党支部组织生活不规范", "C9", "2019-04-20"],
        ["I9", "R1", "U4", "conduct", "formalism", "文件材料层层加码", "C2", "2019-05-01"],
        ["I10", "R2", "U6", "political", "decisions_not_implemented", "落实上级决策部署打折扣", "", "2021-04-01"],
        ["I11", "R2", "U2", "conduct", "formalism", "会议记录流于形式", "", "2021-03-20"],
        ["I12", "R1", "U2", "discipline", "financial_management", "医疗设备采购款账目不清", "", "2019-04-05"],
        ["I13", "R1", "U3", "discipline", "financial_management", "村级财务公开不及时", "", "2019-04-12"],
        ["I14", "R2", "U1", "conduct", "eight_point_rules", "违规公款吃喝", "", "2021-03-10"],
        ["I15", "R1", "U2", "conduct", "formalism", "督查检查过多过频", "", "2019-04-08"],
        ["I16", "R2", "U3", "discipline", "office_space", "办公用房面积超标", "", "2021-03-12"],
        ["I17", "R1", "U1", "discipline", "procurement", "工程招投标程序不规范", "", "2019-05-20"],
        ["I18", "R2", "U4", "discipline", "procurement", "采购合同签订不规范", "", "2021-04-10"],
        ["I19", "R1", "U2", "conduct", "extravagance", "违规发放津贴补贴共计十二万元", "", "2019-04-20"],
        ["I20", "R1", "U6", "livelihood", "poverty_relief", "虚报冒领扶贫补助资金", "C11", "2019-04-25"],
    ]),
    "leads": (["id", "round_id", "unit_id", "issue_ids", "subject_ids", "transferred_to",
               "transfer_date", "case_filed", "case_filed_date", "outcomes"], [
        ["L1", "R1", "U4", "I3", "C5", "纪委监委", "2019-06-01", "是", "2019-07-01", "党内警告"],
        ["L2", "R1", "U3", "I2", "C4", "组织部", "2019-06-10", "否", "", ""],
    ]),
    "actions": (["id", "issue_id", "kind", "status", "deadline", "completed_date"], [
        ["A1", "I1", "rectification", "completed", "2019-08-31", "2019-08-01"],
        ["A2", "I2", "rectification", "closed", "2019-07-31", "2019-07-01"],
        ["A3", "I15", "rectification", "in_progress", "2019-12-31", ""],
        ["A4", "I14", "rectification", "in_progress", "2021-12-31", ""],
    ]),
}


def write_world(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, (header, rows) in LEDGERS.items():
        with open(directory / f"{name}.csv", "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(header)
            w.writerows(rows)
    return directory


def build_world(directory: Path) -> GraphStore:
    ds = load_dataset(write_world(directory))
    assert not ds.errors, [str(p) for p in ds.errors]
    return GraphStore(build_graph(ds.records))


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> GraphStore:
    return build_world(tmp_path_factory.mktemp("world"))


def test_items_carry_unit_date_cadres_and_lead_links(world):
    idx = index(world)
    i1 = idx.items["issue:I1"]
    assert (i1.unit, i1.date, i1.cadres, i1.category_key) == (
        "unit:U1", "2019-03-20", ("cadre:C3",), "eight_point_rules")
    l1 = idx.items["lead:L1"]
    assert (l1.unit, l1.date, l1.issues, l1.cadres) == (
        "unit:U4", "2019-06-01", ("issue:I3",), ("cadre:C5",))
    assert l1.category_key == "procurement"  # from its issue
    assert idx.leads_of_issue["issue:I3"] == ["lead:L1"]


def test_index_is_cached_on_the_store(world):
    assert index(world) is index(world)


def test_principal_windows_are_inclusive_and_dated(world):
    idx = index(world)
    assert [p.cadre for p in idx.principals_at("unit:U1", "2019-12-31")] == ["cadre:C1"]
    assert idx.principals_at("unit:U1", "2020-01-01") == []
    assert [p.cadre for p in idx.principals_at("unit:U2", "2024-01-01")] == ["cadre:C1"]
    assert idx.principals_at("unit:U2", "2019-12-31") == []
    # C10 left U4 at the end of 2018: nobody was in charge when I9 was found.
    assert idx.principals_at("unit:U4", "2019-05-01") == []


def test_derived_colleagues_need_overlapping_posts(world):
    idx = index(world)
    c6 = idx.colleagues("cadre:C6")
    assert [(t.other, t.unit, t.window) for t in c6] == [
        ("cadre:C7", "unit:U3", ("2012-06-01", "2012-12-31"))]
    assert idx.colleagues("cadre:C8") == []  # C9 came after C8 left U5


def test_explicit_ties_go_both_ways(world):
    idx = index(world)
    assert [(t.other, t.relation) for t in idx.ties["cadre:C3"]] == [("cadre:C4", "sibling")]
    assert [(t.other, t.relation) for t in idx.ties["cadre:C4"]] == [
        ("cadre:C11", "business"), ("cadre:C3", "sibling")]


def test_region_closure_includes_sub_regions(world):
    idx = index(world)
    assert idx.region_closure(["region:330101"]) == {"region:330101", "region:330101001"}
    assert len(idx.region_closure(["region:330100"])) == 5


def test_window_filters(world):
    idx = index(world)
    item_ok, unit_ok = Window(regions=("region:330101",)).compile(idx)
    assert unit_ok("unit:U3") and unit_ok("unit:U1") and not unit_ok("unit:U2")
    item_ok, _ = Window(rounds=("round:R2",), since="2021-03-15").compile(idx)
    assert item_ok(idx.items["issue:I6"]) and not item_ok(idx.items["issue:I14"])
    assert not item_ok(idx.items["issue:I1"])
    item_ok, _ = Window(sectors=("经济",)).compile(idx)
    assert item_ok(idx.items["issue:I3"]) and not item_ok(idx.items["issue:I4"])


def test_items_at_returns_the_window(world):
    idx = index(world)
    got = [it.id for it in idx.items_at("unit:U2", "2020-01-01", None)]
    assert got == ["issue:I11"]
