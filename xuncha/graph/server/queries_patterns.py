"""The pattern scans 跨单位规律 on a graph server: slim projections filtered and
grouped in Cypher, then the in-memory scan over them.

Each twin fetches, by parameterised statements, only the columns its scan
reads, builds a small graph of them and runs the unchanged function of
:mod:`xuncha.queries.patterns` on it, so the definitions (dates, windows,
thresholds, order) are one code.  Never fetched: descriptions, summaries,
names other than units' and cadres', any property the scan does not read.

Every scan reads the *frame*: all rounds; every unit's ``id``, ``name``,
``region_id``, ``sector``; every region with its PART_OF relationships;
every INSPECTED relationship (round, start, end) with its team's id (small
tables: dates fall back on them, the window's regions and sectors resolve on
them).  Then:

common
    issues with a unit and a category key, filtered in Cypher by the
    window's rounds, units (regions/sectors) and ``found_date`` (empty, or
    inside since/until): ``xid, unit_id, round_id, category, subcategory,
    found_date``.
recurring
    the same columns for the issues of the (unit, category key) groups that
    hold two issues or more (grouped and counted in Cypher, window units
    only), and the ``issue_id, status, completed_date`` of the actions
    addressing them.
trails
    principal posts (``role=principal``: only of cadres principal in at
    least ``min_units`` units, counted in Cypher), the cadres' names, and
    the window-filtered issue columns of the units of those posts; with
    ``role=implicated``/``any`` also the IMPLICATES relationships of the
    window's issues and every post of the cadres they name.
clusters
    the window-filtered issue columns, every lead's ``unit_id, round_id,
    transfer_date, case_filed, outcomes, issue_ids`` with its RAISED_FROM
    and CONCERNS relationships, the IMPLICATES relationships of the issues,
    the linked issues' columns, the names of the cadres named and every
    RELATED_TO relationship (kept when both ends are named).
"""

from __future__ import annotations

from ..schema import split_id
from .base import GraphServer
from .dialect import ID_PROP, KEY_PROP, label as L, rel_type as R
from .queries import twin

_KEY = ("CASE WHEN i.subcategory IS NULL OR i.subcategory = '' THEN i.category "
        "ELSE i.subcategory END")
_ISSUE_COLS = ("i.id AS id, i.unit_id AS unit_id, i.round_id AS round_id, i.category AS category, "
               "i.subcategory AS subcategory, i.found_date AS found_date")
#: What an issue's inspected period reads besides (xuncha.queries.periods): the
#: ledger's conduct dates and the years its description names.
_PERIOD_COLS = (", i.description AS description, i.conduct_start AS conduct_start, "
                "i.conduct_end AS conduct_end")


def sectors(server: GraphServer) -> list[str]:
    """The distinct unit sectors 板块 on the server (for ``--sector`` checks)."""
    return sorted(r["s"] for r in server.run(
        f"MATCH (u:{L('unit')}) WHERE u.sector IS NOT NULL AND u.sector <> '' "
        f"RETURN DISTINCT u.sector AS s"))


class _Slim:
    def __init__(self, server: GraphServer):
        import networkx as nx

        self.server = server
        self.g = nx.MultiDiGraph()

    def node(self, nid: str, **props) -> None:
        if nid in self.g and self.g.nodes[nid].get("kind"):
            self.g.nodes[nid].update({k: v for k, v in props.items() if v is not None})
            return
        self.g.add_node(nid, **{"kind": split_id(nid)[0], **props})

    def edge(self, s: str, t: str, kind: str, key: str | None = None, **props) -> None:
        for n in (s, t):
            if n not in self.g:
                self.node(n, id=split_id(n)[1])
        self.g.add_edge(s, t, key or kind, kind=kind, **props)

    def store(self):
        from ..store import GraphStore

        return GraphStore(self.g, {})

    def run(self, q: str, **params) -> list[dict]:
        return self.server.run(q, params)

    # -- the frame -------------------------------------------------------------
    def frame(self) -> None:
        from .push import decode_props

        for r in self.run(f"MATCH (n:{L('round')}) RETURN n.{ID_PROP} AS x, properties(n) AS p"):
            self.node(r["x"], **decode_props(r["p"], ID_PROP))
        for r in self.run(f"MATCH (u:{L('unit')}) RETURN u.{ID_PROP} AS x, u.id AS id, "
                          f"u.name AS name, u.region_id AS region_id, u.sector AS sector"):
            self.node(r["x"], id=r["id"], name=r["name"], region_id=r["region_id"],
                      sector=r["sector"])
        for r in self.run(f"MATCH (n:{L('region')}) RETURN n.{ID_PROP} AS x, n.id AS id, "
                          f"n.name AS name"):
            self.node(r["x"], id=r["id"], name=r["name"])
        for r in self.run(f"MATCH (a:{L('region')})-[e:{R('PART_OF')}]->(b:{L('region')}) "
                          f"RETURN a.{ID_PROP} AS a, b.{ID_PROP} AS b, e.{KEY_PROP} AS k"):
            self.edge(r["a"], r["b"], "PART_OF", r["k"])
        for r in self.run(f"MATCH (t:{L('team')})-[e:{R('INSPECTED')}]->(u:{L('unit')}) "
                          f"RETURN t.{ID_PROP} AS a, t.id AS id, u.{ID_PROP} AS b, e.{KEY_PROP} AS k, "
                          f"e.round_id AS round_id, e.start AS start, e.end AS end"):
            self.node(r["a"], id=r["id"])
            self.edge(r["a"], r["b"], "INSPECTED", r["k"], round_id=r["round_id"],
                      start=r["start"], end=r["end"])

    def window_filter(self, window, alias: str = "i") -> tuple[str, dict]:
        """A Cypher condition on issue ``alias`` no issue passing ``window`` fails,
        with its parameters (rounds, window units, ``found_date`` range)."""
        from ...queries.common import QueryIndex

        conds, params = [], {}
        if window.rounds:
            conds.append(f"{alias}.round_id IN $w_rounds")
            params["w_rounds"] = [split_id(r)[1] for r in window.rounds]
        if window.regions or window.sectors:
            _, unit_ok = window.compile(QueryIndex(self.store()))
            conds.append(f"{alias}.unit_id IN $w_units")
            params["w_units"] = sorted(d["id"] for n, d in self.g.nodes(data=True)
                                       if d.get("kind") == "unit" and unit_ok(n))
        f = f"{alias}.found_date"
        if window.since:
            conds.append(f"({f} IS NULL OR {f} = '' OR {f} >= $w_since)")
            params["w_since"] = window.since
        if window.until:
            conds.append(f"({f} IS NULL OR {f} = '' OR {f} <= $w_until)")
            params["w_until"] = window.until
        return " AND ".join(conds) or "true", params

    def issues(self, where: str, params: dict, prefix: str = "", period: bool = False) -> list[str]:
        cols = _ISSUE_COLS + (_PERIOD_COLS if period else "")
        rows = self.server.run(f"{prefix}MATCH (i:{L('issue')}) WHERE {where} "
                               f"RETURN i.{ID_PROP} AS x, {cols}", params)
        for r in rows:
            x = r.pop("x")
            self.node(x, **r)
        return [r["id"] for r in rows]

    def issues_by_id(self, xids, period: bool = False) -> None:
        xids = set(xids)
        xids = sorted(xids - {n for n in xids if n in self.g and self.g.nodes[n].get("kind")})
        if xids:
            cols = _ISSUE_COLS + (_PERIOD_COLS if period else "")
            for r in self.run(f"UNWIND $ids AS x MATCH (i:{L('issue')} {{{ID_PROP}: x}}) "
                              f"RETURN x, {cols}", ids=xids):
                x = r.pop("x")
                self.node(x, **r)

    def edges_from(self, kind_a: str, rel: str, kind_b: str, ids: list[str], name: bool = False,
                   reverse: bool = False) -> list[tuple[str, str]]:
        """``rel`` relationships of the ``kind_a`` nodes ``ids`` (``reverse``:
        into them), adding the other end (with its name when ``name``)."""
        if not ids:
            return []
        pat = (f"(a)-[e:{R(rel)}]->(b:{L(kind_b)})" if not reverse
               else f"(a)<-[e:{R(rel)}]-(b:{L(kind_b)})")
        out = []
        for r in self.run(f"UNWIND $ids AS x MATCH (a:{L(kind_a)} {{{ID_PROP}: x}}) MATCH {pat} "
                          f"RETURN x AS a, b.{ID_PROP} AS b, b.id AS id, "
                          f"{'b.name' if name else 'null'} AS name, e.{KEY_PROP} AS k, "
                          f"properties(e) AS p", ids=sorted(set(ids))):
            from .push import decode_props

            if r["b"] not in self.g or not self.g.nodes[r["b"]].get("kind"):
                self.node(r["b"], id=r["id"], **({"name": r["name"]} if name else {}))
            s, t = (r["a"], r["b"]) if not reverse else (r["b"], r["a"])
            self.edge(s, t, rel, r["k"], **decode_props(r["p"], KEY_PROP))
            out.append((s, t))
        return out


@twin("xuncha.queries.patterns:common")
def common(server: GraphServer, window=None, min_units=None, min_share=None,
           level: str = "subcategory", per_round: bool = True):
    """:func:`xuncha.queries.patterns.common` (see the module docstring)."""
    from ...queries import patterns as P
    from ...queries.common import Window

    window = window or Window()
    s = _Slim(server)
    s.frame()
    # every round of the window's frame: the base rate reads them all
    where, params = s.window_filter(Window((), window.regions, window.sectors, window.since,
                                           window.until))
    key = "i.category" if level == "category" else _KEY
    s.issues(f"i.unit_id IS NOT NULL AND i.unit_id <> '' AND {key} IS NOT NULL AND {key} <> '' "
             f"AND {where}", params)
    return P.common(s.store(), window, min_units, min_share, level=level, per_round=per_round)


@twin("xuncha.queries.patterns:recurring")
def recurring(server: GraphServer, window=None):
    """:func:`xuncha.queries.patterns.recurring` (see the module docstring)."""
    from ...queries import patterns as P
    from ...queries.common import Window

    window = window or Window()
    s = _Slim(server)
    s.frame()
    params: dict = {}
    unit_cond = "true"
    if window.regions or window.sectors:
        where, params = s.window_filter(Window(regions=window.regions, sectors=window.sectors))
        unit_cond = where
    ids = [r["x"] for r in s.run(
        f"MATCH (i:{L('issue')}) WHERE i.unit_id IS NOT NULL AND i.unit_id <> '' AND {unit_cond} "
        f"WITH i, {_KEY} AS k WHERE k IS NOT NULL AND k <> '' "
        f"WITH i.unit_id AS u, k, collect(i.{ID_PROP}) AS xs WHERE size(xs) >= 2 "
        f"UNWIND xs AS x RETURN x", **params)]
    s.issues_by_id(ids)
    for r in s.run(f"UNWIND $ids AS x MATCH (a:{L('action')})-[:{R('ADDRESSES')}]->"
                   f"(i:{L('issue')} {{{ID_PROP}: x}}) RETURN a.{ID_PROP} AS a, a.id AS id, "
                   f"a.issue_id AS issue_id, a.status AS status, a.completed_date AS completed_date",
                   ids=ids):
        a = r.pop("a")
        s.node(a, **r)
    return P.recurring(s.store(), window)


@twin("xuncha.queries.patterns:trails")
def trails(server: GraphServer, window=None, min_units=None, role: str = "principal",
           policy=None):
    """:func:`xuncha.queries.patterns.trails` (see the module docstring)."""
    from ...queries import patterns as P
    from ...queries.common import QueryError, Window

    if role not in ("principal", "implicated", "any"):
        raise QueryError("role must be principal, implicated or any")
    window = window or Window()
    s = _Slim(server)
    s.frame()
    where, params = s.window_filter(window)
    n_min = 2 if min_units is None else min_units
    units: set[str] = set()
    if role in ("principal", "any"):
        least = n_min if role == "principal" else 1
        for r in s.run(
                f"MATCH (c:{L('cadre')})-[p:{R('HELD_POSITION')}]->(u:{L('unit')}) "
                f"WHERE p.is_principal = true "
                f"WITH c, collect(DISTINCT u.{ID_PROP}) AS us WHERE size(us) >= $least "
                f"MATCH (c)-[p:{R('HELD_POSITION')}]->(u:{L('unit')}) WHERE p.is_principal = true "
                f"RETURN c.{ID_PROP} AS c, c.id AS id, c.name AS name, u.{ID_PROP} AS u, "
                f"p.{KEY_PROP} AS k, properties(p) AS p", least=least):
            from .push import decode_props

            s.node(r["c"], id=r["id"], name=r["name"])
            s.edge(r["c"], r["u"], "HELD_POSITION", r["k"], **decode_props(r["p"], KEY_PROP))
            units.add(split_id(r["u"])[1])
        s.issues(f"i.unit_id IN $units AND {where}", {**params, "units": sorted(units)},
                 period=True)
    if role in ("implicated", "any"):
        ids = s.issues(f"i.unit_id IS NOT NULL AND i.unit_id <> '' AND {where}", params,
                       period=True)
        named = s.edges_from("issue", "IMPLICATES", "cadre", [f"issue:{i}" for i in ids], name=True)
        s.edges_from("cadre", "HELD_POSITION", "unit", [c for _, c in named])
    from ...queries.periods import DEFAULT_POLICY

    return P.trails(s.store(), window, min_units, role=role, policy=policy or DEFAULT_POLICY)


@twin("xuncha.queries.patterns:clusters")
def clusters(server: GraphServer, window=None, min_units=None, policy=None):
    """:func:`xuncha.queries.patterns.clusters` (see the module docstring)."""
    from ...queries import patterns as P
    from ...queries.common import Window

    window = window or Window()
    s = _Slim(server)
    s.frame()
    where, params = s.window_filter(window)
    ids = s.issues(where, params, period=True)
    leads = []
    for r in s.run(f"MATCH (l:{L('lead')}) RETURN l.{ID_PROP} AS x, l.id AS id, "
                   f"l.unit_id AS unit_id, l.round_id AS round_id, l.transfer_date AS transfer_date, "
                   f"l.case_filed AS case_filed, l.outcomes AS outcomes, l.issue_ids AS issue_ids"):
        x = r.pop("x")
        s.node(x, **r)
        leads.append(x)
    s.issues_by_id((f"issue:{i}" for r in leads for i in (s.g.nodes[r].get("issue_ids") or ())),
                   period=True)
    # RAISED_FROM in issue_ids order (a lead's first issue gives its unit and date)
    order = {l: {f"issue:{x}": n for n, x in enumerate(s.g.nodes[l].get("issue_ids") or ())}
             for l in leads}
    raised = []
    from .push import decode_props

    for r in s.run(f"MATCH (l:{L('lead')})-[e:{R('RAISED_FROM')}]->(i:{L('issue')}) "
                   f"RETURN l.{ID_PROP} AS a, i.{ID_PROP} AS b, e.{KEY_PROP} AS k, "
                   f"properties(e) AS p"):
        raised.append((order.get(r["a"], {}).get(r["b"], 1 << 30), r["a"], r["b"], r["k"],
                       decode_props(r["p"], KEY_PROP)))
    for _, a, b, k, p in sorted(raised, key=lambda x: x[:4]):
        s.edge(a, b, "RAISED_FROM", k, **p)
    named = s.edges_from("issue", "IMPLICATES", "cadre", [f"issue:{i}" for i in ids], name=True)
    named += s.edges_from("lead", "CONCERNS", "cadre", leads, name=True)
    cadres = {c for _, c in named}
    # their posts: a link states the post overlapping the item's period
    s.edges_from("cadre", "HELD_POSITION", "unit", sorted(cadres))
    # every tie (a small table); a list-membership test per row would be
    # quadratic on the server
    for r in s.run(f"MATCH (a:{L('cadre')})-[e:{R('RELATED_TO')}]->(b:{L('cadre')}) "
                   f"RETURN a.{ID_PROP} AS a, b.{ID_PROP} AS b, e.{KEY_PROP} AS k, "
                   f"properties(e) AS p"):
        if r["a"] in cadres and r["b"] in cadres:
            s.edge(r["a"], r["b"], "RELATED_TO", r["k"], **decode_props(r["p"], KEY_PROP))
    from ...queries.periods import DEFAULT_POLICY

    return P.clusters(s.store(), window, min_units, policy=policy or DEFAULT_POLICY)
