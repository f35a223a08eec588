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
        if len(run) < min(sizes):
            out.append(run)
            continue
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
    """

    def __init__(self):
        self._terms: dict[str, frozenset[str]] = {}
        self._stats: dict | None = None
        self._seen: dict[str, frozenset[str]] = {}  # text -> terms (templates repeat)

    def __len__(self) -> int:
        return len(self._terms)

    def add(self, doc: str, text: str | None) -> None:
        ts = self._seen.get(text) if text.__class__ is str else None
        if ts is None:
            ts = terms(text)
            if text.__class__ is str:
                self._seen[text] = ts
        if ts:
            self._terms[doc] = ts
            self._stats = None

    def stats(self) -> dict:
        """``{"n", "df": {term: df}, "postings": {term: [doc, …]} (non-boilerplate
        terms, docs sorted), "norm": {doc: norm}}``."""
        if self._stats is None:
            from collections import Counter
            from itertools import chain

            n = len(self._terms)
            # Counted in C; the same first-seen order as a loop would give.
            df: dict[str, int] = dict(Counter(chain.from_iterable(self._terms.values())))
            c = cap(n)
            boiler = {t for t, k in df.items() if k > c}
            # Documents of one text share one term set (add() reuses it):
            # walk each set once, in the order of its first document.
            docs_of: dict[int, list[str]] = {}
            sets: list[frozenset[str]] = []
            for d, ts in self._terms.items():
                got = docs_of.get(id(ts))
                if got is None:
                    docs_of[id(ts)] = [d]
                    sets.append(ts)
                else:
                    got.append(d)
            postings: dict[str, list[str]] = {}
            get = postings.get
            for ts in sets:
                docs = docs_of[id(ts)]
                for t in ts:
                    lst = get(t)
                    if lst is None:
                        if t in boiler:
                            continue
                        lst = postings[t] = []
                    lst += docs
            for lst in postings.values():
                lst.sort()
            w = {t: idf2(n, k) for t, k in df.items()}
            wget = w.__getitem__
            norm_of = {id(ts): math.sqrt(sum(map(wget, ts))) for ts in sets}
            norm = {d: norm_of[id(ts)] for d, ts in self._terms.items()}
            self._stats = {"n": n, "df": df, "postings": postings, "norm": norm}
        return self._stats

    def cosine(self, a: str, b: str) -> float:
        """Similarity of two indexed documents (0 when either is absent)."""
        ta, tb = self._terms.get(a), self._terms.get(b)
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
        ta = self._terms.get(doc)
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
