"""The derived tables computed at load (graph/derived.py builders) hold what
their definitions say, checked against straightforward computations written
here from those definitions (module docstrings of queries/text.py,
queries/common.py, queries/kpi.py, export/redact.py, identity/lookup.py),
sharing no code with the builders.

Datasets: examples/county as one dataset and as two (namespaced ids
``unit:甲县/U001``), and a generated 300-unit dataset whose graph is edited
first so that every fallback rule is used (issues without a found date or a
unit, leads without a transfer date, unit or round, rounds without a start,
extra name attributes on people and units).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter
from pathlib import Path

import pytest

from xuncha.graph.store import GraphStore
from xuncha.loaders.combine import finish, parse_sources, prepare

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "county"


def _store(dirs) -> GraphStore:
    combined, _ = prepare(parse_sources(dirs), None, False)
    g, _ = finish(combined, None)
    return GraphStore(g)


def _edited(store: GraphStore) -> GraphStore:
    """Blank dates, units and rounds here and there, add name attributes."""
    g = store.graph
    by_kind: dict[str, list[str]] = {}
    for n, d in g.nodes(data=True):
        by_kind.setdefault(d["kind"], []).append(n)
    for i, n in enumerate(by_kind["issue"]):
        d = g.nodes[n]
        if i % 3 == 0:
            d.pop("found_date", None)
        if i % 11 == 0:
            d.pop("unit_id", None)
        if i % 4 == 0:
            d.pop("subcategory", None)
        if i % 13 == 0:
            d["description"] = "，。"  # no terms at all
        if i % 17 == 0:
            d.pop("description", None)
    issues = by_kind["issue"]
    for i, n in enumerate(by_kind["lead"]):
        d = g.nodes[n]
        if i % 4 == 0:  # raised from more issues, of other dates (one of them twice)
            for j in (i * 7 % len(issues), i * 13 % len(issues), i * 7 % len(issues)):
                g.add_edge(n, issues[j], kind="RAISED_FROM")
        if i % 2 == 0:
            d.pop("transfer_date", None)
        if i % 3 == 0:
            d.pop("unit_id", None)
        if i % 5 == 0:
            d.pop("round_id", None)
    for i, n in enumerate(by_kind["round"]):
        if i % 4 == 0:
            g.nodes[n].pop("start", None)
    cadres = by_kind["cadre"]
    for i, n in enumerate(cadres[:200]):
        d = g.nodes[n]
        if i % 2 == 0:
            d["aliases"] = ["小" + d["name"][:1], f" {d['name']} ", ""]
        if i % 3 == 0:
            d["former_names"] = g.nodes[cadres[-1 - i]]["name"]  # someone else's name too
        if i % 5 == 0:
            d["unit_name"] = "某某局"  # names a unit, not this person
            d["source_names"] = [d["name"], "張" + d["name"][1:], "Zhang Wei"]
    for i, n in enumerate(by_kind["unit"][:30]):
        g.nodes[n]["source_names"] = [g.nodes[n]["name"] + "（旧称）", g.nodes[by_kind["unit"][0]]["name"]]
    store.meta["edited"] = True
    return store


@pytest.fixture(scope="module", params=["county", "county-twice", "generated-300"])
def store(request, tmp_path_factory):
    if request.param == "county":
        if not EXAMPLE.exists():
            pytest.skip("examples/county not present")
        return _store([str(EXAMPLE)])
    if request.param == "county-twice":
        if not EXAMPLE.exists():
            pytest.skip("examples/county not present")
        return _store([f"{EXAMPLE}=甲县", f"{EXAMPLE}=乙县"])
    from xuncha.synth import generate

    d = tmp_path_factory.mktemp("gen300")
    generate(d, scale="county", units=300, seed=7, truth=False)
    return _edited(_store([str(d)]))


def _nodes(store, kind):
    return [(n, d) for n, d in store.graph.nodes(data=True) if d.get("kind") == kind]


def _edges(store, kind):
    return [(u, v, d) for u, v, d in store.graph.edges(data=True) if d.get("kind") == kind]


def _build(store, name):
    from xuncha.graph import derived

    return derived.compute(store, name)


# -- text_stats -------------------------------------------------------------------------------

_RUN = re.compile(r"[0-9a-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def _terms(text) -> set[str]:
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


def test_text_stats(store):
    docs = {}
    for kind, prop in (("issue", "description"), ("lead", "summary")):
        for n, d in _nodes(store, kind):
            ts = _terms(d.get(prop))
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

    got = _build(store, "text_stats")
    assert got["n"] == n
    assert got["df"] == dict(df)
    assert got["postings"] == {t: sorted(ds) for t, ds in postings.items()}
    assert list(got["norm"]) == list(docs)  # documents in load order
    for doc, ts in docs.items():
        assert got["norm"][doc] == pytest.approx(math.sqrt(math.fsum(weight[t] for t in ts)),
                                                 rel=1e-12, abs=0)
    # both kinds of term are there: boilerplate (df above the cap) and not
    assert any(k > cap for k in df.values()) and postings


# -- category_sector --------------------------------------------------------------------------

def test_text_stats_cap_is_inclusive():
    """A term in exactly cap(n) documents still has postings; one more and it is boilerplate."""
    from xuncha.queries.related import _text_stats

    import networkx as nx

    graph = nx.MultiDiGraph()
    for i in range(100):  # n = 100: cap = 50
        text = ("甲乙" if i < 50 else "") + ("丙丁" if i < 51 else "") + f"第{i}号"
        graph.add_node(f"issue:I{i:03d}", kind="issue", description=text)
    got = _text_stats(GraphStore(graph))
    assert got["n"] == 100 and got["df"]["甲乙"] == 50 and got["df"]["丙丁"] == 51
    assert len(got["postings"]["甲乙"]) == 50 and "丙丁" not in got["postings"]


def test_category_sector(store):
    round_start = {n: d.get("start") for n, d in _nodes(store, "round")}
    sector = {n: d.get("sector") for n, d in _nodes(store, "unit")}
    first_assignment: dict[tuple[str, str], str] = {}
    for _, unit, d in _edges(store, "INSPECTED"):
        if d.get("start") and d.get("round_id"):
            key = ("round:" + d["round_id"], unit)
            first_assignment[key] = min(d["start"], first_assignment.get(key, d["start"]))
    raised: dict[str, list[str]] = {}
    for lead, issue, _ in _edges(store, "RAISED_FROM"):
        if issue not in raised.get(lead, []):
            raised.setdefault(lead, []).append(issue)

    items = {}  # id -> (unit, date, category key)
    issue_round = {}
    used = Counter()
    for n, d in _nodes(store, "issue"):
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
    for n, d in _nodes(store, "lead"):
        linked = [i for i in raised.get(n, []) if i in issue_round]
        unit = "unit:" + d["unit_id"] if d.get("unit_id") else (items[linked[0]][0] if linked else None)
        rnd = "round:" + d["round_id"] if d.get("round_id") else (issue_round[linked[0]] if linked else None)
        dates = [items[i][1] for i in linked if items[i][1]]
        date = d.get("transfer_date") or (min(dates) if dates else None) or round_start.get(rnd)
        if not d.get("transfer_date") and dates:
            used["linked issue date"] += 1
        items[n] = (unit, date, items[linked[0]][2] if linked else None)
    blocks: dict[str, list] = {}
    for n, (unit, date, key) in items.items():
        if unit and date and key and sector.get(unit):
            blocks.setdefault(f"{key}\t{sector[unit]}", []).append(
                (dt.date.fromisoformat(date[:10]).toordinal(), n))
    want = {k: ([d for d, _ in sorted(v)], [i for _, i in sorted(v)]) for k, v in blocks.items()}

    assert _build(store, "category_sector") == want
    if store.meta.get("edited"):  # every fallback was needed somewhere
        assert used["assignment start"] and used["round start"] and used["linked issue date"]


def test_category_sector_agrees_with_the_query_index(store):
    """The same items, units, dates and keys as the query index's (the rules are one code)."""
    from xuncha.queries.common import index

    blocks: dict[str, list] = {}
    idx = index(store)
    for it in idx.items.values():
        s = idx.unit_sector.get(it.unit)
        if it.day is not None and it.unit and it.category_key and s:
            blocks.setdefault(f"{it.category_key}\t{s}", []).append((it.day, it.id))
    assert _build(store, "category_sector") == {
        k: ([d for d, _ in sorted(v)], [i for _, i in sorted(v)]) for k, v in blocks.items()}


# -- person_names, name_pinyin, kpi_facts ----------------------------------------------------

def test_person_names(store):
    want = {}
    for n, d in _nodes(store, "cadre"):
        values = [d.get("name"), *(d.get("source_names") or ()), *(d.get("aliases") or ()),
                  d.get("former_names")]  # unit_name names a unit: never taken
        names = []
        for v in values:
            if isinstance(v, str) and v.strip() and v.strip() not in names:
                names.append(v.strip())
        if names:
            want[n] = names
    got = _build(store, "person_names")
    assert got == want
    assert list(got) == list(want)


def test_name_pinyin(store):
    from xuncha.identity.names import pinyin, simplify

    want: dict[str, list[str]] = {}
    for kind in ("cadre", "unit"):
        for _, d in _nodes(store, kind):
            for name in [d.get("name"), *(d.get("source_names") or ())]:
                if isinstance(name, str) and name and not name.isascii():
                    key = " ".join(pinyin(simplify(name)))
                    if name not in want.setdefault(key, []):
                        want[key].append(name)
    got = _build(store, "name_pinyin")
    assert got == want and list(got) == list(want)


def test_kpi_facts(store):
    from xuncha.queries.kpi import FACTS

    want = {kind: {f: [d.get(f) for _, d in _nodes(store, kind)] for f in fields}
            for kind, fields in FACTS.items()}
    want["INSPECTED"] = {"round_id": [], "unit": [], "team": []}
    for u, v, d in _edges(store, "INSPECTED"):
        want["INSPECTED"]["round_id"].append(d.get("round_id"))
        want["INSPECTED"]["unit"].append(v.split(":", 1)[1])
        want["INSPECTED"]["team"].append(u.split(":", 1)[1])
    assert _build(store, "kpi_facts") == want


def test_edges_of_one_source_kind_is_the_full_pass(store):
    """GraphStore.edges_of walks only the nodes such edges leave from, in the
    order (and with the edges) of a pass over every edge."""
    for kinds in (("INSPECTED",), ("RAISED_FROM",), ("IMPLICATES", "IN_CATEGORY"), ("DURING",),
                  ("HELD_POSITION", "RELATED_TO", "MEMBER_OF")):
        got = store.edges_of(kinds)
        assert got == {k: _edges(store, k) for k in kinds}
