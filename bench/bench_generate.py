"""Benchmark ``xuncha generate``: time, rows/s and peak memory per scale.

    .venv/bin/python bench/bench_generate.py                      # county, city
    .venv/bin/python bench/bench_generate.py --scale province     # ~1-3 min

Each scale is generated in a fresh process into a temporary directory (not the
shared cache).  Baseline, in the same run: the I/O floor for the same bytes —
reading every generated CSV with ``csv.reader`` and writing it back with
``csv.writer`` (what any generator in Python pays just to emit the files).
Target (issue 3): province generation under 3 minutes on this machine.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import CHILD_FOOTER, machine, print_table, run_child  # noqa: E402

GENERATE = """
import sys, time
from xuncha.synth import generate
t = time.perf_counter()
s = generate(sys.argv[1], scale=sys.argv[2], seed=int(sys.argv[3]))
_result = {"seconds": time.perf_counter() - t, "rows": sum(s.rows.values()),
           "issues": s.rows["issues"], "cadres": s.rows["cadres"]}
""" + CHILD_FOOTER

BASELINE = """
import csv, sys, time
from pathlib import Path
src, dst = Path(sys.argv[1]), Path(sys.argv[2])
dst.mkdir(parents=True, exist_ok=True)
t = time.perf_counter()
n = 0
for p in sorted(src.glob("*.csv")):
    with open(p, encoding="utf-8", newline="") as fi, open(dst / p.name, "w", encoding="utf-8", newline="") as fo:
        w = csv.writer(fo, lineterminator="\\n")
        for row in csv.reader(fi):
            w.writerow(row)
            n += 1
_result = {"seconds": time.perf_counter() - t, "rows": n}
""" + CHILD_FOOTER

TARGET_S = {"province": 180.0}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", nargs="+", default=["county", "city"],
                    choices=["county", "city", "province"])
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    print(f"# bench_generate — {machine()}")
    rows = []
    for scale in args.scale:
        tmp = Path(tempfile.mkdtemp(prefix=f"xuncha-bench-gen-{scale}-"))
        try:
            g = run_child(GENERATE, str(tmp / "data"), scale, str(args.seed))
            b = run_child(BASELINE, str(tmp / "data"), str(tmp / "copy"))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        target = TARGET_S.get(scale)
        rows.append({"scale": scale, "what": "xuncha generate", "rows": g["rows"],
                     "seconds": g["seconds"], "rows/s": g["rows"] / g["seconds"],
                     "peak MB": g["peak_mb"],
                     "target": f"<= {target:.0f} s: {'ok' if g['seconds'] <= target else 'MISSED'}"
                     if target else ""})
        rows.append({"scale": scale, "what": "baseline: csv read+write", "rows": b["rows"],
                     "seconds": b["seconds"], "rows/s": b["rows"] / b["seconds"],
                     "peak MB": b["peak_mb"], "target": ""})
    print_table(rows, ["scale", "what", "rows", "seconds", "rows/s", "peak MB", "target"])


if __name__ == "__main__":
    main()
