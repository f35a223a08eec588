"""Indexes of the graph that conflict checks and planning read, built once.

:class:`PlanningIndex` turns the store into plain dicts keyed by raw ids
(posts by cadre and by unit, region ancestry, unit hierarchy, memberships per
round, inspection history, the kinship adjacency), so that checking a
300 × 2,000 team × unit matrix touches each post and relation a bounded
number of times instead of walking the graph per pair.

Invariants: dates are ISO strings (they compare as dates); a post with no end
is open; every id here is raw (``C001``), output adds the ``kind:`` prefix.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from functools import cached_property

from ..graph.store import GraphStore
from .kinship import Kinship

LEVEL_RANK = {"province": 0, "city": 1, "county": 2, "township": 3, "village": 4}


def years_before(iso: str, n: int) -> str:
    """The date ``n`` years before ``iso`` (29 February -> 28 February).

    >>> years_before("2024-02-29", 3), years_before("2024-03-01", 3)
    ('2021-02-28', '2021-03-01')
    """
    d = _dt.date.fromisoformat(iso)
    try:
        return d.replace(year=d.year - n).isoformat()
    except ValueError:
        return d.replace(year=d.year - n, day=28).isoformat()


def years_after(iso: str, n: int) -> str:
    d = _dt.date.fromisoformat(iso)
    try:
        return d.replace(year=d.year + n).isoformat()
    except ValueError:
        return d.replace(year=d.year + n, day=28).isoformat()


def today() -> str:
    return _dt.date.today().isoformat()


@dataclass(frozen=True)
class Post:
    """One row of the positions ledger (a HELD_POSITION edge)."""

    cadre: str
    unit: str
    title: str
    start: str | None
    end: str | None
    principal: bool
    leadership: bool

    def current(self, as_of: str) -> bool:
        return (self.start is None or self.start <= as_of) and (self.end is None or self.end >= as_of)

    def span(self) -> str:
        return f"{self.start or '?'}至{self.end or '今'}"


@dataclass(frozen=True)
class Member:
    cadre: str
    role: str | None


class PlanningIndex:
    """Plain look-up tables over a :class:`GraphStore` for planning.

    >>> ix = PlanningIndex(store, policy)        # doctest: +SKIP
    >>> ix.members("R1")["T1"]                   # doctest: +SKIP
    [Member(cadre='C004', role='leader')]
    """

    def __init__(self, store: GraphStore, policy=None):
        from .policy import load_policy

        self.store = store
        self.policy = policy or load_policy()
        g = store.graph
        self.units: dict[str, dict] = {d["id"]: d for _, d in store.nodes("unit")}
        self.cadres: dict[str, dict] = {d["id"]: d for _, d in store.nodes("cadre")}
        self.teams: dict[str, dict] = {d["id"]: d for _, d in store.nodes("team")}
        self.rounds: dict[str, dict] = {d["id"]: d for _, d in store.nodes("round")}
        self.regions: dict[str, dict] = {d["id"]: d for _, d in store.nodes("region")}
        # One pass over the out-edges of regions, cadres and teams only (issues,
        # leads and actions hold most edges and are not needed here).
        edges: dict[str, list] = {"PART_OF": [], "HELD_POSITION": [], "RELATED_TO": [],
                                  "MEMBER_OF": [], "INSPECTED": []}
        if not getattr(store, "_whole", True):
            # a saved workspace not loaded in memory: stream each edge kind from
            # its source rows (one query each) instead of a row per node
            for kind, lst in edges.items():
                lst.extend((u, v, d) for u, v, _, d in store.edges(kind))
        else:
            adj = g.adj
            for kind in ("region", "cadre", "team"):
                for n in store.by_kind.get(kind, ()):
                    for v, keyed in adj[n].items():
                        for d in keyed.values():
                            lst = edges.get(d["kind"])
                            if lst is not None:
                                lst.append((n, v, d))
        self.region_parent: dict[str, str] = {}
        for u, v, _ in edges["PART_OF"]:
            self.region_parent[u.partition(":")[2]] = v.partition(":")[2]
        self.posts_by_cadre: dict[str, list[Post]] = {}
        self.posts_by_unit: dict[str, list[Post]] = {}
        is_lead = self.policy.is_leadership
        lead_cache: dict[tuple, bool] = {}
        for u, v, d in edges["HELD_POSITION"]:
            c, un = u.partition(":")[2], v.partition(":")[2]
            title, principal = d.get("title") or "", bool(d.get("is_principal"))
            lk = (title, principal)
            lead = lead_cache.get(lk)
            if lead is None:
                lead = lead_cache[lk] = is_lead(title, principal)
            p = Post(c, un, title, d.get("start"), d.get("end"), principal, lead)
            self.posts_by_cadre.setdefault(c, []).append(p)
            self.posts_by_unit.setdefault(un, []).append(p)
        # Canonical orders (independent of the graph's insertion order, so a
        # sub-graph fetched from a server indexes the same): a cadre's posts by
        # (start, unit), a unit's by (start, cadre); the sorts are stable, so
        # repeated posts of one pair keep their edge-key order.
        for lst in self.posts_by_cadre.values():
            lst.sort(key=lambda p: (p.start or "", p.unit))
        for lst in self.posts_by_unit.values():
            lst.sort(key=lambda p: (p.start or "", p.cadre))
        self.kinship = Kinship.from_edges(
            (u.partition(":")[2], v.partition(":")[2], d.get("relation_kind"))
            for u, v, d in edges["RELATED_TO"])
        self._members: dict[str, dict[str, list[Member]]] = {}
        for u, v, d in edges["MEMBER_OF"]:
            self._members.setdefault(d.get("round_id"), {}).setdefault(
                v.partition(":")[2], []).append(Member(u.partition(":")[2], d.get("role")))
        self.history: list[tuple[str, str, str]] = []  # (round_id, team_id, unit_id)
        self.assignment: dict[tuple[str, str, str], dict] = {}  # -> {start, end, mode}
        for u, v, d in edges["INSPECTED"]:
            key = (d.get("round_id"), u.partition(":")[2], v.partition(":")[2])
            self.history.append(key)
            self.assignment[key] = {k: d.get(k) for k in ("start", "end", "mode")}
        self.history.sort()
        del g
        self._region_at: dict[tuple, str | None] = {}
        self._ubk: dict[str, dict[str, list[str]]] = {}
        self._within: dict[str, list[str]] | None = None

    # -- regions -------------------------------------------------------------
    def region_level(self, rid: str | None) -> int | None:
        if rid is None or rid not in self.regions:
            return None
        return LEVEL_RANK.get(self.regions[rid].get("level"))

    def ancestors(self, rid: str | None) -> list[str]:
        """``rid`` and its ancestors, nearest first."""
        out = []
        seen = set()
        while rid is not None and rid not in seen:
            out.append(rid)
            seen.add(rid)
            rid = self.region_parent.get(rid)
        return out

    def region_at(self, rid: str | None, level: str) -> str | None:
        """The region containing ``rid`` at ``level``, or ``rid`` itself when it
        is already at that level or coarser (a city stays a city)."""
        key = (rid, level)
        hit = self._region_at.get(key)
        if hit is not None or key in self._region_at:
            return hit
        want = LEVEL_RANK[level]
        out = rid
        for r in self.ancestors(rid):
            lv = self.region_level(r)
            if lv is None or lv <= want:
                out = r
                break
        self._region_at[key] = out
        return out

    def units_by_region_key(self, level: str) -> dict[str, list[str]]:
        """region at ``level`` -> the units in it (cached)."""
        hit = self._ubk.get(level)
        if hit is None:
            hit = {}
            for uid, d in self.units.items():
                r = d.get("region_id")
                if r:
                    hit.setdefault(self.region_at(r, level), []).append(uid)
            self._ubk[level] = hit
        return hit

    def units_within(self, region: str | None) -> list[str]:
        """Units whose region lies inside ``region`` (PART_OF, any depth)."""
        if self._within is None:
            idx: dict[str, list[str]] = {}
            for uid, d in self.units.items():
                for a in self.ancestors(d.get("region_id")):
                    idx.setdefault(a, []).append(uid)
            self._within = idx
        return self._within.get(region, []) if region else []

    def contains(self, outer: str, inner: str | None) -> bool:
        return outer in self.ancestors(inner)

    def unit_region(self, uid: str) -> str | None:
        return self.units.get(uid, {}).get("region_id")

    def superiors(self, uid: str, levels: int) -> list[str]:
        out, cur = [], uid
        for _ in range(levels):
            cur = self.units.get(cur, {}).get("parent_id")
            if not cur or cur in out or cur == uid:
                break
            out.append(cur)
        return out

    # -- teams -----------------------------------------------------------------
    def team_level(self, tid: str) -> str | None:
        t = self.teams.get(tid, {})
        if t.get("level"):
            return t["level"]
        r = t.get("home_region_id")
        return self.regions.get(r, {}).get("level") if r else None

    def add_round(self, rid: str, start: str, name: str | None = None, kind: str | None = None,
                  topic: str | None = None) -> None:
        """A round being planned that the ledgers do not hold yet (in memory only):
        its start dates the checks, its kind decides ``local``, and the
        ``repeat`` look-back counts the rounds before it."""
        self.rounds[rid] = {"id": rid, "kind": "round", "name": name or rid, "start": start,
                            "round_kind": kind, "topic": topic}
        self.__dict__.pop("rounds_by_start", None)

    def members(self, round_id: str) -> dict[str, list[Member]]:
        return self._members.get(round_id, {})

    @cached_property
    def rounds_by_start(self) -> list[str]:
        return sorted(self.rounds, key=lambda r: (self.rounds[r].get("start") or "", r))

    def latest_members(self, tid: str, before: str | None = None) -> tuple[str | None, list[Member]]:
        """The team's membership in its latest round (starting on or before ``before``)."""
        best = None
        for r in self.rounds_by_start:
            if tid in self._members.get(r, {}):
                st = self.rounds[r].get("start")
                if before is None or st is None or st <= before:
                    best = r
        if best is None:
            # memberships whose round is not in the rounds ledger (or starts
            # after ``before``): the last by round id, whatever the graph's order
            for r, teams in sorted(self._members.items(), key=lambda kv: str(kv[0])):
                if tid in teams:
                    best = r
        return best, list(self._members.get(best, {}).get(tid, [])) if best else []

    def previous_rounds(self, round_id: str | None, as_of: str, k: int) -> list[str]:
        """The last ``k`` rounds before ``round_id`` (or starting before ``as_of``),
        of the same committee when the round names one; most recent first."""
        if k <= 0:
            return []
        cur = self.rounds.get(round_id) if round_id else None
        start = (cur or {}).get("start") or as_of
        committee = (cur or {}).get("committee_region_id")
        cands = []
        for r in self.rounds_by_start:
            if r == round_id:
                continue
            d = self.rounds[r]
            if committee and d.get("committee_region_id") and d["committee_region_id"] != committee:
                continue
            st = d.get("start")
            if st is not None and st < start:
                cands.append(r)
        return list(reversed(cands))[:k]

    def cadre_name(self, cid: str) -> str:
        return self.cadres.get(cid, {}).get("name") or cid

    def unit_name(self, uid: str) -> str:
        return self.units.get(uid, {}).get("name") or uid

    def region_name(self, rid: str | None) -> str:
        return self.regions.get(rid, {}).get("name") or (rid or "?")

    def team_name(self, tid: str) -> str:
        return self.teams.get(tid, {}).get("name") or tid
