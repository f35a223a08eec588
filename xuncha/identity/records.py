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
    """Every cadre of ``store`` as a :class:`PersonRecord`.

    Whole-kind scans through the store API (``nodes(kind, fields)`` and
    ``edges(kind)``), which a saved workspace streams from disk without
    loading the whole graph: matching a province reads cadres, units, issues,
    leads and five edge kinds, not the millions of other edges."""
    out: list[PersonRecord] = []
    index: dict[str, PersonRecord] = {}
    for nid, attrs in store.nodes("cadre", ("id", "name", "dataset", "id_number", "birth_date",
                                            "gender", "native_region_id", "sources")):
        r = PersonRecord(nid, attrs)
        out.append(r)
        index[nid] = r
    if progress:
        progress("records", len(out))
    ukeys = {nid: unit_key(a) for nid, a in store.nodes("unit", ("name", "region_id"))}
    for u, v, _, d in store.edges("HELD_POSITION"):
        r = index.get(u)
        if r is not None and v in ukeys:
            r.posts.append((ukeys[v], d.get("start") or "", d.get("end") or "9999-12-31",
                            bool(d.get("is_principal"))))
    for u, v, _, d in store.edges("RELATED_TO"):
        ru, rv = index.get(u), index.get(v)
        if ru is not None and rv is not None:
            ru.relatives.add(rv.simple)
            rv.relatives.add(ru.simple)
    # Issues and leads that name them: the unit and the date.
    for src_kind, date_field, unit_edge, person_edge in (
            ("issue", "found_date", "FOUND_IN", "IMPLICATES"),
            ("lead", "transfer_date", "CONCERNS_UNIT", "CONCERNS")):
        named: dict[str, list[PersonRecord]] = {}
        for u, v, _, _ in store.edges(person_edge):
            r = index.get(v)
            if r is not None:
                named.setdefault(u, []).append(r)
        if not named:
            continue
        dates = {nid: a.get(date_field) or "" for nid, a in store.nodes(src_kind, (date_field,))
                 if nid in named}
        for u, v, _, _ in store.edges(unit_edge):
            people = named.get(u)
            if people and v in ukeys:
                for r in people:
                    r.links.append((ukeys[v], dates.get(u, "")))
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
