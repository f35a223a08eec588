"""Benchmark loading ledgers: validate + build + save, and opening the workspace.

    .venv/bin/python bench/bench_load.py                       # county, city
    .venv/bin/python bench/bench_load.py --scale province      # a few minutes
    .venv/bin/python bench/bench_load.py --scale city --profile # where the time goes

Data: ``/tmp/xuncha-bench/<scale>-<seed>/`` (generated once, see common.py).
Each figure is measured in a fresh process, so its peak memory is its own:

- ``load``: :func:`xuncha.loaders.load_dataset` (read + validate every
  ledger), :func:`xuncha.graph.build.build_graph` with provenance (``prov``
  on every node and edge), and saving the workspace — what ``xuncha load``
  does; split into its three phases;
- ``open``: :func:`xuncha.graph.workspace.open_workspace` of that workspace;
- baseline, in the same run: reading the same ``issues.csv`` with
  ``csv.DictReader`` and adding each row as a node to a networkx graph,
  without validation (and the same for all twelve ledgers, nodes only).

Targets (issue 3), province: load <= 90 s and <= 8 GB peak; open <= 15 s.
Targets (issue 2), ``--scale example issues100k`` (the bundled example and a
100k-row issues ledger with the units, rounds, teams and cadres it refers to):
validate + build no worse than 3x the all-CSVs baseline, and opening the
workspace at least 3x faster than validate + build.
``--profile`` prints the top cProfile entries of the load and tracemalloc's
largest allocation sites after the load (slow; use county or city).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import CHILD_FOOTER, dataset, machine, print_table, run_child  # noqa: E402

LOAD = """
import sys, time
from xuncha.loaders.dataset import load_dataset
from xuncha.graph.build import build_graph
from xuncha.graph.store import GraphStore
from xuncha.graph.workspace import save
t0 = time.perf_counter()
ds = load_dataset(sys.argv[1])
t1 = time.perf_counter()
try:  # provenance (prov on every node and edge), as `xuncha load` builds it
    kw = {"provenance": ds.provenance()}
except AttributeError:  # a tree from before provenance: compare with it
    kw = {}
g = build_graph(ds.records, **kw)
t2 = time.perf_counter()
save(GraphStore(g, {"source": sys.argv[1]}), sys.argv[2])
t3 = time.perf_counter()
_result = {"rows": ds.row_count(), "errors": len(ds.errors), "validate_s": t1 - t0,
           "build_s": t2 - t1, "save_s": t3 - t2, "seconds": t3 - t0,
           "nodes": g.number_of_nodes(), "edges": g.number_of_edges()}
""" + CHILD_FOOTER

OPEN = """
import sys, time
from xuncha.graph.workspace import open_workspace
t = time.perf_counter()
store = open_workspace(sys.argv[1])
n = store.graph.number_of_nodes()
_result = {"seconds": time.perf_counter() - t, "nodes": n}
""" + CHILD_FOOTER

BASELINE = """
import csv, sys, time
from pathlib import Path
import networkx as nx
t = time.perf_counter()
g = nx.MultiDiGraph()
n = 0
files = [Path(sys.argv[1]) / "issues.csv"] if sys.argv[2] == "issues" else sorted(Path(sys.argv[1]).glob("*.csv"))
for p in files:
    with open(p, encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            g.add_node(p.stem + ":" + (row.get("id") or str(n)), **row)
            n += 1
_result = {"seconds": time.perf_counter() - t, "rows": n}
""" + CHILD_FOOTER

PROFILE = """
import cProfile, pstats, sys, tracemalloc, io
from xuncha.loaders.dataset import load_dataset
from xuncha.graph.build import build_graph
pr = cProfile.Profile()
pr.enable()
ds = load_dataset(sys.argv[1])
g = build_graph(ds.records)
pr.disable()
s = io.StringIO()
pstats.Stats(pr, stream=s).sort_stats("cumulative").print_stats(25)
print(s.getvalue()[:6000])
s = io.StringIO()
pstats.Stats(pr, stream=s).sort_stats("tottime").print_stats(20)
print(s.getvalue()[:5000])
del g, ds
tracemalloc.start(8)
ds = load_dataset(sys.argv[1])
snap1 = tracemalloc.take_snapshot()
g = build_graph(ds.records)
snap2 = tracemalloc.take_snapshot()
print("largest live allocations after load_dataset (MB):")
for st in snap1.statistics("filename")[:8]:
    print(f"  {st.size / 2**20:8.1f}  {st.traceback[0].filename}")
print("added by build_graph (MB):")
for st in snap2.compare_to(snap1, "filename")[:8]:
    print(f"  {st.size_diff / 2**20:8.1f}  {st.traceback[0].filename}")
_result = {}
""" + CHILD_FOOTER

ROOT_DIR = Path(__file__).resolve().parent.parent


def issues100k(n: int = 100_000) -> Path:
    """A dataset with a 100k-row issues ledger and the ledgers it refers to
    (deterministic; written once under the bench cache)."""
    import csv
    import random

    out = Path(tempfile.gettempdir()) / "xuncha-bench" / f"issues{n // 1000}k"
    if (out / "issues.csv").exists():
        return out
    out.mkdir(parents=True, exist_ok=True)
    r = random.Random(100)
    units = [f"U{i:04d}" for i in range(600)]
    cadres = [f"C{i:05d}" for i in range(3000)]

    def write(name, header, rows):
        with open(out / f"{name}.csv", "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(header)
            w.writerows(rows)

    write("regions", ["id", "name", "level"], [["110000", "示例省", "省"]])
    write("units", ["id", "name", "kind", "region_id"],
          [[u, f"示例单位{u}", r.choice(["政府部门", "乡镇", "国有企业", "医院"]), "110000"] for u in units])
    write("cadres", ["id", "name"], [[c, r.choice("王李张刘陈杨") + r.choice("伟芳娜敏静强磊军")] for c in cadres])
    write("rounds", ["id", "name", "kind", "start"],
          [[f"R{i}", f"第{i}轮巡察", "常规", f"{2015 + i // 2}-0{3 + 6 * (i % 2)}-01"] for i in range(10)])
    write("teams", ["id", "name"], [[f"T{i}", f"第{i}巡察组"] for i in range(20)])
    cats = ["作风建设", "纪律建设", "民生", "政治建设", "组织建设", "思想建设"]
    write("issues", ["问题编号", "轮次编号", "被巡察单位", "巡察组", "问题类别", "问题表现", "涉及人员",
                     "涉及金额", "问题来源", "发现时间", "是否立行立改"],
          [[f"I{i:06d}", f"R{r.randrange(10)}", r.choice(units), f"T{r.randrange(20)}", r.choice(cats),
            f"违规发放津贴补贴问题，涉及{r.randrange(2, 40)}人次", r.choice(cadres),
            f"{r.randrange(1, 100)}万元", "查阅资料",
            f"20{r.randrange(15, 25)}年{r.randrange(1, 13)}月{r.randrange(1, 29)}日", r.choice("是否")]
           for i in range(n)])
    return out


TARGETS = {"province": {"load": (90, 8 * 1024), "open": (15, None)}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", nargs="+", default=["example", "issues100k", "county", "city"],
                    choices=["example", "issues100k", "county", "city", "province"])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--profile", action="store_true", help="cProfile + tracemalloc of the load")
    args = ap.parse_args()
    print(f"# bench_load — {machine()}")
    rows = []
    for scale in args.scale:
        data = (ROOT_DIR / "examples" / "county" if scale == "example"
                else issues100k() if scale == "issues100k" else dataset(scale, args.seed))
        if args.profile:
            import subprocess

            from common import PYTHON, ROOT
            subprocess.run([PYTHON, "-c", PROFILE, str(data)], cwd=ROOT, check=True)
            continue
        with tempfile.TemporaryDirectory(prefix="xuncha-bench-ws-") as ws:
            load = run_child(LOAD, str(data), ws)
            opened = run_child(OPEN, ws)
        base_i = run_child(BASELINE, str(data), "issues")
        base_a = run_child(BASELINE, str(data), "all")
        t = TARGETS.get(scale, {})

        def verdict(kind, secs, mb):
            if kind not in t:
                return ""
            s_max, mb_max = t[kind]
            ok = secs <= s_max and (mb_max is None or mb <= mb_max)
            lim = f"<= {s_max} s" + (f", <= {mb_max / 1024:.0f} GB" if mb_max else "")
            return f"{lim}: {'ok' if ok else 'MISSED'}"

        vb = load["validate_s"] + load["build_s"]
        rows += [
            {"scale": scale, "what": "validate+build vs all-CSVs baseline", "seconds": vb,
             "rows": load["rows"], "rows/s": load["rows"] / vb,
             "target": f"{vb / base_a['seconds']:.2f}x baseline (issue 2: <= 3x)"},
            {"scale": scale, "what": "open vs validate+build", "seconds": opened["seconds"],
             "target": f"{vb / opened['seconds']:.2f}x faster (issue 2: >= 3x)"},
            {"scale": scale, "what": "xuncha load (validate+build+save)", "rows": load["rows"],
             "seconds": load["seconds"], "rows/s": load["rows"] / load["seconds"],
             "peak MB": load["peak_mb"], "target": verdict("load", load["seconds"], load["peak_mb"])},
            {"scale": scale, "what": "  validate (load_dataset)", "rows": load["rows"],
             "seconds": load["validate_s"], "rows/s": load["rows"] / load["validate_s"]},
            {"scale": scale, "what": "  build_graph", "seconds": load["build_s"],
             "rows": load["rows"], "rows/s": load["rows"] / load["build_s"]},
            {"scale": scale, "what": "  save workspace", "seconds": load["save_s"]},
            {"scale": scale, "what": "open workspace", "rows": opened["nodes"],
             "seconds": opened["seconds"], "peak MB": opened["peak_mb"],
             "target": verdict("open", opened["seconds"], None)},
            {"scale": scale, "what": "baseline: issues.csv DictReader->nx", "rows": base_i["rows"],
             "seconds": base_i["seconds"], "rows/s": base_i["rows"] / base_i["seconds"],
             "peak MB": base_i["peak_mb"]},
            {"scale": scale, "what": "baseline: all CSVs DictReader->nx", "rows": base_a["rows"],
             "seconds": base_a["seconds"], "rows/s": base_a["rows"] / base_a["seconds"],
             "peak MB": base_a["peak_mb"]},
        ]
        if load["errors"]:
            print(f"# WARNING: {scale}: {load['errors']} validation errors", file=sys.stderr)
    if rows:
        print_table(rows, ["scale", "what", "rows", "seconds", "rows/s", "peak MB", "target"])


if __name__ == "__main__":
    main()
