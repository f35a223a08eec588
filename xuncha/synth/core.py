"""Shared pieces of the synthetic world: the day arithmetic, the random streams,
and the plain data holders (:class:`Unit`, :class:`Jurisdiction`, :class:`World`).
"""

from __future__ import annotations

import bisect

import datetime as _dt
import random
from dataclasses import dataclass, field
from typing import Callable

from . import model as M
from .names import id_check
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


_CUM: dict[int, tuple[list, list, float]] = {}


def _weighted(rng: random.Random, pairs) -> str:
    """One code of ``pairs`` ((code, weight), ...) drawn by weight; the same draw
    as ``rng.choices(codes, weights)`` (cumulative weights cached per tuple)."""
    got = _CUM.get(id(pairs))
    if got is None or got[0] is not pairs:
        cum, total = [], 0.0
        for _, w in pairs:
            total += w
            cum.append(total)
        got = _CUM[id(pairs)] = (pairs, [c for c, _ in pairs], cum)
    _, codes, cum = got
    return codes[bisect.bisect(cum, rng.random() * cum[-1], 0, len(cum) - 1)]


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
    founded: int = 0  # ordinal day the body was set up (0: long before any date here)
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
    unit_visits: dict[int, list] = field(default_factory=dict)  # unit idx -> [round start]
    # (round id, team id, unit idx, arrival, period start, period end) per visit
    inspections: list[tuple] = field(default_factory=list)
    findings: object = None  # the Findings builder (conduct periods, for truth.py)

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


def _surname(name: str) -> str:
    return name[:2] if name[:2] in ("欧阳", "司马", "诸葛", "上官") else name[:1]


def _year(day: int) -> int:
    return _dt.date.fromordinal(day).year


def _overlap_days(s1, e1, s2, e2) -> int:
    """Days two spans share (``None`` ends: still running on AS_OF)."""
    e1 = AS_OF if e1 is None else e1
    e2 = AS_OF if e2 is None else e2
    return max(0, min(e1, e2) - max(s1, s2) + 1)


def _overlap(s1, e1, s2, e2) -> bool:
    return s1 <= (e2 if e2 is not None else AS_OF) and s2 <= (e1 if e1 is not None else AS_OF)


def _chunks(items: list, n: int) -> list[list]:
    size = len(items) / n
    return [items[round(i * size):round((i + 1) * size)] for i in range(n)]


def _years_before(day: int, years: int) -> int:
    d = _dt.date.fromordinal(day)
    try:
        return d.replace(year=d.year - years).toordinal()
    except ValueError:  # 29 February
        return d.replace(year=d.year - years, day=28).toordinal()
