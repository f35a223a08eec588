"""GraphStore: the in-memory inspection graph and the look-ups every query uses.

A thin wrapper over a networkx ``MultiDiGraph`` (``store.graph``): it adds an
index of nodes by kind, name look-up (a node may be named by ``kind:id``, a
bare id, or a unique name/alias), and edge iteration filtered by kind.  Queries
take a store, never a global.
"""

from __future__ import annotations

import difflib
from functools import cached_property
from typing import Iterator

import networkx as nx

from ..errors import XunchaError
from .schema import EDGE_KINDS, NODE_KINDS


class NotFound(XunchaError, LookupError):
    """A reference that names no node, or several."""

    def __init__(self, message: str, candidates: list[str] | None = None):
        super().__init__(message)
        self.candidates = candidates or []


def name_keys(attrs: dict) -> list[str]:
    """What a node can be looked up by besides ``kind:id``: its raw id, name
    and aliases; in a workspace of several datasets (:mod:`xuncha.identity`)
    also the id as written in its ledger (``source_id``), and for an entity
    merged from several records each source record (``甲县/C0123`` and
    ``cadre:甲县/C0123``) and the name each gave it."""
    out: list[str] = []
    raw = attrs.get("id")
    if raw is not None:
        out.append(str(raw))
    name = attrs.get("name")
    if name and name.__class__ is str:
        out.append(name)
    for alias in attrs.get("aliases") or ():
        if alias.__class__ is str:
            out.append(alias)
    sid = attrs.get("source_id")
    if sid is not None:
        out.append(str(sid))
    kind = attrs.get("kind")
    for s in attrs.get("sources") or ():
        out += [str(s), f"{kind}:{s}"]
    for n in attrs.get("source_names") or ():
        if n and n.__class__ is str:
            out.append(n)
    return list(dict.fromkeys(out))


class GraphStore:
    def __init__(self, graph: nx.MultiDiGraph, meta: dict | None = None):
        self.graph = graph
        self.meta = meta or {}

    # -- nodes -------------------------------------------------------------
    @cached_property
    def by_kind(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {k: [] for k in NODE_KINDS}
        get = out.get
        for nid, attrs in self.graph._node.items():
            kind = attrs.get("kind")
            lst = get(kind)
            if lst is None:
                lst = out[kind] = []
            lst.append(nid)
        return out

    def nodes(self, kind: str, fields: tuple[str, ...] | None = None) -> Iterator[tuple[str, dict]]:
        """``(id, attrs)`` of every node of ``kind``, in load order.

        ``fields``: the attributes the caller reads (a hint: a saved workspace
        then returns dicts of just those, leaving out absent and None ones;
        an in-memory store returns the full dicts).  Treat them as read-only.
        """
        ids = self.by_kind.get(kind, ())
        return zip(ids, map(self.graph._node.__getitem__, ids))  # no Python frame per node

    def node(self, nid: str) -> dict:
        return self.graph.nodes[nid]

    def has(self, nid: str) -> bool:
        return nid in self.graph

    def kind(self, nid: str) -> str:
        return self.graph.nodes[nid]["kind"]

    def label(self, nid: str) -> str:
        """A readable name: the kind's display field, else the id."""
        attrs = self.graph.nodes[nid]
        kind = attrs.get("kind")
        field = NODE_KINDS[kind].display if kind in NODE_KINDS else "id"
        text = attrs.get(field) or attrs.get("id") or nid
        text = str(text)
        return text if len(text) <= 40 else text[:39] + "…"

    @cached_property
    def _names(self) -> dict[str, list[str]]:
        idx: dict[str, list[str]] = {}
        for nid, attrs in self.graph.nodes(data=True):
            for key in name_keys(attrs):
                idx.setdefault(key, []).append(nid)
        return idx

    def _where(self, nid: str) -> str:
        """A candidate's label, with its dataset or its merged records."""
        attrs = self.node(nid)
        if attrs.get("sources"):
            return f"{self.label(nid)}, merged from {len(attrs['sources'])} records 已合并"
        ds = attrs.get("dataset")
        return f"{self.label(nid)}, {ds}台账" if ds else self.label(nid)

    def _variants(self, ref: str, kinds: tuple[str, ...] | None) -> list[str]:
        """Names written differently: the simplified form of 張志強, and names
        with the same pinyin as 周志墙 (a homophone typo), via the derived
        table ``name_pinyin`` (:mod:`xuncha.identity.lookup`)."""
        if ref.isascii():
            return []
        from ..identity.names import pinyin, simplify

        s = simplify(ref)
        names = [s] if s != ref else []
        try:
            names += self.derived("name_pinyin").get(" ".join(pinyin(s))) or []
        except KeyError:
            pass
        out = []
        for name in dict.fromkeys(names):
            if name != ref and any(kinds is None or self.kind(n) in kinds for n in self._name_hits(name)):
                out.append(name)
        return out

    def resolve(self, ref: str, kinds: tuple[str, ...] | None = None) -> str:
        """The node a user means: ``kind:id``, a bare id, or a unique name.

        Ids come first and never need a name index: ``kind:id`` as given,
        then ``kind:ref`` for each kind asked for (every kind when none); a
        bare id shared by several kinds is ambiguous.  Only then names and
        aliases.  Raises :class:`NotFound` listing the candidates when the
        reference is ambiguous, or the nearest ids/names when it names
        nothing.
        """
        ref = ref.strip()
        if self.has(ref) and (kinds is None or self.kind(ref) in kinds):
            return ref
        hits = [f"{k}:{ref}" for k in (kinds or NODE_KINDS) if self.has(f"{k}:{ref}")]
        if not hits:
            hits = [n for n in dict.fromkeys(self._name_hits(ref))
                    if kinds is None or self.kind(n) in kinds]
        if len(hits) == 1:
            return hits[0]
        what = "/".join(kinds) if kinds else "node"
        if len(hits) > 1:
            shown = ", ".join(f"{h} ({self._where(h)})" for h in sorted(hits)[:10])
            datasets = sorted({self.node(h).get("dataset") for h in hits} - {None})
            across = (f" across {len(datasets)} datasets 跨{len(datasets)}个台账 "
                      f"({', '.join(datasets)}): different people, or one person under several "
                      f"ids (`xuncha match` / `xuncha judge`);" if len(datasets) > 1 else "")
            raise NotFound(f"'{ref}' is ambiguous (有歧义): {len(hits)} matches{across} {shown}",
                           sorted(hits))
        close = self._variants(ref, kinds) + self._suggest(ref, kinds)
        msg = f"no {what} '{ref}' in the graph (未找到)"
        if close:
            msg += f"; did you mean 是否应为: {', '.join(dict.fromkeys(close))}"
        raise NotFound(msg, list(dict.fromkeys(close)))

    def _name_hits(self, ref: str) -> list[str]:
        """Nodes whose raw id, name or alias is ``ref`` (in load order)."""
        return list(self._names.get(ref, ()))

    def _suggest(self, ref: str, kinds: tuple[str, ...] | None) -> list[str]:
        pool = [n for n in self.graph if kinds is None or self.kind(n) in kinds]
        close = difflib.get_close_matches(ref, pool[:200_000], n=3, cutoff=0.6)
        close += [n for n in difflib.get_close_matches(ref, list(self._names)[:200_000], n=3, cutoff=0.6)]
        return close

    # -- derived tables (see graph/derived.py) ---------------------------------------
    def derived(self, name: str):
        """Whole-dataset table ``name`` (a Mapping), computed on first use."""
        from . import derived as _derived

        cache = self.__dict__.setdefault("_derived_cache", {})
        got = cache.get(name)
        if got is None:
            got = cache[name] = _derived.compute(self, name)
        return got

    # -- edges ---------------------------------------------------------------
    def out_edges(self, nid: str, kind: str | None = None) -> Iterator[tuple[str, str, dict]]:
        for _, v, d in self.graph.out_edges(nid, data=True):
            if kind is None or d["kind"] == kind:
                yield nid, v, d

    def in_edges(self, nid: str, kind: str | None = None) -> Iterator[tuple[str, str, dict]]:
        for u, _, d in self.graph.in_edges(nid, data=True):
            if kind is None or d["kind"] == kind:
                yield u, nid, d

    def targets(self, nid: str, kind: str) -> list[str]:
        return [v for _, v, _ in self.out_edges(nid, kind)]

    def sources(self, nid: str, kind: str) -> list[str]:
        return [u for u, _, _ in self.in_edges(nid, kind)]

    def edges(self, kind: str | None = None) -> Iterator[tuple[str, str, str, dict]]:
        for u, v, k, d in self.graph.edges(keys=True, data=True):
            if kind is None or d["kind"] == kind:
                yield u, v, k, d

    def preload(self) -> None:
        """A hint that the caller is about to read most of the graph node by
        node (a saved workspace then loads it whole, in bulk, which is far
        cheaper than that many indexed reads).  Nothing to do in memory."""

    def prefetch(self, nids, edges: bool = True) -> None:
        """A hint that the caller is about to read these nodes (and their
        edges) one by one: a saved workspace reads them in a few batched
        queries now.  Nothing to do in memory."""

    def edges_of(self, kinds) -> dict[str, list[tuple[str, str, dict]]]:
        """``kind -> [(u, v, attrs)]`` for each of ``kinds``, in one pass
        (a saved workspace reads only the rows of the nodes such edges
        leave from)."""
        want = set(kinds)
        found: dict[str, list] = {k: [] for k in want}
        succ = self.graph._succ
        sources = {s for k in want for s in (EDGE_KINDS[k].sources if k in EDGE_KINDS else (None,))}
        if len(sources) == 1 and None not in sources:
            # Edges of kinds that leave one node kind only (the registry's
            # sources): walk that kind's nodes, in load order, which is the
            # order of a full pass.
            for u in self.by_kind.get(next(iter(sources)), ()):
                for v, keyed in succ[u].items():
                    for d in keyed.values():
                        k = d["kind"]
                        if k in want:
                            found[k].append((u, v, d))
            return found
        for u, nbrs in succ.items():
            for v, keyed in nbrs.items():
                for d in keyed.values():
                    k = d["kind"]
                    if k in want:
                        found[k].append((u, v, d))
        return found

    # -- summaries -------------------------------------------------------------
    def counts(self) -> tuple[dict[str, int], dict[str, int]]:
        nodes: dict[str, int] = {}
        for _, k in self.graph.nodes(data="kind"):
            nodes[k] = nodes.get(k, 0) + 1
        edges: dict[str, int] = {}
        for _, _, k in self.graph.edges(data="kind"):
            edges[k] = edges.get(k, 0) + 1
        return nodes, edges
