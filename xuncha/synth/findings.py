"""Findings: issues, leads and rectification actions, round by round."""

from __future__ import annotations

import math

from .. import taxonomy
from . import model as M
from .core import (
    AS_OF,
    ISO,
    Unit,
    _overlap_days,
    _surname,
    _weighted,
    _year,
    _years_before,
    ordinal,
)
from .names import NamePool
from .text import MEASURES, ROLE_ZH, compose, fits, masked, years_text

ALL_SUBS = tuple(taxonomy.SUBCATEGORY)
COMMON_SUBS = ("formalism", "financial_management", "eight_point_rules", "theory_study",
               "party_building_lacking", "ideological_work", "strict_governance_weak",
               "bureaucratism")


class Findings:
    """Issues, leads and actions, round by round in date order."""

    def __init__(self, b):
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
        self.i_role: list[str] = []  # role at the unit of the first implicated cadre
        self.i_conduct: list[tuple[int, int, bool]] = []  # (start, end, dated)
        self.i_period: list[tuple[int, int]] = []  # the inspection period of the issue's visit
        self.places: dict[int, list[str]] = {}
        self._pools: dict[int, tuple[str, ...]] = {}
        self.cur_period: dict[int, tuple[int, int]] = {}
        self.rare_rounds: set = set()
        self.rare_quota = 0
        self.rare_planted = 0
        self._here: dict[tuple[int, int], list] = {}  # (unit, period start) -> holders in it
        self.lead_issue: list = []
        w = self.w
        w.planted.setdefault("common", [])
        w.planted.setdefault("recurring", [])

    # -- inspection periods and conduct -----------------------------------------
    def period(self, u: Unit, arrival: int) -> tuple[int, int]:
        """The period the inspection arriving on ``arrival`` looks back on (被巡察期间):
        from the day after the unit's previous inspection, else five years."""
        prev = [v for v in self.w.unit_visits.get(u.idx, ()) if v < arrival]
        start = max(prev) + 1 if prev else _years_before(arrival, M.LOOKBACK_YEARS)
        return start, arrival

    def conduct(self, rng, ps: int, pe: int, lo: int | None = None, hi: int | None = None):
        """(start, end, dated): when the conduct a finding describes happened.

        Dated conduct is whole calendar years (the description then says
        ``2019年至2021年``), chosen inside the inspection period where whole years
        fit, so the years a reader sees are the conduct; only when no whole year
        fits is a partial year clipped to the period.  ``lo``–``hi`` is the
        implicated person's time at the unit inside the period: the years they
        were there.  Undated conduct is the whole period."""
        full_lo = _year(ps) if ps == ordinal(_year(ps)) else _year(ps) + 1
        full_hi = _year(pe) if pe == ordinal(_year(pe), 12, 31) else _year(pe) - 1
        if lo is not None:
            y1, y2 = _year(lo), _year(hi)
            if max(y1, full_lo) <= min(y2, full_hi):
                y1, y2 = max(y1, full_lo), min(y2, full_hi)
        elif full_lo <= full_hi and rng.random() < M.DATED_SHARE:
            y1 = rng.randint(full_lo, full_hi)
            y2 = rng.randint(y1, full_hi)
        else:
            return ps, pe, False
        return max(ordinal(y1), ps), min(ordinal(y2, 12, 31), pe), True

    def _who(self, c: int, role: str, style: int) -> str:
        return f"{ROLE_ZH[role]}\x01{c}:{style}\x02"

    def describe(self, i: int) -> str:
        """The description of issue ``i`` (person placeholders filled at the end)."""
        rng, w = self.rng, self.w
        d = w.issues[i]
        u = w.units[w.issue_unit[i]]
        cs, ce, dated = self.i_conduct[i]
        who = None
        cad = self.i_cadres[i]
        if cad:
            who = self._who(cad[0], self.i_role[i], rng.randrange(2))
        places = self.places.get(u.idx)
        if places is None:
            places = self.places[u.idx] = self._places(u)
        place = rng.choice(places) if places else ""
        years = years_text(_year(cs), _year(ce)) if dated else None
        return compose(rng, d["subcategory"], u.kind, u.name, who, d["amount"], place, years,
                       principal=bool(cad) and self.i_role[i] == "principal")

    def _places(self, u: Unit) -> list[str]:
        reg = u.region
        if reg.level == "village":
            return [reg.name]
        if reg.level == "township":
            return [v.name for v in reg.children] or [reg.name]
        if reg.level == "county":
            return [t.name for t in reg.children][:12]
        return []

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
        pool = self.pool(u)
        bias = M.SUBCAT_BIAS.get(u.kind, {})
        topic = r.get("_topic_subs") or ()
        excluded = self.rect_subs.get(u.idx, ())
        cand = [s for s in pool if s not in excluded]
        if not cand:
            cand = list(pool)
        weights = [bias.get(s, 1.0) * M.RARE_SUBCATS.get(s, 1.0) * (2.0 if s in topic else 1.0)
                   for s in cand]
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

    def pool(self, u: Unit) -> tuple[str, ...]:
        """Subcategories that fit the unit's work."""
        p = self._pools.get(u.idx)
        if p is None:
            p = self._pools[u.idx] = tuple(s for s in ALL_SUBS if fits(u.kind, u.name, s))
        return p

    def issue(self, r: dict, tid: str | None, u: Unit, sub: str, found: int | None = None) -> int:
        rng, w = self.rng, self.w
        i = len(w.issues)
        if found is None:
            span = max(1, r["_end"] - r["_start"] - 4)
            found = r["_start"] + 2 + rng.randrange(span)
        ps, pe = self.cur_period[u.idx]
        amount = None
        if sub in M.MONEY_SUBCATS and rng.random() < 0.65:
            lo, hi = M.MONEY_SUBCATS[sub]
            amount = round(math.exp(rng.uniform(math.log(lo), math.log(hi))), -1 if hi < 100_000 else -2)
        cadres: list[int] = []
        role = ""
        p = rng.random()
        lo = hi = None
        if p < (0.5 if u.kind == "village" else 0.3):
            key = (u.idx, ps)
            here = self._here.get(key)
            if here is None:
                here = self._here[key] = [h for h in u.holders if min(AS_OF if h[1] is None else h[1], pe)
                                          - max(h[0], ps) + 1 >= M.MIN_ACT_DAYS]
            if here:
                h = rng.choice(here)
                cadres.append(h[2])
                role = h[3]
                lo, hi = max(h[0], ps), min(h[1] if h[1] is not None else AS_OF, pe)
                if p < 0.06 and len(here) > 1:
                    other = rng.choice(here)
                    if other[2] not in cadres:
                        cadres.append(other[2])
        w.issues.append({
            "id": f"I{i + 1:07d}", "round_id": r["id"], "unit_id": u.id, "team_id": tid,
            "category": taxonomy.SUBCATEGORY_PARENT[sub], "subcategory": sub,
            "description": "", "cadre_ids": [w.cid(c) for c in cadres], "amount": amount,
            "source": _weighted(rng, M.SOURCE_WEIGHTS), "found_date": ISO[found],
            "immediate": rng.random() < M.IMMEDIATE_RATE,
        })
        w.issue_unit.append(u.idx)
        w.issue_rectified.append(False)
        self.i_found.append(found)
        self.i_round.append(r)
        self.i_cadres.append(cadres)
        self.i_role.append(role)
        self.i_conduct.append(self.conduct(rng, ps, pe, lo, hi))
        self.i_period.append((ps, pe))
        self.by_unit.setdefault(u.idx, []).append(i)
        w.issues[i]["description"] = self.describe(i)
        return i

    def set_sub(self, i: int, sub: str) -> None:
        d = self.w.issues[i]
        d["subcategory"] = sub
        d["category"] = taxonomy.SUBCATEGORY_PARENT[sub]
        d["description"] = self.describe(i)

    def implicate(self, i: int, c: int, role: str) -> None:
        """Name cadre ``c`` in issue ``i`` (a planted story), rewording it."""
        w = self.w
        d = w.issues[i]
        if w.cid(c) in d["cadre_ids"]:
            return
        d["cadre_ids"].insert(0, w.cid(c))
        self.i_cadres[i].insert(0, c)
        self.i_role[i] = role
        # the conduct becomes the person's: their time at the unit in the period
        ps, pe = self.i_period[i]
        u = w.units[w.issue_unit[i]]
        spans = [(max(h[0], ps), min(h[1] if h[1] is not None else AS_OF, pe))
                 for h in u.holders if h[2] == c]
        spans = [s for s in spans if s[0] <= s[1]]
        if spans:
            lo, hi = max(spans, key=lambda s: s[1] - s[0])
            self.i_conduct[i] = self.conduct(self.rng, ps, pe, lo, hi)
        d["description"] = self.describe(i)

    def finish_text(self) -> None:
        """Fill the person placeholders with the names as they finally are
        (planting renames kin and namesakes after their findings were written)."""
        w = self.w

        def fill(text: str) -> str:
            parts = text.split("\x01")
            out = [parts[0]]
            for part in parts[1:]:
                ref, _, rest = part.partition("\x02")
                c, _, style = ref.partition(":")
                name = w.c_name[int(c)]
                out.append(masked(name, _surname(name), int(style)) + rest)
            return "".join(out)

        for d in w.issues:
            if "\x01" in d["description"]:
                d["description"] = fill(d["description"])
        # Half the offices record when the conduct happened (问题发生时间) in its own
        # column; the other half leave it to the description's years.
        crng = self.b.rng("conduct-columns")
        for i, d in enumerate(w.issues):
            cs, ce, dated = self.i_conduct[i]
            if dated and crng.random() < M.CONDUCT_COLUMN_SHARE:
                d["conduct_start"], d["conduct_end"] = ISO[cs], ISO[ce]
        for d in w.leads:
            if "\x01" in d["summary"]:
                d["summary"] = fill(d["summary"])

    # -- one round -----------------------------------------------------------
    def round(self, r: dict) -> None:
        rng, w = self.rng, self.w
        per_unit: dict[int, list[int]] = {}
        team_of: dict[int, str] = {}
        self.cur_period = {}
        for tid, uidx, mode in r["_visits"]:
            u = w.units[uidx]
            ps, pe = self.period(u, r["_start"])
            self.cur_period[uidx] = (ps, pe)
            w.inspections.append((r["id"], tid, uidx, r["_start"], ps, pe))
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
        if r["id"] in self.rare_rounds and self.rare_planted < self.rare_quota:
            self.plant_rare(r, per_unit, team_of, planted_sub)
        for uidx in sorted(per_unit):
            for i in per_unit[uidx]:
                self.rectify(i, r)
        for uidx in sorted(per_unit):
            self.leads_for(r, uidx, per_unit[uidx])

    def plant_rare(self, r, per_unit, team_of, planted_sub) -> None:
        """Near miss for "common problems": exactly three units of a round share a
        subcategory that is rare everywhere (a real pattern among ubiquitous ones)."""
        rng, w = self.rng, self.w
        uidxs = sorted(per_unit)
        for s in sorted(M.RARE_SUBCATS, key=lambda x: M.RARE_SUBCATS[x]):
            ok = [x for x in uidxs if s in self.pool(w.units[x]) and s not in self.rect_subs.get(x, ())]
            if len(ok) < 3:
                continue
            have = [x for x in uidxs if any(w.issues[i]["subcategory"] == s for i in per_unit[x])]
            chosen = sorted(rng.sample(ok, 3))
            for x in have:  # others lose it: the cluster is exactly these three
                if x in chosen:
                    continue
                subs = self._unit_subs(per_unit[x])
                alts = [a for a in self.pool(w.units[x]) if a not in subs and a not in M.RARE_SUBCATS
                        and a != planted_sub and a not in self.rect_subs.get(x, ())]
                if not alts:
                    return
                a = rng.choice(alts)
                for i in subs[s]:
                    self.set_sub(i, a)
            for x in chosen:
                if not any(w.issues[i]["subcategory"] == s for i in per_unit[x]):
                    per_unit[x].append(self.issue(r, team_of[x], w.units[x], s))
            w.near_misses.append({"pattern": "common", "kind": "rare_cluster", "round_id": r["id"],
                                  "subcategory": s, "unit_ids": [w.units[x].id for x in chosen],
                                  "units_inspected": len(uidxs), "common_subcategory": planted_sub})
            self.rare_planted += 1
            return

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
            ok = [x for x in uidxs if s in self.pool(w.units[x])]
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
                pool = self.pool(u)
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
                    cs, ce, _ = self.i_conduct[i]
                    during = [h for h in u.holders if _overlap_days(h[0], h[1], cs, ce) >= M.MIN_ACT_DAYS]
                    here = [h[2] for h in during if h[3] != "staff"] or [h[2] for h in during]
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
            case = force_case or rng.random() < M.CASE_GIVEN_VERIFICATION
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
        what = taxonomy.zh("subcategory", sub).removesuffix("问题") if sub else "违规违纪"
        summary = f"反映\x01{subjects[0]}:1\x02涉嫌{what}问题" if subjects else f"反映{what}问题"
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

