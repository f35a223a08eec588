"""People: careers (posts in units over time), social relations, team pools."""

from __future__ import annotations

import heapq
import math
from collections import deque

from . import model as M
from .core import (
    AS_OF,
    ISO,
    YEAR,
    Unit,
    _overlap,
    _surname,
    _weighted,
    ordinal,
)
from .names import NamePool

SPECIALTIES = ("财务", "审计", "法律", "纪检监察", "组织人事", "工程建设", "农业农村")


class PeopleMixin:
    """Builder steps for cadres, their posts, relations and the inspection teams."""

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
                    if u.founded:
                        s = u.founded + (0 if role == "principal" else rng.randint(0, 90))
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
            title = title_for(u, role, k)
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


def title_for(u: Unit, role: str, k: int = 1) -> str:
    """The post title of ``role`` at ``u`` (``k``: the deputy's rank order; the
    first deputy of a township is its 镇长/乡长/街道主任)."""
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
    if u.kind == "township" and role == "deputy" and u.name.endswith("乡"):
        title = "副乡长"
    if u.kind == "township" and role == "principal" and u.name.endswith("街道"):
        title = "党工委书记"
    if u.kind == "township" and role == "deputy" and k == 0:
        title = "乡长" if u.name.endswith("乡") else ("主任" if u.name.endswith("街道") else "镇长")
    if u.kind == "township" and role == "deputy" and u.name.endswith("街道") and k > 0:
        title = "副主任"
    return title
