"""Benchmark the analyst queries against a generated dataset's truth.json.

    .venv/bin/python bench/bench_queries.py --scale city [--seed 7] [--seeds 200]
    .venv/bin/python bench/bench_queries.py --scale province --skip-quality

Generates (or reuses) ``/tmp/xuncha-bench/<scale>-<seed>/``, loads it in
process, then prints:

quality (planted related-case clusters; every issue/lead of every cluster
is used as a seed; ``planted`` = the other members of its cluster,
``related`` = the member's exhaustive related set in truth.json (planted
members, leads of the same issue, items implicating the same cadre or one
within two relations hops; see xuncha/synth/truth.py)):
  - recall@10 = |top-10 ∩ planted| / |planted|;
  - precision@10 = |top-k ∩ related| / k with k = min(10, |related|) (the
    R-precision form: a seed with 4 related items is judged on its top 4);
  - plain P@10 = |top-10 ∩ related| / |top-10|;
  - strict P@10 = |top-k ∩ planted| / k, k = min(10, |planted|): precision
    against the planted members only, as if ordinary related items were wrong;
  - namesake leaks: near-miss items (same name/surname, unrelated) in any
    top-10;
  each beside a *baseline* in the same run: a careless query that relates
  items whose named cadres share a *name* (not an id), or the same unit.
patterns vs the exhaustive truth sets (keys: common (round, subcategory);
  recurring (unit, subcategory, later round); trails cadre), with precision,
  recall and scan time; clusters: planted clusters found whole in one
  reported cluster, and namesake items wrongly joined to their cluster.
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


def careless(store: GraphStore, seed: str, limit: int = 10) -> list[str]:
    """Baseline: items naming a cadre with the same *name*, then the same unit."""
    idx = index(store)
    it = idx.items[seed]
    names = {store.label(c) for c in it.cadres}
    by_name = getattr(careless, "_by_name", None)
    if by_name is None:
        by_name = {}
        for x in idx.items.values():
            for c in x.cadres:
                by_name.setdefault(store.label(c), []).append(x.id)
        careless._by_name = by_name
    out = []
    for n in sorted(names):
        out += [x for x in by_name.get(n, ()) if x != seed]
    out += [x.id for x in idx.items_of_unit.get(it.unit, ()) if x.id != seed]
    return list(dict.fromkeys(out))[:limit]


def quality(store: GraphStore, truth: dict) -> None:
    near = set()
    for n in truth["near_misses"]:
        if n.get("pattern") == "clusters":
            near |= {f"issue:{i}" for i in n.get("issue_ids", ())}
            near |= {f"lead:{i}" for i in n.get("lead_ids", ())}
    stats = {"ours": [], "baseline": []}
    leaks = {"ours": 0, "baseline": 0}
    by_kind: dict[str, list] = {}
    sizes = []
    for k in truth["clusters"]:
        members = [f"issue:{i}" for i in k["issue_ids"]] + [f"lead:{i}" for i in k["lead_ids"]]
        for s in members:
            want = set(members) - {s}
            rel = k.get("related", {}).get(s.partition(":")[2])
            rel = want | ({f"issue:{i}" for i in rel["issue_ids"]} |
                          {f"lead:{i}" for i in rel["lead_ids"]} if rel else set())
            sizes.append(len(rel))
            got = {"ours": [r.id for r in related(store, s, limit=10)],
                   "baseline": careless(store, s)}
            for name, top in got.items():
                kk = min(10, len(rel))
                rec = len(set(top) & want) / len(want)
                rprec = len(set(top[:kk]) & rel) / kk
                plain = len(set(top) & rel) / len(top) if top else 0.0
                k2 = min(10, len(want))
                strict = len(set(top[:k2]) & want) / k2
                stats[name].append((rec, rprec, plain, strict))
                leaks[name] += len(set(top) & near)
                if name == "ours":
                    by_kind.setdefault(k["kind"], []).append((rec, rprec))
    print(f"\nrelated, planted clusters: {len(truth['clusters'])} clusters, "
          f"{len(stats['ours'])} seeds, related set per seed mean {statistics.mean(sizes):.1f} "
          f"max {max(sizes)}, {len(near)} namesake near-miss items")
    print(f"  {'':10} {'recall@10':>10} {'precision@10':>13} {'plain P@10':>11} {'strict P@10':>12} "
          f"{'namesake leaks':>15}")
    for name in ("ours", "baseline"):
        xs = stats[name]
        print(f"  {name:10} {statistics.mean(x[0] for x in xs):10.3f} "
              f"{statistics.mean(x[1] for x in xs):13.3f} {statistics.mean(x[2] for x in xs):11.3f} "
              f"{statistics.mean(x[3] for x in xs):12.3f} {leaks[name]:15d}")
    for kind, xs in sorted(by_kind.items()):
        print(f"    {kind:14} seeds {len(xs):3d}  recall@10 {statistics.mean(x[0] for x in xs):.3f}"
              f"  precision@10 {statistics.mean(x[1] for x in xs):.3f}")


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
    t = time.perf_counter()
    rows = P.trails(store)
    got = {r.cadre[6:] for r in rows}
    score("trails", got, {c["cadre_id"] for c in truth["trails"]}, time.perf_counter() - t)
    t = time.perf_counter()
    rows = P.clusters(store)
    secs = time.perf_counter() - t
    where = {i: c.number for c in rows for i in c.items}
    whole = joined = 0
    for k in truth["clusters"]:
        members = [f"issue:{i}" for i in k["issue_ids"]] + [f"lead:{i}" for i in k["lead_ids"]]
        nums = {where.get(m) for m in members}
        whole += len(nums) == 1 and None not in nums
    for n in truth["near_misses"]:
        if n.get("pattern") != "clusters":
            continue
        k = next(k for k in truth["clusters"] if k["id"] == n["cluster_id"])
        home = where.get(f"issue:{k['issue_ids'][0]}")
        joined += any(where.get(f"issue:{i}") == home and home is not None
                      for i in n.get("issue_ids", ()))
    sizes = sorted((len(c.items) for c in rows), reverse=True)
    print(f"  clusters   {len(rows)} reported (largest {sizes[:3]}); planted found whole "
          f"{whole}/{len(truth['clusters'])}; namesakes joined to their cluster {joined}; "
          f"scan {secs:.2f} s")


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
    ap.add_argument("--skip-quality", action="store_true")
    args = ap.parse_args()
    path = dataset(args.scale, args.seed)
    truth = json.loads((path / "truth.json").read_text(encoding="utf-8"))
    store = load(path)
    speed(store, args.seeds, random.Random(args.seed))
    if not args.skip_quality:
        quality(store, truth)
    patterns(store, truth)


if __name__ == "__main__":
    main()
