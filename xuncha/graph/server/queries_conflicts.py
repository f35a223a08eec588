"""Conflict checks 回避审查 on a graph server: the sub-graph a check reads,
fetched by targeted Cypher, then the unchanged in-memory checker over it.

:func:`find_conflicts` is the server twin of
:func:`xuncha.planning.conflicts.find_conflicts` (``xuncha conflicts --uri``).
It never downloads the graph: it builds a small :class:`GraphStore` of what
the grounds read for the pairs concerned, and runs the in-memory function on
it, so the rules (dates, windows, kinship classes, texts, order) are one code
and the rows are identical (a parity test checks it).

What is fetched, in this order (every statement parameterised, nodes bound by
their ``xid`` index; node columns only: cadre ``id, name,
native_region_id``; unit ``id, name, region_id, parent_id``; team ``id,
name, home_region_id, level``; region ``id, name, level``; relationships with
their properties):

1. every round (a small table: dates, names, committees, round kinds; the
   ``repeat`` look-back and the default date read them);
2. the pairs: ``--round R``: the INSPECTED relationships with ``round_id = R``
   (with their teams and units); ``--plan``/``--team --unit``: given;
3. the pairs' teams T and units U; every MEMBER_OF into T (all rounds: a
   team's latest membership may be asked for) with its cadre;
4. the inspectors I (the members the check uses: the plan's, the round's or
   the latest) and every HELD_POSITION of I with its unit;
5. kinship (when on): the RELATED_TO relationships of a kin kind
   (``relation_kind`` in :data:`~xuncha.planning.kinship.STEPS`), both
   directions, breadth-first from I, ``kinship.max_hops`` hops (1 when
   ``compose`` is off): every relationship the kinship search can follow;
6. every HELD_POSITION into U (who works there: kinship's posts, the units'
   leaders) with its cadre; for the holders of a leadership post there (by
   the policy's titles, any date), every HELD_POSITION with its unit
   (``superior_subordinate``: where they served with an inspector);
7. the superior units of U, ``employment.superior_levels`` deep (by
   ``parent_id``);
8. ``repeat`` (when on): the INSPECTED relationships of the rounds the
   look-back covers (for the check's date and each assignment's own date),
   with their teams and units;
9. regions: those of U and of the history's units, the teams' home regions
   and I's native regions, with every PART_OF above them (level by level).

Never fetched: issues, leads, actions, other people's posts, any property
not listed.  Invariant: every tie the in-memory checker reports for a pair
in the check is built from the fetched rows alone (posts and children are
indexed in canonical orders, :mod:`xuncha.planning.index`, so the order of
the sub-graph does not change the rows).
"""

from __future__ import annotations

from ..schema import split_id
from .base import GraphServer
from .dialect import ID_PROP, KEY_PROP, label as L, rel_type as R
from .queries import resolve, twin

COLS = {
    "cadre": ("id", "name", "native_region_id"),
    "unit": ("id", "name", "region_id", "parent_id"),
    "team": ("id", "name", "home_region_id", "level"),
    "region": ("id", "name", "level"),
}


def _cols(alias: str, kind: str, prefix: str | None = None) -> str:
    """``alias.col AS prefix_col`` for the columns of ``kind`` the checks read."""
    return ", ".join(f"{alias}.{c} AS {prefix or alias}_{c}" for c in COLS[kind])


def _key_order(key: str) -> int:
    """``KIND`` -> 1, ``KIND#3`` -> 3: the order the workspace added repeats in."""
    _, sep, n = key.partition("#")
    return int(n) if sep and n.isdigit() else 1


class _SubGraph:
    """Nodes and relationships fetched so far; :meth:`store` builds the graph."""

    def __init__(self, server: GraphServer):
        self.server = server
        self.nodes: dict[str, dict] = {}
        self.edges: dict[tuple[str, str, str], dict] = {}

    def run(self, q: str, **params) -> list[dict]:
        return self.server.run(q, params)

    def _node(self, xid: str, kind: str, row: dict, alias: str) -> None:
        if xid not in self.nodes:
            self.nodes[xid] = {"kind": kind, **{c: row.get(f"{alias}_{c}") for c in COLS[kind]}}

    def add_nodes(self, kind: str, xids) -> None:
        todo = sorted({x for x in xids if x not in self.nodes})
        if todo:
            for r in self.run(f"UNWIND $ids AS x MATCH (n:{L(kind)} {{{ID_PROP}: x}}) "
                              f"RETURN x, {_cols('n', kind)}", ids=todo):
                self._node(r["x"], kind, r, "n")

    def rounds(self) -> None:
        from .push import decode_props

        for r in self.run(f"MATCH (n:{L('round')}) RETURN n.{ID_PROP} AS x, properties(n) AS p"):
            self.nodes[r["x"]] = {"kind": "round", **decode_props(r["p"], ID_PROP)}

    def rels(self, rel: str, kind_a: str, xids, kind_b: str, out: bool = True, where: str = "",
             **params) -> list[tuple[str, str, dict]]:
        """Every ``rel`` relationship out of (``out``) or into the ``kind_a``
        nodes ``xids`` (``where``: a condition on ``r``), with the ``kind_b``
        node at the other end."""
        xids = sorted(set(xids))
        if not xids:
            return []
        pat = (f"(a)-[r:{R(rel)}]->(b:{L(kind_b)})" if out else f"(a)<-[r:{R(rel)}]-(b:{L(kind_b)})")
        found = []
        for r in self.run(f"UNWIND $ids AS x MATCH (a:{L(kind_a)} {{{ID_PROP}: x}}) MATCH {pat} "
                          + (f"WHERE {where} " if where else "")
                          + f"RETURN x AS a, b.{ID_PROP} AS b, properties(r) AS p, {_cols('b', kind_b)}",
                          ids=xids, **params):
            found.append(self._edge(rel, r, kind_b, out))
        return found

    def _edge(self, rel: str, r: dict, kind_b: str, out: bool) -> tuple[str, str, dict]:
        from .push import decode_props

        self._node(r["b"], kind_b, r, "b")
        p = dict(r["p"])
        key = p.get(KEY_PROP) or rel
        s, t = (r["a"], r["b"]) if out else (r["b"], r["a"])
        props = {**decode_props(p, KEY_PROP), "kind": rel}
        self.edges[(s, t, key)] = props
        return s, t, props

    def inspections(self, round_ids) -> set[str]:
        """The INSPECTED relationships of ``round_ids`` (raw), with teams and
        units; returns the units."""
        units: set[str] = set()
        if not round_ids:
            return units
        for r in self.run(f"MATCH (a:{L('team')})-[r:{R('INSPECTED')}]->(b:{L('unit')}) "
                          f"WHERE r.round_id IN $rounds "
                          f"RETURN a.{ID_PROP} AS a, b.{ID_PROP} AS b, properties(r) AS p, "
                          f"{_cols('a', 'team', 't')}, {_cols('b', 'unit')}",
                          rounds=sorted(set(round_ids))):
            self._node(r["a"], "team", r, "t")
            units.add(self._edge("INSPECTED", r, "unit", True)[1])
        return units

    def region_closure(self, region_ids) -> None:
        """The regions ``region_ids`` (raw) and every PART_OF above them."""
        todo = {f"region:{x}" for x in region_ids if x}
        done: set[str] = set()
        while todo:
            self.add_nodes("region", todo)
            frontier = sorted(x for x in todo if x in self.nodes)
            done |= todo
            todo = {t for _, t, _ in self.rels("PART_OF", "region", frontier, "region")} - done

    def of_kind(self, kind: str) -> list[str]:
        return [x for x, d in self.nodes.items() if d["kind"] == kind]

    def store(self):
        """A GraphStore of what is fetched; repeated relationships of one pair in
        key order (as the workspace added them)."""
        import networkx as nx

        from ..store import GraphStore

        g = nx.MultiDiGraph()
        for x in sorted(self.nodes):
            g.add_node(x, **self.nodes[x])
        for (s, t, k) in sorted(self.edges, key=lambda e: (e[0], e[1], e[2].partition("#")[0],
                                                         _key_order(e[2]))):
            for n in (s, t):
                if n not in g:
                    kind, raw = split_id(n)
                    g.add_node(n, kind=kind, id=raw)
            g.add_edge(s, t, k, **self.edges[(s, t, k)])
        return GraphStore(g, {})


@twin("xuncha.planning.conflicts:find_conflicts")
def find_conflicts(server: GraphServer, round_ref: str | None = None, plan: tuple | None = None,
                   team_refs=(), unit_refs=(), as_of: str | None = None, policy=None, manual=None):
    """:func:`xuncha.planning.conflicts.find_conflicts` over the fetched
    sub-graph (see the module docstring for exactly what is fetched)."""
    from ...planning.conflicts import find_conflicts as in_memory

    store, refs = subgraph(server, round_ref, plan, team_refs, unit_refs, as_of, policy)
    return in_memory(store, refs[0], plan, refs[1], refs[2], as_of, policy, manual)


def subgraph(server: GraphServer, round_ref: str | None = None, plan: tuple | None = None,
             team_refs=(), unit_refs=(), as_of: str | None = None, policy=None):
    """(the GraphStore a check reads, (round, teams, units) as ``kind:id``)."""
    from ...planning import conflicts as C
    from ...planning.index import PlanningIndex
    from ...planning.kinship import STEPS
    from ...planning.policy import load_policy

    policy = policy or load_policy()
    grounds = policy.grounds
    sub = _SubGraph(server)
    sub.rounds()
    round_x = resolve(server, round_ref, ("round",)) if round_ref else None
    teams_x = [resolve(server, t, ("team",)) for t in team_refs]
    units_x = [resolve(server, u, ("unit",)) for u in unit_refs]
    round_id = split_id(round_x)[1] if round_x else None
    # 2. the pairs
    if plan is None and round_id and not teams_x:
        sub.inspections([round_id])
    setup = C.select_pairs(PlanningIndex(sub.store(), policy), round_id, plan,
                           [split_id(t)[1] for t in teams_x], [split_id(u)[1] for u in units_x], as_of)
    # 3. teams, units, memberships
    T = sorted({f"team:{t}" for t, _ in setup.pairs})
    U = sorted({f"unit:{u}" for _, u in setup.pairs})
    sub.add_nodes("team", T)
    sub.add_nodes("unit", U)
    sub.rels("MEMBER_OF", "team", [t for t in T if t in sub.nodes], "cadre", out=False)
    ix = PlanningIndex(sub.store(), policy)
    members = C.pair_members(ix, setup, plan[1] if plan is not None else None)
    # 4. inspectors and their posts
    I = sorted({f"cadre:{m.cadre}" for ms in members.values() for m in ms})
    sub.add_nodes("cadre", I)
    sub.rels("HELD_POSITION", "cadre", I, "unit")
    # 5. kinship closure
    if grounds["kinship"].mode != "off":
        kinds = sorted(STEPS)
        hops = grounds["kinship"].max_hops if grounds["kinship"].compose else 1
        seen, frontier = set(I), [c for c in I if c in sub.nodes]
        for _ in range(hops):
            kin_kind = "r.relation_kind IN $kinds"
            found = (sub.rels("RELATED_TO", "cadre", frontier, "cadre", where=kin_kind, kinds=kinds)
                     + sub.rels("RELATED_TO", "cadre", frontier, "cadre", False, kin_kind, kinds=kinds))
            nxt = {x for s, t, _ in found for x in (s, t)}
            frontier = sorted(nxt - seen)
            seen |= nxt
            if not frontier:
                break
    # 6. who works in the units; their leaders' posts anywhere
    in_units = sub.rels("HELD_POSITION", "unit", [u for u in U if u in sub.nodes], "cadre", out=False)
    if grounds["superior_subordinate"].mode != "off":
        leaders = sorted({s for s, _, p in in_units
                          if policy.is_leadership(p.get("title") or "", bool(p.get("is_principal")))})
        sub.rels("HELD_POSITION", "cadre", leaders, "unit")
    # 7. superior units
    if grounds["employment"].mode != "off":
        level = [u for u in U if u in sub.nodes]
        for _ in range(grounds["employment"].superior_levels):
            parents = {f"unit:{sub.nodes[u]['parent_id']}" for u in level if sub.nodes[u].get("parent_id")}
            sub.add_nodes("unit", parents)
            level = sorted(p for p in parents if p in sub.nodes)
    # 8. the assignment history the repeat look-back covers
    history_units: set[str] = set()
    if grounds["repeat"].mode != "off":
        dates = {C.default_as_of(ix, setup.as_of, setup.round_id)} | {
            d for d in (setup.dates or {}).values() if d}
        prev = {r for d in dates
                for r in ix.previous_rounds(setup.round_id, d, grounds["repeat"].rounds)}
        history_units = sub.inspections(prev)
    # 9. regions, with every region above them
    regions = {sub.nodes[u].get("region_id") for u in set(U) | history_units if u in sub.nodes}
    regions |= {d.get("home_region_id") for d in sub.nodes.values() if d["kind"] == "team"}
    regions |= {sub.nodes[c].get("native_region_id") for c in I if c in sub.nodes}
    sub.region_closure(regions - {None, ""})
    return sub.store(), (round_x, teams_x, units_x)
