"""Similarity of short Chinese texts (问题表现, 线索摘要) by character n-grams.

No tokenizer: Chinese has no spaces, and issue descriptions are short and
formulaic, so overlapping character bigrams and trigrams weighted by TF-IDF
are a robust, dependency-free measure.

Definitions (what a server implementation must reproduce):

- :func:`normalise` first blanks masked names (a surname character and 某,
  e.g. 王某, 李某某: :data:`MASKED`, which say "some person" and would make every
  template sentence about anyone look alike), then keeps CJK characters,
  ASCII letters and digits (letters lower-cased); every other character
  (punctuation, spaces) splits the text into runs, and n-grams never cross a
  run boundary;
- the terms of a text are its character bigrams and trigrams (a run shorter
  than 2 characters contributes the run itself);
- a text is the *set* of its terms (short descriptions rarely repeat an
  n-gram); over N indexed documents a term in ``df`` of them is
  *boilerplate* when ``df`` exceeds :func:`cap` (5% of N, at least
  min(50, N/2), at most 500: stock phrases such as 存在/问题/反映/涉嫌) and
  weighs 0; any other term weighs ``idf = ln((1 + N) / (1 + df)) + 1``;
- similarity = cosine of the two weight vectors, in [0, 1]:
  ``sum(idf(t)^2 for shared t) / (norm(a) * norm(b))``; a text whose terms
  are all boilerplate is similar to nothing.

:class:`TextIndex` keeps an inverted index (term -> documents) of the terms
that are not boilerplate, so the documents similar to one are found by
walking the postings of that document's own terms, never by scanning the
corpus, and the similarity found is exact.

>>> idx = TextIndex()
>>> idx.add("a", "违规发放津贴补贴12万元")
>>> idx.add("b", "违规发放津贴补贴")
>>> idx.add("c", "党组会议研究重大事项不足")
>>> for d, t in [("d", "办公用房面积超标"), ("e", "基层组织生活不规范"), ("f", "公款旅游")]:
...     idx.add(d, t)
>>> [(d, round(s, 2)) for d, s in idx.similar("a", min_similarity=0.1)]
[('b', 0.72)]
>>> round(similarity("违规发放津贴补贴", "违规发放补贴"), 2) > 0.5
True
"""

from __future__ import annotations

import math
import re
from itertools import chain, compress, count, repeat

_SPLIT = re.compile(r"[^0-9a-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
#: A masked name: a surname character followed by 某 (王某, 王某某).
MASKED = re.compile(r"[\u4e00-\u9fff]某+")


def normalise(text: str | None) -> list[str]:
    """The text's runs of CJK characters, letters and digits (lower case),
    masked names (王某) blanked."""
    if not text:
        return []
    text = str(text)
    if "某" in text:
        text = MASKED.sub(" ", text)
    return [r for r in _SPLIT.split(text.lower()) if r]


def cap(n: int) -> int:
    """Most documents a term may be in before it is boilerplate (weight 0)."""
    return min(500, max(int(0.05 * n), min(50, n // 2)))


def idf2(n: int, df: int) -> float:
    """Squared weight of a term in ``df`` of ``n`` documents (0: boilerplate)."""
    if df > cap(n):
        return 0.0
    return (math.log((1 + n) / (1 + df)) + 1.0) ** 2


def ngrams(text: str | None, sizes: tuple[int, ...] = (2, 3)) -> list[str]:
    """Character n-grams of every run (a 1-character run yields itself)."""
    out: list[str] = []
    for run in normalise(text):
        out += run_ngrams(run, sizes)
    return out


def run_ngrams(run: str, sizes: tuple[int, ...] = (2, 3)) -> list[str]:
    """The n-grams of one run of :func:`normalise` (a run shorter than every
    size yields itself)."""
    if len(run) < min(sizes):
        return [run]
    out: list[str] = []
    for n in sizes:
        out += [run[i:i + n] for i in range(len(run) - n + 1)]
    return out


def terms(text: str | None) -> frozenset[str]:
    """The set of a text's n-grams."""
    return frozenset(ngrams(text))


def similarity(a: str | None, b: str | None) -> float:
    """Cosine of two texts' n-gram sets with uniform idf (no corpus)."""
    ta, tb = terms(a), terms(b)
    if not ta or not tb:
        return 0.0
    return len(ta & tb) / math.sqrt(len(ta) * len(tb))


class TextIndex:
    """Documents as n-gram sets: document frequencies, postings of the terms
    that are not boilerplate, and norms.

    Documents are added first, then queried; the statistics are computed on
    the first query (adding afterwards recomputes them).  :meth:`stats` is
    the JSON-able mapping :func:`similar_in` reads (what a saved workspace or
    a graph server holds as ``derived("text_stats")``).

    Texts are formulaic (templates repeat whole, and their phrases repeat
    across templates), so each distinct text is split into runs once and
    each distinct run into n-grams once; the statistics are then counted
    over arrays of (text, term) pairs, each text weighted by its number of
    documents.
    """

    def __init__(self):
        self._text: dict[str, str] = {}  # doc -> its text (as a string)
        self._runs: dict[str, tuple[str, ...]] = {}  # text -> its distinct runs
        self._grams: dict[str, tuple[str, ...]] = {}  # run -> its distinct n-grams
        self._sets: dict[str, frozenset[str]] = {}  # text -> its terms (on demand)
        self._stats: dict | None = None

    def __len__(self) -> int:
        return len(self._text)

    def add(self, doc: str, text: str | None) -> None:
        self.add_many(((doc, text),))

    def add_many(self, docs) -> None:
        """:meth:`add` for each ``(doc, text)`` pair (a later pair for the
        same document replaces an earlier one, as with :meth:`add`)."""
        docs = list(docs)
        if not docs:
            return
        ids, texts = zip(*docs)
        runs_of, grams = self._runs, self._grams
        try:
            distinct = dict.fromkeys(texts)
        except TypeError:  # an unhashable value (a list): its string is the text
            self._add_slow(docs)
            return
        for text in distinct:  # each distinct text once
            if not text:
                continue
            if text.__class__ is not str:
                # not a string (a number): its string is the text
                self._add_slow(docs)
                return
            if text not in runs_of:
                runs = runs_of[text] = tuple(dict.fromkeys(normalise(text)))
                for run in runs:
                    if run not in grams:
                        grams[run] = tuple(dict.fromkeys(run_ngrams(run)))
        # Documents whose text has a run (every run has a term: no run, no term).
        keep = list(map(bool, map(runs_of.get, texts, repeat(()))))
        if any(keep):
            self._text.update(zip(compress(ids, keep), compress(texts, keep)))
            self._stats = None

    def _add_slow(self, docs) -> None:
        for doc, text in docs:
            if text:
                self.add_many(((doc, str(text)),))

    def terms_of(self, doc: str) -> frozenset[str]:
        """The terms of an indexed document (empty if it is not indexed)."""
        text = self._text.get(doc)
        if text is None:
            return frozenset()
        got = self._sets.get(text)
        if got is None:
            got = self._sets[text] = frozenset(
                chain.from_iterable(map(self._grams.__getitem__, self._runs[text])))
        return got

    def stats(self) -> dict:
        """``{"n", "df": {term: df}, "postings": {term: [doc, …]} (non-boilerplate
        terms, docs sorted), "norm": {doc: norm}}``; terms in sorted order,
        documents in the order added.  A norm is the square root of its
        terms' squared weights summed in term order."""
        if self._stats is None:
            self._stats = self._compute()
        return self._stats

    def _compute(self) -> dict:
        import numpy as np

        ids = list(self._text)
        n = len(ids)
        if not n:
            return {"n": 0, "df": {}, "postings": {}, "norm": {}}
        # Distinct texts in the order first added; each document's text.
        tix = dict(zip(dict.fromkeys(self._text.values()), count()))
        doc_text_l = list(map(tix.__getitem__, self._text.values()))
        doc_text = np.array(doc_text_l, np.int64)
        mult = np.bincount(doc_text, minlength=len(tix))
        # Distinct runs and terms (terms numbered in sorted order).
        runs_of, grams = self._runs, self._grams
        text_runs = list(map(runs_of.__getitem__, tix))
        rix = dict(zip(dict.fromkeys(chain.from_iterable(text_runs)), count()))
        run_grams = list(map(grams.__getitem__, rix))
        terms = sorted(set(chain.from_iterable(run_grams)))
        tid = dict(zip(terms, count()))
        nt = len(terms)
        # run -> its term ids (CSR), text -> its run ids
        run_len = np.fromiter(map(len, run_grams), np.int64, len(run_grams))
        run_off = np.zeros(len(run_grams) + 1, np.int64)
        np.cumsum(run_len, out=run_off[1:])
        run_terms = np.fromiter(map(tid.__getitem__, chain.from_iterable(run_grams)), np.int64,
                                int(run_off[-1]))
        tr_len = np.fromiter(map(len, text_runs), np.int64, len(text_runs))
        tr_run = np.fromiter(map(rix.__getitem__, chain.from_iterable(text_runs)), np.int64,
                             int(tr_len.sum()))
        tr_text = np.repeat(np.arange(len(text_runs), dtype=np.int64), tr_len)
        # (text, term) pairs: every term of every run of every text, then
        # each pair once (a term may be in two runs of one text).
        lens = run_len[tr_run]
        total = int(lens.sum())
        first = np.cumsum(lens) - lens
        pos = np.arange(total, dtype=np.int64) - np.repeat(first - run_off[tr_run], lens)
        key = np.repeat(tr_text, lens) * nt + run_terms[pos]
        # Sorted, then each pair once (np.unique is several times slower in
        # numpy 2.x; timsort is near linear here: the keys come in text order).
        key.sort(kind="stable")
        fresh = np.empty(len(key), bool)
        fresh[:1] = True
        np.not_equal(key[1:], key[:-1], out=fresh[1:])
        key = key[fresh]
        p_text, p_term = np.divmod(key, nt)
        # df: documents per term (texts weighted by their documents)
        df = np.bincount(p_term, weights=mult[p_text], minlength=nt).astype(np.int64).tolist()
        c = cap(n)
        w = [idf2(n, k) for k in df]
        norm_text = np.sqrt(np.bincount(p_text, weights=np.asarray(w)[p_term], minlength=len(tix)))
        norm = dict(zip(ids, map(norm_text.tolist().__getitem__, doc_text_l)))
        # postings of the terms that are not boilerplate: the documents of
        # their texts, by id
        keep = np.asarray(df, np.int64)[p_term] <= c
        k_text, k_term = p_text[keep], p_term[keep]
        order = sorted(range(n), key=ids.__getitem__)
        rank = np.empty(n, np.int64)
        rank[order] = np.arange(n, dtype=np.int64)
        by_text = np.argsort(doc_text, kind="stable")  # documents grouped by text
        text_off = np.zeros(len(tix) + 1, np.int64)
        np.cumsum(mult, out=text_off[1:])
        klen = mult[k_text]
        kfirst = np.cumsum(klen) - klen
        kpos = np.arange(int(klen.sum()), dtype=np.int64) - np.repeat(kfirst - text_off[k_text], klen)
        pk = np.repeat(k_term, klen) * n + rank[by_text[kpos]]
        pk.sort()
        p_term2, p_rank = np.divmod(pk, n)
        bounds = np.searchsorted(p_term2, np.arange(nt + 1)).tolist()
        p_docs = np.array(ids, dtype=object)[order][p_rank]
        postings = {}
        for t, k, lo, hi in zip(terms, df, bounds, bounds[1:]):
            if k <= c:
                postings[t] = p_docs[lo:hi].tolist()
        return {"n": n, "df": dict(zip(terms, df)), "postings": postings, "norm": norm}

    def cosine(self, a: str, b: str) -> float:
        """Similarity of two indexed documents (0 when either is absent)."""
        ta, tb = self.terms_of(a), self.terms_of(b)
        if not ta or not tb:
            return 0.0
        st = self.stats()
        na, nb = st["norm"][a], st["norm"][b]
        if not na or not nb:
            return 0.0
        return sum(idf2(st["n"], st["df"][t]) for t in ta & tb) / (na * nb)

    def similar(self, doc: str, min_similarity: float = 0.3, limit: int | None = None,
                ) -> list[tuple[str, float]]:
        """Documents whose cosine with ``doc`` is at least ``min_similarity``,
        best first (ties by id), excluding ``doc`` itself."""
        ta = self.terms_of(doc)
        if not ta:
            return []
        return similar_in(self.stats(), ta, doc, min_similarity, limit)


def similar_in(stats: dict, ta, doc: str | None, min_similarity: float,
               limit: int | None = None) -> list[tuple[str, float]]:
    """The documents of ``stats`` similar to a document of terms ``ta`` (see
    :class:`TextIndex`), excluding ``doc``; best first, ties by id."""
    n, df, postings, norms = stats["n"], stats["df"], stats["postings"], stats["norm"]
    ta = sorted(ta)
    dfs = _many(df, ta)
    acc: dict[str, float] = {}
    na2 = 0.0
    live = []
    for t in ta:
        w = idf2(n, dfs.get(t, 0))
        na2 += w
        if w:
            live.append((t, w))
    posts = _many(postings, [t for t, _ in live])
    for t, w in live:
        for d in posts.get(t, ()):
            acc[d] = acc.get(d, 0.0) + w
    acc.pop(doc, None)
    na = math.sqrt(na2)
    if not na:
        return []
    out = []
    nds = _many(norms, list(acc))
    for d, dot in acc.items():
        nd = nds.get(d)
        if nd:
            out.append((d, dot / (na * nd)))
    return ranked(out, min_similarity, limit)


# Similarities are rounded to this many decimals before they are compared:
# the same cosine summed in another order (the server twin, a saved norm)
# differs in the last bits, and must tie exactly so that ties go by id.
SIM_DIGITS = 12


def ranked(scored, min_similarity: float, limit: int | None = None) -> list[tuple[str, float]]:
    """``(doc, cosine)`` pairs at or above ``min_similarity``, best first, ties by id."""
    out = [(d, s) for d, s in ((d, round(min(s, 1.0), SIM_DIGITS)) for d, s in scored)
           if s >= min_similarity]
    out.sort(key=lambda x: (-x[1], x[0]))
    return out[:limit] if limit else out


def _many(table, keys) -> dict:
    """``{key: value}`` for the keys in ``table`` (a dict, or a saved table
    read in batches through its ``get_many``)."""
    get_many = getattr(table, "get_many", None)
    if get_many is not None:
        return get_many(keys)
    return {k: table[k] for k in keys if k in table}
