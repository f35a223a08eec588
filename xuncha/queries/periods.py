"""Inspection periods 被巡察期间 and who answers for a finding 责任认定.

A finding's date (发现时间) is the day an inspection team recorded it; the
conduct it describes happened earlier, in the period the inspection looks
back on.  The definitions every analyst query uses (``related``'s principal
signal, ``patterns trails``/``clusters``, ``timeline``):

- an *inspection* of a unit is an INSPECTED assignment (team → unit, in a
  round); its *arrival* 进驻 is the assignment's ``start``, else the round's
  ``start``; its *end* is the assignment's ``end``, else the round's ``end``;
- the *inspected period* 被巡察期间 of an inspection runs from the day after
  the unit's previous arrival to this arrival, inclusive (so a unit's periods
  partition time: what happened while the previous team was on site falls in
  the next period); for a unit's first inspection it starts
  :attr:`Policy.lookback_years` before the arrival (一届任期, 5 years);
- a finding (an issue; a lead through its first linked issue, else its own
  round and unit) belongs to the inspection of its unit in its round; without
  such an assignment the arrival is the round's start, else the finding's
  date.  Its *period* is that inspection's period, narrowed when the ledger
  says when the conduct happened: the ``conduct_start``/``conduct_end``
  columns 问题发生时间起/止, else the years its description names
  ("2021年至2023年…" → 2021-01-01..2023-12-31, "2012年收受…" → 2012,
  "2019年以来" → 2019-01-01..arrival; several mentions: their whole span),
  never later than the arrival.  The narrowing is the overlap of that span
  with the inspected period; a span wholly before the period (conduct older
  than the previous inspection, found only now) is taken as stated;
- a post (HELD_POSITION) *answers for* a finding when its tenure overlaps the
  finding's period by at least :attr:`Policy.min_overlap_days` (so nobody
  answers as principal for conduct shorter than that, e.g. the few months
  between a regular round and a mobile one at the same unit) and its holder
  had been in post at least
  :attr:`Policy.newcomer_days` at the arrival (a principal who arrived weeks
  before the team is not answerable for the predecessor's years).  A post that
  ended before the period started does not answer; one that ended *during*
  the period still does (离任不免责).  A post without a start date never
  answers; an empty end means still in post.

The defaults live in :data:`DEFAULT_POLICY` (one place); the CLI tunes them
with ``--lookback-years``, ``--min-overlap-months`` and ``--newcomer-months``.

>>> p = Period("2019-03-01", "2024-02-29", "2024-03-01", "inspection")
>>> r = answers("2017-03-01", "2024-02-01", p, DEFAULT_POLICY)
>>> r.text("局长").render("zh")
'局长任职2017-03至2024-02，覆盖被巡察期间(2019-03至2024-02)的98%'
>>> r.text("局长").render("en")
'局长 from 2017-03 to 2024-02, covering 98% of the inspected period (2019-03 to 2024-02)'
>>> answers("2024-02-10", None, p, DEFAULT_POLICY) is None   # arrived 3 weeks before
True
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass

from ..i18n import define, lang, msg

define({
    "period.inspection": ("被巡察期间", "inspected period"),
    "period.conduct": ("问题发生期间", "period of the conduct"),
    "period.now": ("今", "now"),
    "period.answer": ("{title}任职{start}至{end}，覆盖{period}({period_start}至{period_end})的{share}%",
                      "{title} from {start} to {end}, covering {share}% of the {period} "
                      "({period_start} to {period_end})"),
    "period.answer_untitled": ("{title}任职{start}至{end}，覆盖{period}({period_start}至{period_end})的{share}%",
                               "in post{title} from {start} to {end}, covering {share}% of the {period} "
                               "({period_start} to {period_end})"),
})

DAYS_PER_MONTH = 30.4375


@dataclass(frozen=True)
class Policy:
    """Who answers for a finding; see the module docstring.  Immutable: make
    a tuned copy with :func:`dataclasses.replace` or :meth:`from_months`."""

    lookback_years: int = 5
    min_overlap_days: int = 183
    newcomer_days: int = 183

    @classmethod
    def from_months(cls, lookback_years: int | None = None, min_overlap_months: float | None = None,
                    newcomer_months: float | None = None) -> "Policy":
        d = cls()
        return cls(
            d.lookback_years if lookback_years is None else int(lookback_years),
            d.min_overlap_days if min_overlap_months is None
            else int(round(min_overlap_months * DAYS_PER_MONTH)),
            d.newcomer_days if newcomer_months is None
            else int(round(newcomer_months * DAYS_PER_MONTH)))

    @property
    def min_overlap_months(self) -> int:
        return int(round(self.min_overlap_days / DAYS_PER_MONTH))

    @property
    def newcomer_months(self) -> int:
        return int(round(self.newcomer_days / DAYS_PER_MONTH))

    def describe(self) -> str:
        """One sentence for help text and reports (built from the values)."""
        return (f"a post answers for a finding 责任认定 when its tenure overlaps the inspected "
                f"period 被巡察期间 by >= {self.min_overlap_months} months "
                f"({self.min_overlap_days} days) and its holder had been in post >= "
                f"{self.newcomer_months} months at the team's arrival; a unit's first inspection "
                f"looks back {self.lookback_years} years")


DEFAULT_POLICY = Policy()


def _date(s: str) -> _dt.date:
    return _dt.date.fromisoformat(s[:10])


def shift_years(date: str, years: int) -> str:
    d = _date(date)
    try:
        return d.replace(year=d.year + years).isoformat()
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28).isoformat()


def next_day(date: str) -> str:
    return (_date(date) + _dt.timedelta(days=1)).isoformat()


_ORDINALS: dict[str, int] = {}  # date string -> day number: a scan asks about the same dates millions of times


def _ordinal(s: str) -> int:
    n = _ORDINALS.get(s)
    if n is None:
        if len(_ORDINALS) >= 100_000:
            _ORDINALS.clear()
        n = _ORDINALS[s] = _date(s).toordinal()
    return n


def days_between(a: str, b: str) -> int:
    """Inclusive length of [a, b] in days (0 when b < a)."""
    n = _ordinal(b) - _ordinal(a) + 1
    return n if n > 0 else 0


_FIXED: dict[tuple[str, str], object] = {}


def _fixed(code: str):
    """The message ``code`` (no parameters), made once per language: a scan
    names periods hundreds of thousands of times."""
    key = (code, lang())
    got = _FIXED.get(key)
    if got is None:
        got = _FIXED[key] = msg(code)
    return got


@dataclass(frozen=True)
class Period:
    """The period a finding's conduct falls in, and where it came from."""

    start: str
    end: str
    arrival: str  # the inspection's arrival 进驻 (the newcomer rule's reference day)
    source: str  # "inspection" (被巡察期间), "ledger" or "description" (问题发生期间)

    @property
    def days(self) -> int:
        return days_between(self.start, self.end)

    @property
    def name(self) -> str:
        """被巡察期间 (inspected period) or 问题发生期间 (period of the conduct)."""
        return _fixed("period.inspection" if self.source == "inspection" else "period.conduct")

    def as_dict(self) -> dict:
        return {"start": self.start, "end": self.end, "arrival": self.arrival,
                "source": self.source}


@dataclass(frozen=True)
class Answer:
    """A post's overlap with a finding's period (it answers for the finding)."""

    start: str
    end: str | None
    period: Period
    overlap_days: int

    @property
    def share(self) -> float:
        return self.overlap_days / max(self.period.days, 1)

    def text(self, title: str | None = None) -> str:
        return msg("period.answer" if title else "period.answer_untitled", title=title or "",
                   start=self.start[:7], end=self.end[:7] if self.end else _fixed("period.now"),
                   period=self.period.name, period_start=self.period.start[:7],
                   period_end=self.period.end[:7], share=round(100 * self.share))

    def as_dict(self) -> dict:
        return {"post_start": self.start, "post_end": self.end, "period": self.period.as_dict(),
                "overlap_days": self.overlap_days, "share": round(self.share, 4)}


def answers(start: str | None, end: str | None, period: Period | None,
            policy: Policy = DEFAULT_POLICY) -> Answer | None:
    """Whether a post [start, end] answers for a finding of ``period`` (None: no)."""
    if not start or period is None:
        return None
    if days_between(start, period.arrival) < policy.newcomer_days:
        return None  # in post less than the newcomer threshold at the arrival
    lo = max(start, period.start)
    hi = min(end or "9999-12-31", period.end)
    if hi < lo:
        return None
    n = days_between(lo, hi)
    if n < policy.min_overlap_days:
        return None
    return Answer(start, end, period, n)


def inspection_periods(visits: list[tuple[str, str | None, object]],
                       policy: Policy = DEFAULT_POLICY) -> list[tuple[str, str, object]]:
    """``(arrival, end, key)`` of a unit's inspections -> ``(start, end, key)``
    of each one's inspected period (sorted by arrival, then key)."""
    out = []
    prev: str | None = None
    for arrival, _end, key in sorted(visits, key=lambda v: (v[0], str(v[2]))):
        start = next_day(prev) if prev else shift_years(arrival, -policy.lookback_years)
        if start > arrival:  # two visits on one day: keep a one-day period
            start = arrival
        out.append((start, arrival, key))
        prev = arrival
    return out


# Years named in a description: a range, "since", or single years (month optional).
_YM = r"((?:19|20)\d{2})\s*年(?:\s*(\d{1,2})\s*月份?)?"
_RANGE = re.compile(_YM + r"\s*(?:至|到|—|–|-|－|~|～)\s*" + _YM)
_SINCE = re.compile(_YM + r"\s*(?:以来|至今)")
_YEAR = re.compile(_YM)


def _month_start(y: str, m: str | None) -> str:
    mm = int(m) if m and 1 <= int(m) <= 12 else 1
    return f"{int(y):04d}-{mm:02d}-01"


def _month_end(y: str, m: str | None) -> str:
    if m and 1 <= int(m) <= 12:
        mm = int(m)
        nxt = _dt.date(int(y) + (mm == 12), mm % 12 + 1, 1)
        return (nxt - _dt.timedelta(days=1)).isoformat()
    return f"{int(y):04d}-12-31"


def described_span(text: str | None, arrival: str) -> tuple[str, str] | None:
    """The span of the years a description names (see the module docstring)."""
    if not text or "年" not in text:
        return None
    spans: list[tuple[str, str]] = []
    rest = text
    for m in _RANGE.finditer(text):
        spans.append((_month_start(m.group(1), m.group(2)), _month_end(m.group(3), m.group(4))))
    rest = _RANGE.sub(" ", rest)
    for m in _SINCE.finditer(rest):
        spans.append((_month_start(m.group(1), m.group(2)), arrival))
    rest = _SINCE.sub(" ", rest)
    for m in _YEAR.finditer(rest):
        spans.append((_month_start(m.group(1), m.group(2)), _month_end(m.group(1), m.group(2))))
    spans = [(a, min(b, arrival)) for a, b in spans if a <= arrival and a >= "1980"]
    if not spans:
        return None
    return min(a for a, _ in spans), max(b for _, b in spans)


def finding_period(inspected: tuple[str, str] | None, arrival: str | None,
                   conduct_start: str | None, conduct_end: str | None,
                   text: str | None) -> Period | None:
    """A finding's period: the ledger's conduct dates, else the description's
    years, else the inspected period ``(start, end)``; None without an arrival."""
    if not arrival:
        return None

    def narrowed(lo: str, hi: str, source: str) -> Period:
        if inspected:
            a, b = max(lo, inspected[0]), min(hi, inspected[1])
            if a <= b:
                return Period(a, b, arrival, source)
        return Period(lo, hi, arrival, source)

    if conduct_start or conduct_end:
        lo = conduct_start or (inspected[0] if inspected else conduct_end)
        hi = min(conduct_end or arrival, arrival)
        if lo and lo <= hi:
            return narrowed(lo, hi, "ledger")
    span = described_span(text, arrival)
    if span:
        return narrowed(span[0], span[1], "description")
    if inspected:
        return Period(inspected[0], inspected[1], arrival, "inspection")
    return None
