"""Planning inputs and outputs: id lists, score tables, plans, recusal files.

Every reader accepts CSV (UTF-8, BOM, GB18030), XLSX (first sheet) and JSON
Lines, with English or Chinese headers; ids may carry their ``kind:`` prefix
(``unit:U001``) or not.  A plan file is what ``xuncha plan --format json``
writes, or a table with team_id and unit_id columns.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..errors import XunchaError


class InputError(XunchaError):
    """A planning input file that cannot be read."""


def _bare(x) -> str | None:
    if x is None:
        return None
    if isinstance(x, float) and x.is_integer():
        x = int(x)
    s = str(x).strip()
    if not s:
        return None
    kind, sep, rest = s.partition(":")
    return rest if sep and kind.isascii() and kind.isalpha() else s


def _table(path: Path) -> tuple[list[str], list[list]]:
    """Header and rows of a CSV/XLSX/JSONL file (all cells as read)."""
    suf = path.suffix.lower()
    if suf in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True, data_only=True)
        ws = wb.worksheets[0]
        rows = [list(r) for r in ws.iter_rows(values_only=True)]
        wb.close()
        rows = [r for r in rows if any(c not in (None, "") for c in r)]
        if not rows:
            return [], []
        return [str(c or "").strip() for c in rows[0]], rows[1:]
    from ..loaders.readers import decode

    text = decode(path.read_bytes(), str(path))
    if suf in (".yaml", ".yml"):
        objs = _yaml_rows(path, text)
        keys = list(dict.fromkeys(k for o in objs for k in o))
        return keys, [[o.get(k) for k in keys] for o in objs]
    if suf in (".jsonl", ".ndjson"):
        objs = [json.loads(line) for line in text.splitlines() if line.strip()]
        keys = list(dict.fromkeys(k for o in objs for k in o))
        return keys, [[o.get(k) for k in keys] for o in objs]
    import csv
    import io

    rows = [r for r in csv.reader(io.StringIO(text)) if any(c.strip() for c in r)]
    if not rows:
        return [], []
    return [c.strip() for c in rows[0]], rows[1:]


def _yaml_rows(path: Path, text: str) -> list[dict]:
    """Rows of a YAML file: a list of mappings, or a mapping of id -> mapping
    (the key becomes the ``id`` column), or a mapping with one such list."""
    import yaml

    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InputError(f"{path}: not YAML: {exc}") from None
    if isinstance(doc, dict) and len(doc) == 1 and isinstance(next(iter(doc.values())), list):
        doc = next(iter(doc.values()))  # teams: [...]
    if isinstance(doc, dict):
        doc = [{"id": k, **(v if isinstance(v, dict) else {})} for k, v in doc.items()]
    if not isinstance(doc, list) or not all(isinstance(r, dict) for r in doc):
        raise InputError(f"{path}: a YAML table is a list of mappings (one per row), or a mapping "
                         "of id -> mapping")
    return doc


def read_rows(path, headers: dict[str, tuple[str, ...]]) -> list[dict]:
    """Rows of ``path`` keyed by canonical field (``headers``: field -> accepted headers).

    Fields ending in ``_id`` lose any ``kind:`` prefix.
    """
    p = Path(path)
    if not p.exists():
        raise InputError(f"{p}: file not found (文件不存在)")
    head, rows = _table(p)
    col: dict[str, int] = {}
    for i, h in enumerate(head):
        for f, names in headers.items():
            if h in names or h.lower() in names:
                col.setdefault(f, i)
    if not col:
        want = ", ".join(f"{f} ({names[1] if len(names) > 1 else names[0]})" for f, names in headers.items())
        raise InputError(f"{p}: no known column; expected some of {want}")
    out = []
    for r in rows:
        d = {}
        for f, i in col.items():
            v = r[i] if i < len(r) else None
            if v is None or (isinstance(v, str) and not v.strip()):
                continue
            if f.endswith("_id"):
                v = _bare(v)
            elif isinstance(v, str):
                v = v.strip()
            if f in ("start", "end") and v is not None:
                from ..parsing import parse_date

                try:
                    v = parse_date(v)
                except ValueError as exc:
                    raise InputError(f"{p}: {exc}") from None
            d[f] = v
        out.append(d)
    return out


def read_ids(path, field: str, names: tuple[str, ...]) -> list[str]:
    """Ids from a file: a column headed ``field`` (or a Chinese name), else one id per line."""
    p = Path(path)
    if not p.exists():
        raise InputError(f"{p}: file not found (文件不存在)")
    head, rows = _table(p)
    accepted = (field, *names, "id")
    idx = next((i for i, h in enumerate(head) if h in accepted or h.lower() in accepted), None)
    if idx is None:
        # a plain list: the header row is an id too
        cells = [head] + rows
        ids = [_bare(r[0]) for r in cells if r and _bare(r[0])]
    else:
        ids = [_bare(r[idx]) for r in rows if idx < len(r) and _bare(r[idx])]
    return list(dict.fromkeys(ids))


SCORE_HEADERS = {
    "team_id": ("team_id", "巡察组编号", "巡察组"),
    "unit_id": ("unit_id", "单位编码", "被巡察单位"),
    "score": ("score", "得分", "匹配度", "分数"),
}


def read_scores(path) -> dict[tuple[str, str], float]:
    """(team_id, unit_id) -> score from a table with team_id, unit_id, score."""
    out = {}
    for i, r in enumerate(read_rows(path, SCORE_HEADERS), start=2):
        if not (r.get("team_id") and r.get("unit_id")) or r.get("score") is None:
            raise InputError(f"{path}, row {i}: needs team_id 巡察组编号, unit_id 单位编码 and score 得分")
        try:
            out[(r["team_id"], r["unit_id"])] = float(r["score"])
        except (TypeError, ValueError):
            raise InputError(f"{path}, row {i}: score 得分 '{r['score']}' is not a number") from None
    return out


def read_plan(path) -> list[dict]:
    """Assignments of a plan: dicts with team_id, unit_id (raw ids), score if given."""
    p = Path(path)
    if not p.exists():
        raise InputError(f"{p}: file not found (文件不存在)")
    if p.suffix.lower() == ".json":
        try:
            doc = json.loads(p.read_text(encoding="utf-8-sig"))
        except ValueError as exc:
            raise InputError(f"{p}: not JSON: {exc}") from None
        rows = doc.get("assignments") if isinstance(doc, dict) else doc
        if not isinstance(rows, list):
            raise InputError(f"{p}: a plan is a JSON object with an `assignments` list")
        out = []
        for r in rows:
            if not isinstance(r, dict) or not r.get("team_id") or not r.get("unit_id"):
                raise InputError(f"{p}: every assignment needs team_id and unit_id")
            out.append({"team_id": _bare(r["team_id"]), "unit_id": _bare(r["unit_id"]),
                        "score": r.get("score")})
        return out
    rows = read_rows(p, SCORE_HEADERS)
    return [{"team_id": r["team_id"], "unit_id": r["unit_id"], "score": r.get("score")}
            for r in rows if r.get("team_id") and r.get("unit_id")]


def write_xlsx(path, sheets: dict[str, list[dict]]) -> None:
    """One sheet per entry; ids stay text (a leading zero survives)."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name[:31])
        cols = list(dict.fromkeys(k for r in rows for k in r))
        ws.append([_xcell(c) for c in cols])
        for r in rows:
            ws.append([_xcell(r.get(c)) for c in cols])
    wb.save(path)


def _xcell(v):
    from ..spreadsheet import xlsx_value  # formulas neutralised, control characters removed

    if isinstance(v, (list, tuple)):
        v = ";".join(str(x) for x in v)
    elif isinstance(v, dict):
        v = json.dumps(v, ensure_ascii=False)
    return xlsx_value(v)


def read_plan_doc(path) -> tuple[list[dict], dict]:
    """(assignments, meta) of a plan file; meta holds round_id/as_of when the
    plan is a JSON written by ``xuncha plan``."""
    rows = read_plan(path)
    meta = {}
    p = Path(path)
    if p.suffix.lower() == ".json":
        doc = json.loads(p.read_text(encoding="utf-8-sig"))
        if isinstance(doc, dict):
            meta = {k: doc.get(k) for k in ("round_id", "as_of", "mode") if doc.get(k)}
            if isinstance(doc.get("members"), dict):
                meta["members"] = {_bare(t): [(_bare(m.get("cadre_id")), m.get("role")) for m in ms
                                              if isinstance(m, dict) and m.get("cadre_id")]
                                   for t, ms in doc["members"].items()}
    return rows, meta


TEAM_HEADERS = {
    "team_id": ("team_id", "巡察组编号", "巡察组", "id"),
    "cadre_id": ("cadre_id", "人员编号", "成员"),
    "role": ("role", "职责"),
    "min_load": ("min_load", "最少承担单位数", "min"),
    "max_load": ("max_load", "最多承担单位数", "capacity", "承担单位数", "max"),
}
LOAD_ZH = {"min_load": "最少承担单位数", "max_load": "最多承担单位数", "demand": "需派组数"}


def _count(path, row: int, field: str, v, lowest: int) -> int:
    """A whole number ≥ ``lowest`` from a cell, else an error naming the cell."""
    try:
        f = float(str(v).strip())
        if not f.is_integer():
            raise ValueError
        n = int(f)
    except (TypeError, ValueError):
        n = None
    if n is None or n < lowest:
        raise InputError(f"{path}, row {row}, column {field} {LOAD_ZH.get(field, '')}: '{v}' is not a whole "
                         f"number ≥ {lowest}")
    return n


def read_teams(path) -> tuple[list[str], dict[str, list[tuple[str, str | None]]] | None,
                              dict[str, tuple[int | None, int | None]]]:
    """(team ids, members, load bounds) of a teams file.

    A list of ids, or a table (CSV/XLSX/JSONL/YAML) with team_id and any of
    cadre_id + role (the members, roles in English or Chinese), min_load
    最少承担单位数 and max_load 最多承担单位数 (per-team bounds; on member rows a
    team's bounds may repeat but must agree).  Members are None when the
    file names none.
    """
    p = Path(path)
    head, _ = _table(p) if p.exists() else ([], [])
    names = {h.lower() for h in head} | set(head)
    if not any(h in names for f in ("cadre_id", "min_load", "max_load") for h in TEAM_HEADERS[f]) \
            and not any(h in names for h in TEAM_HEADERS["team_id"]):
        return read_ids(p, "team_id", TEAM_HEADERS["team_id"]), None, {}
    from .. import taxonomy

    members: dict[str, list[tuple[str, str | None]]] = {}
    loads: dict[str, tuple[int | None, int | None]] = {}
    has_members = any(h in names for h in TEAM_HEADERS["cadre_id"])
    for i, r in enumerate(read_rows(p, TEAM_HEADERS), start=2):
        if not r.get("team_id"):
            continue
        t = r["team_id"]
        role = r.get("role")
        if role:
            try:
                role = taxonomy.lookup("role", str(role))
            except ValueError as exc:
                raise InputError(f"{p}, row {i}, column role 职责: {exc}") from None
        if r.get("cadre_id"):
            members.setdefault(t, []).append((r["cadre_id"], role))
        else:
            members.setdefault(t, [])
        lo = _count(p, i, "min_load", r["min_load"], 0) if r.get("min_load") is not None else None
        hi = _count(p, i, "max_load", r["max_load"], 1) if r.get("max_load") is not None else None
        if lo is not None and hi is not None and lo > hi:
            raise InputError(f"{p}, row {i}: min_load 最少承担单位数 {lo} is above max_load 最多承担单位数 {hi} "
                             f"for team 巡察组 {t}")
        if lo is not None or hi is not None:
            old = loads.get(t)
            if old is not None and old != (lo, hi):
                raise InputError(f"{p}, row {i}: team 巡察组 {t} has loads {lo}:{hi} here but "
                                 f"{old[0]}:{old[1]} on an earlier row")
            loads[t] = (lo, hi)
    return list(members), (members if has_members else None), loads


UNIT_HEADERS = {
    "unit_id": ("unit_id", "单位编码", "被巡察单位", "单位", "id"),
    "demand": ("demand", "需派组数", "per_unit", "teams", "巡察组数"),
}


def read_units(path) -> tuple[list[str], dict[str, int]]:
    """(unit ids, demand) of a units file: a list of ids, or a table with
    unit_id and optionally demand 需派组数 (teams the unit needs, e.g. 2 for a
    joint inspection; the others take ``--per-unit``)."""
    p = Path(path)
    head, _ = _table(p) if p.exists() else ([], [])
    names = {h.lower() for h in head} | set(head)
    if not any(h in names for h in UNIT_HEADERS["demand"]):
        return read_ids(p, "unit_id", ("单位编码", "被巡察单位")), {}
    ids, demand = [], {}
    for i, r in enumerate(read_rows(p, UNIT_HEADERS), start=2):
        u = r.get("unit_id")
        if not u:
            raise InputError(f"{p}, row {i}: no unit_id 单位编码")
        ids.append(u)
        if r.get("demand") is not None:
            demand[u] = _count(p, i, "demand", r["demand"], 1)
    return list(dict.fromkeys(ids)), demand
