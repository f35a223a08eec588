"""Same-person warnings at load time, without any matching step.

Two checks over the combined cadre records, each a warning (never an error:
the ledgers may be right, and only a judgement merges people):

- the same valid 身份证号 under different ids: almost surely one person;
- the same name (simplified form) and the same birth date under different
  ids: possibly one person, possibly namesakes (王伟 born 1975-03 is common).

Invariant: every warning names both ids, their datasets and ledger rows, and
never prints an ID number unmasked.
"""

from __future__ import annotations

from . import idnumber
from .names import simplify

MAX_WARNINGS = 200  # per check; the rest are counted


def identity_warnings(cadres: list[dict], origin: dict, multi: bool, judgements=None) -> list:
    """Problems (severity ``warning``) for cadre records that look like one
    person; pairs already judged (either way, or one entity through
    transitivity) are not warned about."""
    from ..loaders.dataset import Problem

    group: dict[str, int] = {}
    if judgements is not None and len(judgements):
        from .merge import clusters

        for k, members in enumerate(clusters(judgements)[0]):
            for m in members:
                group[m] = k

    out: list = []
    by_idn: dict[str, list[dict]] = {}
    by_name: dict[tuple[str, str], list[dict]] = {}
    for d in cadres:
        idn = d.get("id_number")
        if idn:
            s = idnumber.normalise(idn)
            if s is not None:  # validity depends on s alone: checked per shared number below
                by_idn.setdefault(s, []).append(d)
        bd = d.get("birth_date")
        if bd and d.get("name"):
            by_name.setdefault((simplify(d["name"]), bd), []).append(d)

    def where(d):
        return origin.get(f"cadre:{d['id']}", ("cadres", None))

    def label(d):
        ds = f"（{d['dataset']}台账）" if multi and d.get("dataset") else ""
        return f"{d.get('source_id', d['id'])} {d.get('name', '')}{ds}"

    warned: set[tuple[str, str]] = set()

    def apart(a, b) -> bool:
        """Already warned, or told apart by two different valid ID numbers."""
        if (a["id"], b["id"]) in warned:
            return True
        na, nb = f"cadre:{a['id']}", f"cadre:{b['id']}"
        if judgements is not None and (judgements.get(na, nb) is not None or (
                na in group and group.get(na) == group.get(nb))):
            return True
        ia, ib = a.get("id_number"), b.get("id_number")
        return bool(ia and ib and idnumber.is_valid(ia) and idnumber.is_valid(ib)
                    and idnumber.normalise(ia) != idnumber.normalise(ib))

    def emit(groups, what, reason):
        n = 0
        for key, ds in groups:
            if len(ds) < 2:
                continue
            first = ds[0]
            rest = [d for d in ds[1:] if not apart(first, d)]
            if not rest:
                continue
            n += 1
            if n > MAX_WARNINGS:
                continue
            for d in rest:
                warned.add((first["id"], d["id"]))
                f, row = where(d)
                out.append(Problem(
                    "warning", f, row, what, None,
                    f"{label(d)} and {label(first)} {reason}; if they are one person record it with "
                    f"`xuncha judge cadre:{first['id']} cadre:{d['id']} same` (疑似同一人)",
                    ledger="cadres"))
        if n > MAX_WARNINGS:
            out.append(Problem("warning", "cadres", None, what, None,
                               f"{n - MAX_WARNINGS} more groups {reason}"))

    # Only numbers and names shared by several records can warn.
    emit(sorted((k, v) for k, v in by_idn.items() if len(v) > 1 and idnumber.valid_canonical(k)),
         "id_number 身份证号", "have the same 身份证号 under different ids (身份证号相同)")
    emit(sorted((k, v) for k, v in by_name.items() if len(v) > 1), "name 姓名",
         "have the same name and birth date under different ids (姓名与出生日期相同)")
    return out
