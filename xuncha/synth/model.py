"""Calibration of the synthetic world: scales, unit templates, rates.

Every number the generator draws from lives here, next to the public figure it
imitates (``shared/domain.md``, "Public figures to calibrate against"):

- issues per inspection: departments 15–35 (:data:`ISSUES_PER_VISIT`), villages
  2–3; fewer on short rounds (:data:`ROUND_ISSUE_FACTOR`);
- 15–20% of issues fixed on the spot (:data:`IMMEDIATE_RATE`);
- leads ≈ 0.17 per issue, 0.5–6 per inspected unit (:data:`LEAD_RATE`);
- leads go to the commission and the organization department about 6:1
  (:data:`RECEIVER_WEIGHTS`);
- 15–20% of leads become cases (:data:`CASE_RATE`), most ending in sanctions;
- 93–99% of a round's issues rectified once its deadlines are past
  (:data:`RECTIFIED_RATE`);
- teams of 4–6 (leader, deputy, members) inspecting 2–3 units a round.

The ranges the tests hold the data to are :data:`RANGES`.
"""

from __future__ import annotations

from dataclasses import dataclass

# The day the synthetic ledgers were "exported": statuses and overdue
# deadlines are as of this date, and no date in the data is later.
AS_OF = "2025-06-30"
FIRST_YEAR, LAST_YEAR = 2018, 2024  # years with inspection rounds
CAREER_START = 2006  # earliest post start

# Inspection periods and conduct (see findings.py): a first inspection looks
# back five years; a third of unnamed findings date their conduct to whole
# years; a person is named only for a post of at least MIN_ACT_DAYS in the period.
LOOKBACK_YEARS = 5
DATED_SHARE = 0.35
MIN_ACT_DAYS = 120
CONDUCT_COLUMN_SHARE = 0.5  # dated findings whose ledger row fills conduct_start/conduct_end

# Ground-truth parameters (see truth.py)
EMPLOYMENT_YEARS = 3
COMMON_MIN_UNITS = 5
COMMON_MIN_SHARE = 0.6


@dataclass(frozen=True)
class Scale:
    name: str
    cities: int  # number of cities
    counties: int  # counties per city
    active_counties: int  # counties (in the first city) that have full unit sets; -1 = all
    units: int  # target number of units
    province_units: int  # units at province level
    city_units: int  # units per city at city level


SCALES = {
    "county": Scale("county", 1, 3, 1, 50, 0, 0),
    "city": Scale("city", 1, 9, -1, 1000, 0, 80),
    # ~10,250 units: about 316,000 issues, 5% above the 300,000+ target for any seed
    # (10,000 gave 306-309k, too close to it)
    "province": Scale("province", 11, 9, -1, 10_300, 60, 60),
}


def scale_for(name: str, units: int | None) -> Scale:
    """The preset ``name``, or a shape fitted to ``units`` when given."""
    if units is None:
        return SCALES[name]
    if units <= 160:
        return Scale("custom", 1, 3, 1, units, 0, 0)
    if units <= 3000:
        return Scale("custom", 1, max(2, min(12, units // 110)), -1, units, 0,
                     max(10, units // 12))
    return Scale("custom", max(2, units // 900), 9, -1, units, 60, 60)


# Unit templates: (kind, name pattern, parent template key or None).  ``{r}``
# is the region's full name (清河县), ``{c}`` its party committee (清河县委).
# Ordered so that any prefix keeps a mix of kinds; the first entry is the
# inspection office (巡察办), home of the committee's teams, never inspected.
OFFICE = ("party_committee", "{c}巡察工作领导小组办公室", None)
DEPT_TEMPLATES: tuple[tuple[str, str, str | None], ...] = (
    ("party_committee", "{c}办公室", None),
    ("party_committee", "{c}组织部", None),
    ("government_department", "{r}人民政府办公室", None),
    ("government_department", "{r}财政局", None),
    ("court", "{r}人民法院", None),
    ("procuratorate", "{r}人民检察院", None),
    ("public_security", "{r}公安局", None),
    ("hospital", "{r}人民医院", "{r}卫生健康委员会"),
    ("school", "{r}第一中学", "{r}教育局"),
    ("state_enterprise", "{r}城市建设投资集团有限公司", "{r}财政局"),
    ("public_institution", "{r}融媒体中心", "{c}宣传部"),
    ("other", "{r}总工会", None),
    ("government_department", "{r}民政局", None),
    ("government_department", "{r}教育局", None),
    ("government_department", "{r}农业农村局", None),
    ("government_department", "{r}住房和城乡建设局", None),
    ("party_committee", "{c}宣传部", None),
    ("government_department", "{r}自然资源局", None),
    ("government_department", "{r}卫生健康委员会", None),
    ("government_department", "{r}人力资源和社会保障局", None),
    ("public_institution", "{r}社会保险事业管理中心", "{r}人力资源和社会保障局"),
    ("government_department", "{r}交通运输局", None),
    ("party_committee", "{c}政法委员会", None),
    ("government_department", "{r}水利局", None),
    ("hospital", "{r}中医院", "{r}卫生健康委员会"),
    ("school", "{r}实验小学", "{r}教育局"),
    ("government_department", "{r}发展和改革局", None),
    ("government_department", "{r}市场监督管理局", None),
    ("state_enterprise", "{r}交通投资集团有限公司", "{r}财政局"),
    ("government_department", "{r}审计局", None),
    ("government_department", "{r}司法局", None),
    ("party_committee", "{c}统战部", None),
    ("government_department", "{r}应急管理局", None),
    ("government_department", "{r}医疗保障局", None),
    ("public_institution", "{r}疾病预防控制中心", "{r}卫生健康委员会"),
    ("government_department", "{r}商务局", None),
    ("government_department", "{r}文化广电旅游局", None),
    ("other", "{r}妇女联合会", None),
    ("government_department", "{r}退役军人事务局", None),
    ("government_department", "{r}乡村振兴局", None),
    ("state_enterprise", "{r}水务集团有限公司", "{r}财政局"),
    ("school", "{r}第二中学", "{r}教育局"),
    ("government_department", "{r}林业局", None),
    ("public_institution", "{r}公共资源交易中心", "{r}人民政府办公室"),
    ("government_department", "{r}统计局", None),
    ("hospital", "{r}妇幼保健院", "{r}卫生健康委员会"),
    ("government_department", "{r}城市管理局", None),
    ("other", "共青团{r}委员会", None),
    ("public_institution", "{r}不动产登记中心", "{r}自然资源局"),
    ("government_department", "{r}行政审批局", None),
    ("party_committee", "{c}直属机关工作委员会", None),
    ("school", "{r}职业技术学校", "{r}教育局"),
    ("other", "{r}供销合作社", None),
    ("state_enterprise", "{r}国有资产运营有限公司", "{r}财政局"),
    ("public_institution", "{r}档案馆", "{c}办公室"),
    ("other", "{r}红十字会", None),
)

# Bodies created by institutional reform: (name keyword, year, month) when the
# county-level body was set up (2018 reform: city bodies about three months
# earlier, province ones six); no post in them and no inspection of them
# before that day.  乡村振兴局 replaced the poverty-relief office in 2021.
FOUNDED = (
    ("乡村振兴局", 2021, 6), ("退役军人事务局", 2019, 3), ("应急管理局", 2019, 3),
    ("医疗保障局", 2019, 3), ("卫生健康委员会", 2019, 2), ("自然资源局", 2019, 2),
    ("农业农村局", 2019, 2), ("市场监督管理局", 2019, 2), ("文化广电旅游局", 2019, 3),
    ("行政审批局", 2019, 4), ("融媒体中心", 2019, 6),
)
FOUNDED_LEAD_MONTHS = {"province": 6, "city": 3}

# Share of a county's unit budget taken by county-level departments and by
# townships (villages take the rest).
DEPT_SHARE = 0.48
TOWNSHIP_SHARE = 0.14

# Positions per unit: (deputies, staff) by unit kind.
SLOTS = {
    "township": (4, 9),
    "village": (2, 1),
    "school": (2, 6),
    "hospital": (3, 6),
    "state_enterprise": (3, 6),
    "default": (3, 7),
}

# Titles by unit kind: (principal, deputy, staff).
TITLES = {
    "party_committee": ("部长", "副部长", "科员"),
    "government_department": ("局长", "副局长", "科员"),
    "public_institution": ("主任", "副主任", "科员"),
    "state_enterprise": ("党委书记、董事长", "副总经理", "职员"),
    "township": ("党委书记", "副镇长", "党政办科员"),  # 乡: 副乡长; 街道: 党工委书记, 副主任
    "village": ("党组织书记", "村委会主任", "村委委员"),
    "court": ("院长", "副院长", "法官助理"),
    "procuratorate": ("检察长", "副检察长", "检察官助理"),
    "public_security": ("局长", "副局长", "民警"),
    "school": ("党委书记", "副校长", "教师"),
    "hospital": ("党委书记", "副院长", "医师"),
    "other": ("主席", "副主席", "干事"),
}

# Ranks by unit level: (principal, deputy, staff).
RANKS = {
    "province": ("正厅级", "副厅级", "四级调研员"),
    "city": ("正处级", "副处级", "一级主任科员"),
    "county": ("正科级", "副科级", "科员"),
    "township": ("正科级", "副科级", "科员"),
    "village": ("", "", ""),
}

# Tenure lengths in years: (min, max) by role.
TENURE = {"principal": (3, 6), "deputy": (2, 6), "staff": (3, 9)}
# After a tenure ends, the chance its holder takes another post in the same
# jurisdiction, and the role they move to.
MOVE = {
    "principal": (0.55, (("principal", 0.85), ("deputy", 0.15))),
    "deputy": (0.6, (("principal", 0.35), ("deputy", 0.65))),
    "staff": (0.5, (("deputy", 0.2), ("staff", 0.8))),
}

# Issues per inspection visit: (min, max) by unit kind.
ISSUES_PER_VISIT = {
    "village": (1, 4),
    "township": (15, 31),
    "school": (12, 26),
    "hospital": (14, 30),
    "default": (19, 36),
}
# Distinct subcategories per visit: (min, max) by unit kind.
SUBCATS_PER_VISIT = {"village": (1, 2), "default": (4, 7)}
ROUND_ISSUE_FACTOR = {
    "regular": 1.0, "special": 0.55, "mobile": 0.3, "lookback": 0.35,
    "upgraded": 0.9, "cross": 1.0, "linked": 0.7,
}
ROUND_DAYS = {
    "regular": (40, 60), "special": (30, 45), "mobile": (10, 20), "lookback": (20, 30),
    "upgraded": (35, 50), "cross": (40, 55), "linked": (30, 45),
}

# Subcategories a village can have (群众身边 problems, grassroots organisation).
VILLAGE_SUBCATS = ("social_assistance", "poverty_relief", "compensation", "grassroots",
                   "financial_management", "formalism", "integrity", "party_building_lacking")
# Extra weight of subcategories by unit kind (default weight 1).
SUBCAT_BIAS = {
    "court": {"judicial_enforcement": 2.0},
    "procuratorate": {"judicial_enforcement": 1.5},
    "state_enterprise": {"procurement": 1.6, "integrity": 1.3},
    "hospital": {"procurement": 1.4},
    "township": {"social_assistance": 1.3, "poverty_relief": 1.3, "compensation": 1.3},
    "government_department": {"financial_management": 1.2},
}
# Subcategories that are rare everywhere (weight multiplier for every unit), so
# that a handful of units sharing one in a round stands out (see the rare
# cluster planted in :mod:`.findings`).
RARE_SUBCATS = {"office_space": 0.15, "public_funds_travel": 0.25, "hedonism": 0.35}
SPECIAL_TOPICS = (
    ("扶贫领域专项巡察", ("poverty_relief", "social_assistance", "compensation"),
     ("township", "village")),
    ("民生资金专项巡察", ("social_assistance", "compensation", "financial_management"),
     ("township", "village", "government_department")),
    ("政法队伍专项巡察", ("judicial_enforcement", "integrity", "bureaucratism"),
     ("court", "procuratorate", "public_security")),
    ("国有企业专项巡察", ("procurement", "integrity", "financial_management"),
     ("state_enterprise",)),
)

IMMEDIATE_RATE = 0.175
SOURCE_WEIGHTS = (("talk", 30), ("document", 30), ("petition", 12), ("visit", 12),
                  ("audit", 8), ("survey", 6), ("other", 2))
MONEY_SUBCATS = {
    "eight_point_rules": (2_000, 80_000), "financial_management": (10_000, 2_000_000),
    "procurement": (50_000, 5_000_000), "office_space": (20_000, 500_000),
    "public_funds_travel": (5_000, 60_000), "social_assistance": (1_000, 60_000),
    "poverty_relief": (5_000, 300_000), "compensation": (5_000, 400_000),
    "integrity": (5_000, 500_000), "extravagance": (3_000, 50_000),
}

# Leads.
LEAD_RATE = {
    "integrity": 0.45, "procurement": 0.4, "eight_point_rules": 0.35,
    "social_assistance": 0.3, "compensation": 0.3, "poverty_relief": 0.28,
    "financial_management": 0.2, "public_funds_travel": 0.35, "extravagance": 0.3,
    "cadre_selection": 0.2, "office_space": 0.15, "default": 0.06,
}
LEAD_WITHOUT_ISSUE = 0.08  # leads from petitions, not tied to an issue
DISCIPLINE_OF = {
    "integrity": "integrity", "procurement": "integrity", "eight_point_rules": "integrity",
    "extravagance": "integrity", "public_funds_travel": "integrity",
    "office_space": "integrity", "social_assistance": "mass", "compensation": "mass",
    "poverty_relief": "mass", "judicial_enforcement": "mass", "cadre_selection": "organizational",
    "weakened_leadership": "political", "decisions_not_implemented": "political",
    "financial_management": "work", "formalism": "work", "bureaucratism": "work",
}
RECEIVER_WEIGHTS = (("discipline_commission", 84), ("organization_department", 14),
                    ("judicial", 0.5), ("procuratorate", 0.5), ("public_security", 0.5),
                    ("competent_department", 0.5))
DISPOSAL_WEIGHTS = (("talk_inquiry", 42), ("preliminary_verification", 38), ("shelved", 8),
                    ("closed", 12))
CASE_RATE = 0.175  # of all leads
# chance a lead under preliminary verification at the commission becomes a case
# (with the forced cases of planted stories, about CASE_RATE of all leads)
CASE_GIVEN_VERIFICATION = 0.46

# Rectification.
RECTIFIED_RATE = (0.93, 0.99)  # per round once its deadlines are past
RECTIFIED_STATUS_WEIGHTS = (("closed", 45), ("completed", 45), ("long_term", 10))
OPEN_STATUS_WEIGHTS = (("in_progress", 70), ("not_started", 30))
RULE_MAKING_RATE = 0.10
SPOT_CHECK_RATE = 0.02

# Ranges the tests hold generated data to (name -> (low, high)).
RANGES = {
    "issues_per_dept_visit": (15, 35),
    "issues_per_village_visit": (1.5, 3.5),
    "leads_per_issue": (0.12, 0.25),
    "commission_to_org": (4.5, 8.0),
    "immediate_share": (0.15, 0.20),
    "case_share": (0.15, 0.20),
    "rectified_closed_rounds": (0.93, 0.99),
    "team_size": (4, 6),
    "units_per_team": (1, 3.5),
}
