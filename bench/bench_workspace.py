"""Benchmark the saved workspace (issue 14): cold-process commands, this format vs the previous one.

    .venv/bin/python bench/bench_workspace.py --scale county city
    flock /tmp/xuncha-heavy.lock .venv/bin/python bench/bench_workspace.py --scale province

Data: the cached dataset ``$XUNCHA_BENCH_DIR/<scale>-<seed>/`` (see common.py).
Baseline, in the same run: the previous format (``graph.json``, format 3) read
by the previous code, main at ``2068ee6`` exported with ``git archive`` into
``$XUNCHA_BENCH_DIR/base-2068ee6/`` and run with ``PYTHONPATH`` pointing at
it.  Each side loads the same ledgers into its own workspace once (the load's
CPU and peak are reported: issue 14 item 9), then every command runs in a fresh
process (``python -m xuncha.cli CMD -w WS --format json``), measured with
``wait4``: wall seconds, CPU seconds and the peak resident memory of that
process alone.

Commands (targets at province scale, issue 14): ``show``, ``related``,
``timeline``, ``asof``, ``path`` (a connected pair and one with no path
within 6 hops; <= 2 s, <= 1.5 GB each), ``stats`` (<= 1 s),
``kpi --by round`` (<= 10 s), ``patterns recurring``, ``common``,
``trails`` and ``clusters`` (one pattern scan each, every row: <= 30 s,
<= 6 GB), ``conflicts --round`` for the recorded round closest to 26
assignments (<= 3 s; the planning index belongs to the planner's slice, this
measures it all).  Then, in one process with the workspace open,
``related`` over 200 issues and ``path`` over 200 random cadre–issue pairs,
over the first 200 random pairs connected within 6 hops (drawn from 8,000)
and over 200 pairs within 5 hops (random walks from cadres): p50/p95/max (the
max <= 200 ms: no collector stalls; also without the first call, which reads
the path index), with a plain bidirectional breadth-first search (same hub
rule and hop cap) as the path baseline (p95 within 3x), twice: over the JSON
rows (``store.out_edges``/``in_edges``) and over the saved hop arrays the
path search itself reads (``graph/hops.py``).  Finally the cost against size
over the scales run, and how many provinces fit in 24 GB.

Seeds are chosen from the data, deterministically: the cadre with the most
principal posts among the first 20,000 cadres, the unit of their first post
and that post's start date, the first issue naming them, and for ``path`` a
unit they never held a post in, inspected in the same round as theirs, and
the first random pair with no path within 6 hops.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import CACHE, PYTHON, ROOT, dataset, machine, print_table  # noqa: E402

BASE_REV = "2068ee6"
GB = 1024.0


def base_tree() -> Path:
    """The previous format's code (main at BASE_REV), exported once."""
    out = CACHE / f"base-{BASE_REV}"
    if not (out / "xuncha" / "__init__.py").exists():
        out.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", BASE_REV], check=True,
                                 capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(out)], input=archive, check=True)
    return out


# The child's own peak: Linux's ru_maxrss of a child starts at the parent's
# resident size when it forked (so every small command reported the bench's
# own size); VmHWM belongs to the address space exec gave the child.
PEAK_WRAP = r"""
import atexit, os, runpy, sys
def _peak(path=os.environ["BENCH_PEAK_FILE"]):
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                with open(path, "w") as out:
                    out.write(line.split()[1])
atexit.register(_peak)
mode, target, *rest = sys.argv[1:]
if mode == "-m":
    sys.argv = [target, *rest]
    runpy.run_module(target, run_name="__main__", alter_sys=True)
else:
    sys.argv = ["-c", *rest]
    exec(compile(target, "<bench>", "exec"), {"__name__": "__main__"})
"""


def run_measured(args: list[str], base: bool = False) -> dict:
    env = dict(os.environ)
    if base:
        env["PYTHONPATH"] = str(base_tree())
    import tempfile

    with tempfile.TemporaryFile() as fo, tempfile.TemporaryFile() as fe, \
            tempfile.NamedTemporaryFile("r", suffix=".peak") as fp:
        env["BENCH_PEAK_FILE"] = fp.name
        t = time.perf_counter()
        p = subprocess.Popen([PYTHON, "-c", PEAK_WRAP, *args], cwd=str(base_tree() if base else ROOT),
                             env=env, stdout=fo, stderr=fe)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t
        p.returncode = os.waitstatus_to_exitcode(status)
        fo.seek(0)
        fe.seek(0)
        out, err = fo.read(), fe.read()
        got = fp.read().strip()
    peak = int(got) / 1024 if got else ru.ru_maxrss / 1024
    return {"wall": wall, "cpu": ru.ru_utime + ru.ru_stime, "peak_mb": peak,
            "rc": p.returncode, "out": out, "err": err.decode("utf-8", "replace")}


def datasets(scale: str, seed: int) -> list[Path]:
    """The ledger folders of a scale: ``province2`` is two provinces (seeds
    ``seed`` and ``seed + 1``) loaded into one workspace as two datasets
    (likewise ``county2``, ``city2``)."""
    if scale.endswith("2"):
        return [dataset(scale[:-1], seed), dataset(scale[:-1], seed + 1)]
    return [dataset(scale, seed)]


def workspace(scale: str, seed: int, base: bool) -> tuple[Path, dict]:
    """The loaded workspace for one side, loaded (and measured) once."""
    dirs = datasets(scale, seed)
    data = dirs[0]
    ws = CACHE / f"{scale}-{seed}-{'ws3' if base else 'ws4'}"
    stamp = ws / ".bench-load.json"
    from xuncha.graph.workspace import FORMAT_VERSION

    import hashlib

    code = hashlib.sha256(b"".join(p.read_bytes() for p in sorted((ROOT / "xuncha").rglob("*.py"))))
    want = {"data": ",".join(map(str, dirs)), "format": 3 if base else FORMAT_VERSION,
            "mtime": (data / "truth.json").stat().st_mtime,
            "code": BASE_REV if base else code.hexdigest()[:16]}
    if stamp.exists():
        got = json.loads(stamp.read_text())
        if got.get("want") == want:
            return ws, got["load"]
    import shutil

    # A first load into an empty directory (a reload would also fingerprint
    # and diff the previous workspace, which the baseline does not do).
    shutil.rmtree(ws, ignore_errors=True)
    args = [str(data)] if len(dirs) == 1 else [f"{d}={n}" for d, n in zip(dirs, ["甲省", "乙省"])]
    r = run_measured(["-m", "xuncha.cli", "load", *args, "-w", str(ws), "-q"], base)
    if r["rc"] != 0:
        raise RuntimeError(f"load failed ({'old' if base else 'new'}): {r['err'][-2000:]}")
    load = {k: r[k] for k in ("wall", "cpu", "peak_mb")}
    stamp.write_text(json.dumps({"want": want, "load": load}))
    return ws, load


def seeds(ws: Path) -> dict:
    """Deterministic seeds read from the new workspace (see the module docstring)."""
    import orjson

    con = sqlite3.connect(ws / "graph.db")

    def succ(nid):
        row = con.execute("SELECT a.succ FROM node n JOIN adj a ON a.seq = n.seq WHERE n.id = ?",
                          (nid,)).fetchone()
        return orjson.loads(row[0]) if row and row[0] else {}

    def pred(nid):
        # adj.pred lists the seqs of the in-edges' sources; the edges are in their rows
        row = con.execute("SELECT a.pred FROM node n JOIN adj a ON a.seq = n.seq WHERE n.id = ?",
                          (nid,)).fetchone()
        if not row or not row[0]:
            return {}
        return {u: orjson.loads(s)[nid] for u, s in con.execute(
            "SELECT n.id, a.succ FROM json_each(?) j JOIN node n ON n.seq = j.value "
            "JOIN adj a ON a.seq = j.value ORDER BY j.key", (row[0],))}

    best, best_n = None, -1
    for nid, s in con.execute("SELECT n.id, a.succ FROM node n JOIN adj a ON a.seq = n.seq "
                              "WHERE n.kind = 'cadre' AND a.succ IS NOT NULL ORDER BY n.seq LIMIT 20000"):
        posts = [(d.get("start") or "", v) for v, kd in orjson.loads(s).items() for d in kd.values()
                 if d.get("kind") == "HELD_POSITION" and d.get("is_principal")]
        named = any(d.get("kind") == "IMPLICATES" for kd in pred(nid).values() for d in kd.values())
        if named and len(posts) > best_n:
            best, best_n, best_posts = nid, len(posts), sorted(posts)
    cadre = best
    date, unit = best_posts[0]
    issue = sorted(u for u, kd in pred(cadre).items()
                   for d in kd.values() if d.get("kind") == "IMPLICATES")[0]
    held = {v for _, v in best_posts}
    # A unit inspected in the round of the issue, where the cadre held no post.
    (attrs,) = con.execute("SELECT attrs FROM node WHERE id = ?", (issue,)).fetchone()
    rnd = orjson.loads(attrs).get("round_id")
    other = None
    for s, in con.execute("SELECT a.succ FROM node n JOIN adj a ON a.seq = n.seq "
                          "WHERE n.kind = 'team' AND a.succ IS NOT NULL ORDER BY n.seq"):
        other = next((v for v, kd in sorted(orjson.loads(s).items()) for d in kd.values()
                      if d.get("kind") == "INSPECTED" and d.get("round_id") == rnd and v not in held),
                     None)
        if other:
            break
    # The recorded round whose assignment count is closest to 26.
    counts: dict[str, int] = {}
    for s, in con.execute("SELECT a.succ FROM node n JOIN adj a ON a.seq = n.seq "
                          "WHERE n.kind = 'team' AND a.succ IS NOT NULL"):
        for kd in orjson.loads(s).values():
            for d in kd.values():
                if d.get("kind") == "INSPECTED" and d.get("round_id"):
                    counts[d["round_id"]] = counts.get(d["round_id"], 0) + 1
    round_id = min(sorted(counts), key=lambda r: abs(counts[r] - 26))
    issues = [i for (i,) in con.execute("SELECT id FROM node WHERE kind = 'issue' ORDER BY seq")]
    cadres = [c for (c,) in con.execute("SELECT id FROM node WHERE kind = 'cadre' ORDER BY seq")]
    r = random.Random(14)
    issues200 = r.sample(issues, min(200, len(issues)))
    pairs = [(r.choice(cadres), r.choice(issues)) for _ in range(200)]
    # More random pairs, from which the in-process run keeps the first 200
    # connected within 6 hops (1 in 20 at province: 200 of pairs200 are too few).
    r3 = random.Random(16)
    pool = [(r3.choice(cadres), r3.choice(issues)) for _ in range(8000)]
    # Random cadre–issue pairs are mostly farther apart than 6 hops at
    # province scale; for connected pairs, walk 2-5 random steps from a
    # random cadre (never through a hub), so the ends are within 5 hops.
    from xuncha.graph.schema import HUB_KINDS

    r2 = random.Random(15)
    near = []
    while len(near) < 200:
        a = b = r2.choice(cadres)
        for _ in range(r2.randint(2, 5)):
            nb = sorted(n for n in set(succ(b)) | set(pred(b)) if n.partition(":")[0] not in HUB_KINDS)
            if not nb:
                break
            b = r2.choice(nb)
        if b != a:
            near.append((a, b))
    # For the cold `path` with no answer: the first random pair with no path
    # within 6 hops (the in-process run checks connectivity with a BFS too).
    from xuncha.graph.workspace import open_workspace
    from xuncha.queries.paths import paths

    store = open_workspace(ws)
    far = next((p for p in pairs if not paths(store, *p, limit=1)), None)
    store.close()
    con.close()
    return {"cadre": cadre, "unit": unit, "date": date, "issue": issue, "other_unit": other or unit,
            "round": round_id, "round_pairs": counts[round_id], "far": far,
            "issues200": issues200, "pairs200": pairs, "near200": near, "pool": pool}


HAND_LOAD = """
import csv, re, sys, time, resource
from pathlib import Path
import networkx as nx
from xuncha.graph.schema import LEDGER_ORDER, LEDGERS
split = re.compile(r"[;；、]").split
t = time.process_time()
g = nx.MultiDiGraph()
rows = 0
# several folders: ids namespaced per folder, as xuncha does for datasets
for i, d in enumerate(map(Path, sys.argv[1:])):
    pre = f"d{i}/" if len(sys.argv) > 2 else ""
    for name in LEDGER_ORDER:
        p = d / f"{name}.csv"
        if not p.exists():
            continue
        l = LEDGERS[name]
        fields = {f.name: f for f in l.fields}
        with open(p, encoding="utf-8-sig", newline="") as fh:
            for row in csv.DictReader(fh):
                rows += 1
                rec = {fields[k].key if k in fields else k: v for k, v in row.items() if v != ""}
                if l.node:
                    g.add_node(f"{l.node}:{pre}{rec['id']}", kind=l.node, **rec)
                for em in l.edges:
                    sf = l.node if em.src == "id" else l.field(em.src).arg
                    df = l.node if em.dst == "id" else l.field(em.dst).arg
                    s, t_ = rec.get(l.field(em.src).key if em.src != "id" else "id"), rec.get(l.field(em.dst).key if em.dst != "id" else "id")
                    if not s or not t_:
                        continue
                    props = {l.field(x).key: rec[l.field(x).key] for x in em.props if l.field(x).key in rec}
                    for tt in split(t_) if l.field(em.dst).is_list else [t_]:
                        g.add_edge(f"{sf}:{pre}{s}", f"{df}:{pre}{tt.strip()}", key=em.kind, kind=em.kind, **props)
                if name == "issues":
                    g.add_edge(f"issue:{pre}{rec['id']}", f"category:{rec.get('subcategory') or rec.get('category')}",
                               key="IN_CATEGORY", kind="IN_CATEGORY")
print(json.dumps({"cpu": time.process_time() - t, "rows": rows, "nodes": g.number_of_nodes(),
                  "edges": g.number_of_edges()}))
""".replace("import csv, re", "import json, csv, re")


COMMANDS = [
    # (name, args, target seconds, target MB)
    ("stats", lambda s: ["stats"], 1, None),
    ("show", lambda s: ["show", s["cadre"]], 2, 1536),
    ("related", lambda s: ["related", s["issue"]], 2, 1536),
    ("timeline", lambda s: ["timeline", s["cadre"]], 2, 1536),
    ("asof", lambda s: ["asof", s["unit"], s["date"]], 2, 1536),
    ("path", lambda s: ["path", s["cadre"], s["other_unit"]], 2, 1536),
    ("path, none within 6 hops", lambda s: ["path", *s["far"]] if s["far"] else None, 2, 1536),
    ("kpi --by round", lambda s: ["kpi", "--by", "round"], 10, None),
    ("conflicts --round", lambda s: ["conflicts", "--round", s["round"]], 3, None),
    ("patterns recurring", lambda s: ["patterns", "recurring"], 30, 6144),
    ("patterns common", lambda s: ["patterns", "common"], 30, 6144),
    ("patterns trails", lambda s: ["patterns", "trails"], 30, 6144),
    ("patterns clusters", lambda s: ["patterns", "clusters"], 30, 6144),
]

IN_PROCESS = """
import json, statistics, sys, time, resource
from collections import deque
seeds = json.loads(open(sys.argv[2]).read())
t0 = time.perf_counter()
from xuncha.graph.workspace import open_workspace
from xuncha.graph.schema import HUB_KINDS
store = open_workspace(sys.argv[1])
opened = time.perf_counter() - t0
from xuncha.queries.related import related
from xuncha.queries.paths import paths

def timed(f, xs):
    out = []
    for x in xs:
        t = time.perf_counter()
        r = f(x)
        out.append((time.perf_counter() - t, r))
    return out

def q(ts):
    ts = sorted(ts)
    return {"p50_ms": 1000 * ts[len(ts) // 2], "p95_ms": 1000 * ts[int(len(ts) * 0.95) - 1],
            "max_ms": 1000 * ts[-1]}

rel = timed(lambda i: related(store, i), seeds["issues200"])
pth = timed(lambda ab: paths(store, ab[0], ab[1]), seeds["pairs200"])

def kind(n):
    return n.partition(":")[0]

def bibfs_over(a, b, nbrs, cap=6):
    # Plain bidirectional BFS: ``nbrs(n)`` gives n's neighbours both ways,
    # hubs left out unless an end (a hub is never passed through, so never
    # a meeting point); at most `cap` edges.
    if a == b:
        return 0
    da, db = {a: 0}, {b: 0}
    fa, fb = [a], [b]
    la = lb = 0
    while fa and fb and la + lb < cap:
        grow_a = len(fa) <= len(fb)
        frontier, dist, other = (fa, da, db) if grow_a else (fb, db, da)
        nxt, best = [], None
        for n in frontier:
            for m in nbrs(n):
                if m in dist:
                    continue
                dist[m] = dist[n] + 1
                if m in other:
                    h = dist[m] + other[m]
                    best = h if best is None else min(best, h)
                nxt.append(m)
        if best is not None:
            return best
        if grow_a:
            fa, la = nxt, la + 1
        else:
            fb, lb = nxt, lb + 1
    return None

def bibfs(a, b, cap=6):
    # Over the JSON rows (out- and in-edges through the store).
    def nbrs(n):
        for _, v, _ in store.out_edges(n):
            if v in (a, b) or kind(v) not in HUB_KINDS:
                yield v
        for u, _, _ in store.in_edges(n):
            if u in (a, b) or kind(u) not in HUB_KINDS:
                yield u
    return bibfs_over(a, b, nbrs, cap)

bfs = timed(lambda ab: bibfs(*ab), seeds["pairs200"])

# The same BFS over the adjacency the path search itself reads: the saved
# hop arrays (graph/hops.py), nodes as ranks, hubs by the saved node kinds.
hx = store.hop_index()
hub = hx.kind_mask(HUB_KINDS)

def bibfs_hops(a, b, cap=6):
    a, b = hx.rank(a), hx.rank(b)
    off, nb = hx.offsets, hx.nbrs
    def nbrs(n):
        arr = nb[off[n]:off[n + 1]]
        m = hub[arr]
        if m.any():
            arr = arr[~m | (arr == a) | (arr == b)]
        return arr.tolist()
    return bibfs_over(a, b, nbrs, cap)

hbfs = timed(lambda ab: bibfs_hops(*ab), seeds["pairs200"])
assert [h for _, h in hbfs] == [h for _, h in bfs], "the two BFS disagree"
# Random pairs that are connected: the first 200 of the pool the BFS connects.
conn = []
for ab in seeds.get("pool", ()):
    if bibfs_hops(*ab) is not None:
        conn.append(tuple(ab))
        if len(conn) == 200:
            break
cpth = timed(lambda ab: paths(store, ab[0], ab[1]), conn)
chbfs = timed(lambda ab: bibfs_hops(*ab), conn)
assert all(p for _, p in cpth), "a pair the BFS connects has no path"
# Pairs within 5 hops (a random walk from a cadre): all connected.
near = [tuple(p) for p in seeds["near200"]]
npth = timed(lambda ab: paths(store, ab[0], ab[1]), near)
nbfs = timed(lambda ab: bibfs(*ab), near)
nhbfs = timed(lambda ab: bibfs_hops(*ab), near)
assert all(p for _, p in npth) and all(h is not None for _, h in nhbfs)
# path and the BFS must agree on connectivity; the lightest path may have
# more hops than the fewest (weights), never fewer
agree = sum(1 for (_, p), (_, h) in zip(pth, bfs) if bool(p) == (h is not None))
shorter = sum(1 for (_, p), (_, h) in zip(pth, bfs) if p and h is not None and len(p[0].steps) < h)
connected = [i for i, (_, h) in enumerate(bfs) if h is not None]
_result = {"open_s": opened, "related": q([t for t, _ in rel]), "path": q([t for t, _ in pth]),
           "path_connected": q([pth[i][0] for i in connected]) if connected else None,
           "bfs": q([t for t, _ in bfs]), "bfs_connected": q([bfs[i][0] for i in connected]) if connected else None,
           "path_first_ms": 1000 * pth[0][0], "path_rest": q([t for t, _ in pth[1:]]),
           "hbfs": q([t for t, _ in hbfs]),
           "near_path": q([t for t, _ in npth]), "near_bfs": q([t for t, _ in nbfs]),
           "near_hbfs": q([t for t, _ in nhbfs]),
           "conn_n": len(conn), "conn_path": q([t for t, _ in cpth]) if conn else None,
           "conn_hbfs": q([t for t, _ in chbfs]) if conn else None,
           "hbfs_connected": q([hbfs[i][0] for i in connected]) if connected else None,
           "connected": len(connected), "agree": agree, "shorter": shorter, "n": len(pth),
           "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
print(json.dumps(_result))
"""


def verdict(seconds: float, mb: float, t_s, t_mb) -> str:
    ok = seconds <= t_s and (t_mb is None or mb <= t_mb)
    lim = f"<= {t_s} s" + (f", <= {t_mb / GB:.1f} GB" if t_mb else "")
    return f"{lim}: {'ok' if ok else 'MISSED'}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", nargs="+", default=["county", "city"],
                    choices=["county", "city", "province", "county2", "city2", "province2"],
                    help="province2 (county2, city2): two provinces (seeds SEED and SEED+1) in one workspace; "
                         "new format only")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--skip-old", action="store_true", help="only this format (no baseline)")
    ap.add_argument("--only", nargs="*", help="only these commands (names as in the table)")
    args = ap.parse_args()
    print(f"# bench_workspace — {machine()}")
    print(f"# baseline: format 3 (graph.json) read by main at {BASE_REV}")
    curve = []
    for scale in args.scale:
        ws_new, load_new = workspace(scale, args.seed, base=False)
        skip_old = args.skip_old or scale.endswith("2")  # format 3 held one dataset
        ws_old, load_old = (None, None) if skip_old else workspace(scale, args.seed, base=True)
        s = seeds(ws_new)
        print(f"\n# {scale}: seeds {json.dumps({k: v for k, v in s.items() if not k.endswith('200')}, ensure_ascii=False)}")
        hand = run_measured(["-c", HAND_LOAD, *map(str, datasets(scale, args.seed))])
        h = json.loads(hand["out"].decode().strip().splitlines()[-1]) if hand["rc"] == 0 else {}
        if hand["rc"] != 0:
            print(f"# hand-written load baseline failed: {hand['err'][-1500:]}", file=sys.stderr)
        rows = [{"scale": scale, "command": "baseline: hand-written DictReader+networkx, nodes+edges",
                 "new s": hand["wall"], "new cpu": hand["cpu"], "new MB": hand["peak_mb"],
                 "target": f"{h.get('nodes', 0):,} nodes, {h.get('edges', 0):,} edges, no validation"},
                {"scale": scale, "command": "load (validate+build+save)",
                 "old s": load_old and load_old["wall"], "old cpu": load_old and load_old["cpu"],
                 "old MB": load_old and load_old["peak_mb"], "new s": load_new["wall"],
                 "new cpu": load_new["cpu"], "new MB": load_new["peak_mb"],
                 "target": f"new cpu {load_new['cpu'] / max(hand['cpu'], 1e-9):.2f}x the baseline's (<= 1)"}]
        fast_peak = 0.0
        for name, argf, t_s, t_mb in COMMANDS:
            if args.only and name not in args.only:
                continue
            if argf(s) is None:  # no such seed in this dataset
                continue
            cmd = ["-m", "xuncha.cli", *argf(s), "--format", "json"]
            new = run_measured([*cmd, "-w", str(ws_new)])
            old = None if skip_old else run_measured([*cmd, "-w", str(ws_old)], base=True)
            same = None
            if old is not None:
                same = "same" if old["out"] == new["out"] else "differs"
            if new["rc"] not in (0, 1) or not new["out"]:
                print(f"# {name} (new) exit {new['rc']}: {new['err'][-400:]}", file=sys.stderr)
            if t_mb == 1536:
                fast_peak = max(fast_peak, new["peak_mb"])
            rows.append({"scale": scale, "command": name,
                         "old s": old and old["wall"], "old cpu": old and old["cpu"],
                         "old MB": old and old["peak_mb"], "new s": new["wall"], "new cpu": new["cpu"],
                         "new MB": new["peak_mb"], "output": same,
                         "target": verdict(new["wall"], new["peak_mb"], t_s, t_mb)
                         if scale.startswith("province") else ""})
        print_table(rows, ["scale", "command", "old s", "old cpu", "old MB", "new s", "new cpu", "new MB",
                           "output", "target"], title=f"{scale}: cold process, old format vs new")
        import tempfile

        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
            json.dump(s, fh)
        r = run_measured(["-c", IN_PROCESS, str(ws_new), fh.name])
        os.unlink(fh.name)
        if r["rc"] != 0:
            print(f"# in-process run failed: {r['err'][-2000:]}", file=sys.stderr)
        else:
            ip = json.loads(r["out"].decode().strip().splitlines()[-1])
            pc, bc = ip["path_connected"] or {}, ip["bfs_connected"] or {}
            hc = ip["hbfs_connected"] or {}
            print_table([
                {"what": "related, 200 issues", **ip["related"], "target": "max <= 200 ms"},
                {"what": "path, 200 random pairs", **ip["path"], "target": "max <= 200 ms"},
                {"what": f"path, all but the first call (which took {ip['path_first_ms']:.0f} ms: "
                         "numpy import, path index read)", **ip["path_rest"], "target": "max <= 200 ms"},
                {"what": f"path, the {ip['connected']} connected pairs", **pc,
                 "target": f"p95 <= 3x bidirectional BFS: {3 * bc.get('p95_ms', 0):.1f} ms "
                           f"(JSON rows), {3 * hc.get('p95_ms', 0):.1f} ms (hop arrays)"},
                {"what": "plain bidirectional BFS (JSON rows), connected", **bc},
                {"what": "plain bidirectional BFS (JSON rows), all 200", **ip["bfs"]},
                {"what": "plain bidirectional BFS (hop arrays), connected", **hc},
                {"what": "plain bidirectional BFS (hop arrays), all 200", **ip["hbfs"]},
                *([{"what": f"path, {ip['conn_n']} random pairs connected within 6 hops "
                                 f"(drawn until 200)", **ip["conn_path"],
                    "target": f"p95 <= 3x bidirectional BFS: "
                              f"{3 * ip['conn_hbfs']['p95_ms']:.1f} ms (hop arrays)"},
                   {"what": "plain bidirectional BFS (hop arrays), same pairs", **ip["conn_hbfs"]}]
                  if ip.get("conn_path") else []),
                {"what": "path, 200 pairs within 5 hops (random walks from cadres)", **ip["near_path"],
                 "target": f"p95 <= 3x bidirectional BFS: {3 * ip['near_bfs']['p95_ms']:.1f} ms "
                           f"(JSON rows), {3 * ip['near_hbfs']['p95_ms']:.1f} ms (hop arrays)"},
                {"what": "plain bidirectional BFS (JSON rows), same 200", **ip["near_bfs"]},
                {"what": "plain bidirectional BFS (hop arrays), same 200", **ip["near_hbfs"]},
            ], ["what", "p50_ms", "p95_ms", "max_ms", "target"],
                title=f"{scale}: one process, workspace open ({ip['open_s'] * 1000:.0f} ms to open, "
                      f"peak {ip['peak_mb']:.0f} MB; path and BFS agree on connectivity for "
                      f"{ip['agree']}/{ip['n']}, path shorter than the BFS: {ip['shorter']})")
        con = sqlite3.connect(ws_new / "graph.db")
        info = {k: json.loads(v) for k, v in con.execute("SELECT key, value FROM info")}
        con.close()
        curve.append({"scale": scale, "nodes": info["nodes"], "edges": info["edges"],
                      "graph.db MB": (ws_new / "graph.db").stat().st_size / 2**20,
                      "graph.json MB": (ws_old / "graph.json").stat().st_size / 2**20 if ws_old else None,
                      "load cpu s": load_new["cpu"], "load MB": load_new["peak_mb"],
                      "fast cmd peak MB": fast_peak,
                      "pattern MB": max((x["new MB"] for x in rows if x["command"].startswith("patterns")),
                                        default=None)})
    print_table(curve, title="cost against size (new format)")
    if curve:
        last = curve[-1]
        fast = last["fast cmd peak MB"] or 1
        pat = last["pattern MB"]
        print(f"\n# extrapolation from {last['scale']}: fast commands need ~{fast:.0f} MB whatever the size "
              f"(indexed reads), so memory does not bound the provinces a workspace holds; disk does "
              f"({last['graph.db MB']:.0f} MB per {last['scale']}). Whole-graph commands (patterns) "
              + (f"peak ~{pat:.0f} MB per {last['scale']}: {int(24 * GB // pat)} fit in 24 GB."
                 if pat else "were not run."))


if __name__ == "__main__":
    main()
