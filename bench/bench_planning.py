"""Benchmark recusal checks and the planner on generated province-scale data.

    .venv/bin/python bench/bench_planning.py [--scale province] [--seed 1]
        [--units 2000] [--teams 300] [--members 5] [--max-load 8] [--skip-rotation]

Generates (or reuses, see ``bench/common.py``) the dataset, loads it in
process and prints:

quality: every recorded assignment (round, team, unit) is checked with the
  members of its round, as of the assignment's start, under a policy that
  states the generator's definitions (``TRUTH_POLICY``: kinship with the
  principal 一把手 by recorded relations, employment at the unit within 3
  years, native county unless the team is local, local = a cross assignment
  in the team's own county); recall and precision against truth.json's
  exhaustive ``conflicts`` (key: round, team, unit, cadre, ground).  The same
  check under the built-in default policy is reported too (it is broader:
  leadership by title, composed kin, superior units, long service, …).
speed, on a planning problem of ``--teams`` county teams of ``--members``
  (3 per county, the latest membership) and ``--units`` units spread over
  the same counties, built-in affinity scores, the default policy:
  - the conflict matrix (teams × units, every ground), with the index build;
  - unit mode: exact plan (Hungarian) with every pairwise ground, then with
    the reciprocal rule too (the default policy: the relaxed optimum's
    reduced costs prune the pairs, HiGHS orients the region pairs, the
    relaxed bound proves optimality; rounds and candidate pairs printed);
  - baseline: scipy's ``linear_sum_assignment`` on the same scores with no
    conflicts and no reciprocal rule (team slots only), the speed floor;
  - rotation 推磨式 over the counties (no 2-cycles);
  every plan re-checked by the conflict rules (hard conflicts must be 0).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import common  # noqa: E402

TRUTH_POLICY = """
grounds:
  kinship: {compose: false, any_staff_classes: []}
  employment: {long_years: null, superior_levels: 0}
  superior_subordinate: {mode: off}
  reciprocal: {mode: off}
  repeat: {mode: off}
  manual: {mode: off}
leadership: {titles: [], exclude: []}
"""


def quality(ix, truth: list[dict], policy) -> dict:
    from xuncha.planning.conflicts import ConflictChecker, check_pairs

    t = time.perf_counter()
    found, by_ground = set(), {}
    by_round: dict[str, list] = {}
    for r, tm, u in ix.history:
        by_round.setdefault(r, []).append((tm, u))
    for r, pairs in by_round.items():
        ch = ConflictChecker(ix, None, r, policy)
        dates = {(tm, u): ix.assignment[(r, tm, u)]["start"] for tm, u in pairs}
        modes = {(tm, u): ix.assignment[(r, tm, u)]["mode"] for tm, u in pairs}
        for c in check_pairs(ch, pairs, ix.members(r), dates, modes):
            if c.severity != "hard":
                continue
            key = (r, c.team_id[5:], c.unit_id[5:], c.inspector_id[6:] if c.inspector_id else None, c.ground)
            found.add(key)
    secs = time.perf_counter() - t
    want = {(c["round_id"], c["team_id"], c["unit_id"], c["cadre_id"], c["ground"]) for c in truth}
    planted = {(c["round_id"], c["team_id"], c["unit_id"], c["cadre_id"], c["ground"]) for c in truth
               if c.get("planted")}
    grounds = sorted({k[4] for k in want | found})
    for g in grounds:
        w = {k for k in want if k[4] == g}
        f = {k for k in found if k[4] == g}
        by_ground[g] = {"truth": len(w), "found": len(f), "hit": len(w & f)}
    return {"truth": len(want), "planted": len(planted), "found": len(found), "hit": len(want & found),
            "planted_hit": len(planted & found),
            "recall": len(want & found) / len(want) if want else None,
            "planted_recall": len(planted & found) / len(planted) if planted else None,
            "precision": len(want & found) / len(found) if found else None,
            "false": len(found - want), "check_s": secs, "by_ground": by_ground,
            "pairs": len(ix.history)}


def planning_problem(ix, n_teams: int, n_units: int, n_members: int, seed: int):
    """County teams (3 per county, then a 4th until n_teams) and units spread over those counties."""
    from xuncha.planning.index import Member

    rnd = random.Random(seed)
    by_county: dict[str, list[str]] = {}
    for t, d in ix.teams.items():
        if d.get("level") == "county" and d.get("home_region_id"):
            by_county.setdefault(d["home_region_id"], []).append(t)
    counties = sorted(by_county)
    teams = [t for c in counties for t in sorted(by_county[c])[:3]]
    extra = [t for c in counties for t in sorted(by_county[c])[3:]]
    teams = (teams + extra)[:n_teams]
    members = {}
    for t in teams:
        ms: list = []
        for r in reversed(ix.rounds_by_start):
            for m in ix.members(r).get(t, []):
                if m.cadre not in {x.cadre for x in ms}:
                    ms.append(Member(m.cadre, m.role if not ms or m.role != "leader" else "member"))
            if len(ms) >= n_members:
                break
        members[t] = ms[:n_members]
    offices = {u for u, d in ix.units.items() if "巡察" in (d.get("name") or "")}
    pool: dict[str, list[str]] = {c: [] for c in counties}
    for u, d in ix.units.items():
        if u in offices:
            continue
        key = ix.region_at(d.get("region_id"), "county") if d.get("region_id") else None
        if key in pool:
            pool[key].append(u)
    per = max(1, n_units // len(counties))
    units = []
    for c in counties:
        units += rnd.sample(sorted(pool[c]), min(per, len(pool[c])))
    rest = sorted(set(u for c in counties for u in pool[c]) - set(units))
    units += rnd.sample(rest, max(0, min(len(rest), n_units - len(units))))  # small scales: all there is
    return teams, members, sorted(units[:n_units])


PREVIOUS = "2068ee6"  # the reciprocal solver before the warm-started cut LP (assignment bound + MILP rounds)


def previous_solver(rev: str):
    """``xuncha/planning/solver.py`` as of git revision ``rev``, imported beside
    the current one: the baseline solved on the same Problem in the same run."""
    import importlib.util
    import subprocess
    import tempfile

    src = subprocess.run(["git", "show", f"{rev}:xuncha/planning/solver.py"], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout
    path = Path(tempfile.mkdtemp(prefix="xuncha-prev-solver-")) / "solver.py"
    path.write_text(src, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("xuncha.planning._previous_solver", path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look their module up
    spec.loader.exec_module(mod)
    return mod


CONFLICTS_CHILD = """
import sys, time
t0 = time.perf_counter()
from xuncha.graph.workspace import open_workspace
store = open_workspace(sys.argv[1])
t1 = time.perf_counter()
from xuncha.planning.conflicts import find_conflicts
rep = find_conflicts(store, sys.argv[2], neighbourhood=sys.argv[3] == "1")
t2 = time.perf_counter()
_result = {"open_s": t1 - t0, "check_s": t2 - t1, "pairs": len(rep.pairs), "hard": rep.n_hard,
           "rows": len(rep.conflicts), "keys": sorted(str(c.key) for c in rep.conflicts)}
"""


def conflicts_round(scale: str, seed: int, target: int = 26) -> None:
    """``conflicts --round`` on a saved workspace, each in a fresh process: the
    CLI end to end, and the check alone reading the neighbourhood vs indexing
    the whole graph (the previous way), same round, same rows."""
    import csv
    import subprocess

    ws = common.workspace(scale, seed)
    data = common.dataset(scale, seed)
    count: dict[str, int] = {}
    with open(data / "assignments.csv", encoding="utf-8-sig") as fh:
        for r in csv.DictReader(fh):
            rid = r.get("round_id") or r.get("轮次编号")
            count[rid] = count.get(rid, 0) + 1
    rid = min(sorted(count), key=lambda r: (abs(count[r] - target), r))
    rows = []
    t = time.perf_counter()
    proc = subprocess.run([common.PYTHON, "-m", "xuncha.cli", "conflicts", "--round", rid, "-w", str(ws),
                           "--format", "json"], cwd=ROOT, capture_output=True, text=True)
    rows.append({"step": f"xuncha conflicts --round {rid} (CLI, cold process)", "seconds": time.perf_counter() - t,
                 "detail": f"exit {proc.returncode}; {proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else ''}"})
    got = {}
    for flag, name in (("1", "neighbourhood (per-node reads)"), ("0", "whole-graph index (before)")):
        r = common.run_child(CONFLICTS_CHILD + common.CHILD_FOOTER, str(ws), rid, flag)
        got[flag] = r["keys"]
        rows.append({"step": f"  open + check, {name}", "seconds": r["open_s"] + r["check_s"],
                     "detail": f"open {r['open_s']:.2f} s, check {r['check_s']:.2f} s, {r['pairs']} pairs, "
                               f"{r['rows']} conflict rows ({r['hard']} hard), peak {r['peak_mb']:,.0f} MB"})
    rows.append({"step": "  same rows both ways", "seconds": None, "detail": str(got["1"] == got["0"])})
    common.print_table(rows, ["step", "seconds", "detail"],
                       title=f"conflicts --round at {scale} scale ({count[rid]}-pair round, workspace {ws})")


def reciprocal_detail(res) -> str:
    rc = res.stats.get("reciprocal") or {}
    rounds = "; ".join(f"{r.get('what', 'MILP')}: {r['pairs']:,} pairs, {r['region_pairs_cut']} region pairs, "
                       f"{r.get('milp_s', r.get('s', 0)):.1f} s" for r in rc.get("rounds", ()))
    detail = (f"{res.status}, objective {res.objective:,.4f} (relaxed bound "
              f"{rc.get('relaxed_bound', float('nan')):,.4f}), {res.stats['solver_iterations']} "
              f"solves [{rounds}], gap {res.stats['mip_gap']}")
    if rc.get("lp"):
        lp = rc["lp"]
        detail += (f"; cut LP: {lp['solves']} warm-started solves, {lp['pairs']:,} of {lp['of']:,} pairs priced in, "
                   f"{lp['region_pairs_cut']} region pairs cut, bound {lp['bound']:,.4f} in {lp['s']:.1f} s")
    if rc.get("cut_lp"):
        cl = rc["cut_lp"]
        detail += (f"; oriented LP on {cl['pairs']:,} pairs ({cl['region_pairs_cut']} region pairs): "
                   f"bound {cl['bound']:,.4f} in {cl['lp_s']:.1f} s")
    if rc.get("proof"):
        detail += f"; proof: {rc['proof']}"
    return detail


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", default="province")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--units", type=int, default=2000)
    ap.add_argument("--teams", type=int, default=300)
    ap.add_argument("--members", type=int, default=5)
    ap.add_argument("--max-load", type=int, default=8)
    ap.add_argument("--as-of", default="2025-03-01")
    ap.add_argument("--skip-rotation", action="store_true")
    ap.add_argument("--skip-quality", action="store_true")
    ap.add_argument("--scores", choices=["affinity", "random", "both"], default="both",
                    help="scores for the reciprocal-rule plans: the built-in affinity, uniform random "
                         "scores in [0, 1) (seeded), or both")
    ap.add_argument("--previous", default=PREVIOUS, metavar="REV",
                    help="also solve each reciprocal case with the solver of this git revision, the "
                         "baseline in the same run ('' to skip)")
    ap.add_argument("--conflicts-round", action="store_true",
                    help="also time `conflicts --round` on a saved workspace of this scale (fresh processes)")
    ap.add_argument("--only-conflicts", action="store_true", help="only the conflicts --round figures")
    ap.add_argument("--reciprocal-limit", type=float, default=60.0,
                    help="time limit per HiGHS solve for unit mode with the reciprocal rule (0: skip)")
    args = ap.parse_args()

    import numpy as np
    from scipy.optimize import linear_sum_assignment

    from xuncha.graph.build import build_graph
    from xuncha.graph.store import GraphStore
    from xuncha.loaders.dataset import load_dataset
    from xuncha.planning.index import PlanningIndex
    from xuncha.planning.plan import Planner
    from xuncha.planning.policy import load_policy
    from xuncha.planning.rotation import rotation_plan

    print(f"# {common.machine()}", flush=True)
    if args.conflicts_round or args.only_conflicts:
        conflicts_round(args.scale, args.seed)
        if args.only_conflicts:
            return
    data = common.dataset(args.scale, args.seed)
    # Planning reads no leads or actions: load the other ledgers only (symlinks).
    sub = common.CACHE / f"planning-{args.scale}-{args.seed}"
    sub.mkdir(parents=True, exist_ok=True)
    for f in data.glob("*.csv"):
        link = sub / f.name
        if f.stem not in ("leads", "actions") and not link.exists():
            link.symlink_to(f)
    with common.timer() as t_load:
        ds = load_dataset(sub)
        store = GraphStore(build_graph(ds.records))
    print(f"# loaded {data} in {t_load():.1f} s: {store.graph.number_of_nodes():,} nodes, "
          f"{store.graph.number_of_edges():,} edges (leads and actions not loaded)", flush=True)
    truth = json.loads((data / "truth.json").read_text(encoding="utf-8"))["conflicts"]

    tp = Path("/tmp/xuncha-bench-truth-policy.yaml")
    tp.write_text(TRUTH_POLICY, encoding="utf-8")
    rows, bg = [], {}
    for name, pol in (() if args.skip_quality else
                      (("truth-definitions", load_policy(tp)), ("default", load_policy()))):
        ix = PlanningIndex(store, pol)
        q = quality(ix, truth, pol)
        rows.append({"policy": name, "assignments": q["pairs"], "truth": q["truth"], "found": q["found"],
                     "recall": q["recall"], "planted_recall": q["planted_recall"],
                     "precision": q["precision"], "false": q["false"], "check_s": q["check_s"]})
        for g, v in q["by_ground"].items():
            row = bg.setdefault(g, {"ground": g, "truth": v["truth"]})
            row[f"found ({name})"] = v["found"]
            row[f"hit ({name})"] = v["hit"]
    common.print_table(rows, title="quality: recorded assignments vs truth.json conflicts "
                                   "(the default policy is broader than the generator's definitions)")
    common.print_table(list(bg.values()), title="by ground")

    pol = load_policy()
    with common.timer() as t_ix:
        ix = PlanningIndex(store, pol)
    teams, members, units = planning_problem(ix, args.teams, args.units, args.members, args.seed)
    with common.timer() as t_cm:
        pl = Planner(ix, teams, members, units, as_of=args.as_of, policy=pol, max_load=args.max_load)
    cm_s = pl.timings["conflicts_s"]
    speed = [{"step": "index build (posts, kin, regions)", "seconds": t_ix(), "detail": ""},
             {"step": f"conflict matrix {len(teams)} × {len(units)}", "seconds": cm_s,
              "detail": f"{int(pl.cm.hard.sum()):,} hard pairs, {len(pl.cm.conflicts()):,} conflict rows"},
             {"step": "affinity scores", "seconds": pl.timings["scores_s"], "detail": ""}]
    # unit mode, every pairwise ground hard; the reciprocal rule is a region-level
    # constraint measured separately below
    pl.team_region = pl.unit_region = None
    with common.timer() as t_plan:
        res = pl.plan()
    pairs = [(a["team_id"][5:], a["unit_id"][5:]) for a in res.assignments]
    with common.timer() as t_re:
        bad = [c for c in pl.recheck(pairs) if c.severity == "hard" and c.ground != "reciprocal"]
    speed.append({"step": "unit-mode plan (exact, pairwise grounds)", "seconds": t_plan(),
                  "detail": f"{res.status}, {res.method}, objective {res.objective:,.2f}, "
                            f"{len(res.assignments)} assigned"})
    speed.append({"step": "re-check plan with conflicts", "seconds": t_re(),
                  "detail": f"{len(bad)} hard pairwise conflicts"})
    if args.reciprocal_limit:
        from xuncha.planning.solver import PlanningError

        kinds = ["affinity", "random"] if args.scores == "both" else [args.scores]
        for kind in kinds:
            scores = None
            if kind == "random":
                rng = np.random.default_rng(args.seed)
                R = rng.random((len(teams), len(units)))
                scores = {(t, u): float(R[i, j]) for i, t in enumerate(teams) for j, u in enumerate(units)}
            pl2 = Planner(ix, teams, members, units, as_of=args.as_of, policy=pol, max_load=args.max_load,
                          time_limit=args.reciprocal_limit, scores=scores)
            with common.timer() as t_rec:
                try:
                    res2 = pl2.plan(diagnose=False)
                    detail = reciprocal_detail(res2)
                    pairs2 = [(a["team_id"][5:], a["unit_id"][5:]) for a in res2.assignments]
                    bad2 = [c for c in pl2.recheck(pairs2) if c.severity == "hard"]
                    detail += f"; re-check: {len(bad2)} hard conflicts (reciprocal included)"
                except PlanningError as exc:
                    detail = f"no plan: {exc}"
            speed.append({"step": f"unit-mode plan + reciprocal rule, default policy, {kind} scores "
                                  f"(limit {args.reciprocal_limit:g} s per solve)", "seconds": t_rec(),
                          "detail": detail})
            if args.previous:
                prev = previous_solver(args.previous)
                P = pl2.problem()
                Q = prev.Problem(**{f: getattr(P, f) for f in prev.Problem.__dataclass_fields__})
                with common.timer() as t_prev:
                    try:
                        old = prev.solve(Q)
                        detail = (f"{old.status}, objective {old.objective:,.4f} (same optimum: "
                                  f"{abs(old.objective - res2.objective) < 1e-6}), {old.iterations} solves")
                    except Exception as exc:  # the old time-limit path had a bug
                        detail = f"failed: {type(exc).__name__}: {exc}"
                speed.append({"step": f"  baseline: the solver of {args.previous} (same problem)",
                              "seconds": t_prev(), "detail": detail})
            if kind == "random":  # the same random scores with the rule off: this instance's floor
                pl2.team_region = pl2.unit_region = None
                with common.timer() as t_off:
                    r0 = pl2.plan(diagnose=False)
                speed.append({"step": "  same random scores, reciprocal rule off", "seconds": t_off(),
                              "detail": f"{r0.status}, objective {r0.objective:,.4f} (upper bound)"})
    # baseline: the same scores, no conflicts, no reciprocal rule, team slots only
    with common.timer() as t_lsa:
        slots = np.repeat(np.arange(len(teams)), args.max_load)
        M = pl.base_score[slots, :].T
        r, c = linear_sum_assignment(M, maximize=True)
        base_obj = float(M[r, c].sum())
    speed.append({"step": "baseline linear_sum_assignment (no rules)", "seconds": t_lsa(),
                  "detail": f"objective {base_obj:,.2f} (upper bound; rules cost "
                            f"{base_obj - res.objective:,.2f})"})
    if not args.skip_rotation:
        with common.timer() as t_rot:
            pr = Planner(ix, teams, members, units, as_of=args.as_of, policy=pol, max_load=args.max_load,
                         inspection_mode="cross")
            rot = rotation_plan(pr)
        rpairs = [(a["team_id"][5:], a["unit_id"][5:]) for a in rot.assignments]
        bad_r = [c for c in pr.recheck(rpairs) if c.severity == "hard"]
        two = sum(1 for p in rot.pairings or [] for q in rot.pairings or []
                  if p["from_region"] == q["to_region"] and p["to_region"] == q["from_region"])
        speed.append({"step": f"rotation over {rot.stats['regions_receiving']} regions", "seconds": t_rot(),
                      "detail": f"{rot.status}, objective {rot.objective:,.2f}, "
                                f"{rot.stats['candidate_pairings']} candidate pairings "
                                f"({rot.stats['pairings_s']:.1f} s), region MILP {rot.stats['region_milp_s']:.1f} s, "
                                f"{len(rot.unassigned)} uncovered, {two} 2-cycles, "
                                f"{len(bad_r)} hard conflicts on re-check"})
    common.print_table(speed, ["step", "seconds", "detail"],
                       title=f"speed: {len(teams)} teams of ≤{args.members} × {len(units)} units, "
                             f"max load {args.max_load}, as of {args.as_of}")


if __name__ == "__main__":
    main()
