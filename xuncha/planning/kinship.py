"""Kinship degrees 亲属关系 derived from the relations ledger.

A recorded relation ``cadre_id -> other_id, kind`` reads "other is cadre's
<kind>" (关系人是本人的父亲 …).  Relations are treated symmetrically: the
reverse reading is derived (a parent's child, a spouse's spouse), so a tie
recorded from either side is found.

Each recorded relation becomes a string of steps: ``U`` up one generation
(parent), ``D`` down one (child), ``S`` marriage; a sibling is ``UD``, a
grandparent ``UU``.  ``collateral`` (旁系血亲) and ``in_law`` (姻亲) recorded
as such are opaque (``C``, ``L``): they count as they are but are never
composed further, since their degree is unknown.

Composition (policy ``kinship.compose``) follows chains of recorded relations
and classifies the concatenated steps:

- ``S`` spouse 夫妻;
- ``U…U`` / ``D…D`` lineal 直系血亲 (generations = length);
- ``U^u D^d`` collateral 旁系血亲 when the common ancestor is within
  ``collateral_generations`` generations, i.e. ``max(u, d) + 1 <= N``: a
  sibling (UD) is within 2, an uncle (UUD), a first cousin (UUDD) and a
  nephew (UDD) within 3; a second cousin (UUUDDD) is not;
- close in-laws 近姻亲 by pattern: spouse_parent ``SU``, spouse_sibling
  ``SUD``, child_spouse ``DS``, child_spouse_parent ``DSU``, sibling_spouse
  ``UDS``, spouse_sibling_spouse ``SUDS``.

A step ``D`` followed by ``U`` (a child's parent) is a co-parent, not a blood
relative, and ends the chain.  Invariant: every path reported starts at the
given cadre, visits no person twice, and follows recorded relations only.

>>> k = Kinship.from_edges([("A", "B", "parent"), ("B", "C", "sibling")])
>>> [(x.other, x.klass, x.steps) for x in k.kin("A", KinRules())]
[('B', 'lineal', 'U'), ('C', 'collateral', 'UUD')]
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field

from ..i18n import define, msg

# Recorded relation kind -> steps from the cadre to the other person.
STEPS = {
    "spouse": "S", "parent": "U", "child": "D", "sibling": "UD",
    "grandparent": "UU", "grandchild": "DD", "collateral": "C", "in_law": "L",
}
IN_LAW_PATTERNS = {
    "spouse_parent": "SU", "spouse_sibling": "SUD", "child_spouse": "DS",
    "child_spouse_parent": "DSU", "sibling_spouse": "UDS", "spouse_sibling_spouse": "SUDS",
}
# Chinese description of a derived relation, by steps (the common cases).
STEP_NAMES = {
    "S": "夫妻", "U": "父母", "D": "子女", "UU": "祖父母/外祖父母", "DD": "孙子女/外孙子女",
    "UUU": "曾祖父母", "DDD": "曾孙子女", "UD": "兄弟姐妹", "UUD": "伯叔姑舅姨",
    "UDD": "侄子女/外甥子女", "UUDD": "堂/表兄弟姐妹", "C": "旁系血亲", "L": "姻亲",
    "SU": "配偶的父母", "SUD": "配偶的兄弟姐妹", "DS": "子女的配偶", "DSU": "子女配偶的父母",
    "UDS": "兄弟姐妹的配偶", "SUDS": "配偶的兄弟姐妹的配偶",
}
_BLOOD = re.compile(r"^(U*)(D*)$")


def inverse(steps: str) -> str:
    """Steps read from the other end: reverse, swapping up and down."""
    swap = {"U": "D", "D": "U"}
    return "".join(swap.get(c, c) for c in reversed(steps))


# English names of the same (reason sentences in ``--lang en``).
STEP_NAMES_EN = {
    "S": "spouse", "U": "parent", "D": "child", "UU": "grandparent", "DD": "grandchild",
    "UUU": "great-grandparent", "DDD": "great-grandchild", "UD": "sibling", "UUD": "uncle or aunt",
    "UDD": "nephew or niece", "UUDD": "cousin", "C": "collateral relative", "L": "in-law",
    "SU": "spouse's parent", "SUD": "spouse's sibling", "DS": "child's spouse", "DSU": "child's spouse's parent",
    "UDS": "sibling's spouse", "SUDS": "spouse's sibling's spouse",
}
define({f"kin.{k}": (v, STEP_NAMES_EN[k]) for k, v in STEP_NAMES.items()})
define({"kin.other": ("亲属", "relative")})


def describe(steps: str) -> str:
    """The relation's name: 配偶的父母 (zh) / spouse's parent (en), :mod:`xuncha.i18n`."""
    return msg(f"kin.{steps}" if steps in STEP_NAMES else "kin.other")


@dataclass(frozen=True)
class KinRules:
    """What counts as kin (from the policy's ``kinship`` ground)."""

    classes: frozenset = frozenset({"spouse", "lineal", "collateral", "in_law"})
    lineal_generations: int | None = None
    collateral_generations: int = 3
    in_law_kinds: frozenset = frozenset(list(IN_LAW_PATTERNS)[:5])
    compose: bool = True
    max_hops: int = 4

    @classmethod
    def from_policy(cls, g) -> "KinRules":
        return cls(frozenset(g.classes), g.lineal_generations, g.collateral_generations,
                   frozenset(g.in_law_kinds), g.compose, g.max_hops)

    @property
    def in_law_patterns(self) -> dict[str, str]:
        return {IN_LAW_PATTERNS[k]: k for k in self.in_law_kinds}


def classify(steps: str, rules: KinRules) -> str | None:
    """``spouse``, ``lineal``, ``collateral``, ``in_law`` or None (not kin that counts)."""
    if steps == "S":
        return "spouse" if "spouse" in rules.classes else None
    if steps == "C":
        return "collateral" if "collateral" in rules.classes else None
    if steps == "L":
        return "in_law" if "in_law" in rules.classes else None
    m = _BLOOD.match(steps)
    if m and steps:
        u, d = len(m.group(1)), len(m.group(2))
        if u == 0 or d == 0:
            lim = rules.lineal_generations
            return "lineal" if "lineal" in rules.classes and (lim is None or u + d <= lim) else None
        if "collateral" in rules.classes and max(u, d) + 1 <= rules.collateral_generations:
            return "collateral"
        return None
    if "in_law" in rules.classes and steps in rules.in_law_patterns:
        return "in_law"
    return None


def _viable(steps: str, rules: KinRules) -> bool:
    """Could a longer chain starting with ``steps`` still be kin that counts?"""
    if "C" in steps or "L" in steps:
        return False
    m = _BLOOD.match(steps)
    if m:
        u, d = len(m.group(1)), len(m.group(2))
        if d == 0:
            # still climbing: lineal ancestors, or collateral later
            lim_l = rules.lineal_generations
            ok_l = "lineal" in rules.classes and (lim_l is None or u <= lim_l)
            ok_c = "collateral" in rules.classes and u + 1 <= rules.collateral_generations
            return ok_l or ok_c or any(p.startswith(steps) for p in rules.in_law_patterns)
        if u == 0:
            lim_l = rules.lineal_generations
            return ("lineal" in rules.classes and (lim_l is None or d <= lim_l)) or any(
                p.startswith(steps) for p in rules.in_law_patterns)
        return (max(u, d) + 1 <= rules.collateral_generations and "collateral" in rules.classes) or any(
            p.startswith(steps) for p in rules.in_law_patterns)
    return any(p.startswith(steps) for p in rules.in_law_patterns)


@dataclass(frozen=True)
class Kin:
    other: str  # raw cadre id
    klass: str  # spouse / lineal / collateral / in_law
    steps: str  # e.g. "UUDD"
    path: tuple[str, ...]  # raw cadre ids from the cadre to ``other`` (inclusive)
    kinds: tuple[str, ...]  # the recorded relation kinds followed, in order

    @property
    def description(self) -> str:
        return describe(self.steps)


@dataclass
class Kinship:
    """Adjacency of the relations ledger, both directions, kin kinds only."""

    adj: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)  # a -> (b, steps, kind)
    _cache: dict = field(default_factory=dict, repr=False)

    @classmethod
    def from_edges(cls, edges) -> "Kinship":
        """``edges``: (cadre_id, other_id, relation_kind) as recorded."""
        k = cls()
        seen = set()
        for a, b, kind in edges:
            steps = STEPS.get(kind)
            if steps is None or a == b:
                continue
            for x, y, s in ((a, b, steps), (b, a, inverse(steps))):
                if (x, y, s) in seen:
                    continue
                seen.add((x, y, s))
                k.adj.setdefault(x, []).append((y, s, kind))
        for lst in k.adj.values():
            lst.sort()
        return k

    def kin(self, cadre: str, rules: KinRules) -> list[Kin]:
        """Every person who is kin of ``cadre`` under ``rules`` (fewest hops first)."""
        key = (cadre, rules)
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        out: dict[str, Kin] = {}
        max_hops = rules.max_hops if rules.compose else 1
        queue = deque([(cadre, "", (cadre,), ())])
        while queue:
            person, steps, path, kinds = queue.popleft()
            if len(path) - 1 >= max_hops:
                continue
            for other, s, kind in self.adj.get(person, ()):
                if other in path:
                    continue
                if steps and (s in ("C", "L")):
                    continue
                new = steps + s
                if "DU" in new:  # a child's parent: a co-parent, not kin by blood
                    continue
                # "SS" (a spouse's spouse) is the person again or an ex-spouse
                if "SS" in new:
                    continue
                npath, nkinds = path + (other,), kinds + (kind,)
                klass = classify(new, rules)
                if klass and other not in out:
                    out[other] = Kin(other, klass, new, npath, nkinds)
                if _viable(new, rules):
                    queue.append((other, new, npath, nkinds))
        res = sorted(out.values(), key=lambda k: (len(k.path), k.other))
        self._cache[key] = res
        return res
