"""Whole-dataset statistics computed once, saved with the workspace.

A per-entity question (``related``, ``timeline``, ``show``) must not scan the
whole graph, yet some answers need whole-dataset figures: document
frequencies of text terms, base rates of categories, name indexes.  Each such
figure is a *derived table*: a builder function registered here,
``build(store) -> dict[str, JSON-able]``, keyed by strings.

- ``xuncha load`` (any :func:`~xuncha.graph.workspace.save`) runs every
  registered builder over the freshly built graph and saves each table in the
  workspace, one row per key, so a later process reads only the keys it asks
  for;
- ``store.derived(name)`` returns the table as a read-only
  :class:`~collections.abc.Mapping`: from the workspace when it was saved by
  the same builder version, else computed in memory on first use (a
  workspace saved before the builder existed, or a store built in memory);
- iteration order of a saved table is by key (code must not depend on the
  order the builder produced).

>>> from xuncha.graph import derived
>>> @derived.register("unit_count_by_sector", version=1)      # doctest: +SKIP
... def build(store):
...     out = {}
...     for _, d in store.nodes("unit"):
...         out[d.get("sector") or ""] = out.get(d.get("sector") or "", 0) + 1
...     return out
>>> store.derived("unit_count_by_sector")["政府部门"]          # doctest: +SKIP
120

Bump ``version`` when a builder's output changes meaning: a workspace saved
with another version then recomputes instead of answering from stale data.

Modules that register builders are listed in :data:`PROVIDERS` (by name, so
this package never imports the query packages statically); ``save`` imports
them before computing.
"""

from __future__ import annotations

import importlib
from typing import Callable

Builder = Callable[[object], dict]

BUILDERS: dict[str, Builder] = {}
VERSIONS: dict[str, int] = {}

# Modules whose import registers builders (queries/… own their statistics).
PROVIDERS: list[str] = ["xuncha.queries.related", "xuncha.queries.kpi", "xuncha.identity.lookup",
                        "xuncha.planning.neighbourhood", "xuncha.export.redact"]


def register(name: str, version: int = 1):
    """Decorator: register ``build(store) -> dict`` as derived table ``name``."""

    def deco(func: Builder) -> Builder:
        BUILDERS[name] = func
        VERSIONS[name] = version
        return func

    return deco


def import_providers() -> None:
    for mod in PROVIDERS:
        importlib.import_module(mod)


def compute(store, name: str) -> dict:
    """Run builder ``name`` over ``store`` (a KeyError naming the known ones if unknown)."""
    import_providers()
    func = BUILDERS.get(name)
    if func is None:
        raise KeyError(f"no derived table {name!r} (registered: {', '.join(sorted(BUILDERS)) or 'none'})")
    from ..perf import gc_paused

    with gc_paused():
        out = func(store)
    if not isinstance(out, dict):
        raise TypeError(f"derived builder {name!r} returned {type(out).__name__}, not dict")
    return out
