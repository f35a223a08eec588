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
from itertools import chain

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
    across templates), so the work is done once per distinct text and once
    per distinct run: a document is its text; a text is its runs; a term's
    documents are those of the texts that hold a run with that term.
    """

    def __init__(self):
        self._terms: dict[str, frozenset[str]] = {}  # doc -> its terms
        self._text: dict[str, str] = {}  # doc -> its text (as a string)
        self._seen: dict[str, tuple[frozenset[str], tuple[str, ...]]] = {}  # text -> (terms, runs)
        self._grams: dict[str, tuple[str, ...]] = {}  # run -> its distinct n-grams
        self._stats: dict | None = None

    def __len__(self) -> int:
        return len(self._terms)

    def add(self, doc: str, text: str | None) -> None:
        self.add_many(((doc, text),))

    def add_many(self, docs) -> None:
        """:meth:`add` for each ``(doc, text)`` pair."""
        seen, analyse = self._seen, self._analyse
        terms_of, text_of = self._terms, self._text
        for doc, text in docs:
            if not text:
                continue
            if text.__class__ is not str:
                text = str(text)
            got = seen.get(text)
            if got is None:
                got = seen[text] = analyse(text)
            if got[0]:
                terms_of[doc] = got[0]
                text_of[doc] = text
                self._stats = None

    def _analyse(self, text: str) -> tuple[frozenset[str], tuple[str, ...]]:
        """A text's terms (the set :func:`terms` gives, built from the same
        n-grams in the same order) and its distinct runs."""
        runs = tuple(dict.fromkeys(normalise(text)))
        grams = self._grams
        for run in runs:
            if run not in grams:
                grams[run] = tuple(dict.fromkeys(run_ngrams(run)))
        if len(runs) == 1:
            return frozenset(grams[runs[0]]), runs
        return frozenset(chain.from_iterable(map(grams.__getitem__, runs))), runs

    def stats(self) -> dict:
        """``{"n", "df": {term: df}, "postings": {term: [doc, …]} (non-boilerplate
        terms, docs sorted), "norm": {doc: norm}}``; terms in sorted order,
        documents in the order added."""
        if self._stats is None:
            n = len(self._terms)
            # The documents of each distinct text, texts in the order first added.
            docs_of: dict[str, list[str]] = {}
            for d, x in self._text.items():
                got = docs_of.get(x)
                if got is None:
                    docs_of[x] = [d]
                else:
                    got.append(d)
            texts = list(docs_of)
            doc_lists = list(docs_of.values())
            mult = list(map(len, doc_lists))
            # run -> the texts holding it (each text once: its runs are distinct)
            seen = self._seen
            run_texts: dict[str, list[int]] = {}
            for i, x in enumerate(texts):
                for r in seen[x][1]:
                    got = run_texts.get(r)
                    if got is None:
                        run_texts[r] = [i]
                    else:
                        got.append(i)
            # term -> the runs holding it
            grams = self._grams
            term_runs: dict[str, list[str]] = {}
            for r in run_texts:
                for t in grams[r]:
                    got = term_runs.get(t)
                    if got is None:
                        term_runs[t] = [r]
                    else:
                        got.append(r)
            c = cap(n)
            df: dict[str, int] = {}
            postings: dict[str, list[str]] = {}
            mget = mult.__getitem__
            for t in sorted(term_runs):
                rs = term_runs[t]
                xs = run_texts[rs[0]] if len(rs) == 1 else set().union(*map(run_texts.__getitem__, rs))
                k = df[t] = sum(map(mget, xs))
                if k <= c:
                    lst = list(chain.from_iterable(map(doc_lists.__getitem__, xs)))
                    lst.sort()
                    postings[t] = lst
            w = {t: idf2(n, k) for t, k in df.items()}
            wget = w.__getitem__
            norm_of = {x: math.sqrt(sum(map(wget, seen[x][0]))) for x in texts}
            norm = {d: norm_of[x] for d, x in self._text.items()}
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
