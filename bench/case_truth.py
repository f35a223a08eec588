"""Expected analyst answers, derived from the world's facts in ``truth.json`` (v3).

This module is the case officer's judgement, written down as code.  It reads
only ``truth.json`` (never the graph, never :mod:`xuncha.queries`) and shares
no code or definitions with the query library; bench/README.md states the same
rules in prose ("What counts as truly related").

Items are ``issue:<id>`` / ``lead:<id>``; people are cadre ids.

An item ``x`` is *truly related* to a seed ``s`` (``x != s``) when any of:

1. **same person** — someone the seed is about (its actors: the people an issue
   names, the people a lead concerns) is an actor of ``x``;
2. **lead link** — ``x`` is a lead raised from issue ``s``, the issue lead ``s``
   was raised from, or another lead raised from that issue;
3. **family** — an actor of ``s`` and an actor of ``x`` are kin (spouse, parent,
   child, sibling, grandparent, grandchild, collateral, in-law);
4. **colleague or business** — an actor of ``s`` and an actor of ``x`` are
   former colleagues (the tie records the unit and the overlap of their posts)
   or have business dealings (经济往来);
5. **responsibility** — an actor of ``x`` answered as principal for the conduct
   ``s`` describes (the ``responsible`` of a finding: ran the unit for at least
   six months of the conduct, the office's policy), or an actor of ``s``
   answered for ``x``'s;
6. **one story** — both belong to the same planted story.

Never on their own: the same unit, category, round, team or period, similar
wording, the same name or surname (namesakes), a tie of a tie, or the same
principal answering for both when neither names him.

``planted(s)`` is the rest of the seed's story: the target of recall.
"""

from __future__ import annotations

import json
from pathlib import Path

KIN = frozenset(("spouse", "parent", "child", "sibling", "grandparent", "grandchild",
                 "collateral", "in_law"))
LINKING_TIES = KIN | {"colleague", "business"}


def _table(truth: dict, name: str) -> list[dict]:
    cols = truth["columns"][name]
    return [dict(zip(cols, row)) for row in truth[name]]


class CaseFacts:
    """Indexes over the facts, and the expected answers."""

    def __init__(self, truth: dict):
        if truth.get("version") != 3:
            raise SystemExit(f"truth.json version {truth.get('version')}: this evaluation needs 3 "
                             "(regenerate the data)")
        self.truth = truth
        self.actors: dict[str, set[str]] = {}
        self.unit: dict[str, str] = {}
        self.responsible: dict[str, set[str]] = {}
        self.sources: dict[str, list[str]] = {}  # lead -> issues
        self.leads_of: dict[str, list[str]] = {}  # issue -> leads
        self.items_of: dict[str, set[str]] = {}  # cadre -> items naming them
        self.answers_for: dict[str, set[str]] = {}  # cadre -> items they are responsible for
        for f in _table(truth, "findings"):
            i = "issue:" + f["issue_id"]
            self.actors[i] = set(f["actors"])
            self.unit[i] = f["unit_id"]
            self.responsible[i] = set(f["responsible"])
        for l in _table(truth, "leads"):
            x = "lead:" + l["lead_id"]
            self.actors[x] = set(l["actors"])
            self.unit[x] = l["unit_id"]
            src = ["issue:" + i for i in l["issue_ids"]]
            self.sources[x] = src
            self.responsible[x] = set(l["responsible"])
            for i in src:
                self.leads_of.setdefault(i, []).append(x)
        for x, cs in self.actors.items():
            for c in cs:
                self.items_of.setdefault(c, set()).add(x)
        for x, cs in self.responsible.items():
            for c in cs:
                self.answers_for.setdefault(c, set()).add(x)
        self.ties: dict[str, list[tuple[str, str]]] = {}
        for t in _table(truth, "ties"):
            if t["kind"] in LINKING_TIES:
                self.ties.setdefault(t["cadre_id"], []).append((t["other_id"], t["kind"]))
                self.ties.setdefault(t["other_id"], []).append((t["cadre_id"], t["kind"]))
        self.story_of: dict[str, dict] = {}
        for s in truth["stories"]:
            for x in self.story_items(s):
                self.story_of[x] = s

    @staticmethod
    def story_items(s: dict) -> list[str]:
        return ["issue:" + i for i in s["issue_ids"]] + ["lead:" + i for i in s["lead_ids"]]

    # -- related -----------------------------------------------------------------
    def related(self, s: str) -> dict[str, str]:
        """Every item truly related to ``s``, with the first rule that holds."""
        out: dict[str, str] = {}

        def add(items, why):
            for x in items:
                if x != s and x not in out:
                    out[x] = why

        acts = self.actors.get(s, set())
        for c in sorted(acts):
            add(self.items_of.get(c, ()), "same_person")
        if s.startswith("issue:"):
            add(self.leads_of.get(s, ()), "lead_link")
        for i in self.sources.get(s, ()):
            add([i], "lead_link")
            add(self.leads_of.get(i, ()), "lead_link")
        for c in sorted(acts):
            for other, kind in self.ties.get(c, ()):
                add(self.items_of.get(other, ()), "family" if kind in KIN else kind)
        for c in sorted(self.responsible.get(s, ())):
            add(self.items_of.get(c, ()), "responsibility")
        for c in sorted(acts):
            add(self.answers_for.get(c, ()), "responsibility")
        story = self.story_of.get(s)
        if story:
            add(self.story_items(story), "story")
        return out

    def planted(self, s: str) -> set[str]:
        story = self.story_of.get(s)
        return set(self.story_items(story)) - {s} if story else set()

    # -- trails ------------------------------------------------------------------
    def trails(self) -> dict[str, set[str]]:
        """Cadres who answered as principal for findings at two or more units."""
        units: dict[str, set[str]] = {}
        for x, cs in self.responsible.items():
            if x.startswith("issue:"):
                for c in cs:
                    units.setdefault(c, set()).add(self.unit[x])
        return {c: us for c, us in units.items() if len(us) >= 2}

    # -- clusters ----------------------------------------------------------------
    def clusters(self) -> list[set[str]]:
        """Groups of items joined by people (rules 1–4), spanning two or more units."""
        parent: dict[str, str] = {}

        def find(x):
            while parent.get(x, x) != x:
                parent[x] = parent.get(parent[x], parent[x])
                x = parent[x]
            return x

        def union(a, b):
            ra, rb = find(a), find(b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)

        for x, cs in self.actors.items():
            for c in cs:
                union(x, "cadre:" + c)
        for x, src in self.sources.items():
            for i in src:
                union(x, i)
        for c, ts in self.ties.items():
            if c in self.items_of:
                for other, _ in ts:
                    if other in self.items_of:
                        union("cadre:" + c, "cadre:" + other)
        comps: dict[str, set[str]] = {}
        for x in self.actors:
            comps.setdefault(find(x), set()).add(x)
        return [g for g in comps.values() if len({self.unit[x] for x in g}) >= 2]

    # -- paths -------------------------------------------------------------------
    def path_pairs(self) -> list[dict]:
        return [dict(p, story=s["id"], kind=s["kind"]) for s in self.truth["stories"]
                for p in s["pairs"]]

    def near(self, kind: str) -> list[dict]:
        return [n for n in self.truth["near_misses"] if n.get("kind") == kind]


def load(path: str | Path) -> CaseFacts:
    return CaseFacts(json.loads(Path(path).read_text(encoding="utf-8")))
