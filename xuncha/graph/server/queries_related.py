"""``related`` 关联案件 on a graph server.

The scoring core, :func:`xuncha.queries.related.rank`, walks neighbourhoods
through the per-node store API only (:mod:`xuncha.queries.view`); here it
runs on a :class:`~xuncha.graph.server.queries.LazyStore` in optimistic
passes (:meth:`~xuncha.graph.server.queries.LazyStore.settle`): each pass
notes the nodes and relationships it could not read yet, one statement
fetches them all (by label and the ``xid`` index, with the relationship
types the walk reads of that kind and their far ends' properties), and the
walk goes on from what it has.  A few statements per call (about one per
layer of the neighbourhood), whatever the seed's degree; the answer is that
of the pass that read only fetched data, the embedded answer (the parity
tests check ids, order, scores, tiers and reasons).

Whole-dataset statistics (the weak signals, only with ``min_tier="weak"``):
``category_sector`` reads the seed's block with one targeted statement
(:meth:`LazyStore.category_block`); ``similar_text`` reads term statistics
(:func:`similar_docs`), or, when ``push`` wrote them
(:mod:`xuncha.graph.server.stats`), the pushed term statistics by indexed
look-ups (:func:`~xuncha.graph.server.stats.similar_from`): no scan.
"""

from __future__ import annotations

import math

from ..schema import split_id
from .base import GraphServer
from .dialect import ID_PROP, label as L
from .queries import LazyStore, twin

#: The text property of each item kind (what the text statistics index).
TEXT_PROP = {"issue": "description", "lead": "summary"}


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
    """:func:`xuncha.queries.text.similar_in` of ``doc`` over the server's items.

    Reads from the server: the number of documents N and the document
    frequency of the seed's own terms (aggregate statements over the item
    texts), the ids of the documents holding one of its terms that is not
    boilerplate (the candidates, as the postings in memory), the texts of
    those candidates and the frequencies of their terms (their norms).
    """
    from ...queries.related import TEXT_MIN
    from ...queries.text import cap, idf2, ranked, terms

    min_similarity = TEXT_MIN if min_similarity is None else min_similarity
    ta = terms(text)
    if not ta:
        return []
    n = doc_count(server)
    df, docs = doc_freqs(server, ta, cap(n))
    w = {t: idf2(n, df[t]) for t in ta}
    na = math.sqrt(sum(w.values()))
    if not na:
        return []
    cand = sorted({d for t in ta if w[t] and t in docs for d in docs[t]} - {doc})
    texts = fetch_texts(server, cand)
    tds = {d: terms(texts.get(d)) for d in cand}
    unknown = {t for d in cand for t in tds[d] if t not in w}
    if unknown:
        more, _ = doc_freqs(server, unknown)
        w.update({t: idf2(n, c) for t, c in more.items()})
    out = []
    for d in cand:
        td = tds[d]
        nd = math.sqrt(sum(w[t] for t in sorted(td)))
        if not nd:
            continue
        out.append((d, sum(w[t] for t in sorted(ta) if t in td) / (na * nd)))
    return ranked(out, min_similarity, limit)


@twin("xuncha.queries.related:related")
def related(server: GraphServer, ref: str, limit: int | None = 10, min_score: float = 0.0,
            signals: tuple[str, ...] | None = None, min_tier: str = "moderate", policy=None):
    """:func:`xuncha.queries.related.related` on the server (see the module docstring)."""
    from ...queries.periods import DEFAULT_POLICY
    from ...queries.related import SEED_KINDS, check, rank

    from ...queries.related import TEXT_MIN
    from .stats import server_table, similar_from

    check(signals, min_tier)
    store = LazyStore(server)
    seed = store.resolve(ref, SEED_KINDS)  # a kind:id is fetched by the store
    found: dict[tuple, list] = {}
    tables: list = []

    def similar(s):  # the seed's text only: cached across the walk's passes
        key = (s.id, s.text)
        if key not in found:
            if not tables:
                tables.append(server_table(server, "text_stats"))  # pushed term statistics?
            if tables[0] is not None:  # indexed look-ups of the seed's terms and candidates
                found[key] = similar_from(tables[0], s.text, s.id, TEXT_MIN, limit=50)
            else:  # a database without them: CONTAINS
                found[key] = similar_docs(server, s.id, s.text)
        return found[key]

    return store.settle(lambda: rank(store, seed, limit, min_score, signals, min_tier=min_tier,
                                     policy=policy or DEFAULT_POLICY, similar=similar))
