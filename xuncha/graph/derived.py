"""Whole-dataset statistics computed once per graph: ``store.derived(name)``.

A query that answers about one entity walks its neighbourhood through the
:class:`~xuncha.graph.store.GraphStore` API; what only the whole dataset can
tell (text document frequencies, category base rates) sits behind a *derived*
mapping, computed by a builder registered here::

    @register("text_stats")
    def build(store) -> dict: ...

This in-memory version computes a builder's mapping on first use and caches
it on the store; a workspace may compute them at load time and save them
(the builders are pure functions of the graph, their output JSON-able).
Builders live with the queries that read them (``queries/``), which register
them on import: dependencies still point from queries to graph.
"""

from __future__ import annotations

from typing import Callable

BUILDERS: dict[str, Callable] = {}


def register(name: str):
    """Register ``build(store) -> dict`` as the builder of ``store.derived(name)``."""

    def deco(f: Callable) -> Callable:
        BUILDERS[name] = f
        return f

    return deco
