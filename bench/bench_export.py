"""Benchmark: streaming exports at scale, against networkx's own writer.

For each of graphml, json and csv (the Neo4j directory) a fresh Python process
opens the workspace and exports the whole graph; it reports wall time of the
export alone and its peak memory (ru_maxrss).  The baselines, in the same run
and the same way: a process that only opens the workspace (the memory the
target is relative to: peak <= 1.5x) and one that writes the same graph with
``networkx.write_graphml``.

Data: the province-scale generated dataset (``xuncha generate --scale
province``), cached by bench/common.py under /tmp/xuncha-bench/ (shared with the
other benches).  Targets (issue 6): each export <= 60 s, peak <= 1.5x open.

    .venv/bin/python bench/bench_export.py [--scale province] [--seed 1] [--formats graphml,json,csv]

A format may carry a redaction: ``json+public``, ``json+public-keep`` (with
--keep-text), ``xlsx+pseudonym``; the unredacted format in the same run is its
baseline (redaction scrubs every string of the names of everyone in the
dataset).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def workspace(scale: str, seed: int) -> Path:
    sys.path.insert(0, str(ROOT / "bench"))
    from common import workspace as cached_workspace

    return cached_workspace(scale, seed)


def _rss_now_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def child(task: str, ws: str, out: str) -> None:
    """Run one task in this (fresh) process and print its figures as JSON."""
    from xuncha.graph.workspace import open_workspace

    t0 = time.perf_counter()
    store = open_workspace(ws)
    t_open = time.perf_counter() - t0
    rss_open = _rss_now_mb()
    if task == "nx_graphml":  # networkx's writer refuses lists: make them JSON text first
        for _, d in store.graph.nodes(data=True):
            for k, v in d.items():
                if isinstance(v, list):
                    d[k] = json.dumps(v, ensure_ascii=False)
    t0 = time.perf_counter()
    if task == "open":
        pass
    elif task == "nx_graphml":
        import networkx as nx

        nx.write_graphml(store.graph, out)
    else:
        from xuncha.export import export

        # "json+public-keep": json, --redact public --keep-text
        fmt, _, redact = task.partition("+")
        keep = redact.endswith("-keep")
        redact = redact.removesuffix("-keep") or None
        os.environ.setdefault("XUNCHA_PSEUDONYM_KEY", "bench-key-0123456789abcdef")
        export(store, fmt, out, redact=redact, keep_text=keep)
    seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    size = (sum(p.stat().st_size for p in Path(out).iterdir()) if Path(out).is_dir()
            else Path(out).stat().st_size if Path(out).exists() else 0)
    print(json.dumps({"task": task, "seconds": seconds, "open_seconds": t_open,
                      "rss_after_open_mb": rss_open, "peak_mb": peak, "bytes": size,
                      "nodes": store.graph.number_of_nodes(),
                      "edges": store.graph.number_of_edges()}))


def run(task: str, ws: Path, out: Path) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--child", task, str(ws), str(out)],
                          capture_output=True, text=True, cwd=ROOT)
    if proc.returncode < 0:  # killed, e.g. by the kernel's OOM killer
        return {"task": task, "killed": -proc.returncode}
    if proc.returncode:
        raise SystemExit(f"{task} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", default="province", choices=["county", "city", "province"])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--formats", default="graphml,json,csv")
    ap.add_argument("--no-networkx", action="store_true", help="skip the networkx baseline")
    ap.add_argument("--child", nargs=3, metavar=("TASK", "WS", "OUT"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(*args.child)
        return
    ws = workspace(args.scale, args.seed)
    tmp = Path(tempfile.mkdtemp(prefix="xuncha-bench-export-"))
    try:
        base = run("open", ws, tmp / "none")
        print(f"{args.scale} seed {args.seed}: {base['nodes']:,} nodes, {base['edges']:,} edges; "
              f"workspace {(ws / 'graph.db').stat().st_size / 2**20:,.0f} MB; "
              f"load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        print(f"open workspace: {base['open_seconds']:.1f} s, peak {base['peak_mb']:,.0f} MB "
              f"(RSS after open {base['rss_after_open_mb']:,.0f} MB)")
        print(f"{'task':<12}{'seconds':>9}{'peak MB':>10}{'x open peak':>13}{'x open RSS':>12}"
              f"{'output MB':>11}  verdict")
        tasks = [f for f in args.formats.split(",") if f]
        if not args.no_networkx:
            tasks.append("nx_graphml")
        for task in tasks:
            out = tmp / (task if task.startswith("csv") else f"out.{task.partition('+')[0]}")
            r = run(task, ws, out)
            if "killed" in r:
                print(f"{task:<12}  killed by signal {r['killed']} (out of memory?)")
                continue
            ratio = r["peak_mb"] / base["peak_mb"]
            ok = "" if task == "nx_graphml" else (
                "ok" if r["seconds"] <= 60 and ratio <= 1.5 else "MISSED (<=60 s, <=1.5x)")
            print(f"{task:<12}{r['seconds']:>9.1f}{r['peak_mb']:>10,.0f}{ratio:>13.2f}"
                  f"{r['peak_mb'] / base['rss_after_open_mb']:>12.2f}{r['bytes'] / 2**20:>11,.0f}  {ok}")
            shutil.rmtree(out, ignore_errors=True) if out.is_dir() else out.unlink(missing_ok=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
