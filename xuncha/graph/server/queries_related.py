"""``related`` 关联案件 on a graph server: the seed's neighbourhood and the text
statistics come from targeted Cypher; the scoring is the in-memory core.

:func:`related` answers as :func:`xuncha.queries.related.related` on the
whole graph (the parity tests check ids, order, scores and reasons), while
reading from the server only what the signals look at.  What it fetches, each
step one parameterised statement per node kind (by label and the ``xid``
index, relationships restricted to the types named):

1. every round (a few dozen nodes: item dates fall back on round starts);
2. the seed: its node and all its relationships, both directions;
3. *units* of the seed's items (for a unit seed, the unit itself): their
   FOUND_IN, CONCERNS_UNIT, HELD_POSITION and INSPECTED relationships (the
   unit's items, posts and inspections: ``same_unit``, the principals);
4. *people*: the seed's named cadres and every cadre with a post in those
   units; their HELD_POSITION and RELATED_TO (out) and RELATED_TO,
   IMPLICATES, CONCERNS (in) relationships; then, for the units of their
   posts, as in 3 (``principal``, derived colleagues); then the tied cadres,
   the same way (``tie``, ``tie_chain``), and the units of *their* principal
   posts (FOUND_IN, CONCERNS_UNIT, INSPECTED); finally the items naming the
   second-hop cadres (IMPLICATES, CONCERNS in);
5. ``category_sector`` (issue/lead seeds): the issues with the seed's
   category key in the units of its sector whose ``found_date`` is empty or
   within :data:`~xuncha.queries.related.PERIOD_DAYS` of the seed's date,
   and the leads raised from issues with that key (ids only; the date
   filter on the derived date is finished in Python);
6. ``similar_text``: see :func:`similar` — document frequencies computed
   on the server by aggregate statements, the texts of the few candidate
   documents only;
7. two passes closing every item reached (its FOUND_IN, IMPLICATES,
   CONCERNS, CONCERNS_UNIT, RAISED_FROM relationships, and the leads raised
   from it), then the INSPECTED relationships of every unit an item names
   (dates fall back on the assignment's start).

The :class:`~xuncha.queries.common.QueryIndex` built on that small graph
holds, for every item, person and unit the signals read, exactly what the
whole graph's index holds, so :func:`xuncha.queries.related.rank` scores it
unchanged.
"""

from __future__ import annotations

import datetime as _dt
import math

from ..schema import split_id
from .base import GraphServer
from .dialect import ID_PROP, label as L, rel_type as R
from .queries import _decoded, _expand, fetch_nodes, resolve, twin

ITEM_OUT = ("FOUND_IN", "IMPLICATES", "CONCERNS", "CONCERNS_UNIT", "RAISED_FROM")
UNIT_IN = ("FOUND_IN", "CONCERNS_UNIT", "HELD_POSITION", "INSPECTED")
CADRE_OUT = ("HELD_POSITION", "RELATED_TO")
CADRE_IN = ("RELATED_TO", "IMPLICATES", "CONCERNS")
#: The text property of each item kind (what :class:`QueryIndex` indexes).
TEXT_PROP = {"issue": "description", "lead": "summary"}


class _Context:
    """A growing networkx graph of what was fetched, and what was expanded how."""

    def __init__(self, server: GraphServer):
        import networkx as nx

        self.server = server
        self.g = nx.MultiDiGraph()
        self.done: set[tuple[str, str, tuple]] = set()

    def add_nodes(self, nids) -> None:
        missing = [n for n in dict.fromkeys(nids) if n not in self.g or not self.g.nodes[n]]
        for nid, p in fetch_nodes(self.server, missing).items():
            self.g.add_node(nid, **_decoded(p))

    def expand(self, nids, direction: str, types: tuple[str, ...] = ()) -> None:
        todo = [n for n in dict.fromkeys(nids) if (n, direction, types) not in self.done]
        if todo:
            _expand(self.server, self.g, todo, direction, types)
            self.done.update((n, direction, types) for n in todo)

    def of_kind(self, *kinds: str) -> list[str]:
        return sorted(n for n, k in self.g.nodes(data="kind") if k in kinds)

    def sources(self, nids, kind: str) -> list[str]:
        """Nodes with a ``kind`` relationship into ``nids``."""
        out = set()
        for n in nids:
            if n in self.g:
                for s, _, k in self.g.in_edges(n, data="kind"):
                    if k == kind:
                        out.add(s)
        return sorted(out)

    def targets(self, nids, kind: str, where=None) -> list[str]:
        out = set()
        for n in nids:
            if n in self.g:
                for _, t, d in self.g.out_edges(n, data=True):
                    if d.get("kind") == kind and (where is None or where(d)):
                        out.add(t)
        return sorted(out)

    def close_items(self, passes: int = 2) -> None:
        closed: set[str] = set()
        for _ in range(passes):
            items = [n for n in self.of_kind("issue", "lead") if n not in closed]
            if not items:
                break
            self.expand(items, "out", ITEM_OUT)
            self.expand([n for n in items if n.startswith("issue:")], "in", ("RAISED_FROM",))
            closed.update(items)
        units = set(self.of_kind("unit"))
        for n in self.of_kind("issue", "lead"):
            uid = self.g.nodes[n].get("unit_id")
            if uid:
                units.add(f"unit:{uid}")
        self.add_nodes(units)
        self.expand([u for u in units if u in self.g], "in", ("INSPECTED",))

    def store(self):
        """The graph as a GraphStore, a lead's RAISED_FROM in ``issue_ids`` order
        (the order the workspace graph has: the first linked issue counts)."""
        from ..store import GraphStore

        g = self.g
        for lid in self.of_kind("lead"):
            order = {f"issue:{x}": i for i, x in enumerate(g.nodes[lid].get("issue_ids") or ())}
            outs = [(t, k, d) for _, t, k, d in g.out_edges(lid, keys=True, data=True)]
            if len({t for t, _, d in outs if d.get("kind") == "RAISED_FROM"}) < 2:
                continue
            for t, k, _ in outs:
                g.remove_edge(lid, t, k)
            outs.sort(key=lambda e: (e[2].get("kind") != "RAISED_FROM", order.get(e[0], 1 << 30), e[0]))
            for t, k, d in outs:
                g.add_edge(lid, t, k, **d)
        return GraphStore(g, {})


def _index(ctx: _Context):
    from ...queries.common import QueryIndex

    return QueryIndex(ctx.store())


def context(server: GraphServer, seed: str, kind: str, text: bool = True):
    """(store, index, similar-function) holding what ``related`` reads about ``seed``."""
    from ...queries.related import PERIOD_DAYS

    ctx = _Context(server)
    ctx.add_nodes([seed])
    for r in server.run(f"MATCH (n:{L('round')}) RETURN n.{ID_PROP} AS x, properties(n) AS p"):
        ctx.g.add_node(r["x"], **_decoded(r["p"]))
    ctx.expand([seed], "out")
    ctx.expand([seed], "in")
    if kind == "unit":
        seed_items = ctx.sources([seed], "FOUND_IN") + ctx.sources([seed], "CONCERNS_UNIT")
        units = [seed]
    else:
        seed_items = [seed] if kind in ("issue", "lead") else []
        # a lead's unit may be its first issue's: close the seed first
        ctx.close_items(1)
        units = sorted({f"unit:{ctx.g.nodes[i].get('unit_id')}" for i in seed_items
                        if ctx.g.nodes[i].get("unit_id")}
                       | set(ctx.targets(seed_items, "FOUND_IN"))
                       | set(ctx.targets(seed_items, "CONCERNS_UNIT"))
                       | {u for i in seed_items for u in ctx.targets(ctx.targets([i], "RAISED_FROM"),
                                                                      "FOUND_IN")})
    ctx.add_nodes(units)
    ctx.expand(units, "in", UNIT_IN)
    if kind == "unit":
        # leads without a unit of their own belong to their first issue's unit
        issues = [i for i in seed_items if i.startswith("issue:")]
        ctx.expand(issues, "in", ("RAISED_FROM",))
        seed_items = sorted(set(seed_items) | {
            x for x in ctx.sources(issues, "RAISED_FROM") if not ctx.g.nodes[x].get("unit_id")})
        ctx.expand(seed_items, "out", ITEM_OUT)
    # people attached to the seed's items (named, or principal on the item's
    # date), as the in-memory query computes them, from what is fetched so far
    from ...queries.related import _people

    ctx.close_items(1)
    pre = _index(ctx)
    attached = [p for i in seed_items if i in pre.items for p in _people(pre, pre.items[i])]
    if kind == "cadre":
        from ...queries.related import _Person

        attached = [_Person(seed)]
    people = sorted({p.cadre for p in attached})
    named = sorted({p.cadre for p in attached if p.post is None})
    ctx.expand(people, "out", CADRE_OUT)
    ctx.expand(people, "in", CADRE_IN)
    principal = lambda d: d.get("is_principal")  # noqa: E731
    item_in = ("FOUND_IN", "CONCERNS_UNIT", "INSPECTED")
    ctx.expand(ctx.targets(people, "HELD_POSITION", principal), "in", item_in)
    colleague_units = ctx.targets(named, "HELD_POSITION")
    ctx.expand(colleague_units, "in", ("HELD_POSITION",))
    tied = sorted(set(ctx.targets(people, "RELATED_TO")) | set(ctx.sources(people, "RELATED_TO")))
    ctx.expand(tied, "out", CADRE_OUT)
    ctx.expand(tied, "in", CADRE_IN)
    ctx.expand(ctx.targets(tied, "HELD_POSITION", principal), "in", item_in)
    second = sorted(set(ctx.targets(tied, "RELATED_TO")) | set(ctx.sources(tied, "RELATED_TO"))
                    | set(ctx.sources(colleague_units, "HELD_POSITION")))
    ctx.expand(second, "in", ("IMPLICATES", "CONCERNS"))
    similar = None
    if kind in ("issue", "lead"):
        ctx.close_items()
        s = _index(ctx).items[seed]
        # category_sector: the seed's block, candidates fetched by id
        unit_node = ctx.g.nodes[s.unit] if s.unit in ctx.g else {}
        sector = unit_node.get("sector")
        if sector and s.category_key and s.day is not None:
            lo = _dt.date.fromordinal(s.day - PERIOD_DAYS).isoformat()
            hi = _dt.date.fromordinal(s.day + PERIOD_DAYS).isoformat()
            ids = [r["x"] for r in server.run(
                f"MATCH (u:{L('unit')}) WHERE u.sector = $sector "
                f"MATCH (i:{L('issue')})-[:{R('FOUND_IN')}]->(u) "
                f"WHERE (CASE WHEN i.subcategory IS NULL OR i.subcategory = '' THEN i.category "
                f"ELSE i.subcategory END) = $key "
                f"AND (i.found_date IS NULL OR i.found_date = '' OR "
                f"(i.found_date >= $lo AND i.found_date <= $hi)) RETURN i.{ID_PROP} AS x",
                {"sector": sector, "key": s.category_key, "lo": lo, "hi": hi})]
            ids += [r["x"] for r in server.run(
                f"MATCH (l:{L('lead')})-[:{R('RAISED_FROM')}]->(i:{L('issue')}) "
                f"WHERE (CASE WHEN i.subcategory IS NULL OR i.subcategory = '' THEN i.category "
                f"ELSE i.subcategory END) = $key "
                f"AND (l.transfer_date IS NULL OR l.transfer_date = '' OR "
                f"(l.transfer_date >= $lo AND l.transfer_date <= $hi)) "
                f"RETURN DISTINCT l.{ID_PROP} AS x", {"key": s.category_key, "lo": lo, "hi": hi})]
            ctx.add_nodes(ids)
        if text and s.text:
            found = similar_docs(server, seed, s.text)
            ctx.add_nodes([d for d, _ in found])
            similar = lambda _s, found=found: found  # noqa: E731
        ctx.close_items()
    else:
        ctx.close_items()
    from ...queries.common import QueryIndex

    store = ctx.store()
    return store, QueryIndex(store), similar


# -- text similarity from server-side document frequencies --------------------------------

def _text_match(kind: str) -> str:
    prop = TEXT_PROP[kind]
    return (f"MATCH (i:{L(kind)}) WHERE i.{prop} IS NOT NULL AND i.{prop} <> '' "
            f"WITH i.{ID_PROP} AS x, toLower(i.{prop}) AS d ")


def doc_count(server: GraphServer) -> int:
    """N: the items with a non-empty description/summary (aggregated on the server)."""
    n = 0
    for kind, prop in TEXT_PROP.items():
        rows = server.run(f"MATCH (i:{L(kind)}) WHERE i.{prop} IS NOT NULL AND i.{prop} <> '' "
                          f"RETURN count(i) AS n")
        n += rows[0]["n"] if rows else 0
    return n


def doc_freqs(server: GraphServer, terms, cap: int | None = None
              ) -> tuple[dict[str, int], dict[str, list[str]]]:
    """Document frequency of each term (aggregated on the server), and, when
    ``cap`` is given, the documents of each term in at most ``cap`` documents.

    A term of 2–3 characters is a term of a text exactly when it is a
    substring of the lower-cased text (n-grams never cross the characters
    that split runs, and a term holds none of them), so ``CONTAINS`` counts
    it.  A 1-character term is a whole 1-character run: those (rare) are
    counted in Python over the texts that contain the character.
    """
    from ...queries.text import terms as text_terms

    terms = sorted(set(terms))
    long_, short = [t for t in terms if len(t) > 1], [t for t in terms if len(t) == 1]
    df: dict[str, int] = dict.fromkeys(terms, 0)
    docs: dict[str, list[str]] = {t: [] for t in terms}
    for kind in TEXT_PROP:
        if long_:
            for r in server.run(
                    _text_match(kind) + "UNWIND $terms AS t WITH t, x, d WHERE d CONTAINS t "
                    "WITH t, collect(x) AS xs RETURN t, size(xs) AS df, "
                    "CASE WHEN size(xs) <= $cap THEN xs ELSE [] END AS docs",
                    {"terms": long_, "cap": -1 if cap is None else cap}):
                df[r["t"]] += r["df"]
                docs[r["t"]] += list(r["docs"])
        if short:
            for r in server.run(
                    _text_match(kind) + "UNWIND $terms AS t WITH t, x, d WHERE d CONTAINS t "
                    "RETURN t, x, d", {"terms": short}):
                if r["t"] in text_terms(r["d"]):
                    df[r["t"]] += 1
                    docs[r["t"]].append(r["x"])
    if cap is not None:
        docs = {t: sorted(ds) for t, ds in docs.items() if df[t] <= cap}
    return df, docs


def fetch_texts(server: GraphServer, ids) -> dict[str, str]:
    out: dict[str, str] = {}
    by_kind: dict[str, list[str]] = {}
    for x in ids:
        by_kind.setdefault(split_id(x)[0], []).append(x)
    for kind, xs in by_kind.items():
        prop = TEXT_PROP[kind]
        for r in server.run(f"UNWIND $ids AS x MATCH (i:{L(kind)} {{{ID_PROP}: x}}) "
                            f"RETURN x, i.{prop} AS d", {"ids": xs}):
            out[r["x"]] = r["d"] or ""
    return out


def similar_docs(server: GraphServer, doc: str, text: str, min_similarity: float | None = None,
                 limit: int = 50) -> list[tuple[str, float]]:
    """:meth:`xuncha.queries.text.TextIndex.similar` of ``doc`` over the server's items.

    Reads from the server: the number of documents N and the document
    frequency of the seed's own terms (aggregate statements over the item
    texts), the ids of the documents holding one of its rare terms (those in
    at most :attr:`TextIndex.cap` documents: the candidates, as in memory),
    the texts of those candidates, and the frequencies of the terms of the
    candidates that could still reach ``min_similarity`` (their norms).
    """
    from ...queries.related import TEXT_MIN
    from ...queries.text import TextIndex, terms

    min_similarity = TEXT_MIN if min_similarity is None else min_similarity
    ta = terms(text)
    if not ta:
        return []
    n = doc_count(server)
    ti = TextIndex()  # its defaults: the cap on posting lists walked (TextIndex.cap)
    cap = max(ti.min_max_df, min(int(ti.max_df * n), ti.max_postings))
    df, docs = doc_freqs(server, ta, cap)
    log, sqrt = math.log, math.sqrt

    def idf2(d: int) -> float:
        return (log((1 + n) / (1 + d)) + 1.0) ** 2

    w = {t: idf2(df[t]) for t in ta}
    na = sqrt(sum(w[t] for t in ta))
    skipped = [t for t in ta if df[t] > cap]
    cand = sorted({d for t in ta if t in docs for d in docs[t]} - {doc})
    texts = fetch_texts(server, cand)
    tds = {d: terms(texts.get(d)) for d in cand}
    # Upper bound of each cosine with the candidate's norm bounded below
    # (every idf is >= 1); only the survivors need their terms' frequencies.
    keep = []
    for d in cand:
        td = tds[d]
        if not td:
            continue
        dot = sum(w[t] for t in ta if t in td)
        lb = sqrt(sum(w.get(t, 1.0) for t in td))
        if dot / (na * lb) >= min_similarity - 1e-12:
            keep.append(d)
    unknown = {t for d in keep for t in tds[d] if t not in w}
    if unknown:
        more, _ = doc_freqs(server, unknown)
        w.update({t: idf2(c) for t, c in more.items()})
    out = []
    for d in keep:
        td = tds[d]
        # the same sums, in the same order, as TextIndex.similar
        partial = 0.0
        for t in ta:
            if df[t] <= cap and t in td:
                partial += w[t]
        if skipped:
            partial += sum(w[t] for t in skipped if t in td)
        nd = sqrt(sum(w[t] for t in td))
        sim = partial / (na * nd)
        if sim >= min_similarity:
            out.append((d, sim))
    out.sort(key=lambda x: (-x[1], x[0]))
    return out[:limit] if limit else out


@twin("xuncha.queries.related:related")
def related(server: GraphServer, ref: str, limit: int | None = 10, min_score: float = 0.0,
            signals: tuple[str, ...] | None = None):
    """:func:`xuncha.queries.related.related` on the server (see the module docstring)."""
    from ...queries.common import QueryError
    from ...queries.related import SEED_KINDS, SIGNALS, rank

    if signals:
        bad = [x for x in signals if x not in SIGNALS]
        if bad:
            raise QueryError(f"unknown signal(s) {', '.join(bad)}: choose from {', '.join(SIGNALS)}")
    seed = resolve(server, ref, SEED_KINDS)
    kind = split_id(seed)[0]
    store, idx, similar = context(server, seed, kind,
                                  text=not signals or "similar_text" in signals)
    if similar is None and kind in ("issue", "lead"):
        similar = lambda _s: []  # noqa: E731 - not asked for: skip the text statistics
    return rank(store, idx, seed, limit, min_score, signals, similar=similar)
