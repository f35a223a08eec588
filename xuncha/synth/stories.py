"""Planted stories: related-case clusters, namesakes and conflicted inspectors."""

from __future__ import annotations

from . import model as M
from .core import (
    AS_OF,
    ISO,
    YEAR,
    _overlap,
    _surname,
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

