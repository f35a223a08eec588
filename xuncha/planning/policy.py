"""The recusal policy 回避规则: which grounds count, with which parameters.

A policy is data (YAML).  The built-in default lives in
``xuncha/policy/default.yaml`` (``xuncha policy show`` prints it); a user file
is merged over it, so a file may name only what it changes.  Loading validates
everything (unknown grounds, modes, kinship classes, in-law kinds) and names
the nearest valid value in the error.

Invariants:
- every ground in :data:`GROUNDS` is present in a loaded policy, with ``mode``
  one of ``hard``/``soft``/``off`` and a non-negative ``weight``;
- ground codes are the same everywhere (policy, conflict rows, plan output).

>>> p = load_policy()
>>> p.mode("kinship"), p.grounds["employment"].recent_years
('hard', 3)
>>> load_policy(overrides={"native_place": "soft"}).mode("native_place")
'soft'
"""

from __future__ import annotations

import difflib
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..errors import XunchaError
from ..i18n import define

# Ground code -> Chinese name (the order is the order of reports).
GROUNDS: dict[str, str] = {
    "kinship": "亲属关系",
    "employment": "任职经历",
    "superior_subordinate": "上下级关系",
    "local": "本地巡察",
    "native_place": "籍贯",
    "reciprocal": "对等互查",
    "repeat": "重复巡察",
    "manual": "申请回避",
}

#: English names of the grounds (reason sentences in ``--lang en``).
GROUNDS_EN: dict[str, str] = {
    "kinship": "kinship", "employment": "employment", "superior_subordinate": "superior/subordinate",
    "local": "local inspection", "native_place": "native place", "reciprocal": "reciprocal inspection",
    "repeat": "repeat inspection", "manual": "requested recusal",
}
define({f"ground.{g}": (zh, GROUNDS_EN[g]) for g, zh in GROUNDS.items()})

KIN_CLASSES = {"spouse": "夫妻", "lineal": "直系血亲", "collateral": "三代以内旁系血亲",
               "in_law": "近姻亲"}
IN_LAW_KINDS = {
    "spouse_parent": "配偶的父母",
    "spouse_sibling": "配偶的兄弟姐妹",
    "child_spouse": "子女的配偶",
    "child_spouse_parent": "子女配偶的父母",
    "sibling_spouse": "兄弟姐妹的配偶",
    "spouse_sibling_spouse": "配偶的兄弟姐妹的配偶",
}
LEVELS = ("province", "city", "county", "township", "village")

Mode = Literal["hard", "soft", "off"]


class PolicyError(XunchaError, ValueError):
    """A policy file that cannot be used (its message names the key)."""


class _Ground(BaseModel):
    model_config = ConfigDict(extra="forbid")
    mode: Mode = "hard"
    weight: float = Field(10.0, ge=0)

    @field_validator("mode", mode="before")
    @classmethod
    def _yaml_bool(cls, v):
        # YAML 1.1 reads a bare `off` / `on` as a boolean
        if v is False:
            return "off"
        if v is True:
            return "hard"
        return v


class Kinship(_Ground):
    classes: list[str] = ["spouse", "lineal", "collateral", "in_law"]
    any_staff_classes: list[str] = ["spouse", "lineal"]
    lineal_generations: int | None = None
    collateral_generations: int = Field(3, ge=2)
    in_law_kinds: list[str] = list(IN_LAW_KINDS)[:5]
    compose: bool = True
    max_hops: int = Field(4, ge=1, le=8)

    @field_validator("classes", "any_staff_classes")
    @classmethod
    def _classes(cls, v):
        return [_choice(x, KIN_CLASSES, "kinship class 亲属类别") for x in v]

    @field_validator("in_law_kinds")
    @classmethod
    def _in_laws(cls, v):
        return [_choice(x, IN_LAW_KINDS, "in-law kind 姻亲类别") for x in v]


class Employment(_Ground):
    recent_years: int = Field(3, ge=0)
    long_years: int | None = Field(3, ge=1)
    superior_levels: int = Field(1, ge=0)


class SuperiorSubordinate(_Ground):
    years: int = Field(3, ge=0)
    same_leadership_team: bool = True


class Local(_Ground):
    max_team_level: str = "county"
    round_kinds: list[str] | None = ["cross"]

    @field_validator("max_team_level")
    @classmethod
    def _lvl(cls, v):
        return _choice(v, dict.fromkeys(LEVELS), "level 层级")


class NativePlace(_Ground):
    level: str = "county"
    except_local_team: bool = True

    @field_validator("level")
    @classmethod
    def _lvl(cls, v):
        return _choice(v, dict.fromkeys(LEVELS), "level 层级")


class Reciprocal(_Ground):
    level: str = "county"

    @field_validator("level")
    @classmethod
    def _lvl(cls, v):
        return _choice(v, dict.fromkeys(LEVELS), "level 层级")


class Repeat(_Ground):
    rounds: int = Field(2, ge=0)
    team_unit: bool = True
    region_region: bool = True
    level: str = "county"

    @field_validator("level")
    @classmethod
    def _lvl(cls, v):
        return _choice(v, dict.fromkeys(LEVELS), "level 层级")


class Manual(_Ground):
    file: str | None = None


GROUND_MODELS: dict[str, type[_Ground]] = {
    "kinship": Kinship, "employment": Employment, "superior_subordinate": SuperiorSubordinate,
    "local": Local, "native_place": NativePlace, "reciprocal": Reciprocal, "repeat": Repeat,
    "manual": Manual,
}


class Leadership(BaseModel):
    model_config = ConfigDict(extra="forbid")
    titles: list[str] = []
    exclude: list[str] = []


class Affinity(BaseModel):
    model_config = ConfigDict(extra="forbid")
    base: float = 1.0
    issue_weight: float = 2.0
    topic_weight: float = 1.0
    leader_factor: float = 1.5
    specialties: dict[str, list[str]] = {}


class Policy(BaseModel):
    """A validated recusal policy (see ``xuncha/policy/default.yaml``)."""

    model_config = ConfigDict(extra="forbid")
    grounds: dict[str, Any]
    leadership: Leadership = Leadership()
    affinity: Affinity = Affinity()
    source: str = "built-in default"

    def mode(self, ground: str) -> str:
        return self.grounds[ground].mode

    def weight(self, ground: str) -> float:
        return self.grounds[ground].weight

    def active(self) -> list[str]:
        return [g for g in GROUNDS if self.grounds[g].mode != "off"]

    def hard(self) -> list[str]:
        return [g for g in GROUNDS if self.grounds[g].mode == "hard"]

    def with_modes(self, **modes: str) -> "Policy":
        """A copy with some grounds' modes changed (``with_modes(local="off")``)."""
        grounds = dict(self.grounds)
        for g, m in modes.items():
            grounds[g] = grounds[g].model_copy(update={"mode": m})
        return self.model_copy(update={"grounds": grounds})

    def is_leadership(self, title: str | None, is_principal: bool | None) -> bool:
        if is_principal:
            return True
        if not title:
            return False
        if any(x in title for x in self.leadership.exclude):
            return False
        return any(x in title for x in self.leadership.titles)

    def summary(self) -> str:
        parts = []
        for g in GROUNDS:
            m = self.grounds[g].mode
            parts.append(f"{g}={m}" + (f"({self.grounds[g].weight:g})" if m == "soft" else ""))
        return ", ".join(parts)


def _choice(value: str, options, what: str) -> str:
    if value in options:
        return value
    close = difflib.get_close_matches(str(value), list(options), n=1, cutoff=0.5)
    hint = f"; did you mean 是否应为 {close[0]}" if close else f"; one of {', '.join(options)}"
    raise ValueError(f"unknown {what} '{value}'{hint}")


def default_text() -> str:
    """The built-in policy file, comments included."""
    return resources.files("xuncha").joinpath("policy/default.yaml").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _default_doc() -> dict:
    import yaml

    return yaml.safe_load(default_text())


def _merge(base: dict, over: dict) -> dict:
    out = dict(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict) and k != "specialties":
            out[k] = _merge(out[k], v)
        else:
            out[k] = v
    return out


def load_policy(path: str | Path | None = None, overrides: dict[str, str] | None = None) -> Policy:
    """The default policy, merged with the YAML file ``path`` if given.

    ``overrides`` maps ground -> mode (hard/soft/off), applied last.
    """
    import copy

    import yaml

    doc = copy.deepcopy(_default_doc())
    source = "built-in default"
    if path is not None:
        p = Path(path)
        if not p.exists():
            raise PolicyError(f"policy file {p} not found (回避规则文件不存在)")
        try:
            user = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise PolicyError(f"{p}: not valid YAML (格式错误): {exc}") from None
        if not isinstance(user, dict):
            raise PolicyError(f"{p}: a policy is a mapping with a `grounds` key")
        for g in (user.get("grounds") or {}):
            if g not in GROUNDS:
                _raise_unknown_ground(g, str(p))
        doc = _merge(doc, user)
        source = str(p)
    for g, m in (overrides or {}).items():
        if g not in GROUNDS:
            _raise_unknown_ground(g, "override")
        if m not in ("hard", "soft", "off"):
            raise PolicyError(f"ground {g}: mode must be hard, soft or off, not {m!r}")
        doc["grounds"][g]["mode"] = m
    grounds = {}
    for g, model in GROUND_MODELS.items():
        try:
            grounds[g] = model.model_validate(doc["grounds"].get(g) or {})
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = ".".join(str(x) for x in err["loc"])
            raise PolicyError(f"{source}: grounds.{g}.{loc}: {err['msg']}") from None
    try:
        return Policy(grounds=grounds, leadership=doc.get("leadership") or {},
                      affinity=doc.get("affinity") or {}, source=source)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise PolicyError(f"{source}: {'.'.join(str(x) for x in err['loc'])}: {err['msg']}") from None


def _raise_unknown_ground(g: str, where: str):
    close = difflib.get_close_matches(g, list(GROUNDS), n=1, cutoff=0.5)
    hint = f"; did you mean 是否应为 {close[0]}" if close else f"; grounds are {', '.join(GROUNDS)}"
    raise PolicyError(f"{where}: unknown ground 回避事由 '{g}'{hint}")
