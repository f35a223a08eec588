"""Inspection rounds: regular, special, mobile, look-back, cross, upgraded, linked."""

from __future__ import annotations

from . import model as M
from .core import (
    AS_OF,
    ISO,
    Unit,
    _chunks,
    ordinal,
)
from .regions import Region


class RoundsMixin:
    """Builder steps for rounds and team assignments."""

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
            units = [u for u in units if u.founded <= r["_start"]]  # no body, no inspection
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
                        if u.founded <= r["_start"]:
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

