"""Benchmark the derived tables that `xuncha load` computes (graph/derived.py builders).

    .venv/bin/python bench/bench_derived.py                      # city seed 7
    flock /tmp/xuncha-heavy.lock .venv/bin/python bench/bench_derived.py --scale province
    .venv/bin/python bench/bench_derived.py --dir examples/county

The graph is built once as ``xuncha load`` builds it (read, validate,
combine, build), then, over that in-memory graph:

- the imports a builder pays once per process (numpy, pypinyin's
  dictionaries), and ``by_kind``, the store's node index by kind, which
  every builder shares (computed once per load);
- each registered builder (``derived.compute``): the CPU seconds ``xuncha
  load`` spends on it before writing the workspace;
- baseline, in the same run: for the tables that have one, the
  straightforward computation of ``tests/derived_reference.py`` (plain loops
  over the networkx graph, written from the definitions), and whether the
  builder's table agrees with it (norms to 1e-12).

CPU is user + system time of this process (``resource.getrusage``).
Province: about 6 GB and two minutes, so run it under the heavy lock.
"""

from __future__ import annotations

import argparse
import gc
import resource
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from common import dataset, machine, print_table  # noqa: E402


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", default="city", help="county, city or province (default city)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--dir", help="a ledger directory instead of a generated dataset")
    ap.add_argument("--no-reference", action="store_true", help="skip the baseline computations")
    args = ap.parse_args()

    from tests import derived_reference as ref
    from xuncha.graph import derived
    from xuncha.graph.store import GraphStore
    from xuncha.loaders.combine import finish, parse_sources, prepare
    from xuncha.perf import gc_paused

    d = Path(args.dir) if args.dir else dataset(args.scale, args.seed)
    print(f"# {machine()}", file=sys.stderr)
    t = cpu()
    with gc_paused():
        combined, _ = prepare(parse_sources([str(d)]), None, False)
        g, _ = finish(combined, None)
    print(f"# {d}: {g.number_of_nodes():,} nodes, {g.number_of_edges():,} edges "
          f"(read + validate + build {cpu() - t:.1f} s CPU)", file=sys.stderr)
    store = GraphStore(g, {})
    derived.import_providers()
    rows = []
    t = cpu()
    import numpy  # noqa: F401 - once per process, whichever table needs it first

    from xuncha.identity.names import pinyin

    pinyin("张")  # pypinyin's dictionaries: once per process
    rows.append({"table": "(imports: numpy, pypinyin)", "builder_s": round(cpu() - t, 2)})
    t = cpu()
    store.by_kind  # noqa: B018 - shared by every builder
    rows.append({"table": "(by_kind)", "builder_s": round(cpu() - t, 2)})
    total = [sum(r["builder_s"] for r in rows), 0.0]
    for name in sorted(derived.BUILDERS):
        gc.collect()
        t = cpu()
        got = derived.compute(store, name)
        spent = cpu() - t
        total[0] += spent
        row = {"table": name, "builder_s": round(spent, 2), "keys": len(got)}
        reference = ref.REFERENCES.get(name)
        if reference is not None and not args.no_reference:
            gc.collect()
            with gc_paused():
                t = cpu()
                want = reference(store)
                base = cpu() - t
            total[1] += base
            row.update(reference_s=round(base, 2), ratio=f"{spent / base:.2f}" if base else "",
                       agree="yes" if ref.agree(name, got, want) else "NO")
            del want
        rows.append(row)
        del got
    rows.append({"table": "total", "builder_s": round(total[0], 2),
                 "reference_s": round(total[1], 2) if total[1] else None})
    print_table(rows, ["table", "builder_s", "reference_s", "ratio", "agree", "keys"])


if __name__ == "__main__":
    main()
