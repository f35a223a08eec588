"""build_graph fills networkx internals directly: its graphs must equal ones
built through the public API, and behave like them under networkx."""

from pathlib import Path

import networkx as nx

from xuncha.graph.build import build_graph, category_nodes
from xuncha.graph.schema import LEDGER_ORDER, LEDGERS, NODE_KINDS, EDGE_KINDS
from xuncha.graph.store import GraphStore
from xuncha.graph.workspace import open_workspace, save
from xuncha.loaders.dataset import load_dataset

MINI = Path(__file__).parent / "data" / "mini"


def reference_build(records):
    """The same graph, built with MultiDiGraph.add_node/add_edge only."""
    g = nx.MultiDiGraph()
    for nid, attrs in category_nodes():
        g.add_node(nid, **attrs)
    for nid, attrs in category_nodes():
        if "parent_id" in attrs:
            g.add_edge(nid, f"category:{attrs['parent_id']}", key="SUBCATEGORY_OF", kind="SUBCATEGORY_OF")
    for name in LEDGER_ORDER:
        l = LEDGERS[name]
        if l.node:
            for d in records.get(name, ()):
                g.add_node(f"{l.node}:{d['id']}", kind=l.node, **d)
    for name in LEDGER_ORDER:
        l = LEDGERS[name]
        for em in l.edges:
            sk = l.node if em.src == "id" else l.field(em.src).arg
            dk = l.node if em.dst == "id" else l.field(em.dst).arg
            for d in records.get(name, ()):
                s, t = d.get(em.src), d.get(em.dst)
                if s is None or t is None:
                    continue
                for tt in t if isinstance(t, list) else [t]:
                    u, v = f"{sk}:{s}", f"{dk}:{tt}"
                    key, n = em.kind, 2
                    while g.has_edge(u, v, key):
                        key, n = f"{em.kind}#{n}", n + 1
                    props = {l.field(p).key: d[l.field(p).key] for p in em.props if l.field(p).key in d}
                    g.add_edge(u, v, key=key, kind=em.kind, **props)
    for d in records.get("issues", ()):
        g.add_edge(f"issue:{d['id']}", f"category:{d.get('subcategory') or d['category']}",
                   key="IN_CATEGORY", kind="IN_CATEGORY")
    return g


def edge_set(g):
    return sorted((u, v, k, tuple(sorted(d.items(), key=lambda x: x[0]))) for u, v, k, d in
                  ((u, v, k, {a: str(b) for a, b in d.items()}) for u, v, k, d in g.edges(keys=True, data=True)))


def test_matches_public_api_build():
    ds = load_dataset(MINI)
    assert not ds.errors
    fast, ref = build_graph(ds.records), reference_build(ds.records)
    assert dict(fast.nodes(data=True)) == dict(ref.nodes(data=True))
    assert edge_set(fast) == edge_set(ref)
    # succ and pred agree: every out-edge is an in-edge of its target
    for u, v, k in fast.edges(keys=True):
        assert k in fast.pred[v][u]
        assert fast._succ[u][v] is fast._pred[v][u]  # shared key dict, as add_edge makes


def test_repeated_edges_get_numbered_keys():
    ds = load_dataset(MINI)
    g = build_graph(ds.records)
    # C001 held two posts; U001 was inspected in two rounds by T1/T2 (different teams)
    keys = sorted(g.succ["cadre:C001"]["unit:U001"]) + sorted(g.succ["cadre:C001"]["unit:U002"])
    assert keys == ["HELD_POSITION", "HELD_POSITION"]
    recs = ds.records
    recs["positions"].append(dict(recs["positions"][0], title="副局长", start="2012-01-01", end="2014-12-31"))
    g2 = build_graph(recs)
    assert sorted(g2.succ["cadre:C001"]["unit:U001"]) == ["HELD_POSITION", "HELD_POSITION#2"]


def test_networkx_algorithms_work_on_built_graph():
    g = build_graph(load_dataset(MINI).records)
    path = nx.shortest_path(g.to_undirected(as_view=True), "cadre:C004", "issue:I2")
    assert path[0] == "cadre:C004" and path[-1] == "issue:I2"
    g.remove_node("unit:U003")
    assert "unit:U003" not in g.pred["issue:I2"] and not g.has_edge("issue:I2", "unit:U003")
    every_kind = {d["kind"] for _, d in g.nodes(data=True)}
    assert every_kind <= set(NODE_KINDS)
    assert {d["kind"] for *_, d in g.edges(data=True)} <= set(EDGE_KINDS)


def test_workspace_round_trip_is_exact(tmp_path):
    g = build_graph(load_dataset(MINI).records)
    save(GraphStore(g), tmp_path)
    back = open_workspace(tmp_path).graph
    assert dict(back.nodes(data=True)) == dict(g.nodes(data=True))
    assert sorted(back.edges(keys=True, data="kind")) == sorted(g.edges(keys=True, data="kind"))
    assert edge_set(back) == edge_set(g)
    assert GraphStore(back).counts() == GraphStore(g).counts()
