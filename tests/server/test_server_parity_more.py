"""Parity of ``related`` and the pattern scans: the server (Cypher) answers as
the in-memory queries on the same generated county (``xuncha generate
--scale county --seed 7``): same ids, same order, same scores and reasons."""

from __future__ import annotations

import json
import random

import pytest
from click.testing import CliRunner

from tests.server.test_server_queries import generated, pushed  # noqa: F401 - fixtures
from xuncha.graph.server import queries as Q
from xuncha.graph.server import queries_patterns as QP
from xuncha.graph.server import queries_related as QR
from xuncha.queries import patterns as P
from xuncha.queries.common import Window
from xuncha.queries.related import related


def seeds(store, per_kind: int, rnd: random.Random) -> list[str]:
    out = []
    for kind in ("issue", "lead", "cadre", "unit"):
        out += rnd.sample(sorted(n for n, _ in store.nodes(kind)), per_kind)
    return out


def test_related_parity_on_random_seeds(pushed):  # noqa: F811
    store, server = pushed[0]
    signals_seen: set[str] = set()
    for seed in seeds(store, 6, random.Random(11)):
        for tier in ("moderate", "weak"):
            mem = [r.as_dict() for r in related(store, seed, limit=None, min_tier=tier)]
            srv = [r.as_dict() for r in QR.related(server, seed, limit=None, min_tier=tier)]
            assert srv == mem, (seed, tier)
            signals_seen |= {x["signal"] for r in mem for x in r["reasons"]}
    # the sample exercises the person, principal, unit, context and text signals
    assert {"same_cadre", "principal", "same_unit", "category_sector",
            "similar_text"} <= signals_seen


def test_related_parity_with_options(pushed):  # noqa: F811
    store, server = pushed[0]
    seed = sorted(n for n, _ in store.nodes("issue"))[40]
    for kw in ({"limit": 5}, {"min_score": 0.3, "limit": None},
               {"signals": ("similar_text", "same_cadre"), "limit": None, "min_tier": "weak"}):
        mem = [r.as_dict() for r in related(store, seed, **kw)]
        assert [r.as_dict() for r in QR.related(server, seed, **kw)] == mem, kw
    store, server = pushed[-1]
    for nid, _ in store.nodes("issue"):
        assert QR.related(server, nid, limit=None) == related(store, nid, limit=None), nid


def test_server_text_similarity_equals_the_text_index(pushed):  # noqa: F811
    from xuncha.queries.text import similar_in, terms

    store, server = pushed[0]
    stats = store.derived("text_stats")
    assert QR.doc_count(server) == stats["n"]
    found = 0
    for nid in sorted(n for n, _ in store.nodes("issue"))[::97]:
        text = store.node(nid)["description"]
        mem = similar_in(stats, terms(text), nid, 0.5, limit=50)
        srv = QR.similar_docs(server, nid, text, 0.5, limit=50)
        assert [d for d, _ in srv] == [d for d, _ in mem], nid
        assert [s for _, s in srv] == pytest.approx([s for _, s in mem], abs=1e-12)
        found += len(mem)
    assert found > 0


def windows(store) -> dict[str, Window]:
    rounds = sorted(n for n, _ in store.nodes("round"))
    sub = sorted(e[0] for e in store.edges("PART_OF"))  # regions with a parent
    sectors = sorted({d["sector"] for _, d in store.nodes("unit") if d.get("sector")})
    return {"all": Window(), "rounds": Window(rounds=tuple(rounds[3:9])),
            "region": Window(regions=tuple(sub[:1])), "sector": Window(sectors=tuple(sectors[:1])),
            "dates": Window(since="2019-01-01", until="2022-12-31")}


CASES = [("common", {}), ("common", {"min_units": 2, "min_share": 0.2}),
         ("common", {"level": "category", "per_round": False, "min_units": 3, "min_share": 0.3}),
         ("recurring", {}), ("trails", {}), ("trails", {"role": "implicated"}),
         ("trails", {"role": "any"}), ("clusters", {})]


@pytest.mark.parametrize("name,kw", CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
def test_pattern_parity(pushed, name, kw):  # noqa: F811
    found = 0
    for store, server in pushed:
        for wname, w in windows(store).items():
            mem = [r.as_dict() for r in getattr(P, name)(store, w, **kw)]
            srv = [r.as_dict() for r in getattr(QP, name)(server, w, **kw)]
            assert srv == mem, (name, kw, wname)
            found += len(mem)
    assert found > 0


def test_twins_are_registered():
    assert Q.server_version(related) is QR.related
    for name in P.PATTERNS:
        assert Q.server_version(getattr(P, name)) is getattr(QP, name)


def test_related_and_patterns_uri_run_on_the_server(pushed, tmp_path, backend):  # noqa: F811
    from xuncha.cli import main
    from xuncha.graph.workspace import save

    store, server = pushed[0]
    ws = tmp_path / "ws"
    save(store, ws)
    nowhere = str(tmp_path / "nowhere")  # proves nothing is read from a workspace
    uri = ["--uri", server.uri.display()]
    if server.uri.backend == "neo4j" and server.uri.graph:
        uri += ["--database", server.uri.graph]
    seed = sorted(n for n, _ in store.nodes("issue"))[7]
    region = sorted(e[0] for e in store.edges("PART_OF"))[0]
    for args in (["related", seed, "-k", "20"], ["patterns", "trails", "--role", "any"],
                 ["patterns", "common", "--min-units", "2", "--min-share", "0.2",
                  "--region", region, "--since", "2019年1月1日"],
                 ["patterns", "clusters", "-k", "5"]):
        local = CliRunner().invoke(main, [*args, "-w", str(ws), "--format", "json"])
        assert local.exit_code == 0, local.output
        remote = CliRunner().invoke(main, [*args, *uri, "-w", nowhere, "--format", "json"],
                                    env=backend.env())
        assert remote.exit_code == 0, remote.output
        assert json.loads(remote.stdout) == json.loads(local.stdout) != []
    res = CliRunner().invoke(main, ["patterns", "common", "--sector", "no-such", *uri],
                             env=backend.env())
    assert res.exit_code != 0 and "sector" in res.output
