"""Work indicators (工作指标) per round, unit, team, region or category.

Definitions (the office's, see README):
- an issue is *rectified* when it has at least one action and every action
  addressing it is completed 已完成, closed 已销号 or long_term 长期坚持;
- rectification_rate = rectified / issues, a fraction rounded to 4 places
  (121 of 128 -> 0.9453); ``None`` for a group with no issues;
- a lead is *transferred* when it names a receiver 移交机关 and its transfer
  date, if any, is on or before ``as_of``;
- an action is *overdue* when its deadline is before ``as_of`` and its status
  is not completed, closed or long_term (long-term work is ongoing by design);
- money recovered = leads' 追缴金额 + actions' 追回金额.

>>> rows = kpi(store, by="round", as_of="2024-06-30")   # doctest: +SKIP
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import asdict, dataclass
from typing import Iterable

from .. import taxonomy
from ..graph import derived
from ..graph.schema import EDGE_KINDS
from ..graph.store import GraphStore

GROUPINGS = ("round", "unit", "team", "region", "category")


@dataclass
class KpiRow:
    group: str  # node id of the group, e.g. "round:R2023-1", or "total"
    name: str
    issues: int = 0
    issues_rectified: int = 0
    rectification_rate: float | None = None
    leads: int = 0
    leads_transferred: int = 0
    cases_filed: int = 0
    actions: int = 0
    actions_overdue: int = 0
    money_recovered: float = 0.0

    def as_dict(self) -> dict:
        return asdict(self)


def rate(part: int, whole: int) -> float | None:
    """``part / whole`` rounded to 4 places; None when there is nothing to count."""
    return round(part / whole, 4) if whole else None


# The attributes kpi reads, per node kind (the "kpi_facts" derived table).
FACTS = {
    "issue": ("id", "round_id", "unit_id", "team_id", "category"),
    "action": ("issue_id", "lead_id", "deadline", "status", "recovered_amount"),
    "lead": ("id", "issue_ids", "round_id", "unit_id", "transferred_to", "transfer_date",
             "case_filed", "recovered_amount"),
    "unit": ("id", "region_id"),
}
INSPECTED = ("round_id", "unit", "team")  # one INSPECTED edge: its round, raw unit and team ids


@derived.register("kpi_facts", version=1)
def _kpi_facts(store: GraphStore) -> dict:
    """What :func:`kpi` reads, as columns: ``{kind: {field: [value per node]}}``
    for the kinds in :data:`FACTS` (load order; None where absent), and
    ``"INSPECTED": {"round_id"|"unit"|"team": [...]}`` per recorded assignment.

    Saved at load time, so ``kpi`` from a cold process parses a few compact
    rows instead of projecting every issue, action and lead node (and it
    still answers for any ``as_of``: nothing here depends on the date)."""
    from itertools import repeat

    out: dict[str, dict[str, list]] = {}
    for kind, fields in FACTS.items():
        recs = [d for _, d in store.nodes(kind, fields)]
        # dict.get over the records in C when they are plain dicts.
        get = dict.get if set(map(type, recs)) <= {dict} else (lambda d, f: d.get(f))
        out[kind] = {f: list(map(get, recs, repeat(f))) for f in fields}
    cols = {f: [] for f in INSPECTED}
    # The out-edges of the kinds INSPECTED leaves from (teams), in load
    # order: what store.edges("INSPECTED") gives, without a pass over every edge.
    for kind in EDGE_KINDS["INSPECTED"].sources:
        for u, _ in store.nodes(kind, ("id",)):
            for _, v, d in store.out_edges(u, "INSPECTED"):
                cols["round_id"].append(d.get("round_id"))
                cols["unit"].append(v.partition(":")[2])
                cols["team"].append(u.partition(":")[2])
    out["INSPECTED"] = cols
    return out


def _records(facts, kind: str) -> list[dict]:
    """The rows of one kind in ``facts`` as dicts (None values left out, as
    a projected node read gives them)."""
    fields = FACTS[kind]
    cols = facts[kind]
    return [{f: x for f, x in zip(fields, row) if x is not None}
            for row in zip(*(cols[f] for f in fields))]


def _assignment_team(facts) -> dict[tuple[str, str], str]:
    """(round_id, unit_id) -> team_id from the recorded assignments."""
    out: dict[tuple[str, str], str] = {}
    a = facts["INSPECTED"]
    for r, unit, team in zip(a["round_id"], a["unit"], a["team"]):
        out.setdefault((r, unit), team)
    return out


def kpi(store: GraphStore, by: str = "round", as_of: str | None = None) -> list[KpiRow]:
    """One :class:`KpiRow` per group (sorted by group id), then a ``total`` row."""
    if by not in GROUPINGS:
        raise ValueError(f"--by must be one of {', '.join(GROUPINGS)}, not {by!r}")
    as_of = as_of or _dt.date.today().isoformat()
    facts = store.derived("kpi_facts")
    units = facts["unit"]
    unit_region = dict(zip(units["id"], units["region_id"]))
    team_of = _assignment_team(facts) if by == "team" else {}

    def issue_groups(d: dict) -> list[str]:
        if by == "round":
            return [f"round:{d.get('round_id')}"]
        if by == "unit":
            return [f"unit:{d.get('unit_id')}"]
        if by == "team":
            t = d.get("team_id") or team_of.get((d.get("round_id"), d.get("unit_id")))
            return [f"team:{t}"] if t else []
        if by == "region":
            r = unit_region.get(d.get("unit_id"))
            return [f"region:{r}"] if r else []
        return [f"category:{d.get('category')}"]

    issues: dict[str, dict] = {d["id"]: d for d in _records(facts, "issue")}
    actions_of: dict[str, list[dict]] = {}
    lead_actions: dict[str, list[dict]] = {}
    for a in _records(facts, "action"):
        if a.get("issue_id"):
            actions_of.setdefault(a["issue_id"], []).append(a)
        elif a.get("lead_id"):
            lead_actions.setdefault(a["lead_id"], []).append(a)

    rows: dict[str, KpiRow] = {}
    total = KpiRow("total", "合计 total")

    def row(g: str) -> KpiRow:
        r = rows.get(g)
        if r is None:
            name = store.label(g) if store.has(g) else g
            r = rows[g] = KpiRow(g, name)
        return r

    def count_actions(targets: Iterable[KpiRow], acts: list[dict]) -> None:
        for a in acts:
            overdue = (a.get("deadline") is not None and a["deadline"] < as_of
                       and a.get("status") not in taxonomy.DONE_STATUSES)
            money = a.get("recovered_amount") or 0.0
            for r in targets:
                r.actions += 1
                r.actions_overdue += overdue
                r.money_recovered += money

    for iid, d in issues.items():
        acts = actions_of.get(iid, [])
        rectified = bool(acts) and all(a.get("status") in taxonomy.RECTIFIED_STATUSES for a in acts)
        targets = [row(g) for g in issue_groups(d)] + [total]
        for r in targets:
            r.issues += 1
            r.issues_rectified += rectified
        count_actions(targets, acts)

    for d in _records(facts, "lead"):
        linked = [issues[i] for i in d.get("issue_ids", ()) if i in issues]
        groups: list[str] = []
        if by == "round" and d.get("round_id"):
            groups = [f"round:{d.get('round_id')}"]
        elif by == "unit" and d.get("unit_id"):
            groups = [f"unit:{d.get('unit_id')}"]
        elif by == "region" and d.get("unit_id") and unit_region.get(d.get("unit_id")):
            groups = [f"region:{unit_region[d.get('unit_id')]}"]
        elif by == "team" and d.get("round_id") and d.get("unit_id") and \
                team_of.get((d.get("round_id"), d.get("unit_id"))):
            groups = [f"team:{team_of[(d.get('round_id'), d.get('unit_id'))]}"]
        if not groups:
            groups = list(dict.fromkeys(g for i in linked for g in issue_groups(i)))
        transferred = bool(d.get("transferred_to")) and (
            d.get("transfer_date") is None or d["transfer_date"] <= as_of)
        targets = [row(g) for g in groups] + [total]
        for r in targets:
            r.leads += 1
            r.leads_transferred += transferred
            r.cases_filed += bool(d.get("case_filed"))
            r.money_recovered += d.get("recovered_amount") or 0.0
        count_actions(targets, lead_actions.get(d["id"], []))

    out = sorted(rows.values(), key=lambda r: r.group)
    out.append(total)
    for r in out:
        r.rectification_rate = rate(r.issues_rectified, r.issues)
        r.money_recovered = round(r.money_recovered, 2)
    return out
