"""Conflicts of interest 回避事由 between inspection teams and inspected units.

Every conflict is a :class:`Conflict` row carrying its ground code (see
:data:`xuncha.planning.policy.GROUNDS`), the team, the unit, the inspector (for
person-level grounds), a sentence a planner can read, the evidence path (node
ids: the inspector, the people, units and regions in between, the unit) and
the dates that put the tie inside its window.

How each ground is checked, as of date ``as_of`` (a round's start by default):

- ``kinship``: a kin of an inspector (see :mod:`.kinship`) holds a post in
  the unit on ``as_of``: a leadership post, or any post for the classes in
  ``any_staff_classes`` (spouse, lineal by default);
- ``employment``: the inspector held a post in the unit, or in one of its
  superior units, that ended on or after ``as_of - recent_years`` (or is
  open), or that lasted ``long_years`` or more at any time before ``as_of``;
- ``superior_subordinate``: the inspector and a current leader of the unit
  held posts in the same unit (or in a unit and its superior, both as
  leaders) at overlapping times, the overlap ending on or after
  ``as_of - years``; one of the two a leader (上下级) or both leaders
  (同一领导班子);
- ``local``: the team is at ``max_team_level`` or below and the unit's region
  lies inside the team's home region (PART_OF); a higher-level team
  inspecting inside its region is upgraded inspection (提级), not local;
- ``native_place``: the inspector's native region and the unit's region are
  the same region at ``level`` (a township native place counts for its county);
- ``repeat``: the same team inspected the unit, or a team of the same home
  region inspected a unit of the same region, in the last ``rounds`` rounds;
- ``reciprocal``: a property of a whole round or plan: region A inspects B
  while B inspects A (:func:`reciprocal_conflicts`);
- ``manual``: a declared recusal (cadre or team, unit, reason, optional dates).

A tie on ``as_of`` itself is inside the window (bounds are inclusive).  People
are matched by id, never by name: two 张伟 are two people.

>>> checker = ConflictChecker(ix, as_of="2024-03-01")          # doctest: +SKIP
>>> checker.pair("T1", members, "U003")[0].ground              # doctest: +SKIP
'kinship'
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Iterable, Sequence

from ..errors import XunchaError
from ..i18n import Later, define, join, later
from .index import LEVEL_RANK, Member, PlanningIndex, Post, today, years_after, years_before
from .kinship import KinRules, describe
from .policy import GROUNDS, KIN_CLASSES, Policy

ROLE_ZH = {"leader": "组长", "deputy": "副组长", "member": "组员"}

# The evidence sentences of conflicts, one template per language (:mod:`xuncha.i18n`).
define({
    "conflict.sentence": ("{role}{text}{note}。", "{role}{text}{note}."),
    "conflict.role.leader": ("组长", "Team leader "),
    "conflict.role.deputy": ("副组长", "Deputy team leader "),
    "conflict.role.member": ("组员", "Team member "),
    "conflict.role.other": ("成员", "Member "),
    "conflict.merge_note": ("（身份合并：{notes}）", " (identity merge: {notes})"),
    "conflict.team": ("{name}（{id}）", "{name} ({id})"),  # a team or a cadre by name and id
    "conflict.untitled": ("职", "staff"),
    "conflict.untitled_staff": ("职员", "staff"),
    "conflict.now": ("今", "now"),
    "conflict.recent": ("近{years}年内（{since}以来）", "within the last {years} years (since {since})"),
    "conflict.long": ("任职满{years}年", "in post for {years} years or more"),
    "conflict.employment": ("{cadre}曾在{unit}任{title}（{start}至{end}），{why}",
                            "{cadre} served at {unit} as {title} ({start} to {end}), {why}"),
    "conflict.employment_superior": ("{cadre}曾在{unit}的上级单位{superior}任{title}（{start}至{end}），{why}",
                                     "{cadre} served at {superior}, the superior unit of {unit}, as {title} "
                                     "({start} to {end}), {why}"),
    "conflict.kin_chain": ("（经{via}）", " (through {via})"),
    "conflict.kinship": ("{cadre}的{relation}{kin}{chain}现任{unit}{title}（{start}起），属{klass}",
                         "{cadre}'s {relation} {kin}{chain} is now {title} at {unit} (since {start}): "
                         "{klass}"),
    "conflict.both": ("{a}与{b}", "{a} and {b}"),
    "conflict.same_leadership_team": ("同一领导班子成员", "members of one leadership team"),
    "conflict.superior_subordinate": ("上下级", "superior and subordinate"),
    "conflict.superior_above": ("上下级（上级单位领导）", "superior and subordinate (a leader of the superior unit)"),
    "conflict.superior_below": ("上下级（下级单位领导）",
                                "superior and subordinate (a leader of a subordinate unit)"),
    "conflict.worked_together": ("{cadre}与{unit}现任{title}{other}曾在{where}共事（{start}至{end}），系{how}，"
                                 "在近{years}年内（{since}以来）",
                                 "{cadre} and {other}, now {title} at {unit}, worked together at {where} "
                                 "({start} to {end}) as {how}, within the last {years} years (since {since})"),
    "conflict.native_place": ("{cadre}籍贯{native}，{unit}位于{region}",
                              "{cadre} is a native of {native}; {unit} is in {region}"),
    "conflict.no_reason": ("未注明理由", "no reason given"),
    "conflict.manual": ("{who}申请回避{unit}：{reason}", "{who} asked to be recused from {unit}: {reason}"),
    "conflict.local": ("{team}所属{home}，{unit}位于该区划内（{region}），属本地巡察",
                       "{team} belongs to {home} and {unit} lies within it ({region}): a local inspection"),
    "conflict.repeat": ("{team}已在近{rounds}轮内的{round}巡察过{unit}（同组同单位）",
                        "{team} already inspected {unit} in {round}, within the last {rounds} rounds "
                        "(same team, same unit)"),
    "conflict.repeat_regions": ("{region}的巡察组已在近{rounds}轮内的{round}巡察{other_region}"
                                "（{team}→{unit}），区划配对重复",
                                "a team of {region} already inspected {other_region} in {round}, within the "
                                "last {rounds} rounds ({team} → {unit}): a repeated pairing of regions"),
    "conflict.reciprocal": ("{region}的{team}（{team_id}）巡察{other_region}的{unit}，同时{other_region}的"
                            "{team2}（{team2_id}）巡察{region}的{unit2}，属对等互查",
                            "{team} ({team_id}) of {region} inspects {unit} in {other_region} while {team2} "
                            "({team2_id}) of {other_region} inspects {unit2} in {region}: reciprocal inspection"),
})
KIN_CLASS_EN = {"spouse": "spouse", "lineal": "lineal relative",
                "collateral": "collateral relative within three generations", "in_law": "close in-law"}
define({f"kin_class.{k}": (v, KIN_CLASS_EN[k]) for k, v in KIN_CLASSES.items()})


@dataclass
class Conflict:
    ground: str
    team_id: str
    unit_id: str
    inspector_id: str | None
    text_: object  # the evidence sentence (read .text): an i18n.Later until first read, then an i18n.Msg
    path: list[str]
    severity: str = "hard"  # hard / soft
    weight: float = 0.0
    start: str | None = None  # the tie's own dates (post, overlap)
    end: str | None = None
    window_start: str | None = None  # the earliest date that still counts
    as_of: str | None = None
    detail: str | None = None  # e.g. kinship class / in-law kind, or "same_leadership_team"
    round_id: str | None = None

    @property
    def text(self):
        """The evidence sentence, built on first read: the planner weighs every
        conflict of every pair and shows few (a matrix of 36 × 911 at city
        scale holds 12,000)."""
        t = self.text_
        if isinstance(t, Later):
            t = self.text_ = t.build()
        return t

    @text.setter
    def text(self, value) -> None:
        self.text_ = value

    def as_dict(self) -> dict:
        text = self.text  # the i18n.Msg itself (re-rendered at output)
        d = asdict(replace(self, text_=None))
        d = {("text" if k == "text_" else k): (text if k == "text_" else v) for k, v in d.items()}
        d["code"] = getattr(text, "code", None)
        d["ground_zh"] = GROUNDS.get(self.ground, self.ground)
        return d

    @property
    def key(self) -> tuple:
        return (self.ground, self.team_id, self.unit_id, self.inspector_id, tuple(self.path))


COLUMNS = ["ground", "severity", "team_id", "unit_id", "inspector_id", "text", "path", "start",
           "end", "window_start", "as_of"]


@dataclass(slots=True)
class Tie:
    """A person-level tie of an inspector to a unit (before a team is attached)."""

    unit: str
    ground: str
    text: str
    path: tuple[str, ...]
    start: str | None = None
    end: str | None = None
    window_start: str | None = None
    detail: str | None = None


class ManualRecusal:
    """Declared recusals 申请回避: rows of (cadre_id | team_id, unit_id, reason, start, end)."""

    HEADERS = {
        "cadre_id": ("cadre_id", "人员编号", "inspector_id", "回避人员"),
        "team_id": ("team_id", "巡察组编号", "巡察组"),
        "unit_id": ("unit_id", "单位编码", "被巡察单位"),
        "reason": ("reason", "回避事由", "理由", "原因", "备注"),
        "start": ("start", "开始时间"),
        "end": ("end", "结束时间"),
    }

    def __init__(self, rows: Iterable[dict] = ()):
        self.by_cadre: dict[str, list[dict]] = {}
        self.by_team: dict[str, list[dict]] = {}
        for r in rows:
            if r.get("cadre_id"):
                self.by_cadre.setdefault(r["cadre_id"], []).append(r)
            elif r.get("team_id"):
                self.by_team.setdefault(r["team_id"], []).append(r)

    @classmethod
    def read(cls, path: str | Path) -> "ManualRecusal":
        from .io import read_rows

        rows = []
        for i, raw in enumerate(read_rows(path, cls.HEADERS), start=2):
            if not raw.get("unit_id") or not (raw.get("cadre_id") or raw.get("team_id")):
                raise XunchaError(f"{path}, row {i}: a recusal 回避 needs unit_id 单位编码 and "
                                  "cadre_id 人员编号 or team_id 巡察组编号")
            rows.append(raw)
        return cls(rows)


def _bare(x: str | None) -> str | None:
    if x is None:
        return None
    x = str(x).strip()
    return x.partition(":")[2] if ":" in x else x


def default_as_of(ix: PlanningIndex, as_of: str | None, round_id: str | None) -> str:
    """The date a check is made as of: ``as_of``, else the round's start, else today."""
    if as_of is None and round_id and ix.rounds.get(round_id, {}).get("start"):
        as_of = ix.rounds[round_id]["start"]
    return as_of or today()


class ConflictChecker:
    """Finds conflicts under one policy as of one date (memoises per inspector).

    ``round_id`` (optional) names the round being planned or checked: it
    fixes the rounds that ``repeat`` looks back over.
    """

    def __init__(self, ix: PlanningIndex, as_of: str | None = None, round_id: str | None = None,
                 policy: Policy | None = None, manual: ManualRecusal | None = None,
                 mode: str | None = None):
        self.ix = ix
        self.mode_default = mode  # the inspection's mode (cross, …) when pairs carry none
        self.policy = policy or ix.policy
        self.as_of = default_as_of(ix, as_of, round_id)
        self.round_id = round_id
        pol = self.policy
        if manual is None and pol.grounds["manual"].file:
            manual = ManualRecusal.read(pol.grounds["manual"].file)
        self.manual = manual or ManualRecusal()
        self._ties: dict[str, dict[str, list[Tie]]] = {}
        self.kin_rules = KinRules.from_policy(pol.grounds["kinship"])
        # unit children (for superior/subordinate across a unit and its superior)
        self._children: dict[str, list[str]] = {}
        for uid, d in sorted(ix.units.items()):  # by id: independent of graph order
            if d.get("parent_id"):
                self._children.setdefault(d["parent_id"], []).append(uid)
        self._repeat_index = None
        self._siblings: dict[str, ConflictChecker] = {}
        self._lead: dict[tuple[str, bool], bool] = {}

    def at(self, as_of: str | None) -> "ConflictChecker":
        """The same checker as of another date (cached)."""
        if as_of is None or as_of == self.as_of:
            return self
        hit = self._siblings.get(as_of)
        if hit is None:
            hit = ConflictChecker(self.ix, as_of, self.round_id, self.policy, self.manual, self.mode_default)
            hit._children = self._children
            self._siblings[as_of] = hit
        return hit

    def local_applies(self, mode: str | None = None) -> bool:
        """Does the ``local`` ground apply to an inspection of this mode/round kind?"""
        kinds = self.policy.grounds["local"].round_kinds
        if kinds is None:
            return True
        k = mode or self.mode_default or self.ix.rounds.get(self.round_id, {}).get("round_kind")
        return k is None or k in kinds

    def is_local_team(self, tid: str) -> bool:
        """A team at ``local.max_team_level`` or below (a county team, not a city one)."""
        lvl = self.ix.team_level(tid)
        mx = LEVEL_RANK[self.policy.grounds["local"].max_team_level]
        return lvl in LEVEL_RANK and LEVEL_RANK[lvl] >= mx

    def team_is_local(self, tid: str, uid: str) -> bool:
        """A local team inside its own home region (every member is local there)."""
        home = self.ix.teams.get(tid, {}).get("home_region_id")
        return bool(home) and self.is_local_team(tid) and self.ix.contains(home, self.ix.unit_region(uid))

    # -- helpers ---------------------------------------------------------------
    def lead(self, post: Post) -> bool:
        """Is ``post`` a leadership post 领导职务 under this checker's policy?"""
        key = (post.title, post.principal)
        hit = self._lead.get(key)
        if hit is None:
            hit = self._lead[key] = self.policy.is_leadership(post.title, post.principal)
        return hit

    def mode(self, ground: str) -> str:
        return self.policy.grounds[ground].mode

    def on(self, ground: str) -> bool:
        return self.policy.grounds[ground].mode != "off"

    def _cn(self, cid: str):
        return later("conflict.team", name=self.ix.cadre_name(cid), id=cid)

    def _un(self, uid: str) -> str:
        return self.ix.unit_name(uid)

    # -- person-level ties ---------------------------------------------------------
    def ties(self, cadre: str) -> dict[str, list[Tie]]:
        """unit id -> the ties of inspector ``cadre`` to that unit (all units)."""
        hit = self._ties.get(cadre)
        if hit is not None:
            return hit
        out: dict[str, list[Tie]] = {}
        if cadre in self.ix.cadres or cadre in self.ix.posts_by_cadre:
            for t in self._employment(cadre):
                out.setdefault(t.unit, []).append(t)
            for t in self._kinship(cadre):
                out.setdefault(t.unit, []).append(t)
            for t in self._superior_subordinate(cadre):
                out.setdefault(t.unit, []).append(t)
        for t in self._manual_cadre(cadre):
            out.setdefault(t.unit, []).append(t)
        self._ties[cadre] = out
        return out

    def _employment(self, c: str) -> Iterable[Tie]:
        if not self.on("employment"):
            return
        g = self.policy.grounds["employment"]
        as_of = self.as_of
        window = years_before(as_of, g.recent_years)
        name = self._cn(c)
        for p in self.ix.posts_by_cadre.get(c, ()):
            if p.start is not None and p.start > as_of:
                continue  # a post that has not begun yet
            recent = p.end is None or p.end >= window
            long_ = False
            if g.long_years and p.start is not None:
                stop = min(p.end or as_of, as_of)
                long_ = years_after(p.start, g.long_years) <= stop
            if not (recent or long_):
                continue
            why = (later("conflict.recent", years=g.recent_years, since=window) if recent
                   else later("conflict.long", years=g.long_years))
            end_txt = p.end if p.end and p.end <= as_of else later("conflict.now")
            base = later("conflict.employment", cadre=name, unit=self._un(p.unit),
                       title=p.title or later("conflict.untitled"), start=p.start or "?", end=end_txt, why=why)
            yield Tie(p.unit, "employment", base, (f"cadre:{c}", f"unit:{p.unit}"),
                      p.start, p.end, window if recent else None,
                      "recent" if recent else "long")
        # A post in the inspected unit's superior unit 上级单位 counts too: a
        # tie from the superior to each of its subordinates, superior_levels deep.
        if g.superior_levels:
            for p in self.ix.posts_by_cadre.get(c, ()):
                if p.start is not None and p.start > as_of:
                    continue
                recent = p.end is None or p.end >= window
                long_ = False
                if g.long_years and p.start is not None:
                    long_ = years_after(p.start, g.long_years) <= min(p.end or as_of, as_of)
                if not (recent or long_):
                    continue
                frontier = [p.unit]
                chain = {p.unit: (f"unit:{p.unit}",)}
                for _ in range(g.superior_levels):
                    nxt = []
                    for sup in frontier:
                        for child in self._children.get(sup, ()):
                            if child in chain:
                                continue
                            chain[child] = chain[sup] + (f"unit:{child}",)
                            nxt.append(child)
                            why = (later("conflict.recent", years=g.recent_years, since=window) if recent
                                   else later("conflict.long", years=g.long_years))
                            end_txt = p.end if p.end and p.end <= as_of else later("conflict.now")
                            yield Tie(child, "employment",
                                      later("conflict.employment_superior", cadre=name, unit=self._un(child),
                                          superior=self._un(p.unit), title=p.title or later("conflict.untitled"),
                                          start=p.start or "?", end=end_txt, why=why),
                                      (f"cadre:{c}",) + chain[child], p.start, p.end,
                                      window if recent else None, "superior_unit")
                    frontier = nxt

    def _kinship(self, c: str) -> Iterable[Tie]:
        if not self.on("kinship"):
            return
        g = self.policy.grounds["kinship"]
        any_staff = set(g.any_staff_classes)
        as_of = self.as_of
        for k in self.ix.kinship.kin(c, self.kin_rules):
            for q in self.ix.posts_by_cadre.get(k.other, ()):
                if not q.current(as_of):
                    continue
                if not (self.lead(q) or k.klass in any_staff):
                    continue
                chain = ""
                if len(k.path) > 2:
                    chain = later("conflict.kin_chain", via=Later(join, [self._cn(x) for x in k.path[1:-1]]))
                text = later("conflict.kinship", cadre=self._cn(c), relation=Later(describe, k.steps), kin=self._cn(k.other),
                           chain=chain, unit=self._un(q.unit), title=q.title or later("conflict.untitled_staff"),
                           start=q.start or "?", klass=later(f"kin_class.{k.klass}"))
                yield Tie(q.unit, "kinship", text,
                          tuple(f"cadre:{x}" for x in k.path) + (f"unit:{q.unit}",),
                          q.start, q.end, None, f"{k.klass}:{k.steps}")

    def _superior_subordinate(self, c: str) -> Iterable[Tie]:
        if not self.on("superior_subordinate"):
            return
        g = self.policy.grounds["superior_subordinate"]
        as_of = self.as_of
        window = years_before(as_of, g.years)
        seen = set()
        for p in self.ix.posts_by_cadre.get(c, ()):
            if p.start is not None and p.start > as_of:
                continue
            if p.end is not None and p.end < window:
                continue
            # the same unit, and (leaders only) the unit's superior and subordinates
            cands: list[tuple[Post, str]] = [(q, "same") for q in self.ix.posts_by_unit.get(p.unit, ())]
            if self.lead(p):
                sup = self.ix.units.get(p.unit, {}).get("parent_id")
                if sup:
                    cands += [(q, "below") for q in self.ix.posts_by_unit.get(sup, ()) if self.lead(q)]
                for ch in self._children.get(p.unit, ()):
                    cands += [(q, "above") for q in self.ix.posts_by_unit.get(ch, ()) if self.lead(q)]
            for q, rel in cands:
                if q.cadre == c:
                    continue
                if rel == "same":
                    if not (self.lead(p) or self.lead(q)):
                        continue
                    if self.lead(p) and self.lead(q):
                        if not g.same_leadership_team:
                            continue
                        how, detail = later("conflict.same_leadership_team"), "same_leadership_team"
                    else:
                        how, detail = later("conflict.superior_subordinate"), "superior_subordinate"
                else:
                    how = later("conflict.superior_above" if rel == "above" else "conflict.superior_below")
                    detail = "superior_subordinate"
                s = max(p.start or "", q.start or "") or None
                e = min(x for x in (p.end, q.end, as_of) if x is not None)
                if s is not None and s > e:
                    continue
                if e < window:
                    continue
                for r in self.ix.posts_by_cadre.get(q.cadre, ()):
                    if not (self.lead(r) and r.current(as_of)):
                        continue
                    key = (r.unit, q.cadre, p.unit)
                    if key in seen:
                        continue
                    seen.add(key)
                    where = (self._un(p.unit) if rel == "same"
                             else later("conflict.both", a=self._un(p.unit), b=self._un(q.unit)))
                    text = later("conflict.worked_together", cadre=self._cn(c), unit=self._un(r.unit),
                               title=r.title or later("conflict.untitled_staff"), other=self._cn(q.cadre),
                               where=where, start=s or "?", end=e if e < as_of else later("conflict.now"),
                               how=how, years=g.years, since=window)
                    path = (f"cadre:{c}", f"unit:{p.unit}") + (
                        (f"unit:{q.unit}",) if q.unit != p.unit else ()) + (
                        f"cadre:{q.cadre}", f"unit:{r.unit}")
                    yield Tie(r.unit, "superior_subordinate", text, path, s, e, window, detail)

    def native_key(self, c: str) -> tuple[str, str] | None:
        """(native region, that region at the policy's level) of inspector ``c``."""
        if not self.on("native_place"):
            return None
        native = self.ix.cadres.get(c, {}).get("native_region_id")
        if not native:
            return None
        return native, self.ix.region_at(native, self.policy.grounds["native_place"].level)

    def native_units(self, key: str) -> list[str]:
        return self.ix.units_by_region_key(self.policy.grounds["native_place"].level).get(key, [])

    def unit_key(self, uid: str) -> str | None:
        r = self.ix.unit_region(uid)
        return self.ix.region_at(r, self.policy.grounds["native_place"].level) if r else None

    def _native_tie(self, c: str, native: str, key: str, uid: str) -> Tie:
        text = later("conflict.native_place", cadre=self._cn(c), native=self.ix.region_name(native),
                   unit=self._un(uid), region=self.ix.region_name(key))
        path = (f"cadre:{c}", f"region:{native}") + (
            (f"region:{key}",) if key != native else ()) + (f"unit:{uid}",)
        return Tie(uid, "native_place", text, path)

    def _manual_in_window(self, r: dict) -> bool:
        s, e = r.get("start"), r.get("end")
        return (not s or s <= self.as_of) and (not e or e >= self.as_of)

    def _manual_cadre(self, c: str) -> Iterable[Tie]:
        if not self.on("manual"):
            return
        for r in self.manual.by_cadre.get(c, ()):
            if not self._manual_in_window(r):
                continue
            u = r["unit_id"]
            yield Tie(u, "manual", later("conflict.manual", who=self._cn(c), unit=self._un(u),
                                       reason=r.get("reason") or later("conflict.no_reason")),
                      (f"cadre:{c}", f"unit:{u}"), r.get("start"), r.get("end"))

    # -- team-level grounds ------------------------------------------------------
    def team_ties(self, tid: str, units: Sequence[str] | None = None,
                  mode: str | None = None) -> dict[str, list[Tie]]:
        """unit id -> team-level ties (local, repeat, manual), restricted to ``units``."""
        out: dict[str, list[Tie]] = {}
        team = self.ix.teams.get(tid, {})
        home = team.get("home_region_id")
        tname = later("conflict.team", name=self.ix.team_name(tid), id=tid)
        us = set(units) if units is not None else None
        if self.on("local") and home and self.local_applies(mode) and self.is_local_team(tid):
            cands = (u for u in us if self.ix.contains(home, self.ix.unit_region(u))) if us is not None \
                else self.ix.units_within(home)
            for uid in cands:
                ur = self.ix.unit_region(uid)
                path = (f"team:{tid}", f"region:{home}") + (
                    (f"region:{ur}",) if ur != home else ()) + (f"unit:{uid}",)
                out.setdefault(uid, []).append(Tie(
                    uid, "local", later("conflict.local", team=tname, home=self.ix.region_name(home),
                                      unit=self._un(uid), region=self.ix.region_name(ur)), path))
        if self.on("repeat"):
            for uid, t in self._repeat(tid, us):
                out.setdefault(uid, []).append(t)
        if self.on("manual"):
            for r in self.manual.by_team.get(tid, ()):
                if self._manual_in_window(r) and (us is None or r["unit_id"] in us):
                    u = r["unit_id"]
                    out.setdefault(u, []).append(Tie(
                        u, "manual", later("conflict.manual", who=tname, unit=self._un(u),
                                         reason=r.get("reason") or later("conflict.no_reason")),
                        (f"team:{tid}", f"unit:{u}"), r.get("start"), r.get("end")))
        return out

    def _units_within(self, region: str | None) -> list[str]:
        return self.ix.units_within(region)

    def region_key(self, tid: str, level: str) -> str | None:
        """The team's home region, when the team sits at ``level`` (else None)."""
        home = self.ix.teams.get(tid, {}).get("home_region_id")
        if not home:
            return None
        if self.ix.region_level(home) != LEVEL_RANK[level]:
            return None
        return home

    def _repeat_tables(self):
        """(team -> [(unit, round)], region A -> [(region B, (round, team, unit))]) over
        the last K rounds; shared on the index by the rounds they cover."""
        if self._repeat_index is None:
            g = self.policy.grounds["repeat"]
            prev = tuple(self.ix.previous_rounds(self.round_id, self.as_of, g.rounds))
            cache = self.ix.__dict__.setdefault("_repeat_cache", {})
            key = (prev, g.level)
            hit = cache.get(key)
            if hit is None:
                prev_set = set(prev)
                tu: dict[tuple[str, str], str] = {}
                rr: dict[tuple[str, str], tuple[str, str, str]] = {}
                for r, t, u in self.ix.history:
                    if r not in prev_set:
                        continue
                    tu.setdefault((t, u), r)
                    a = self.region_key(t, g.level)
                    ur = self.ix.unit_region(u)
                    b = self.ix.region_at(ur, g.level) if ur else None
                    if a and b and a != b:
                        rr.setdefault((a, b), (r, t, u))
                by_team: dict[str, list[tuple[str, str]]] = {}
                for (t, u), r in sorted(tu.items()):
                    by_team.setdefault(t, []).append((u, r))
                by_a: dict[str, list[tuple[str, tuple]]] = {}
                for (a, b), ev in sorted(rr.items()):
                    by_a.setdefault(a, []).append((b, ev))
                hit = cache[key] = (by_team, by_a)
            self._repeat_index = hit
        return self._repeat_index

    def _repeat(self, tid: str, units: set | None = None) -> Iterable[tuple[str, Tie]]:
        g = self.policy.grounds["repeat"]
        by_team, by_a = self._repeat_tables()
        tname = later("conflict.team", name=self.ix.team_name(tid), id=tid)
        if g.team_unit:
            for u, r in by_team.get(tid, ()):
                if units is not None and u not in units:
                    continue
                rd = self.ix.rounds.get(r, {})
                yield u, Tie(u, "repeat", later("conflict.repeat", team=tname, rounds=g.rounds,
                                              round=rd.get("name") or r, unit=self._un(u)),
                             (f"team:{tid}", f"round:{r}", f"unit:{u}"), rd.get("start"), rd.get("end"),
                             None, "team_unit")
        a = self.region_key(tid, g.level) if g.region_region else None
        if not a:
            return
        in_region = self.ix.units_by_region_key(g.level)
        for b, (r, t2, u2) in by_a.get(a, ()):
            rd = self.ix.rounds.get(r, {})
            for uid in in_region.get(b, ()):
                if units is not None and uid not in units:
                    continue
                yield uid, Tie(uid, "repeat",
                               later("conflict.repeat_regions", region=self.ix.region_name(a), rounds=g.rounds,
                                   round=rd.get("name") or r, other_region=self.ix.region_name(b),
                                   team=self.ix.team_name(t2), unit=self._un(u2)), (f"team:{tid}", f"region:{a}", f"round:{r}",
                                                f"region:{b}", f"unit:{uid}"),
                               rd.get("start"), rd.get("end"), None, "region_region")

    # -- pairs ---------------------------------------------------------------------
    def _conflict(self, tid: str, uid: str, member: Member | None, tie: Tie) -> Conflict:
        g = self.policy.grounds[tie.ground]
        role = ""
        if member is not None:
            role = later(f"conflict.role.{member.role if member.role in ROLE_ZH else 'other'}")
        text = later("conflict.sentence", role=role, text=tie.text, note="")
        return Conflict(tie.ground, f"team:{tid}", f"unit:{uid}",
                        f"cadre:{member.cadre}" if member else None, text, list(tie.path),
                        g.mode, float(g.weight if g.mode == "soft" else 0.0), tie.start, tie.end,
                        tie.window_start, self.as_of, tie.detail, self.round_id)

    def _skip_native(self, tid: str, uid: str) -> bool:
        return self.policy.grounds["native_place"].except_local_team and self.team_is_local(tid, uid)

    def pair(self, tid: str, members: Sequence[Member], uid: str, mode: str | None = None) -> list[Conflict]:
        """Every conflict of team ``tid`` (with ``members``) inspecting unit ``uid``."""
        out = []
        skip_native = self._skip_native(tid, uid)
        ukey = self.unit_key(uid)
        for m in members:
            for tie in self.ties(m.cadre).get(uid, ()):
                out.append(self._conflict(tid, uid, m, tie))
            nk = self.native_key(m.cadre)
            if nk and not skip_native and ukey is not None and nk[1] == ukey:
                out.append(self._conflict(tid, uid, m, self._native_tie(m.cadre, nk[0], nk[1], uid)))
        for tie in self.team_ties(tid, [uid], mode).get(uid, ()):
            out.append(self._conflict(tid, uid, None, tie))
        return out

    def matrix(self, teams: Sequence[str], members: dict[str, Sequence[Member]],
               units: Sequence[str], progress=None) -> "ConflictMatrix":
        """Every pairwise conflict of ``teams`` × ``units`` as numpy matrices.

        Each inspector's ties to all units are computed once (posts, kin,
        native place are indexed), then scattered into a teams × units
        boolean ``hard`` matrix and a float ``penalty`` matrix.
        """
        import numpy as np

        ui = {u: i for i, u in enumerate(units)}
        nt, nu = len(teams), len(units)
        hard = np.zeros((nt, nu), dtype=bool)
        penalty = np.zeros((nt, nu), dtype=float)
        by_pair: dict[tuple[int, int], list[Conflict]] = {}
        rows_t, rows_u, rows_w, rows_h = [], [], [], []
        skip = self.policy.grounds["native_place"].except_local_team
        for ti, tid in enumerate(teams):
            home = self.ix.teams.get(tid, {}).get("home_region_id")
            local_units = (set(self._units_within(home)) if (skip and home and self.is_local_team(tid))
                           else set())
            for m in members.get(tid, ()):
                for uid, ties in self.ties(m.cadre).items():
                    j = ui.get(uid)
                    if j is None:
                        continue
                    for tie in ties:
                        by_pair.setdefault((ti, j), []).append(self._conflict(tid, uid, m, tie))
                nk = self.native_key(m.cadre)
                if nk:
                    for uid in self.native_units(nk[1]):
                        j = ui.get(uid)
                        if j is None or uid in local_units:
                            continue
                        by_pair.setdefault((ti, j), []).append(
                            self._conflict(tid, uid, m, self._native_tie(m.cadre, nk[0], nk[1], uid)))
            for uid, ties in self.team_ties(tid).items():
                j = ui.get(uid)
                if j is None:
                    continue
                for tie in ties:
                    by_pair.setdefault((ti, j), []).append(self._conflict(tid, uid, None, tie))
            if progress:
                progress(ti + 1, nt)
        for (ti, j), cs in by_pair.items():
            # a soft ground's weight is counted once per pair and ground
            seen_soft = set()
            for c in cs:
                if c.severity == "hard":
                    rows_t.append(ti); rows_u.append(j); rows_h.append(True); rows_w.append(0.0)
                elif c.severity == "soft" and c.ground not in seen_soft:
                    seen_soft.add(c.ground)
                    rows_t.append(ti); rows_u.append(j); rows_h.append(False); rows_w.append(c.weight)
        if rows_t:
            t_arr, u_arr = np.asarray(rows_t), np.asarray(rows_u)
            h_arr, w_arr = np.asarray(rows_h), np.asarray(rows_w)
            hard[t_arr[h_arr], u_arr[h_arr]] = True
            np.add.at(penalty, (t_arr[~h_arr], u_arr[~h_arr]), w_arr[~h_arr])
        return ConflictMatrix(list(teams), list(units), hard, penalty, by_pair)


@dataclass
class ConflictMatrix:
    """Pairwise conflicts of teams × units: ``hard[t, u]`` forbids the pair,
    ``penalty[t, u]`` is subtracted from its score; ``by_pair`` holds the
    evidence rows per (team index, unit index)."""

    teams: list[str]
    units: list[str]
    hard: "object"
    penalty: "object"
    by_pair: dict[tuple[int, int], list[Conflict]] = field(default_factory=dict)

    def conflicts(self) -> list[Conflict]:
        return [c for k in sorted(self.by_pair) for c in self.by_pair[k]]

    def grounds(self, ti: int, uj: int, hard_only: bool = True) -> list[str]:
        cs = self.by_pair.get((ti, uj), ())
        return list(dict.fromkeys(c.ground for c in cs if not hard_only or c.severity == "hard"))


def reciprocal_conflicts(checker: ConflictChecker, pairs: Sequence[tuple[str, str]]) -> list[Conflict]:
    """Region A inspects region B while B inspects A, within one set of pairs.

    ``pairs`` are (team_id, unit_id), raw ids; regions are the teams' home
    regions at the policy's level (teams at another level take no part) and
    the units' regions at that level.
    """
    if not checker.on("reciprocal"):
        return []
    g = checker.policy.grounds["reciprocal"]
    ix = checker.ix
    flows: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for t, u in pairs:
        a = checker.region_key(t, g.level)
        ur = ix.unit_region(u)
        b = ix.region_at(ur, g.level) if ur else None
        if a and b and a != b:
            flows.setdefault((a, b), []).append((t, u))
    out = []
    for (a, b), lst in sorted(flows.items()):
        back = flows.get((b, a))
        if not back:
            continue
        t2, u2 = back[0]
        for t, u in lst:
            text = later("conflict.reciprocal", region=ix.region_name(a), team=ix.team_name(t), team_id=t,
                       other_region=ix.region_name(b), unit=ix.unit_name(u), team2=ix.team_name(t2),
                       team2_id=t2, unit2=ix.unit_name(u2))
            text = later("conflict.sentence", role="", text=text, note="")
            out.append(Conflict("reciprocal", f"team:{t}", f"unit:{u}", None, text,
                                [f"team:{t}", f"region:{a}", f"region:{b}", f"unit:{u}", f"team:{t2}",
                                 f"unit:{u2}"], g.mode, float(g.weight if g.mode == "soft" else 0.0),
                                None, None, None, checker.as_of, f"{a}<->{b}", checker.round_id))
    return out


def check_pairs(checker: ConflictChecker, pairs: Sequence[tuple[str, str]],
                members: dict[str, Sequence[Member]], dates: dict | None = None,
                modes: dict | None = None) -> list[Conflict]:
    """Every conflict in a set of (team_id, unit_id) pairs (a round or a plan).

    ``dates`` and ``modes`` (optional, per pair) give a recorded assignment's
    own start and mode 方式: the pair is checked as of that date, and
    ``local`` follows that mode.
    """
    out = []
    for t, u in pairs:
        ch = checker.at((dates or {}).get((t, u)))
        out.extend(ch.pair(t, members.get(t, ()), u, (modes or {}).get((t, u))))
    out.extend(reciprocal_conflicts(checker, pairs))
    order = {g: i for i, g in enumerate(GROUNDS)}
    out.sort(key=lambda c: (c.team_id, c.unit_id, order.get(c.ground, 99), c.inspector_id or ""))
    return out


# -- the `conflicts` question as one call ------------------------------------------------

@dataclass
class PairSetup:
    """What is checked: the (team, unit) pairs, each pair's own date and mode
    (a recorded assignment), the round, the date and each team's members."""

    pairs: list[tuple[str, str]]
    round_id: str | None
    as_of: str | None  # as given (None: each assignment's start / the round's start)
    dates: dict | None = None
    modes: dict | None = None
    members: dict[str, list[Member]] = field(default_factory=dict)


def select_pairs(ix: PlanningIndex, round_id: str | None = None, plan: tuple | None = None,
                 teams: Sequence[str] = (), units: Sequence[str] = (),
                 as_of: str | None = None) -> PairSetup:
    """The pairs of a recorded round, a plan ``(rows, meta)`` or teams × units (raw ids)."""
    from .errors import PlanningError

    dates = modes = None
    if plan is not None:
        rows, meta = plan
        round_id = round_id or meta.get("round_id")
        as_of = as_of or meta.get("as_of")
        pairs = [(r["team_id"], r["unit_id"]) for r in rows]
    elif round_id and not teams:
        pairs = [(t, u) for r, t, u in ix.history if r == round_id]
        if not as_of:  # each recorded assignment as of its own start
            dates = {(t, u): ix.assignment[(round_id, t, u)].get("start") for t, u in pairs}
        modes = {(t, u): ix.assignment[(round_id, t, u)].get("mode") for t, u in pairs}
        if not pairs:
            raise PlanningError(f"round 轮次 {round_id} has no recorded assignments 巡察安排; "
                                "check a proposed plan with --plan FILE")
    else:
        if not teams or not units:
            raise PlanningError("teams 巡察组 and units 单位 go together (--team T --unit U)")
        pairs = [(t, u) for t in teams for u in units]
    return PairSetup(pairs, round_id, as_of, dates, modes)


def pair_members(ix: PlanningIndex, setup: PairSetup, plan_meta: dict | None = None) -> dict:
    """Each team's members: the plan's, else the round's, else its latest
    membership as of the check's date (raises for a team not in the graph)."""
    from .errors import PlanningError

    as_of = default_as_of(ix, setup.as_of, setup.round_id)
    plan_members = (plan_meta or {}).get("members") or {}
    members: dict[str, list[Member]] = {}
    for t in dict.fromkeys(t for t, _ in setup.pairs):
        if t not in ix.teams:
            raise PlanningError(f"team 巡察组 '{t}' is not in the workspace")
        if t in plan_members:  # the members the plan was made with
            members[t] = [Member(c, r) for c, r in plan_members[t]]
        elif setup.round_id and t in ix.members(setup.round_id):
            members[t] = ix.members(setup.round_id)[t]
        else:
            members[t] = ix.latest_members(t, as_of)[1]
    setup.members = members
    return members


@dataclass
class ConflictReport:
    """The answer of :func:`find_conflicts`: the conflicts, in report order, and
    what was checked (pairs, date, round, policy source)."""

    conflicts: list[Conflict]
    pairs: list[tuple[str, str]]
    as_of: str
    round_id: str | None
    policy_source: str

    @property
    def n_hard(self) -> int:
        return sum(1 for c in self.conflicts if c.severity == "hard")


def _ref(store, ref: str, kind: str) -> str:
    from .neighbourhood import resolve

    return resolve(store, ref, kind).partition(":")[2]


def find_conflicts(store, round_ref: str | None = None, plan: tuple | None = None,
                   team_refs: Sequence[str] = (), unit_refs: Sequence[str] = (),
                   as_of: str | None = None, policy: Policy | None = None,
                   manual: ManualRecusal | None = None, neighbourhood: bool = True) -> ConflictReport:
    """Every conflict of a recorded round, a plan ``(rows, meta)`` (from
    :func:`xuncha.planning.io.read_plan_doc`) or teams × units, as ``xuncha
    conflicts`` reports them.  Refs are ``kind:id``, bare ids or names
    (ids first: no name index is built for them).  The check reads only the
    pairs' neighbourhood (:mod:`.neighbourhood`); ``neighbourhood=False``
    indexes the whole graph instead (the same rows; tests compare the two).

    >>> find_conflicts(store, round_ref="R2024-1").n_hard      # doctest: +SKIP
    3
    """
    from .neighbourhood import conflict_subgraph

    round_id = _ref(store, round_ref, "round") if round_ref else None
    teams = [_ref(store, t, "team") for t in team_refs]
    units = [_ref(store, u, "unit") for u in unit_refs]
    source = store  # merges and provenance are read from the whole store
    if neighbourhood:  # only what the pairs touch, fetched node by node
        store = conflict_subgraph(store, round_id, plan, teams, units, as_of, policy)
    ix = PlanningIndex(store, policy)
    setup = select_pairs(ix, round_id, plan, teams, units, as_of)
    pair_members(ix, setup, plan[1] if plan is not None else None)
    checker = ConflictChecker(ix, setup.as_of, setup.round_id, ix.policy, manual)
    found = check_pairs(checker, setup.pairs, setup.members, setup.dates, setup.modes)
    from ..identity.merge import annotate_conflicts  # hook: evidence through merged identities

    annotate_conflicts(source, found)
    return ConflictReport(found, setup.pairs, checker.as_of, setup.round_id, ix.policy.source)
