"""The query commands in Cypher, run on a graph server pushed by xuncha.

Each function here is the server twin of an in-memory query (same
arguments after the store, same typed rows, same answers: a parity test runs
both on the same data).  :func:`server_version` maps an in-memory function to
its twin; :func:`xuncha.cli.run_query` uses it so commands stay thin.

Invariants:
- aggregation happens on the server; nothing here downloads the graph (a
  query may fetch the targeted rows it needs, e.g. a seed's neighbourhood);
- every value is a parameter; labels and types come from the registry
  (:func:`~xuncha.graph.server.dialect.label`, ``rel_type``);
- where the in-memory version leaves a tie to iteration order (e.g. which of
  two teams inspected a unit in one round), the server picks the smallest id.
"""

from __future__ import annotations

import datetime as _dt
from typing import Callable

from ... import taxonomy
from ..schema import EDGE_KINDS, NODE_KINDS, split_id
from .base import GraphServer
from .dialect import ID_PROP, label as L, rel_type as R

_TWINS: dict[str, Callable] = {}


def twin(qualname: str):
    """Register the decorated function as the server twin of ``module:function``."""

    def deco(f):
        _TWINS[qualname] = f
        return f

    return deco


def server_version(func: Callable) -> Callable:
    from . import queries_conflicts, queries_patterns, queries_related  # noqa: F401 - register their twins

    key = f"{func.__module__}:{func.__name__}"
    try:
        return _TWINS[key]
    except KeyError:
        from .base import ServerError

        raise ServerError(f"{func.__name__} cannot run on a graph server yet (暂不支持在服务器上运行); "
                          "run it on a workspace (drop --uri)") from None


# -- shared helpers ------------------------------------------------------------

def node_label(nid: str, attrs: dict | None) -> str:
    """What :meth:`GraphStore.label` shows, from a node's properties."""
    attrs = attrs or {}
    kind = attrs.get("kind") or split_id(nid)[0]
    field = NODE_KINDS[kind].display if kind in NODE_KINDS else "id"
    text = str(attrs.get(field) or attrs.get("id") or nid)
    return text if len(text) <= 40 else text[:39] + "…"


def fetch_nodes(server: GraphServer, nids) -> dict[str, dict]:
    """Properties of the nodes ``nids`` (by kind, through the ``xid`` index)."""
    by_kind: dict[str, list[str]] = {}
    for n in dict.fromkeys(nids):
        kind = split_id(n)[0]
        if kind in NODE_KINDS:
            by_kind.setdefault(kind, []).append(n)
    out: dict[str, dict] = {}
    for kind, ids in by_kind.items():
        for r in server.run(f"UNWIND $ids AS x MATCH (n:{L(kind)} {{{ID_PROP}: x}}) "
                            f"RETURN n.{ID_PROP} AS xid, properties(n) AS p", {"ids": ids}):
            p = dict(r["p"])
            p.pop(ID_PROP, None)
            out[r["xid"]] = p
    return out


def labels(server: GraphServer, nids) -> dict[str, str]:
    props = fetch_nodes(server, nids)
    return {n: node_label(n, props.get(n)) for n in nids}


# -- kpi -----------------------------------------------------------------------

def _issue_groups(by: str, i: str, carry: str, out: str) -> str:
    """Clauses ending in ``WITH carry, i, <groups of issue i> AS out`` (a list)."""
    guard = f"CASE WHEN {i} IS NULL THEN [] ELSE {{}} END"
    if by in ("round", "unit", "category"):
        prop = {"round": "round_id", "unit": "unit_id", "category": "category"}[by]
        return f"WITH {carry}, {i}, " + guard.format(f"['{by}:' + {i}.{prop}]") + f" AS {out}"
    if by == "region":
        return (f"OPTIONAL MATCH ({i})-[:{R('FOUND_IN')}]->(iu:{L('unit')}) "
                f"WITH {carry}, {i}, CASE WHEN iu.region_id IS NULL THEN [] "
                f"ELSE ['region:' + iu.region_id] END AS {out}")
    # team: the issue's own team, else the team assigned to its unit in its round
    return (f"OPTIONAL MATCH ({i})-[:{R('FOUND_IN')}]->(iu:{L('unit')}) "
            f"OPTIONAL MATCH (it:{L('team')})-[ix:{R('INSPECTED')}]->(iu) "
            f"WHERE ix.round_id = {i}.round_id "
            f"WITH {carry}, {i}, min(it.id) AS assigned "
            f"WITH {carry}, {i}, CASE WHEN {i} IS NULL THEN [] "
            f"WHEN {i}.team_id IS NOT NULL THEN ['team:' + {i}.team_id] "
            f"WHEN assigned IS NOT NULL THEN ['team:' + assigned] ELSE [] END AS {out}")


def _lead_own_groups(by: str) -> str:
    """Clauses ending in ``WITH l, linked, <the lead's own groups> AS own``."""
    if by == "round":
        expr = "CASE WHEN l.round_id IS NULL THEN [] ELSE ['round:' + l.round_id] END"
    elif by == "unit":
        expr = "CASE WHEN l.unit_id IS NULL THEN [] ELSE ['unit:' + l.unit_id] END"
    elif by == "category":
        expr = "[]"
    elif by == "region":
        return (f"OPTIONAL MATCH (l)-[:{R('CONCERNS_UNIT')}]->(lu:{L('unit')}) "
                f"WITH l, linked, CASE WHEN lu.region_id IS NULL THEN [] "
                f"ELSE ['region:' + lu.region_id] END AS own")
    else:
        return (f"OPTIONAL MATCH (l)-[:{R('CONCERNS_UNIT')}]->(lu:{L('unit')}) "
                f"OPTIONAL MATCH (lt:{L('team')})-[lx:{R('INSPECTED')}]->(lu) "
                f"WHERE lx.round_id = l.round_id "
                f"WITH l, linked, min(lt.id) AS assigned "
                f"WITH l, linked, CASE WHEN assigned IS NULL THEN [] "
                f"ELSE ['team:' + assigned] END AS own")
    return f"WITH l, linked, {expr} AS own"


_ACTION_FIGURES = (
    "size([a IN acts WHERE a.deadline IS NOT NULL AND a.deadline < $as_of "
    "AND NOT a.status IN $done]) AS overdue, "
    "reduce(s = 0.0, a IN acts | s + coalesce(a.recovered_amount, 0.0)) AS act_money")


def kpi_statements(by: str) -> tuple[str, str]:
    """The two aggregating statements (issues, leads) for grouping ``by``."""
    issues = (
        f"MATCH (i:{L('issue')}) "
        f"OPTIONAL MATCH (a:{L('action')})-[:{R('ADDRESSES')}]->(i) "
        f"WITH i, collect(a) AS acts "
        + _issue_groups(by, "i", "acts", "groups") + " "
        f"WITH groups, size(acts) AS n_acts, "
        f"CASE WHEN size(acts) > 0 AND all(a IN acts WHERE a.status IN $rectified) "
        f"THEN 1 ELSE 0 END AS rect, " + _ACTION_FIGURES + " "
        f"UNWIND groups + ['total'] AS g "
        f"RETURN g, count(*) AS issues, sum(rect) AS rectified, sum(n_acts) AS actions, "
        f"sum(overdue) AS overdue, sum(act_money) AS money")
    leads = (
        f"MATCH (l:{L('lead')}) "
        f"OPTIONAL MATCH (l)-[:{R('RAISED_FROM')}]->(i:{L('issue')}) "
        + _issue_groups(by, "i", "l", "ig") + " "
        f"WITH l, collect(ig) AS nested "
        f"WITH l, reduce(acc = [], x IN reduce(f = [], y IN nested | f + y) | "
        f"CASE WHEN x IN acc THEN acc ELSE acc + [x] END) AS linked "
        + _lead_own_groups(by) + " "
        f"WITH l, CASE WHEN size(own) > 0 THEN own ELSE linked END AS groups "
        f"OPTIONAL MATCH (a:{L('action')})-[:{R('ADDRESSES')}]->(l) WHERE a.issue_id IS NULL "
        f"WITH l, groups, collect(a) AS acts "
        f"WITH l, groups, size(acts) AS n_acts, " + _ACTION_FIGURES + ", "
        f"CASE WHEN l.transferred_to IS NOT NULL AND l.transferred_to <> '' AND "
        f"(l.transfer_date IS NULL OR l.transfer_date <= $as_of) THEN 1 ELSE 0 END AS transferred, "
        f"CASE WHEN l.case_filed = true THEN 1 ELSE 0 END AS filed "
        f"UNWIND groups + ['total'] AS g "
        f"RETURN g, count(*) AS leads, sum(transferred) AS transferred, sum(filed) AS cases, "
        f"sum(n_acts) AS actions, sum(overdue) AS overdue, "
        f"sum(act_money + coalesce(l.recovered_amount, 0.0)) AS money")
    return issues, leads


@twin("xuncha.queries.kpi:kpi")
def kpi(server: GraphServer, by: str = "round", as_of: str | None = None):
    """:func:`xuncha.queries.kpi.kpi`, aggregated on the server."""
    from ...queries.kpi import GROUPINGS, KpiRow, rate

    if by not in GROUPINGS:
        raise ValueError(f"--by must be one of {', '.join(GROUPINGS)}, not {by!r}")
    as_of = as_of or _dt.date.today().isoformat()
    params = {"as_of": as_of, "done": sorted(taxonomy.DONE_STATUSES),
              "rectified": sorted(taxonomy.RECTIFIED_STATUSES)}
    q_issues, q_leads = kpi_statements(by)
    rows: dict[str, KpiRow] = {}

    def row(g: str) -> KpiRow:
        if g not in rows:
            rows[g] = KpiRow(g, "合计 total" if g == "total" else g)
        return rows[g]

    for r in server.run(q_issues, params):
        k = row(r["g"])
        k.issues += r["issues"]
        k.issues_rectified += r["rectified"]
        k.actions += r["actions"]
        k.actions_overdue += r["overdue"]
        k.money_recovered += r["money"] or 0.0
    for r in server.run(q_leads, params):
        k = row(r["g"])
        k.leads += r["leads"]
        k.leads_transferred += r["transferred"]
        k.cases_filed += r["cases"]
        k.actions += r["actions"]
        k.actions_overdue += r["overdue"]
        k.money_recovered += r["money"] or 0.0
    total = row("total")
    del rows["total"]
    names = fetch_nodes(server, rows)
    for g, k in rows.items():
        if g in names:
            k.name = node_label(g, names[g])
    out = sorted(rows.values(), key=lambda r: r.group)
    out.append(total)
    for r in out:
        r.rectification_rate = rate(r.issues_rectified, r.issues)
        r.money_recovered = round(r.money_recovered, 2)
    return out


# -- resolving a reference on the server -----------------------------------------------

def resolve(server: GraphServer, ref: str, kinds: tuple[str, ...] | None = None) -> str:
    """:meth:`GraphStore.resolve` on the server: ``kind:id``, a bare id, or a
    unique name/alias of a node of ``kinds``."""
    from ..store import NotFound

    ref = ref.strip()
    kinds = tuple(kinds or NODE_KINDS)
    kind, _, raw = ref.partition(":")
    if kind in kinds and raw and server.run(
            f"MATCH (n:{L(kind)} {{{ID_PROP}: $x}}) RETURN n.{ID_PROP} AS x", {"x": ref}):
        return ref
    hits: list[tuple[str, dict]] = []
    for k in kinds:
        hits += [(r["x"], r["p"]) for r in server.run(
            f"MATCH (n:{L(k)}) WHERE n.id = $r OR n.name = $r OR $r IN coalesce(n.aliases, []) "
            f"RETURN n.{ID_PROP} AS x, properties(n) AS p", {"r": ref})]
    if len(hits) == 1:
        return hits[0][0]
    what = "/".join(kinds) if kinds != tuple(NODE_KINDS) else "node"
    if hits:
        hits.sort()
        shown = ", ".join(f"{x} ({node_label(x, p)})" for x, p in hits[:10])
        raise NotFound(f"'{ref}' is ambiguous (有歧义): {len(hits)} matches: {shown}",
                       [x for x, _ in hits])
    close: list[str] = []
    for k in kinds:
        close += [r["x"] for r in server.run(
            f"MATCH (n:{L(k)}) WHERE n.name CONTAINS $r OR n.id CONTAINS $r "
            f"RETURN n.{ID_PROP} AS x ORDER BY x LIMIT 3", {"r": ref[:20]})]
    msg = f"no {what} '{ref}' in the graph (未找到)"
    if close:
        msg += f"; did you mean 是否应为: {', '.join(close[:3])}"
    raise NotFound(msg, close[:3])


def _decoded(p: dict) -> dict:
    from .push import decode_props

    return decode_props(p, ID_PROP)


# -- timeline / asof -----------------------------------------------------------------------

@twin("xuncha.queries.timeline:timeline")
def timeline(server: GraphServer, ref: str, as_of: str | None = None, policy=None):
    """:func:`xuncha.queries.timeline.timeline` over nodes fetched as it reads them."""
    from ...queries.periods import DEFAULT_POLICY
    from ...queries.timeline import timeline as in_memory

    store = LazyStore(server)
    nid = store.resolve(ref, ("cadre", "unit"))
    return store.settle(lambda: in_memory(store, nid, as_of=as_of, policy=policy or DEFAULT_POLICY))


@twin("xuncha.queries.timeline:asof")
def asof(server: GraphServer, unit: str, date: str):
    """:func:`xuncha.queries.timeline.asof` as one Cypher query."""
    from ...queries.common import QueryError
    from ...queries.timeline import PostHeld

    uid = resolve(server, unit, ("unit",))
    if not date:
        raise QueryError("a date is required (日期)")
    rows = server.run(
        f"MATCH (c:{L('cadre')})-[p:{R('HELD_POSITION')}]->(u:{L('unit')} {{{ID_PROP}: $u}}) "
        f"WHERE p.start IS NOT NULL AND p.start <> '' AND p.start <= $d "
        f"AND (p.end IS NULL OR p.end = '' OR $d <= p.end) "
        f"RETURN c.{ID_PROP} AS cadre, properties(c) AS c, p.title AS title, p.rank AS rank, "
        f"coalesce(p.is_principal, false) AS principal, p.start AS start, p.end AS end",
        {"u": uid, "d": date})
    rows.sort(key=lambda r: (not r["principal"], r["start"] or "", r["cadre"]))
    return [PostHeld(r["cadre"], node_label(r["cadre"], r["c"]), r["title"], r["rank"],
                     bool(r["principal"]), r["start"], r["end"]) for r in rows]


# -- path / network ------------------------------------------------------------------------
# The in-memory search walks neighbourhoods through the store API only; on a
# LazyStore it runs in passes (LazyStore.settle), each pass fetching in one
# statement the relationships of the nodes the last one reached, so the
# server answers exactly as the embedded store, in about one round trip per hop.

@twin("xuncha.queries.paths:paths")
def paths(server: GraphServer, a: str, b: str, max_hops: int = 6, through_hubs: bool = False,
          limit: int = 5, shortest: bool = False):
    """:func:`xuncha.queries.paths.paths` over nodes fetched as the search reaches them."""
    from ...queries.paths import paths as in_memory

    store = LazyStore(server)
    return store.settle(lambda: in_memory(store, a, b, max_hops=max_hops, through_hubs=through_hubs,
                                          limit=limit, shortest=shortest))


@twin("xuncha.queries.paths:network")
def network(server: GraphServer, refs: list[str], max_hops: int = 6, through_hubs: bool = False,
            shortest: bool = False):
    """:func:`xuncha.queries.paths.network` over nodes fetched as the searches reach them."""
    from ...queries.paths import network as in_memory

    store = LazyStore(server)
    return store.settle(lambda: in_memory(store, refs, max_hops=max_hops, through_hubs=through_hubs,
                                          shortest=shortest))


# -- a store whose nodes and edges are fetched on demand ----------------------------------

class _Miss(Exception):
    """A node not fetched yet was read during an optimistic pass (see :meth:`LazyStore.settle`)."""


#: Ids per statement in a batched fetch: FalkorDB's client inlines parameters
#: into the statement's text, so a long list is sent in parts of this size.
FETCH_BATCH = 1000


def _hub(kind: str) -> bool:
    return kind not in NODE_KINDS or NODE_KINDS[kind].hub


class LazyStore:
    """The per-node :class:`~xuncha.graph.store.GraphStore` API over a graph
    server: ``node``, ``has``, ``kind``, ``label``, ``out_edges``, ``in_edges``
    fetch by the ``xid`` index on first use and are cached.  The per-entity
    queries (:mod:`xuncha.queries.view`) run on it unchanged, so their server
    answers are the embedded answers by construction.  Edges come back in a
    backend's order; the queries read them in a canonical order.

    Round trips: run a query through :meth:`settle` and its walk is done in
    passes.  In a pass nothing is fetched: whatever the walk reads that is not
    cached yet is noted (a missing node reads as absent, missing edges as
    none) and the pass goes on, so it reaches every node one step further than
    the last; the notes are then fetched together (:meth:`fill`: one
    statement per :data:`FETCH_BATCH` ids) and the walk runs again.  The pass
    that reads nothing missing read only fetched data: its answer is the one
    a walk fetching node by node gives, which is the embedded answer.  Round
    trips grow with the depth of the walk (about one per layer of the
    neighbourhood), not with the number of nodes it visits.

    What is fetched with a node: the relationship types the walk has read of
    most nodes of its kind so far (:meth:`_usual`: a walk reads a kind's nodes
    alike), with the properties of their far ends, so a node reached in one
    pass comes with what the next pass reads of it.  Hubs (region, round,
    category) get only the types asked of them.
    """

    def __init__(self, server: GraphServer, learn: bool = True):
        self.server = server
        self.learn = learn  # False: fetch only what is read (the benchmarks' baseline)
        self.meta: dict = {}
        self._nodes: dict[str, dict | None] = {}
        self._edges: dict[tuple, list] = {}  # (nid, direction, kind or None: all) -> edges
        # node kind -> (direction, edge kind) -> the nodes it was read of; and
        # node kind -> the nodes any relationship was read of
        self._asked: dict[str, dict[tuple, set[str]]] = {}
        self._read_of: dict[str, set[str]] = {}
        self._blocks: dict[tuple, list[str]] = {}
        self._resolved: dict[tuple, str] = {}
        self._want: set | None = None  # during an optimistic pass: what was missing
        self.misses = 0  # reads answered from part of the data (optimistic passes)
        self._own = set(self.__dict__) | {"_own"}

    # -- fetching ----------------------------------------------------------------------
    def _missing(self, want: tuple) -> None:
        """Fetch ``want`` now, or note it during an optimistic pass."""
        if self._want is not None:
            self._want.add(want)
            self.misses += 1
        else:
            self.fill([want])

    def fill(self, wants) -> None:
        """Fetch what ``wants`` names, in as few statements as possible:
        ``("node", nid)`` and ``("edges", nid, direction, kind or None)``,
        the latter with the relationship types usually read of its kind
        (:meth:`_usual`; not for hubs)."""
        from .push import decode_props

        nodes: set[str] = set()
        asks: dict[str, set[tuple]] = {}
        for w in wants:
            nid = w[1]
            kind = split_id(nid)[0]
            if kind not in NODE_KINDS:
                self._nodes.setdefault(nid, None)
                continue
            if nid not in self._nodes:
                nodes.add(nid)
            if w[0] == "edges":  # and the types usually read with them
                asks.setdefault(nid, set()).add((w[2], w[3]))
                if self.learn and not _hub(kind):
                    asks[nid].update(self._usual(kind))
        # per node and direction: the edge kinds to fetch (None: all of them)
        todo: dict[tuple, tuple | None] = {}
        for nid, pairs in asks.items():
            if self._nodes.get(nid, True) is None:
                continue  # known not to exist
            for direction in ("out", "in"):
                kinds = {k for d, k in pairs if d == direction}
                if not kinds or (nid, direction, None) in self._edges:
                    continue
                if None in kinds:
                    todo[(nid, direction)] = None
                    continue
                kinds = {k for k in kinds if (nid, direction, k) not in self._edges}
                if kinds:
                    todo[(nid, direction)] = tuple(sorted(kinds))
        parts = [(("n", split_id(n)[0]), n) for n in sorted(nodes)]
        parts += sorted(((("e", split_id(n)[0], d, ks or ()), n) for (n, d), ks in todo.items()),
                        key=lambda p: (p[0][:3], p[0][3], p[1]))
        got: dict[tuple, list] = {key: [] for key in todo}
        found: set[str] = set()
        for i in range(0, len(parts), FETCH_BATCH):
            statement, params = _fill_statement(parts[i:i + FETCH_BATCH])
            for r in self.server.run(statement, params):
                x, d = r["x"], r["d"]
                if d == "node":
                    found.add(x)
                    self._nodes[x] = decode_props(r["bp"], ID_PROP)
                elif d == "far":
                    if self._nodes.get(x) is None:
                        self._nodes[x] = decode_props(r["bp"], ID_PROP)
                elif r["t"] in EDGE_KINDS:
                    e = decode_props(r["rp"], "key")
                    e["kind"] = r["t"]
                    got[(x, d)].append((x, r["b"], e) if d == "out" else (r["b"], x, e))
        for n in nodes - found:
            self._nodes[n] = None
        for (n, direction), edges in got.items():
            _canonical(edges, 1 if direction == "out" else 0)
            kinds = todo[(n, direction)]
            if kinds is None:
                self._edges[(n, direction, None)] = edges
                continue
            for k in kinds:
                self._edges[(n, direction, k)] = [e for e in edges if e[2]["kind"] == k]

    def _usual(self, kind: str) -> list[tuple]:
        """The relationship types read of at least half of the nodes of
        ``kind`` whose relationships were read: fetched with any such node."""
        n = len(self._read_of.get(kind, ()))
        return [k for k, nodes in self._asked.get(kind, {}).items() if 2 * len(nodes) >= n]

    def settle(self, walk: Callable[[], object], max_passes: int = 24):
        """``walk()`` (a query over this store) in optimistic passes, fetching
        what each pass missed in one go (see the class docstring); returns the
        answer of the first pass that missed nothing.  What a query memoised
        on the store from part of the data is dropped between passes
        (:meth:`_forget_memos`).  After ``max_passes`` the walk runs
        fetching as it reads, which gives the same answer more slowly."""
        for _ in range(max_passes):
            self._forget_memos()
            self._want = set()
            try:
                answer, failed = walk(), None
            except Exception as exc:  # noqa: BLE001 - judged below
                answer, failed = None, exc
            finally:
                want, self._want = self._want, None
            if not want:
                if failed is None:
                    return answer
                break  # a genuine error: raise it from a plain walk below
            self.fill(want)
        self._forget_memos()
        return walk()

    def _forget_memos(self) -> None:
        """Memos a query hung on the store keep what they computed from fetched
        data only (``forget_dirty``, :class:`xuncha.queries.view.View`);
        any other is dropped."""
        for k in [k for k in self.__dict__ if k not in self._own]:
            forget = getattr(self.__dict__[k], "forget_dirty", None)
            if forget is not None:
                forget()
            else:
                del self.__dict__[k]

    def _known(self, nid: str) -> bool:
        if nid not in self._nodes:
            self._missing(("node", nid))
        return nid in self._nodes

    # -- the GraphStore API ---------------------------------------------------------------
    def has(self, nid: str) -> bool:
        return self._known(nid) and self._nodes[nid] is not None

    def node(self, nid: str) -> dict:
        if not self._known(nid):  # an optimistic pass: noted; go on with a blank node
            return {"kind": split_id(nid)[0]}
        d = self._nodes[nid]
        if d is None:
            raise KeyError(nid)
        return d

    def kind(self, nid: str) -> str:
        return self.node(nid)["kind"]

    def label(self, nid: str) -> str:
        return node_label(nid, self.node(nid))

    def resolve(self, ref: str, kinds: tuple[str, ...] | None = None) -> str:
        """As :func:`resolve`; a ``kind:id`` is looked up by the store, with all
        its relationships (a walk from it starts by reading them); a name is
        resolved on the server once."""
        ref = ref.strip()
        kind, _, raw = ref.partition(":")
        if kind in (kinds or NODE_KINDS) and raw:
            if ref not in self._nodes:
                wants = [("node", ref)] + ([] if _hub(kind) else
                                           [("edges", ref, "out", None), ("edges", ref, "in", None)])
                if self._want is not None:
                    self._want.update(wants)
                    self.misses += 1
                    raise _Miss(ref)
                self.fill(wants)
            if self._nodes.get(ref) is not None:
                return ref
        key = (ref, tuple(kinds) if kinds else None)
        if key not in self._resolved:
            self._resolved[key] = resolve(self.server, ref, kinds)
        return self._resolved[key]

    def _edges_of(self, nid: str, direction: str, kind: str | None) -> list:
        got = self._edges.get((nid, direction, kind))
        if got is None and kind is not None:
            whole = self._edges.get((nid, direction, None))
            if whole is not None:
                got = self._edges[(nid, direction, kind)] = [e for e in whole
                                                             if e[2]["kind"] == kind]
        if got is not None:
            return got
        nkind = split_id(nid)[0]
        if nkind not in NODE_KINDS or (nid in self._nodes and self._nodes[nid] is None):
            return []
        ek = EDGE_KINDS.get(kind) if kind else None
        if ek is not None and nkind not in (ek.sources if direction == "out" else ek.targets):
            return []  # the registry has no such relationship: nothing to fetch
        self._asked.setdefault(nkind, {}).setdefault((direction, kind), set()).add(nid)
        self._read_of.setdefault(nkind, set()).add(nid)
        self._missing(("edges", nid, direction, kind))
        if self._want is not None:
            return []
        return self._edges.get((nid, direction, kind)) or self._edges_of(nid, direction, kind) \
            if self._nodes.get(nid) is not None else []

    def out_edges(self, nid: str, kind: str | None = None):
        yield from self._edges_of(nid, "out", kind)

    def in_edges(self, nid: str, kind: str | None = None):
        yield from self._edges_of(nid, "in", kind)

    def targets(self, nid: str, kind: str) -> list[str]:
        return [v for _, v, _ in self.out_edges(nid, kind)]

    def sources(self, nid: str, kind: str) -> list[str]:
        return [u for u, _, _ in self.in_edges(nid, kind)]

    def category_block(self, key: str, sector: str, lo: int, hi: int) -> list[str]:
        """Ids of the items that may be in ``derived("category_sector")[key\\tsector]``
        between days ``lo`` and ``hi`` (the caller checks each item's date).

        Cached; in an optimistic pass that has already missed something the
        arguments may come from part of the data, so it answers nothing and
        waits for a pass that reads only fetched data."""
        args = (key, sector, lo, hi)
        if args not in self._blocks:
            if self._want:
                self.misses += 1
                return []
            self._blocks[args] = self._category_block(*args)
        return self._blocks[args]

    def _category_block(self, key: str, sector: str, lo: int, hi: int) -> list[str]:
        import datetime as _dt

        dlo = _dt.date.fromordinal(lo).isoformat()
        dhi = _dt.date.fromordinal(hi).isoformat()
        ids = [r["x"] for r in self.server.run(
            f"MATCH (u:{L('unit')}) WHERE u.sector = $sector "
            f"MATCH (i:{L('issue')})-[:{R('FOUND_IN')}]->(u) "
            f"WHERE (CASE WHEN i.subcategory IS NULL OR i.subcategory = '' THEN i.category "
            f"ELSE i.subcategory END) = $key "
            f"AND (i.found_date IS NULL OR i.found_date = '' OR "
            f"(i.found_date >= $lo AND i.found_date <= $hi)) RETURN i.{ID_PROP} AS x "
            f"UNION ALL "
            f"MATCH (l:{L('lead')})-[:{R('RAISED_FROM')}]->(i:{L('issue')}) "
            f"WHERE (CASE WHEN i.subcategory IS NULL OR i.subcategory = '' THEN i.category "
            f"ELSE i.subcategory END) = $key "
            f"AND (l.transfer_date IS NULL OR l.transfer_date = '' OR "
            f"(l.transfer_date >= $lo AND l.transfer_date <= $hi)) "
            f"RETURN DISTINCT l.{ID_PROP} AS x",
            {"sector": sector, "key": key, "lo": dlo, "hi": dhi})]
        return sorted(set(ids))


def _canonical(edges: list, far: int) -> None:
    """Sort ``edges`` by the far end's id, then (several relationships to one
    far end) by their properties: an order that does not depend on the backend."""
    edges.sort(key=lambda e: e[far])
    i = 0
    while i < len(edges):
        j = i + 1
        while j < len(edges) and edges[j][far] == edges[i][far]:
            j += 1
        if j - i > 1:
            edges[i:j] = sorted(edges[i:j], key=lambda e: str(sorted(e[2].items())))
        i = j


def _fill_statement(parts: list[tuple]) -> tuple[str, dict]:
    """One statement (``UNION ALL`` of a branch per group) for
    :meth:`LazyStore.fill`.  ``parts``: ``(("n", kind), nid)`` for a node's
    properties, ``(("e", kind, direction, edge kinds or ()), nid)`` for its
    relationships of those types (``()``: all).  Rows: ``x``, ``d``
    (``node``; ``out``/``in``: a relationship of ``x``; ``far``: a far end,
    once per group), ``t`` (type), ``rp``, ``b`` (far end's id), ``bp``
    (properties of ``x`` for ``node`` and ``far`` rows)."""
    groups: dict[tuple, list[str]] = {}
    for g, nid in parts:
        groups.setdefault(g, []).append(nid)
    branches: list[str] = []
    params: dict[str, list[str]] = {}
    for i, (g, ids) in enumerate(groups.items()):
        p = f"ids{i}"
        params[p] = ids
        head = f"UNWIND ${p} AS x MATCH (a:{L(g[1])} {{{ID_PROP}: x}}) "
        if g[0] == "n":
            branches.append(head + "RETURN x AS x, 'node' AS d, null AS t, null AS rp, "
                                   "null AS b, properties(a) AS bp")
            continue
        _, _, direction, kinds = g
        types = "|".join(R(k) for k in kinds)  # registry types only (R raises otherwise)
        r = f"r:{types}" if types else "r"
        if direction == "out":
            pattern, far = f"MATCH (a)-[{r}]->(b) ", f"MATCH (a)-[{r}]->(b) "
        elif direction == "in":
            pattern, far = f"MATCH (a)<-[{r}]-(b) ", f"MATCH (a)<-[{r}]-(b) "
        else:
            raise ValueError(f"direction {direction!r}")
        branches.append(head + pattern + f"WITH x, r, b WHERE b.{ID_PROP} IS NOT NULL "
                        f"RETURN x AS x, '{direction}' AS d, type(r) AS t, properties(r) AS rp, "
                        f"b.{ID_PROP} AS b, null AS bp")
        branches.append(head + far + f"WITH DISTINCT b WHERE b.{ID_PROP} IS NOT NULL "
                        f"RETURN b.{ID_PROP} AS x, 'far' AS d, null AS t, null AS rp, "
                        f"null AS b, properties(b) AS bp")
    return " UNION ALL ".join(branches), params
