"""kpi on a generated county: the saved workspace (answering from the
``kpi_facts`` table saved at load time), the in-memory store and a reference
computed here straight from the ledger CSV files with the README's
definitions all agree, for every grouping and two cut-off dates."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from xuncha.graph.build import build_graph
from xuncha.graph.store import GraphStore
from xuncha.graph.workspace import open_workspace, save
from xuncha.loaders.dataset import load_dataset
from xuncha.queries.kpi import GROUPINGS, kpi

DONE = {"completed", "closed", "long_term"}  # README: rectified / not overdue
AS_OFS = ("2020-06-30", "2030-01-01")


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    from xuncha.synth import generate

    d = tmp_path_factory.mktemp("gen")
    generate(d, scale="county", seed=5, truth=False)
    store = GraphStore(build_graph(load_dataset(d).records))
    ws = tmp_path_factory.mktemp("ws")
    save(store, ws)
    return d, store, ws


def read(d: Path, name: str) -> list[dict]:
    with open(d / f"{name}.csv", encoding="utf-8-sig", newline="") as fh:
        return [{k: v.strip() for k, v in r.items()} for r in csv.DictReader(fh)]


def reference(d: Path, by: str, as_of: str) -> dict[str, dict]:
    """The indicators from the CSV files alone (no xuncha code)."""
    issues, leads, actions = read(d, "issues"), read(d, "leads"), read(d, "actions")
    region = {u["id"]: u["region_id"] for u in read(d, "units")}
    team_of: dict[tuple[str, str], str] = {}
    for a in read(d, "assignments"):
        team_of.setdefault((a["round_id"], a["unit_id"]), a["team_id"])

    def issue_group(i):
        if by == "team":
            t = i["team_id"] or team_of.get((i["round_id"], i["unit_id"]))
            return f"team:{t}" if t else None
        if by == "region":
            return f"region:{region[i['unit_id']]}" if region.get(i["unit_id"]) else None
        return {"round": f"round:{i['round_id']}", "unit": f"unit:{i['unit_id']}",
                "category": f"category:{i['category']}"}[by]

    out: dict[str, dict] = {}

    def add(groups, **counts):
        for g in [*groups, "total"]:
            r = out.setdefault(g, {"issues": 0, "issues_rectified": 0, "leads": 0,
                                   "leads_transferred": 0, "cases_filed": 0, "actions": 0,
                                   "actions_overdue": 0, "money_recovered": 0.0})
            for k, v in counts.items():
                r[k] += v

    def act(groups, a):
        overdue = bool(a["deadline"]) and a["deadline"] < as_of and a["status"] not in DONE
        add(groups, actions=1, actions_overdue=int(overdue),
            money_recovered=float(a["recovered_amount"] or 0))

    by_issue: dict[str, list] = {}
    by_lead: dict[str, list] = {}
    for a in actions:
        if a["issue_id"]:
            by_issue.setdefault(a["issue_id"], []).append(a)
        elif a["lead_id"]:
            by_lead.setdefault(a["lead_id"], []).append(a)
    issue_by_id = {i["id"]: i for i in issues}
    for i in issues:
        g = issue_group(i)
        groups = [g] if g else []
        acts = by_issue.get(i["id"], [])
        add(groups, issues=1, issues_rectified=int(bool(acts) and all(a["status"] in DONE for a in acts)))
        for a in acts:
            act(groups, a)
    for lead in leads:
        own = None
        if lead["round_id"] and by == "round":
            own = f"round:{lead['round_id']}"
        elif lead["unit_id"] and by == "unit":
            own = f"unit:{lead['unit_id']}"
        elif lead["unit_id"] and by == "region" and region.get(lead["unit_id"]):
            own = f"region:{region[lead['unit_id']]}"
        elif by == "team" and team_of.get((lead["round_id"], lead["unit_id"])):
            own = f"team:{team_of[(lead['round_id'], lead['unit_id'])]}"
        if own:
            groups = [own]
        else:
            linked = [issue_by_id[x] for x in lead["issue_ids"].split(";") if x in issue_by_id]
            groups = list(dict.fromkeys(g for g in map(issue_group, linked) if g))
        transferred = bool(lead["transferred_to"]) and (not lead["transfer_date"]
                                                         or lead["transfer_date"] <= as_of)
        add(groups, leads=1, leads_transferred=int(transferred),
            cases_filed=int(lead["case_filed"] == "true"),
            money_recovered=float(lead["recovered_amount"] or 0))
        for a in by_lead.get(lead["id"], []):
            act(groups, a)
    for r in out.values():
        r["money_recovered"] = round(r["money_recovered"], 2)
        r["rectification_rate"] = round(r["issues_rectified"] / r["issues"], 4) if r["issues"] else None
    return out


@pytest.mark.parametrize("as_of", AS_OFS)
@pytest.mark.parametrize("by", GROUPINGS)
def test_kpi_saved_and_in_memory_equal_the_ledgers(generated, by, as_of):
    d, store, ws = generated
    want = reference(d, by, as_of)
    assert len(want) > 2 and want["total"]["issues"] > 100 and want["total"]["actions_overdue"] > 0
    saved = open_workspace(ws)
    assert "kpi_facts" in saved._derived_saved  # answered from the table saved at load
    got_saved = [r.as_dict() for r in kpi(saved, by=by, as_of=as_of)]
    got_memory = [r.as_dict() for r in kpi(store, by=by, as_of=as_of)]
    assert got_saved == got_memory
    rows = {r.pop("group"): r for r in got_saved}
    for r in rows.values():
        r.pop("name")
    assert rows == want
    # Nothing read but the saved table and the few group labels.
    assert saved.graph._node.cached() <= len(rows)
    # A workspace saved before the table existed computes it from the rows.
    older = open_workspace(ws)
    del older._derived_saved["kpi_facts"]
    assert [r.as_dict() for r in kpi(older, by=by, as_of=as_of)] == got_memory
