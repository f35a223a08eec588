"""Benchmark identity resolution across offices: quality against planted truth, and cost.

    .venv/bin/python bench/bench_match.py                        # county:3, city:10
    flock /tmp/xuncha-heavy.lock .venv/bin/python bench/bench_match.py --scale province --offices 10

Data: ``xuncha generate --scale S --offices N`` (cached under
``$XUNCHA_BENCH_DIR/offices-S-N-seed/``): N offices' datasets with their own
ids, people recorded by several offices with planted variations (traditional
characters, homophone typos, 某 masks, missing 身份证号, birth date vs month),
planted namesakes, and planted cross-office conflicts; ``identity_truth.json``
says who is who.  The truth is written by the generator from the original
person ids; nothing here shares code with the matcher.

Figures, each step in a fresh process (peak memory its own):

- ``load``: ``xuncha load`` of the N offices (combine + warnings + build);
- ``match``: :func:`xuncha.identity.match.match_people` (records, blocking,
  scoring): seconds, peak MB, pairs compared vs all pairs;
- quality at the ``--auto`` default (and other thresholds): pairwise precision
  and recall of the accepted pairs, and of the entities after union-find;
- baselines in the same run: the deterministic rules an office would use
  without a matcher: "same valid 身份证号" and "same 身份证号 or same name +
  birth date" (what the load warnings flag);
- planted cross-office conflicts found by ``conflicts`` before matching (must
  be 0) and after ``match --auto`` + reload (target: all).

Targets (issue 12): precision >= 0.98 and recall >= 0.95 at the --auto
default; planted conflicts recall 1.0; province of 10 offices (~100k+
records): match <= 5 min and <= 8 GB.
"""

from __future__ import annotations

import argparse
import itertools
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (CACHE, CHILD_FOOTER, PYTHON, ROOT, generator_hash, machine, print_table,  # noqa: E402
                    run_child)

MATCH = """
import sys, time, json
from xuncha.graph.workspace import open_workspace
from xuncha.identity.match import MatchReport, match_people
t = time.perf_counter()
store = open_workspace(sys.argv[1])
t_open = time.perf_counter() - t
rep = MatchReport()
t = time.perf_counter()
cands = match_people(store, 0.01, report=rep)
t_match = time.perf_counter() - t
json.dump([[c.a, c.b, c.probability] for c in cands], open(sys.argv[2], "w"))
_result = {"open_s": t_open, "match_s": t_match, "records": rep.records, "compared": rep.compared,
           "skipped_blocks": rep.skipped_blocks, "phases": rep.seconds, "prior": rep.prior}
""" + CHILD_FOOTER

BASELINE = """
import sys, json
from xuncha.graph.workspace import open_workspace
from xuncha.identity import idnumber
store = open_workspace(sys.argv[1])
by_id, by_nb = {}, {}
for nid, a in store.nodes("cadre"):
    idn = a.get("id_number")
    if idn and idnumber.is_valid(idn):
        by_id.setdefault(idnumber.normalise(idn), []).append(nid)
    if a.get("name") and a.get("birth_date"):
        by_nb.setdefault((a["name"], a["birth_date"]), []).append(nid)
def pairs(groups):
    out = set()
    for g in groups.values():
        for x in range(len(g)):
            for y in range(x + 1, len(g)):
                out.add(tuple(sorted((g[x], g[y]))))
    return out
ids = pairs(by_id)
_result = {"id": sorted(ids), "id_or_name_birth": sorted(ids | pairs(by_nb))}
""" + CHILD_FOOTER

CONFLICTS = """
import sys, json
from xuncha.graph.workspace import open_workspace
from xuncha.planning.conflicts import find_conflicts
from xuncha.graph.store import NotFound
store = open_workspace(sys.argv[1])
truth = json.load(open(sys.argv[2], encoding="utf-8"))
found, noted = 0, 0
for c in truth["conflicts"]:
    try:
        member, unit = store.resolve(c["member"]), store.resolve(c["unit"])
    except NotFound:
        continue
    rep = find_conflicts(store, round_ref=c["round"], team_refs=[c["team"]], unit_refs=[unit])
    hits = [x for x in rep.conflicts if x.ground == "kinship" and x.inspector_id == member
            and x.unit_id == unit]
    found += bool(hits)
    noted += bool(hits) and "判定为同一人" in hits[0].text
_result = {"planted": len(truth["conflicts"]), "found": found, "noted": noted}
""" + CHILD_FOOTER


def offices_data(scale: str, n: int, seed: int) -> Path:
    out = CACHE / f"offices-{scale}-{n}-{seed}"
    stamp = out / ".generator"
    want = generator_hash()
    if (out / "identity_truth.json").exists() and stamp.exists() and stamp.read_text().strip() == want:
        return out
    if out.exists():  # a new split must not sit beside the previous one's folders
        import shutil

        shutil.rmtree(out)
    t = time.perf_counter()
    subprocess.run([PYTHON, "-m", "xuncha.cli", "generate", "--scale", scale, "--seed", str(seed),
                    "--offices", str(n), "-o", str(out), "-q"], check=True, cwd=ROOT)
    stamp.write_text(want + "\n")
    print(f"# generated {scale} into {n} offices in {time.perf_counter() - t:.1f} s", file=sys.stderr)
    return out


def load(data: Path, ws: Path, judgements: bool) -> float:
    dirs = sorted(str(p) for p in data.iterdir() if p.is_dir() and not p.name.startswith("."))
    ws.mkdir(parents=True, exist_ok=True)
    if not judgements and (ws / "judgements.tsv").exists():
        (ws / "judgements.tsv").unlink()
    t = time.perf_counter()
    if judgements:
        subprocess.run([PYTHON, "-m", "xuncha.cli", "load", "-w", str(ws), "-q"], check=True, cwd=ROOT)
    else:
        subprocess.run([PYTHON, "-m", "xuncha.cli", "load", *dirs, "-w", str(ws), "-q"], check=True,
                       cwd=ROOT)
    return time.perf_counter() - t


def true_pairs(truth: dict) -> set:
    out = set()
    for recs in truth["people"].values():
        out.update(itertools.combinations(sorted(f"cadre:{r}" for r in recs), 2))
    return out


def closure(pairs) -> set:
    """Pairs implied by union-find over ``pairs`` (what merging does)."""
    parent: dict = {}

    def find(x):
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        parent[find(a)] = find(b)
    groups: dict = {}
    for x in parent:
        groups.setdefault(find(x), []).append(x)
    out = set()
    for g in groups.values():
        out.update(itertools.combinations(sorted(g), 2))
    return out


def pr(pred: set, true: set) -> tuple[float, float]:
    tp = len(pred & true)
    return tp / max(1, len(pred)), tp / max(1, len(true))


def run(scale: str, n: int, seed: int) -> dict:
    from xuncha.identity.match import DEFAULT_AUTO

    data = offices_data(scale, n, seed)
    truth = json.loads((data / "identity_truth.json").read_text(encoding="utf-8"))
    ws = CACHE / f"offices-{scale}-{n}-{seed}-ws"
    t_load = load(data, ws, judgements=False)
    true = true_pairs(truth)
    cands_file = ws / "candidates.json"
    m = run_child(MATCH, str(ws), str(cands_file))
    cands = json.loads(cands_file.read_text())
    base = run_child(BASELINE, str(ws))
    before = run_child(CONFLICTS, str(ws), str(data / "identity_truth.json"))
    rows = []
    records = m["records"]
    for name, pred in (("baseline: same 身份证号", {tuple(p) for p in base["id"]}),
                       ("baseline: same 身份证号 or name+birth", {tuple(p) for p in base["id_or_name_birth"]})):
        p, r = pr(pred, true)
        rows.append({"method": name, "pairs": len(pred), "precision": p, "recall": r})
    for th in sorted({0.5, 0.8, DEFAULT_AUTO, 0.95, 0.99}):
        pred = {tuple(sorted((a, b))) for a, b, pb in cands if pb >= th}
        p, r = pr(pred, true)
        pc, rc = pr(closure(pred), true)
        label = f"match ≥ {th}" + (" (--auto default)" if th == DEFAULT_AUTO else "")
        rows.append({"method": label, "pairs": len(pred), "precision": p, "recall": r,
                     "merged precision": pc, "merged recall": rc})
    # match --auto (default threshold), reload with the judgements, conflicts again.
    subprocess.run([PYTHON, "-m", "xuncha.cli", "match", "--auto", "--limit", "1", "--format", "json",
                    "-w", str(ws)], check=True, cwd=ROOT, capture_output=True)
    t_reload = load(data, ws, judgements=True)
    after = run_child(CONFLICTS, str(ws), str(data / "identity_truth.json"))
    return {"scale": scale, "offices": n, "records": records, "people": len(truth["people"]),
            "true_pairs": len(true), "compared": m["compared"],
            "all_pairs": records * (records - 1) // 2, "load_s": t_load, "match_s": m["match_s"],
            "open_s": m["open_s"], "match_peak_mb": m["peak_mb"], "phases": m["phases"],
            "reload_s": t_reload, "quality": rows, "conflicts_before": before,
            "conflicts_after": after}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", action="append", choices=["county", "city", "province"])
    ap.add_argument("--offices", type=int, default=None, help="offices per scale (default 3 county, 10 else)")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    scales = args.scale or ["county", "city"]
    print(f"# {machine()}")
    results = []
    for s in scales:
        n = args.offices or (3 if s == "county" else 10)
        res = run(s, n, args.seed)
        results.append(res)
        print_table(res["quality"], ["method", "pairs", "precision", "recall", "merged precision",
                                     "merged recall"],
                    title=f"{s}, {n} offices: {res['records']:,} person records of "
                          f"{res['people']:,} people, {res['true_pairs']:,} true pairs")
        cb, ca = res["conflicts_before"], res["conflicts_after"]
        print(f"planted cross-office conflicts: {cb['found']}/{cb['planted']} found before matching, "
              f"{ca['found']}/{ca['planted']} after match --auto + reload "
              f"({ca['noted']} with the 判定为同一人 note)")
    print_table([{"scale": r["scale"], "offices": r["offices"], "records": r["records"],
                  "compared": r["compared"], "all pairs": r["all_pairs"],
                  "load s": r["load_s"], "match s": r["match_s"],
                  "records s": r["phases"]["records"], "blocking s": r["phases"]["blocking"],
                  "scoring s": r["phases"]["scoring"], "match peak MB": r["match_peak_mb"],
                  "reload s": r["reload_s"]} for r in results], title="cost")


if __name__ == "__main__":
    main()
