"""Shared helpers for the benchmark scripts in ``bench/``.

- :func:`dataset` generates (once) and reuses a dataset under
  ``/tmp/xuncha-bench/<scale>-<seed>/`` (ledgers + ``truth.json``); a stamp
  file holds a hash of the generator's sources, so a changed generator
  regenerates instead of benchmarking stale data;
- :func:`run_child` runs a measurement in a fresh Python process and returns
  what it printed as JSON plus its peak resident memory, so each figure's
  peak memory is its own;
- :func:`timer` and :func:`peak_rss_mb` for in-process timing;
- :func:`print_table` prints figures as an aligned table, and
  :func:`machine` describes the machine and its load for the record.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import resource
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists() else sys.executable
CACHE = Path(os.environ.get("XUNCHA_BENCH_DIR", "/tmp/xuncha-bench"))
STAMP = ".generator"

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def generator_hash() -> str:
    h = hashlib.sha256()
    for p in sorted((ROOT / "xuncha" / "synth").glob("*.py")):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


def dataset(scale: str, seed: int = 1, quiet: bool = False) -> Path:
    """The cached dataset directory for ``scale`` and ``seed`` (generated if needed)."""
    out = CACHE / f"{scale}-{seed}"
    stamp = out / STAMP
    want = generator_hash()
    if (out / "truth.json").exists() and stamp.exists() and stamp.read_text().strip() == want:
        return out
    t = time.perf_counter()
    subprocess.run([PYTHON, "-m", "xuncha.cli", "generate", "--scale", scale, "--seed", str(seed),
                    "-o", str(out), "-q", "--force"], check=True, cwd=ROOT)  # a stale cache
    stamp.write_text(want + "\n")
    if not quiet:
        print(f"# generated {scale} seed {seed} into {out} in {time.perf_counter() - t:.1f} s",
              file=sys.stderr)
    return out


def workspace(scale: str, seed: int = 1, quiet: bool = False) -> Path:
    """A loaded workspace of the cached dataset (``xuncha load``, lenient off),
    rebuilt when the generator or the workspace format changes."""
    from xuncha.graph.workspace import FORMAT_VERSION

    data = dataset(scale, seed, quiet)
    ws = CACHE / f"{scale}-{seed}-ws"
    stamp = ws / STAMP
    want = f"{generator_hash()} workspace-v{FORMAT_VERSION}"
    if (ws / "graph.db").exists() and stamp.exists() and stamp.read_text().strip() == want:
        return ws
    t = time.perf_counter()
    subprocess.run([PYTHON, "-m", "xuncha.cli", "load", str(data), "-w", str(ws), "-q"],
                   check=True, cwd=ROOT)
    stamp.write_text(want + "\n")
    if not quiet:
        print(f"# loaded {scale} seed {seed} into {ws} in {time.perf_counter() - t:.1f} s",
              file=sys.stderr)
    return ws


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux: ru_maxrss is KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextmanager
def timer():
    """``with timer() as t: ...`` then ``t()`` is the elapsed seconds."""
    start = time.perf_counter()
    end = None

    def elapsed() -> float:
        return (end if end is not None else time.perf_counter()) - start

    try:
        yield elapsed
    finally:
        end = time.perf_counter()


def run_child(code: str, *args: str) -> dict:
    """Run ``code`` in a fresh interpreter; it must print one JSON object last.

    The returned dict gains ``peak_mb``: the child's peak resident memory.
    """
    t = time.perf_counter()
    proc = subprocess.run([PYTHON, "-c", code, *args], cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - t
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark child failed:\n{proc.stderr[-3000:]}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out.setdefault("peak_mb", out.pop("_peak_mb", None))
    out["wall_s"] = wall
    return out


CHILD_FOOTER = """
import json as _json, resource as _r
_result["_peak_mb"] = _r.getrusage(_r.RUSAGE_SELF).ru_maxrss / 1024
print(_json.dumps(_result))
"""


def machine() -> str:
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0, 0, 0)
    try:
        mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError):
        mem = 0
    return (f"{platform.node()} {platform.machine()}, {os.cpu_count()} CPUs, {mem:.0f} GB RAM, "
            f"Python {platform.python_version()}, load avg {load[0]:.1f}/{load[1]:.1f}/{load[2]:.1f}, "
            f"{time.strftime('%Y-%m-%d %H:%M')}")


def fmt(v) -> str:
    if isinstance(v, float):
        if v >= 1000:
            return f"{v:,.0f}"
        if v >= 100:
            return f"{v:.1f}"
        return f"{v:.2f}"
    if isinstance(v, int):
        return f"{v:,}"
    return "" if v is None else str(v)


def print_table(rows: list[dict], columns: list[str] | None = None, title: str | None = None) -> None:
    """Print ``rows`` as a plain aligned table (Markdown-compatible)."""
    if not rows:
        return
    columns = columns or list(rows[0])
    cells = [[fmt(r.get(c)) for c in columns] for r in rows]
    numeric = [all(isinstance(r.get(c), (int, float)) or r.get(c) is None for r in rows)
               for c in columns]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]
    if title:
        print(f"\n{title}")
    print("| " + " | ".join(c.ljust(w) for c, w in zip(columns, widths)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in cells:
        print("| " + " | ".join(v.rjust(w) if num else v.ljust(w)
                                for v, w, num in zip(row, widths, numeric)) + " |")
    sys.stdout.flush()
