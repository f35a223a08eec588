"""Planted stories: related-case clusters, namesakes and conflicted inspectors."""

from __future__ import annotations

from . import model as M
from .people import title_for
from .text import years_text
from .core import (
    _overlap_days,
    AS_OF,
    ISO,
    YEAR,
    _overlap,
    _surname,
    _year,
    _years_before,
)

# -- planted patterns -----------------------------------------------------------

KIN_FOR = ("sibling", "in_law", "collateral")


class Planter:
    """Related-case clusters and conflicted inspectors, hidden in ordinary data."""

    def __init__(self, b, f):
        self.b, self.f, self.w = b, f, b.w
        self.rng = b.rng("plant")
        self.used: set[int] = set()  # cadres already in a cluster
        self.used_units: set[int] = set()
        self.w.planted.setdefault("clusters", [])
        self.w.planted.setdefault("conflicts", [])
        self.n_pairs = 0
        self._leaders: list[int] | None = None
        self.by_team: dict[tuple[str, str], list[int]] = {}
        for i, d in enumerate(self.w.issues):
            self.by_team.setdefault((d["round_id"], d["team_id"]), []).append(i)

    def _kin_kind(self, a: int, b: int) -> str:
        w = self.w
        if w.c_male[a] != w.c_male[b] and abs(w.c_birth[a] - w.c_birth[b]) < 10 * YEAR:
            return "spouse"
        return self.rng.choice(KIN_FOR)

    def _related(self, a: int, b: int) -> bool:
        return ((a, b) if a < b else (b, a)) in self.w.rel_pairs

    def _actors(self, i: int) -> list[tuple[int, str]]:
        """(cadre, role) of everyone in post at the issue's unit for a real part of
        the conduct it describes: the people who could have done it."""
        f, w = self.f, self.w
        cs, ce, _ = f.i_conduct[i]
        u = w.units[w.issue_unit[i]]
        return [(h[2], h[3]) for h in u.holders if _overlap_days(h[0], h[1], cs, ce) >= M.MIN_ACT_DAYS]

    def _pick_issue(self, exclude_units: set, jur: str | None = None, tries: int = 200,
                    among: list[int] | None = None):
        """A random issue at a non-village unit (from ``among`` if given), and a
        person in post there during the conduct it describes."""
        rng, w = self.rng, self.w
        n = len(w.issues)
        for _ in range(tries):
            i = rng.choice(among) if among else rng.randrange(n)
            ux = w.issue_unit[i]
            u = w.units[ux]
            if ux in exclude_units or ux in self.used_units or u.kind == "village":
                continue
            if jur is not None and u.jur != jur:
                continue
            if w.issues[i]["cadre_ids"]:
                continue  # a planted story starts from a finding that names nobody yet
            here = [c for c, role in self._actors(i) if c not in self.used]
            if here:
                return i, rng.choice(here)
        return None

    def _implicate(self, i: int, c: int, cluster: dict) -> None:
        w, f = self.w, self.f
        d = w.issues[i]
        cid = w.cid(c)
        role = next((r for x, r in self._actors(i) if x == c), "staff")
        f.implicate(i, c, role)
        li = f.lead(f.i_round[i], w.units[w.issue_unit[i]], [i], [c], d["subcategory"],
                    force_case=self.rng.random() < 0.25)
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
        if self._leaders is None:  # people who led two or more units (computed once)
            self._leaders = [c for c in range(len(w.c_posts))
                             if sum(1 for p in w.c_posts[c] if p[3] == "principal") >= 2]
        cands = [c for c in self._leaders if c not in self.used]
        rng.shuffle(cands)
        for c in cands[:300]:
            hits = []
            for s, e, ux, role in w.c_posts[c]:
                if role != "principal" or ux in self.used_units or w.units[ux].kind == "village":
                    continue
                ids = [i for i in f.by_unit.get(ux, ()) if not w.issues[i]["cadre_ids"]
                       and _overlap_days(s, e, f.i_conduct[i][0], f.i_conduct[i][1]) >= M.MIN_ACT_DAYS]
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
        # Near miss "a team that found many unrelated issues": half the pairs (and
        # the first two) are found by one team in one round, so the team is the
        # shortest connection between them while the real one runs through the people.
        self.n_pairs += 1
        shared = self.n_pairs <= 2 or self.rng.random() < 0.5
        for _ in range(6 if shared else 1):
            a = self._pick_issue(set())
            if a is None:
                return None
            i1, c1 = a
            b = None
            if shared:
                d1 = w.issues[i1]
                same = [i for i in self.by_team.get((d1["round_id"], d1["team_id"]), ())
                        if w.issue_unit[i] != w.issue_unit[i1]]
                if same:
                    b = self._pick_issue({w.issue_unit[i1]}, among=same, tries=40)
            if b is not None:
                break
        if b is None:
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
                    ids = [i for i in f.by_unit.get(p[2], ()) if not w.issues[i]["cadre_ids"]
                           and _overlap_days(p[0], p[1], f.i_conduct[i][0], f.i_conduct[i][1])
                           >= M.MIN_ACT_DAYS]
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
        """Near miss: someone with the very same name (or surname), implicated
        elsewhere in a finding worded exactly like the cluster member's, unrelated."""
        w, rng, f = self.w, self.rng, self.f
        if rng.random() < 0.4 and len(w.planted["clusters"]) > 2:
            return
        a = int(k["cadre_ids"][0][1:]) - 1
        m = next(int(i[1:]) - 1 for i in k["issue_ids"] if w.issues[int(i[1:]) - 1]["cadre_ids"][0] == w.cid(a))
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
        d, dm = w.issues[i], w.issues[m]
        role = next((r for y, r in self._actors(i) if y == x), "staff")
        f.implicate(i, x, role)
        d["subcategory"], d["category"], d["amount"] = dm["subcategory"], dm["category"], dm["amount"]
        # the same sentence, in the namesake's own time frame
        body = dm["description"].replace(f"\x01{a}:", f"\x01{x}:")
        if body[:4].isdigit() and "，" in body:
            body = body.split("，", 1)[1]
        cs, ce, dated = f.i_conduct[i]
        d["description"] = f"{years_text(_year(cs), _year(ce))}，{body}" if dated else body
        li = f.lead(f.i_round[i], w.units[w.issue_unit[i]], [i], [x], d["subcategory"])
        self.used.add(x)
        w.near_misses.append({"pattern": "clusters",
                              "kind": "same_name_unrelated" if same else "same_surname_unrelated",
                              "cluster_id": k["id"], "cadre_id": w.cid(x), "lookalike_of": w.cid(a),
                              "issue_ids": [d["id"]], "template_of": dm["id"],
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
                start = max(end - rng.randint(300, 700), u.founded)
                if end - start < 90:
                    continue  # the body did not exist long enough before
                title = "挂职" + title_for(u, "deputy", 1)
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



# -- tenure near misses (before any finding is written) ----------------------------

def plant_tenure_near_misses(b, n: int) -> None:
    """Principals whose dates make the inspection period matter.

    - ``newcomer_principal``: a principal took office 2–6 weeks before the team
      arrived; the period's conduct was their predecessor's, and they answer for
      it only at the units they led before;
    - ``left_before_inspection``: a principal with a long tenure left 2–5 months
      before the team arrived; they still answer for the period (离任不免责).

    Done by moving the hand-over day between two consecutive principals of an
    inspected unit, preferring people who led another unit too (so a rule that
    credits findings to whoever held the post on the day they were found makes a
    wrong trail of the newcomer and misses the leaver's).
    """
    w = b.w
    rng = b.rng("tenure-near-misses")
    rows: dict[tuple[str, str, str], dict] = {}
    for p in w.positions:
        if p["is_principal"]:
            rows[(p["cadre_id"], p["unit_id"], p["start"])] = p
    visits = [(r, uidx) for r in w.rounds for _, uidx, _ in r["_visits"]]
    rng.shuffle(visits)
    done = {"newcomer_principal": 0, "left_before_inspection": 0}
    touched: set[int] = set()

    def visited(ux: int, lo: int, hi) -> bool:
        hi = AS_OF if hi is None else hi
        return any(lo <= v <= hi for v in w.unit_visits.get(ux, ()))

    def other_principal(c: int, ux: int, before: bool, day: int) -> bool:
        """``c`` led another inspected unit before (or after) ``day``, and was
        inspected there during that post (so they answer for findings there)."""
        return any(p[3] == "principal" and p[2] != ux and w.units[p[2]].kind != "village"
                   and ((p[1] is not None and p[1] < day) if before else p[0] > day)
                   and visited(p[2], p[0] + 200, (p[1] if p[1] is not None else AS_OF) + 5 * YEAR)
                   for p in w.c_posts[c])

    for strict in (True, False):
        for r, uidx in visits:
            if all(v >= n for v in done.values()):
                return
            u = w.units[uidx]
            if u.kind == "village" or uidx in touched:
                continue
            arrival = r["_start"]
            ps = u.principals
            j = next((k for k, (s, e, c) in enumerate(ps)
                      if s <= arrival and (e is None or arrival <= e)), None)
            if not j:
                continue
            (qs, qe, q), (p_s, p_e, p) = ps[j - 1], ps[j]
            if p == q or qe is None:
                continue
            kind = min(done, key=lambda k: (done[k], k))
            if done[kind] >= n:
                continue
            if kind == "newcomer_principal":
                new_qe = arrival - rng.randint(15, 43)
                new_ps = new_qe + 1
                # strict: the newcomer led one other unit before and this unit is not
                # inspected again in their time, so only a wrong rule makes a trail
                if strict and (not other_principal(p, uidx, True, new_ps)
                               or visited(uidx, arrival + 1, p_e)
                               or sum(1 for x in w.c_posts[p] if x[3] == "principal") != 2):
                    continue
            else:
                new_qe = arrival - rng.randint(60, 150)
                new_ps = new_qe + rng.randint(1, 20)
                # strict: the leaver then led another unit that was inspected, and
                # this unit was not inspected earlier in their time here, so a rule
                # that follows the day a finding was logged misses their trail
                if strict and (not other_principal(q, uidx, False, qe)
                               or visited(uidx, qs, new_qe)):
                    continue
            if new_qe - qs < 2 * YEAR or (p_e if p_e is not None else AS_OF) < arrival + 30:
                continue
            # the moved days must not collide with the two people's other posts
            if any(x[0] <= max(new_qe, qe) and (x[1] is None or x[1] >= min(new_qe, qe))
                   for x in w.c_posts[q] if not (x[2] == uidx and x[0] == qs)):
                continue
            if any(x[0] <= max(new_ps, p_s) and (x[1] is None or x[1] >= min(new_ps, p_s))
                   for x in w.c_posts[p] if not (x[2] == uidx and x[0] == p_s)):
                continue
            _move(w, rows, u, q, qs, qe, qs, new_qe)
            _move(w, rows, u, p, p_s, p_e, new_ps, p_e)
            touched.add(uidx)
            done[kind] += 1
            who, other = (p, q) if kind == "newcomer_principal" else (q, p)
            w.near_misses.append({
                "pattern": "responsibility", "kind": kind, "round_id": r["id"], "unit_id": u.id,
                "arrival": ISO[arrival], "cadre_id": w.cid(who),
                "start": ISO[new_ps if who == p else qs], "end": ISO[new_qe] if who == q else
                (ISO[p_e] if p_e is not None else None),
                "days_before_arrival": arrival - (new_ps if who == p else new_qe),
                "other_principal_id": w.cid(other)})


def _move(w, rows, u, c: int, s: int, e, new_s: int, new_e) -> None:
    """Change one principal post of ``c`` at ``u`` from (s, e) to (new_s, new_e)."""
    row = rows.pop((w.cid(c), u.id, ISO[s]))
    row["start"], row["end"] = ISO[new_s], (ISO[new_e] if new_e is not None else None)
    rows[(w.cid(c), u.id, row["start"])] = row
    u.principals[:] = sorted((new_s, new_e, x) if (x == c and a == s) else (a, b2, x)
                             for a, b2, x in u.principals)
    u.holders[:] = sorted(((new_s, new_e, x, role) if (x == c and a == s) else (a, b2, x, role)
                           for a, b2, x, role in u.holders), key=lambda h: (h[0], h[2]))
    w.c_posts[c][:] = [(new_s, new_e, ux, role) if (ux == u.idx and a == s) else (a, b2, ux, role)
                       for a, b2, ux, role in w.c_posts[c]]


def family_surnames(w) -> None:
    """Siblings share one surname, and a child their father's (spouses keep
    their own).  Run last: planting relates and renames people after the
    ordinary pass.  Each such family takes one surname: a planted namesake's
    if it has one (their name is the point), else its first member's."""
    keep = {int(n[k][1:]) - 1 for n in w.near_misses
            if n.get("pattern") == "clusters" for k in ("cadre_id", "lookalike_of")}
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    for r in w.relations:
        a, b = int(r["cadre_id"][1:]) - 1, int(r["other_id"][1:]) - 1
        if r["kind"] == "sibling" or (r["kind"] == "parent" and w.c_male[b]):
            ra, rb = find(a), find(b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    groups: dict[int, list[int]] = {}
    for x in sorted(parent):
        groups.setdefault(find(x), []).append(x)
    for root, members in sorted(groups.items()):
        members = sorted(set(members) | {root})
        kept = [x for x in members if x in keep]
        sn = _surname(w.c_name[kept[0] if kept else members[0]])
        for x in members:
            if x not in kept:
                old = _surname(w.c_name[x])
                w.c_name[x] = sn + w.c_name[x][len(old):]
