"""Ground truth for a generated dataset: ``truth.json``, and exactly what it means.

Queries and the planner are scored against these sets, so every definition is
precise and computed **from the generated ledgers themselves** (not from what
the generator meant to plant), except the related-case clusters, which are
planted samples (each member's ``related`` set is computed from the ledgers).

Terms used below: an issue's *date* is its ``found_date``; a *principal post*
is a ``positions`` row with ``is_principal`` true, covering ``start <= day <=
end`` (an empty ``end`` is still in post); an issue is *rectified* when at
least one action has ``issue_id`` = the issue and every such action's status is
``completed``, ``closed`` or ``long_term`` (:data:`xuncha.taxonomy.RECTIFIED_STATUSES`);
``county(unit)`` is the first six digits of the unit's ``region_id`` when that
region is a county, township or village, and undefined for city- and
province-level units; kin relations are the ``relations`` kinds in
:data:`xuncha.taxonomy.KIN_RELATIONS` (spouse, parent, child, sibling,
grandparent, grandchild, collateral, in_law), in either direction.

Sets, and whether they are exhaustive
-------------------------------------
``trails`` (EXHAUSTIVE) — problem trails.  One entry per cadre who held
principal posts at two or more distinct units such that, at each of at least
two of those units, at least one issue of that unit is dated within the
principal post.  ``tenures`` lists every principal post of the cadre that has
such issues, with ``issue_ids`` (all issues of the unit dated within the post).
Key: ``cadre_id``.

``recurring`` (EXHAUSTIVE) — recurrences.  One entry per (``unit_id``,
``subcategory``, ``later_round_id``) such that the unit has an issue of that
subcategory in round ``later_round_id`` and a *rectified* issue of the same
subcategory in another round that started earlier.  ``first_issue_ids`` are all
those earlier rectified issues, ``later_issue_ids`` all issues of the
subcategory at the unit in the later round; ``first_issue_id`` /
``later_issue_id`` are the earliest of each (by date, then id).  Subcategory,
not top-level category: every reinspected unit repeats some top-level category.
Key: (``unit_id``, ``subcategory``, ``later_round_id``).

``common`` (EXHAUSTIVE) — common problems (共性问题).  One entry per (``round_id``,
``subcategory``) where the number of distinct units with an issue of that
subcategory in the round is at least ``max(5, ceil(0.6 * n))``, n being the
number of distinct units in the round's ``assignments``.  Key: (``round_id``,
``subcategory``).  ``planted`` tells the deliberately planted ones.

``conflicts`` (EXHAUSTIVE) — conflicted inspectors, for the planner.  For each
``assignments`` row (round, team, unit), with reference day ``ref`` = the
assignment's ``start`` (else the round's), and each ``team_members`` row of that
round and team, one entry per ground that holds:

- ``employment``: the member has a ``positions`` row at the unit with
  ``start <= ref`` and (no ``end`` or ``end >= ref - 3 years``, same month and
  day); evidence: those posts;
- ``kinship``: the member has a kin relation with a cadre who holds a principal
  post at the unit on ``ref``; evidence: the principal, the relation, the post;
- ``native_place``: the member's ``native_region_id`` equals ``county(unit)``
  and the team's ``home_region_id`` does not (for a local team every member
  is local: that is the ``local`` situation, not a personal ground);
- ``local`` (a team-level ground, ``cadre_id`` null): the assignment's mode is
  ``cross`` but the team's ``home_region_id`` is ``county(unit)`` (or the
  unit's own region) — a cross inspection that is not cross at all.

Key: (``round_id``, ``team_id``, ``unit_id``, ``cadre_id``, ``ground``).

``clusters`` (PLANTED SAMPLE of groups; EXHAUSTIVE ``related`` per member) —
related cases: groups of issues and leads in two or more different units,
linked through implicated cadres (issue ``cadre_ids`` / lead ``subject_ids``):
the same person after a move (``same_cadre``), kin (``kinship``), former
colleagues at one unit (``colleague``), business ties (``business``), or a
two-hop chain (``kinship_chain``).  ``links`` names each link.

Ordinary data hold related cases the generator did not plant (the same person
named at another unit, a second lead raised from the same issue, a relative
implicated elsewhere), so each cluster also carries ``related``: for every
member item ``m`` (key: its id), ``{issue_ids, lead_ids}`` = every item ``x !=
m`` that is

- another member of the cluster; or
- *linked* to ``m``: a lead raised from issue ``m`` (``issue_ids``), the issue
  lead ``m`` was raised from, or another lead raised from that same issue; or
- *person-linked*: some implicated cadre of ``m`` and some implicated cadre of
  ``x`` are the same cadre, or are joined by one or two ``relations`` rows (any
  kind, either direction).

A unit's principal who is not implicated, a shared unit, category, round,
region or similar wording never makes an item related.  Score related-case
queries with these sets: recall against the planted members, precision
against ``related`` (which contains them).

``near_misses`` — look-alikes a careless query would report: namesakes
(``same_name_unrelated``, ``same_surname_unrelated``, linked to a cluster but
related to nobody in it), a subcategory one unit short of the common-problem
threshold (``below_threshold``), inspectors whose post at the unit ended just
before the 3-year window (``employment_outside_window``), kin of a deputy
rather than the principal (``kin_of_non_principal``), natives of the
neighbouring county (``native_of_neighbour_county``), and principals whose
unit had issues only just after they left (``issues_after_tenure``).  None of
them belongs in the corresponding exhaustive set.
"""

from __future__ import annotations

import bisect
import datetime as _dt
import math

from .. import __version__, taxonomy
from . import model as M

TRUTH_FORMAT = "xuncha-truth"
TRUTH_VERSION = 2  # 2: clusters carry ``related`` (exhaustive per member)


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


def trails(rows: dict) -> tuple[list[dict], list[dict]]:
    """(trails, near misses) by the definition above."""
    by_unit: dict[str, list[tuple[str, str]]] = {}
    for d in rows["issues"]:
        by_unit.setdefault(d["unit_id"], []).append((d["found_date"], d["id"]))
    for v in by_unit.values():
        v.sort()
    posts: dict[str, list[dict]] = {}
    for p in rows["positions"]:
        if p.get("is_principal"):
            posts.setdefault(p["cadre_id"], []).append(p)
    out, near = [], []
    for cid in sorted(posts):
        ps = posts[cid]
        if len({p["unit_id"] for p in ps}) < 2:
            continue
        tenures = []
        after = []
        for p in sorted(ps, key=lambda p: (p["start"], p["unit_id"])):
            lst = by_unit.get(p["unit_id"], [])
            lo = bisect.bisect_left(lst, (p["start"], ""))
            hi = len(lst) if p.get("end") is None else bisect.bisect_right(lst, (p["end"], "\uffff"))
            ids = [i for _, i in lst[lo:hi]]
            if ids:
                tenures.append({"unit_id": p["unit_id"], "start": p["start"], "end": p.get("end"),
                                "issue_ids": ids})
            elif p.get("end"):
                soon = _plus_days(p["end"], 180)
                later = [i for f, i in lst[hi:] if f <= soon]
                if later:
                    after.append({"unit_id": p["unit_id"], "start": p["start"], "end": p["end"],
                                  "issue_ids_after": later[:5]})
        if len({t["unit_id"] for t in tenures}) >= 2:
            out.append({"cadre_id": cid, "tenures": tenures})
        elif len({t["unit_id"] for t in tenures}) == 1 and after and len(near) < 200:
            near.append({"pattern": "trails", "kind": "issues_after_tenure", "cadre_id": cid,
                         "with_issues": tenures, "just_after": after[:2]})
    return out, near


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


def cluster_related(rows: dict, clusters: list[dict]) -> list[dict]:
    """The clusters, each with ``related`` by the definition above (new dicts)."""
    named: dict[tuple[str, str], list[str]] = {}
    lead_issues: dict[str, list[str]] = {}
    leads_of: dict[str, list[str]] = {}
    for d in rows["issues"]:
        named[("issue", d["id"])] = d.get("cadre_ids") or []
    for d in rows["leads"]:
        named[("lead", d["id"])] = d.get("subject_ids") or []
        lead_issues[d["id"]] = d.get("issue_ids") or []
        for i in lead_issues[d["id"]]:
            leads_of.setdefault(i, []).append(d["id"])
    by_cadre: dict[str, list[tuple[str, str]]] = {}
    for key, cs in named.items():
        for c in cs:
            by_cadre.setdefault(c, []).append(key)
    ties: dict[str, set[str]] = {}
    for r in rows["relations"]:
        ties.setdefault(r["cadre_id"], set()).add(r["other_id"])
        ties.setdefault(r["other_id"], set()).add(r["cadre_id"])
    out = []
    for k in clusters:
        members = [("issue", i) for i in k["issue_ids"]] + [("lead", i) for i in k["lead_ids"]]
        related: dict[str, dict] = {}
        for m in members:
            got = set(members)
            kind, mid = m
            if kind == "issue":
                got.update(("lead", l) for l in leads_of.get(mid, ()))
            else:
                for i in lead_issues.get(mid, ()):
                    got.add(("issue", i))
                    got.update(("lead", l) for l in leads_of.get(i, ()))
            people = set(named.get(m, ()))
            for _ in range(2):  # one or two relations hops
                people |= {o for c in people for o in ties.get(c, ())}
            for c in people:
                got.update(by_cadre.get(c, ()))
            got.discard(m)
            related[mid] = {"issue_ids": sorted(i for t, i in got if t == "issue"),
                            "lead_ids": sorted(i for t, i in got if t == "lead")}
        out.append({**k, "related": related})
    return out


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


DEFINITIONS = {
    "trails": "cadre with principal posts at >=2 distinct units, each with >=1 issue dated "
              "within the post (exhaustive)",
    "recurring": "(unit, subcategory, later round): a rectified issue of the subcategory in an "
                 "earlier-starting round, found again in the later round (exhaustive)",
    "common": "(round, subcategory) found at >= max(5, ceil(0.6*n)) of the n units the round "
              "assigned (exhaustive)",
    "conflicts": "(round, team, unit, member, ground): employment within 3 years before the "
                 "assignment start; kin of the unit's principal on that day; native of the "
                 "unit's county on a non-local team; local = a cross assignment into the team's "
                 "own county (cadre_id null) (exhaustive)",
    "clusters": "planted related cases across units, linked via implicated cadres "
                "(sample, not exhaustive); each member's 'related' lists every item linked "
                "to it (cluster members, leads of the same issue, an implicated cadre in "
                "common or within two relations hops) (exhaustive)",
}


def compute(world, rows: dict, scale_name: str, seed: int) -> dict:
    """The whole truth document for a generated world and its ledger rows."""
    pl = world.planted
    t_trails, t_near = trails(rows)
    rec_planted = set()
    for uidx, sub, rid in pl.get("recurring", ()):
        rec_planted.add((world.units[uidx].id, sub, rid))
    conf_planted = {tuple(c) for c in pl.get("conflicts", ())}
    return {
        "format": TRUTH_FORMAT,
        "version": TRUTH_VERSION,
        "generator": {"xuncha": __version__, "scale": scale_name, "seed": seed,
                      "units": len(rows["units"]), "as_of": M.AS_OF,
                      "employment_years": M.EMPLOYMENT_YEARS,
                      "common_min_units": M.COMMON_MIN_UNITS,
                      "common_min_share": M.COMMON_MIN_SHARE},
        "definitions": DEFINITIONS,
        "counts": counts(rows),
        "clusters": cluster_related(rows, pl.get("clusters", [])),
        "common": common(rows, {tuple(c) for c in pl.get("common", ())}),
        "recurring": recurring(rows, rec_planted),
        "trails": t_trails,
        "conflicts": conflicts(rows, conf_planted),
        "near_misses": list(world.near_misses) + t_near,
    }
