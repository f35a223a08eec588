"""Resolved identities: judgements applied to the graph when it is built.

:func:`clusters` turns judgements into groups of source records (union-find);
:func:`apply` contracts each group into one node.

Invariants:
- positive judgements are transitive (A=B and B=C put A, B, C in one group);
- a ``different`` judgement is never overridden through transitivity: a
  ``same`` judgement that would join two groups holding a ``different`` pair is
  not applied, and is reported as a contradiction; human ``same`` judgements
  are applied before machine ones (machine ones by descending score), so a
  machine judgement never undoes what a human decided;
- ``unsure`` judgements merge nothing (they only keep a pair out of ``match``);
- a merged node keeps the canonical member's id and attributes, fills missing
  attributes from the other members, and records every member in ``sources``
  (their ids, ``dataset/raw``) with ``source_names`` beside it; an edge moved
  from another member carries ``merged_from`` (that member's id), which is how
  evidence says a fact is known only through a merge (:func:`merge_note`);
- judgements naming records that are not in the graph are ignored (counted).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..i18n import define, join, msg
from .judgements import Judgements

define({"identity.of_dataset": ("{name}（{dataset}台账）", "{name} ({dataset} ledgers)"),
        "identity.same_person": ("{other}与{here}判定为同一人", "{other} and {here} judged the same person")})


@dataclass
class MergeReport:
    groups: int = 0  # merged entities
    records: int = 0  # source records folded into them
    contradictions: list[str] = field(default_factory=list)
    unknown: int = 0  # judgements naming no record in the graph
    dropped_loops: int = 0  # edges that became self-loops (A related to A)

    def as_dict(self) -> dict:
        return {"groups": self.groups, "records": self.records,
                "contradictions": self.contradictions, "unknown": self.unknown}


class _UnionFind:
    def __init__(self):
        self.parent: dict[str, str] = {}
        self.members: dict[str, set[str]] = {}

    def find(self, x: str) -> str:
        p = self.parent.setdefault(x, x)
        if p != x:
            root = self.find(p)
            self.parent[x] = root
            return root
        self.members.setdefault(x, {x})
        return x

    def union(self, a: str, b: str) -> str:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return ra
        if len(self.members[ra]) < len(self.members[rb]):
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.members[ra] |= self.members.pop(rb)
        return ra


def clusters(judgements: Judgements, known=None) -> tuple[list[list[str]], MergeReport]:
    """Groups (each sorted) of two or more records judged the same.

    ``known``: a container of node ids; judgements naming others are ignored.

    >>> from xuncha.identity.judgements import Judgement, Judgements
    >>> js = Judgements("x")
    >>> for a, b, d in [("c:1", "c:2", "same"), ("c:2", "c:3", "same"), ("c:3", "c:4", "different"),
    ...                 ("c:4", "c:1", "same")]:
    ...     _ = js.set(Judgement(a, b, d))
    >>> groups, report = clusters(js)
    >>> groups, len(report.contradictions)
    ([['c:1', 'c:2', 'c:3']], 1)
    """
    report = MergeReport()
    uf = _UnionFind()
    different: dict[str, set[str]] = {}
    same = []
    for j in judgements.items.values():
        if known is not None and (j.a not in known or j.b not in known):
            report.unknown += 1
            continue
        if j.decision == "different":
            different.setdefault(j.a, set()).add(j.b)
            different.setdefault(j.b, set()).add(j.a)
        elif j.decision == "same":
            same.append(j)
    same.sort(key=lambda j: (j.source != "human", -(j.score or 0.0), j.a, j.b))
    for j in same:
        ra, rb = uf.find(j.a), uf.find(j.b)
        if ra == rb:
            continue
        ma, mb = uf.members[ra], uf.members[rb]
        clash = next(((x, y) for x in ma for y in different.get(x, ()) if y in mb), None)
        if clash:
            report.contradictions.append(
                f"{j.a} = {j.b} ({j.source}) not applied: {clash[0]} and {clash[1]} are judged "
                f"different (判定矛盾)")
            continue
        uf.union(j.a, j.b)
    groups = sorted(sorted(m) for m in uf.members.values() if len(m) > 1)
    return groups, report


_IGNORED = frozenset({"merged_from", "prov"})


def _has_same(g, u: str, v: str, d: dict) -> bool:
    """Whether ``u -> v`` already has an edge saying what ``d`` says (the same
    post recorded by two offices): then the moved edge is a duplicate."""
    keydict = g._succ.get(u, {}).get(v)
    if not keydict:
        return False
    want = {k: x for k, x in d.items() if k not in _IGNORED}
    for e in keydict.values():
        if {k: x for k, x in e.items() if k not in _IGNORED} == want:
            if "prov" in d and "prov" in e:  # keep every ledger row as provenance
                e["prov"] = list(dict.fromkeys([*e["prov"], *d["prov"]]))
            return True
    return False


def _canonical(g, members: list[str]) -> str:
    """The member whose record says most: a valid ID number, then most filled
    attributes, then the smallest id (deterministic)."""
    from .idnumber import is_valid

    def rank(n):
        a = g.nodes[n]
        return (not is_valid(a.get("id_number")), -sum(v not in (None, "", []) for v in a.values()), n)

    return min(members, key=rank)


def apply(g, judgements: Judgements, progress=None) -> MergeReport:
    """Contract every group of ``judgements`` into its canonical node, in place."""
    from ..graph.build import GraphWriter

    groups, report = clusters(judgements, g)
    w = GraphWriter(g)
    for members in groups:
        kinds = {g.nodes[m].get("kind") for m in members}
        if len(kinds) != 1:
            report.contradictions.append(
                f"{' = '.join(members)}: records of different kinds cannot be one entity")
            continue
        c = _canonical(g, members)
        attrs = g.nodes[c]
        sources, names = [], []
        for m in [c] + [m for m in members if m != c]:
            a = g.nodes[m]
            for s, n in zip(a.get("sources") or [a.get("id", m)], a.get("source_names") or [a.get("name") or ""]):
                sources.append(s)
                names.append(n)
        for m in members:
            if m == c:
                continue
            a = g.nodes[m]
            if a.get("prov"):  # every ledger row behind the entity
                attrs["prov"] = list(dict.fromkeys([*(attrs.get("prov") or ()), *a["prov"]]))
            for k, v in a.items():
                if k in ("sources", "source_names", "prov"):
                    continue
                if attrs.get(k) in (None, "", []) and v not in (None, "", []):
                    attrs[k] = v
            via = a.get("id", m)
            for _, v, key, d in list(g.out_edges(m, keys=True, data=True)):
                if v in members:
                    report.dropped_loops += 1
                elif not _has_same(g, c, v, d):
                    w.add_edge(c, v, key.split("#", 1)[0], {**d, "merged_from": d.get("merged_from", via)})
            for u, _, key, d in list(g.in_edges(m, keys=True, data=True)):
                if u in members:
                    report.dropped_loops += 1
                elif not _has_same(g, u, c, d):
                    w.add_edge(u, c, key.split("#", 1)[0], {**d, "merged_from": d.get("merged_from", via)})
            g.remove_node(m)
        attrs["sources"] = sources
        attrs["source_names"] = names
        report.groups += 1
        report.records += len(members)
    w.close()
    return report


def merge_note(store, nid: str, via: str) -> str | None:
    """The evidence sentence for a fact of merged node ``nid`` that came from
    its source record ``via`` (an edge's ``merged_from``), e.g.
    "C0123（乙县台账）与张某强（甲县台账）判定为同一人"."""
    if not via or not store.has(nid):
        return None
    a = store.node(nid)
    sources, names = a.get("sources") or [], a.get("source_names") or []
    if via not in sources:
        return None
    name = names[sources.index(via)] if sources.index(via) < len(names) else ""
    ds, _, raw = via.rpartition("/")
    here_name = a.get("name") or a.get("source_id") or a.get("id")
    other = raw + (f" {name}" if name and name != here_name else "")
    if ds:
        other = msg("identity.of_dataset", name=other, dataset=ds)
    here = (msg("identity.of_dataset", name=here_name, dataset=a.get("dataset")) if a.get("dataset")
            else str(here_name))
    return msg("identity.same_person", other=other, here=here)


def merge_notes(store, path, extra: tuple = ()) -> list[str]:
    """Evidence notes for a path of node ids whose edges (between consecutive
    nodes, either direction, plus the ``extra`` (u, v) pairs) include facts
    known only through a merge.  Empty when nothing on the path was merged."""
    g = store.graph
    succ = g._succ
    notes: list[str] = []
    pairs = list(zip(path, path[1:])) + list(extra)
    for u, v in pairs:
        for x, y in ((u, v), (v, u)):
            for d in (succ.get(x, {}).get(y) or {}).values():
                via = d.get("merged_from")
                if not via:
                    continue
                for end in (x, y):
                    note = merge_note(store, end, via)
                    if note and note not in notes:
                        notes.append(note)
    return notes


def annotate_conflicts(store, conflicts) -> int:
    """Add "…判定为同一人" to the text of each conflict whose evidence path (or
    the inspector's team membership) runs through a merge; returns how many.

    The hook :func:`xuncha.planning.conflicts.find_conflicts` calls: a conflict
    seen only because two offices' records were judged one person says so."""
    n = 0
    if not store.meta.get("merges") or not hasattr(store.graph, "_succ"):
        return 0
    for c in conflicts:
        extra = ((c.inspector_id, c.team_id),) if c.inspector_id and c.team_id else ()
        notes = merge_notes(store, [p for p in c.path if store.has(p)], extra)
        if notes:
            note = msg("conflict.merge_note", notes=join(notes, "；", "; "))
            if getattr(c.text, "code", None) == "conflict.sentence":
                c.text = msg("conflict.sentence", **{**c.text.params, "note": note})
            else:  # pragma: no cover - every conflict text is a conflict.sentence
                c.text = msg("conflict.sentence", role="", text=c.text, note=note)
            n += 1
    return n
