"""Temporary files of atomic writes, and the removal of stale ones (残留临时文件).

Every save and export writes beside its target under a temporary name and
renames it into place only when complete.  A writer that is killed leaves its
temporary file behind; the next successful write into the same directory
removes it.  Temporary names carry who wrote them::

    .graph.db.xuncha-<host>-<pid>-<random>.tmp       (workspace saves; and -journal)
    .case.xlsx.xuncha-<host>-<pid>-<random>.part     (exports; directories too)

A temporary file is **stale**, and removed, when

- it was written on this host and its writer process no longer exists, or
  (in case the process id was reused) it has not changed for a day;
- it was written on another host sharing the directory, or by an older xuncha
  whose names carry no writer (``.NAME.<8 random>.tmp``, only beside the same
  target), and it has not changed for :data:`STALE_AGE` seconds.

A file whose writer is alive on this host is never touched, however long it
has been quiet (an XLSX export writes its output in one go at the end).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import socket
import tempfile
import time
from pathlib import Path

TAG = "xuncha"
SUFFIXES = ("tmp", "part", "old")
#: Seconds without change after which a file of another host (or an old
#: xuncha) counts as abandoned.
STALE_AGE = 15 * 60
#: Seconds after which even a file whose writer id is alive on this host is
#: abandoned (the id was reused by another process).
REUSED_PID_AGE = 24 * 3600

# SQLite writes its journal beside a temporary database (``….tmp-journal``).
_TAIL = rf"\.(?:{'|'.join(SUFFIXES)})(?:-journal|-wal|-shm)?$"
_NEW = re.compile(rf"^\.(?P<target>.+)\.{TAG}-(?P<host>[0-9a-f]{{8}})-(?P<pid>\d+)-[A-Za-z0-9_]+"
                  + _TAIL)
_LEGACY = re.compile(rf"^\.(?P<target>.+)\.[a-z0-9_]{{8}}" + _TAIL)


def _host() -> str:
    return hashlib.sha1(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:8]


def prefix(target: Path | str) -> str:
    """The temporary-name prefix for a write to ``target`` by this process."""
    return f".{Path(target).name}.{TAG}-{_host()}-{os.getpid()}-"


def mkstemp(target: Path | str, suffix: str) -> tuple[int, str]:
    """``tempfile.mkstemp`` beside ``target``, named for :func:`clean_stale`."""
    target = Path(target)
    return tempfile.mkstemp(prefix=prefix(target), suffix=f".{suffix}", dir=target.parent)


def mkdtemp(target: Path | str, suffix: str) -> str:
    target = Path(target)
    return tempfile.mkdtemp(prefix=prefix(target), suffix=f".{suffix}", dir=target.parent)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return True
    return True


def _last_change(path: Path) -> float:
    """Latest mtime of ``path`` and, for a directory, of what it holds."""
    latest = path.lstat().st_mtime
    if path.is_dir() and not path.is_symlink():
        for root, dirs, files in os.walk(path):
            for name in dirs + files:
                try:
                    latest = max(latest, os.lstat(os.path.join(root, name)).st_mtime)
                except OSError:
                    pass
    return latest


def is_stale(path: Path, target_name: str | None = None, now: float | None = None) -> bool:
    """Whether ``path`` is an abandoned xuncha temporary file (see the module doc)."""
    now = time.time() if now is None else now
    name = path.name
    m = _NEW.match(name)
    if m:
        age = now - _last_change(path)
        if m.group("host") == _host():
            pid = int(m.group("pid"))
            if pid == os.getpid():
                return False  # ours: another write of this very process
            return not _alive(pid) or age > REUSED_PID_AGE
        return age > STALE_AGE
    m = _LEGACY.match(name)
    if m and target_name is not None and m.group("target") == target_name:
        return now - _last_change(path) > STALE_AGE
    return False


def clean_stale(directory: Path | str, target_name: str | None = None) -> list[Path]:
    """Remove stale xuncha temporary files in ``directory``; return what was removed.

    ``target_name`` (the file just written) also lets old-style temporary
    names of that same target go.  Never raises: clean-up must not fail a
    write that succeeded.
    """
    removed: list[Path] = []
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return removed
    for e in entries:
        if not e.name.startswith(".") or not (_NEW.match(e.name) or _LEGACY.match(e.name)):
            continue
        p = Path(e.path)
        try:
            if not is_stale(p, target_name):
                continue
            if p.is_dir() and not p.is_symlink():
                shutil.rmtree(p)
            else:
                p.unlink()
            removed.append(p)
        except OSError:
            continue
    return removed
