"""Gephi and igraph read what we write: GEXF with a timeline, GraphML with node ids.

The intervals are checked against the ledgers' own dates (posts, assignments
and their rounds, memberships, findings, leads) and against networkx's own
``write_gexf`` of the same intervals: an independent writer of dynamic GEXF.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import networkx as nx
import pytest

from xuncha.export import export
from xuncha.export.gexf import read_gexf
from xuncha.graph.build import build_graph
from xuncha.graph.store import GraphStore
from xuncha.loaders.dataset import load_dataset

ROOT = Path(__file__).resolve().parent.parent
NS = "{http://www.gexf.net/1.2draft}"


@pytest.fixture(scope="module")
def county() -> GraphStore:
    ds = load_dataset(ROOT / "examples" / "county")
    assert not ds.errors
    return GraphStore(build_graph(ds.records))


@pytest.fixture(scope="module")
def gexf(county, tmp_path_factory):
    out = tmp_path_factory.mktemp("gexf") / "county.gexf"
    export(county, "gexf", out)
    return out


def _round_dates(store, raw):
    d = store.node(f"round:{raw}")
    return d.get("start"), d.get("end")


def test_gexf_is_dynamic_with_the_ledgers_dates(county, gexf):
    root = ET.parse(gexf).getroot()
    graph = root.find(f"{NS}graph")
    assert graph.get("mode") == "dynamic" and graph.get("timeformat") == "date"

    g = nx.read_gexf(gexf)  # plain networkx reads it
    assert g.number_of_nodes() == county.graph.number_of_nodes()
    assert g.number_of_edges() == county.graph.number_of_edges()

    seen = Counter()
    for u, v, k, d in g.edges(keys=True, data=True):
        kind = d["kind"]
        src = county.graph.get_edge_data(u, v)[d["edge_key"]]
        if kind == "HELD_POSITION":  # a post: its own start and end
            assert d.get("start") == src["start"] and d.get("end") == src.get("end"), (u, v)
            seen[kind] += 1
        elif kind == "INSPECTED":  # the assignment's dates, else its round's
            want = (src.get("start"), src.get("end")) if src.get("start") or src.get("end") \
                else _round_dates(county, src["round_id"])
            assert (d.get("start"), d.get("end")) == want, (u, v)
            seen[kind] += bool(want[0])
        elif kind == "MEMBER_OF":  # a membership lasts its round
            assert (d.get("start"), d.get("end")) == _round_dates(county, src["round_id"])
            seen[kind] += 1
        else:
            assert "start" not in d or "start" in src, (kind, d)
    for n, d in g.nodes(data=True):
        src = county.node(n)
        if src["kind"] == "issue":
            assert d.get("start") == src.get("found_date")
            seen["issue"] += bool(src.get("found_date"))
        elif src["kind"] == "lead":
            assert d.get("start") == src.get("transfer_date")
            seen["lead"] += bool(src.get("transfer_date"))
        elif src["kind"] in ("cadre", "unit", "team", "region"):
            assert "start" not in d and "end" not in d  # hold always
    assert all(seen[k] > 10 for k in ("HELD_POSITION", "INSPECTED", "MEMBER_OF", "issue", "lead")), seen


def test_gexf_timeline_matches_networkx_write_gexf(county, gexf, tmp_path):
    """networkx's own dynamic writer, given the same intervals, yields the same timeline."""
    ours = nx.read_gexf(gexf)
    ref = nx.MultiDiGraph()
    for n, d in ours.nodes(data=True):
        ref.add_node(n, **{k: d[k] for k in ("start", "end") if k in d})
    for u, v, k, d in ours.edges(keys=True, data=True):
        ref.add_edge(u, v, key=k, **{x: d[x] for x in ("start", "end") if x in d})
    path = tmp_path / "nx.gexf"
    nx.write_gexf(ref, path)
    root = ET.parse(path).getroot().find(f"{NS}graph")
    assert root.get("mode") == "dynamic" and root.get("timeformat") == "date"
    back = nx.read_gexf(path)
    times = lambda g: ({n: (d.get("start"), d.get("end")) for n, d in g.nodes(data=True)},  # noqa: E731
                       sorted((u, v, d.get("start") or "", d.get("end") or "")
                              for u, v, d in g.edges(data=True)))
    assert times(back) == times(ours)


def test_gexf_declares_each_attribute_once_and_round_trips(county, gexf):
    root = ET.parse(gexf).getroot()
    for attrs in root.iter(f"{NS}attributes"):
        titles = Counter(a.get("title") for a in attrs.findall(f"{NS}attribute"))
        assert max(titles.values()) == 1, titles  # `level` was declared twice
    back = read_gexf(gexf)
    assert set(back.nodes) == set(county.graph.nodes)
    for n, d in county.graph.nodes(data=True):
        assert back.nodes[n] == d, n
    assert Counter((u, v, k) for u, v, k in back.edges(keys=True)) == \
        Counter((u, v, k) for u, v, k in county.graph.edges(keys=True))
    for u, v, k, d in county.graph.edges(keys=True, data=True):
        assert back.get_edge_data(u, v)[k] == d, (u, v, k)
    # A category's level stays a number, a region's stays a code.
    assert back.nodes["category:political"]["level"] == 1
    region = next(n for n, _ in county.nodes("region"))
    assert back.nodes[region]["level"] == county.node(region)["level"]


def test_graphml_into_igraph_keeps_node_ids(county, tmp_path):
    igraph = pytest.importorskip("igraph", reason="pip install -e '.[test]'")
    out = tmp_path / "county.graphml"
    export(county, "graphml", out)
    g = igraph.Graph.Read_GraphML(str(out))
    assert sorted(g.vs["id"]) == sorted(county.graph.nodes)
    for v in g.vs.select(kind_eq="cadre"):
        assert v["record_id"] == county.node(v["id"])["id"] and v["name"] == county.node(v["id"])["name"]
    edges = Counter((g.vs[e.source]["id"], g.vs[e.target]["id"], e["kind"]) for e in g.es)
    assert edges == Counter((u, v, d["kind"]) for u, v, d in county.graph.edges(data=True))
