"""Straightforward computations of the derived tables saved at load
(:mod:`xuncha.graph.derived` builders), written here from their definitions
(module docstrings of queries/text.py, queries/common.py, queries/kpi.py,
export/redact.py, identity/lookup.py) as plain loops over the networkx graph,
sharing no code with the builders.

``tests/test_derived_tables.py`` checks the builders against them;
``bench/bench_derived.py`` times them as the baseline of the builders.
Each function takes a :class:`~xuncha.graph.store.GraphStore` and reads only
``store.graph``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter

_RUN = re.compile(r"[0-9a-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def nodes(store, kind):
    return [(n, d) for n, d in store.graph.nodes(data=True) if d.get("kind") == kind]


def edges(store, kind):
    return [(u, v, d) for u, v, d in store.graph.edges(data=True) if d.get("kind") == kind]


# -- text_stats -------------------------------------------------------------------------------

def terms(text) -> set[str]:
    """Character bigrams and trigrams of each run (a 1-character run: itself),
    masked names (a surname + 某…) blanked first."""
    if not text:
        return set()
    text = re.sub(r"[\u4e00-\u9fff]某+", " ", str(text)).lower()
    out: set[str] = set()
    for run in _RUN.findall(text):
        if len(run) == 1:
            out.add(run)
        for size in (2, 3):
            out.update(run[i:i + size] for i in range(len(run) - size + 1))
    return out


def text_stats(store) -> dict:
    """``{"n", "df", "postings", "norm"}`` of the issues' descriptions and the
    leads' summaries (norms summed exactly: :func:`math.fsum`)."""
    docs = {}
    for kind, prop in (("issue", "description"), ("lead", "summary")):
        for n, d in nodes(store, kind):
            ts = terms(d.get(prop))
            if ts:
                docs[n] = ts
    n = len(docs)
    df = Counter(t for ts in docs.values() for t in ts)
    cap = min(500, max(int(0.05 * n), min(50, n // 2)))
    postings: dict[str, list[str]] = {}
    for doc, ts in docs.items():
        for t in ts:
            if df[t] <= cap:
                postings.setdefault(t, []).append(doc)
    weight = {t: 0.0 if k > cap else (math.log((1 + n) / (1 + k)) + 1) ** 2 for t, k in df.items()}
    return {"n": n, "df": dict(df), "postings": {t: sorted(ds) for t, ds in postings.items()},
            "norm": {doc: math.sqrt(math.fsum(weight[t] for t in ts)) for doc, ts in docs.items()},
            "cap": cap}


# -- category_sector --------------------------------------------------------------------------

def category_sector(store, used: Counter | None = None) -> dict:
    """``"key\\tsector" -> ([day, …], [item, …])``; ``used`` counts the date
    fallbacks taken."""
    used = Counter() if used is None else used
    round_start = {n: d.get("start") for n, d in nodes(store, "round")}
    sector = {n: d.get("sector") for n, d in nodes(store, "unit")}
    first_assignment: dict[tuple[str, str], str] = {}
    for _, unit, d in edges(store, "INSPECTED"):
        if d.get("start") and d.get("round_id"):
            key = ("round:" + d["round_id"], unit)
            first_assignment[key] = min(d["start"], first_assignment.get(key, d["start"]))
    raised: dict[str, list[str]] = {}
    for lead, issue, _ in edges(store, "RAISED_FROM"):
        if issue not in raised.get(lead, []):
            raised.setdefault(lead, []).append(issue)

    items = {}  # id -> (unit, date, category key)
    issue_round = {}
    for n, d in nodes(store, "issue"):
        unit = "unit:" + d["unit_id"] if d.get("unit_id") else None
        rnd = "round:" + d["round_id"] if d.get("round_id") else None
        date = d.get("found_date")
        if not date and first_assignment.get((rnd, unit)):
            date = first_assignment[(rnd, unit)]
            used["assignment start"] += 1
        elif not date:
            date = round_start.get(rnd)
            used["round start"] += bool(date)
        items[n] = (unit, date, d.get("subcategory") or d.get("category"))
        issue_round[n] = rnd
    for n, d in nodes(store, "lead"):
        linked = [i for i in raised.get(n, []) if i in issue_round]
        unit = "unit:" + d["unit_id"] if d.get("unit_id") else (items[linked[0]][0] if linked else None)
        rnd = "round:" + d["round_id"] if d.get("round_id") else (issue_round[linked[0]] if linked else None)
        dates = [items[i][1] for i in linked if items[i][1]]
        date = d.get("transfer_date") or (min(dates) if dates else None) or round_start.get(rnd)
        if not d.get("transfer_date") and len(dates) > 1:
            used["earliest of linked issues' dates"] += 1
        items[n] = (unit, date, items[linked[0]][2] if linked else None)
    blocks: dict[str, list] = {}
    for n, (unit, date, key) in items.items():
        if unit and date and key and sector.get(unit):
            blocks.setdefault(f"{key}\t{sector[unit]}", []).append(
                (dt.date.fromisoformat(date[:10]).toordinal(), n))
    return {k: ([d for d, _ in sorted(v)], [i for _, i in sorted(v)]) for k, v in blocks.items()}


# -- person_names, name_pinyin, kpi_facts ----------------------------------------------------

# Name attributes of a cadre: its declared name fields (name, source_names)
# and the undeclared name lists the edited test graph adds (unit_name names
# a unit: never taken).
PERSON_NAME_KEYS = ("name", "source_names", "aliases", "former_names")


def person_names(store) -> dict:
    """``{"people": [[cadre, [names…]], …]}`` (cadres with a name, in load order)."""
    out = {}
    for n, d in nodes(store, "cadre"):
        names = []
        for key in PERSON_NAME_KEYS:
            v = d.get(key)
            for x in (v if isinstance(v, list) else [v]):
                if isinstance(x, str) and x.strip() and x.strip() not in names:
                    names.append(x.strip())
        if names:
            out[n] = names
    return {"people": [[n, names] for n, names in out.items()]}


def name_pinyin(store) -> dict:
    from xuncha.identity.names import pinyin, simplify  # the name keys (not the table's builder)

    out: dict[str, list[str]] = {}
    for kind in ("cadre", "unit"):
        for _, d in nodes(store, kind):
            for name in [d.get("name"), *(d.get("source_names") or ())]:
                if isinstance(name, str) and name and not name.isascii():
                    key = " ".join(pinyin(simplify(name)))
                    if name not in out.setdefault(key, []):
                        out[key].append(name)
    return out


def kpi_facts(store) -> dict:
    from xuncha.queries.kpi import FACTS

    out = {kind: {f: [d.get(f) for _, d in nodes(store, kind)] for f in fields}
           for kind, fields in FACTS.items()}
    out["INSPECTED"] = {"round_id": [], "unit": [], "team": []}
    for u, v, d in edges(store, "INSPECTED"):
        out["INSPECTED"]["round_id"].append(d.get("round_id"))
        out["INSPECTED"]["unit"].append(v.split(":", 1)[1])
        out["INSPECTED"]["team"].append(u.split(":", 1)[1])
    return out


REFERENCES = {"text_stats": text_stats, "category_sector": category_sector,
              "person_names": person_names, "name_pinyin": name_pinyin, "kpi_facts": kpi_facts}


def agree(name: str, got: dict, want: dict) -> bool:
    """The builder's table equals the reference (norms to 1e-12)."""
    if name != "text_stats":
        return got == want
    return (got["n"] == want["n"] and got["df"] == want["df"] and got["postings"] == want["postings"]
            and list(got["norm"]) == list(want["norm"])
            and all(math.isclose(got["norm"][d], v, rel_tol=1e-12, abs_tol=0)
                    for d, v in want["norm"].items()))
