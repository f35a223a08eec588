"""Term statistics pushed beside the graph: ``related --uri`` reads them by
indexed look-ups (no ``CONTAINS`` scan) and answers as the embedded query."""

from __future__ import annotations

import random

import pytest

from tests.server.test_server_queries import generated, pushed  # noqa: F401 - fixtures
from xuncha.graph import derived
from xuncha.graph.server import push as P
from xuncha.graph.server import queries_related as QR
from xuncha.graph.server.stats import DERIVED_LABEL, server_table
from xuncha.queries.related import related


def test_pushed_term_statistics_equal_the_workspace_ones(pushed):  # noqa: F811
    store, server = pushed[0]
    mem = store.derived("text_stats")
    table = server_table(server, "text_stats")
    assert table is not None and table["n"] == mem["n"] > 0
    terms = sorted(mem["df"])[::53]
    assert table["df"].get_many(terms) == {t: mem["df"][t] for t in terms}
    posted = [t for t in terms if t in mem["postings"]]
    assert posted and table["postings"].get_many(posted) == {t: mem["postings"][t] for t in posted}
    docs = sorted(mem["norm"])[::41]
    assert table["norm"].get_many(docs) == pytest.approx({d: mem["norm"][d] for d in docs})
    assert table["df"].get("no such term 不存在") is None


def test_related_on_a_pushed_server_scans_no_text(pushed, monkeypatch):  # noqa: F811
    store, server = pushed[0]
    statements: list[str] = []
    run = server.run

    def spy(statement, params=None):
        statements.append(statement)
        return run(statement, params)

    monkeypatch.setattr(server, "run", spy)
    monkeypatch.setattr(QR, "similar_docs", lambda *a, **k: pytest.fail("CONTAINS path used"))
    issues = sorted(n for n, _ in store.nodes("issue"))
    seen_text = False
    for seed in random.Random(3).sample(issues, 12):
        mem = [r.as_dict() for r in related(store, seed, limit=None, min_tier="weak")]
        assert [r.as_dict() for r in QR.related(server, seed, limit=None, min_tier="weak")] == mem
        seen_text |= any(x["signal"] == "similar_text" for r in mem for x in r["reasons"])
    assert seen_text
    assert statements and not any("CONTAINS" in s for s in statements)


def test_a_changed_builder_or_a_wipe_drops_the_pushed_rows(pushed, monkeypatch):  # noqa: F811
    store, server = pushed[-1]
    assert server_table(server, "text_stats") is not None
    monkeypatch.setitem(derived.VERSIONS, "text_stats", derived.VERSIONS["text_stats"] + 1)
    assert server_table(server, "text_stats") is None  # stale: not read
    monkeypatch.undo()
    # Pushing again replaces the rows (no duplicates); wiping removes them.
    count = f"MATCH (n:`{DERIVED_LABEL}`) RETURN count(n) AS n"
    before = server.run(count)[0]["n"]
    P.push(store, server)
    assert server.run(count)[0]["n"] == before > 0
    P.wipe(server)
    assert server_table(server, "text_stats") is None
    P.push(store, server)  # leave the fixture as it was
