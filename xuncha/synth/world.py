"""The synthetic world: regions, units, people, careers, inspections, findings.

:func:`build_world` returns a :class:`World` whose ``rows`` hold every ledger
as plain dicts keyed by the ledger's field names, with canonical codes, ISO
dates, booleans and lists (the writer turns them into cells).  Plain Python on
purpose: a province is about two million rows, and this must stay fast.

Invariants (the tests check them through the real loader):
- deterministic: every random draw comes from ``random.Random`` streams seeded
  by ``f"{seed}:{stream}"`` (string seeds hash with SHA-512, so no dependence
  on ``PYTHONHASHSEED``); nothing iterates over a set or an unordered dict;
- valid: every reference names a row that exists; dates are in order
  (``start <= end``, transfer <= case filed / closed) and never after
  :data:`~xuncha.synth.model.AS_OF`; subcategories sit under their category;
- one principal (一把手) per unit at any date; a person's posts do not overlap
  except declared secondments (挂职);
- an issue is *rectified* when all its actions are completed, closed or
  long-term; once a unit's issue of a subcategory is rectified, later ordinary
  visits to that unit avoid the subcategory (so recurrences are rare, and the
  planted ones stand out); no ordinary round has one subcategory at the
  share of units that defines a common problem (see :mod:`.truth`).
"""

from __future__ import annotations

import bisect
import datetime as _dt
import heapq
import math
import random
from collections import deque
from dataclasses import dataclass, field
from typing import Callable

from .. import taxonomy
from . import model as M
from .names import NamePool, id_check
from .regions import Region, RegionTree

Progress = Callable[[str, float], None]

_EPOCH = _dt.date(1, 1, 1)
AS_OF = _dt.date.fromisoformat(M.AS_OF).toordinal()
YEAR = 365


def ordinal(y: int, m: int = 1, d: int = 1) -> int:
    return _dt.date(y, m, d).toordinal()


class _Iso(dict):
    """ordinal -> ISO date string, memoised."""

    def __missing__(self, key: int) -> str:
        v = _dt.date.fromordinal(key).isoformat()
        self[key] = v
        return v


ISO = _Iso()


def _rng(seed: int, stream: str) -> random.Random:
    return random.Random(f"{seed}:{stream}")


def _weighted(rng: random.Random, pairs) -> str:
    codes = [c for c, _ in pairs]
    weights = [w for _, w in pairs]
    return rng.choices(codes, weights=weights, k=1)[0]


@dataclass
class Unit:
    idx: int
    id: str
    name: str
    kind: str
    level: str
    region: Region
    jur: str  # committee region id whose rounds cover this unit
    county: str | None  # county code (None for city/province-level units)
    parent: str | None
    sector: str
    office: bool = False
    # (start, end, cadre idx, role) of every post, sorted by start
    holders: list = field(default_factory=list)
    principals: list = field(default_factory=list)  # (start, end, cadre idx)

    def principal_at(self, day: int) -> int | None:
        for s, e, c in self.principals:
            if s <= day and (e is None or day <= e):
                return c
        return None

    def holders_at(self, day: int) -> list[tuple[int, str]]:
        return [(c, role) for s, e, c, role in self.holders
                if s <= day and (e is None or day <= e)]


@dataclass
class Jurisdiction:
    """A Party committee that sends inspection teams: a county, city or province."""

    region: Region
    office: Unit | None = None
    units: list[Unit] = field(default_factory=list)  # inspectable units
    teams: list[str] = field(default_factory=list)
    leader_pool: list[int] = field(default_factory=list)
    talent_pool: list[int] = field(default_factory=list)


@dataclass
class World:
    seed: int
    scale: M.Scale
    tree: RegionTree = field(default_factory=RegionTree)
    units: list[Unit] = field(default_factory=list)
    unit_by_id: dict[str, Unit] = field(default_factory=dict)
    jurs: dict[str, Jurisdiction] = field(default_factory=dict)
    # cadres: parallel lists indexed by cadre idx
    c_name: list[str] = field(default_factory=list)
    c_male: list[bool] = field(default_factory=list)
    c_birth: list[int] = field(default_factory=list)
    c_native: list[str] = field(default_factory=list)
    c_rank: list[str] = field(default_factory=list)
    c_pools: list[list[str]] = field(default_factory=list)
    c_spec: list[list[str]] = field(default_factory=list)
    c_jur: list[str] = field(default_factory=list)
    c_posts: list[list] = field(default_factory=list)  # [(start, end, unit idx, role)]
    positions: list[dict] = field(default_factory=list)
    relations: list[dict] = field(default_factory=list)
    rel_pairs: set = field(default_factory=set)  # frozen (a, b) pairs already related
    rounds: list[dict] = field(default_factory=list)
    round_by_id: dict[str, dict] = field(default_factory=dict)
    teams: list[dict] = field(default_factory=list)
    team_home: dict[str, str] = field(default_factory=dict)
    team_members: list[dict] = field(default_factory=list)
    assignments: list[dict] = field(default_factory=list)
    issues: list[dict] = field(default_factory=list)
    leads: list[dict] = field(default_factory=list)
    actions: list[dict] = field(default_factory=list)
    # planting records, turned into truth.json by truth.py
    planted: dict[str, list] = field(default_factory=dict)
    near_misses: list[dict] = field(default_factory=list)
    # internal indexes
    issue_rectified: list[bool] = field(default_factory=list)
    issue_unit: list[int] = field(default_factory=list)
    unit_visits: dict[int, list] = field(default_factory=dict)  # unit idx -> [(round, start)]

    def cid(self, idx: int) -> str:
        return f"C{idx + 1:07d}"

    # -- rows ---------------------------------------------------------------
    def ledger_rows(self) -> dict[str, list[dict]]:
        regions = [{"id": r.id, "name": r.name, "level": r.level, "parent_id": r.parent_id}
                   for r in self.tree.regions]
        units = [{"id": u.id, "name": u.name, "kind": u.kind, "level": u.level,
                  "region_id": u.region.id, "parent_id": u.parent, "sector": u.sector}
                 for u in self.units]
        cadres = []
        for i in range(len(self.c_name)):
            b = _dt.date.fromordinal(self.c_birth[i])
            nat = self.c_native[i]
            seq = (i * 7919) % 500 * 2 + (1 if self.c_male[i] else 0)
            first17 = f"{nat}{b:%Y%m%d}{seq:03d}"
            cadres.append({
                "id": self.cid(i), "name": self.c_name[i],
                "gender": "male" if self.c_male[i] else "female",
                "birth_date": f"{b:%Y-%m}", "native_region_id": nat,
                "id_number": first17 + id_check(first17), "rank": self.c_rank[i] or None,
                "specialties": self.c_spec[i], "pools": self.c_pools[i],
            })
        return {
            "regions": regions, "units": units, "cadres": cadres,
            "positions": self.positions, "relations": self.relations,
            "rounds": self.rounds, "teams": self.teams, "team_members": self.team_members,
            "assignments": self.assignments, "issues": self.issues, "leads": self.leads,
            "actions": self.actions,
        }


SECTORS = {
    "party_committee": "党群", "government_department": "政府", "public_institution": "事业",
    "state_enterprise": "国企", "township": "乡镇", "village": "村社区", "court": "政法",
    "procuratorate": "政法", "public_security": "政法", "school": "教育", "hospital": "卫健",
    "other": "群团",
}
SPECIALTIES = ("财务", "审计", "法律", "纪检监察", "组织人事", "工程建设", "农业农村")


class Builder:
    def __init__(self, seed: int, scale: M.Scale, progress: Progress | None = None):
        self.seed = seed
        self.w = World(seed, scale)
        self.progress = progress or (lambda step, frac: None)

    def rng(self, stream: str) -> random.Random:
        return _rng(self.seed, stream)

    # -- places and units ----------------------------------------------------
    def build_places(self) -> None:
        w, sc = self.w, self.w.scale
        rng = self.rng("regions")
        taken: set[str] = set()
        prov = w.tree.province()
        if sc.province_units:
            self.add_jurisdiction_units(prov, sc.province_units, rng)
        cities = w.tree.cities(rng, prov, sc.cities, taken)
        if sc.active_counties == -1:
            per_county = self._county_budget(sc)
        for ci, city in enumerate(cities):
            city.full = city.name
            counties = w.tree.counties(rng, city, sc.counties, taken)
            self.add_jurisdiction_units(city, sc.city_units, rng)
            for k, county in enumerate(counties):
                if sc.active_counties == -1:
                    budget = per_county[ci * sc.counties + k]
                elif ci == 0 and k < sc.active_counties:
                    # county scale: the office units of the other committees count too
                    budget = sc.units - (sc.cities * (sc.counties + 1) - sc.active_counties)
                else:
                    budget = 1  # an inspection office only (its teams inspect elsewhere)
                self.add_county_units(county, budget, rng)

    def _county_budget(self, sc: M.Scale) -> list[int]:
        n = sc.cities * sc.counties
        rest = sc.units - sc.province_units - sc.cities * sc.city_units
        base, extra = divmod(max(rest, n * 5), n)
        return [base + (1 if i < extra else 0) for i in range(n)]

    def _jur(self, region: Region) -> Jurisdiction:
        j = self.w.jurs.get(region.id)
        if j is None:
            j = self.w.jurs[region.id] = Jurisdiction(region)
        return j

    def _committee(self, region: Region) -> str:
        return region.full + "委" if region.level != "province" else "中共" + region.name + "委员会"

    def _new_unit(self, kind, name, level, region, jur, parent, office=False) -> Unit:
        w = self.w
        u = Unit(len(w.units), f"U{len(w.units) + 1:06d}", name, kind, level, region, jur.region.id,
                 region.county_code(), parent, SECTORS[kind], office)
        w.units.append(u)
        w.unit_by_id[u.id] = u
        if office:
            jur.office = u
        else:
            jur.units.append(u)
        return u

    def _add_templates(self, region: Region, n_depts: int, level: str) -> None:
        jur = self._jur(region)
        c = self._committee(region)
        fmt = {"r": region.full, "c": c}
        self._new_unit(M.OFFICE[0], M.OFFICE[1].format(**fmt), level, region, jur, None, True)
        by_name: dict[str, str] = {}
        chosen = M.DEPT_TEMPLATES[:n_depts]
        names = [t[1].format(**fmt) for t in chosen]
        for (kind, pat, parent), name in zip(chosen, names):
            by_name[name] = ""
        made: dict[str, Unit] = {}
        for (kind, pat, parent), name in zip(chosen, names):
            if level == "city" and kind == "court":
                name = name.replace("人民法院", "中级人民法院")
            pname = parent.format(**fmt) if parent else None
            pid = made[pname].id if pname in made else None
            made[name] = self._new_unit(kind, name, level, region, jur, pid)
        # parents listed after their children in the template: link them now
        for (kind, pat, parent), name in zip(chosen, names):
            if parent and name in made and made[name].parent is None:
                pname = parent.format(**fmt)
                if pname in made:
                    made[name].parent = made[pname].id

    def add_jurisdiction_units(self, region: Region, n: int, rng) -> None:
        """City- or province-level units (an office plus departments)."""
        if n <= 0:
            self._add_templates(region, 0, region.level)
            return
        self._add_templates(region, min(n - 1, len(M.DEPT_TEMPLATES)), region.level)

    def add_county_units(self, county: Region, budget: int, rng) -> None:
        if budget <= 1:
            self._add_templates(county, 0, "county")
            return
        n_depts = min(len(M.DEPT_TEMPLATES), max(3, round(budget * M.DEPT_SHARE)))
        n_towns = max(1, round(budget * M.TOWNSHIP_SHARE))
        n_vill = max(0, budget - 1 - n_depts - n_towns)
        if n_vill < n_towns and budget > 20:
            n_depts = max(3, budget - 1 - n_towns * 2)
            n_vill = budget - 1 - n_depts - n_towns
        self._add_templates(county, n_depts, "county")
        jur = self._jur(county)
        towns = self.w.tree.townships(rng, county, n_towns)
        # villages spread over townships
        per = [n_vill // n_towns + (1 if i < n_vill % n_towns else 0) for i in range(n_towns)]
        for t, nv in zip(towns, per):
            tu = self._new_unit("township", t.full, "township", t, jur, None)
            for v in self.w.tree.villages(rng, t, nv):
                self._new_unit("village", v.full, "village", v, jur, tu.id)

    # -- people and careers --------------------------------------------------
    def _new_cadre(self, rng, names: NamePool, role: str, start: int, unit: Unit) -> int:
        w = self.w
        i = len(w.c_name)
        male = rng.random() < {"principal": 0.82, "deputy": 0.7, "staff": 0.55}[role]
        age = {"principal": (40, 52), "deputy": (34, 48), "staff": (23, 40)}[role]
        birth = start - rng.randint(age[0] * YEAR, age[1] * YEAR)
        w.c_name.append(names.person(male))
        w.c_male.append(male)
        w.c_birth.append(birth)
        w.c_native.append(self._native_for(rng, unit))
        w.c_rank.append("")
        w.c_pools.append([])
        w.c_spec.append([])
        w.c_jur.append(unit.jur)
        w.c_posts.append([])
        return i

    def _native_for(self, rng, unit: Unit) -> str:
        if rng.random() < 0.62:
            if unit.county:
                return unit.county
            kids = [r for r in self.w.tree.by_id[unit.region.id].children if r.level == "county"]
            if kids:
                return rng.choice(kids).id
        return rng.choice(self._all_counties)

    def build_careers(self) -> None:
        w = self.w
        rng = self.rng("careers")
        names = NamePool(self.rng("names"))
        self._all_counties = [r.id for r in w.tree.regions if r.level == "county"]
        jur_ids = list(w.jurs)
        for n, jid in enumerate(jur_ids):
            jur = w.jurs[jid]
            units = ([jur.office] if jur.office else []) + jur.units
            tenures = []
            for u in units:
                if u.office:
                    deps, staff = 3, 10
                else:
                    deps, staff = M.SLOTS.get(u.kind, M.SLOTS["default"])
                slots = [("principal", 0)] + [("deputy", k) for k in range(deps)] + \
                        [("staff", k) for k in range(staff)]
                for role, k in slots:
                    lo, hi = M.TENURE[role]
                    dur = rng.randint(lo * YEAR, hi * YEAR)
                    s = ordinal(2012) - rng.randint(0, dur - 200)
                    while s <= AS_OF:
                        e = s + dur
                        tenures.append((s, u.idx, role, k, None if e > AS_OF else e))
                        s = e + rng.randint(1, 45)
                        dur = rng.randint(lo * YEAR, hi * YEAR)
            tenures.sort()
            pending: list = []  # heap of (available from, seq, cadre, role, from unit idx)
            avail = {"principal": deque(), "deputy": deque(), "staff": deque()}
            seq = 0
            for s, uidx, role, k, e in tenures:
                u = w.units[uidx]
                while pending and pending[0][0] <= s:
                    d, _, c, r2, fu = heapq.heappop(pending)
                    avail[r2].append((d, c, fu))
                q = avail[role]
                while q and q[0][0] < s - 200:
                    q.popleft()  # waited too long: retired or left the jurisdiction
                cadre = None
                if u.kind != "village" and q:
                    for j in range(min(3, len(q))):
                        if q[j][2] != uidx:
                            cadre = q[j][1]
                            del q[j]
                            break
                if cadre is None:
                    cadre = self._new_cadre(rng, names, role, s, u)
                self._post(u, cadre, role, k, s, e)
                if e is not None and u.kind != "village":
                    p, nexts = M.MOVE[role]
                    if rng.random() < p:
                        seq += 1
                        heapq.heappush(pending, (e + 1, seq, cadre, _weighted(rng, nexts), uidx))
            self.progress("careers 任职经历", (n + 1) / len(jur_ids))
        for u in w.units:
            u.holders.sort(key=lambda h: (h[0], h[2]))
            u.principals.sort()

    def _post(self, u: Unit, cadre: int, role: str, k: int, s: int, e: int | None,
              title: str | None = None, principal: bool | None = None) -> None:
        w = self.w
        if title is None:
            t = M.TITLES[u.kind]
            title = {"principal": t[0], "deputy": t[1], "staff": t[2]}[role]
            if role == "principal" and u.kind == "party_committee":
                title = "主任" if u.name.endswith(("办公室", "委员会")) else "部长"
                if u.office:
                    title = "主任"
            if role == "deputy" and u.kind == "party_committee":
                title = "副" + ("主任" if u.name.endswith(("办公室", "委员会")) or u.office else "部长")
            if u.kind == "government_department" and u.name.endswith(("委员会", "办公室")):
                title = {"principal": "主任", "deputy": "副主任"}.get(role, title)
            if u.kind == "township" and role == "deputy" and k == 0:
                title = "乡长" if u.name.endswith("乡") else ("主任" if u.name.endswith("街道") else "镇长")
            if u.kind == "township" and role == "deputy" and u.name.endswith("街道") and k > 0:
                title = "副主任"
        rank = M.RANKS[u.level][{"principal": 0, "deputy": 1, "staff": 2}[role]]
        is_principal = role == "principal" if principal is None else principal
        w.positions.append({"cadre_id": w.cid(cadre), "unit_id": u.id, "title": title,
                            "rank": rank or None, "is_principal": is_principal,
                            "start": ISO[s], "end": ISO[e] if e is not None else None})
        w.c_posts[cadre].append((s, e, u.idx, role))
        if rank:
            w.c_rank[cadre] = rank
        u.holders.append((s, e, cadre, role))
        if is_principal:
            u.principals.append((s, e, cadre))

    # -- relations -----------------------------------------------------------
    def relate(self, a: int, b: int, kind: str, note: str | None = None) -> bool:
        w = self.w
        if a == b:
            return False
        key = (a, b) if a < b else (b, a)
        if key in w.rel_pairs:
            return False
        w.rel_pairs.add(key)
        w.relations.append({"cadre_id": w.cid(a), "other_id": w.cid(b), "kind": kind,
                            "note": note})
        return True

    def build_relations(self) -> None:
        w = self.w
        rng = self.rng("relations")
        by_jur: dict[str, list[int]] = {}
        for i, j in enumerate(w.c_jur):
            by_jur.setdefault(j, []).append(i)
        for jid in w.jurs:
            people = by_jur.get(jid, [])
            if len(people) < 4:
                continue
            for _ in range(int(len(people) * 0.07)):  # family ties
                a, b = rng.sample(people, 2)
                age = abs(w.c_birth[a] - w.c_birth[b]) / YEAR
                if w.c_male[a] != w.c_male[b] and age <= 8:
                    kind = "spouse"
                elif 20 <= age <= 38:
                    kind = "parent"
                    if w.c_birth[a] < w.c_birth[b]:
                        a, b = b, a  # a is the younger: b is a's parent
                elif age <= 12:
                    kind = rng.choice(("sibling", "sibling", "collateral", "in_law"))
                else:
                    kind = "in_law"
                if kind in ("sibling", "parent", "collateral") and w.c_male[b]:
                    # blood kin through the father share the surname
                    w.c_name[a] = _surname(w.c_name[b]) + w.c_name[a][len(_surname(w.c_name[a])):]
                self.relate(a, b, kind)
            for _ in range(int(len(people) * 0.03)):  # colleagues at one unit
                u = w.units[w.c_posts[rng.choice(people)][0][2]]
                if len(u.holders) < 2:
                    continue
                h1, h2 = rng.sample(u.holders, 2)
                if h1[2] != h2[2] and _overlap(h1[0], h1[1], h2[0], h2[1]):
                    self.relate(h1[2], h2[2], "colleague", f"曾同在{u.name}工作")
            for _ in range(int(len(people) * 0.015)):
                a, b = rng.sample(people, 2)
                kind = rng.choice(("classmate", "fellow_townsman", "business", "other"))
                if kind == "fellow_townsman" and w.c_native[a] != w.c_native[b]:
                    kind = "classmate"
                self.relate(a, b, kind)
        self.progress("relations 社会关系", 1.0)

    # -- teams, pools, rounds ------------------------------------------------
    def build_teams(self) -> None:
        w = self.w
        rng = self.rng("teams")
        for jid, jur in w.jurs.items():
            region = jur.region
            n_ins = len(jur.units)
            per_round = n_ins / 10 if n_ins else 0
            n_teams = max(2, min(15, math.ceil(per_round / 2.6)))
            if region.level == "province":
                n_teams = max(n_teams, 4)
            ordinal_zh = "一二三四五六七八九十"
            for t in range(n_teams):
                tid = f"T{region.id}-{t + 1:02d}"
                zh = ordinal_zh[t] if t < 10 else "十" + ordinal_zh[t - 10]
                w.teams.append({"id": tid, "name": f"{self._committee(region)}第{zh}巡察组",
                                "level": region.level if region.level != "township" else "county",
                                "home_region_id": region.id, "capacity": 3})
                w.team_home[tid] = region.id
                jur.teams.append(tid)
            # pools: people in post across 2018-2024 in this jurisdiction (first
            # choice), else anyone in post at some time in those years
            lo, hi = ordinal(2017, 6), ordinal(2024, 6)
            span: tuple[list, list] = ([], [])
            some: tuple[list, list] = ([], [])
            seen = set()
            units = ([jur.office] if jur.office else []) + [u for u in jur.units if u.kind != "village"]
            for u in units:
                for s, e, c, role in u.holders:
                    if c in seen:
                        continue
                    posts = w.c_posts[c]
                    first, last = posts[0][0], posts[-1][1]
                    lead = role in ("principal", "deputy")
                    if first <= lo and (last is None or last >= hi):
                        seen.add(c)
                        span[0 if lead else 1].append(c)
                    elif first <= ordinal(2024, 12) and (last is None or last >= ordinal(2018)):
                        seen.add(c)
                        some[0 if lead else 1].append(c)
            for lst in span + some:
                rng.shuffle(lst)
            leaders = span[0] + some[0]
            talents = span[1] + some[1]
            jur.leader_pool = sorted(leaders[:n_teams * 3])
            jur.talent_pool = sorted(talents[:n_teams * 9])
            for c in jur.leader_pool:
                w.c_pools[c] = ["巡察组长库"]
            for c in jur.talent_pool:
                w.c_pools[c] = ["巡察人才库"]
            for c in jur.leader_pool + jur.talent_pool:
                w.c_spec[c] = sorted(rng.sample(SPECIALTIES, rng.randint(1, 2)))

    def _staff_team(self, rng, rid: str, tid: str, used: set) -> list[int]:
        """Members of team ``tid`` for round ``rid``: leader, deputy, 2-4 members."""
        w = self.w
        jur = w.jurs[w.team_home[tid]]
        leaders = [c for c in jur.leader_pool if c not in used]
        talents = [c for c in jur.talent_pool if c not in used]
        if not leaders:
            leaders = talents
        members = []
        if leaders:
            lead = rng.choice(leaders)
            members.append((lead, "leader"))
            used.add(lead)
        pool = [c for c in (leaders + talents) if c not in used]
        dep = rng.choice(pool) if pool else None
        if dep is not None:
            members.append((dep, "deputy"))
            used.add(dep)
        pool = [c for c in talents if c not in used]
        for c in rng.sample(pool, min(len(pool), rng.randint(2, 4))):
            members.append((c, "member"))
            used.add(c)
        for c, role in members:
            w.team_members.append({"round_id": rid, "team_id": tid, "cadre_id": w.cid(c),
                                   "role": role})
        return [c for c, _ in members]

    def _round(self, region: Region, year: int, n: int, kind: str, month: int, rng,
               topic: str | None = None) -> dict:
        days = rng.randint(*M.ROUND_DAYS[kind])
        start = ordinal(year, month, 1) + rng.randint(0, 14)
        end = min(start + days, AS_OF - 30)
        suffix = {"regular": "", "special": f"（{topic}）" if topic else "（专项）",
                  "mobile": "（机动式巡察）", "lookback": "（巡察整改“回头看”）",
                  "upgraded": "（提级巡察）", "cross": "（交叉巡察）", "linked": "（上下联动巡察）"}[kind]
        r = {"id": f"R{region.id}-{year}-x{n}{kind}",
             "name": f"{self._committee(region)}{year}年第{{n}}轮巡察{suffix}",
             "committee_region_id": region.id, "level": region.level, "kind": kind,
             "topic": topic, "start": ISO[start], "end": ISO[end],
             "_start": start, "_end": end, "_visits": []}
        # Provisional ids must be unique: two rounds sharing one (as the October
        # regular round and the linked round once did) merge their teams'
        # members into duplicate team_members rows.
        if r["id"] in self.w.round_by_id:
            raise AssertionError(f"duplicate provisional round id {r['id']}")
        self.w.rounds.append(r)
        self.w.round_by_id[r["id"]] = r
        return r

    def _assign(self, r: dict, tid: str, units: list[Unit], mode: str) -> None:
        for u in units:
            self.w.assignments.append({"round_id": r["id"], "team_id": tid, "unit_id": u.id,
                                       "mode": mode, "start": r["start"], "end": r["end"]})
            r["_visits"].append((tid, u.idx, mode))
            self.w.unit_visits.setdefault(u.idx, []).append(r["_start"])

    def _run_round(self, r: dict, plan: list[tuple[str, list[Unit], str]], rng) -> None:
        used: set = set()
        for tid, units, mode in plan:
            if units:
                self._staff_team(rng, r["id"], tid, used)
                self._assign(r, tid, units, mode)

    def _split(self, units: list[Unit], teams: list[str], rng, per=(2, 3)) -> list:
        plan, i = [], 0
        k = 0
        while i < len(units):
            n = rng.randint(*per)
            tid = teams[k % len(teams)]
            plan.append((tid, units[i:i + n], None))
            i += n
            k += 1
        # merge plan entries per team (a team may take a 2nd batch if too few teams)
        merged: dict[str, list] = {}
        for tid, us, _ in plan:
            merged.setdefault(tid, []).extend(us)
        return [(tid, us) for tid, us in merged.items()]

    def build_rounds(self) -> None:
        w = self.w
        rng = self.rng("rounds")
        jur_list = list(w.jurs.values())
        for jur in jur_list:
            if not jur.units:
                continue
            region = jur.region
            units = list(jur.units)
            term1 = units[:]
            rng.shuffle(term1)
            term2 = units[:]
            rng.shuffle(term2)
            chunks1 = _chunks(term1, 10)
            chunks2 = _chunks(term2, 10)
            reg = 0
            inspected_at: dict[int, int] = {}
            for year in range(M.FIRST_YEAR, M.LAST_YEAR + 1):
                n = 0
                # regular rounds: spring and autumn
                for month in (3, 10):
                    n += 1
                    chunk = chunks1[reg] if reg < 10 else chunks2[reg - 10]
                    reg += 1
                    r = self._round(region, year, n if month == 3 else n + 2, "regular", month, rng)
                    plan = [(t, us, "local") for t, us in self._split(chunk, jur.teams, rng)]
                    self._run_round(r, plan, rng)
                    for u in chunk:
                        inspected_at[u.idx] = r["_start"]
                # special (odd years) in May, mobile sometimes in May/June
                if year % 2 == 1:
                    title, subs, kinds = rng.choice(M.SPECIAL_TOPICS)
                    cand = [u for u in units if u.kind in kinds]
                    if len(cand) >= 3:
                        k = min(len(cand), rng.randint(3, max(3, len(jur.teams) * 3)))
                        chosen = sorted(rng.sample(cand, k), key=lambda u: u.idx)
                        r = self._round(region, year, 2, "special", 5, rng, title)
                        r["_topic_subs"] = subs
                        self._run_round(r, [(t, us, "local") for t, us in
                                            self._split(chosen, jur.teams, rng)], rng)
                elif rng.random() < 0.5 and len(units) >= 3:
                    chosen = sorted(rng.sample(units, min(len(units), rng.randint(2, 4))),
                                    key=lambda u: u.idx)
                    r = self._round(region, year, 2, "mobile", 6, rng)
                    self._run_round(r, [(jur.teams[0], chosen, "local")], rng)
                # look-back in even years from 2020, December
                if year % 2 == 0 and year >= 2020:
                    done = [u for u in units if u.idx in inspected_at
                            and inspected_at[u.idx] < ordinal(year - 1, 6)]
                    if len(done) >= 2:
                        k = max(2, min(len(done), round(len(done) * 0.12)))
                        chosen = sorted(rng.sample(done, k), key=lambda u: u.idx)
                        r = self._round(region, year, 5, "lookback", 12, rng)
                        self._run_round(r, [(t, us, "local") for t, us in
                                            self._split(chosen, jur.teams, rng)], rng)
            self.progress("rounds 巡察轮次", 0.5)
        # city-commissioned rounds: cross, upgraded, linked (August)
        for jur in jur_list:
            if jur.region.level != "city":
                continue
            city = jur.region
            cjurs = [w.jurs[r.id] for r in city.children if r.id in w.jurs]
            with_units = [j for j in cjurs if j.units]
            if not with_units:
                continue
            for year in range(M.FIRST_YEAR, M.LAST_YEAR + 1):
                if year % 2 == 1 and len(cjurs) >= 3:  # cross, rotating 推磨式
                    r = self._round(city, year, 3, "cross", 8, rng)
                    shift = 1 + (year // 2) % (len(cjurs) - 2) if len(cjurs) > 3 else 1
                    plan = []
                    for i, src in enumerate(cjurs):
                        dst = cjurs[(i + shift) % len(cjurs)]
                        if not dst.units:
                            continue
                        cand = [u for u in dst.units if u.kind != "village"]
                        k = min(len(cand), rng.randint(2, 3))
                        plan.append((src.teams[0], sorted(rng.sample(cand, k), key=lambda u: u.idx),
                                     "cross"))
                    self._run_round(r, plan, rng)
                elif year % 2 == 0:  # upgraded: city teams inspect county units
                    r = self._round(city, year, 3, "upgraded", 8, rng)
                    plan = []
                    for t in jur.teams[:max(2, len(jur.teams) // 2)]:
                        dst = rng.choice(with_units)
                        k = min(len(dst.units), rng.randint(2, 3))
                        plan.append((t, sorted(rng.sample(dst.units, k), key=lambda u: u.idx),
                                     "upgraded"))
                    self._run_round(r, plan, rng)
                if year in (2021, 2023):  # linked: same kind of unit at both levels
                    title, subs, kinds = M.SPECIAL_TOPICS[1 if year == 2021 else 2]
                    r = self._round(city, year, 4, "linked", 9, rng, title.replace("专项巡察", "联动巡察"))
                    r["_topic_subs"] = subs
                    plan = []
                    mine = [u for u in jur.units if u.kind in kinds]
                    if mine:
                        plan.append((jur.teams[0], rng.sample(mine, min(2, len(mine))), "joint"))
                    for j in with_units:
                        cand = [u for u in j.units if u.kind in kinds and u.kind != "village"]
                        if cand:
                            plan.append((j.teams[-1], sorted(rng.sample(cand, min(2, len(cand))),
                                                             key=lambda u: u.idx), "joint"))
                    self._run_round(r, plan, rng)
        w.rounds.sort(key=lambda r: (r["_start"], r["id"]))
        # number each committee's rounds of a year in date order: R<region>-<year>-<n>
        seq: dict[tuple[str, str], int] = {}
        new_id: dict[str, str] = {}
        for r in w.rounds:
            key = (r["committee_region_id"], r["start"][:4])
            n = seq[key] = seq.get(key, 0) + 1
            new_id[r["id"]] = f"R{key[0]}-{key[1]}-{n}"
            r["id"] = new_id[r["id"]]
            r["name"] = r["name"].format(n="一二三四五六七八九十"[n - 1] if n <= 10 else str(n))
        w.round_by_id = {r["id"]: r for r in w.rounds}
        for row in w.assignments:
            row["round_id"] = new_id[row["round_id"]]
        for row in w.team_members:
            row["round_id"] = new_id[row["round_id"]]
        self.progress("rounds 巡察轮次", 1.0)


def _surname(name: str) -> str:
    return name[:2] if name[:2] in ("欧阳", "司马", "诸葛", "上官") else name[:1]


def _overlap(s1, e1, s2, e2) -> bool:
    return s1 <= (e2 if e2 is not None else AS_OF) and s2 <= (e1 if e1 is not None else AS_OF)


def _chunks(items: list, n: int) -> list[list]:
    size = len(items) / n
    return [items[round(i * size):round((i + 1) * size)] for i in range(n)]


# -- findings -----------------------------------------------------------------

DESCRIPTIONS = {
    "weakened_leadership": ("党组织领导核心作用发挥不充分，重大事项未经集体研究", "落实上级重大决策部署打折扣、搞变通"),
    "decisions_not_implemented": ("贯彻落实上级决策部署不到位，重点任务推进缓慢", "对巡察反馈问题整改推动不力"),
    "theory_study": ("理论学习中心组学习流于形式，学习记录不全", "“三会一课”学习内容单一，以读代学"),
    "ideological_work": ("意识形态工作责任制落实不到位，阵地管理薄弱", "未按要求开展意识形态风险研判"),
    "party_building_lacking": ("基层党组织换届不及时，党费收缴不规范", "党建工作与业务工作“两张皮”"),
    "cadre_selection": ("干部选拔任用程序不规范，民主推荐走过场", "违规超职数配备干部", "干部人事档案管理混乱"),
    "grassroots": ("村级组织软弱涣散，“三会一课”制度落实不到位", "村务公开不及时、不全面"),
    "eight_point_rules": ("违规发放津贴补贴{amount}元", "公务接待无公函、超标准，涉及{amount}元", "公车私用问题突出"),
    "formalism": ("文山会海问题依然存在，督查检查考核过多过频", "台账资料弄虚作假、重留痕轻实效"),
    "bureaucratism": ("服务群众意识淡薄，办事推诿扯皮", "对群众反映问题敷衍塞责、久拖不决"),
    "hedonism": ("工作日午间饮酒问题屡禁不止", "违规出入私人会所"),
    "extravagance": ("违规组织公款宴请，涉及{amount}元", "婚丧喜庆事宜大操大办"),
    "strict_governance_weak": ("主体责任落实不到位，对党员干部日常监督管理宽松软", "廉政风险防控机制不健全"),
    "integrity": ("{surname}某利用职务便利为亲属承揽工程提供帮助", "{surname}某违规收受礼金{amount}元", "违规兼职取酬"),
    "financial_management": ("财务报销审核不严，存在白条入账{amount}元", "专项资金未专款专用，挪用{amount}元", "固定资产管理混乱，账实不符"),
    "procurement": ("工程项目未经招投标直接发包，金额{amount}元", "政府采购化整为零规避招标，涉及{amount}元", "围标串标问题突出"),
    "office_space": ("办公用房面积超标，涉及{amount}元改造费用", "违规装修办公室"),
    "public_funds_travel": ("以考察学习为名变相公款旅游，花费{amount}元", "借培训之机公款旅游"),
    "social_assistance": ("违规办理低保{count}户，涉及资金{amount}元", "“人情保”“关系保”问题突出", "特困供养人员动态管理不到位"),
    "poverty_relief": ("扶贫项目资金闲置{amount}元", "产业扶贫项目效益低下，群众受益不明显"),
    "compensation": ("截留挪用征地补偿款{amount}元", "惠农补贴资金发放不及时、不到位"),
    "judicial_enforcement": ("执行案件久拖不决，群众反映强烈", "司法救助资金审批不规范"),
}
MEASURES = {
    "immediate_fix": "立行立改，已当场纠正",
    "rectification": "制定整改方案，明确责任人和时限，逐项整改",
    "rule_making": "修订完善相关制度{n}项",
    "funds_recovery": "追缴违规资金并上缴财政",
    "accountability": "依规依纪追究相关人员责任",
    "lookback_check": "巡察整改“回头看”核查整改成效",
    "spot_check": "突击察访核实整改落实情况",
}
ALL_SUBS = tuple(taxonomy.SUBCATEGORY)
COMMON_SUBS = ("formalism", "financial_management", "eight_point_rules", "theory_study",
               "party_building_lacking", "ideological_work", "strict_governance_weak",
               "bureaucratism")


class Findings:
    """Issues, leads and actions, round by round in date order."""

    def __init__(self, b: Builder):
        self.b = b
        self.w = b.w
        self.rng = b.rng("issues")
        self.lrng = b.rng("leads")
        self.arng = b.rng("actions")
        self.names = NamePool(b.rng("issue-names"))
        self.rect_subs: dict[int, set] = {}  # unit idx -> subcats with a rectified issue
        self.by_unit: dict[int, list[int]] = {}  # unit idx -> issue indexes
        self.i_found: list[int] = []
        self.i_round: list[dict] = []
        self.i_cadres: list[list[int]] = []
        self.lead_issue: list = []
        w = self.w
        w.planted.setdefault("common", [])
        w.planted.setdefault("recurring", [])

    # -- one visit -----------------------------------------------------------
    def visit(self, r: dict, tid: str, u: Unit, forced: str | None) -> list[int]:
        rng = self.rng
        village = u.kind == "village"
        lo, hi = M.ISSUES_PER_VISIT.get(u.kind, M.ISSUES_PER_VISIT["default"])
        n = rng.randint(lo, hi)
        if not village:
            n = max(1, round(n * M.ROUND_ISSUE_FACTOR[r["kind"]]))
        elif r["kind"] in ("mobile", "lookback"):
            n = rng.randint(1, 2)
        pool = M.VILLAGE_SUBCATS if village else ALL_SUBS
        bias = M.SUBCAT_BIAS.get(u.kind, {})
        topic = r.get("_topic_subs") or ()
        excluded = self.rect_subs.get(u.idx, ())
        cand = [s for s in pool if s not in excluded]
        if not cand:
            cand = list(pool)
        weights = [bias.get(s, 1.0) * (2.0 if s in topic else 1.0) for s in cand]
        klo, khi = M.SUBCATS_PER_VISIT["village" if village else "default"]
        k = min(n, rng.randint(klo, khi), len(cand))
        subs: list[str] = []
        while len(subs) < k:
            s = rng.choices(cand, weights=weights, k=1)[0]
            if s not in subs:
                subs.append(s)
        if forced and forced not in subs:
            subs[-1] = forced
        counts = [1] * len(subs)
        for _ in range(n - len(subs)):
            counts[rng.randrange(len(subs))] += 1
        out = []
        for s, c in zip(subs, counts):
            for _ in range(c):
                out.append(self.issue(r, tid, u, s))
        return out

    def issue(self, r: dict, tid: str | None, u: Unit, sub: str, found: int | None = None) -> int:
        rng, w = self.rng, self.w
        i = len(w.issues)
        if found is None:
            span = max(1, r["_end"] - r["_start"] - 4)
            found = r["_start"] + 2 + rng.randrange(span)
        amount = None
        if sub in M.MONEY_SUBCATS and rng.random() < 0.65:
            lo, hi = M.MONEY_SUBCATS[sub]
            amount = round(math.exp(rng.uniform(math.log(lo), math.log(hi))), -1 if hi < 100_000 else -2)
        cadres: list[int] = []
        p = rng.random()
        if p < (0.5 if u.kind == "village" else 0.3):
            here = u.holders_at(found)
            if here:
                cadres.append(rng.choice(here)[0])
                if p < 0.06 and len(here) > 1:
                    other = rng.choice(here)[0]
                    if other not in cadres:
                        cadres.append(other)
        tmpl = rng.choice(DESCRIPTIONS[sub])
        surname = _surname(w.c_name[cadres[0]]) if cadres else self.names.surname()
        desc = tmpl.format(amount=f"{amount:.0f}" if amount else "若干", surname=surname,
                           count=rng.randint(2, 30))
        if u.kind != "village":
            desc = desc if rng.random() < 0.7 else f"{u.name}{desc}"
        w.issues.append({
            "id": f"I{i + 1:07d}", "round_id": r["id"], "unit_id": u.id, "team_id": tid,
            "category": taxonomy.SUBCATEGORY_PARENT[sub], "subcategory": sub,
            "description": desc, "cadre_ids": [w.cid(c) for c in cadres], "amount": amount,
            "source": _weighted(rng, M.SOURCE_WEIGHTS), "found_date": ISO[found],
            "immediate": rng.random() < M.IMMEDIATE_RATE,
        })
        w.issue_unit.append(u.idx)
        w.issue_rectified.append(False)
        self.i_found.append(found)
        self.i_round.append(r)
        self.i_cadres.append(cadres)
        self.by_unit.setdefault(u.idx, []).append(i)
        return i

    def set_sub(self, i: int, sub: str) -> None:
        d = self.w.issues[i]
        d["subcategory"] = sub
        d["category"] = taxonomy.SUBCATEGORY_PARENT[sub]
        amount = d["amount"]
        tmpl = self.rng.choice(DESCRIPTIONS[sub])
        cad = self.i_cadres[i]
        surname = _surname(self.w.c_name[cad[0]]) if cad else self.names.surname()
        d["description"] = tmpl.format(amount=f"{amount:.0f}" if amount else "若干",
                                       surname=surname, count=self.rng.randint(2, 30))

    # -- one round -----------------------------------------------------------
    def round(self, r: dict) -> None:
        rng, w = self.rng, self.w
        per_unit: dict[int, list[int]] = {}
        team_of: dict[int, str] = {}
        for tid, uidx, mode in r["_visits"]:
            u = w.units[uidx]
            forced = None
            prior = self.rect_subs.get(uidx)
            if prior:
                p = 0.3 if r["kind"] == "lookback" else 0.03
                if rng.random() < p:
                    forced = rng.choice(sorted(prior))
                    w.planted["recurring"].append((uidx, forced, r["id"]))
            per_unit.setdefault(uidx, []).extend(self.visit(r, tid, u, forced))
            team_of.setdefault(uidx, tid)
        n_units = len(per_unit)
        threshold = max(M.COMMON_MIN_UNITS, math.ceil(M.COMMON_MIN_SHARE * n_units))
        planted_sub = None
        if r["id"] in self.common_rounds:
            planted_sub = self.plant_common(r, per_unit, team_of, threshold)
        self.dampen(r, per_unit, team_of, threshold, planted_sub)
        for uidx in sorted(per_unit):
            for i in per_unit[uidx]:
                self.rectify(i, r)
        for uidx in sorted(per_unit):
            self.leads_for(r, uidx, per_unit[uidx])

    def _unit_subs(self, ids: list[int]) -> dict[str, list[int]]:
        out: dict[str, list[int]] = {}
        for i in ids:
            out.setdefault(self.w.issues[i]["subcategory"], []).append(i)
        return out

    def plant_common(self, r, per_unit, team_of, threshold) -> str | None:
        """Plant one subcategory at 65-90% of the round's units (at least the threshold)."""
        rng, w = self.rng, self.w
        uidxs = sorted(per_unit)
        villages = sum(1 for x in uidxs if w.units[x].kind == "village")
        subs = M.VILLAGE_SUBCATS[:4] if villages * 2 > len(uidxs) else COMMON_SUBS
        options = []
        for s in subs:
            ok = [x for x in uidxs if w.units[x].kind != "village" or s in M.VILLAGE_SUBCATS]
            fresh = [x for x in ok if s not in self.rect_subs.get(x, ())]
            if len(ok) >= threshold:
                options.append((len(fresh), s, ok, fresh))
        if not options:
            return None
        options.sort(key=lambda o: (-o[0], o[1]))
        _, s, ok, fresh = options[rng.randrange(min(3, len(options)))]
        m = min(len(ok), max(threshold, math.ceil(len(uidxs) * rng.uniform(0.65, 0.9))))
        # prefer units where the subcategory would not be a recurrence
        stale = [x for x in ok if x not in fresh]
        rng.shuffle(fresh)
        rng.shuffle(stale)
        chosen = sorted((fresh + stale)[:m])
        for x in chosen:
            u = w.units[x]
            have = self._unit_subs(per_unit[x])
            if s in have:
                continue
            if s in self.rect_subs.get(x, ()):
                w.planted["recurring"].append((x, s, r["id"]))  # a recurrence too
            biggest = max(sorted(have), key=lambda k: len(have[k]))
            if len(have[biggest]) >= 2:
                self.set_sub(have[biggest][-1], s)
            else:
                per_unit[x].append(self.issue(r, team_of[x], u, s))
        w.planted["common"].append((r["id"], s))
        return s

    def dampen(self, r, per_unit, team_of, threshold, planted_sub) -> None:
        """Keep every other subcategory below the common-problem threshold."""
        rng, w = self.rng, self.w
        subs_of = {x: self._unit_subs(ids) for x, ids in per_unit.items()}
        count: dict[str, int] = {}
        for x in sorted(subs_of):
            for s in subs_of[x]:
                count[s] = count.get(s, 0) + 1
        for s in sorted(count):
            if s == planted_sub or count[s] < threshold:
                continue
            holders = sorted(x for x in subs_of if s in subs_of[x])
            rng.shuffle(holders)
            for x in holders[:count[s] - threshold + 1]:
                u = w.units[x]
                pool = M.VILLAGE_SUBCATS if u.kind == "village" else ALL_SUBS
                alts = [a for a in pool if a not in subs_of[x] and count.get(a, 0) + 1 < threshold
                        and a not in self.rect_subs.get(x, ()) and a != planted_sub]
                if not alts:
                    continue
                a = rng.choice(alts)
                for i in subs_of[x].pop(s):
                    self.set_sub(i, a)
                subs_of[x][a] = [i for i in per_unit[x] if w.issues[i]["subcategory"] == a]
                count[s] -= 1
                count[a] = count.get(a, 0) + 1
        # a near miss now and then: one unit short of the threshold
        if planted_sub is None and len(per_unit) >= M.COMMON_MIN_UNITS + 1 and rng.random() < 0.05:
            s = rng.choice(COMMON_SUBS)
            have = sorted(x for x in subs_of if s in subs_of[x])
            lack = sorted(x for x in subs_of if s not in subs_of[x] and w.units[x].kind != "village"
                          and s not in self.rect_subs.get(x, ()))
            need = threshold - 1 - len(have)
            if 0 <= need <= len(lack):
                for x in rng.sample(lack, need):
                    ids = per_unit[x]
                    per_unit[x].append(self.issue(r, team_of[x], w.units[x], s))
                w.near_misses.append({"pattern": "common", "kind": "below_threshold",
                                      "round_id": r["id"], "subcategory": s,
                                      "units": threshold - 1, "threshold": threshold})

    # -- rectification -------------------------------------------------------
    def _round_rate(self, r: dict) -> float:
        rate = r.get("_rate")
        if rate is None:
            age = AS_OF - r["_end"]
            if age > 300:
                rate = self.arng.uniform(*M.RECTIFIED_RATE)
            else:
                rate = 0.25 + 0.65 * max(0.0, age) / 300
            r["_rate"] = rate
        return rate

    def action(self, **kw) -> dict:
        w = self.w
        a = {"id": f"A{len(w.actions) + 1:07d}", **kw}
        w.actions.append(a)
        return a

    def rectify(self, i: int, r: dict) -> None:
        rng, w = self.arng, self.w
        d = w.issues[i]
        u = w.units[w.issue_unit[i]]
        found = self.i_found[i]
        immediate = d["immediate"]
        if immediate:
            deadline = found + rng.randint(7, 30)
        else:
            deadline = r["_end"] + rng.randint(60, 180)
        rectified = rng.random() < (0.97 if immediate else self._round_rate(r))
        owner = u.principal_at(min(deadline, AS_OF))

        def status_for(rect: bool, dl: int) -> tuple[str, str | None]:
            if rect:
                st = _weighted(rng, M.RECTIFIED_STATUS_WEIGHTS)
                done = min(dl - rng.randint(0, 40), AS_OF)
                done = max(done, found + 1)
                return st, (ISO[done] if st != "long_term" or rng.random() < 0.5 else None)
            return _weighted(rng, M.OPEN_STATUS_WEIGHTS), None

        st, done = status_for(rectified, deadline)
        verified = d["team_id"] if (rectified and rng.random() < 0.5) else None
        self.action(issue_id=d["id"], kind="immediate_fix" if immediate else "rectification",
                    measure=MEASURES["immediate_fix" if immediate else "rectification"],
                    owner_unit_id=u.id, owner_cadre_id=w.cid(owner) if owner is not None else None,
                    deadline=ISO[deadline], status=st, completed_date=done,
                    verified_by_team_id=verified)
        if rng.random() < M.RULE_MAKING_RATE:
            n = rng.randint(1, 3)
            st2, done2 = status_for(rectified or rng.random() < 0.5, deadline)
            if not rectified and st2 in taxonomy.RECTIFIED_STATUSES:
                pass  # the issue stays open through its main action
            self.action(issue_id=d["id"], kind="rule_making", measure=MEASURES["rule_making"].format(n=n),
                        owner_unit_id=u.id, deadline=ISO[deadline], status=st2,
                        completed_date=done2, rules_count=n)
        if d["amount"] and rng.random() < 0.5:
            st3, done3 = status_for(rectified, deadline)
            rec = round(d["amount"] * rng.uniform(0.3, 1.0), 2) if st3 in taxonomy.DONE_STATUSES else None
            self.action(issue_id=d["id"], kind="funds_recovery", measure=MEASURES["funds_recovery"],
                        owner_unit_id=u.id, deadline=ISO[deadline], status=st3,
                        completed_date=done3, recovered_amount=rec)
        if rectified and rng.random() < M.SPOT_CHECK_RATE:
            day = min(deadline + rng.randint(10, 90), AS_OF)
            self.action(issue_id=d["id"], kind="spot_check", measure=MEASURES["spot_check"],
                        owner_unit_id=u.id, deadline=ISO[day], status="completed",
                        completed_date=ISO[day], verified_by_team_id=d["team_id"])
        w.issue_rectified[i] = rectified
        if rectified:
            self.rect_subs.setdefault(u.idx, set()).add(d["subcategory"])

    # -- leads ---------------------------------------------------------------
    def leads_for(self, r: dict, uidx: int, ids: list[int]) -> None:
        rng, w = self.lrng, self.w
        u = w.units[uidx]
        for i in ids:
            d = w.issues[i]
            p = M.LEAD_RATE.get(d["subcategory"], M.LEAD_RATE["default"])
            if rng.random() < p:
                subjects = list(self.i_cadres[i])
                if not subjects:
                    here = [c for c, role in u.holders_at(self.i_found[i]) if role != "staff"] or \
                           [c for c, _ in u.holders_at(self.i_found[i])]
                    if here:
                        subjects = [rng.choice(here)]
                self.lead(r, u, [i], subjects, d["subcategory"])
        if rng.random() < M.LEAD_WITHOUT_ISSUE:
            here = u.holders_at(r["_end"])
            if here:
                self.lead(r, u, [], [rng.choice(here)[0]], None)

    def lead(self, r: dict, u: Unit, issue_idx: list[int], subjects: list[int], sub: str | None,
             force_case: bool = False) -> int:
        rng, w = self.lrng, self.w
        li = len(w.leads)
        transfer = min(r["_end"] + rng.randint(5, 40), AS_OF)
        receiver = _weighted(rng, M.RECEIVER_WEIGHTS)
        disposal = _weighted(rng, M.DISPOSAL_WEIGHTS)
        if force_case:
            receiver, disposal = "discipline_commission", "preliminary_verification"
        case = False
        case_date = None
        if receiver == "discipline_commission" and disposal == "preliminary_verification":
            case = force_case or rng.random() < 0.55
        elif receiver in ("judicial", "procuratorate", "public_security"):
            case = rng.random() < 0.5
        if case:
            cd = transfer + rng.randint(20, 120)
            if cd <= AS_OF:
                case_date = cd
            else:
                case = False
        outcomes: list[str] = []
        if case:
            x = rng.random()
            if x < 0.85:
                outcomes.append(_weighted(rng, (("party_warning", 35), ("party_serious_warning", 30),
                                                ("party_post_removal", 8), ("party_probation", 10),
                                                ("party_expulsion", 7))))
                if outcomes[0] == "party_expulsion":
                    outcomes.append("gov_discharge")
                elif rng.random() < 0.5:
                    outcomes.append(_weighted(rng, (("gov_warning", 30), ("gov_demerit", 30),
                                                    ("gov_major_demerit", 20), ("gov_demotion", 10),
                                                    ("gov_dismissal", 10))))
            elif x < 0.95:
                outcomes.append("judicial")
            else:
                outcomes.append("org_handling")
        elif disposal == "talk_inquiry":
            x = rng.random()
            if x < 0.5:
                outcomes.append("criticism")
            elif x < 0.8:
                outcomes.append("admonishment")
        elif disposal == "preliminary_verification":
            x = rng.random()
            if x < 0.4:
                outcomes.append("criticism")
            elif x < 0.6:
                outcomes.append("org_handling")
        elif disposal == "closed" and rng.random() < 0.3:
            outcomes.append("criticism")
        closed = transfer + rng.randint(60, 400)
        if case_date is not None:
            closed = max(closed, case_date + rng.randint(30, 200))
        closed_s = ISO[closed] if closed <= AS_OF and disposal != "shelved" else None
        amount = None
        if case and issue_idx:
            amt = w.issues[issue_idx[0]]["amount"]
            if amt:
                amount = round(amt * rng.uniform(0.2, 1.0), 2)
        subject_name = w.c_name[subjects[0]] if subjects else ""
        what = taxonomy.zh("subcategory", sub).removesuffix("问题") if sub else "违规违纪"
        summary = f"反映{_surname(subject_name)}某涉嫌{what}问题" if subject_name else f"反映{what}问题"
        w.leads.append({
            "id": f"L{li + 1:06d}", "round_id": r["id"], "unit_id": u.id,
            "issue_ids": [w.issues[i]["id"] for i in issue_idx],
            "subject_ids": [w.cid(c) for c in subjects],
            "discipline": M.DISCIPLINE_OF.get(sub, "work") if sub else rng.choice(
                ("integrity", "mass", "work", "life")),
            "transferred_to": receiver, "transfer_date": ISO[transfer], "disposal": disposal,
            "case_filed": case, "case_filed_date": ISO[case_date] if case_date else None,
            "outcomes": outcomes, "recovered_amount": amount, "closed_date": closed_s,
            "summary": summary,
        })
        if case or receiver == "organization_department":
            dl = min(transfer + rng.randint(60, 150), AS_OF)
            done = closed_s is not None
            self.action(lead_id=f"L{li + 1:06d}", kind="accountability",
                        measure=MEASURES["accountability"], owner_unit_id=u.id,
                        deadline=ISO[dl], status="completed" if done else "in_progress",
                        completed_date=closed_s if done and closed <= AS_OF else None)
        return li


# -- planted patterns -----------------------------------------------------------

KIN_FOR = ("sibling", "in_law", "collateral")


class Planter:
    """Related-case clusters and conflicted inspectors, hidden in ordinary data."""

    def __init__(self, b: Builder, f: Findings):
        self.b, self.f, self.w = b, f, b.w
        self.rng = b.rng("plant")
        self.used: set[int] = set()  # cadres already in a cluster
        self.used_units: set[int] = set()
        self.w.planted.setdefault("clusters", [])
        self.w.planted.setdefault("conflicts", [])

    def _kin_kind(self, a: int, b: int) -> str:
        w = self.w
        if w.c_male[a] != w.c_male[b] and abs(w.c_birth[a] - w.c_birth[b]) < 10 * YEAR:
            return "spouse"
        return self.rng.choice(KIN_FOR)

    def _related(self, a: int, b: int) -> bool:
        return ((a, b) if a < b else (b, a)) in self.w.rel_pairs

    def _pick_issue(self, exclude_units: set, jur: str | None = None, tries: int = 200):
        """A random issue at a non-village unit, and a person in post there when found."""
        rng, w, f = self.rng, self.w, self.f
        n = len(w.issues)
        for _ in range(tries):
            i = rng.randrange(n)
            ux = w.issue_unit[i]
            u = w.units[ux]
            if ux in exclude_units or ux in self.used_units or u.kind == "village":
                continue
            if jur is not None and u.jur != jur:
                continue
            here = [c for c, role in u.holders_at(f.i_found[i]) if c not in self.used]
            if here:
                return i, rng.choice(here)
        return None

    def _implicate(self, i: int, c: int, cluster: dict) -> None:
        w, f = self.w, self.f
        d = w.issues[i]
        cid = w.cid(c)
        if cid not in d["cadre_ids"]:
            d["cadre_ids"].append(cid)
            f.i_cadres[i].append(c)
        li = f.lead(f.i_round[i], w.units[w.issue_unit[i]], [i], [c], d["subcategory"],
                    force_case=self.rng.random() < 0.4)
        cluster["issue_ids"].append(d["id"])
        cluster["lead_ids"].append(w.leads[li]["id"])
        uid = d["unit_id"]
        if uid not in cluster["unit_ids"]:
            cluster["unit_ids"].append(uid)
        if cid not in cluster["cadre_ids"]:
            cluster["cadre_ids"].append(cid)
        self.used.add(c)
        self.used_units.add(w.issue_unit[i])

    def _new_cluster(self, kind: str) -> dict:
        k = {"id": f"K{len(self.w.planted['clusters']) + 1:04d}", "kind": kind, "issue_ids": [],
             "lead_ids": [], "unit_ids": [], "cadre_ids": [], "links": []}
        return k

    def clusters(self, n: int) -> None:
        kinds = ("same_cadre", "kinship", "colleague", "kinship_chain", "business")
        for k in range(n * 3):
            if len(self.w.planted["clusters"]) >= n:
                break
            kind = kinds[k % len(kinds)]
            c = getattr(self, f"_cluster_{kind}")()
            if c is not None:
                self.w.planted["clusters"].append(c)
                self._namesake(c)

    def _cluster_same_cadre(self):
        """A principal implicated at one unit, then again at the next one they led."""
        w, f, rng = self.w, self.f, self.rng
        cands = [c for c in range(len(w.c_posts))
                 if sum(1 for p in w.c_posts[c] if p[3] == "principal") >= 2 and c not in self.used]
        rng.shuffle(cands)
        for c in cands[:300]:
            hits = []
            for s, e, ux, role in w.c_posts[c]:
                if role != "principal" or ux in self.used_units or w.units[ux].kind == "village":
                    continue
                ids = [i for i in f.by_unit.get(ux, ()) if s <= f.i_found[i] <= (e or AS_OF)]
                if ids and all(h[0] != ux for h in hits):
                    hits.append((ux, rng.choice(ids)))
            if len(hits) >= 2:
                k = self._new_cluster("same_cadre")
                for ux, i in hits[:3]:
                    self._implicate(i, c, k)
                k["links"].append({"kind": "same_cadre", "cadre_id": w.cid(c),
                                   "unit_ids": list(k["unit_ids"])})
                return k
        return None

    def _pair(self, kind: str, relation: str | None):
        w = self.w
        a = self._pick_issue(set())
        if a is None:
            return None
        i1, c1 = a
        b = self._pick_issue({w.issue_unit[i1]}, jur=w.units[w.issue_unit[i1]].jur)
        if b is None:
            return None
        i2, c2 = b
        if c1 == c2 or self._related(c1, c2):
            return None
        rel = relation or self._kin_kind(c1, c2)
        if relation is None and rel != "spouse" and rel in ("sibling", "collateral"):
            w.c_name[c2] = _surname(w.c_name[c1]) + w.c_name[c2][len(_surname(w.c_name[c2])):]
        note = {"business": "存在经济往来", "colleague": None}.get(rel)
        self.b.relate(c1, c2, rel, note)
        k = self._new_cluster(kind)
        self._implicate(i1, c1, k)
        self._implicate(i2, c2, k)
        k["links"].append({"kind": rel, "cadre_id": w.cid(c1), "other_id": w.cid(c2)})
        return k, c2

    def _cluster_kinship(self):
        r = self._pair("kinship", None)
        return r[0] if r else None

    def _cluster_business(self):
        r = self._pair("business", "business")
        return r[0] if r else None

    def _cluster_kinship_chain(self):
        """A kin of B, B does business with C: three units, two hops."""
        w = self.w
        r = self._pair("kinship_chain", None)
        if r is None:
            return None
        k, c2 = r
        c = self._pick_issue(self.used_units, jur=w.units[w.issue_unit[0]].jur if False else None)
        if c is None or self._related(c2, c[1]):
            return k
        i3, c3 = c
        self.b.relate(c2, c3, "business", "存在经济往来")
        self._implicate(i3, c3, k)
        k["links"].append({"kind": "business", "cadre_id": w.cid(c2), "other_id": w.cid(c3)})
        return k

    def _cluster_colleague(self):
        """Two former colleagues at one unit, each implicated at the unit they moved to."""
        w, f, rng = self.w, self.f, self.rng
        units = [u for u in w.units if u.kind != "village" and len(u.holders) > 3]
        rng.shuffle(units)
        for u0 in units[:200]:
            movers = []
            for s, e, c, role in u0.holders:
                if e is None or c in self.used:
                    continue
                later = [p for p in w.c_posts[c] if p[0] > e and p[2] != u0.idx
                         and p[2] not in self.used_units]
                for p in later:
                    ids = [i for i in f.by_unit.get(p[2], ()) if p[0] <= f.i_found[i] <= (p[1] or AS_OF)]
                    if ids:
                        movers.append((c, s, e, p[2], rng.choice(ids)))
                        break
            for x in range(len(movers)):
                for y in range(x + 1, len(movers)):
                    a, b = movers[x], movers[y]
                    if a[0] != b[0] and a[3] != b[3] and _overlap(a[1], a[2], b[1], b[2]) \
                            and not self._related(a[0], b[0]):
                        self.b.relate(a[0], b[0], "colleague", f"曾同在{u0.name}工作")
                        k = self._new_cluster("colleague")
                        self._implicate(a[4], a[0], k)
                        self._implicate(b[4], b[0], k)
                        k["links"].append({"kind": "colleague", "cadre_id": w.cid(a[0]),
                                           "other_id": w.cid(b[0]), "via_unit_id": u0.id})
                        return k
        return None

    def _namesake(self, k: dict) -> None:
        """Near miss: someone with the very same name, implicated elsewhere, unrelated."""
        w, rng = self.w, self.rng
        if rng.random() < 0.5:
            return
        a = int(k["cadre_ids"][0][1:]) - 1
        hit = self._pick_issue({w.unit_by_id[x].idx for x in k["unit_ids"]})
        if hit is None:
            return
        i, x = hit
        if any(self._related(x, int(c[1:]) - 1) for c in k["cadre_ids"]):
            return
        same = rng.random() < 0.6
        if same:
            w.c_name[x] = w.c_name[a]
        else:
            w.c_name[x] = _surname(w.c_name[a]) + w.c_name[x][len(_surname(w.c_name[x])):]
        d = w.issues[i]
        if w.cid(x) not in d["cadre_ids"]:
            d["cadre_ids"].append(w.cid(x))
            self.f.i_cadres[i].append(x)
        li = self.f.lead(self.f.i_round[i], w.units[w.issue_unit[i]], [i], [x], d["subcategory"])
        self.used.add(x)
        w.near_misses.append({"pattern": "clusters",
                              "kind": "same_name_unrelated" if same else "same_surname_unrelated",
                              "cluster_id": k["id"], "cadre_id": w.cid(x), "lookalike_of": w.cid(a),
                              "name": w.c_name[x], "issue_ids": [d["id"]],
                              "lead_ids": [w.leads[li]["id"]]})

    # -- conflicted inspectors ----------------------------------------------
    def conflicts(self, n: int) -> None:
        w, rng = self.w, self.rng
        members: dict[tuple[str, str], list[int]] = {}
        for m in w.team_members:
            members.setdefault((m["round_id"], m["team_id"]), []).append(int(m["cadre_id"][1:]) - 1)
        asg = list(w.assignments)
        rng.shuffle(asg)
        done = {"kinship": 0, "employment": 0, "native_place": 0}
        for a in asg:
            if all(v >= n for v in done.values()):
                break
            r = w.round_by_id[a["round_id"]]
            u = w.unit_by_id[a["unit_id"]]
            ms = [c for c in members.get((a["round_id"], a["team_id"]), []) if c not in self.used]
            if not ms:
                continue
            x = rng.choice(ms)
            ref = r["_start"]
            ground = rng.choice(sorted(done))
            if done[ground] >= n:
                continue
            near = rng.random() < 0.5
            if ground == "kinship":
                p = u.principal_at(ref)
                deps = [c for c, role in u.holders_at(ref) if role == "deputy"]
                if p is None or p == x or self._related(x, p):
                    continue
                if near and deps:
                    d = rng.choice(deps)
                    if d == x or self._related(x, d):
                        continue
                    kind = self._kin_kind(x, d)
                    self.b.relate(x, d, kind)
                    w.near_misses.append({"pattern": "conflicts", "kind": "kin_of_non_principal",
                                          "round_id": r["id"], "team_id": a["team_id"],
                                          "unit_id": u.id, "cadre_id": w.cid(x),
                                          "relative_id": w.cid(d), "relation": kind})
                else:
                    kind = self._kin_kind(x, p)
                    self.b.relate(x, p, kind)
            elif ground == "employment":
                cutoff = _years_before(ref, M.EMPLOYMENT_YEARS)
                if near:
                    end = cutoff - rng.randint(15, 120)
                else:
                    end = ref - rng.randint(60, 700)
                start = end - rng.randint(300, 700)
                title = "挂职" + M.TITLES[u.kind][1]
                self.b._post(u, x, "staff", 0, start, end, title=title, principal=False)
                u.holders.sort(key=lambda h: (h[0], h[2]))
                if near:
                    w.near_misses.append({"pattern": "conflicts", "kind": "employment_outside_window",
                                          "round_id": r["id"], "team_id": a["team_id"],
                                          "unit_id": u.id, "cadre_id": w.cid(x),
                                          "post_end": ISO[end], "cutoff": ISO[cutoff]})
            else:
                if w.team_home[a["team_id"]] == u.county or u.county is None:
                    continue  # local assignments: native place is no extra ground
                if near:
                    region = w.tree.by_id[u.county]
                    sibs = [c.id for c in w.tree.by_id[region.parent_id].children if c.id != u.county]
                    if not sibs:
                        continue
                    w.c_native[x] = rng.choice(sibs)
                    w.near_misses.append({"pattern": "conflicts", "kind": "native_of_neighbour_county",
                                          "round_id": r["id"], "team_id": a["team_id"],
                                          "unit_id": u.id, "cadre_id": w.cid(x),
                                          "native_region_id": w.c_native[x]})
                else:
                    w.c_native[x] = u.county
            self.used.add(x)
            if not near:
                done[ground] += 1
                w.planted["conflicts"].append((r["id"], a["team_id"], u.id, w.cid(x), ground))
        self._local()

    def _local(self) -> None:
        """A 'cross' assignment that sends a team into its own county (a pairing error)."""
        w, rng = self.w, self.rng
        cross = [r for r in w.rounds if r["kind"] == "cross"]
        picked = {id(r) for r in rng.sample(cross, max(1, len(cross) // 2))} if cross else set()
        for r in cross:
            if id(r) not in picked:
                continue
            city = w.jurs[r["committee_region_id"]].region
            homes = [w.jurs[c.id] for c in city.children if c.id in w.jurs and w.jurs[c.id].units]
            if not homes:
                continue
            home = rng.choice(homes)
            visited = {x for _, x, _ in r["_visits"]}
            cand = [u for u in home.units if u.kind != "village" and u.idx not in visited]
            if not cand:
                continue
            u = rng.choice(cand)
            tid = home.teams[0]
            if not any(t == tid for t, _, _ in r["_visits"]):
                used = {int(m["cadre_id"][1:]) - 1 for m in w.team_members if m["round_id"] == r["id"]}
                self.b._staff_team(rng, r["id"], tid, used)
            self.b._assign(r, tid, [u], "cross")
            w.planted["conflicts"].append((r["id"], tid, u.id, None, "local"))


def _years_before(day: int, years: int) -> int:
    d = _dt.date.fromordinal(day)
    try:
        return d.replace(year=d.year - years).toordinal()
    except ValueError:  # 29 February
        return d.replace(year=d.year - years, day=28).toordinal()


def build_world(seed: int, scale: M.Scale, progress: Progress | None = None) -> World:
    """Generate the whole synthetic world for ``seed`` at ``scale``."""
    b = Builder(seed, scale, progress)
    b.build_places()
    b.progress("units 单位", 1.0)
    b.build_careers()
    b.build_relations()
    b.build_teams()
    b.build_rounds()
    f = Findings(b)
    eligible = [r["id"] for r in b.w.rounds
                if len({x for _, x, _ in r["_visits"]}) >= M.COMMON_MIN_UNITS]
    prng = b.rng("common")
    f.common_rounds = set(prng.sample(eligible, min(len(eligible), max(2, len(eligible) // 10))))
    rounds = b.w.rounds
    for n, r in enumerate(rounds):
        f.round(r)
        if n % 20 == 0 or n == len(rounds) - 1:
            b.progress("issues 问题", (n + 1) / len(rounds))
    p = Planter(b, f)
    n_units = len(b.w.units)
    p.clusters(max(6, n_units // 30))
    p.conflicts(max(3, len(b.w.assignments) // 150))
    b.progress("planting 植入模式", 1.0)
    return b.w
