#!/usr/bin/env python3
"""Write the bundled example dataset: a fictional county's inspection ledgers.

青川县 (code 381022) in 江川市 (381000), 南岭省 (380000) do not exist: the
province code 38 is unused by GB/T 2260, and every name of a person, unit or
place is invented.  The dataset holds the twelve ledgers of four county
rounds (2021–2024), written twice:

- ``examples/county/<ledger>.csv``: Chinese headers, UTF-8 with BOM;
- ``examples/county.xlsx``: one sheet per ledger, named with the Chinese
  ledger name; the issue, lead and action sheets carry a title row and a
  blank row above the header, as real ledgers do; codes are text cells.

Both load to the same graph.  The demo stories documented in
``examples/county/README.md`` are written by hand below (``STORY_CADRES``,
``PRINCIPALS``, ``STORY_POSTS``, ``STORY_MEMBERS``, ``STORY_ISSUES``,
``STORY_LEADS``, ``COMMON_UNITS``); everything else is filled in
procedurally from one seeded ``random.Random``, with quotas where the shape
matters (leads per receiver, cases, on-the-spot fixes, open issues), so
running the script twice gives byte-identical files.  After changing it,
update the figures and ids in ``examples/county/README.md``;
``tests/test_example_data.py`` checks files, stories and cited ids.

Usage::

    python scripts/make_example.py            # writes examples/county*, prints figures
    python scripts/make_example.py --out /tmp/ex
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from xuncha.graph.schema import LEDGER_ORDER, LEDGERS  # noqa: E402

SEED = 20241231
AS_OF = dt.date(2024, 12, 31)
rng = random.Random(SEED)

# ---------------------------------------------------------------------------
# Cell values that render differently in CSV and XLSX but parse the same.


@dataclass(frozen=True)
class D:
    """A date and the way the clerk wrote it."""

    value: dt.date
    style: str = "iso"  # iso | zh | slash | month_dot | month_zh | month_dash

    def text(self) -> str:
        d = self.value
        return {
            "iso": d.isoformat(),
            "zh": f"{d.year}年{d.month}月{d.day}日",
            "slash": f"{d.year}/{d.month}/{d.day}",
            "month_dot": f"{d.year}.{d.month:02d}",
            "month_zh": f"{d.year}年{d.month}月",
            "month_dash": f"{d.year}-{d.month:02d}",
        }[self.style]


class Code(str):
    """An identifier that must stay text (leading zeros, 18-digit ID numbers)."""


def text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, D):
        return v.text()
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, list):
        return "；".join(v)
    return str(v)


def day(s: str) -> dt.date:
    return dt.date.fromisoformat(s)


def mixed(d: dt.date, weights=(6, 3, 2)) -> D:
    """A date in the forms clerks mix: 2021-03-15, 2021年3月15日, 2021/3/15."""
    return D(d, rng.choices(["iso", "zh", "slash"], weights)[0])


def month(s: str) -> D:
    """任职经历 and birth dates are kept to the month: 2016.03, 2016年3月."""
    y, m = map(int, s.split("."))
    return D(dt.date(y, m, 1), rng.choices(["month_dot", "month_zh", "month_dash"], (6, 2, 1))[0])


def between(a: dt.date, b: dt.date) -> dt.date:
    return a + dt.timedelta(days=rng.randint(0, max(0, (b - a).days)))


def money(yuan: float, approx: bool = False):
    """An amount in one of the forms ledgers use: 25969元, 2.2万, 13.62万元, 90余万元, 48600."""
    if approx:
        return f"{int(yuan // 10000)}余万元"
    if yuan >= 10000 and rng.random() < 0.6:
        w = yuan / 10000
        s = f"{w:.2f}".rstrip("0").rstrip(".")
        return f"{s}万元" if rng.random() < 0.6 else f"{s}万"
    if rng.random() < 0.5:
        return f"{int(yuan)}元"
    return int(yuan)  # a plain number (a number cell in Excel)


def yuan_of(cell) -> float:
    if isinstance(cell, int):
        return float(cell)
    s = str(cell)
    approx = "余" in s
    num = float(s.replace("余", "").replace("万元", "").replace("万", "").replace("元", ""))
    return num * 10000 if ("万" in s or approx) else num


# ---------------------------------------------------------------------------
# Regions.  GB/T 2260 style: 6 digits for province/city/county, the
# statistics bureau's 12 digits for township and village.

PROVINCE, CITY, COUNTY, NEIGHBOUR, DISTRICT = "380000", "381000", "381022", "381023", "381002"
TOWNSHIPS = {  # code -> name
    "381022100000": "城关镇", "381022101000": "石门镇", "381022102000": "柳溪镇",
    "381022200000": "桃源乡", "381022201000": "龙泉乡", "381022202000": "云台乡",
}
VILLAGES = {  # code -> (name, township code)
    "381022101201": ("东坪村", "381022101000"), "381022101202": ("西岭村", "381022101000"),
    "381022102201": ("下湾村", "381022102000"), "381022200201": ("桃花村", "381022200000"),
    "381022201201": ("泉水村", "381022201000"),
}


def make_regions() -> list[dict]:
    rows = [
        dict(id=Code(PROVINCE), name="南岭省", level="省", parent_id=None),
        dict(id=Code(CITY), name="江川市", level="市", parent_id=Code(PROVINCE)),
        dict(id=Code(DISTRICT), name="江城区", level="区", parent_id=Code(CITY)),
        dict(id=Code(COUNTY), name="青川县", level="县", parent_id=Code(CITY)),
        dict(id=Code(NEIGHBOUR), name="白水县", level="县", parent_id=Code(CITY)),
    ]
    for code, name in TOWNSHIPS.items():
        rows.append(dict(id=Code(code), name=name, level="乡镇", parent_id=Code(COUNTY)))
    for code, (name, parent) in VILLAGES.items():
        rows.append(dict(id=Code(code), name=name, level="村", parent_id=Code(parent)))
    return rows


# ---------------------------------------------------------------------------
# Units.  Codes carry a leading zero (0101 …) as many county ledgers do:
# 00xx party organs, 01xx departments, 02xx political-legal, 03xx firms and
# institutions, 04xx townships, 05xx villages.

# id, name, aliases, kind, level, region, parent, sector, principal title, deputy title
UNITS = [
    ("0001", "中共青川县纪律检查委员会", ["县纪委监委"], "党委", "县", COUNTY, None, "党群", "书记", "副书记"),
    ("0002", "中共青川县委组织部", ["县委组织部"], "党委", "县", COUNTY, None, "党群", "部长", "副部长"),
    ("0003", "中共青川县委巡察工作领导小组办公室", ["县委巡察办"], "党委", "县", COUNTY, None, "党群", "主任", "副主任"),
    ("0101", "青川县财政局", ["县财政局"], "政府部门", "县", COUNTY, None, "经济", "党组书记、局长", "副局长"),
    ("0102", "青川县民政局", ["县民政局"], "政府部门", "县", COUNTY, None, "社会民生", "党组书记、局长", "副局长"),
    ("0103", "青川县农业农村局", ["县农业农村局"], "政府部门", "县", COUNTY, None, "农业农村", "党组书记、局长", "副局长"),
    ("0104", "青川县自然资源局", ["县自然资源局"], "政府部门", "县", COUNTY, None, "经济", "党组书记、局长", "副局长"),
    ("0105", "青川县教育局", ["县教育局"], "政府部门", "县", COUNTY, None, "教育卫健", "党组书记、局长", "副局长"),
    ("0106", "青川县卫生健康局", ["县卫健局"], "政府部门", "县", COUNTY, None, "教育卫健", "党组书记、局长", "副局长"),
    ("0107", "青川县审计局", ["县审计局"], "政府部门", "县", COUNTY, None, "经济", "党组书记、局长", "副局长"),
    ("0201", "青川县人民法院", ["县法院"], "法院", "县", COUNTY, None, "政法", "党组书记、院长", "副院长"),
    ("0301", "青川县城市建设投资集团有限公司", ["县城投集团"], "国有企业", "县", COUNTY, "0101", "国有企业", "党委书记、董事长", "副总经理"),
    ("0302", "青川县人民医院", ["县医院"], "医院", "县", COUNTY, "0106", "教育卫健", "党委书记", "副院长"),
    ("0303", "青川县第一中学", ["青川一中"], "学校", "县", COUNTY, "0105", "教育卫健", "党委书记、校长", "副校长"),
    ("0401", "青川县石门镇", ["石门镇"], "乡镇", "乡镇", "381022101000", None, "乡镇", "党委书记", "党委副书记、镇长"),
    ("0402", "青川县柳溪镇", ["柳溪镇"], "乡镇", "乡镇", "381022102000", None, "乡镇", "党委书记", "党委副书记、镇长"),
    ("0403", "青川县桃源乡", ["桃源乡"], "乡镇", "乡镇", "381022200000", None, "乡镇", "党委书记", "党委副书记、乡长"),
    ("0501", "石门镇东坪村", ["东坪村"], "村", "村", "381022101201", "0401", "村（社区）", "党支部书记、村委会主任", "村委会委员"),
    ("0502", "柳溪镇下湾村", ["下湾村"], "村", "村", "381022102201", "0402", "村（社区）", "党支部书记、村委会主任", "村委会委员"),
    ("0503", "桃源乡桃花村", ["桃花村"], "村", "村", "381022200201", "0403", "村（社区）", "党支部书记", "村委会委员"),
]
UNIT = {u[0]: u for u in UNITS}
KIND_OF = {u[0]: u[3] for u in UNITS}


def make_units() -> list[dict]:
    return [dict(id=Code(u[0]), name=u[1], aliases=u[2], kind=u[3], level=u[4],
                 region_id=Code(u[5]), parent_id=Code(u[6]) if u[6] else None, sector=u[7])
            for u in UNITS]


# ---------------------------------------------------------------------------
# Cadres.  The people of the stories are written out; the rest are drawn.

SURNAMES = ("王李张刘陈杨黄吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
            "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万严武戴莫孔向汤")
MALE = ("建国 志强 国华 建军 海涛 文斌 立新 永福 明辉 卫东 德胜 振华 晓东 俊杰 家豪 宏伟 子轩 浩然 春生 "
        "红军 光荣 新民 立军 剑锋 志勇 国平 学文 云飞 鹏 磊 涛 斌 勇 超 强 军 杰 峰 刚 伟").split()
FEMALE = ("秀英 桂花 玉兰 丽娟 春梅 晓燕 海燕 红梅 雪梅 慧敏 静 敏 丽 娜 芳 婷 艳 霞 琳 颖 小芳 文静 佳怡 "
          "雨欣 思琪 美玲 淑珍").split()

# key: (name, gender, birth, native region, id number shown?, rank, specialties, pools)
STORY_CADRES = {
    # problem trail: 民政局 principal 2016–2021, then 柳溪镇 party secretary
    "zhou": ("周志强", "男", "1972.05", "381022102000", True, "正科", [], []),
    # recurrence: 财政局 principal through 2021 and 2024
    "qian": ("钱卫东", "男", "1974.09", "381022100000", False, "正科", ["财务"], []),
    "sun": ("孙立平", "男", "1966.11", NEIGHBOUR, False, "正科", ["财务"], []),
    # related cases: in-laws in 自然资源局 and 县城投集团
    "liu": ("刘志远", "男", "1976.02", "381022201000", True, "副科", ["土地管理"], []),
    "jia": ("贾明", "男", "1975.07", "381022201000", True, "", ["工程管理"], []),
    # conflict of interest: inspector 赵丽 is the sister of 桃源乡's secretary
    "zhao_yg": ("赵永刚", "男", "1977.03", "381022202000", True, "正科", [], []),
    "zhao_li": ("赵丽", "女", "1981.08", "381022202000", True, "一级主任科员",
                ["纪检监察", "财务"], ["巡察人才库"]),
    # conflict of interest: inspector 梁晓东 was deputy head of 财政局 until 2020
    "liang": ("梁晓东", "男", "1979.12", "381022100000", False, "副科",
              ["财务", "审计"], ["巡察人才库", "巡察组长库"]),
    # same name, two people: 石门镇 secretary and 东坪村 secretary (东坪村 is in 石门镇)
    "wang_a": ("王建国", "男", "1971.04", "381022101000", True, "正科", [], []),
    "wang_b": ("王建国", "男", "1964.10", "381022101201", True, "", [], []),
    # a village passed from father to son
    "luo_f": ("罗德明", "男", "1958.06", "381022102201", False, "", [], []),
    "luo_s": ("罗小军", "男", "1985.01", "381022102201", False, "", [], []),
}

# Principals per unit: (cadre key, start, end or None).  Keys not in
# STORY_CADRES are drawn people ("p:<n>").
PRINCIPALS = {
    "0001": [("p:1", "2016.09", None)],
    "0002": [("p:2", "2017.03", None)],
    "0003": [("p:3", "2018.06", None)],
    "0101": [("sun", "2014.09", "2018.12"), ("qian", "2019.01", None)],
    "0102": [("p:4", "2012.06", "2016.02"), ("zhou", "2016.03", "2021.06"), ("p:5", "2021.07", None)],
    "0103": [("p:6", "2014.03", "2018.08"), ("p:7", "2018.09", None)],
    "0104": [("p:8", "2015.06", "2020.12"), ("p:9", "2021.01", None)],
    "0105": [("p:10", "2016.01", "2022.02"), ("p:11", "2022.03", None)],
    "0106": [("p:12", "2015.03", "2021.06"), ("p:13", "2021.07", None)],
    "0107": [("p:14", "2019.04", None)],
    "0201": [("p:15", "2017.02", "2023.01"), ("p:16", "2023.02", None)],
    "0301": [("sun", "2019.01", "2023.06"), ("p:17", "2023.07", None)],
    "0302": [("p:18", "2013.05", "2022.12"), ("p:19", "2023.01", None)],
    "0303": [("p:20", "2016.08", None)],
    "0401": [("wang_a", "2016.06", "2021.09"), ("p:21", "2021.10", None)],
    "0402": [("p:7", "2015.01", "2018.08"), ("p:13", "2018.09", "2021.06"), ("zhou", "2021.07", None)],
    "0403": [("p:22", "2014.12", "2019.02"), ("zhao_yg", "2019.03", None)],
    "0501": [("wang_b", "2011.03", None)],
    "0502": [("luo_f", "2008.01", "2021.02"), ("luo_s", "2021.03", None)],
    "0503": [("p:23", "2017.04", None)],
}
# Hand-placed non-principal posts: (key, unit, title, rank, start, end)
STORY_POSTS = [
    ("liu", "0104", "副局长", "副科", "2017.05", None),
    ("liu", "0104", "耕地保护股股长", "四级主任科员", "2011.08", "2017.04"),
    ("jia", "0301", "副总经理", "", "2016.10", None),
    ("zhao_yg", "0402", "党委副书记、镇长", "副科", "2016.03", "2019.02"),
    ("zhao_li", "0001", "第二纪检监察室主任", "一级主任科员", "2014.07", None),
    ("liang", "0101", "副局长", "副科", "2016.01", "2020.12"),
    ("liang", "0003", "副主任", "副科", "2021.01", None),
    ("qian", "0101", "副局长", "副科", "2012.03", "2018.12"),
    ("zhou", "0402", "党委副书记、镇长", "副科", "2012.01", "2016.02"),
]

# Inspectors: drawn people who work in the discipline commission, the
# organization department, the inspection office and the audit bureau.
# (unit, title, rank, specialties, pools, leader?)
INSPECTOR_SLOTS = [
    ("0003", "巡察组组长", "正科", ["纪检监察"], ["巡察组长库"], True),
    ("0003", "巡察组组长", "正科", ["组织人事"], ["巡察组长库"], True),
    ("0001", "派驻纪检监察组组长", "正科", ["纪检监察", "法律"], ["巡察组长库"], True),
    ("0002", "副部长", "正科", ["组织人事"], ["巡察组长库"], True),
    ("0001", "案件审理室主任", "正科", ["纪检监察", "法律"], ["巡察组长库"], True),
    ("0107", "副局长", "副科", ["审计", "财务"], ["巡察组长库", "巡察人才库"], True),
    ("0001", "第一纪检监察室副主任", "一级主任科员", ["纪检监察"], ["巡察人才库"], False),
    ("0001", "党风政风监督室干部", "四级主任科员", ["纪检监察"], ["巡察人才库"], False),
    ("0001", "信访室干部", "一级科员", ["信访"], ["巡察人才库"], False),
    ("0002", "干部监督股股长", "四级主任科员", ["组织人事"], ["巡察人才库"], False),
    ("0002", "组织股干部", "一级科员", ["组织人事", "基层党建"], ["巡察人才库"], False),
    ("0003", "综合股股长", "四级主任科员", ["文字综合"], ["巡察人才库"], False),
    ("0003", "监督检查股干部", "一级科员", ["文字综合", "财务"], ["巡察人才库"], False),
    ("0107", "经济责任审计股股长", "四级主任科员", ["审计", "财务"], ["巡察人才库"], False),
    ("0107", "审计员", "一级科员", ["审计", "工程造价"], ["巡察人才库"], False),
    ("0107", "审计员", "一级科员", ["审计"], ["巡察人才库"], False),
    ("0001", "第三纪检监察室干部", "一级科员", ["纪检监察", "法律"], ["巡察人才库"], False),
    ("0002", "人才工作股干部", "一级科员", ["组织人事"], ["巡察人才库"], False),
]


@dataclass
class Cadre:
    id: str
    name: str
    gender: str
    birth: str
    native: str
    id_number: str | None
    rank: str
    specialties: list
    pools: list


class People:
    def __init__(self):
        self.cadres: dict[str, Cadre] = {}
        self.key_to_id: dict[str, str] = {}
        self.used_names: set[str] = {c[0] for c in STORY_CADRES.values()}
        self.n = 0

    def new_id(self) -> str:
        self.n += 1
        return f"C{self.n:03d}"

    def draw_name(self, gender: str) -> str:
        while True:
            given = rng.choice(MALE if gender == "男" else FEMALE)
            name = rng.choice(SURNAMES) + given
            if name not in self.used_names:
                self.used_names.add(name)
                return name

    def add(self, key: str | None, name=None, gender=None, birth=None, native=None,
            show_id=False, rank="", specialties=(), pools=(), surname=None) -> str:
        cid = self.new_id()
        if gender is None:
            gender = rng.choices(["男", "女"], (7, 3))[0]
        if name is None:
            name = self.draw_name(gender)
            if surname:  # kin share a surname
                self.used_names.discard(name)
                name = surname + name[1:]
                while name in self.used_names:
                    name = surname + rng.choice(MALE if gender == "男" else FEMALE)
                self.used_names.add(name)
        if birth is None:
            birth = f"{rng.randint(1963, 1992)}.{rng.randint(1, 12):02d}"
        if native is None:
            native = rng.choices([rng.choice(list(TOWNSHIPS)), COUNTY, NEIGHBOUR, DISTRICT],
                                 (6, 2, 1, 1))[0]
        idn = None
        if show_id:
            # Obviously fictional: province 38 does not exist.  Serial 001 (men,
            # odd) or 002 (women, even) and a valid GB 11643 check character,
            # so the number passes xuncha's 身份证号 checks.
            from xuncha.loaders.checks import id_check_char

            y, m = birth.split(".")
            first17 = f"{native[:6]}{y}{m}01" + ("001" if gender in ("男", "male") else "002")
            idn = first17 + id_check_char(first17)
        c = Cadre(cid, name, gender, birth, native, idn, rank, list(specialties), list(pools))
        self.cadres[cid] = c
        if key:
            self.key_to_id[key] = cid
        return cid

    def get(self, key: str) -> str:
        if key not in self.key_to_id:
            if key in STORY_CADRES:
                name, g, b, nat, show, rank, spec, pools = STORY_CADRES[key]
                self.add(key, name, g, b, nat, show, rank, spec, pools)
            else:
                self.add(key, rank="正科", show_id=rng.random() < 0.1)
        return self.key_to_id[key]


@dataclass
class Post:
    cadre: str
    unit: str
    title: str
    rank: str
    principal: bool
    start: str  # "YYYY.MM"
    end: str | None

    def covers(self, d: dt.date) -> bool:
        s = self.start.replace(".", "-") + "-01"
        e = None if self.end is None else self.end.replace(".", "-") + "-01"
        iso = d.isoformat()
        return s <= iso and (e is None or iso <= e)


def ym(s: str) -> tuple[int, int]:
    y, m = s.split(".")
    return int(y), int(m)


def ym_add(s: str, months: int) -> str:
    y, m = ym(s)
    t = y * 12 + m - 1 + months
    return f"{t // 12}.{t % 12 + 1:02d}"


def deputy_title(u: tuple) -> str:
    """A deputy post several people can hold at once (a township has one 镇长)."""
    if u[3] == "乡镇":
        return "党委委员、副镇长" if u[1].endswith("镇") else "党委委员、副乡长"
    return u[9]


def make_people() -> tuple[People, list[Post]]:
    people = People()
    posts: list[Post] = []
    # Story people first so their ids are stable and low.
    for key in STORY_CADRES:
        people.get(key)
    for uid, seq in PRINCIPALS.items():
        u = UNIT[uid]
        for key, start, end in seq:
            cid = people.get(key)
            rank = "" if u[3] == "村" else "正科"
            posts.append(Post(cid, uid, u[8], rank, True, start, end))
    for key, uid, title, rank, start, end in STORY_POSTS:
        posts.append(Post(people.get(key), uid, title, rank, False, start, end))
    # Drawn principals had careers too: a deputy post before their first top job.
    first_top: dict[str, Post] = {}
    for p in posts:
        if p.principal and (p.cadre not in first_top or p.start < first_top[p.cadre].start):
            first_top[p.cadre] = p
    story_ids = {people.key_to_id[k] for k in STORY_CADRES}
    for cid, p in sorted(first_top.items()):
        if cid in story_ids or KIND_OF[p.unit] == "村" or p.start < "2013":
            continue
        other = rng.choice([u for u in UNITS if u[3] in ("政府部门", "乡镇") and u[0] != p.unit])
        posts.append(Post(cid, other[0], deputy_title(other), "副科", False, ym_add(p.start, -rng.randint(40, 80)),
                          ym_add(p.start, -1)))
    # Deputies: one or two per unit over the decade, some rotating between units.
    for u in UNITS:
        uid = u[0]
        if uid in ("0001", "0002", "0003"):
            continue
        for slot in range(2 if uid == "0401" else 1):
            start = f"{rng.randint(2012, 2016)}.{rng.randint(1, 12):02d}"
            while start < "2025":
                tenure = rng.randint(54, 110)
                end = ym_add(start, tenure)
                rank = "" if u[3] == "村" else "副科"
                cid = people.add(None, rank=rank, show_id=rng.random() < 0.08,
                                 native=u[5] if u[3] == "村" else None)
                title = deputy_title(u) if slot == 0 else "党委委员、纪委书记"
                posts.append(Post(cid, uid, title, rank, False, start, end if end < "2025" else None))
                # Some leave for a deputy post elsewhere.
                if end < "2024.06" and rng.random() < 0.35:
                    other = rng.choice([w for w in UNITS if w[3] in ("政府部门", "乡镇", "国有企业")
                                        and w[0] != uid])
                    posts.append(Post(cid, other[0], deputy_title(other), "副科", False, ym_add(end, 1), None))
                    people.cadres[cid].rank = "副科"
                start = ym_add(end, 1)
    # Inspectors.
    for i, (uid, title, rank, spec, pools, leader) in enumerate(INSPECTOR_SLOTS):
        cid = people.add(f"insp:{i}", rank=rank, specialties=spec, pools=pools,
                         birth=f"{rng.randint(1966, 1975) if leader else rng.randint(1978, 1995)}"
                               f".{rng.randint(1, 12):02d}",
                         native=rng.choice([COUNTY, NEIGHBOUR, DISTRICT]) if leader else None)
        start = f"{rng.randint(2012, 2019)}.{rng.randint(1, 12):02d}"
        posts.append(Post(cid, uid, title, rank, False, start, None))
        if leader:  # leaders came up through the party organs or the audit bureau
            prev = rng.choice([w for w in UNITS if w[0] in ("0001", "0002", "0107") and w[0] != uid])
            posts.append(Post(cid, prev[0], prev[9], "副科", False, ym_add(start, -rng.randint(48, 96)),
                              ym_add(start, -1)))
    posts.sort(key=lambda p: (p.cadre, p.start))
    return people, posts


# ---------------------------------------------------------------------------
# Relations.


def make_relations(people: People, posts: list[Post]) -> list[dict]:
    k = people.key_to_id
    rows = [
        dict(cadre_id=k["zhao_li"], other_id=k["zhao_yg"], kind="兄弟姐妹", note="赵丽系赵永刚之妹"),
        dict(cadre_id=k["jia"], other_id=k["liu"], kind="姻亲", note="贾明系刘志远之妹夫"),
        dict(cadre_id=k["luo_s"], other_id=k["luo_f"], kind="父母", note="罗德明系罗小军之父"),
        dict(cadre_id=k["wang_a"], other_id=k["wang_b"], kind="老乡", note="同为石门镇人，重名"),
        dict(cadre_id=k["liang"], other_id=k["qian"], kind="同事", note="2016—2018年同任县财政局副局长"),
        dict(cadre_id=k["zhou"], other_id=k["zhao_yg"], kind="同事", note="2015—2016年同在柳溪镇班子"),
    ]
    ids = sorted(people.cadres)
    taken = {(r["cadre_id"], r["other_id"]) for r in rows}
    # Story people and inspectors get no drawn ties: the planted ones are the story.
    protected = {*(k[key] for key in STORY_CADRES),
                 *(k[f"insp:{i}"] for i in range(len(INSPECTOR_SLOTS)))}

    def pick(pred):
        for _ in range(200):
            a, b = rng.sample(ids, 2)
            if (a, b) in taken or (b, a) in taken or a in protected or b in protected:
                continue
            if pred(people.cadres[a], people.cadres[b]):
                taken.add((a, b))
                return a, b
        raise RuntimeError("no pair found")

    for _ in range(6):
        a, b = pick(lambda x, y: x.gender != y.gender and abs(int(x.birth[:4]) - int(y.birth[:4])) <= 5)
        rows.append(dict(cadre_id=a, other_id=b, kind="夫妻", note=None))
    def same_surname(a: str, b: str) -> None:
        """Blood kin share a surname: give b a's (names stay unique)."""
        ca, cb = people.cadres[a], people.cadres[b]
        name = ca.name[0] + cb.name[1:]
        while name in people.used_names:
            name = ca.name[0] + rng.choice(MALE if cb.gender == "男" else FEMALE)
        people.used_names.add(name)
        cb.name = name

    for _ in range(3):
        a, b = pick(lambda x, y: abs(int(x.birth[:4]) - int(y.birth[:4])) <= 8)
        same_surname(a, b)
        rows.append(dict(cadre_id=a, other_id=b, kind="兄弟姐妹", note=None))
    for _ in range(2):
        a, b = pick(lambda x, y: abs(int(x.birth[:4]) - int(y.birth[:4])) <= 12)
        same_surname(a, b)
        rows.append(dict(cadre_id=a, other_id=b, kind="旁系血亲", note="堂兄弟姐妹"))
    for _ in range(2):
        a, b = pick(lambda x, y: True)
        rows.append(dict(cadre_id=a, other_id=b, kind="姻亲", note=None))
    for _ in range(5):
        a, b = pick(lambda x, y: x.birth[:4] == y.birth[:4] or abs(int(x.birth[:4]) - int(y.birth[:4])) <= 1)
        rows.append(dict(cadre_id=a, other_id=b, kind="同学", note=rng.choice(["高中同学", "大学同学", "党校同学"])))
    # Colleagues: two people who overlapped in one unit.
    by_unit: dict[str, list[Post]] = {}
    for p in posts:
        by_unit.setdefault(p.unit, []).append(p)
    n = 0
    for uid in sorted(by_unit):
        ps = by_unit[uid]
        if len(ps) < 2 or n >= 5 or rng.random() < 0.5:
            continue
        a, b = rng.sample(ps, 2)
        if a.cadre == b.cadre or a.cadre in protected or b.cadre in protected:
            continue
        if (a.cadre, b.cadre) in taken or (b.cadre, a.cadre) in taken:
            continue
        taken.add((a.cadre, b.cadre))
        rows.append(dict(cadre_id=a.cadre, other_id=b.cadre, kind="同事", note=f"曾同在{UNIT[uid][2][0]}工作"))
        n += 1
    return rows


# ---------------------------------------------------------------------------
# Rounds, teams, assignments.

ROUNDS = [
    dict(id="R2021-1", name="青川县委2021年第一轮巡察", kind="常规", topic=None,
         start="2021-03-15", end="2021-05-14"),
    dict(id="R2022-1", name="青川县委2022年乡村振兴领域专项巡察", kind="专项",
         topic="乡村振兴（含低保、惠农补贴等民生资金）", start="2022-04-11", end="2022-05-27"),
    dict(id="R2023-1", name="青川县委2023年第一轮巡察（交叉巡察）", kind="交叉",
         topic=None, start="2023-03-20", end="2023-05-19"),
    dict(id="R2024-1", name="青川县委2024年巡察整改“回头看”", kind="回头看",
         topic="2021年第一轮巡察反馈问题整改情况", start="2024-04-08", end="2024-05-31"),
]
ROUND = {r["id"]: r for r in ROUNDS}
TEAMS = ["T1", "T2", "T3", "T4"]
TEAM_NAMES = {"T1": "青川县委第一巡察组", "T2": "青川县委第二巡察组",
              "T3": "青川县委第三巡察组", "T4": "青川县委第四巡察组"}

# round -> team -> [(unit, issues found)]; modes: villages are inspected by
# the county directly (提级), the 2023 round is a cross round.
PLAN = {
    "R2021-1": {"T1": [("0101", 17), ("0301", 14)], "T2": [("0102", 15), ("0302", 15)],
                "T3": [("0105", 15), ("0303", 9)], "T4": [("0401", 11), ("0501", 3)]},
    "R2022-1": {"T1": [("0103", 10), ("0403", 7)], "T2": [("0102", 7), ("0503", 3)],
                "T3": [("0402", 8), ("0502", 2)], "T4": [("0401", 6), ("0501", 2)]},
    "R2023-1": {"T1": [("0104", 16), ("0502", 2)], "T2": [("0201", 15), ("0403", 8)],
                "T3": [("0402", 10), ("0503", 3)], "T4": [("0106", 13), ("0107", 11)]},
    "R2024-1": {"T1": [("0102", 4), ("0302", 3)], "T2": [("0105", 3), ("0303", 2)],
                "T3": [("0401", 4), ("0501", 2)], "T4": [("0101", 5), ("0301", 4)]},
}


def mode_of(round_id: str, unit: str) -> str:
    if ROUND[round_id]["kind"] == "交叉":
        return "交叉"
    return "提级" if KIND_OF[unit] == "村" else "本地"


# Team members, hand-placed for the stories: (round, team, key, role)
STORY_MEMBERS = [
    ("R2021-1", "T1", "liang", "副组长"),  # worked at 财政局 until 2020-12; T1 inspects it
    ("R2023-1", "T2", "zhao_li", "组员"),  # sister of 桃源乡's secretary; T2 inspects 桃源乡
    ("R2022-1", "T3", "zhao_li", "组员"),
    ("R2024-1", "T2", "liang", "组长"),
]


def kin_of(relations: list[dict]) -> dict[str, set[str]]:
    kin = {"夫妻", "父母", "子女", "兄弟姐妹", "祖父母", "孙子女", "旁系血亲", "姻亲"}
    out: dict[str, set[str]] = {}
    for r in relations:
        if r["kind"] in kin:
            out.setdefault(r["cadre_id"], set()).add(r["other_id"])
            out.setdefault(r["other_id"], set()).add(r["cadre_id"])
    return out


def make_teams(people: People, posts: list[Post], relations: list[dict]):
    k = people.key_to_id
    insp = [people.key_to_id[f"insp:{i}"] for i in range(len(INSPECTOR_SLOTS))]
    leaders = [c for c, s in zip(insp, INSPECTOR_SLOTS) if s[5]]
    others = [c for c, s in zip(insp, INSPECTOR_SLOTS) if not s[5]]
    kin = kin_of(relations)
    worked: dict[str, set[str]] = {}
    for p in posts:
        worked.setdefault(p.cadre, set()).add(p.unit)

    def conflicted(cid: str, round_id: str, team: str) -> bool:
        start = day(ROUND[round_id]["start"])
        for uid, _ in PLAN[round_id][team]:
            u = UNIT[uid]
            if uid in worked.get(cid, ()) or (u[6] and u[6] in worked.get(cid, ())):
                return True
            heads = {p.cadre for p in posts if p.unit == uid and p.covers(start)}
            if heads & kin.get(cid, set()):
                return True
            if KIND_OF[uid] in ("乡镇", "村") and people.cadres[cid].native == u[5]:
                return True
        return False

    members = []
    for r in ROUNDS:
        rid = r["id"]
        placed = {(t, k[key]): role for (rr, t, key, role) in STORY_MEMBERS if rr == rid}
        used = {c for (_, c) in placed}
        for t in TEAMS:
            roles = {role for (tt, _), role in placed.items() if tt == t}
            team_rows = [(c, role) for (tt, c), role in placed.items() if tt == t]
            if "组长" not in roles:
                pool = [c for c in leaders if c not in used and not conflicted(c, rid, t)]
                c = rng.choice(pool)
                used.add(c)
                team_rows.append((c, "组长"))
            if "副组长" not in roles:
                pool = [c for c in leaders + others if c not in used and not conflicted(c, rid, t)]
                c = rng.choice(pool)
                used.add(c)
                team_rows.append((c, "副组长"))
            size = rng.choice([4, 5, 5])
            while len(team_rows) < size:
                pool = [c for c in others if c not in used and not conflicted(c, rid, t)]
                if not pool:
                    break
                c = rng.choice(pool)
                used.add(c)
                team_rows.append((c, "组员"))
            order = {"组长": 0, "副组长": 1, "组员": 2}
            for c, role in sorted(team_rows, key=lambda x: (order[x[1]], x[0])):
                members.append(dict(round_id=rid, team_id=t, cadre_id=c, role=role))
    return members


# ---------------------------------------------------------------------------
# Issues.

TEMPLATES = {
    "weakened_leadership": [
        "落实“第一议题”制度不到位，{y}年有{n}次党组会议未传达学习习近平总书记重要讲话精神",
        "执行民主集中制不严格，“三重一大”事项有{n}项由主要负责人个人决定，未经集体研究",
    ],
    "decisions_not_implemented": [
        "贯彻落实县委县政府关于{topic}的决策部署不力，{n}项重点任务未按期完成",
        "落实上级巡视巡察反馈意见不到位，{n}个问题整改进度滞后",
    ],
    "theory_study": [
        "党组理论学习中心组学习不规范，{y}年集体学习仅{n}次，未达到规定次数",
        "党员干部理论学习走过场，学习笔记雷同，心得体会照搬照抄",
    ],
    "ideological_work": [
        "落实意识形态工作责任制不到位，未按要求每半年专题研究意识形态工作",
        "单位网站、微信公众号信息审核把关不严，{y}年有{n}条信息未经审核即发布",
    ],
    "party_building_lacking": [
        "党支部“三会一课”制度落实不到位，{y}年支部党员大会仅召开{n}次",
        "党费收缴不规范，{n}名党员未按规定标准足额交纳党费",
        "发展党员程序不规范，{n}名党员入党材料缺失",
    ],
    "cadre_selection": [
        "干部选拔任用程序不规范，{n}名干部动议、民主推荐环节记录缺失",
        "干部人事档案管理不规范，{n}份档案“三龄二历”存在涂改、前后不一致",
        "违规借调、长期借用下属单位人员{n}名",
    ],
    "grassroots": [
        "“四议两公开”落实不到位，{n}个村级重大事项未经村民代表会议决议",
        "基层党组织软弱涣散，{n}个党支部战斗堡垒作用发挥不明显",
        "村务公开不及时、不全面，{y}年财务收支未按季度公开",
    ],
    "eight_point_rules": [
        "违规发放津贴补贴，{y}年以来以加班费名义向干部职工发放补贴{amt}",
        "公务接待不规范，{n}次接待无公函、无清单，涉及金额{amt}",
        "公车管理使用不规范，节假日公车未封存，{n}次公车私用",
        "违规组织干部职工聚餐，费用{amt}在办公经费中列支",
    ],
    "formalism": [
        "文山会海问题突出，{y}年下发文件{n}份，部分文件照搬照转上级文件",
        "督查检查考核过多过频，基层反映填表报数负担重",
        "整改工作搞形式、走过场，{n}个问题整改台账与实际情况不符",
    ],
    "bureaucratism": [
        "服务群众意识淡薄，办事窗口推诿扯皮，群众反映强烈",
        "群众信访事项办理不及时，{n}件信访件超期未办结",
    ],
    "hedonism": [
        "工作日中午饮酒问题时有发生，{n}名干部被通报",
        "上班时间脱岗、离岗现象突出，{n}名干部多次被通报",
    ],
    "extravagance": [
        "超标准举办会议、庆典活动，会议费超预算{amt}",
        "违规购买高档烟酒用于公务接待，涉及金额{amt}",
    ],
    "strict_governance_weak": [
        "落实全面从严治党主体责任不力，{y}年未专题研究党风廉政建设工作",
        "“一岗双责”落实不到位，班子成员与分管领域干部开展廉政谈话不足",
        "对巡察、审计发现问题整改跟踪不力，同类问题反复出现",
    ],
    "integrity": [
        "个别干部利用职务便利为亲属经营活动提供帮助，涉及金额{amt}",
        "干部违规在企业兼职取酬{amt}",
        "收受管理服务对象礼品礼金{amt}",
    ],
    "financial_management": [
        "财务报销审核不严，{n}笔支出无明细清单、无经办人签字，涉及金额{amt}",
        "违规设立“小金库”，培训费、场地费收入{amt}未纳入单位账户统一核算",
        "往来款长期挂账未清理，涉及金额{amt}",
        "挤占挪用项目资金{amt}用于日常办公支出",
    ],
    "procurement": [
        "政府采购程序不规范，{n}个项目化整为零规避公开招标，涉及金额{amt}",
        "工程项目未经招标直接发包，涉及金额{amt}",
        "工程变更签证管理混乱，{n}个项目结算超合同价{amt}",
    ],
    "office_space": [
        "办公用房超标准配置，{n}名班子成员办公用房面积超标",
        "办公用房清理整改不彻底，腾退用房违规出租",
    ],
    "public_funds_travel": [
        "以考察学习名义变相公款旅游，涉及金额{amt}",
    ],
    "social_assistance": [
        "低保动态管理不到位，{n}户不符合条件人员违规享受低保，涉及资金{amt}",
        "特困供养人员认定不规范，{n}名死亡人员未及时停发供养金{amt}",
        "临时救助审批把关不严，{n}户家庭重复领取救助金{amt}",
    ],
    "poverty_relief": [
        "防止返贫动态监测不到位，{n}户监测对象未及时纳入帮扶",
        "扶贫项目资产管理不规范，{n}个项目资产闲置、收益未按规定分配",
        "衔接资金使用效益不高，项目资金{amt}结余滞留超过一年",
    ],
    "compensation": [
        "耕地地力保护补贴发放不精准，向{n}户非种植户违规发放补贴{amt}",
        "征地补偿款发放不规范，{n}户补偿款被截留{amt}",
        "惠农补贴“一卡通”管理不规范，{n}张社保卡由村干部代管",
    ],
    "judicial_enforcement": [
        "执行案件久拖不结，{n}件案件超期未执结，涉案标的{amt}",
        "司法救助资金审批不规范，{n}件救助案件材料不全",
        "执行案款管理不规范，案款{amt}未及时发放当事人",
    ],
}
PARENT = {
    "weakened_leadership": "政治建设", "decisions_not_implemented": "政治建设",
    "theory_study": "思想建设", "ideological_work": "思想建设",
    "party_building_lacking": "组织建设", "cadre_selection": "组织建设", "grassroots": "组织建设",
    "eight_point_rules": "作风建设", "formalism": "作风建设", "bureaucratism": "作风建设",
    "hedonism": "作风建设", "extravagance": "作风建设",
    "strict_governance_weak": "纪律建设", "integrity": "纪律建设",
    "financial_management": "纪律建设", "procurement": "纪律建设", "office_space": "纪律建设",
    "public_funds_travel": "纪律建设",
    "social_assistance": "民生", "poverty_relief": "民生", "compensation": "民生",
    "judicial_enforcement": "民生",
}
SUB_ZH = {
    "weakened_leadership": "党的领导弱化", "decisions_not_implemented": "贯彻落实决策部署不力",
    "theory_study": "理论学习", "ideological_work": "意识形态工作",
    "party_building_lacking": "党的建设缺失", "cadre_selection": "选人用人",
    "grassroots": "基层组织建设", "eight_point_rules": "违反中央八项规定精神",
    "formalism": "形式主义", "bureaucratism": "官僚主义", "hedonism": "享乐主义",
    "extravagance": "奢靡之风", "strict_governance_weak": "全面从严治党不力",
    "integrity": "廉洁问题", "financial_management": "财务管理不规范",
    "procurement": "政府采购/招投标", "office_space": "办公用房超标",
    "public_funds_travel": "公款旅游", "social_assistance": "低保/五保/社会救助",
    "poverty_relief": "扶贫", "compensation": "补偿款/惠农资金",
    "judicial_enforcement": "执行难/司法救助",
}
MONEY_SUBS = {"eight_point_rules", "extravagance", "integrity", "financial_management",
              "procurement", "public_funds_travel", "social_assistance", "poverty_relief",
              "compensation", "judicial_enforcement"}
# Money that can be clawed back (not e.g. a contract let without tender).
RECOVERABLE = MONEY_SUBS - {"procurement", "judicial_enforcement", "poverty_relief"}
PERSONAL_SUBS = {"eight_point_rules", "integrity", "financial_management", "procurement",
                 "social_assistance", "compensation", "public_funds_travel", "extravagance",
                 "cadre_selection", "hedonism"}
TOPICS = ["优化营商环境", "乡村振兴", "安全生产", "耕地保护", "生态环境保护", "疫情防控"]

BASE_WEIGHTS = {
    "weakened_leadership": 5, "decisions_not_implemented": 6, "theory_study": 5,
    "ideological_work": 4, "party_building_lacking": 8, "cadre_selection": 6, "grassroots": 0,
    "eight_point_rules": 7, "formalism": 6, "bureaucratism": 3, "hedonism": 1, "extravagance": 1,
    "strict_governance_weak": 6, "integrity": 3, "financial_management": 9, "procurement": 4,
    "office_space": 2, "public_funds_travel": 1, "social_assistance": 0, "poverty_relief": 0,
    "compensation": 0, "judicial_enforcement": 0,
}


def weights_for(unit: str, round_kind: str) -> dict[str, float]:
    w = dict(BASE_WEIGHTS)
    kind = KIND_OF[unit]
    if kind in ("乡镇", "村"):
        w.update(grassroots=8, social_assistance=5, poverty_relief=4, compensation=5,
                 procurement=2, cadre_selection=2, office_space=1, ideological_work=2)
    if kind == "村":
        w.update(weakened_leadership=1, theory_study=1, ideological_work=0, cadre_selection=0,
                 office_space=0, strict_governance_weak=1, decisions_not_implemented=1)
    if kind == "法院":
        w.update(judicial_enforcement=12)
    if unit == "0102":
        w.update(social_assistance=10)
    if unit == "0103":
        w.update(poverty_relief=5, compensation=6)
    if kind == "国有企业":
        w.update(procurement=9, integrity=4)
    if round_kind == "专项":
        w = {k: (v * 3 if PARENT[k] == "民生" else v * 0.3) for k, v in w.items()}
        w.update(decisions_not_implemented=6, formalism=4, financial_management=5)
    if round_kind == "回头看":
        w = {k: v * 0.4 for k, v in w.items()}
        w.update(formalism=8, strict_governance_weak=5)
    return w


# Hand-written issues: (round, unit, subcategory, description, amount, source,
# found date, immediate, cadre keys, story tag)
STORY_ISSUES = [
    # problem trail (周志强): 民政局 in 2021 and 柳溪镇 in 2022 and 2023
    ("R2021-1", "0102", "social_assistance",
     "低保审核审批把关不严，2018年以来为47户不符合条件家庭办理低保，涉及资金61.3万元",
     "61.3万元", "查阅资料", "2021-04-09", False, ["zhou"], "trail"),
    ("R2021-1", "0102", "strict_governance_weak",
     "局党组落实全面从严治党主体责任不力，2019年、2020年均未专题研究党风廉政建设工作",
     None, "个别谈话", "2021-03-26", False, ["zhou"], "trail"),
    ("R2023-1", "0402", "compensation",
     "镇党委对村级惠农资金监管缺位，2022年耕地地力保护补贴向31户非种植户违规发放，涉及资金2.6万元",
     "2.6万", "走访", "2023-04-18", False, ["zhou"], "trail"),
    ("R2023-1", "0402", "weakened_leadership",
     "镇党委执行民主集中制不严格，3项村级工程项目由党委书记个人决定发包",
     None, "个别谈话", "2023-04-03", False, ["zhou"], "trail"),
    # recurrence: 财政局 eight-point issue, closed in 2021, found again in 2024
    ("R2021-1", "0101", "eight_point_rules",
     "违规发放津贴补贴，2019年以来以加班费、值班费名义向干部职工发放补贴25969元",
     "25969元", "查阅资料", "2021-03-29", False, [], "recurrence-1"),
    ("R2024-1", "0101", "eight_point_rules",
     "上轮巡察反馈的违规发放津贴补贴问题整改后出现反弹，2023年以“考核奖励”名义变相发放补贴4.8万元",
     "4.8万元", "查阅资料", "2024-04-22", False, [], "recurrence-2"),
    # related cases: 城投集团 2021 and 自然资源局 2023, through in-laws 贾明 / 刘志远
    ("R2021-1", "0301", "procurement",
     "2019年至2020年，集团3个道路工程项目未经公开招标直接发包给同一公司，涉及金额1125.21万元",
     "1125.21万元", "审计", "2021-04-14", False, ["jia"], "related-1"),
    ("R2023-1", "0104", "integrity",
     "违规为县城投集团项目先行办理用地审批手续，土地出让金90余万元未按期足额缴纳",
     "90余万元", "信访举报", "2023-04-11", False, ["liu"], "related-2"),
]
# Common problem (乡村振兴 special round): 低保 problems in five units.
COMMON_SUB = "social_assistance"
COMMON_UNITS = ["0102", "0403", "0402", "0401", "0503"]


@dataclass
class Issue:
    id: str
    round: str
    unit: str
    team: str
    sub: str
    desc: str
    amount: object
    source: str
    found: dt.date
    immediate: bool
    cadres: list
    tag: str | None = None


SOURCES = ["个别谈话", "查阅资料", "信访举报", "走访", "审计", "问卷调查"]
SOURCE_W = [30, 30, 12, 12, 8, 8]


def fill(template: str, round_year: int):
    amt_yuan = None
    amt_cell = None
    if "{amt}" in template:
        r = rng.random()
        if r < 0.15:
            amt_yuan = rng.randint(12, 95) * 10000  # "35余万元"
            amt_cell = money(amt_yuan, approx=True)
            amt_yuan = yuan_of(amt_cell)
        else:
            amt_yuan = float(rng.choice([rng.randint(2000, 9999), rng.randint(10000, 99999),
                                         rng.randint(100000, 900000)]))
            amt_cell = money(amt_yuan)
            amt_yuan = yuan_of(amt_cell)
        amt_text = text(amt_cell)
        if isinstance(amt_cell, int):
            amt_text = f"{amt_cell}元"
    else:
        amt_text = ""
    desc = template.format(y=round_year - rng.randint(1, 2), n=rng.randint(2, 15),
                           amt=amt_text, topic=rng.choice(TOPICS))
    return desc, amt_cell, amt_yuan


def holders(posts: list[Post], unit: str, d: dt.date) -> list[Post]:
    return [p for p in posts if p.unit == unit and p.covers(d)]


def make_issues(people: People, posts: list[Post]) -> list[Issue]:
    k = people.key_to_id
    issues: list[Issue] = []
    for r in ROUNDS:
        rid = r["id"]
        rs, re_ = day(r["start"]), day(r["end"])
        seq = 0
        for team in TEAMS:
            for unit, n in PLAN[rid][team]:
                batch: list[Issue] = []
                for s in STORY_ISSUES:
                    if s[0] == rid and s[1] == unit:
                        batch.append(Issue("", rid, unit, team, s[2], s[3], s[4], s[5], day(s[6]),
                                           s[7], [k[c] for c in s[8]], s[9]))
                if rid == "R2022-1" and unit in COMMON_UNITS:
                    tpl = rng.choice(TEMPLATES[COMMON_SUB])
                    desc, cell, _ = fill(tpl, 2022)
                    batch.append(Issue("", rid, unit, team, COMMON_SUB, desc, cell, "走访",
                                       between(rs + dt.timedelta(days=7), re_ - dt.timedelta(days=5)),
                                       False, [], "common"))
                w = weights_for(unit, r["kind"])
                if rid == "R2022-1":
                    w[COMMON_SUB] = 0  # the common problem is placed above, once per unit
                subs = [s for s in w if w[s] > 0]
                while len(batch) < n:
                    sub = rng.choices(subs, [w[s] for s in subs])[0]
                    if sub == "eight_point_rules" and unit == "0101":
                        continue  # 财政局's eight-point issues are the story's
                    desc, cell, _ = fill(rng.choice(TEMPLATES[sub]), rs.year)
                    if any(b.desc == desc for b in batch):
                        continue
                    found = between(rs + dt.timedelta(days=5), re_ - dt.timedelta(days=3))
                    cadres = []
                    p_person = 0.5 if sub in PERSONAL_SUBS else 0.15
                    if rng.random() < p_person:
                        hs = holders(posts, unit, found)
                        if hs:
                            if sub in ("weakened_leadership", "strict_governance_weak"):
                                hs = [h for h in hs if h.principal] or hs
                            cadres = sorted({h.cadre for h in rng.sample(hs, min(len(hs), rng.choice([1, 1, 2])))})
                    imm = False  # chosen below, by quota
                    src = rng.choices(SOURCES, SOURCE_W)[0]
                    if sub in ("social_assistance", "compensation", "poverty_relief"):
                        src = rng.choice(["走访", "信访举报", "查阅资料"])
                    batch.append(Issue("", rid, unit, team, sub, desc, cell, src, found, imm, cadres))
                batch.sort(key=lambda i: (i.found, i.sub))
                for i in batch:
                    seq += 1
                    i.id = f"{rid}-{seq:03d}"
                    issues.append(i)
    # About 16% fixed on the spot (立行立改), most likely for the kinds of
    # problem that can be: office space, allowances, 低保 rolls, meeting records.
    quick = {"office_space": 4, "hedonism": 4, "ideological_work": 2, "party_building_lacking": 2,
             "financial_management": 2, "eight_point_rules": 2, "social_assistance": 2}
    for r in ROUNDS:
        cands = [i for i in issues if i.round == r["id"] and i.tag is None]
        k = round(0.16 * sum(i.round == r["id"] for i in issues))
        # Weighted sampling without replacement (Efraimidis–Spirakis keys).
        for i in sorted(cands, key=lambda i: -rng.random() ** (1 / quick.get(i.sub, 1)))[:k]:
            i.immediate = True
    return issues


# ---------------------------------------------------------------------------
# Leads.

LEADS_PER = {"政府部门": (2, 6), "国有企业": (3, 6), "医院": (2, 4), "学校": (1, 2),
             "法院": (2, 4), "乡镇": (1, 4), "村": (0, 2)}
DISCIPLINE_OF = {"eight_point_rules": "廉洁纪律", "integrity": "廉洁纪律", "financial_management": "廉洁纪律",
                 "procurement": "廉洁纪律", "public_funds_travel": "廉洁纪律", "extravagance": "廉洁纪律",
                 "social_assistance": "群众纪律", "compensation": "群众纪律", "poverty_relief": "群众纪律",
                 "cadre_selection": "组织纪律", "hedonism": "工作纪律", "judicial_enforcement": "工作纪律",
                 "weakened_leadership": "政治纪律", "decisions_not_implemented": "政治纪律"}

# Hand-written case outcomes: story tag -> (disposal, filed, outcomes, recovered)
STORY_LEADS = {
    "trail": ("谈话函询", False, ["诫勉"], None),
    "related-1": ("初步核实", True, ["双开", "移送司法"], "86.4万元"),
    "related-2": ("初步核实", True, ["留党察看", "撤职"], "90余万元"),
}


def make_leads(issues: list[Issue], people: People) -> list[dict]:
    """Leads drawn from issues that name people; receivers and dispositions by
    quota, so the shape holds whatever the draw: about 6:1 between the
    commission and the organization department, about 17% of leads filed."""
    names = {c.id: c.name for c in people.cadres.values()}
    drafts: list[tuple[Issue, dt.date]] = []
    done_tags: set[str] = set()
    for r in ROUNDS:
        rid = r["id"]
        re_ = day(r["end"])
        for team in TEAMS:
            for unit, _ in PLAN[rid][team]:
                pool = [i for i in issues if i.round == rid and i.unit == unit and i.cadres]
                lo, hi = LEADS_PER[KIND_OF[unit]]
                if r["kind"] == "回头看":
                    lo, hi = 0, 1
                want = rng.randint(lo, hi)
                story = [i for i in pool if i.tag in STORY_LEADS and i.tag not in done_tags][:1]
                done_tags.update(i.tag for i in story)
                # At most two leads per person per inspection.
                chosen, seen = [], Counter()
                for i in story + rng.sample(pool, len(pool)):
                    if len(chosen) >= max(want, len(story)):
                        break
                    if i not in chosen and all(seen[c] < 2 for c in i.cadres):
                        chosen.append(i)
                        seen.update(i.cadres)
                for i in chosen:
                    drafts.append((i, re_ + dt.timedelta(days=rng.randint(20, 45))))

    free = [k for k, (i, _) in enumerate(drafts) if i.tag not in STORY_LEADS]
    n_org = round(len(drafts) / 7)
    org = set(sorted(free, key=lambda k: (drafts[k][0].sub != "cadre_selection", rng.random()))[:n_org])
    commission = [k for k in free if k not in org]
    rng.shuffle(commission)
    n_story_cases = sum(STORY_LEADS[i.tag][1] for i, _ in drafts if i.tag in STORY_LEADS)
    n_cases = max(0, round(len(drafts) * 0.17) - n_story_cases)
    n_verify = round(len(commission) * 0.25)
    plan = {}
    for j, k in enumerate(commission):
        if j < n_cases:
            plan[k] = "case"
        elif j < n_cases + n_verify:
            plan[k] = "初步核实"
        else:
            plan[k] = rng.choices(["谈话函询", "暂存待查", "予以了结"], (7, 2, 1))[0]

    leads = []
    for n, (i, transfer) in enumerate(drafts, start=1):
        rid, unit = i.round, i.unit
        is_org = n - 1 in org
        row = dict(id=f"XS{rid[1:5]}-{n:03d}", round_id=rid, unit_id=Code(unit), issue_ids=[i.id],
                   subject_ids=list(i.cadres),
                   discipline=rng.choice(["组织纪律", "工作纪律"]) if is_org else
                   DISCIPLINE_OF.get(i.sub, rng.choice(["工作纪律", "组织纪律"])),
                   transferred_to="组织部" if is_org else "纪委监委",
                   transfer_date=mixed(transfer), disposal=None, case_filed=False,
                   case_filed_date=None, outcomes=[], recovered_amount=None,
                   closed_date=None, summary=None)
        late = rid == "R2024-1"
        how = plan.get(n - 1)
        if i.tag in STORY_LEADS:
            disp, filed, outs, rec = STORY_LEADS[i.tag]
            row.update(disposal=disp, case_filed=filed, outcomes=outs, recovered_amount=rec)
            if filed:
                row["case_filed_date"] = mixed(transfer + dt.timedelta(days=rng.randint(30, 60)))
            row["closed_date"] = mixed(transfer + dt.timedelta(days=rng.randint(120, 200)))
        elif is_org:
            n_org_done = sum(l["transferred_to"] == "组织部" for l in leads)
            row.update(disposal="谈话函询", outcomes=[("诫勉", "组织处理", "批评教育")[n_org_done % 3]])
            row["closed_date"] = mixed(transfer + dt.timedelta(days=rng.randint(30, 90)))
        else:
            if how == "case":
                filed = transfer + dt.timedelta(days=rng.randint(25, 70))
                row.update(disposal="初步核实", case_filed=True, case_filed_date=mixed(filed),
                           outcomes=rng.choice([["党内警告"], ["党内警告", "政务警告"], ["党内严重警告"],
                                                ["记过"], ["记大过"], ["撤销党内职务", "组织处理"]]))
                if i.amount is not None and rng.random() < 0.8:
                    part = yuan_of(i.amount) * rng.choice([0.3, 0.5, 1.0])
                    row["recovered_amount"] = money(round(max(part, 1000.0), -2))
            elif how == "初步核实":
                row.update(disposal="初步核实", outcomes=rng.choice([["诫勉"], ["批评教育"], []]))
            elif how == "谈话函询":
                row.update(disposal="谈话函询", outcomes=rng.choice([["批评教育"], ["诫勉"], []]))
            else:
                row["disposal"] = how
            if row["disposal"] != "暂存待查" and not (late and rng.random() < 0.6):
                after = row["case_filed_date"].value if row["case_filed_date"] else transfer
                row["closed_date"] = mixed(after + dt.timedelta(days=rng.randint(40, 160)))
        if late and row["closed_date"] and row["closed_date"].value > AS_OF:
            row["closed_date"] = None
        if row["case_filed_date"] and row["case_filed_date"].value > AS_OF:
            row["case_filed_date"] = None
        if row["closed_date"] is None and row["disposal"] != "暂存待查":
            row["outcomes"], row["recovered_amount"] = [], None  # still being handled
        who = "、".join(f"{names[c][0]}某" for c in i.cadres)
        row["summary"] = f"反映{UNIT[unit][2][0]}{who}涉嫌违反{row['discipline']}（{SUB_ZH[i.sub]}）"
        leads.append(row)
    return leads


# ---------------------------------------------------------------------------
# Actions.

ACTION_MEASURE = {
    "立行立改": "立行立改：{what}，已当场纠正",
    "整改": "制定整改方案，{what}，逐项对账销号",
    "建章立制": "修订完善相关制度{rules}项，{what}",
    "追缴资金": "追缴清退违规资金，{what}",
    "追责问责": "对相关责任人进行追责问责",
    "回头看核查": "回头看核查：{what}",
    "突击察访": "县委巡察办突击察访：{what}",
}
WHAT = {
    "政治建设": "完善党组议事规则和决策程序",
    "思想建设": "健全理论学习中心组学习制度",
    "组织建设": "规范组织生活和干部选任程序",
    "作风建设": "开展作风专项整治",
    "纪律建设": "规范财务管理和内控制度",
    "民生": "全面排查清理，补齐民生资金监管漏洞",
}


def principal_at(posts: list[Post], unit: str, d: dt.date) -> str | None:
    for p in posts:
        if p.unit == unit and p.principal and p.covers(d):
            return p.cadre
    return None


def make_actions(issues: list[Issue], leads: list[dict], posts: list[Post]) -> list[dict]:
    actions: list[dict] = []
    n = 0
    # Round -> (feedback date, deadline, share of issues left unrectified)
    plan = {
        "R2021-1": (day("2021-06-25"), day("2021-10-31"), 3),
        "R2022-1": (day("2022-07-08"), day("2022-11-30"), 2),
        "R2023-1": (day("2023-06-30"), day("2023-12-31"), 4),
        "R2024-1": (day("2024-07-12"), None, 0),
    }
    # Issues of the older rounds still open at the end of 2024 (overdue).
    open_ids = set()
    for rid, (_, _, k) in plan.items():
        pool = [i.id for i in issues if i.round == rid and not i.immediate and i.tag is None]
        open_ids.update(rng.sample(pool, k))
    lookback_team = {u: t for t, us in PLAN["R2024-1"].items() for u, _ in us}
    no_action_left = 3  # latest round: a few issues without an action yet (a realistic warning)

    def add(issue: Issue | None, kind: str, status: str, deadline: dt.date | None,
            completed: dt.date | None, verified: str | None = None, recovered=None,
            rules: int | None = None, measure: str | None = None, lead: dict | None = None,
            owner_unit: str | None = None, owner_cadre: str | None = None):
        nonlocal n
        n += 1
        cat = PARENT[issue.sub] if issue else "纪律建设"
        m = measure or ACTION_MEASURE[kind].format(what=WHAT[cat], rules=rules or 1)
        if deadline and completed and completed > AS_OF:
            completed = None
        actions.append(dict(
            id=f"ZG{(issue.round if issue else lead['round_id'])[1:5]}-{n:04d}",
            issue_id=issue.id if issue else None, lead_id=lead["id"] if lead else None,
            kind=kind, measure=m, owner_unit_id=Code(owner_unit or issue.unit),
            owner_cadre_id=owner_cadre, deadline=mixed(deadline) if deadline else None,
            status=status, completed_date=mixed(completed) if completed else None,
            verified_by_team_id=verified, recovered_amount=recovered, rules_count=rules))

    for i in issues:
        feedback, deadline, _ = plan[i.round]
        owner = principal_at(posts, i.unit, feedback) or principal_at(posts, i.unit, i.found)
        latest = i.round == "R2024-1"
        if latest and no_action_left and not i.immediate and i.tag is None and rng.random() < 0.15:
            no_action_left -= 1
            continue
        rs_end = day(ROUND[i.round]["end"])
        if latest:
            deadline = rng.choice([day("2024-10-31"), day("2025-01-31"), day("2025-03-31")])
        verify_team = i.team

        def done_status(kind: str, long_ok: bool = True) -> tuple[str, dt.date | None]:
            if latest:
                x = rng.random()
                if x < 0.3:
                    return "已销号", between(day("2024-08-15"), day("2024-12-20"))
                if x < 0.75:
                    return "已完成", between(day("2024-08-15"), day("2024-12-20"))
                if x < 0.92:
                    return "整改中", None
                return "未启动", None
            x = rng.random()
            if long_ok and x < 0.12:
                return "长期坚持", None
            if x < 0.72:
                return "已销号", between(feedback + dt.timedelta(days=20), deadline)
            return "已完成", between(feedback + dt.timedelta(days=20), deadline + dt.timedelta(days=20))

        open_issue = i.id in open_ids
        if i.immediate:
            st = "已销号" if rng.random() < 0.7 else "已完成"
            add(i, "立行立改", st, rs_end, between(i.found, rs_end),
                verified=i.team if st == "已销号" else None, owner_cadre=owner)
        else:
            main = "整改"
            if i.amount is not None and i.sub in RECOVERABLE and rng.random() < 0.7:
                main = "追缴资金"
            st, comp = done_status(main, long_ok=main == "整改")
            if open_issue:
                st, comp = rng.choice(["整改中", "整改中", "整改中", "未启动"]), None
            rec = None
            if main == "追缴资金" and comp is not None:
                rec = money(round(yuan_of(i.amount) * rng.choice([0.6, 0.8, 1.0]), -1) or 1000)
            if i.tag == "recurrence-1":  # closed on paper in 2021 …
                main, st, comp, rec = "追缴资金", "已销号", day("2021-09-28"), i.amount
            elif i.tag == "recurrence-2":  # … and still open after the look-back
                main, st, comp, rec, deadline = "追缴资金", "整改中", None, None, day("2025-03-31")
            dl = deadline if st != "长期坚持" else None
            add(i, main, st, dl, comp, verified=verify_team if st == "已销号" else None,
                recovered=rec, owner_cadre=owner)
        # A second action: rules, accountability or (special round) a spot check.
        x = rng.random()
        second = None
        if i.cadres and x < 0.35:
            second = "追责问责"
        elif x < 0.30 or (PARENT[i.sub] in ("政治建设", "组织建设") and x < 0.5):
            second = "建章立制"
        elif i.round == "R2022-1" and x < 0.6:
            second = "突击察访"
        if second:
            if latest:
                st, comp = done_status(second, long_ok=False)
            else:
                st = rng.choices(["已销号", "已完成", "长期坚持"], (6, 2, 2 if second == "建章立制" else 0))[0]
                comp = None if st == "长期坚持" else between(feedback + dt.timedelta(days=30), deadline)
            rules = rng.randint(1, 4) if second == "建章立制" else None
            d2 = None if st == "长期坚持" else (deadline + dt.timedelta(days=61) if second == "建章立制" else deadline)
            if second == "突击察访":
                add(i, second, st, d2, comp, verified=i.team if st != "长期坚持" else None,
                    owner_unit="0003", owner_cadre=principal_at(posts, "0003", feedback))
            else:
                add(i, second, st, d2, comp, verified=verify_team if st == "已销号" else None,
                    rules=rules, owner_cadre=owner)
        # The look-back re-checks the 2021 round's issues of the units it revisits.
        if i.round == "R2021-1" and i.unit in lookback_team and (i.tag or rng.random() < 0.25):
            what = "已整改到位" if i.tag != "recurrence-1" else \
                "该问题整改销号后出现反弹，已作为新问题移交整改（R2024-1）"
            add(i, "回头看核查", "已完成", day("2024-05-31"), between(day("2024-04-15"), day("2024-05-28")),
                verified=lookback_team[i.unit], measure=f"回头看核查：{what}",
                owner_cadre=principal_at(posts, i.unit, day("2024-05-01")))
    # The latest round: a couple of open actions already past their deadline.
    late_open = [a for a in actions if a["issue_id"] and a["issue_id"].startswith("R2024-1")
                 and a["status"] in ("整改中", "未启动") and a["kind"] != "追缴资金"]
    for a in rng.sample(late_open, min(2, len(late_open))):
        a["deadline"] = mixed(day("2024-10-31"))
    # Actions on leads: money recovered after a case.
    for lead in leads:
        if lead["case_filed"] and lead["recovered_amount"] and rng.random() < 0.8:
            comp = lead["closed_date"].value if lead["closed_date"] else None
            add(None, "追缴资金", "已销号" if comp else "整改中",
                lead["transfer_date"].value + dt.timedelta(days=180), comp, lead=lead,
                owner_unit=lead["unit_id"], recovered=lead["recovered_amount"],
                measure="追缴违纪违法所得，上缴国库")
    return actions


# ---------------------------------------------------------------------------
# Assemble and write.


def build():
    rng.seed(SEED)  # every call writes the same dataset
    people, posts = make_people()
    relations = make_relations(people, posts)
    members = make_teams(people, posts, relations)
    issues = make_issues(people, posts)
    leads = make_leads(issues, people)
    actions = make_actions(issues, leads, posts)

    unit_name = {u[0]: u[1] for u in UNITS}
    out: dict[str, list[dict]] = {}
    out["regions"] = make_regions()
    out["units"] = make_units()
    out["cadres"] = [dict(id=c.id, name=c.name, gender=c.gender, birth_date=month(c.birth),
                          native_region_id=Code(c.native), id_number=Code(c.id_number) if c.id_number else None,
                          rank=c.rank or None, specialties=c.specialties, pools=c.pools)
                     for c in sorted(people.cadres.values(), key=lambda c: c.id)]
    pos_rows = []
    for p in posts:
        # Clerks often write the unit's name instead of its code.
        uref = unit_name[p.unit] if rng.random() < 0.1 else Code(p.unit)
        pos_rows.append(dict(cadre_id=p.cadre, unit_id=uref, title=p.title, rank=p.rank or None,
                             is_principal=p.principal, start=month(p.start),
                             end=month(p.end) if p.end else None))
    out["positions"] = pos_rows
    out["relations"] = relations
    out["rounds"] = [dict(id=r["id"], name=r["name"], committee_region_id=Code(COUNTY), level="县",
                          kind=r["kind"], topic=r["topic"], start=D(day(r["start"]), "zh"),
                          end=D(day(r["end"]), "zh")) for r in ROUNDS]
    out["teams"] = [dict(id=t, name=TEAM_NAMES[t], level="县", home_region_id=Code(COUNTY), capacity=3)
                    for t in TEAMS]
    out["team_members"] = members
    out["assignments"] = [dict(round_id=rid, team_id=t, unit_id=Code(u), mode=mode_of(rid, u),
                               start=D(day(ROUND[rid]["start"]), "iso"), end=D(day(ROUND[rid]["end"]), "iso"))
                          for rid in PLAN for t in TEAMS for u, _ in PLAN[rid][t]]
    out["issues"] = [dict(id=i.id, round_id=i.round, unit_id=Code(i.unit), team_id=i.team,
                          category=PARENT[i.sub], subcategory=SUB_ZH[i.sub], description=i.desc,
                          cadre_ids=i.cadres, amount=i.amount, source=i.source,
                          found_date=mixed(i.found), immediate=i.immediate) for i in issues]
    out["leads"] = leads
    out["actions"] = actions
    return out, people, issues


TITLES = {
    "issues": "青川县巡察问题台账（2021—2024）",
    "leads": "青川县巡察移交问题线索台账（2021—2024）",
    "actions": "青川县巡察整改台账（截至2024年12月31日）",
}


def columns(name: str, rows: list[dict]) -> list:
    """The ledger's fields in registry order, leaving out columns no row uses."""
    used = {k for r in rows for k, v in r.items() if v not in (None, [], "")}
    return [f for f in LEDGERS[name].fields if f.name in used or f.required]


def write_csv(out_dir: Path, data: dict) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in LEDGER_ORDER:
        rows = data[name]
        cols = columns(name, rows)
        with open(out_dir / f"{name}.csv", "w", encoding="utf-8-sig", newline="") as fh:
            w = csv.writer(fh, lineterminator="\r\n")
            w.writerow([f.zh for f in cols])
            for r in rows:
                w.writerow([text(r.get(f.name)) for f in cols])


def write_xlsx(path: Path, data: dict) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    for name in LEDGER_ORDER:
        ledger = LEDGERS[name]
        rows = data[name]
        cols = columns(name, rows)
        ws = wb.create_sheet(ledger.zh)
        top = 1
        if name in TITLES:
            ws.cell(1, 1, TITLES[name]).font = Font(bold=True, size=14)
            ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(cols))
            ws.cell(1, 1).alignment = Alignment(horizontal="center")
            top = 3  # title, blank row, header
        for j, f in enumerate(cols, start=1):
            ws.cell(top, j, f.zh).font = Font(bold=True)
            width = 12
            if f.name in ("description", "measure", "summary", "name", "title", "topic"):
                width = 40 if f.name in ("description", "measure", "summary") else 24
            ws.column_dimensions[get_column_letter(j)].width = width
        for i, r in enumerate(rows, start=top + 1):
            for j, f in enumerate(cols, start=1):
                v = r.get(f.name)
                if v is None or v == []:
                    continue
                c = ws.cell(i, j)
                if isinstance(v, D) and v.style == "iso":
                    c.value = v.value  # a real date cell
                    c.number_format = "yyyy-mm-dd"
                elif isinstance(v, bool):
                    c.value = "是" if v else "否"
                elif isinstance(v, int):
                    c.value = v  # amounts, capacity, rules_count as numbers
                elif isinstance(v, Code):
                    c.value = str(v)
                    c.number_format = "@"  # text: leading zeros survive
                else:
                    c.value = text(v)
        ws.freeze_panes = ws.cell(top + 1, 1)
    wb.properties.creator = "xuncha scripts/make_example.py"
    # Fixed timestamps so the workbook does not change between runs.
    wb.properties.created = wb.properties.modified = dt.datetime(2025, 1, 1)
    wb.save(path)
    _freeze_zip(path)


def _freeze_zip(path: Path) -> None:
    """Pin the workbook's timestamps (zip entries, docProps) so reruns are byte-identical."""
    import re
    import zipfile

    with zipfile.ZipFile(path) as z:
        entries = [(i, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in entries:
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2025-01-01T00:00:00Z", data)
            z.writestr(zipfile.ZipInfo(info.filename, date_time=(2025, 1, 1, 0, 0, 0)), data,
                       compress_type=zipfile.ZIP_DEFLATED)


def summary(data: dict, issues: list[Issue]) -> str:
    lines = [f"{name}: {len(data[name])} rows" for name in LEDGER_ORDER]
    per_round = Counter(i.round for i in issues)
    lines.append("issues per round: " + ", ".join(f"{k} {v}" for k, v in sorted(per_round.items())))
    leads = data["leads"]
    lines.append(f"leads: {len(leads)}; to 纪委监委 {sum(l['transferred_to'] == '纪委监委' for l in leads)}, "
                 f"组织部 {sum(l['transferred_to'] == '组织部' for l in leads)}; "
                 f"cases filed {sum(bool(l['case_filed']) for l in leads)}")
    lines.append(f"immediate fixes: {sum(i.immediate for i in issues)} of {len(issues)}")
    lines.append("action statuses: " + ", ".join(f"{k} {v}" for k, v in
                                               sorted(Counter(a['status'] for a in data['actions']).items())))
    lines.append("action kinds: " + ", ".join(f"{k} {v}" for k, v in
                                            sorted(Counter(a['kind'] for a in data['actions']).items())))
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=str(ROOT / "examples"),
                    help="directory to write county/ and county.xlsx into (default: examples/)")
    args = ap.parse_args(argv)
    out = Path(args.out)
    data, people, issues = build()
    write_csv(out / "county", data)
    write_xlsx(out / "county.xlsx", data)
    print(summary(data, issues))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
