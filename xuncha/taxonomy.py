"""Controlled vocabularies of inspection work (canonical code -> Chinese names).

Every enumerated ledger cell accepts the canonical English code or any of the
Chinese names listed here (the first Chinese name is the display name).  The
tables follow ``shared/domain.md``; an enum is looked up with :func:`lookup`,
which raises :class:`EnumError` carrying the nearest valid value.
"""

from __future__ import annotations

import difflib

# Each taxonomy: code -> tuple of Chinese names (first one is used for display).
LEVEL = {
    "province": ("省",),
    "city": ("市",),
    "county": ("县", "区", "县区"),
    "township": ("乡镇", "乡", "镇", "街道"),
    "village": ("村", "社区"),
}

UNIT_KIND = {
    "party_committee": ("党委",),
    "government_department": ("政府部门",),
    "public_institution": ("事业单位",),
    "state_enterprise": ("国有企业", "国企"),
    "township": ("乡镇", "街道", "乡镇/街道"),
    "village": ("村", "社区", "村/社区"),
    "court": ("法院",),
    "procuratorate": ("检察院",),
    "public_security": ("公安",),
    "school": ("学校",),
    "hospital": ("医院",),
    "other": ("其他",),
}

GENDER = {"male": ("男", "M"), "female": ("女", "F")}

RELATION_KIND = {
    "spouse": ("夫妻", "配偶"),
    "parent": ("父母", "父亲", "母亲"),
    "child": ("子女", "儿子", "女儿"),
    "sibling": ("兄弟姐妹", "兄弟", "姐妹"),
    "grandparent": ("祖父母", "外祖父母"),
    "grandchild": ("孙子女", "外孙子女"),
    "collateral": ("旁系血亲",),
    "in_law": ("姻亲",),
    "classmate": ("同学",),
    "colleague": ("同事",),
    "fellow_townsman": ("老乡",),
    "business": ("经济往来",),
    "other": ("其他",),
}
KIN_RELATIONS = frozenset(
    {"spouse", "parent", "child", "sibling", "grandparent", "grandchild", "collateral", "in_law"}
)

ROUND_KIND = {
    "regular": ("常规", "常规巡察"),
    "special": ("专项", "专项巡察"),
    "mobile": ("机动", "机动巡察", "机动式"),
    "lookback": ("回头看",),
    "upgraded": ("提级", "提级巡察"),
    "cross": ("交叉", "交叉巡察", "推磨式"),
    "linked": ("联动", "上下联动", "联动巡察"),
}

ROLE = {"leader": ("组长",), "deputy": ("副组长",), "member": ("组员", "成员")}

ASSIGNMENT_MODE = {
    "local": ("本地",),
    "cross": ("交叉",),
    "upgraded": ("提级",),
    "joint": ("联动",),
}

CATEGORY = {
    "political": ("政治建设",),
    "ideological": ("思想建设",),
    "organizational": ("组织建设",),
    "conduct": ("作风建设",),
    "discipline": ("纪律建设",),
    "livelihood": ("民生", "群众身边", "民生/群众身边"),
}

# subcategory -> (parent category, Chinese names)
SUBCATEGORY_PARENT = {
    "weakened_leadership": "political",
    "decisions_not_implemented": "political",
    "theory_study": "ideological",
    "ideological_work": "ideological",
    "party_building_lacking": "organizational",
    "cadre_selection": "organizational",
    "grassroots": "organizational",
    "eight_point_rules": "conduct",
    "formalism": "conduct",
    "bureaucratism": "conduct",
    "hedonism": "conduct",
    "extravagance": "conduct",
    "strict_governance_weak": "discipline",
    "integrity": "discipline",
    "financial_management": "discipline",
    "procurement": "discipline",
    "office_space": "discipline",
    "public_funds_travel": "discipline",
    "social_assistance": "livelihood",
    "poverty_relief": "livelihood",
    "compensation": "livelihood",
    "judicial_enforcement": "livelihood",
}
SUBCATEGORY = {
    "weakened_leadership": ("党的领导弱化",),
    "decisions_not_implemented": ("贯彻落实决策部署不力",),
    "theory_study": ("理论学习",),
    "ideological_work": ("意识形态工作",),
    "party_building_lacking": ("党的建设缺失",),
    "cadre_selection": ("选人用人",),
    "grassroots": ("基层组织建设",),
    "eight_point_rules": ("违反中央八项规定精神", "八项规定"),
    "formalism": ("形式主义",),
    "bureaucratism": ("官僚主义",),
    "hedonism": ("享乐主义",),
    "extravagance": ("奢靡之风",),
    "strict_governance_weak": ("全面从严治党不力",),
    "integrity": ("廉洁问题",),
    "financial_management": ("财务管理不规范",),
    "procurement": ("政府采购", "招投标", "政府采购/招投标"),
    "office_space": ("办公用房超标",),
    "public_funds_travel": ("公款旅游",),
    "social_assistance": ("低保", "五保", "社会救助", "低保/五保/社会救助"),
    "poverty_relief": ("扶贫",),
    "compensation": ("补偿款", "惠农资金", "补偿款/惠农资金"),
    "judicial_enforcement": ("执行难", "司法救助", "执行难/司法救助"),
}

ISSUE_SOURCE = {
    "talk": ("个别谈话", "谈话"),
    "petition": ("信访举报", "信访", "举报"),
    "document": ("查阅资料",),
    "visit": ("走访", "暗访", "走访/暗访"),
    "audit": ("审计",),
    "survey": ("问卷调查", "民主测评", "问卷调查/民主测评"),
    "other": ("其他",),
}

DISCIPLINE = {
    "political": ("政治纪律", "政治"),
    "organizational": ("组织纪律", "组织"),
    "integrity": ("廉洁纪律", "廉洁"),
    "mass": ("群众纪律", "群众"),
    "work": ("工作纪律", "工作"),
    "life": ("生活纪律", "生活"),
}

DISPOSAL = {
    "talk_inquiry": ("谈话函询",),
    "preliminary_verification": ("初步核实",),
    "shelved": ("暂存待查",),
    "closed": ("予以了结",),
}

OUTCOME = {
    "criticism": ("批评教育",),
    "admonishment": ("诫勉", "诫勉谈话"),
    "party_warning": ("党内警告",),
    "party_serious_warning": ("党内严重警告",),
    "party_post_removal": ("撤销党内职务",),
    "party_probation": ("留党察看",),
    "party_expulsion": ("开除党籍",),
    "gov_warning": ("政务警告",),
    "gov_demerit": ("记过",),
    "gov_major_demerit": ("记大过",),
    "gov_demotion": ("降级",),
    "gov_dismissal": ("撤职",),
    "gov_discharge": ("开除", "开除公职"),
    "org_handling": ("组织处理", "停职检查", "调整职务", "责令辞职", "免职", "降职"),
    "judicial": ("移送司法",),
}
# Party or government sanctions (处分), as opposed to lighter handling.
SANCTIONS = frozenset(c for c in OUTCOME if c.startswith(("party_", "gov_")))
# Cells that name more than one code: value -> codes it could mean.
AMBIGUOUS = {
    "outcome": {"警告": ("party_warning", "gov_warning")},
    # "Not rectified / not done": not yet begun, or begun and unfinished.
    "rect_status": {"未整改": ("not_started", "in_progress"),
                    "未完成": ("not_started", "in_progress"),
                    "未完成整改": ("not_started", "in_progress")},
}
# Negations: a cell saying "not X" must never be "corrected" to X, nor X to
# "not X", by edit distance (已整改 is one edit from 未整改 and two from
# 整改中).  Curated synonyms above carry such words explicitly.
NEGATIONS = ("未", "不", "非", "没", "无", "尚未", "暂未")
# Cells that expand to several codes.
EXPANSIONS = {"outcome": {"双开": ("party_expulsion", "gov_discharge")}}

RECEIVER = {
    "discipline_commission": ("纪委监委", "纪委", "监委"),
    "organization_department": ("组织部",),
    "judicial": ("司法机关",),
    "procuratorate": ("检察院",),
    "public_security": ("公安", "公安机关"),
    "competent_department": ("主管部门",),
}

RECT_STATUS = {
    "not_started": ("未启动", "未开始", "尚未启动"),
    "in_progress": ("整改中", "正在整改", "推进中"),
    "completed": ("已完成", "已整改", "整改完成", "已完成整改", "完成"),
    "long_term": ("长期坚持", "持续整改"),
    "closed": ("已销号", "销号", "已对账销号"),
}
# An issue counts as rectified when all its actions are in one of these.
RECTIFIED_STATUSES = frozenset({"completed", "closed", "long_term"})
# An action in one of these is never overdue: the work is done, or (long_term
# 长期坚持) ongoing by design.  Overdue = deadline passed and status not here.
DONE_STATUSES = frozenset({"completed", "closed", "long_term"})

ACTION_KIND = {
    "immediate_fix": ("立行立改", "边巡边改", "立行立改/边巡边改"),
    "rectification": ("整改",),
    "rule_making": ("建章立制",),
    "funds_recovery": ("追缴资金", "清退资金"),
    "accountability": ("追责问责",),
    "lookback_check": ("回头看核查",),
    "spot_check": ("突击察访", "督查"),
}

TAXONOMIES: dict[str, dict[str, tuple[str, ...]]] = {
    "level": LEVEL,
    "unit_kind": UNIT_KIND,
    "gender": GENDER,
    "relation_kind": RELATION_KIND,
    "round_kind": ROUND_KIND,
    "role": ROLE,
    "assignment_mode": ASSIGNMENT_MODE,
    "category": CATEGORY,
    "subcategory": SUBCATEGORY,
    "issue_source": ISSUE_SOURCE,
    "discipline": DISCIPLINE,
    "disposal": DISPOSAL,
    "outcome": OUTCOME,
    "receiver": RECEIVER,
    "rect_status": RECT_STATUS,
    "action_kind": ACTION_KIND,
}

# Chinese names of the taxonomies themselves, for error messages.
TAXONOMY_ZH = {
    "level": "层级",
    "unit_kind": "单位类型",
    "gender": "性别",
    "relation_kind": "关系类型",
    "round_kind": "巡察类型",
    "role": "职责",
    "assignment_mode": "方式",
    "category": "问题类别",
    "subcategory": "问题子类",
    "issue_source": "问题来源",
    "discipline": "违反纪律类型",
    "disposal": "处置方式",
    "outcome": "处理结果",
    "receiver": "移交机关",
    "rect_status": "整改状态",
    "action_kind": "整改类型",
}


class EnumError(ValueError):
    """An enumerated cell that names no code; carries the nearest valid one."""

    def __init__(self, message: str, suggestion: str | None = None):
        super().__init__(message)
        self.suggestion = suggestion


def _build_index() -> dict[str, dict[str, str]]:
    index: dict[str, dict[str, str]] = {}
    for name, table in TAXONOMIES.items():
        m: dict[str, str] = {}
        for code, zh_names in table.items():
            m[code] = code
            m[code.lower()] = code
            for zh in zh_names:
                m.setdefault(zh, code)
        index[name] = m
    return index


_INDEX = _build_index()


def is_spelling(taxonomy: str, value) -> bool:
    """Whether ``value`` is exactly a code or Chinese name of the taxonomy."""
    return value in _INDEX[taxonomy]


def label(taxonomy: str, code: str | None) -> str:
    """Display name: ``code`` followed by its Chinese name, e.g. ``closed 已销号``."""
    if code is None:
        return ""
    names = TAXONOMIES[taxonomy].get(code)
    return f"{code} {names[0]}" if names else code


def zh(taxonomy: str, code: str | None) -> str:
    """The Chinese display name of a code (the code itself when unknown)."""
    if code is None:
        return ""
    names = TAXONOMIES[taxonomy].get(code)
    return names[0] if names else code


def choices(taxonomy: str) -> list[str]:
    """Every accepted spelling (codes first), for help text and suggestions."""
    table = TAXONOMIES[taxonomy]
    return list(table) + [z for names in table.values() for z in names]


_NEGATION_CHARS = frozenset("".join(NEGATIONS))
_STATE_CHARS = frozenset("已中了")


def negated(s: str) -> bool:
    """Whether a cell reads as a negation (未整改, 不立案, 尚未启动)."""
    return s.startswith(NEGATIONS)


def nearest(taxonomy: str, value: str) -> str | None:
    """The nearest valid value, shown as ``code (中文)``, or None.

    Spellings of the opposite polarity are never suggested: for 未销号 the
    nearest spelling 已销号 means the opposite, so no suggestion is better."""
    table = TAXONOMIES[taxonomy]
    spellings = [s for s in choices(taxonomy) if negated(s) == negated(value)]
    hit = difflib.get_close_matches(value, spellings, n=1, cutoff=0.4)
    if not hit:
        # Chinese cells: share of characters in common is a better guide.
        best, best_score = None, 0.0
        mine = set(value) - _NEGATION_CHARS - _STATE_CHARS
        for s in spellings:
            # Negation and state marks (未, 已, 中) say nothing of what is meant.
            common = len(mine & set(s))
            score = common / max(len(set(s)), 1)
            if common and score > best_score:
                best, best_score = s, score
        if best is None:
            return None
        hit = [best]
    code = _INDEX[taxonomy][hit[0]]
    return f"{code} ({table[code][0]})"


def lookup(taxonomy: str, value: str) -> str:
    """Map a cell (code or Chinese name) to its canonical code.

    >>> lookup("rect_status", "已销号")
    'closed'
    """
    v = value.strip()
    code = _INDEX[taxonomy].get(v) or _INDEX[taxonomy].get(v.lower())
    if code is not None:
        return code
    amb = AMBIGUOUS.get(taxonomy, {}).get(v)
    if amb:
        opts = " or ".join(label(taxonomy, c) for c in amb)
        raise EnumError(f"'{v}' is ambiguous (有歧义): write {opts}", suggestion=amb[0])
    suggestion = nearest(taxonomy, v)
    msg = f"'{v}' is not a valid {taxonomy} ({TAXONOMY_ZH[taxonomy]})"
    raise EnumError(msg, suggestion=suggestion)
