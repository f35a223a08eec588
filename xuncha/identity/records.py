"""The comparable view of a cadre or unit node: what matching reads.

One :class:`PersonRecord` per cadre node, built once from the store: name keys
(:mod:`.names`), the valid 身份证号 (:mod:`.idnumber`), birth date, gender,
native place, posts (unit key, start, end, principal) and the simplified names
of the people they are related to.

Invariants:
- ``idn`` is set only for a checksum-valid number (an invalid one is no
  evidence either way); ``birth`` is an ISO date whose day ``01`` is read as
  "day unknown" (ledgers give 出生年月, stored as the month's first day) and
  ``MM-DD`` = ``01-01`` as "month unknown";
- a post's unit key is (simplified unit name, region id): the same unit
  recorded by two offices under two ids compares equal.

Plain classes with ``__slots__``, not pydantic: a province has 100,000+
records and the scorer reads them millions of times.
"""

from __future__ import annotations

from . import idnumber
from .names import is_masked, pinyin, simplify, surname


class PersonRecord:
    __slots__ = ("nid", "dataset", "name", "simple", "pinyin", "surname", "masked", "idn",
                 "birth", "gender", "native", "posts", "relatives", "sources", "links")

    def __init__(self, nid: str, attrs: dict):
        self.nid = nid
        self.dataset = attrs.get("dataset")
        self.name = str(attrs.get("name") or "")
        self.simple = simplify(self.name)
        self.pinyin = pinyin(self.simple)
        self.surname = surname(self.simple)
        self.masked = is_masked(self.simple)
        idn = attrs.get("id_number")
        self.idn = idnumber.normalise(idn) if idn and idnumber.is_valid(idn) else None
        self.birth = attrs.get("birth_date") or (idnumber.birth_date(self.idn) if self.idn else None)
        self.gender = attrs.get("gender") or (idnumber.gender(self.idn) if self.idn else None)
        self.native = attrs.get("native_region_id")
        self.posts: list[tuple[tuple, str, str, bool]] = []
        self.relatives: set[str] = set()
        self.links: list[tuple[tuple, str]] = []  # (unit key, date) of issues/leads naming them
        self.sources = attrs.get("sources") or [attrs.get("id") or nid]

    def label(self) -> str:
        raw = self.nid.split(":", 1)[-1]
        return f"{raw} {self.name}"


def unit_key(attrs: dict) -> tuple:
    return (simplify(attrs.get("name") or ""), attrs.get("region_id"))


def person_records(store, progress=None) -> list[PersonRecord]:
    """Every cadre of ``store`` as a :class:`PersonRecord` (a full scan: a
    saved workspace is loaded whole, as matching compares across all of it)."""
    materialize = getattr(store, "materialize", None)
    g = materialize() if materialize is not None else store.graph
    nodes = g.nodes
    ukeys: dict[str, tuple] = {}
    names: dict[str, str] = {}
    out: list[PersonRecord] = []
    for nid, attrs in store.nodes("cadre"):
        out.append(PersonRecord(nid, attrs))
        names[nid] = simplify(attrs.get("name") or "")
    succ = g._succ if hasattr(g, "_succ") else None
    for k, r in enumerate(out):
        for v, keydict in (succ[r.nid].items() if succ is not None else ()):
            for d in keydict.values():
                kind = d.get("kind")
                if kind == "HELD_POSITION":
                    uk = ukeys.get(v)
                    if uk is None:
                        uk = ukeys[v] = unit_key(nodes[v])
                    r.posts.append((uk, d.get("start") or "", d.get("end") or "9999-12-31",
                                    bool(d.get("is_principal"))))
                elif kind == "RELATED_TO":
                    nm = names.get(v)
                    if nm:
                        r.relatives.add(nm)
        if progress and k % 20000 == 0:
            progress("records", k)
    # Relations recorded from the other side.
    index = {r.nid: r for r in out}
    for u, nbrs in (succ.items() if succ is not None else ()):
        ru = index.get(u)
        if ru is None:
            continue
        for v, keydict in nbrs.items():
            rv = index.get(v)
            if rv is not None and any(d.get("kind") == "RELATED_TO" for d in keydict.values()):
                rv.relatives.add(ru.simple)
    # Issues and leads that name them: the unit and the date.
    pred = g._pred
    for r in out:
        for u, keydict in pred[r.nid].items():
            for d in keydict.values():
                kind = d.get("kind")
                if kind not in ("IMPLICATES", "CONCERNS"):
                    continue
                src = nodes[u]
                date = src.get("found_date") or src.get("transfer_date") or ""
                edge = "FOUND_IN" if kind == "IMPLICATES" else "CONCERNS_UNIT"
                for v, kd in succ[u].items():
                    if any(x.get("kind") == edge for x in kd.values()):
                        uk = ukeys.get(v)
                        if uk is None:
                            uk = ukeys[v] = unit_key(nodes[v])
                        r.links.append((uk, date))
    return out


class UnitRecord:
    __slots__ = ("nid", "dataset", "name", "names", "region", "kind", "parent")

    def __init__(self, nid: str, attrs: dict):
        self.nid = nid
        self.dataset = attrs.get("dataset")
        self.name = str(attrs.get("name") or "")
        self.names = {simplify(n) for n in [self.name, *(attrs.get("aliases") or ())] if n}
        self.region = attrs.get("region_id")
        self.kind = attrs.get("unit_kind")
        self.parent = attrs.get("parent_id")

    def label(self) -> str:
        return f"{self.nid.split(':', 1)[-1]} {self.name}"
