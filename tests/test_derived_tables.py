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

from collections import Counter
from pathlib import Path

import pytest

from xuncha.graph.store import GraphStore
from xuncha.loaders.combine import finish, parse_sources, prepare

from . import derived_reference as ref

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
            for x, j in enumerate((i * 7 % len(issues), i * 13 % len(issues), i * 7 % len(issues))):
                g.add_edge(n, issues[j], key=f"RAISED_FROM/extra{x}", kind="RAISED_FROM")
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


def _build(store, name):
    from xuncha.graph import derived

    return derived.compute(store, name)


def test_text_stats(store):
    want = ref.text_stats(store)
    got = _build(store, "text_stats")
    assert ref.agree("text_stats", got, want)
    assert got["df"] == want["df"] and got["postings"] == want["postings"]  # (a readable diff)
    # both kinds of term are there: boilerplate (df above the cap) and not
    assert any(k > want["cap"] for k in want["df"].values()) and want["postings"]


def test_text_stats_cap_is_inclusive():
    """A term in exactly cap(n) documents still has postings; one more and it is boilerplate."""
    import networkx as nx

    from xuncha.queries.related import _text_stats

    graph = nx.MultiDiGraph()
    for i in range(100):  # n = 100: cap = 50
        text = ("甲乙" if i < 50 else "") + ("丙丁" if i < 51 else "") + f"第{i}号"
        graph.add_node(f"issue:I{i:03d}", kind="issue", description=text)
    got = _text_stats(GraphStore(graph))
    assert got["n"] == 100 and got["df"]["甲乙"] == 50 and got["df"]["丙丁"] == 51
    assert len(got["postings"]["甲乙"]) == 50 and "丙丁" not in got["postings"]


def test_text_index_answers_as_its_statistics():
    """TextIndex.cosine/similar (terms kept per text) agree with the cosine
    computed from the reference statistics."""
    import math

    from xuncha.queries.text import TextIndex

    texts = ["违规发放津贴补贴12万元", "违规发放津贴补贴", "党组会议研究重大事项不足", "办公用房面积超标",
             "违规发放补贴，王某某收受礼金", 2024, "", None, "，。"] * 3 + ["公款旅游"] + [
                 f"其他问题{i}" for i in range(20)]
    idx = TextIndex()
    idx.add_many((f"d{i}", t) for i, t in enumerate(texts))
    docs = {f"d{i}": ref.terms(t) for i, t in enumerate(texts) if ref.terms(t)}
    assert len(idx) == len(docs)
    st = idx.stats()
    n = len(docs)
    cap = min(500, max(int(0.05 * n), min(50, n // 2)))
    assert st["n"] == n and any(k > cap for k in st["df"].values())  # some boilerplate
    for a in docs:
        for b in docs:
            shared = docs[a] & docs[b]
            dot = sum((math.log((1 + st["n"]) / (1 + st["df"][t])) + 1) ** 2 for t in shared
                      if st["df"][t] <= cap)
            want = dot / (st["norm"][a] * st["norm"][b]) if st["norm"][a] and st["norm"][b] else 0.0
            assert idx.cosine(a, b) == pytest.approx(want, rel=1e-12, abs=1e-15)


def test_category_sector(store):
    used = Counter()
    assert _build(store, "category_sector") == ref.category_sector(store, used)
    if store.meta.get("edited"):  # every fallback was needed somewhere
        assert used["assignment start"] and used["round start"]
        assert used["earliest of linked issues' dates"]


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


@pytest.mark.parametrize("name", ["person_names", "name_pinyin", "kpi_facts"])
def test_name_and_kpi_tables(store, name):
    got, want = _build(store, name), ref.REFERENCES[name](store)
    assert got == want
    assert list(got) == list(want)  # in load order too


def test_edges_of_one_source_kind_is_the_full_pass(store):
    """GraphStore.edges_of walks only the nodes such edges leave from, in the
    order (and with the edges) of a pass over every edge."""
    for kinds in (("INSPECTED",), ("RAISED_FROM",), ("IMPLICATES", "IN_CATEGORY"), ("DURING",),
                  ("HELD_POSITION", "RELATED_TO", "MEMBER_OF")):
        got = store.edges_of(kinds)
        assert got == {k: ref.edges(store, k) for k in kinds}


def test_a_saved_workspace_without_the_tables_computes_the_same(store, tmp_path):
    """Opened from a workspace saved before the tables existed, the builders
    read projected rows and edges through the saved store: same tables."""
    from xuncha.graph import derived
    from xuncha.graph.workspace import open_workspace, save

    save(store, tmp_path / "ws")
    saved = open_workspace(tmp_path / "ws")
    try:
        for name in ("category_sector", "text_stats", "person_names", "name_pinyin", "kpi_facts"):
            assert name in saved._derived_saved
            del saved._derived_saved[name]  # as if saved by a version without it
            got = derived.compute(saved, name)
            assert ref.agree(name, got, derived.compute(store, name)), name
        assert not saved.graph.loaded  # rows read as needed, not the whole graph
    finally:
        saved.close()
