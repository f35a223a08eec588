"""Quality of the analyst queries against the world's facts (truth.json v3).

    .venv/bin/python bench/bench_quality.py --scale city [--seed 7] [--sample 300]
    flock /tmp/xuncha-heavy.lock .venv/bin/python bench/bench_quality.py --scale province

Generates (or reuses) the dataset and its workspace (bench/common.py), opens
the workspace, runs the library's public query functions at their DEFAULT
settings, and scores them against expected answers that bench/case_truth.py
derives from the generator's story facts (its own code; see bench/README.md,
"What counts as truly related"):

related   — seeds: every issue/lead of every planted story, plus a random sample
            of ordinary issues/leads.  precision = share of the shown list that
            is truly related (mean over seeds with a non-empty list, and pooled);
            recall@10 = share of the seed's planted story found in the top 10;
            empty = share of "nothing truly related" seeds answered with an
            empty list.  Baseline in the same run: the seed unit's other items.
trails    — cadres who answered as principal for findings at 2+ units; P and R,
            plus the planted newcomer / leaver near misses.
clusters  — groups of items joined by people spanning 2+ units; pairwise P and R
            (pairs of items put in one cluster), and planted stories found whole.
path      — for each planted pair of story findings, whether the first path
            returned is the planted evidence path (issue → person [→ person] →
            issue); how often the first path runs through a team, unit or round.
common    — the planted 3-unit cluster of a rare subcategory: listed with
            ``min_units=3`` in its round, and ranked above the round's
            ubiquitous category.
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
if "xuncha" not in sys.modules:  # a caller may have imported another checkout's xuncha
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from case_truth import CaseFacts  # noqa: E402
from common import dataset, machine, workspace  # noqa: E402


def _mean(xs):
    return statistics.mean(xs) if xs else float("nan")


def _ids(results) -> list[str]:
    return [r.id if hasattr(r, "id") else r["id"] for r in results]


def eval_related(store, facts: CaseFacts, sample: int, rng: random.Random) -> dict:
    from xuncha.queries.related import related

    def run(seed):
        try:
            return _ids(related(store, seed))
        except Exception as e:  # noqa: BLE001 - a seed the query cannot take is a miss
            print(f"  related({seed}) failed: {e}", file=sys.stderr)
            return []

    by_unit: dict[str, list[str]] = {}
    for x, u in facts.unit.items():
        by_unit.setdefault(u, []).append(x)

    def baseline(seed):
        return sorted((x for x in by_unit.get(facts.unit.get(seed), ()) if x != seed),
                      reverse=True)[:10]

    story_seeds = [x for s in facts.truth["stories"] for x in facts.story_items(s)]
    ordinary = [x for x in sorted(facts.actors) if x not in facts.story_of]
    rng.shuffle(ordinary)
    out = {"story": {"ours": [], "base": []}, "ordinary": {"ours": [], "base": []}}
    empty_seeds, pooled = [], {"ours": [0, 0], "base": [0, 0]}
    t0 = time.perf_counter()
    times = []
    for group, seeds in (("story", story_seeds), ("ordinary", ordinary)):
        n_ord = 0
        for s in seeds:
            truth = facts.related(s)
            if group == "ordinary":
                if not truth:
                    if len(empty_seeds) < sample:
                        t = time.perf_counter()
                        got = run(s)
                        times.append(time.perf_counter() - t)
                        empty_seeds.append((not got, not baseline(s)))
                    continue
                if n_ord >= sample:
                    if len(empty_seeds) >= sample:
                        break
                    continue
                n_ord += 1
            planted = facts.planted(s)
            for name, fn in (("ours", run), ("base", baseline)):
                t = time.perf_counter()
                got = fn(s)
                if name == "ours":
                    times.append(time.perf_counter() - t)
                hit = sum(1 for x in got if x in truth)
                prec = hit / len(got) if got else None
                rec = len(set(got[:10]) & planted) / len(planted) if planted else None
                out[group][name].append((prec, rec, len(got)))
                if group == "story":
                    pooled[name][0] += hit
                    pooled[name][1] += len(got)
    res = {"seconds": time.perf_counter() - t0, "calls": len(times),
           "p95_ms": sorted(times)[int(0.95 * (len(times) - 1))] * 1000 if times else None}
    for group in out:
        for name, xs in out[group].items():
            precs = [p for p, _, _ in xs if p is not None]
            recs = [r for _, r, _ in xs if r is not None]
            res[f"{group}_{name}"] = {
                "seeds": len(xs), "precision": _mean(precs), "recall@10": _mean(recs),
                "empty_lists": sum(1 for _, _, n in xs if n == 0),
                "mean_len": _mean([n for _, _, n in xs])}
    for name in pooled:
        hit, shown = pooled[name]
        res[f"story_{name}"]["precision_pooled"] = hit / shown if shown else float("nan")
    res["nothing_related"] = {"seeds": len(empty_seeds),
                              "ours_empty": _mean([a for a, _ in empty_seeds]),
                              "base_empty": _mean([b for _, b in empty_seeds])}
    return res


def _pr(got: set, want: set) -> tuple[float, float]:
    tp = len(got & want)
    return (tp / len(got) if got else 1.0), (tp / len(want) if want else 1.0)


def eval_trails(store, facts: CaseFacts) -> dict:
    from xuncha.queries import patterns as P

    t = time.perf_counter()
    rows = P.trails(store)
    secs = time.perf_counter() - t
    got = {r.cadre.partition(":")[2] for r in rows}
    want = set(facts.trails())
    p, r = _pr(got, want)
    newcomers = facts.near("newcomer_principal")
    leavers = facts.near("left_before_inspection")
    # a newcomer is a wrong trail when the facts do not make them one
    new_wrong = sum(1 for n in newcomers if n["cadre_id"] in got and n["cadre_id"] not in want)
    new_at_risk = sum(1 for n in newcomers if n["cadre_id"] not in want)
    leave_found = sum(1 for n in leavers if n["cadre_id"] in want and n["cadre_id"] in got)
    leave_want = sum(1 for n in leavers if n["cadre_id"] in want)
    return {"truth": len(want), "found": len(got), "precision": p, "recall": r, "seconds": secs,
            "newcomer_wrong_trails": f"{new_wrong}/{new_at_risk}",
            "leaver_trails_found": f"{leave_found}/{leave_want}"}


def _pairs(groups: list[set[str]]) -> int:
    return sum(len(g) * (len(g) - 1) // 2 for g in groups)


def eval_clusters(store, facts: CaseFacts) -> dict:
    from xuncha.queries import patterns as P

    t = time.perf_counter()
    rows = P.clusters(store)
    secs = time.perf_counter() - t
    got = [set(x for x in c.items if x.startswith(("issue:", "lead:"))) for c in rows]
    want = facts.clusters()
    where = {x: k for k, g in enumerate(want) for x in g}
    tp = 0
    for g in got:
        cells: dict[int, int] = {}
        for x in g:
            if x in where:
                cells[where[x]] = cells.get(where[x], 0) + 1
        tp += sum(n * (n - 1) // 2 for n in cells.values())
    gp, wp = _pairs(got), _pairs(want)
    home = {x: k for k, g in enumerate(got) for x in g}
    whole = sum(1 for s in facts.truth["stories"]
                if len({home.get(x) for x in facts.story_items(s)}) == 1
                and home.get(facts.story_items(s)[0]) is not None)
    leaks = 0
    for n in facts.truth["near_misses"]:
        if n.get("pattern") == "clusters":
            story = next(s for s in facts.truth["stories"] if s["id"] == n["cluster_id"])
            h = home.get(facts.story_items(story)[0])
            leaks += h is not None and any(home.get("issue:" + i) == h for i in n["issue_ids"])
    return {"truth_clusters": len(want), "found_clusters": len(got),
            "pair_precision": tp / gp if gp else 1.0, "pair_recall": tp / wp if wp else 1.0,
            "stories_whole": f"{whole}/{len(facts.truth['stories'])}",
            "namesakes_joined": leaks, "seconds": secs}


def eval_paths(store, facts: CaseFacts) -> dict:
    from xuncha.queries.paths import paths

    pairs = facts.path_pairs()
    first_ok = context = none = 0
    by_via: dict[str, list[bool]] = {}
    for p in pairs:
        a, b = p["nodes"][0], p["nodes"][-1]
        try:
            got = paths(store, a, b)
        except Exception as e:  # noqa: BLE001
            print(f"  path({a}, {b}) failed: {e}", file=sys.stderr)
            got = []
        ok = bool(got) and list(got[0].nodes) == p["nodes"]
        if not got:
            none += 1
        elif any(n.split(":")[0] in ("team", "unit", "round", "region", "category")
                 for n in got[0].nodes[1:-1]):
            context += 1
        first_ok += ok
        by_via.setdefault("same_cadre" if p["via"] == "same_cadre" else
                          ("family" if p["via"] not in ("colleague", "business") else p["via"]),
                          []).append(ok)
    shared = {tuple(n["issue_ids"]) for n in facts.near("shared_team")}
    team_pairs = [p for p in pairs if tuple(p["issue_ids"]) in shared]
    team_ok = 0
    for p in team_pairs:
        got = paths(store, p["nodes"][0], p["nodes"][-1])
        team_ok += bool(got) and list(got[0].nodes) == p["nodes"]
    return {"pairs": len(pairs), "first_is_planted": first_ok / len(pairs) if pairs else float("nan"),
            "first_via_context": context, "no_path": none,
            "by_link": {k: f"{sum(v)}/{len(v)}" for k, v in sorted(by_via.items())},
            "shared_team_pairs_ok": f"{team_ok}/{len(team_pairs)}"}


def eval_rare(store, facts: CaseFacts) -> dict:
    from xuncha.queries import patterns as P
    from xuncha.queries.common import Window

    listed = above = 0
    rare = facts.near("rare_cluster")
    for n in rare:
        rid = "round:" + n["round_id"]
        rows = P.common(store, Window(rounds=(rid,)), min_units=3)
        keys = [r.category.partition(":")[2] for r in rows]
        if n["subcategory"] in keys:
            listed += 1
            pos = keys.index(n["subcategory"])
            ubiquitous = [k for r, k in zip(rows, keys) if r.share >= 0.6 and k != n["subcategory"]]
            if all(keys.index(k) > pos for k in ubiquitous):
                above += 1
    return {"rare_clusters": len(rare), "listed_min_units_3": listed, "ranked_above_ubiquitous": above}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", action="append", choices=["county", "city", "province"],
                    help="repeatable; default city")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--sample", type=int, default=300,
                    help="ordinary seeds with related items, and seeds with none")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args()
    from xuncha.graph.workspace import open_workspace

    print(f"# {machine()}")
    try:
        import subprocess
        rev = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True).stdout.strip()
        print(f"# xuncha at {rev}")
    except OSError:
        pass
    report = {}
    for scale in args.scale or ["city"]:
        data = dataset(scale, args.seed)
        t = time.perf_counter()
        truth = json.loads((data / "truth.json").read_text(encoding="utf-8"))
        facts = CaseFacts(truth)
        try:
            store = open_workspace(workspace(scale, args.seed))
        except Exception as e:  # noqa: BLE001 - e.g. another checkout's workspace format
            print(f"# workspace not usable ({str(e)[:80]}…): loading the ledgers in process")
            from xuncha.graph.build import build_graph
            from xuncha.graph.store import GraphStore
            from xuncha.loaders.dataset import load_dataset

            store = GraphStore(build_graph(load_dataset(data).records))
        print(f"\n## {scale} seed {args.seed}: opened in {time.perf_counter() - t:.1f} s; "
              f"{len(truth['stories'])} stories, {len(truth['findings']):,} findings")
        rng = random.Random(args.seed)
        r = {"related": eval_related(store, facts, args.sample, rng),
             "trails": eval_trails(store, facts), "clusters": eval_clusters(store, facts),
             "path": eval_paths(store, facts), "rare_common": eval_rare(store, facts)}
        report[scale] = r
        rel = r["related"]
        print("related (default settings)    precision  pooled  recall@10  empty  seeds")
        for g in ("story", "ordinary"):
            for name in ("ours", "base"):
                x = rel[f"{g}_{name}"]
                print(f"  {g:8} {name:5}            {x['precision']:9.3f}  "
                      f"{x.get('precision_pooled', float('nan')):6.3f}  {x['recall@10']:9.3f}  "
                      f"{x['empty_lists']:5d}  {x['seeds']:5d}")
        nr = rel["nothing_related"]
        print(f"  nothing truly related: {nr['seeds']} seeds, empty list ours {nr['ours_empty']:.3f}, "
              f"baseline {nr['base_empty']:.3f};  related p95 {rel['p95_ms']:.1f} ms")
        for k in ("trails", "clusters", "path", "rare_common"):
            print(f"{k:9} " + ", ".join(f"{a} {v:.3f}" if isinstance(v, float) else f"{a} {v}"
                                        for a, v in r[k].items()))
        sys.stdout.flush()
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1, default=str))


if __name__ == "__main__":
    main()
