"""Sanity rules over validated rows: what is well-formed but cannot be true.

Each check takes the rows of one ledger (:class:`~xuncha.loaders.dataset.Row`,
references already resolved to ids) and yields findings located at a row
and column; :mod:`xuncha.loaders.dataset` turns them into problems.

Errors (the row is not loaded):
- a unit or region that is its own ancestor (``parent_id`` cycle), named in
  full: ``unit 0101 → 0102 → 0101``;
- team capacity (承担单位数) of 0 or less; a negative count of rules.

Warnings (the row is loaded):
- more than two principals (一把手) of one unit at once, or two at once with
  the same title.  Two at once is normal: the Party secretary (书记) and the
  head (局长/主任/院长…) are both principals of many units;
- a relation given twice (same person, other person, kind): kept once, and
  its ``prov`` cites both rows;
- dates outside plausible bounds: a birth before 1900 or less than 16 years
  ago; an event (finding, transfer, case, completion, start of a post) after
  today or before 1949-10-01; a deadline or the end of a planned round more
  than 30 years ahead;
- a 身份证号 (GB 11643) whose check character is wrong (ISO 7064 MOD 11-2), or
  whose birth date or sex digit disagrees with the cadre's birth date or
  gender.
"""

from __future__ import annotations

import datetime as _dt
import operator
from typing import Iterator, NamedTuple

from ..graph.schema import LEDGERS
from ..identity.idnumber import check_char as id_check_char  # GB 11643 MOD 11-2

# (file-level) lower bound for events: the founding of the PRC.
EVENT_MIN = "1949-10-01"
BIRTH_MIN = "1900-01-01"
MIN_AGE = 16
FUTURE_YEARS = 30  # how far ahead a deadline or a planned date may be


class Finding(NamedTuple):
    severity: str
    row: object  # the Row
    field: str
    value: object
    reason: str


# -- cycles -------------------------------------------------------------------

def cycles(rows: list, ref_field: str, kind: str) -> list[list]:
    """Every cycle of ``ref_field`` (a parent reference to the same ledger),
    as the list of its rows in chain order, starting at the row read first."""
    by_id = {r.data["id"]: r for r in rows}
    state: dict[str, int] = {}  # 1 = on the current chain, 2 = done
    found = []
    for r in rows:
        start = r.data["id"]
        if start in state:
            continue
        chain: list[str] = []
        nid = start
        while nid is not None and nid in by_id and nid not in state:
            state[nid] = 1
            chain.append(nid)
            nid = by_id[nid].data.get(ref_field)
        if nid is not None and state.get(nid) == 1:
            loop = chain[chain.index(nid):]
            first = min(range(len(loop)), key=lambda i: by_id[loop[i]].row)
            loop = loop[first:] + loop[:first]
            found.append([by_id[i] for i in loop])
        for c in chain:
            state[c] = 2
    return found


def cycle_findings(rows: list, ledger) -> Iterator[Finding]:
    for f in ledger.fields:
        if f.base == "ref" and f.arg == ledger.node:
            for loop in cycles(rows, f.name, ledger.node):
                path = " → ".join(r.data["id"] for r in loop) + f" → {loop[0].data['id']}"
                where = ", ".join(f"row {r.row}" for r in loop)
                # Reported at the row read last: the one that closes the cycle.
                last = max(loop, key=lambda r: r.row)
                yield Finding("error", last, f.name, last.data.get(f.name),
                              f"{f.name} {f.zh} makes a cycle (上下级成环): {ledger.node} {path} "
                              f"({where}); a {ledger.node} cannot be its own ancestor")


# -- row rules ----------------------------------------------------------------

ROW_RULES = frozenset({"teams", "actions"})


def row_findings(name: str, d: dict) -> Iterator[tuple[str, object, str]]:
    """(field, value, reason) errors of one row that need no other row."""
    if name == "teams":
        cap = d.get("capacity")
        if cap is not None and cap <= 0:
            yield ("capacity", cap, f"capacity 承担单位数 must be at least 1 (承担单位数应大于0), "
                                    f"got {cap}")
    if name == "actions":
        n = d.get("rules_count")
        if n is not None and n < 0:
            yield ("rules_count", n, f"rules_count 建章立制数 cannot be negative, got {n}")


# -- principals ---------------------------------------------------------------

FAR = "9999-12-31"


def principal_findings(positions: list) -> Iterator[Finding]:
    """More than two principals of one unit at once, or two with one title."""
    by_unit: dict[str, list] = {}
    for r in positions:
        if r.data.get("is_principal"):
            by_unit.setdefault(r.data["unit_id"], []).append(r)
    for unit, rows in by_unit.items():
        if len(rows) < 2:
            continue
        rows.sort(key=lambda r: (r.data["start"], r.row))
        reported: set[int] = set()
        for i, r in enumerate(rows):
            start = r.data["start"]
            # Posts already running when this one starts (each post's end is
            # inclusive: a post ending the day another starts overlaps it).
            live = [o for o in rows[:i] if o.data.get("end", FAR) >= start
                    and o.data["cadre_id"] != r.data["cadre_id"]]
            if not live:
                continue
            same = [o for o in live if o.data.get("title") == r.data.get("title")]
            if len(live) >= 2 and id(r) not in reported:
                reported.add(id(r))
                who = "; ".join(_post(o) for o in [*live, r])
                yield Finding("warning", r, "is_principal", "是",
                              f"{len(live) + 1} principals (一把手) of unit {unit} at once from "
                              f"{start}: {who}; a unit has at most two (书记 and 局长/主任…): "
                              f"check the end dates (离任时间) or is_principal")
            elif same and id(r) not in reported:
                reported.add(id(r))
                yield Finding("warning", r, "is_principal", "是",
                              f"two principals (一把手) of unit {unit} with the same title "
                              f"{r.data.get('title')} at once from {start}: {_post(same[0])}; "
                              f"{_post(r)}: check the end date (离任时间) of the earlier post")


def _post(r) -> str:
    d = r.data
    return (f"{d['cadre_id']} {d.get('title', '')} {d['start']}–{d.get('end', '')} "
            f"(row {r.row})")


# -- duplicate relations ------------------------------------------------------

def duplicate_relations(rows: list) -> tuple[list, list[Finding]]:
    """Rows with one (cadre_id, other_id, kind) kept once; the findings.

    The kept row is the first; the provenance of the others joins it."""
    seen: dict[tuple, object] = {}
    kept, findings = [], []
    for r in rows:
        d = r.data
        key = (d["cadre_id"], d["other_id"], d["relation_kind"])
        first = seen.get(key)
        if first is None:
            seen[key] = r
            kept.append(r)
            continue
        first.also = (first.also or []) + [r]
        note = ""
        if d.get("note") != first.data.get("note"):
            note = f"; its note {d.get('note')!r} differs and was dropped (备注不同)"
        findings.append(Finding("warning", r, "cadre_id", "/".join(key),
                                f"duplicate relation (关系重复): same as row {first.row}, "
                                f"kept once{note}"))
    return kept, findings


# -- dates --------------------------------------------------------------------

# Dates that may lie ahead of today: deadlines, the end of a post or round,
# and the dates of rounds and assignments (a planned round is data too).
FUTURE_OK = {("actions", "deadline"), ("positions", "end"), ("rounds", "start"),
             ("rounds", "end"), ("assignments", "start"), ("assignments", "end")}


def date_findings(name: str, rows: list, today: _dt.date | None = None) -> Iterator[Finding]:
    today = today or _dt.date.today()
    now = today.isoformat()
    adult = today.replace(year=today.year - MIN_AGE, day=min(today.day, 28)).isoformat()
    ahead = today.replace(year=today.year + FUTURE_YEARS, day=min(today.day, 28)).isoformat()
    datas = None
    for f in LEDGERS[name].fields:
        if f.base != "date":
            continue
        # The common case, every date plausible, costs one pass in C.
        datas = datas if datas is not None else [r.data for r in rows]
        vals = set(map(operator.methodcaller("get", f.name), datas))
        vals.discard(None)
        if not vals:
            continue
        lo, hi = min(vals), max(vals)
        if f.name == "birth_date":
            if lo >= BIRTH_MIN and hi <= adult:
                continue
        elif lo >= EVENT_MIN and hi <= (ahead if (name, f.name) in FUTURE_OK else now):
            continue
        yield from _date_rows(name, rows, f, now, adult, ahead)


def _date_rows(name, rows, f, now, adult, ahead) -> Iterator[Finding]:
    for r in rows:
        d = r.data
        v = d.get(f.name)
        if v is None:
            continue
        if f.name == "birth_date":
            if v < BIRTH_MIN:
                why = f"before {BIRTH_MIN[:4]}"
            elif v > adult:
                why = f"less than {MIN_AGE} years ago"
            else:
                continue
            yield Finding("warning", r, f.name, v,
                          f"implausible birth date (出生日期不合理): {why}; check the year")
            continue
        if v < EVENT_MIN:
            yield Finding("warning", r, f.name, v,
                          f"implausible date (日期不合理): before {EVENT_MIN}; check the year")
        elif (name, f.name) in FUTURE_OK:
            if v > ahead:
                yield Finding("warning", r, f.name, v,
                              f"implausible date (日期不合理): more than {FUTURE_YEARS} years "
                              f"ahead; check the year")
        elif v > now:
            yield Finding("warning", r, f.name, v,
                          f"date in the future (日期晚于今天, {now}): {f.name} {f.zh} "
                          f"records what has happened; check the year")


# -- 身份证号 -------------------------------------------------------------------

def id_number_findings(rows: list) -> Iterator[Finding]:
    for r in rows:
        d = r.data
        v = d.get("id_number")
        if not v or "*" in v:  # masked numbers (110101********1234) are not checked
            continue
        s = v.upper()
        if len(s) == 18 and s[:17].isdigit() and (s[17].isdigit() or s[17] == "X"):
            want = id_check_char(s[:17])
            if s[17] != want:
                yield Finding("warning", r, "id_number", v,
                              f"身份证号 check character is {s[17]}, but GB 11643 gives {want} "
                              f"for the first 17 digits (校验码错误): a digit is probably mistyped")
                continue
            birth, seq = s[6:14], int(s[16])
        elif len(s) == 15 and s.isdigit():  # first-generation numbers: 6+6+3 digits
            birth, seq = "19" + s[6:12], int(s[14])
        else:
            yield Finding("warning", r, "id_number", v,
                          "not a 身份证号 (GB 11643): 18 characters (17 digits and a check "
                          "digit or X) or 15 digits expected")
            continue
        iso = f"{birth[:4]}-{birth[4:6]}-{birth[6:]}"
        bd = d.get("birth_date")
        # A birth date given to the month (stored as its 1st) is compared to the month.
        if bd and (bd[:7] != iso[:7] or (bd[8:] != "01" and bd != iso)):
            yield Finding("warning", r, "id_number", v,
                          f"身份证号 says born {iso}, birth_date 出生年月 says {bd} (出生日期不一致)")
        g = d.get("gender")
        if g and (g == "male") != (seq % 2 == 1):
            said = "male 男" if seq % 2 else "female 女"
            yield Finding("warning", r, "id_number", v,
                          f"身份证号's sex digit says {said}, gender 性别 says "
                          f"{'male 男' if g == 'male' else 'female 女'} (性别不一致)")
