"""Benchmark the analyst queries against a generated dataset's truth.json.

    .venv/bin/python bench/bench_queries.py --scale city [--seed 7] [--seeds 200]
    .venv/bin/python bench/bench_queries.py --scale province

Generates (or reuses) ``/tmp/xuncha-bench/<scale>-<seed>/``, loads it in
process, then prints:

quality of related, trails, clusters and path: bench/bench_quality.py (expected
answers derived from the generator's story facts, truth.json v3).
patterns vs the ledger-derived truth sets (keys: common (round, subcategory);
  recurring (unit, subcategory, later round)), with precision, recall and scan
  time.
speed: index build (first call), then ``related`` latency p50/p95/max over
  ``--seeds`` random seeds (issues, leads, cadres, units in equal parts), at
  the default tier and with weak evidence; ``path`` latency over random
  (cadre, issue) pairs beside a plain unweighted bidirectional search on the
  same adjacency (the baseline: connectivity only); each pattern scan's time.
evidence: every hop of every reason path shown for the related seeds is
  checked against the graph's edges (the count of hops that are not edges
  must be 0).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from xuncha.graph.build import build_graph  # noqa: E402
from xuncha.graph.store import GraphStore  # noqa: E402
from xuncha.loaders.dataset import load_dataset  # noqa: E402
from xuncha.queries import patterns as P  # noqa: E402
from xuncha.queries.common import index  # noqa: E402
from xuncha.queries.related import related  # noqa: E402


def dataset(scale: str, seed: int) -> Path:
    """The cached dataset, regenerated when the generator's sources changed."""
    sys.path.insert(0, str(ROOT / "bench"))
    from common import dataset as cached

    return cached(scale, seed)


def load(path: Path) -> GraphStore:
    t = time.perf_counter()
    ds = load_dataset(path, lenient=True)
    store = GraphStore(build_graph(ds.records))
    print(f"loaded {ds.row_count():,} rows in {time.perf_counter() - t:.1f} s "
          f"({len(ds.errors)} rows rejected by validation)")
    return store


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def score(name: str, got: set, want: set, secs: float) -> None:
    tp = len(got & want)
    p = tp / len(got) if got else 1.0
    r = tp / len(want) if want else 1.0
    print(f"  {name:10} truth {len(want):5d}  found {len(got):5d}  precision {p:.3f}  "
          f"recall {r:.3f}  scan {secs:6.2f} s")


def patterns(store: GraphStore, truth: dict) -> None:
    print("\npatterns vs truth.json (exhaustive sets)")
    t = time.perf_counter()
    # truth "common" (ledger-derived): >= max(5, 60%) of the round's units
    rows = P.common(store, min_units=5, min_share=0.6)
    got = {(r.round[6:], r.category[9:]) for r in rows}
    score("common", got, {(c["round_id"], c["subcategory"]) for c in truth["common"]},
          time.perf_counter() - t)
    t = time.perf_counter()
    rows = P.recurring(store)
    got = {(r.unit[5:], r.category[9:], r.again_round[6:]) for r in rows}
    score("recurring", got, {(c["unit_id"], c["subcategory"], c["later_round_id"])
                             for c in truth["recurring"]}, time.perf_counter() - t)
    print("  (trails, clusters and related-case quality: bench/bench_quality.py, against the "
          "world's facts)")


def _reachable(w, a: str, b: str, max_hops: int) -> bool:
    """Plain unweighted bidirectional search over the path walker's
    adjacency (same hub rule): are ``a`` and ``b`` within ``max_hops``?"""
    if a == b:
        return True
    seen = ({a}, {b})
    frontier = ([a], [b])
    depth = 0
    while frontier[0] and frontier[1] and depth < max_hops:
        side = 0 if len(frontier[0]) <= len(frontier[1]) else 1
        nxt = []
        for u in frontier[side]:
            for v in w.nbrs(u):
                if v in seen[1 - side]:
                    return True
                if v not in seen[side]:
                    seen[side].add(v)
                    nxt.append(v)
        frontier = (nxt, frontier[1]) if side == 0 else (frontier[0], nxt)
        depth += 1
    return False


def speed(store: GraphStore, n: int, rng: random.Random) -> None:
    from xuncha.queries.paths import _Walker, paths

    t = time.perf_counter()
    index(store).warm()
    print(f"\nindex build (first call): {time.perf_counter() - t:.2f} s")
    pools = {k: list(store.by_kind.get(k, ())) for k in ("issue", "lead", "cadre", "unit")}
    seeds = [rng.choice(pools[k]) for _ in range(n // 4) for k in pools if pools[k]]
    g = store.graph
    bad = hops = 0
    for tier in ("moderate", "weak"):
        related(store, seeds[0], limit=10, min_tier=tier)  # derived tables built once
        times: dict[str, list[float]] = {}
        empty = 0
        for s in seeds:
            t = time.perf_counter()
            rows = related(store, s, limit=10, min_tier=tier)
            times.setdefault(store.kind(s), []).append((time.perf_counter() - t) * 1000)
            empty += not rows
            for r in rows:
                for x in r.reasons:
                    for h in x.hops:
                        hops += 1
                        data = g.get_edge_data(h["source"], h["target"]) or {}
                        bad += not any(d["kind"] == h["kind"] for d in data.values())
        allt = [x for v in times.values() for x in v]
        print(f"related --tier {tier} over {len(allt)} random seeds: p50 {pct(allt, .5):.1f} ms  "
              f"p95 {pct(allt, .95):.1f} ms  max {max(allt):.1f} ms  ({empty} empty answers)")
        for k, v in times.items():
            print(f"    {k:6} n={len(v):3d}  p50 {pct(v, .5):6.1f} ms  p95 {pct(v, .95):6.1f} ms  "
                  f"max {max(v):6.1f} ms")
    print(f"evidence: {hops:,} hops checked, {bad} not an edge of the graph")
    ours, base, found = [], [], 0
    people, issues = pools["cadre"], pools["issue"]
    for _ in range(max(20, n // 4)):
        a, b = rng.choice(people), rng.choice(issues)
        t = time.perf_counter()
        got = paths(store, a, b, max_hops=6, limit=5)
        ours.append((time.perf_counter() - t) * 1000)
        found += bool(got)
        w = _Walker(store, False, {a, b}, shortest=True)
        t = time.perf_counter()
        _reachable(w, a, b, 6)
        base.append((time.perf_counter() - t) * 1000)
    print(f"path (k=5 lightest, max 6 hops) over {len(ours)} random cadre-issue pairs "
          f"({found} connected): p50 {pct(ours, .5):.1f} ms  p95 {pct(ours, .95):.1f} ms  "
          f"max {max(ours):.1f} ms")
    print(f"  baseline: plain bidirectional search, same adjacency: p50 {pct(base, .5):.1f} ms  "
          f"p95 {pct(base, .95):.1f} ms  max {max(base):.1f} ms")
    for name in ("trails", "clusters"):
        t = time.perf_counter()
        rows = getattr(P, name)(store)
        print(f"patterns {name}: {len(rows)} rows in {time.perf_counter() - t:.2f} s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", default="city", choices=["county", "city", "province"])
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--seeds", type=int, default=200, help="random seeds for latency")
    args = ap.parse_args()
    path = dataset(args.scale, args.seed)
    truth = json.loads((path / "truth.json").read_text(encoding="utf-8"))
    store = load(path)
    speed(store, args.seeds, random.Random(args.seed))
    patterns(store, truth)


if __name__ == "__main__":
    main()
