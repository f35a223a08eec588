"""The one registry of node kinds, edge kinds and ledgers.

Everything that needs to know what the graph holds reads it from here: the
loaders (columns, headers, types, references), the graph builder (which ledger
rows become which nodes and edges), the exporters and the server writers
(labels, relationship types, property types), redaction (which fields are
sensitive).  No other module lists kinds.

Invariants:
- a node id in the graph is ``f"{kind}:{id}"``; every node has ``kind``;
- every edge has ``kind`` (an :data:`EDGE_KINDS` key) and goes from one of the
  edge kind's ``sources`` to one of its ``targets``;
- property values are str, int, float, bool or list[str]; dates are ISO
  ``YYYY-MM-DD`` strings, so they compare as dates.

Records and graph properties are keyed by ``Field.key`` (the column name,
except where a column called ``kind`` would clash: ``unit_kind``,
``round_kind``, ``action_kind``, ``relation_kind``).

Field types (``Field.type``): ``text``, ``code``, ``int``, ``float``,
``money`` (yuan, float; adds ``<name>_approx`` when the cell said 余/多),
``date``, ``bool``, ``list``, ``enum:<taxonomy>``, ``enums:<taxonomy>`` (a
list), ``ref:<kind>`` and ``refs:<kind>`` (references to other records).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property


@dataclass(frozen=True)
class Field:
    name: str
    zh: str
    type: str = "text"
    required: bool = False
    aliases: tuple[str, ...] = ()
    # "name" (a person's name), "id_number", "phone", "text" (free text
    # that may name people) or "personal" (birth date, native place: dropped,
    # with the edges made from them): what redaction must treat.
    sensitive: str | None = None
    # Property name in the graph when it differs from the column name: a
    # column called "kind" would clash with the node/edge attribute ``kind``.
    prop: str | None = None

    @property
    def key(self) -> str:
        return self.prop or self.name

    @property
    def base(self) -> str:
        return self.type.split(":", 1)[0]

    @property
    def arg(self) -> str | None:
        parts = self.type.split(":", 1)
        return parts[1] if len(parts) == 2 else None

    @property
    def is_list(self) -> bool:
        return self.base in ("list", "enums", "refs")

    @property
    def value_type(self) -> str:
        """Property type in exports: string, int, float, boolean, date, string[]."""
        b = self.base
        if self.is_list:
            return "string[]"
        return {"int": "int", "float": "float", "money": "float", "bool": "boolean",
                "date": "date"}.get(b, "string")


@dataclass(frozen=True)
class NodeKind:
    name: str
    zh: str
    label: str  # label in Neo4j / FalkorDB
    display: str  # field used as the node's readable name
    hub: bool = False  # a hub never counts as a connection by itself
    colour: str = "#888888"
    shape: str = "dot"


@dataclass(frozen=True)
class EdgeKind:
    name: str  # relationship type in Neo4j / FalkorDB
    zh: str
    sources: tuple[str, ...]
    targets: tuple[str, ...]
    props: tuple[str, ...] = ()


@dataclass(frozen=True)
class EdgeMap:
    """How a ledger row becomes an edge: from ``src`` field to ``dst`` field."""

    kind: str
    src: str
    dst: str
    props: tuple[str, ...] = ()


@dataclass(frozen=True)
class Ledger:
    name: str
    zh: str
    fields: tuple[Field, ...]
    node: str | None = None  # node kind made from each row (id field: "id")
    edges: tuple[EdgeMap, ...] = ()
    date_order: tuple[tuple[str, str], ...] = ()  # (earlier, later) pairs
    unique: tuple[str, ...] = ()  # key fields that must be unique per row
    zh_aliases: tuple[str, ...] = ()

    def field(self, name: str) -> Field:
        return self._by_name[name]

    @cached_property
    def _by_name(self) -> dict[str, Field]:
        return {f.name: f for f in self.fields}

    @cached_property
    def headers(self) -> dict[str, str]:
        """Every accepted header (English, Chinese, aliases) -> field name."""
        out: dict[str, str] = {}
        for f in self.fields:
            for h in (f.name, f.zh, *f.aliases):
                out.setdefault(h, f.name)
                out.setdefault(h.lower(), f.name)
        return out


F = Field

NODE_KINDS: dict[str, NodeKind] = {
    k.name: k
    for k in [
        NodeKind("region", "行政区划", "Region", "name", hub=True, colour="#9e9e9e", shape="square"),
        NodeKind("unit", "单位", "Unit", "name", colour="#1f77b4", shape="box"),
        NodeKind("cadre", "人员", "Cadre", "name", colour="#d62728", shape="dot"),
        NodeKind("round", "巡察轮次", "Round", "name", hub=True, colour="#7f7f7f", shape="diamond"),
        NodeKind("team", "巡察组", "Team", "name", colour="#2ca02c", shape="triangle"),
        NodeKind("issue", "问题", "Issue", "description", colour="#ff7f0e", shape="star"),
        NodeKind("lead", "问题线索", "Lead", "id", colour="#9467bd", shape="hexagon"),
        NodeKind("action", "整改", "Action", "measure", colour="#17becf", shape="ellipse"),
        NodeKind("category", "问题类别", "Category", "name", hub=True, colour="#bcbd22",
                 shape="diamond"),
    ]
}

EDGE_KINDS: dict[str, EdgeKind] = {
    k.name: k
    for k in [
        EdgeKind("PART_OF", "上级区划", ("region",), ("region",)),
        EdgeKind("LOCATED_IN", "所在区划", ("unit",), ("region",)),
        EdgeKind("SUBORDINATE_TO", "上级单位", ("unit",), ("unit",)),
        EdgeKind("NATIVE_OF", "籍贯", ("cadre",), ("region",)),
        EdgeKind("HELD_POSITION", "任职", ("cadre",), ("unit",),
                 ("title", "rank", "is_principal", "start", "end")),
        EdgeKind("RELATED_TO", "社会关系", ("cadre",), ("cadre",), ("relation_kind", "note")),
        EdgeKind("COMMISSIONED_BY", "党委区划", ("round",), ("region",)),
        EdgeKind("BASED_IN", "所属区划", ("team",), ("region",)),
        EdgeKind("MEMBER_OF", "巡察组成员", ("cadre",), ("team",), ("round_id", "role")),
        EdgeKind("INSPECTED", "巡察安排", ("team",), ("unit",), ("round_id", "mode", "start", "end")),
        EdgeKind("FOUND_IN", "被巡察单位", ("issue",), ("unit",)),
        EdgeKind("DURING", "巡察轮次", ("issue", "lead"), ("round",)),
        EdgeKind("FOUND_BY", "巡察组", ("issue",), ("team",)),
        EdgeKind("IMPLICATES", "涉及人员", ("issue",), ("cadre",)),
        EdgeKind("IN_CATEGORY", "问题类别", ("issue",), ("category",)),
        EdgeKind("SUBCATEGORY_OF", "上级类别", ("category",), ("category",)),
        EdgeKind("RAISED_FROM", "关联问题", ("lead",), ("issue",)),
        EdgeKind("CONCERNS", "被反映人", ("lead",), ("cadre",)),
        EdgeKind("CONCERNS_UNIT", "线索单位", ("lead",), ("unit",)),
        EdgeKind("ADDRESSES", "整改对象", ("action",), ("issue", "lead")),
        EdgeKind("OWNED_BY", "责任主体", ("action",), ("unit", "cadre")),
        EdgeKind("VERIFIED_BY", "核查巡察组", ("action",), ("team",)),
    ]
}

LEDGERS: dict[str, Ledger] = {
    l.name: l
    for l in [
        Ledger(
            "regions", "行政区划",
            (
                F("id", "区划代码", "code", True),
                F("name", "名称", "text", True, ("区划名称",)),
                F("level", "层级", "enum:level", True),
                F("parent_id", "上级区划", "ref:region", aliases=("上级区划代码",)),
            ),
            node="region",
            edges=(EdgeMap("PART_OF", "id", "parent_id"),),
        ),
        Ledger(
            "units", "单位",
            (
                F("id", "单位编码", "code", True),
                F("name", "单位名称", "text", True),
                F("aliases", "简称", "list"),
                F("kind", "单位类型", "enum:unit_kind", True, prop="unit_kind"),
                F("level", "层级", "enum:level"),
                F("region_id", "所在区划", "ref:region"),
                F("parent_id", "上级单位", "ref:unit"),
                F("sector", "板块", "text"),
            ),
            node="unit",
            edges=(EdgeMap("LOCATED_IN", "id", "region_id"),
                   EdgeMap("SUBORDINATE_TO", "id", "parent_id")),
            zh_aliases=("单位台账", "被巡察单位"),
        ),
        Ledger(
            "cadres", "人员",
            (
                F("id", "人员编号", "code", True),
                F("name", "姓名", "text", True, sensitive="name"),
                F("gender", "性别", "enum:gender"),
                F("birth_date", "出生年月", "date", aliases=("出生日期",), sensitive="personal"),
                F("native_region_id", "籍贯", "ref:region", sensitive="personal"),
                F("id_number", "身份证号", "code", aliases=("身份证号码",), sensitive="id_number"),
                F("phone", "联系电话", "code", aliases=("电话", "手机"), sensitive="phone"),
                F("rank", "职级", "text"),
                F("specialties", "专长", "list"),
                F("pools", "人才库", "list"),
            ),
            node="cadre",
            edges=(EdgeMap("NATIVE_OF", "id", "native_region_id"),),
            zh_aliases=("干部", "人员台账"),
        ),
        Ledger(
            "positions", "任职经历",
            (
                F("cadre_id", "人员编号", "ref:cadre", True),
                F("unit_id", "单位编码", "ref:unit", True),
                F("title", "职务", "text", True),
                F("rank", "职级", "text"),
                F("is_principal", "是否一把手", "bool"),
                F("start", "任职时间", "date", True, ("开始时间",)),
                F("end", "离任时间", "date", aliases=("结束时间",)),
            ),
            edges=(EdgeMap("HELD_POSITION", "cadre_id", "unit_id",
                           ("title", "rank", "is_principal", "start", "end")),),
            date_order=(("start", "end"),),
        ),
        Ledger(
            "relations", "社会关系",
            (
                F("cadre_id", "人员编号", "ref:cadre", True),
                F("other_id", "关系人编号", "ref:cadre", True),
                F("kind", "关系类型", "enum:relation_kind", True, prop="relation_kind"),
                F("note", "备注", "text", sensitive="text"),
            ),
            edges=(EdgeMap("RELATED_TO", "cadre_id", "other_id", ("kind", "note")),),
        ),
        Ledger(
            "rounds", "巡察轮次",
            (
                F("id", "轮次编号", "code", True),
                F("name", "轮次名称", "text", True),
                F("committee_region_id", "党委区划", "ref:region"),
                F("level", "层级", "enum:level"),
                F("kind", "巡察类型", "enum:round_kind", True, prop="round_kind"),
                F("topic", "专项主题", "text"),
                F("start", "开始时间", "date"),
                F("end", "结束时间", "date"),
            ),
            node="round",
            edges=(EdgeMap("COMMISSIONED_BY", "id", "committee_region_id"),),
            date_order=(("start", "end"),),
        ),
        Ledger(
            "teams", "巡察组",
            (
                F("id", "巡察组编号", "code", True),
                F("name", "巡察组名称", "text", True),
                F("level", "层级", "enum:level"),
                F("home_region_id", "所属区划", "ref:region"),
                F("capacity", "承担单位数", "int"),
            ),
            node="team",
            edges=(EdgeMap("BASED_IN", "id", "home_region_id"),),
        ),
        Ledger(
            "team_members", "巡察组成员",
            (
                F("round_id", "轮次编号", "ref:round", True),
                F("team_id", "巡察组编号", "ref:team", True),
                F("cadre_id", "人员编号", "ref:cadre", True),
                F("role", "职责", "enum:role", True),
            ),
            edges=(EdgeMap("MEMBER_OF", "cadre_id", "team_id", ("round_id", "role")),),
            unique=("round_id", "team_id", "cadre_id"),
        ),
        Ledger(
            "assignments", "巡察安排",
            (
                F("round_id", "轮次编号", "ref:round", True),
                F("team_id", "巡察组编号", "ref:team", True),
                F("unit_id", "单位编码", "ref:unit", True, ("被巡察单位",)),
                F("mode", "方式", "enum:assignment_mode", aliases=("巡察方式",)),
                F("start", "开始时间", "date"),
                F("end", "结束时间", "date"),
            ),
            edges=(EdgeMap("INSPECTED", "team_id", "unit_id", ("round_id", "mode", "start", "end")),),
            date_order=(("start", "end"),),
            unique=("round_id", "team_id", "unit_id"),
        ),
        Ledger(
            "issues", "问题台账",
            (
                F("id", "问题编号", "code", True),
                F("round_id", "轮次编号", "ref:round", True),
                F("unit_id", "被巡察单位", "ref:unit", True, ("单位编码",)),
                F("team_id", "巡察组", "ref:team", aliases=("巡察组编号",)),
                F("category", "问题类别", "enum:category", True),
                F("subcategory", "问题子类", "enum:subcategory"),
                F("description", "问题表现", "text", True, ("问题描述",), sensitive="text"),
                F("cadre_ids", "涉及人员", "refs:cadre"),
                F("amount", "涉及金额", "money"),
                F("source", "问题来源", "enum:issue_source"),
                F("found_date", "发现时间", "date"),
                F("immediate", "是否立行立改", "bool"),
                # When the conduct happened (within the inspected period
                # 被巡察期间), if the ledger says; queries narrow the period
                # of responsibility to it (xuncha.queries.periods).
                F("conduct_start", "问题发生时间起", "date", aliases=("问题发生时间", "发生时间起")),
                F("conduct_end", "问题发生时间止", "date", aliases=("发生时间止",)),
            ),
            node="issue",
            edges=(
                EdgeMap("FOUND_IN", "id", "unit_id"),
                EdgeMap("DURING", "id", "round_id"),
                EdgeMap("FOUND_BY", "id", "team_id"),
                EdgeMap("IMPLICATES", "id", "cadre_ids"),
            ),
            date_order=(("conduct_start", "conduct_end"),),
            zh_aliases=("问题",),
        ),
        Ledger(
            "leads", "问题线索台账",
            (
                F("id", "线索编号", "code", True),
                F("round_id", "轮次编号", "ref:round"),
                F("unit_id", "被巡察单位", "ref:unit", aliases=("单位编码",)),
                F("issue_ids", "关联问题", "refs:issue", aliases=("问题编号",)),
                F("subject_ids", "被反映人", "refs:cadre"),
                F("discipline", "违反纪律类型", "enum:discipline"),
                F("transferred_to", "移交机关", "enum:receiver", True),
                F("transfer_date", "移交时间", "date"),
                F("disposal", "处置方式", "enum:disposal"),
                F("case_filed", "是否立案", "bool"),
                F("case_filed_date", "立案时间", "date"),
                F("outcomes", "处理结果", "enums:outcome"),
                F("recovered_amount", "追缴金额", "money"),
                F("closed_date", "办结时间", "date"),
                F("summary", "线索摘要", "text", aliases=("反映问题",), sensitive="text"),
            ),
            node="lead",
            edges=(
                EdgeMap("DURING", "id", "round_id"),
                EdgeMap("CONCERNS_UNIT", "id", "unit_id"),
                EdgeMap("RAISED_FROM", "id", "issue_ids"),
                EdgeMap("CONCERNS", "id", "subject_ids"),
            ),
            date_order=(("transfer_date", "case_filed_date"), ("transfer_date", "closed_date")),
            zh_aliases=("线索", "问题线索"),
        ),
        Ledger(
            "actions", "整改台账",
            (
                F("id", "整改编号", "code", True),
                F("issue_id", "问题编号", "ref:issue"),
                F("lead_id", "线索编号", "ref:lead"),
                F("kind", "整改类型", "enum:action_kind", True, prop="action_kind"),
                F("measure", "整改措施", "text"),
                F("owner_unit_id", "责任单位", "ref:unit"),
                F("owner_cadre_id", "责任人", "ref:cadre"),
                F("deadline", "整改时限", "date"),
                F("status", "整改状态", "enum:rect_status", True),
                F("completed_date", "完成时间", "date"),
                F("verified_by_team_id", "核查巡察组", "ref:team"),
                F("recovered_amount", "追回金额", "money"),
                F("rules_count", "建章立制数", "int"),
            ),
            node="action",
            edges=(
                EdgeMap("ADDRESSES", "id", "issue_id"),
                EdgeMap("ADDRESSES", "id", "lead_id"),
                EdgeMap("OWNED_BY", "id", "owner_unit_id"),
                EdgeMap("OWNED_BY", "id", "owner_cadre_id"),
                EdgeMap("VERIFIED_BY", "id", "verified_by_team_id"),
            ),
            zh_aliases=("整改",),
        ),
    ]
}

# Ledgers in dependency order (a ledger refers only to ledgers before it,
# except self-references), which is also the order nodes are added.
LEDGER_ORDER = tuple(LEDGERS)

# Node kind -> the ledger that defines it.
NODE_LEDGER = {l.node: l for l in LEDGERS.values() if l.node}

HUB_KINDS = frozenset(k for k, v in NODE_KINDS.items() if v.hub)


def node_id(kind: str, id_: str) -> str:
    return f"{kind}:{id_}"


def split_id(nid: str) -> tuple[str, str]:
    kind, _, raw = nid.partition(":")
    return kind, raw


# Properties of nodes in a workspace of several datasets (xuncha.identity):
# the dataset a record came from, its id as written there, and, for an entity
# merged by judgements, every source record and the name each gave it.
IDENTITY_FIELDS = (
    F("dataset", "台账", "text"),
    F("source_id", "原编号", "code"),
    F("sources", "来源记录", "list"),
    F("source_names", "来源姓名", "list", sensitive="names"),  # dropped by redaction
)
# An edge moved onto a merged entity names the source record it came from.
MERGE_EDGE_FIELDS = (F("merged_from", "合并来源", "code"),)


def node_fields(kind: str) -> tuple[Field, ...]:
    """Declared properties of a node kind (category nodes have fixed ones)."""
    if kind == "category":
        return (F("id", "类别编码", "code", True), F("name", "名称", "text", True),
                F("level", "层级", "int"), F("parent_id", "上级类别", "code"))
    fields = NODE_LEDGER[kind].fields
    extra = tuple(F(f"{f.name}_approx", f"{f.zh}(约数)", "bool") for f in fields if f.base == "money")
    ident = IDENTITY_FIELDS if kind != "region" else IDENTITY_FIELDS[:1]
    return fields + extra + ident


def edge_fields(kind: str) -> tuple[Field, ...]:
    """Declared properties of an edge kind, typed from the ledger that makes it."""
    for ledger in LEDGERS.values():
        for em in ledger.edges:
            if em.kind == kind and em.props:
                return tuple(ledger.field(p) for p in em.props) + MERGE_EDGE_FIELDS
    return MERGE_EDGE_FIELDS


# -- lifetimes: when a node or edge holds (for timelines: Gephi, the html date filter) -------

@dataclass(frozen=True)
class Lifetime:
    """Which properties date a node or edge kind.

    ``start``/``end`` name its own date properties; ``via`` names a property
    holding a round id whose round's ``start``/``end`` apply when its own are
    empty (an inspection without its own dates lasts its round; a team
    membership is for its round).
    """

    start: str | None = None
    end: str | None = None
    via: str | None = None


LIFETIMES: dict[str, Lifetime] = {
    # nodes
    "round": Lifetime("start", "end"),
    "issue": Lifetime("found_date"),
    "lead": Lifetime("transfer_date"),
    # edges
    "HELD_POSITION": Lifetime("start", "end"),
    "INSPECTED": Lifetime("start", "end", via="round_id"),
    "MEMBER_OF": Lifetime(via="round_id"),
}


def personal_edge_kinds() -> frozenset[str]:
    """Edge kinds made from a ``personal`` field (NATIVE_OF from 籍贯): redaction drops them."""
    out = set()
    for ledger in LEDGERS.values():
        for em in ledger.edges:
            if any(ledger.field(f).sensitive == "personal" for f in (em.src, em.dst)):
                out.add(em.kind)
    return frozenset(out)
