"""Synthetic inspection ledgers with planted ground truth (``xuncha generate``).

Real ledgers are confidential; this package makes realistic ones at any scale,
from one county (about 50 units) to a province (about 10,000 units, 150,000+
cadres, 300,000+ issues), with the world's facts written to ``truth.json``
(version 3: stories, conduct periods, who answers for what, ties, near misses;
schema in :mod:`xuncha.synth.truth`).  Expected query answers are derived from
those facts by ``bench/case_truth.py``, never here.

>>> from xuncha.synth import generate
>>> summary = generate("/tmp/xuncha-doctest-county", scale="county", seed=1)  # doctest: +SKIP
>>> summary.rows["issues"] > 500                                              # doctest: +SKIP
True

Same seed, same version -> byte-identical files.  Modules: :mod:`.names`
(surnames by frequency, given names, ID check digits), :mod:`.regions`
(GB/T 2260 codes), :mod:`.model` (calibration), :mod:`.world` (the build in
order) over :mod:`.core` (days, random streams, data holders),
:mod:`.places` (units), :mod:`.people` (careers, relations, teams),
:mod:`.rounds`, :mod:`.findings` (issues, leads, actions, conduct periods),
:mod:`.text` (descriptions), :mod:`.stories` (planted stories and near
misses); :mod:`.truth` (facts), :mod:`.writer` (CSV / JSON Lines / XLSX),
:mod:`.offices` (many offices' datasets from one).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..errors import XunchaError

SCALE_NAMES = ("county", "city", "province")


class GenerateError(XunchaError):
    """Bad arguments to the generator."""


@dataclass
class Summary:
    directory: Path
    scale: str
    seed: int
    rows: dict[str, int] = field(default_factory=dict)
    truth: dict[str, int] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"directory": str(self.directory), "scale": self.scale, "seed": self.seed,
                "rows": self.rows, "truth": self.truth}


def generate(out: str | Path, scale: str = "county", seed: int = 1, units: int | None = None,
             fmt: str = "csv", headers: str = "en", truth: bool = True,
             progress: Callable[[str, float], None] | None = None) -> Summary:
    """Generate a dataset into directory ``out`` and return counts.

    ``scale`` is county, city or province; ``units`` overrides the size (the
    shape follows: a county up to 160 units, a city up to 3,000, else a
    province).  ``fmt`` is csv, jsonl or xlsx; ``headers`` en (canonical codes)
    or zh (Chinese headers and values, as an office keeps them).
    """
    from . import model, truth as truth_mod, writer
    from .world import build_world

    if scale not in SCALE_NAMES:
        raise GenerateError(f"unknown scale '{scale}' (规模): use one of {', '.join(SCALE_NAMES)}")
    if units is not None and units < 10:
        raise GenerateError(f"--units {units} is too small (单位数过少): at least 10")
    if fmt not in writer.FORMATS:
        raise GenerateError(f"unknown format '{fmt}': use csv, jsonl or xlsx")
    sc = model.scale_for(scale, units)
    out = Path(out)
    world = build_world(seed, sc, progress)
    rows = world.ledger_rows()
    summary = Summary(out, scale if units is None else f"{scale}:{units}", seed,
                      rows={k: len(v) for k, v in rows.items()})
    if truth:
        doc = truth_mod.compute(world, rows, summary.scale, seed)
        if progress:
            progress("truth 标准答案", 1.0)
    summary.files = writer.write_ledgers(rows, out, fmt, zh=headers == "zh", progress=progress)
    if truth:
        summary.files.append(writer.write_truth(doc, out))
        summary.truth = {k: len(doc[k]) for k in
                         ("stories", "findings", "common", "recurring", "conflicts", "near_misses")}
    return summary
