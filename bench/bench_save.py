"""Benchmark saving the workspace (issue 14 item 9): this tree's writer against an earlier one, same graph, same process.

    .venv/bin/python bench/bench_save.py --scale city
    flock /tmp/xuncha-heavy.lock .venv/bin/python bench/bench_save.py --scale province

One process reads, validates and builds the graph of the cached dataset
``$XUNCHA_BENCH_DIR/<scale>-<seed>/`` once and computes the derived tables,
then writes the SQLite workspace (``graph.db``: ``workspace._write_db``,
the path index included) with the baseline writer and with this tree's,
alternating ``--rounds`` times, and prints each write's CPU seconds (user +
system) and the file's size.  The baseline is ``xuncha/graph/workspace.py``
and ``xuncha/graph/hops.py`` at git revision ``--base`` (default
``5af376e``: before the save was reworked), read with ``git show`` and run
as modules of this package: the same graph objects, the same memory layout,
the same machine minute.  The whole ``xuncha load`` against the hand-written
loader is ``bench_workspace.py``'s load row.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import resource
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, dataset, machine, print_table  # noqa: E402


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def module_at(rev: str, path: str, name: str):
    """``path`` as it was at ``rev``, loaded as module ``xuncha.graph.<name>``."""
    src = subprocess.run(["git", "-C", str(ROOT), "show", f"{rev}:{path}"], capture_output=True,
                         check=True).stdout
    spec = importlib.util.spec_from_loader(f"xuncha.graph.{name}", loader=None)
    mod = importlib.util.module_from_spec(spec)
    mod.__package__ = "xuncha.graph"
    exec(compile(src, f"{rev}:{path}", "exec"), mod.__dict__)
    sys.modules[mod.__name__] = mod
    return mod


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", default="city", choices=["county", "city", "province"])
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--base", default="5af376e", help="git revision of the baseline writer")
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()

    from xuncha.graph import derived
    from xuncha.graph import hops as new_hops
    from xuncha.graph import workspace as new_ws
    from xuncha.graph.store import GraphStore
    from xuncha.loaders.combine import finish, parse_sources, prepare
    from xuncha.perf import gc_paused

    old_ws = module_at(args.base, "xuncha/graph/workspace.py", "_bench_old_workspace")
    old_hops = module_at(args.base, "xuncha/graph/hops.py", "_bench_old_hops")
    print(f"# bench_save — {machine()}")
    data = dataset(args.scale, args.seed, quiet=True)
    t = cpu()
    with gc_paused():
        ds, journal = prepare(parse_sources([str(data)], ()), Path("/nonexistent/journal.tsv"), False)
        g, _ = finish(ds, journal, None)
    del ds, journal
    store = GraphStore(g, {})
    derived.import_providers()
    tables = {n: (derived.VERSIONS[n], derived.compute(store, n)) for n in sorted(derived.BUILDERS)}
    print(f"# {args.scale}: {g.number_of_nodes():,} nodes, {g.number_of_edges():,} edges; "
          f"read, build and derived tables {cpu() - t:.1f} s CPU")
    rows = []
    out = Path(tempfile.mkdtemp(prefix="bench-save-"))
    try:
        for i in range(args.rounds):
            for side, mod in ((f"baseline ({args.base})", old_ws), ("this tree", new_ws)):
                # The baseline's _write_db imports .hops when it runs: give it its own.
                sys.modules["xuncha.graph.hops"] = old_hops if mod is old_ws else new_hops
                f = out / f"graph-{i}.db"
                gc.collect()
                t = cpu()
                with gc_paused():
                    info = mod._write_db(f, g, {}, tables)
                rows.append({"round": i + 1, "writer": side, "cpu s": cpu() - t,
                             "format": info["version"], "graph.db MB": f.stat().st_size / 2**20})
                sys.modules["xuncha.graph.hops"] = new_hops
                f.unlink()
    finally:
        shutil.rmtree(out, ignore_errors=True)
    print_table(rows, ["round", "writer", "cpu s", "format", "graph.db MB"],
                title=f"{args.scale}: workspace._write_db, same graph, same process")
    base = [r["cpu s"] for r in rows if r["writer"] != "this tree"]
    new = [r["cpu s"] for r in rows if r["writer"] == "this tree"]
    print(f"\n# best of {args.rounds}: baseline {min(base):.2f} s, this tree {min(new):.2f} s "
          f"({min(new) / min(base):.2f}x)")


if __name__ == "__main__":
    main()
