"""Similarity of short Chinese texts (问题表现, 线索摘要) by character n-grams.

No tokenizer: Chinese has no spaces, and issue descriptions are short and
formulaic, so overlapping character bigrams and trigrams weighted by TF-IDF
are a robust, dependency-free measure.

Definitions (what a server implementation must reproduce):

- :func:`normalise` keeps CJK characters, ASCII letters and digits (letters
  lower-cased); every other character (punctuation, spaces) splits the text
  into runs, and n-grams never cross a run boundary;
- the terms of a text are its character bigrams and trigrams (a run shorter
  than 2 characters contributes the run itself);
- a text is the *set* of its terms (short descriptions rarely repeat an
  n-gram); term weight = ``idf = ln((1 + N) / (1 + df)) + 1`` over the N
  indexed documents;
- similarity = cosine of the two weight vectors, in [0, 1]:
  ``sum(idf(t)^2 for shared t) / (norm(a) * norm(b))``.

:class:`TextIndex` keeps an inverted index (term -> documents), so the
documents similar to one are found by walking the postings of that
document's own terms, never by scanning the corpus.  Terms in more than
:attr:`TextIndex.cap` documents (5% of them, at most 500; boilerplate such
as 存在/问题 or a ledger's stock phrases) are skipped when gathering
candidates, so two texts that share *only* such terms are not reported; the
similarity of those that are found is exact (every shared term counts).

>>> idx = TextIndex()
>>> idx.add("a", "违规发放津贴补贴12万元")
>>> idx.add("b", "违规发放津贴补贴")
>>> idx.add("c", "党组会议研究重大事项不足")
>>> [(d, round(s, 2)) for d, s in idx.similar("a", min_similarity=0.1)]
[('b', 0.7)]
>>> round(similarity("违规发放津贴补贴", "违规发放补贴"), 2) > 0.5
True
"""

from __future__ import annotations

import math
import re
from typing import Iterable

_SPLIT = re.compile(r"[^0-9a-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def normalise(text: str | None) -> list[str]:
    """The text's runs of CJK characters, letters and digits (lower case)."""
    if not text:
        return []
    return [r for r in _SPLIT.split(str(text).lower()) if r]


def ngrams(text: str | None, sizes: tuple[int, ...] = (2, 3)) -> list[str]:
    """Character n-grams of every run (a 1-character run yields itself)."""
    out: list[str] = []
    for run in normalise(text):
        if len(run) < min(sizes):
            out.append(run)
            continue
        for n in sizes:
            out.extend(run[i:i + n] for i in range(len(run) - n + 1))
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
    """Documents as n-gram sets, an inverted index, idf and cached norms.

    Documents are added first, then queried; the idf is computed on the first
    query (adding afterwards recomputes it).
    """

    def __init__(self, max_df: float = 0.05, min_max_df: int = 50, max_postings: int = 500):
        self._terms: dict[str, frozenset[str]] = {}
        self._postings: dict[str, list[str]] = {}
        self._idf2: dict[str, float] | None = None  # idf squared
        self._norm: dict[str, float] = {}
        self.max_df = max_df
        self.min_max_df = min_max_df
        self.max_postings = max_postings

    def __len__(self) -> int:
        return len(self._terms)

    def add(self, doc: str, text: str | None) -> None:
        ts = terms(text)
        if not ts:
            return
        self._terms[doc] = ts
        post = self._postings
        for t in ts:
            lst = post.get(t)
            if lst is None:
                post[t] = [doc]
            else:
                lst.append(doc)
        self._idf2 = None

    def build(self) -> None:
        n = len(self._terms)
        log = math.log
        idf2 = self._idf2 = {t: (log((1 + n) / (1 + len(ds))) + 1.0) ** 2
                             for t, ds in self._postings.items()}
        sqrt = math.sqrt
        self._norm = {d: sqrt(sum(idf2[t] for t in ts)) for d, ts in self._terms.items()}

    def _ready(self) -> dict[str, float]:
        if self._idf2 is None:
            self.build()
        return self._idf2  # type: ignore[return-value]

    def norm(self, doc: str) -> float:
        self._ready()
        return self._norm[doc]

    @property
    def cap(self) -> int:
        """Longest posting list walked when gathering candidates."""
        return max(self.min_max_df, min(int(self.max_df * len(self._terms)), self.max_postings))

    def cosine(self, a: str, b: str) -> float:
        """Similarity of two indexed documents (0 when either is absent)."""
        ta, tb = self._terms.get(a), self._terms.get(b)
        if not ta or not tb:
            return 0.0
        idf2 = self._ready()
        dot = sum(idf2[t] for t in (ta & tb))
        return dot / (self.norm(a) * self.norm(b))

    def similar(self, doc: str, min_similarity: float = 0.3, limit: int | None = None,
                ) -> list[tuple[str, float]]:
        """Documents whose cosine with ``doc`` is at least ``min_similarity``,
        best first (ties by id), excluding ``doc`` itself."""
        ta = self._terms.get(doc)
        if not ta:
            return []
        idf2 = self._ready()
        norms = self._norm
        cap = self.cap
        acc: dict[str, float] = {}
        skipped: list[str] = []
        get = acc.get
        for t in ta:
            docs = self._postings[t]
            if len(docs) > cap:
                skipped.append(t)
                continue
            w = idf2[t]
            for d in docs:
                acc[d] = get(d, 0.0) + w
        acc.pop(doc, None)
        na = norms[doc]
        # Frequent terms were skipped: the partial cosine is a lower bound and
        # the skipped terms add at most sqrt(sum idf^2) / na (Cauchy-Schwarz).
        slack = math.sqrt(sum(idf2[t] for t in skipped)) / na
        out = []
        terms_of = self._terms
        for d, partial in acc.items():
            nd = norms[d]
            if (partial / nd) / na + slack < min_similarity:
                continue
            if skipped:
                td = terms_of[d]
                partial += sum(idf2[t] for t in skipped if t in td)
            sim = partial / (na * nd)
            if sim >= min_similarity:
                out.append((d, sim))
        out.sort(key=lambda x: (-x[1], x[0]))
        return out[:limit] if limit else out
