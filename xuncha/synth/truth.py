"""Ground truth for a generated dataset: ``truth.json`` (version 3), the world's facts.

Version 3 records what HAPPENED in the synthetic world, not the answers a query
should give: who did what, at which unit, over which period, which findings and
leads describe it, who ran the unit then, how the people are tied, who merely
shares a name.  Expected answers (related cases, trails, clusters, evidence
paths) are derived from these facts by the evaluation in ``bench/`` with its
own code and its own written-down notion of "truly related" (bench/README.md),
never with :mod:`xuncha.queries`.  (Version 2 computed trails and related sets
with the queries' own definitions, so a perfect score only showed the code
agreed with itself.)

Facts (tables are lists of rows; ``columns`` names each table's fields)
-------------------------------------------------------------------------
``inspections`` — one row per visit (round, team, unit): ``arrival`` (the
round's start, when the team arrived), the period the visit looks back on
(被巡察期间: from the day after the unit's previous inspection, else
:data:`~xuncha.synth.model.LOOKBACK_YEARS` years, to the arrival) and the
principals (一把手) in post during it, each ``[cadre_id, start, end,
days_in_period, responsible]``.

``findings`` — one row per issue: when the conduct it describes happened
(``conduct_start``/``conduct_end``; ``dated`` when the description names the
years, which are then whole years clipped to the period, else the whole period),
``actors`` (the cadres who did it: the people the finding names) and
``responsible`` (the principals who ran the unit for at least
:data:`RESPONSIBLE_DAYS` days of the conduct — the office's policy; nobody
for conduct shorter than that: the people who answer for it,
including those who had left by the inspection — 离任不免责 — and never a
newcomer who arrived weeks before the team).

``leads`` — one row per lead: the issues it was raised from, its ``actors``
(the people it is about) and ``responsible`` (the principals who answer for
the findings it was raised from; for a petition lead raised from no finding,
those who answer for the whole period the visit looked back on).

``ties`` — one row per social relation: ``[cadre_id, other_id, kind,
via_unit_id, overlap_start, overlap_end]``; for colleagues, the unit where
both held posts and the days they overlapped there.

``stories`` — the planted related cases: several people's conduct at two or
more units that belong together (``kind``: ``same_cadre`` — one person's
misconduct following them to the next unit; ``kinship`` — relatives
implicated at different units; ``colleague`` — former colleagues; ``business``
— people with business dealings; ``kinship_chain`` — kin then business, three
units).  Each lists ``actors``, ``unit_ids``, ``issue_ids``, ``lead_ids`` and
``links`` (``{kind, cadre_id, other_id | unit_ids, via_unit_id}``) and the
evidence ``pairs``: for two member issues at different units, the chain of
graph nodes a case officer would cite (issue → person [→ tied person] → issue).

``near_misses`` — look-alikes that a careless rule gets wrong (each names its
``pattern`` and ``kind``): ``newcomer_principal`` (took office weeks before
the team: not responsible for the period), ``left_before_inspection`` (left
months before: still responsible), ``same_name_unrelated`` /
``same_surname_unrelated`` (a namesake whose finding is worded exactly like a
story member's: not related), ``shared_team`` (a story's two findings found by
one team, which also found many unrelated ones), ``rare_cluster`` (exactly three
units of a round share a subcategory that is rare everywhere, in a round with a
common problem), ``below_threshold`` (a subcategory one unit short of the
common-problem share), and the planner's conflict look-alikes
(``employment_outside_window``, ``kin_of_non_principal``,
``native_of_neighbour_county``).

Ledger-derived sets (kept for the planner and the common/recurring patterns)
-----------------------------------------------------------------------------
``conflicts`` (EXHAUSTIVE), ``common`` (EXHAUSTIVE) and ``recurring``
(EXHAUSTIVE) are computed from the ledgers as in version 2:

- ``common``: (round, subcategory) found at >= max(5, ceil(0.6 n)) of the n
  units the round assigned; ``planted`` marks the deliberate ones;
- ``recurring``: (unit, subcategory, later round) with a rectified issue of the
  subcategory in an earlier-starting round (rectified = every action of the
  issue completed, closed or long-term);
- ``conflicts``: (round, team, unit, member, ground) for employment at the
  unit within 3 years before the assignment start, kin of the unit's principal
  that day, native of the unit's county on a non-local team, and ``local`` (a
  cross assignment into the team's own county).
"""


from __future__ import annotations

import datetime as _dt
import math

from .. import __version__, taxonomy
from . import model as M

TRUTH_FORMAT = "xuncha-truth"
TRUTH_VERSION = 3  # 3: the world's facts (stories, conduct periods, responsibility), not answers


def _minus_years(iso: str, years: int) -> str:
    d = _dt.date.fromisoformat(iso)
    try:
        return d.replace(year=d.year - years).isoformat()
    except ValueError:
        return d.replace(year=d.year - years, day=28).isoformat()


def _county(unit: dict, region_level: dict[str, str]) -> str | None:
    rid = unit.get("region_id")
    if rid and region_level.get(rid) in ("county", "township", "village"):
        return rid[:6]
    return None


def rectified_issues(actions: list[dict]) -> set[str]:
    ok: dict[str, bool] = {}
    for a in actions:
        i = a.get("issue_id")
        if i is None:
            continue
        ok[i] = ok.get(i, True) and a["status"] in taxonomy.RECTIFIED_STATUSES
    return {i for i, v in ok.items() if v}


def _plus_days(iso: str, n: int) -> str:
    return (_dt.date.fromisoformat(iso) + _dt.timedelta(days=n)).isoformat()


def recurring(rows: dict, planted: set) -> list[dict]:
    rect = rectified_issues(rows["actions"])
    rstart = {r["id"]: r["start"] for r in rows["rounds"]}
    rkind = {r["id"]: r["kind"] for r in rows["rounds"]}
    groups: dict[tuple[str, str], list[dict]] = {}
    for d in rows["issues"]:
        if d.get("subcategory"):
            groups.setdefault((d["unit_id"], d["subcategory"]), []).append(d)
    out = []
    for (uid, sub) in sorted(groups):
        issues = groups[(uid, sub)]
        if len(issues) < 2:
            continue
        by_round: dict[str, list[dict]] = {}
        for d in issues:
            by_round.setdefault(d["round_id"], []).append(d)
        for r2 in sorted(by_round, key=lambda r: (rstart[r], r)):
            firsts = sorted(((d["found_date"], d["id"]) for d in issues
                             if d["round_id"] != r2 and rstart[d["round_id"]] < rstart[r2]
                             and d["id"] in rect))
            if not firsts:
                continue
            laters = sorted((d["found_date"], d["id"]) for d in by_round[r2])
            first_round = next(d["round_id"] for d in issues if d["id"] == firsts[0][1])
            out.append({
                "unit_id": uid, "category": taxonomy.SUBCATEGORY_PARENT[sub], "subcategory": sub,
                "first_issue_id": firsts[0][1], "first_round_id": first_round,
                "later_issue_id": laters[0][1], "later_round_id": r2,
                "later_round_kind": rkind[r2],
                "first_issue_ids": [i for _, i in firsts], "later_issue_ids": [i for _, i in laters],
                "planted": (uid, sub, r2) in planted,
            })
    return out


def common(rows: dict, planted: set) -> list[dict]:
    units_in: dict[str, set] = {}
    for a in rows["assignments"]:
        units_in.setdefault(a["round_id"], set()).add(a["unit_id"])
    hits: dict[tuple[str, str], dict[str, list[str]]] = {}
    for d in rows["issues"]:
        if d.get("subcategory"):
            hits.setdefault((d["round_id"], d["subcategory"]), {}).setdefault(
                d["unit_id"], []).append(d["id"])
    out = []
    for (rid, sub) in sorted(hits):
        n = len(units_in.get(rid, ()))
        threshold = max(M.COMMON_MIN_UNITS, math.ceil(M.COMMON_MIN_SHARE * n))
        by_unit = hits[(rid, sub)]
        if len(by_unit) >= threshold:
            out.append({
                "round_id": rid, "category": taxonomy.SUBCATEGORY_PARENT[sub], "subcategory": sub,
                "unit_ids": sorted(by_unit), "issue_ids": sorted(i for v in by_unit.values() for i in v),
                "units_inspected": n, "threshold": threshold,
                "share": round(len(by_unit) / n, 4) if n else None,
                "planted": (rid, sub) in planted,
            })
    return out


def conflicts(rows: dict, planted: set) -> list[dict]:
    region_level = {r["id"]: r["level"] for r in rows["regions"]}
    units = {u["id"]: u for u in rows["units"]}
    home = {t["id"]: t.get("home_region_id") for t in rows["teams"]}
    rstart = {r["id"]: r.get("start") for r in rows["rounds"]}
    native = {c["id"]: c.get("native_region_id") for c in rows["cadres"]}
    members: dict[tuple[str, str], list[str]] = {}
    for m in rows["team_members"]:
        members.setdefault((m["round_id"], m["team_id"]), []).append(m["cadre_id"])
    posts: dict[tuple[str, str], list[dict]] = {}
    principals: dict[str, list[dict]] = {}
    for p in rows["positions"]:
        posts.setdefault((p["cadre_id"], p["unit_id"]), []).append(p)
        if p.get("is_principal"):
            principals.setdefault(p["unit_id"], []).append(p)
    kin: dict[str, list[tuple[str, str]]] = {}
    for r in rows["relations"]:
        if r["kind"] in taxonomy.KIN_RELATIONS:
            kin.setdefault(r["cadre_id"], []).append((r["other_id"], r["kind"]))
            kin.setdefault(r["other_id"], []).append((r["cadre_id"], r["kind"]))
    out = []
    for a in rows["assignments"]:
        rid, tid, uid = a["round_id"], a["team_id"], a["unit_id"]
        ref = a.get("start") or rstart.get(rid)
        if ref is None:
            continue
        cutoff = _minus_years(ref, M.EMPLOYMENT_YEARS)
        u = units[uid]
        county = _county(u, region_level)
        team_home = home.get(tid)
        local_team = team_home is not None and team_home in (county, u.get("region_id"))
        if a.get("mode") == "cross" and local_team:
            out.append(_conflict(rid, tid, uid, None, "local",
                                 {"home_region_id": team_home, "unit_region_id": u.get("region_id"),
                                  "mode": "cross"}, planted))
        heads = [p for p in principals.get(uid, ())
                 if p["start"] <= ref and (p.get("end") is None or p["end"] >= ref)]
        for cid in members.get((rid, tid), ()):
            worked = [p for p in posts.get((cid, uid), ())
                      if p["start"] <= ref and (p.get("end") is None or p["end"] >= cutoff)]
            if worked:
                out.append(_conflict(rid, tid, uid, cid, "employment", {
                    "positions": [{"unit_id": uid, "title": p["title"], "start": p["start"],
                                   "end": p.get("end")} for p in worked],
                    "window_start": cutoff, "ref_date": ref}, planted))
            rels = kin.get(cid, ())
            for p in heads:
                for other, kind in rels:
                    if other == p["cadre_id"]:
                        out.append(_conflict(rid, tid, uid, cid, "kinship", {
                            "principal_id": other, "relation": kind, "title": p["title"],
                            "start": p["start"], "end": p.get("end"), "ref_date": ref}, planted))
            if county is not None and native.get(cid) == county and not local_team:
                out.append(_conflict(rid, tid, uid, cid, "native_place", {
                    "native_region_id": native[cid], "unit_region_id": u.get("region_id"),
                    "home_region_id": team_home}, planted))
    out.sort(key=lambda c: (c["round_id"], c["team_id"], c["unit_id"], c["cadre_id"] or "",
                            c["ground"]))
    return out


def _conflict(rid, tid, uid, cid, ground, evidence, planted) -> dict:
    return {"round_id": rid, "team_id": tid, "unit_id": uid, "cadre_id": cid, "ground": ground,
            "evidence": evidence, "planted": (rid, tid, uid, cid, ground) in planted}


def counts(rows: dict) -> dict:
    issues, leads, actions = rows["issues"], rows["leads"], rows["actions"]
    rect = rectified_issues(actions)
    receivers: dict[str, int] = {}
    for l in leads:
        receivers[l["transferred_to"]] = receivers.get(l["transferred_to"], 0) + 1
    return {
        **{name: len(v) for name, v in rows.items()},
        "issues_immediate": sum(1 for d in issues if d.get("immediate")),
        "issues_rectified": len(rect),
        "leads_case_filed": sum(1 for l in leads if l.get("case_filed")),
        "leads_by_receiver": dict(sorted(receivers.items())),
        "actions_by_status": _tally(a["status"] for a in actions),
        "actions_overdue": sum(1 for a in actions if a.get("deadline") and a["deadline"] < M.AS_OF
                               and a["status"] not in taxonomy.DONE_STATUSES
                               and a["status"] != "long_term"),
    }


def _tally(values) -> dict:
    out: dict[str, int] = {}
    for v in values:
        out[v] = out.get(v, 0) + 1
    return dict(sorted(out.items()))


RESPONSIBLE_DAYS = 183  # a principal answers for conduct they presided over this long


def answer_days(start: int, end: int) -> int:
    """Days a principal must have presided over a conduct (``start``–``end``) to
    answer for it: six months, the office's policy (issue 10: overlap of at least
    six months, and never a newcomer of under six months at the arrival, which
    that overlap implies).  So nobody answers as principal for conduct shorter
    than six months, e.g. the few months between a regular round and a mobile
    one at the same unit."""
    return RESPONSIBLE_DAYS

COLUMNS = {
    "inspections": ["round_id", "team_id", "unit_id", "arrival", "period_start", "period_end",
                    "principals"],
    "findings": ["issue_id", "unit_id", "conduct_start", "conduct_end", "dated", "actors",
                 "responsible"],
    "leads": ["lead_id", "unit_id", "issue_ids", "actors", "responsible"],
    "ties": ["cadre_id", "other_id", "kind", "via_unit_id", "overlap_start", "overlap_end"],
}
TABLES = tuple(COLUMNS)


def _overlap_days(s1, e1, s2, e2, as_of: int) -> int:
    e1 = as_of if e1 is None else e1
    e2 = as_of if e2 is None else e2
    return max(0, min(e1, e2) - max(s1, s2) + 1)


def facts(world) -> dict:
    """The world's facts as truth tables (see the module docstring)."""
    from .core import AS_OF, ISO

    w, f = world, world.findings
    inspections = []
    for rid, tid, ux, arrival, ps, pe in w.inspections:
        u = w.units[ux]
        heads = []
        need = answer_days(ps, pe)
        for s, e, c in u.principals:
            days = _overlap_days(s, e, ps, pe, AS_OF)
            if days:
                heads.append([w.cid(c), ISO[s], ISO[e] if e is not None else None, days,
                              days >= need])
        inspections.append([rid, tid, u.id, ISO[arrival], ISO[ps], ISO[pe], heads])
    findings = []
    cache: dict[tuple[int, int, int], list[str]] = {}
    for i, d in enumerate(w.issues):
        cs, ce, dated = f.i_conduct[i]
        ux = w.issue_unit[i]
        resp = cache.get((ux, cs, ce))
        if resp is None:
            need = answer_days(cs, ce)
            resp = cache[(ux, cs, ce)] = [w.cid(c) for s, e, c in w.units[ux].principals
                                          if _overlap_days(s, e, cs, ce, AS_OF) >= need]
        findings.append([d["id"], d["unit_id"], ISO[cs], ISO[ce], dated, list(d["cadre_ids"]), list(resp)])
    resp_of = {row[0]: row[6] for row in findings}
    period_resp: dict[tuple[str, str], list[str]] = {}
    for row in inspections:
        period_resp[(row[0], row[2])] = [h[0] for h in row[6] if h[4]]
    leads = []
    for d in w.leads:
        if d["issue_ids"]:  # the conduct of the findings it was raised from
            resp = sorted({c for i in d["issue_ids"] for c in resp_of[i]})
        else:  # a petition: the whole period the visit looked back on
            resp = list(period_resp.get((d["round_id"], d["unit_id"]), ()))
        leads.append([d["id"], d["unit_id"], list(d["issue_ids"]), list(d["subject_ids"]), resp])
    ties = []
    for r in w.relations:
        via = s0 = e0 = None
        if r["kind"] == "colleague":
            a, b = int(r["cadre_id"][1:]) - 1, int(r["other_id"][1:]) - 1
            best = 0
            for pa in w.c_posts[a]:
                for pb in w.c_posts[b]:
                    if pa[2] != pb[2]:
                        continue
                    days = _overlap_days(pa[0], pa[1], pb[0], pb[1], AS_OF)
                    if days > best:
                        best = days
                        lo = max(pa[0], pb[0])
                        via, s0, e0 = w.units[pa[2]].id, ISO[lo], ISO[lo + days - 1]
        ties.append([r["cadre_id"], r["other_id"], r["kind"], via, s0, e0])
    return {"inspections": inspections, "findings": findings, "leads": leads, "ties": ties}


def stories(world) -> list[dict]:
    """The planted related cases with their evidence pairs."""
    from .core import ISO

    w, f = world, world.findings
    out = []
    for k in w.planted.get("clusters", ()):
        named = {}
        for iid in k["issue_ids"]:
            i = int(iid[1:]) - 1
            named[iid] = (w.issues[i]["cadre_ids"][0], w.issues[i]["unit_id"])
        ties = {}
        for link in k["links"]:
            if "other_id" in link:
                ties[(link["cadre_id"], link["other_id"])] = link["kind"]
                ties[(link["other_id"], link["cadre_id"])] = link["kind"]
        pairs = []
        ids = list(k["issue_ids"])
        for x in range(len(ids)):
            for y in range(x + 1, len(ids)):
                (ca, ua), (cb, ub) = named[ids[x]], named[ids[y]]
                if ua == ub:
                    continue
                if ca == cb:
                    nodes = [f"issue:{ids[x]}", f"cadre:{ca}", f"issue:{ids[y]}"]
                elif (ca, cb) in ties:
                    nodes = [f"issue:{ids[x]}", f"cadre:{ca}", f"cadre:{cb}", f"issue:{ids[y]}"]
                else:
                    continue  # two hops apart (a chain): no single evidence path planted
                pairs.append({"issue_ids": [ids[x], ids[y]], "via": ties.get((ca, cb), "same_cadre"),
                              "nodes": nodes})
        conduct = {iid: [ISO[f.i_conduct[int(iid[1:]) - 1][0]], ISO[f.i_conduct[int(iid[1:]) - 1][1]]]
                   for iid in k["issue_ids"]}
        out.append({"id": k["id"], "kind": k["kind"], "actors": list(k["cadre_ids"]),
                    "unit_ids": list(k["unit_ids"]), "issue_ids": list(k["issue_ids"]),
                    "lead_ids": list(k["lead_ids"]), "conduct": conduct, "links": list(k["links"]),
                    "pairs": pairs})
    return out


def shared_team_near_misses(world, story_list: list[dict]) -> list[dict]:
    """Story pairs found by one team in one round (the team also found unrelated issues)."""
    by_id = {d["id"]: d for d in world.issues}
    found: dict[tuple, int] = {}
    for d in world.issues:
        key = (d["round_id"], d["team_id"])
        found[key] = found.get(key, 0) + 1
    out = []
    for s in story_list:
        for p in s["pairs"]:
            a, b = (by_id[i] for i in p["issue_ids"])
            if a["team_id"] and a["team_id"] == b["team_id"] and a["round_id"] == b["round_id"]:
                others = found[(a["round_id"], a["team_id"])]
                out.append({"pattern": "path", "kind": "shared_team", "story_id": s["id"],
                            "team_id": a["team_id"], "round_id": a["round_id"],
                            "issue_ids": p["issue_ids"], "team_findings": others})
    return out


def compute(world, rows: dict, scale_name: str, seed: int) -> dict:
    """The whole truth document for a generated world and its ledger rows."""
    pl = world.planted
    rec_planted = set()
    for uidx, sub, rid in pl.get("recurring", ()):
        rec_planted.add((world.units[uidx].id, sub, rid))
    conf_planted = {tuple(c) for c in pl.get("conflicts", ())}
    st = stories(world)
    doc = {
        "format": TRUTH_FORMAT,
        "version": TRUTH_VERSION,
        "generator": {"xuncha": __version__, "scale": scale_name, "seed": seed,
                      "units": len(rows["units"]), "as_of": M.AS_OF,
                      "lookback_years": M.LOOKBACK_YEARS, "responsible_days": RESPONSIBLE_DAYS,
                      "employment_years": M.EMPLOYMENT_YEARS,
                      "common_min_units": M.COMMON_MIN_UNITS,
                      "common_min_share": M.COMMON_MIN_SHARE},
        "columns": COLUMNS,
        "counts": counts(rows),
        "stories": st,
        "near_misses": list(world.near_misses) + shared_team_near_misses(world, st),
        "common": common(rows, {tuple(c) for c in pl.get("common", ())}),
        "recurring": recurring(rows, rec_planted),
        "conflicts": conflicts(rows, conf_planted),
    }
    doc.update(facts(world))
    return doc
