"""Candidate pairs of records that may be one person (or one unit), scored.

Blocking
--------
Only pairs that share a blocking key are compared, so the cost grows with the
sizes of the blocks, not with the square of the records:

- the valid 身份证号;
- the pinyin of the simplified name (catches equal names, traditional
  characters and homophone typos: 周志强 / 張志強 / 周志墙);
- surname + last character's pinyin + birth year, and surname + first given
  character's pinyin + birth year (a one-character typo, and 张某强 masks);
- a name masked after the surname (张某, 张某某) is compared with every record
  of its surname and birth year.

A block larger than :data:`MAX_BLOCK` is skipped (counted in the report): a
key that common says nothing.

Scoring (Fellegi–Sunter)
-------------------------
Each comparison has levels; a level adds its log₂ Bayes factor
``log2(m / u)`` (``m``: how often a true pair shows the level, ``u``: how
often a random pair does) to the prior log-odds that two records match. The
``u`` of name agreement is the name's own frequency in the data (a term-
frequency adjustment, as Splink does): two 王伟 say less than two 欧阳志远.
The prior ``λ`` (chance that two random records are one person) is first
estimated from pairs sharing a valid 身份证号 (divided by the share of records
that have one, squared, over all pairs), then re-estimated by EM over the
compared pairs with the weights held fixed (expected matches over all pairs),
by at most :data:`EM_MAX_GAIN` bits (a safeguard: many same-name pairs could
otherwise feed the estimate).  The weights are in
:data:`WEIGHTS`; the README shows the precision and recall they give on
generated multi-office data (``bench/bench_match.py``).

Invariants: :func:`score_pair` is symmetric; every weight it adds is listed
in the pair's evidence (for when positive, against when negative), so the
score is exactly the prior plus the evidence; pairs already judged are not
proposed again unless asked.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from ..i18n import define, join, msg, term
from .records import PersonRecord, UnitRecord, person_records

MAX_BLOCK = 1500  # records per blocking key; larger blocks are skipped
DEFAULT_AUTO = 0.9  # --auto without a value: match probability to accept (README: bench)
DEFAULT_MIN = 0.5  # match lists pairs at least this probable
EM_MAX_GAIN = 1.0  # bits the EM re-estimate may add to the prior from 身份证号 pairs

# log2 Bayes factors of comparison levels (m and u in the comments).
WEIGHTS = {
    "id_equal": 16.0,         # m 0.95 / u ~1e-5 (copy errors put one number on two people)
    "id_different": -12.0,    # two valid numbers differ: m ~2e-4 (a valid-checksum typo)
    "name_variant_penalty": -0.5,   # traditional vs simplified: slightly rarer than equal
    "name_homophone_m": 0.06,  # share of true pairs with a homophone typo
    "name_mask_m": 0.04,
    "name_typo": 2.0,
    "name_different": -8.0,    # m 0.004 (a changed or mistyped name) / u ~1
    "birth_date": 10.0,        # same real day: m 0.9 / u 1/(365*40)
    "birth_month": 8.0,        # same year and month: m 0.9 / u 1/(12*40)
    "birth_year": 3.0,         # same year, one side gives only the year (or January 1st): m 0.05 / u ~1/160
    "birth_day_conflict": -4.0,  # same month, two different real days
    "birth_near": -2.0,        # within a year but different months
    "birth_far": -9.0,         # more than a year apart: m 0.002 / u ~1
    "gender_equal": 1.0,       # m 0.99 / u 0.5
    "gender_different": -7.0,  # m 0.005 / u 0.5
    "native_equal": 2.5,       # m 0.9 / u ~0.15 (share of the commonest native place)
    "native_different": -2.5,  # m 0.1 / u 0.85
    "post_shared": 9.0,        # same unit, overlapping dates: m 0.6 / u ~1e-3 (per post, 2 max)
    "post_principal_clash": -6.0,  # principal of two different units at the same time
    "relative_shared": 4.0,    # a relative of the same name (per relative, 2 max)
    "named_during_post": 6.0,  # named in an issue/lead of a unit while the other held a post there
}


# The evidence as a sentence in one language (:mod:`xuncha.i18n`); JSON keeps the fields.
WHAT = {"身份证号 id_number": ("身份证号", "ID number"), "姓名 name": ("姓名", "name"),
        "出生 birth": ("出生日期", "birth"), "性别 gender": ("性别", "gender"),
        "籍贯 native place": ("籍贯", "native place"), "任职 posts": ("任职", "posts"),
        "问题线索 issues": ("问题线索", "issues"), "社会关系 relatives": ("社会关系", "relatives"),
        "单位名称 name": ("单位名称", "name"), "所在区划 region": ("所在区划", "region"),
        "单位类型 kind": ("单位类型", "kind")}
LEVELS = {"equal": ("相同", "equal"), "different": ("不同", "different"),
          "traditional/simplified": ("繁简不同", "traditional/simplified"), "homophone 同音": ("同音", "homophone"),
          "masked 某": ("某字遮蔽", "masked"), "one character differs": ("一字之差", "one character differs"),
          "month": ("同年同月", "same month"), "date": ("同一天", "same date"), "year": ("同年", "same year"),
          "near": ("相近", "near"), "far": ("相差较远", "far apart"), "day_conflict": ("同月不同日", "same month, other day"),
          "same unit, overlapping": ("同一单位任职时间重叠", "same unit, overlapping"),
          "principal of two units at once": ("同时任两个单位一把手", "principal of two units at once"),
          "named at a unit during the other's post": ("在另一记录任职期间被该单位问题点名",
                                                      "named at a unit during the other's post"),
          "same relative": ("有同名亲属", "same relative"), "alias": ("别名", "alias")}
DETAILS = {"checksum valid": ("校验位正确", "checksum valid"),
           "both checksum valid": ("两者校验位均正确", "both checksum valid")}
define({"match.evidence": ("{what}{level}（{weight}）：{detail}", "{what} {level} ({weight}): {detail}"),
        "match.evidence_plain": ("{what}{level}（{weight}）", "{what} {level} ({weight})"),
        "match.since": ("{unit}（{start}起）", "{unit} from {start}"),
        "match.clash": ("{a} / {b}（{start}起）", "{a} / {b} from {start}")})
define({f"match.what.{k}": v for k, v in WHAT.items()})
define({f"match.level.{k}": v for k, v in LEVELS.items()})
define({f"match.detail.{k}": v for k, v in DETAILS.items()})


@dataclass
class Evidence:
    what: str  # the comparison, e.g. "身份证号 id_number" (a key of WHAT)
    level: str  # a key of LEVELS
    weight: float
    detail: object = ""  # data, or a phrase of DETAILS, or an i18n.Msg

    def __str__(self) -> str:
        return self.text()

    def text(self):
        """The evidence as one sentence in the output language."""
        what = msg(f"match.what.{self.what}") if self.what in WHAT else self.what
        level = msg(f"match.level.{self.level}") if self.level in LEVELS else self.level
        weight = f"{self.weight:+.1f}"
        if not self.detail:
            return msg("match.evidence_plain", what=what, level=level, weight=weight)
        detail = msg(f"match.detail.{self.detail}") if self.detail in DETAILS else self.detail
        return msg("match.evidence", what=what, level=level, weight=weight, detail=detail)

    def as_dict(self) -> dict:
        return {"what": self.what, "level": self.level, "weight": round(self.weight, 2),
                "detail": self.detail, "text": self.text()}


@dataclass
class Candidate:
    kind: str
    a: str
    b: str
    a_label: str
    b_label: str
    a_dataset: str | None
    b_dataset: str | None
    weight: float
    probability: float
    evidence: list[Evidence] = field(default_factory=list)
    judged: str | None = None

    @property
    def evidence_for(self) -> list[Evidence]:
        return [e for e in self.evidence if e.weight > 0]

    @property
    def evidence_against(self) -> list[Evidence]:
        return [e for e in self.evidence if e.weight < 0]

    def as_dict(self) -> dict:
        return {"kind": self.kind, "a": self.a, "b": self.b, "a_label": self.a_label,
                "b_label": self.b_label, "a_dataset": self.a_dataset, "b_dataset": self.b_dataset,
                "probability": round(self.probability, 6), "weight": round(self.weight, 2),
                "evidence_for": [e.as_dict() for e in self.evidence_for],
                "evidence_against": [e.as_dict() for e in self.evidence_against],
                "judged": self.judged}

    def row(self) -> dict:
        return {"a": self.a, "a_label": self.a_label, "b": self.b, "b_label": self.b_label,
                "probability": round(self.probability, 4),
                "for": join((e.text() for e in self.evidence_for), "；", "; "),
                "against": join((e.text() for e in self.evidence_against), "；", "; "),
                "judged": self.judged}


@dataclass
class MatchReport:
    records: int = 0
    compared: int = 0
    skipped_blocks: int = 0
    prior: float = 0.0  # log2 prior odds (after EM)
    prior_id: float = 0.0  # the first estimate, from pairs sharing a 身份证号
    seconds: dict = field(default_factory=dict)


def _sigmoid2(w: float) -> float:
    if w > 60:
        return 1.0
    if w < -60:
        return 0.0
    return 1.0 / (1.0 + 2.0 ** (-w))


# -- people ------------------------------------------------------------------

def _birth_level(a: str, b: str) -> str:
    if a == b:
        # Equal values agree on all they say: two "YYYY-01-01" are two
        # January births or two year-only cells (m ~1/12, u ~1/(40*144)).
        return "month" if a.endswith("-01") else "date"
    ya, yb = a[:4], b[:4]
    if ya != yb:
        try:
            gap = abs(int(ya) - int(yb))
        except ValueError:
            return "far"
        return "near" if gap <= 1 and (a[5:7] == "01" or b[5:7] == "01" or gap == 0) else "far"
    if a[:7] == b[:7] and (a.endswith("-01") or b.endswith("-01")):
        return "month"  # a month and a date in it (出生年月 vs the full date)
    if a.endswith("-01-01") or b.endswith("-01-01"):
        return "year"
    if a[:7] == b[:7]:
        return "day_conflict"
    return "near"


def _overlap(s1: str, e1: str, s2: str, e2: str, days: int = 0) -> bool:
    if not s1 or not s2:
        return False
    lo, hi = max(s1, s2), min(e1, e2)
    if lo > hi:
        return False
    if days <= 0:
        return True
    import datetime as dt

    try:
        return (dt.date.fromisoformat(hi[:10]) - dt.date.fromisoformat(lo[:10])).days >= days
    except ValueError:
        return True


class _Stats:
    """Frequencies for the term-frequency adjustments."""

    def __init__(self, recs: list[PersonRecord]):
        n = max(1, len(recs))
        self.n = n
        self.simple: dict[str, int] = {}
        self.pinyin: dict[tuple, int] = {}
        self.surname: dict[str, int] = {}
        self.sur_last: dict[tuple, int] = {}
        for r in recs:
            if r.masked:
                continue
            self.simple[r.simple] = self.simple.get(r.simple, 0) + 1
            self.pinyin[r.pinyin] = self.pinyin.get(r.pinyin, 0) + 1
            self.surname[r.surname] = self.surname.get(r.surname, 0) + 1
            k = (r.surname, r.simple[-1:])
            self.sur_last[k] = self.sur_last.get(k, 0) + 1

    def tf(self, table: dict, key) -> float:
        """Share of other records with this value: the pair's own two records
        are not evidence that the value is common."""
        return max(table.get(key, 0) - 1, 1) / self.n


def score_pair(a: PersonRecord, b: PersonRecord, stats: _Stats) -> tuple[float, list[Evidence]]:
    """The sum of the comparisons' weights for records ``a`` and ``b``, and
    the evidence behind it (every weight added, with its level)."""
    from .names import compare

    W = WEIGHTS
    ev: list[Evidence] = []
    add = ev.append
    # 身份证号
    if a.idn and b.idn:
        if a.idn == b.idn:
            add(Evidence("身份证号 id_number", "equal", W["id_equal"], "checksum valid"))
        else:
            add(Evidence("身份证号 id_number", "different", W["id_different"], "both checksum valid"))
    # name
    level = compare(a.name, b.name, a.simple, b.simple, a.pinyin, b.pinyin)
    if level in ("exact", "variant"):
        w = math.log2(0.8 / stats.tf(stats.simple, a.simple))
        if level == "variant":
            w += W["name_variant_penalty"]
        add(Evidence("姓名 name", "equal" if level == "exact" else "traditional/simplified",
                     w, f"{a.name} / {b.name}" + ("" if level == "exact" else f" = {a.simple}")))
    elif level == "homophone":
        u = max(stats.tf(stats.pinyin, a.pinyin) - stats.tf(stats.simple, a.simple)
                - stats.tf(stats.simple, b.simple), 1 / stats.n)
        add(Evidence("姓名 name", "homophone 同音", math.log2(W["name_homophone_m"] / u),
                     f"{a.name} / {b.name} ({' '.join(a.pinyin)})"))
    elif level == "mask":
        m = a if a.masked else b
        other = b if m is a else a
        if len(m.simple) - len(m.surname) >= 2 and m.simple[-1] not in "某X×*＊xＸ":
            u = stats.tf(stats.sur_last, (other.surname, other.simple[-1:]))
        else:
            u = stats.tf(stats.surname, other.surname)
        add(Evidence("姓名 name", "masked 某", math.log2(W["name_mask_m"] / u), f"{a.name} / {b.name}"))
    elif level == "typo":
        add(Evidence("姓名 name", "one character differs", W["name_typo"], f"{a.name} / {b.name}"))
    else:
        add(Evidence("姓名 name", "different", W["name_different"], f"{a.name} / {b.name}"))
    # birth
    if a.birth and b.birth:
        bl = _birth_level(a.birth, b.birth)
        w = W[f"birth_{'far' if bl == 'far' else bl}"]
        add(Evidence("出生 birth", bl, w, f"{a.birth} / {b.birth}"))
    # gender
    if a.gender and b.gender:
        if a.gender == b.gender:
            add(Evidence("性别 gender", "equal", W["gender_equal"], term("gender", a.gender)))
        else:
            add(Evidence("性别 gender", "different", W["gender_different"],
                         join([term("gender", a.gender), term("gender", b.gender)], " / ", " / ")))
    # native place
    if a.native and b.native:
        if a.native == b.native or a.native.startswith(b.native) or b.native.startswith(a.native):
            add(Evidence("籍贯 native place", "equal", W["native_equal"], a.native))
        else:
            add(Evidence("籍贯 native place", "different", W["native_different"],
                         f"{a.native} / {b.native}"))
    # posts
    if a.posts and b.posts:
        shared = []
        clash = None
        for ua, sa, ea, pa in a.posts:
            for ub, sb, eb, pb in b.posts:
                if ua == ub:
                    if _overlap(sa, ea, sb, eb):
                        shared.append((ua, max(sa, sb)))
                elif pa and pb and clash is None and _overlap(sa, ea, sb, eb, days=90):
                    clash = (ua, ub, max(sa, sb))
        seen = set()
        for uk, start in shared:
            if uk in seen or len(seen) >= 2:
                continue
            seen.add(uk)
            add(Evidence("任职 posts", "same unit, overlapping", W["post_shared"],
                         msg("match.since", unit=uk[0], start=start)))
        if clash and not shared:
            add(Evidence("任职 posts", "principal of two units at once", W["post_principal_clash"],
                         msg("match.clash", a=clash[0][0], b=clash[1][0], start=clash[2])))
    # named in an issue or lead of a unit while the other held a post there
    if (a.links and b.posts) or (b.links and a.posts):
        hit = None
        for x, y in ((a, b), (b, a)):
            if hit:
                break
            posts = {}
            for uk, s, e, _ in y.posts:
                posts.setdefault(uk, []).append((s, e))
            for uk, date in x.links:
                for s, e in posts.get(uk, ()):
                    if not date or s <= date <= e:
                        hit = (uk, date)
                        break
                if hit:
                    break
        if hit:
            add(Evidence("问题线索 issues", "named at a unit during the other's post",
                         W["named_during_post"], f"{hit[0][0]} {hit[1]}"))
    # relatives
    if a.relatives and b.relatives:
        both = sorted(a.relatives & b.relatives)[:2]
        for nm in both:
            add(Evidence("社会关系 relatives", "same relative", W["relative_shared"], nm))
    return sum(e.weight for e in ev), ev


def _blocks(recs: list[PersonRecord]) -> dict:
    from .names import char_pinyin

    blocks: dict[tuple, list[int]] = {}
    by_sur_year: dict[tuple, list[int]] = {}
    masked_full: list[int] = []
    for i, r in enumerate(recs):
        if r.idn:
            blocks.setdefault(("i", r.idn), []).append(i)
        year = r.birth[:4] if r.birth else None
        if not r.simple:
            continue
        sur = r.surname
        given = r.simple[len(sur):]
        if not r.masked:
            blocks.setdefault(("p", r.pinyin), []).append(i)
            if year:
                by_sur_year.setdefault((sur, year), []).append(i)
        if len(given) >= 2 and year:
            if given[-1] not in "某X×*＊xＸ":
                blocks.setdefault(("sl", sur, char_pinyin(given[-1]), year), []).append(i)
            if given[0] not in "某X×*＊xＸ":
                blocks.setdefault(("sf", sur, char_pinyin(given[0]), year), []).append(i)
        elif r.masked and year:
            masked_full.append(i)
    for i in masked_full:
        r = recs[i]
        key = ("m", r.surname, r.birth[:4])
        blocks[key] = [i] + [j for j in by_sur_year.get((r.surname, r.birth[:4]), []) if j != i]
    return blocks


def _prior(recs: list[PersonRecord]) -> float:
    """log2 prior odds that two random records are one person."""
    n = len(recs)
    if n < 2:
        return 0.0
    with_id: dict[str, int] = {}
    for r in recs:
        if r.idn:
            with_id[r.idn] = with_id.get(r.idn, 0) + 1
    share = sum(with_id.values()) / n
    pairs_same = sum(c * (c - 1) / 2 for c in with_id.values())
    est = pairs_same / max(share * share, 0.05) if pairs_same else n * 0.01
    total = n * (n - 1) / 2
    lam = min(max(est / total, 1e-12), 0.5)
    return math.log2(lam / (1 - lam))


def _em_prior(prior: float, weights: list[float], n: int, rounds: int = 30) -> float:
    """Re-estimate the prior by EM with the weights held fixed: λ = expected
    matches (the sum of the compared pairs' match probabilities; pairs never
    compared count as non-matches) over all pairs, until it settles."""
    total = n * (n - 1) / 2
    if total <= 0 or not weights:
        return prior
    for _ in range(rounds):
        expected = sum(_sigmoid2(prior + w) for w in weights)
        lam = min(max(expected / total, 1e-12), 0.5)
        new = math.log2(lam / (1 - lam))
        if abs(new - prior) < 0.01:
            return new
        prior = new
    return prior


def match_people(store, min_probability: float = DEFAULT_MIN, judgements=None,
                 include_judged: bool = False, progress=None,
                 report: MatchReport | None = None) -> list[Candidate]:
    """Candidate pairs of cadres at least ``min_probability`` likely one person,
    best first."""
    import time

    report = report if report is not None else MatchReport()
    t0 = time.perf_counter()
    recs = person_records(store, progress)
    report.records = len(recs)
    t1 = time.perf_counter()
    stats = _Stats(recs)
    prior = _prior(recs)
    report.prior_id = prior
    blocks = _blocks(recs)
    pairs: set[tuple[int, int]] = set()
    for key, members in blocks.items():
        if len(members) < 2:
            continue
        if len(members) > MAX_BLOCK:
            report.skipped_blocks += 1
            continue
        if key[0] == "m":
            i = members[0]
            for j in members[1:]:
                pairs.add((i, j) if i < j else (j, i))
            continue
        for x in range(len(members)):
            i = members[x]
            for y in range(x + 1, len(members)):
                j = members[y]
                pairs.add((i, j) if i < j else (j, i))
    t2 = time.perf_counter()
    report.compared = len(pairs)
    scored = []
    for k, (i, j) in enumerate(pairs):
        w, _ = score_pair(recs[i], recs[j], stats)
        scored.append((w, i, j))  # evidence rebuilt below for the pairs kept (memory)
        if progress and k % 100000 == 0:
            progress("scoring", k)
    # A safeguard: EM may raise the prior at most 1 bit above the 身份证号
    # estimate (with many same-name pairs it could feed on itself).
    prior = min(_em_prior(prior, [x[0] for x in scored], len(recs)), prior + EM_MAX_GAIN)
    report.prior = prior
    out: list[Candidate] = []
    floor = math.log2(min_probability / (1 - min_probability)) if 0 < min_probability < 1 else -1e9
    for w, i, j in scored:
        total = prior + w
        if total < floor:
            continue
        a, b = recs[i], recs[j]
        ev = score_pair(a, b, stats)[1]
        judged = _judged(judgements, a.nid, b.nid)
        if judged is not None and not include_judged:
            continue
        out.append(Candidate("cadre", a.nid, b.nid, a.name, b.name, a.dataset, b.dataset,
                             total, _sigmoid2(total), ev, judged))
    t3 = time.perf_counter()
    report.seconds = {"records": round(t1 - t0, 2), "blocking": round(t2 - t1, 2),
                      "scoring": round(t3 - t2, 2)}
    out.sort(key=lambda c: (-c.weight, c.a, c.b))
    return out


def _judged(judgements, a: str, b: str) -> str | None:
    """How the pair ``a``, ``b`` was judged ("same (human)" …), or None."""
    jd = judgements.get(a, b) if judgements is not None else None
    return None if jd is None else f"{jd.decision} ({jd.source})"


# -- units -------------------------------------------------------------------

UNIT_PRIOR = -12.0


def match_units(store, min_probability: float = DEFAULT_MIN, judgements=None,
                include_judged: bool = False) -> list[Candidate]:
    """Units of different datasets with the same name or alias, scored by
    region, kind and parent."""
    recs = [UnitRecord(nid, a) for nid, a in store.nodes("unit")]
    by_name: dict[str, list[int]] = {}
    for i, r in enumerate(recs):
        for nm in r.names:
            by_name.setdefault(nm, []).append(i)
    pairs: set[tuple[int, int]] = set()
    for members in by_name.values():
        if 1 < len(members) <= MAX_BLOCK:
            for x in range(len(members)):
                for y in range(x + 1, len(members)):
                    i, j = members[x], members[y]
                    if recs[i].dataset != recs[j].dataset:
                        pairs.add((min(i, j), max(i, j)))
    out = []
    for i, j in sorted(pairs):
        a, b = recs[i], recs[j]
        ev = [Evidence("单位名称 name", "equal" if a.name == b.name else "alias",
                       14.0 if a.name == b.name else 12.0, f"{a.name} / {b.name}")]
        if a.region and b.region:
            ev.append(Evidence("所在区划 region", "equal" if a.region == b.region else "different",
                               4.0 if a.region == b.region else -10.0, f"{a.region} / {b.region}"))
        if a.kind and b.kind:
            ev.append(Evidence("单位类型 kind", "equal" if a.kind == b.kind else "different",
                               1.0 if a.kind == b.kind else -4.0, f"{a.kind} / {b.kind}"))
        total = UNIT_PRIOR + sum(e.weight for e in ev)
        p = _sigmoid2(total)
        if p < min_probability:
            continue
        judged = _judged(judgements, a.nid, b.nid)
        if judged is not None and not include_judged:
            continue
        out.append(Candidate("unit", a.nid, b.nid, a.name, b.name, a.dataset, b.dataset,
                             total, p, ev, judged))
    out.sort(key=lambda c: (-c.weight, c.a, c.b))
    return out
