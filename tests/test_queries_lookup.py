"""describe(): a node, its neighbours by edge kind, capped per group with totals."""

from pathlib import Path

from xuncha.graph.build import build_graph
from xuncha.graph.store import GraphStore
from xuncha.loaders.dataset import load_dataset
from xuncha.queries.lookup import describe, stats

MINI = Path(__file__).parent / "data" / "mini"


def store():
    return GraphStore(build_graph(load_dataset(MINI).records))


def test_neighbours_grouped_by_direction_and_kind():
    view = describe(store(), "U001")
    assert view.id == "unit:U001" and view.label == "东湖区财政局"
    assert [n.id for n in view.neighbours["<FOUND_IN"]] == ["issue:I1", "issue:I3"]
    assert [n.id for n in view.neighbours["LOCATED_IN>"]] == ["region:330101"]
    post = view.neighbours["<HELD_POSITION"][0]
    assert post.id == "cadre:C001" and post.props["is_principal"] is True


def test_limit_caps_each_group_and_totals_count_them_all():
    s = store()
    full = describe(s, "category:eight_point_rules")
    capped = describe(s, "unit:U001", limit=1)
    assert capped.totals["<FOUND_IN"] == 2 and len(capped.neighbours["<FOUND_IN"]) == 1
    assert capped.neighbours["<FOUND_IN"][0].id == "issue:I1"  # first in order, not arbitrary
    assert full.totals == {k: len(v) for k, v in full.neighbours.items()}


def test_stats_counts_every_registered_kind():
    rows = {(r["type"], r["kind"]): r["count"] for r in stats(store())}
    assert rows[("node", "issue")] == 3 and rows[("node", "lead")] == 2
    assert rows[("edge", "HELD_POSITION")] == 3 and rows[("edge", "IN_CATEGORY")] == 3
