"""The synthetic world: regions, units, people, careers, inspections, findings.

The steps live in one module per concern: :mod:`.core` (days, random
streams, the data holders), :mod:`.places` (regions, units), :mod:`.people`
(careers, relations, teams), :mod:`.rounds` (rounds and assignments),
:mod:`.findings` (issues, leads, actions), :mod:`.text` (what findings say)
and :mod:`.stories` (planted stories and near misses); this module puts them
in order.

:func:`build_world` returns a :class:`World` whose ``rows`` hold every ledger
as plain dicts keyed by the ledger's field names, with canonical codes, ISO
dates, booleans and lists (the writer turns them into cells).  Plain Python on
purpose: a province is about two million rows, and this must stay fast.

Invariants (the tests check them through the real loader):
- deterministic: every random draw comes from ``random.Random`` streams seeded
  by ``f"{seed}:{stream}"`` (string seeds hash with SHA-512, so no dependence
  on ``PYTHONHASHSEED``); nothing iterates over a set or an unordered dict;
- valid: every reference names a row that exists; dates are in order
  (``start <= end``, transfer <= case filed / closed) and never after
  :data:`~xuncha.synth.model.AS_OF`; subcategories sit under their category;
- one principal (一把手) per unit at any date; a person's posts do not overlap
  except declared secondments (挂职);
- an issue is *rectified* when all its actions are completed, closed or
  long-term; once a unit's issue of a subcategory is rectified, later ordinary
  visits to that unit avoid the subcategory (so recurrences are rare, and the
  planted ones stand out); no ordinary round has one subcategory at the
  share of units that defines a common problem (see :mod:`.truth`).
"""

from __future__ import annotations

import random

from . import model as M
from .core import Progress, World, _rng
from .findings import Findings
from .people import PeopleMixin
from .places import PlacesMixin
from .rounds import RoundsMixin
from .stories import Planter, family_surnames, plant_tenure_near_misses


class Builder(PlacesMixin, PeopleMixin, RoundsMixin):
    def __init__(self, seed: int, scale: M.Scale, progress: Progress | None = None):
        self.seed = seed
        self.w = World(seed, scale)
        self.progress = progress or (lambda step, frac: None)

    def rng(self, stream: str) -> random.Random:
        return _rng(self.seed, stream)


def build_world(seed: int, scale: M.Scale, progress: Progress | None = None) -> World:
    """Generate the whole synthetic world for ``seed`` at ``scale``."""
    b = Builder(seed, scale, progress)
    b.build_places()
    b.progress("units 单位", 1.0)
    b.build_careers()
    b.build_relations()
    b.build_teams()
    b.build_rounds()
    n_units = len(b.w.units)
    plant_tenure_near_misses(b, max(2, n_units // 250))
    f = Findings(b)
    eligible = [r["id"] for r in b.w.rounds
                if len({x for _, x, _ in r["_visits"]}) >= M.COMMON_MIN_UNITS]
    prng = b.rng("common")
    f.common_rounds = set(prng.sample(eligible, min(len(eligible), max(2, len(eligible) // 10))))
    # rare 3-unit clusters go into rounds with a planted common problem when possible
    wide = [r["id"] for r in b.w.rounds if len({x for _, x, _ in r["_visits"]}) >= 8] or eligible
    big = [r for r in wide if r in f.common_rounds] + [r for r in wide if r not in f.common_rounds]
    f.rare_quota = max(1, len(big) // 20)
    f.rare_rounds = set(big[:f.rare_quota + 4])  # spares: a round may have too few fitting units
    rounds = b.w.rounds
    for n, r in enumerate(rounds):
        f.round(r)
        if n % 20 == 0 or n == len(rounds) - 1:
            b.progress("issues 问题", (n + 1) / len(rounds))
    p = Planter(b, f)
    p.clusters(max(6, n_units // 30))
    p.conflicts(max(3, len(b.w.assignments) // 150))
    family_surnames(b.w)
    f.finish_text()
    b.w.findings = f
    b.progress("planting 植入模式", 1.0)
    return b.w
