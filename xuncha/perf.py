"""Small performance helpers shared by the bulk paths (load, build, open, export)."""

from __future__ import annotations

import gc
from contextlib import contextmanager


@contextmanager
def gc_paused():
    """Pause the cyclic garbage collector while building millions of dicts.

    Bulk loads allocate only acyclic containers; without this the collector
    runs thousands of times for nothing (about a third of a province load).
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            # What was built survives the command: move it out of the
            # collector's sight so later collections don't rescan it.
            gc.freeze()
            gc.enable()
