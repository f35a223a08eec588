"""Timelines 时间线 of a cadre or a unit, and who held which post on a date.

:func:`timeline` lists the dated events of a cadre or a unit in date order:

- cadre: posts taken and left (任职/离任), inspection team service 巡察组成员
  (dated by the round's start), issues naming them (涉及), issues of a unit
  they headed that their principal post *answers for* (任内问题: the tenure
  overlaps the issue's inspected period 被巡察期间 by the policy's threshold,
  :mod:`xuncha.queries.periods`; the text states the overlap), leads about
  them (移交, 立案, 办结 with the outcomes), rectification actions they own
  (整改 deadline or completion);
- unit: posts taken and left there, inspections 巡察进驻/结束 (INSPECTED
  start/end; the arrival states the inspected period), issues found
  (发现问题), leads (移交, 立案, 办结), rectification of its issues and of
  actions it owns (完成 on the completion date; else the deadline, marked
  overdue when it passed before ``as_of``).

Everything is read through the store's per-node API (:mod:`xuncha.queries.view`).

Events are sorted by date, then event order (:data:`EVENT_ORDER`), then the
id of the node they are about; undated events come last.

:func:`asof` answers 某日任职情况: the posts of a unit covering a date
(both ends inclusive, an empty end means still in post), principals 一把手
first, then by start date and cadre id.

>>> from xuncha.queries.timeline import timeline, asof
>>> [e.event for e in timeline(store, "cadre:C001")][:2]   # doctest: +SKIP
['post_start', 'issue_named']
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field

from .. import taxonomy
from ..graph.schema import node_id
from .common import QueryError
from ..i18n import define, join, msg, sort_key, term
from .periods import DEFAULT_POLICY, Policy
from .view import view

#: Event kinds by name (tables in ``--lang zh``; JSON keeps the codes).
EVENT_ZH = {"post_start": "任职", "inspection_start": "巡察进驻", "team_service": "巡察组任职",
            "issue_found": "发现问题", "issue_named": "涉及", "issue_in_tenure": "任内问题",
            "lead_transferred": "线索移交", "case_filed": "立案", "lead_closed": "办结",
            "action_completed": "整改完成", "action_due": "整改到期", "inspection_end": "巡察结束",
            "post_end": "离任"}

# Event sentences, one template per language (:mod:`xuncha.i18n`).
define({
    "timeline.lead_transferred": ("线索移交：{lead} 移交{receiver}", "lead {lead} transferred to {receiver}"),
    "timeline.case_filed": ("立案：{lead}", "case filed on {lead}"),
    "timeline.lead_closed": ("办结：{lead}", "{lead} closed"),
    "timeline.lead_closed_with": ("办结：{lead}，{outcomes}", "{lead} closed: {outcomes}"),
    "timeline.lead_undated": ("线索：{lead}（{receiver}），无日期", "lead {lead} ({receiver}), undated"),
    "timeline.action": ("整改：{action}（{kind}），针对 {target}", "rectification {action} ({kind}) on {target}"),
    "timeline.action_done": ("{what}：{status}", "{what}: {status}"),
    "timeline.action_due": ("{what}：到期，{status}", "{what}: due, {status}"),
    "timeline.action_overdue": ("{what}：到期，{status}，已逾期", "{what}: due, {status}, overdue"),
    "timeline.principal": ("{title}（一把手）", "{title} (principal)"),
    "timeline.took_post": ("任职：在{unit}任{role}", "took post {role} at {unit}"),
    "timeline.left_post": ("离任：离开{unit}{title}岗位", "left post {title} at {unit}"),
    "timeline.in_tenure": ("任内问题：{issue}（{unit}），作为一把手负有责任：{answer}",
                           "issue found in {unit}, answerable as principal ({answer}): {issue}"),
    "timeline.team_service": ("巡察组：在{team}任{role}，轮次{round}",
                              "served as {role} in {team}, round {round}"),
    "timeline.named": ("涉及问题：{issue}（{unit}）", "named in issue {issue} at {unit}"),
    "timeline.unit_took_post": ("任职：{cadre}任{role}", "{cadre} took post {role}"),
    "timeline.unit_left_post": ("离任：{cadre}离开{title}岗位", "{cadre} left post {title}"),
    "timeline.inspected": ("巡察进驻：{team}，轮次{round}{mode}{period}",
                           "inspected by {team}, round {round}{mode}{period}"),
    "timeline.mode": ("（{mode}）", " ({mode})"),
    "timeline.period": ("；被巡察期间 {start}–{end}", "; inspected period {start}–{end}"),
    "timeline.inspection_end": ("巡察结束：{team}", "inspection by {team} ended"),
    "timeline.issue_found": ("发现问题：{issue}", "issue found: {issue}"),
    "timeline.issue_found_named": ("发现问题：{issue}（涉及{names}）", "issue found: {issue} (named: {names})"),
})

EVENT_ORDER = ("post_start", "inspection_start", "team_service", "issue_found", "issue_named",
               "issue_in_tenure", "lead_transferred", "case_filed", "lead_closed",
               "action_completed", "action_due", "inspection_end", "post_end")


@dataclass
class Event:
    date: str | None
    event: str
    id: str  # the node the event is about
    text: str
    path: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"date": self.date, "event": self.event, "id": self.id,
                "code": getattr(self.text, "code", None), "text": self.text,
                "path": self.path}


@dataclass
class PostHeld:
    cadre: str
    name: str
    title: str | None
    rank: str | None
    is_principal: bool
    start: str | None
    end: str | None

    def as_dict(self) -> dict:
        return {"cadre": self.cadre, "name": self.name, "title": self.title, "rank": self.rank,
                "is_principal": self.is_principal, "start": self.start, "end": self.end}


def _outcomes(d: dict):
    return join(term("outcome", o) for o in d.get("outcomes") or ())


def _lead_events(store, lid: str, anchor: str) -> list[Event]:
    d = store.node(lid)
    out = []
    to = term("receiver", d.get("transferred_to"))
    if d.get("transfer_date"):
        out.append(Event(d["transfer_date"], "lead_transferred", lid,
                         msg("timeline.lead_transferred", lead=lid, receiver=to), [anchor, lid]))
    if d.get("case_filed") and d.get("case_filed_date"):
        out.append(Event(d["case_filed_date"], "case_filed", lid, msg("timeline.case_filed", lead=lid),
                         [anchor, lid]))
    if d.get("closed_date"):
        res = _outcomes(d)
        out.append(Event(d["closed_date"], "lead_closed", lid,
                         msg("timeline.lead_closed_with", lead=lid, outcomes=res) if res
                         else msg("timeline.lead_closed", lead=lid), [anchor, lid]))
    if not out:
        out.append(Event(None, "lead_transferred", lid, msg("timeline.lead_undated", lead=lid, receiver=to),
                         [anchor, lid]))
    return out


def _action_events(store, aid: str, anchor: list[str], as_of: str) -> list[Event]:
    a = store.node(aid)
    target = node_id("issue", a["issue_id"]) if a.get("issue_id") else (
        node_id("lead", a["lead_id"]) if a.get("lead_id") else None)
    what = msg("timeline.action", action=aid, kind=term("action_kind", a.get("action_kind")), target=target)
    path = [*anchor, *([target] if target and target not in anchor else []), aid]
    if a.get("completed_date"):
        return [Event(a["completed_date"], "action_completed", aid,
                      msg("timeline.action_done", what=what, status=term("rect_status", a.get("status"))),
                      path)]
    if a.get("deadline"):
        status = term("rect_status", a.get("status"))
        overdue = a["deadline"] < as_of and a.get("status") not in taxonomy.DONE_STATUSES
        return [Event(a["deadline"], "action_due", aid,
                      msg("timeline.action_overdue" if overdue else "timeline.action_due", what=what,
                          status=status), path)]
    return []


def timeline(store, ref: str, as_of: str | None = None,
             policy: Policy = DEFAULT_POLICY) -> list[Event]:
    """Dated events of a cadre or unit; see the module docstring."""
    nid = store.resolve(ref, ("cadre", "unit"))
    as_of = as_of or _dt.date.today().isoformat()
    v = view(store)
    kind = store.kind(nid)
    ev: list[Event] = []
    if kind == "cadre":
        for p in v.posts_of_cadre(nid):
            role = msg("timeline.principal", title=p.title) if p.principal else p.title
            ev.append(Event(p.start, "post_start", p.unit,
                            msg("timeline.took_post", role=role, unit=v.name(p.unit)), [nid, p.unit]))
            if p.end:
                ev.append(Event(p.end, "post_end", p.unit,
                                msg("timeline.left_post", title=p.title, unit=v.name(p.unit)), [nid, p.unit]))
            if p.principal:
                for it, a in v.answered(p, policy, kinds=("issue",)):
                    if nid not in it.cadres:
                        ev.append(Event(it.date, "issue_in_tenure", it.id,
                                        msg("timeline.in_tenure", unit=v.name(p.unit), answer=a.text(p.title),
                                            issue=store.label(it.id)),
                                        [nid, p.unit, it.id]))
        for _, team, d in sorted(store.out_edges(nid, "MEMBER_OF"),
                                 key=lambda e: (e[1], str(e[2].get("round_id")))):
            rnd = node_id("round", d["round_id"]) if d.get("round_id") else None
            ev.append(Event(v.round_dates(rnd)[0], "team_service", team,
                            msg("timeline.team_service", role=term("role", d.get("role")), team=v.name(team),
                                round=v.name(rnd)), [nid, team]))
        for it in v.items_of_cadre(nid):
            if it.kind == "issue":
                ev.append(Event(it.date, "issue_named", it.id,
                                msg("timeline.named", issue=store.label(it.id), unit=v.name(it.unit)),
                                [nid, it.id]))
            else:
                ev.extend(_lead_events(store, it.id, nid))
        for aid in sorted(store.sources(nid, "OWNED_BY")):
            ev.extend(_action_events(store, aid, [nid], as_of))
    else:
        for p in v.posts_of_unit(nid):
            role = msg("timeline.principal", title=p.title) if p.principal else p.title
            ev.append(Event(p.start, "post_start", p.cadre,
                            msg("timeline.unit_took_post", cadre=v.name(p.cadre), role=role), [nid, p.cadre]))
            if p.end:
                ev.append(Event(p.end, "post_end", p.cadre,
                                msg("timeline.unit_left_post", cadre=v.name(p.cadre), title=p.title),
                                [nid, p.cadre]))
        periods = v.inspected_periods(nid, policy)
        for team, _, d in sorted(store.in_edges(nid, "INSPECTED"),
                                 key=lambda e: (e[0], str(e[2].get("round_id")))):
            rnd = node_id("round", d["round_id"]) if d.get("round_id") else None
            mode = msg("timeline.mode", mode=term("assignment_mode", d.get("mode"))) if d.get("mode") else ""
            rs, re_ = v.round_dates(rnd)
            start = d.get("start") or rs
            end = d.get("end") or re_
            per = periods.get(rnd)
            ev.append(Event(start, "inspection_start", team,
                            msg("timeline.inspected", team=v.name(team), round=v.name(rnd), mode=mode,
                                period=msg("timeline.period", start=per[0], end=per[1]) if per else ""),
                            [nid, team]))
            if end:
                ev.append(Event(end, "inspection_end", team,
                                msg("timeline.inspection_end", team=v.name(team)), [nid, team]))
        seen_actions: set[str] = set()
        for it in v.items_of_unit(nid):
            if it.kind == "issue":
                names = [store.label(c) for c in it.cadres]
                ev.append(Event(it.date, "issue_found", it.id,
                                msg("timeline.issue_found_named", issue=store.label(it.id), names=names)
                                if names else msg("timeline.issue_found", issue=store.label(it.id)),
                                [nid, it.id]))
            else:
                ev.extend(_lead_events(store, it.id, nid))
            for aid in sorted(store.sources(it.id, "ADDRESSES")):
                seen_actions.add(aid)
                ev.extend(_action_events(store, aid, [nid, it.id], as_of))
        for aid in sorted(store.sources(nid, "OWNED_BY")):
            if aid not in seen_actions:
                ev.extend(_action_events(store, aid, [nid], as_of))
    order = {e: i for i, e in enumerate(EVENT_ORDER)}
    ev.sort(key=lambda e: (e.date is None, e.date or "", order[e.event], e.id, sort_key(e.text)))
    return ev


def asof(store, unit: str, date: str) -> list[PostHeld]:
    """Who held which post in ``unit`` on ``date``, principals first."""
    uid = store.resolve(unit, ("unit",))
    if not date:
        raise QueryError("a date is required (日期)")
    ps = [p for p in view(store).posts_of_unit(uid) if p.covers(date)]
    ps.sort(key=lambda p: (not p.principal, p.start or "", p.cadre))
    return [PostHeld(p.cadre, store.label(p.cadre), p.title, p.rank, p.principal, p.start, p.end)
            for p in ps]
