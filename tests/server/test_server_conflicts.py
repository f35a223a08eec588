"""Parity of ``conflicts`` 回避审查: the server (targeted Cypher, then the
in-memory checker over the fetched sub-graph) reports the same rows as the
in-memory check, in the same order, with the same texts and evidence paths.

Data: the generated county (``xuncha generate --scale county --seed 7``) and
the bundled example ``examples/county``, each pushed to its own graph.
"""

from __future__ import annotations

import json
import random
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.server.test_server_push import load_store
from tests.server.test_server_queries import generated  # noqa: F401 - fixture
from xuncha.graph.server import queries as Q
from xuncha.graph.server import queries_conflicts as QC
from xuncha.graph.server.base import connect
from xuncha.graph.server.push import push
from xuncha.planning.conflicts import ManualRecusal, find_conflicts
from xuncha.planning.policy import GROUNDS, load_policy

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "county"

POLICIES = {
    "default": load_policy(),
    # every ground hard, kinship composed further: more rows, every fetch rule used
    "strict": load_policy(overrides={g: "hard" for g in GROUNDS}).model_copy(),
    "no_compose": load_policy(overrides={"native_place": "soft", "local": "off"}),
}
_k = POLICIES["strict"].grounds["kinship"].model_copy(update={"max_hops": 5})
POLICIES["strict"] = POLICIES["strict"].model_copy(
    update={"grounds": {**POLICIES["strict"].grounds, "kinship": _k}})
_k = POLICIES["no_compose"].grounds["kinship"].model_copy(update={"compose": False})
POLICIES["no_compose"] = POLICIES["no_compose"].model_copy(
    update={"grounds": {**POLICIES["no_compose"].grounds, "kinship": _k}})


@pytest.fixture(scope="module")
def datasets(backend, generated):  # noqa: F811
    """(name, store, server): the generated county and the bundled example."""
    out = []
    for name, store in (("gen", generated), ("example", load_store(EXAMPLE))):
        uri = backend.uri(f"conflicts_{name}_{uuid.uuid4().hex[:6]}")
        server = connect(uri, backend.database(name), backend.user, backend.password)
        server.dialect.drop_graph(server)
        push(store, server)
        out.append((name, store, server))
        if backend.name == "neo4j":
            break  # one database: the generated data only
    yield out
    for _, _, server in out:
        server.dialect.drop_graph(server)
        server.close()


def same(mem, srv) -> list[dict]:
    rows = [c.as_dict() for c in mem.conflicts]
    assert [c.as_dict() for c in srv.conflicts] == rows
    assert (srv.pairs, srv.as_of, srv.round_id) == (mem.pairs, mem.as_of, mem.round_id)
    return rows


def rounds_with_assignments(store) -> list[str]:
    return sorted({d["round_id"] for _, _, _, d in store.edges("INSPECTED")})


@pytest.mark.parametrize("policy", list(POLICIES))
def test_every_round_gives_the_same_rows(datasets, policy):
    pol = POLICIES[policy]
    grounds: set[str] = set()
    total = 0
    for name, store, server in datasets:
        for r in rounds_with_assignments(store):
            rows = same(find_conflicts(store, r, policy=pol), QC.find_conflicts(server, r, policy=pol))
            grounds |= {x["ground"] for x in rows}
            total += len(rows)
        # a round checked as of one date (not each assignment's own start)
        r = rounds_with_assignments(store)[-1]
        same(find_conflicts(store, r, as_of="2024-06-30", policy=pol),
             QC.find_conflicts(server, r, as_of="2024-06-30", policy=pol))
    assert total > 0
    if policy == "strict":  # the data exercise the person- and team-level grounds
        assert {"kinship", "employment", "superior_subordinate", "repeat"} <= grounds, grounds


def test_team_unit_pairs_give_the_same_rows(datasets):
    rnd = random.Random(5)
    found = 0
    for name, store, server in datasets:
        teams = sorted(d["id"] for _, d in store.nodes("team"))
        units = sorted(d["id"] for _, d in store.nodes("unit"))
        # pairs that conflict in memory, plus random ones
        hits = [(c.team_id, c.unit_id) for r in rounds_with_assignments(store)[-3:]
                for c in find_conflicts(store, r).conflicts]
        cases = [([t], [u]) for t, u in rnd.sample(hits, min(4, len(hits)))]
        cases += [(rnd.sample(teams, 2), rnd.sample(units, 5)) for _ in range(3)]
        for ts, us in cases:
            for as_of in (None, "2021-03-01"):
                mem = find_conflicts(store, team_refs=ts, unit_refs=us, as_of=as_of)
                found += len(same(mem, QC.find_conflicts(server, team_refs=ts, unit_refs=us,
                                                         as_of=as_of)))
        # a team named by its name 巡察组名称
        t = next(d for _, d in store.nodes("team") if d.get("name"))
        same(find_conflicts(store, team_refs=[t["name"]], unit_refs=units[:3]),
             QC.find_conflicts(server, team_refs=[t["name"]], unit_refs=units[:3]))
    assert found > 0


def test_a_plan_gives_the_same_rows(datasets, tmp_path):
    from xuncha.planning.io import read_plan_doc

    found = 0
    for name, store, server in datasets:
        rounds = rounds_with_assignments(store)
        # the teams of the last round sent to the units of an earlier one
        last = [(t, u) for _, t, u in sorted((d["round_id"], s, v) for s, v, _, d in
                                             store.edges("INSPECTED") if d["round_id"] == rounds[-1])]
        prev = [v for s, v, _, d in store.edges("INSPECTED") if d["round_id"] == rounds[-2]]
        f = tmp_path / f"{name}.csv"
        f.write_text("team_id,unit_id\n" + "".join(
            f"{t.partition(':')[2]},{u.partition(':')[2]}\n" for (t, _), u in zip(last, sorted(prev))),
            encoding="utf-8")
        plan = read_plan_doc(f)
        for round_ref in (None, rounds[-1]):
            mem = find_conflicts(store, round_ref, plan, as_of="2025-01-15")
            found += len(same(mem, QC.find_conflicts(server, round_ref, plan, as_of="2025-01-15")))
        # declared recusals 申请回避 travel with the call
        t, u = last[0][0].partition(":")[2], sorted(prev)[0].partition(":")[2]
        manual = ManualRecusal([{"team_id": t, "unit_id": u, "reason": "测试"}])
        rows = same(find_conflicts(store, None, plan, as_of="2025-01-15", manual=manual),
                    QC.find_conflicts(server, None, plan, as_of="2025-01-15", manual=manual))
        assert any(r["ground"] == "manual" for r in rows)
    assert found > 0


def test_the_server_check_fetches_a_small_subgraph(datasets):
    name, store, server = datasets[0]
    r = rounds_with_assignments(store)[-1]
    sub, (round_x, _, _) = QC.subgraph(server, r, policy=POLICIES["strict"])
    kinds = {d["kind"] for _, d in sub.graph.nodes(data=True)}
    assert round_x == f"round:{r}"
    assert kinds <= {"round", "team", "unit", "cadre", "region"}  # no issue, lead, action
    assert sub.graph.number_of_nodes() < store.graph.number_of_nodes() / 5
    # the cadres fetched are inspectors, their kin and the units' staff, not everyone
    assert len(list(sub.nodes("cadre"))) < len(list(store.nodes("cadre"))) / 2


def test_the_twin_is_registered():
    assert Q.server_version(find_conflicts) is QC.find_conflicts


def test_conflicts_uri_gives_the_same_json(datasets, tmp_path, backend):
    from xuncha.cli import main
    from xuncha.graph.workspace import save

    for name, store, server in datasets:
        ws = tmp_path / f"ws_{name}"
        save(store, ws)
        nowhere = str(tmp_path / "nowhere")  # proves nothing is read from a workspace
        uri = ["--uri", server.uri.display()]
        if server.uri.backend == "neo4j" and server.uri.graph:
            uri += ["--database", server.uri.graph]
        rounds = rounds_with_assignments(store)
        team = sorted(d["id"] for _, d in store.nodes("team"))[0]
        units = sorted(d["id"] for _, d in store.nodes("unit"))[:4]
        cases = [["--round", rounds[-1]], ["--round", rounds[0], "--ground", "native_place=soft"],
                 ["--team", team, *[x for u in units for x in ("--unit", u)], "--as-of", "2023年3月1日"]]
        rows = 0
        for args in cases:
            local = CliRunner().invoke(main, ["conflicts", *args, "-w", str(ws), "--format", "json"])
            assert local.exit_code in (0, 1), local.output
            remote = CliRunner().invoke(main, ["conflicts", *args, *uri, "-w", nowhere, "--format",
                                               "json"], env=backend.env())
            assert remote.exit_code == local.exit_code, remote.output
            assert json.loads(remote.stdout) == json.loads(local.stdout)
            rows += len(json.loads(local.stdout))
        assert rows > 0
    # errors name the thing, as on a workspace
    res = CliRunner().invoke(main, ["conflicts", "--round", "no-such-round", *uri], env=backend.env())
    assert res.exit_code != 0 and "no-such-round" in res.output and "Traceback" not in res.output


def test_composed_kinship_chains_are_fetched(graph):
    """Kin two and three relations away (an in-law 姻亲, an uncle 旁系血亲),
    recorded from either side, reach a unit's leader: the server fetches
    the whole chain and reports the same rows."""
    from xuncha.graph.store import GraphStore
    from xuncha.planning.index import PlanningIndex

    store = load_store(EXAMPLE)
    ix = PlanningIndex(store)
    r = rounds_with_assignments(store)[-1]
    _, t, u = next(h for h in ix.history if h[0] == r)
    start = ix.assignment[(r, t, u)]["start"]
    m = ix.members(r)[t][0].cadre
    leader = next(p.cadre for p in ix.posts_by_unit[u] if p.principal and p.current(start))
    g = store.graph.copy()
    for x in ("X1", "X2", "X3", "X4"):
        g.add_node(f"cadre:{x}", kind="cadre", id=x, name=f"测试{x}")
    rel = lambda a, b, kind: g.add_edge(f"cadre:{a}", f"cadre:{b}", "RELATED_TO",  # noqa: E731
                                        kind="RELATED_TO", relation_kind=kind, note=None)
    rel(m, "X1", "spouse")
    rel(leader, "X1", "sibling")  # recorded from the leader's side
    rel(m, "X2", "parent")
    rel("X2", "X3", "parent")
    rel("X3", "X4", "child")  # X4: the inspector's uncle, a principal of the unit
    g.add_edge("cadre:X4", f"unit:{u}", "HELD_POSITION", kind="HELD_POSITION", title="主任",
               rank=None, is_principal=True, start="2000-01-01", end=None)
    store = GraphStore(g, {})
    push(store, graph.server)
    rows = same(find_conflicts(store, r), QC.find_conflicts(graph.server, r))
    chains = {tuple(x["path"]) for x in rows if x["ground"] == "kinship" and x["inspector_id"] == f"cadre:{m}"}
    assert (f"cadre:{m}", "cadre:X1", f"cadre:{leader}", f"unit:{u}") in chains
    assert (f"cadre:{m}", "cadre:X2", "cadre:X3", "cadre:X4", f"unit:{u}") in chains
    one_hop = load_policy().grounds["kinship"].model_copy(update={"compose": False})
    pol = load_policy().model_copy(update={"grounds": {**load_policy().grounds, "kinship": one_hop}})
    rows = same(find_conflicts(store, r, policy=pol), QC.find_conflicts(graph.server, r, policy=pol))
    assert not any("cadre:X1" in x["path"] for x in rows)
