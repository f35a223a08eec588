"""Housekeeping: interrupted saves and exports leave nothing for long; generate
does not overwrite a folder it did not make.

Writers are real processes killed with SIGKILL in the middle of a write; the
next successful save or export in the same directory removes their temporary
files, and never the file of a writer that is still running.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from xuncha.cli import main
from xuncha.export import export
from xuncha.graph.build import build_graph
from xuncha.graph.store import GraphStore
from xuncha.graph.workspace import GRAPH_FILE, save
from xuncha.loaders.dataset import load_dataset
from xuncha.tempfiles import STALE_AGE, clean_stale

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests" / "data" / "mini"

# A writer that starts an atomic write, writes a little, says so, then waits to be killed.
WRITER = r"""
import sys, time
from pathlib import Path
kind, target = sys.argv[1], Path(sys.argv[2])
if kind == "save":  # an SQLite workspace save, mid-transaction (it has a journal)
    import sqlite3
    from xuncha.graph.workspace import atomic_path
    cm = atomic_path(target); tmp = cm.__enter__()
    db = sqlite3.connect(tmp); db.execute("CREATE TABLE t(x)"); db.commit()
    db.execute("BEGIN"); db.executemany("INSERT INTO t VALUES (?)", [("x" * 100,)] * 20_000)
elif kind == "file":
    from xuncha.export.base import AtomicFile
    f = AtomicFile(target, binary=True); f.write(b"<" * 100_000); f.fh.flush()
else:
    from xuncha.export.base import AtomicDir
    d = AtomicDir(target); d.file("nodes.csv").write_text("x" * 100_000)
print("ready", flush=True)
time.sleep(120)
"""


def _writer(kind: str, target: Path) -> subprocess.Popen:
    p = subprocess.Popen([sys.executable, "-c", WRITER, kind, str(target)], cwd=ROOT,
                         stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "ready"
    return p


def _killed(kind: str, target: Path) -> None:
    p = _writer(kind, target)
    p.send_signal(signal.SIGKILL)
    p.wait(10)


def _temps(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.startswith("."))


@pytest.fixture(scope="module")
def store() -> GraphStore:
    ds = load_dataset(MINI)
    assert not ds.errors
    return GraphStore(build_graph(ds.records))


def test_next_save_removes_killed_saves_but_not_a_running_one(store, tmp_path):
    ws = tmp_path / "ws"
    ws.mkdir()
    for _ in range(3):
        _killed("save", ws / GRAPH_FILE)
    left = _temps(ws)
    assert len(left) == 6, left  # each: the database and its journal
    assert all(n.startswith(f".{GRAPH_FILE}.xuncha-") for n in left)
    assert sum(n.endswith(".tmp-journal") for n in left) == 3
    live = _writer("save", ws / GRAPH_FILE)  # a concurrent save, still writing
    try:
        running = set(_temps(ws)) - set(left)
        assert len(running) == 2
        save(store, ws)
        assert set(_temps(ws)) == running  # the killed ones are gone, the live one stays
        assert (ws / GRAPH_FILE).stat().st_size > 1000
    finally:
        live.kill()
        live.wait(10)
    save(store, ws)  # its writer is gone now: removed by the next save
    assert _temps(ws) == []


def test_next_export_removes_killed_exports(store, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    _killed("file", out / "g.xlsx")
    _killed("dir", out / "neo4j")
    _killed("file", out / "other.json")  # another target in the same folder
    assert len(_temps(out)) == 3
    live = _writer("file", out / "g.graphml")
    try:
        running = {n for n in _temps(out) if n.startswith(".g.graphml.")}
        assert len(running) == 1
        export(store, "json", out / "g.json")
        assert set(_temps(out)) == running
    finally:
        live.kill()
        live.wait(10)
    export(store, "csv", out / "neo4j")
    assert _temps(out) == []


def test_old_style_and_foreign_host_temporaries(tmp_path):
    d = tmp_path
    old = time.time() - STALE_AGE - 60
    names = {
        ".graph.json.ab12cd34.tmp": (old, True),      # an older xuncha's, abandoned
        ".graph.json.zz99yy88.tmp": (time.time(), False),  # recent: maybe still written
        ".graph.json.ab12cd34.tmp-journal": (old, True),  # SQLite's journal beside it
        ".other.json.ab12cd34.tmp": (old, False),     # old style, but not this target
        ".graph.json.xuncha-00000000-1-abc.tmp": (old, True),   # another host, abandoned
        ".graph.json.xuncha-00000000-1-def.tmp": (time.time(), False),  # another host, recent
        ".notes.tmp": (old, False),                   # not ours
        "graph.json.bak.tmp": (old, False),           # not hidden: not ours
    }
    for name, (mtime, _) in names.items():
        (d / name).write_bytes(b"x")
        os.utime(d / name, (mtime, mtime))
    removed = {p.name for p in clean_stale(d, "graph.json")}
    assert removed == {n for n, (_, gone) in names.items() if gone}
    assert {p.name for p in d.iterdir()} == {n for n, (_, gone) in names.items() if not gone}


def test_generate_refuses_a_non_empty_folder(tmp_path):
    out = tmp_path / "ledgers"
    out.mkdir()
    (out / "cadres.csv").write_text("人员编号,姓名\nC1,真实姓名\n", encoding="utf-8")
    r = CliRunner().invoke(main, ["generate", "--units", "30", "-o", str(out), "-q"])
    assert r.exit_code == 2 and "not empty" in r.output and "--force" in r.output
    assert (out / "cadres.csv").read_text(encoding="utf-8") == "人员编号,姓名\nC1,真实姓名\n"
    assert [p.name for p in out.iterdir()] == ["cadres.csv"]
    r = CliRunner().invoke(main, ["generate", "--units", "30", "-o", str(out), "-q", "--force"])
    assert r.exit_code == 0, r.output
    assert "真实姓名" not in (out / "cadres.csv").read_text(encoding="utf-8")
    empty = tmp_path / "empty"
    empty.mkdir()
    r = CliRunner().invoke(main, ["generate", "--units", "30", "-o", str(empty), "-q"])
    assert r.exit_code == 0, r.output
