"""GB/T 2260-style administrative regions for a synthetic province.

Codes are strings: a province is ``PP0000``, a city ``PPCC00``, a county
``PPCCDD`` (districts 01–20, counties from 21), as in GB/T 2260; townships and
villages use the statistics bureau's 12-digit extension: county + 3 digits
(街道 001–099, 镇 100–199, 乡 200–399) + ``000`` for a township, township
prefix + 3 digits (社区 001–199, 村 200–399) for a village.  Names are
invented (two place-name characters and a suffix); county names are unique in
the province, township names in their county, village names in their township.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .names import place_names

PROVINCE_CODE = "36"
PROVINCE_NAME = "江右省"


@dataclass
class Region:
    id: str
    name: str
    level: str  # province, city, county, township, village
    parent_id: str | None
    full: str = ""  # name used as a prefix for unit names (e.g. 清河县)
    children: list["Region"] = field(default_factory=list)

    def county_code(self) -> str | None:
        """The county-level ancestor-or-self code (None above county level)."""
        if self.level in ("province", "city"):
            return None
        return self.id[:6]


class RegionTree:
    """All regions of the dataset, in creation (= file) order."""

    def __init__(self):
        self.regions: list[Region] = []
        self.by_id: dict[str, Region] = {}

    def add(self, r: Region) -> Region:
        self.regions.append(r)
        self.by_id[r.id] = r
        if r.parent_id:
            self.by_id[r.parent_id].children.append(r)
        return r

    def province(self) -> Region:
        return self.add(Region(PROVINCE_CODE + "0000", PROVINCE_NAME, "province", None,
                               PROVINCE_NAME))

    def cities(self, rng, prov: Region, n: int, taken: set[str]) -> list[Region]:
        names = place_names(rng, n, "市", taken)
        return [self.add(Region(f"{prov.id[:2]}{i + 1:02d}00", nm, "city", prov.id, nm))
                for i, nm in enumerate(names)]

    def counties(self, rng, city: Region, n: int, taken: set[str]) -> list[Region]:
        out = []
        n_districts = max(1, n // 3)
        for i in range(n):
            district = i < n_districts
            suffix = "区" if district else "县"
            nm = place_names(rng, 1, suffix, taken)[0]
            num = (i + 1) if district else (21 + i - n_districts)
            out.append(self.add(Region(f"{city.id[:4]}{num:02d}", nm, "county", city.id, nm)))
        return out

    def townships(self, rng, county: Region, n: int) -> list[Region]:
        taken: set[str] = set()
        out = []
        counters = {"街道": 1, "镇": 100, "乡": 200}
        for i in range(n):
            suffix = "街道" if i < max(1, n // 5) else ("镇" if rng.random() < 0.7 else "乡")
            nm = place_names(rng, 1, suffix, taken)[0]
            code = f"{county.id}{counters[suffix]:03d}000"
            counters[suffix] += 1
            out.append(self.add(Region(code, nm, "township", county.id, county.full + nm)))
        return out

    def villages(self, rng, township: Region, n: int) -> list[Region]:
        taken: set[str] = set()
        out = []
        c_comm, c_vill = 1, 200
        street = township.name.endswith("街道")
        for _ in range(n):
            community = street or rng.random() < 0.2
            suffix = "社区" if community else "村"
            nm = place_names(rng, 1, suffix, taken)[0]
            if community:
                num, c_comm = c_comm, c_comm + 1
            else:
                num, c_vill = c_vill, c_vill + 1
            out.append(self.add(Region(f"{township.id[:9]}{num:03d}", nm, "village", township.id,
                                       township.name + nm)))
        return out
