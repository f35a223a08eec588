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
  ``--seeds`` random seeds (issues, leads, cadres, units in equal parts).
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
    rows = P.common(store)
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


def speed(store: GraphStore, n: int, rng: random.Random) -> None:
    t = time.perf_counter()
    index(store).warm()
    print(f"\nindex build (first call): {time.perf_counter() - t:.2f} s")
    pools = {k: list(store.by_kind.get(k, ())) for k in ("issue", "lead", "cadre", "unit")}
    seeds = [rng.choice(pools[k]) for _ in range(n // 4) for k in pools if pools[k]]
    times: dict[str, list[float]] = {}
    for s in seeds:
        t = time.perf_counter()
        related(store, s, limit=10)
        times.setdefault(store.kind(s), []).append((time.perf_counter() - t) * 1000)
    allt = [x for v in times.values() for x in v]
    print(f"related latency over {len(allt)} random seeds: p50 {pct(allt, .5):.1f} ms  "
          f"p95 {pct(allt, .95):.1f} ms  max {max(allt):.1f} ms")
    for k, v in times.items():
        print(f"    {k:6} n={len(v):3d}  p50 {pct(v, .5):6.1f} ms  p95 {pct(v, .95):6.1f} ms  "
              f"max {max(v):6.1f} ms")


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
