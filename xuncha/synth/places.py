"""Regions and units: the jurisdictions (committees that send teams) and the
units they inspect, built from the templates in :mod:`.model`."""

from __future__ import annotations

from . import model as M
from .core import Jurisdiction, Unit, ordinal
from .regions import Region

SECTORS = {
    "party_committee": "党群", "government_department": "政府", "public_institution": "事业",
    "state_enterprise": "国企", "township": "乡镇", "village": "村社区", "court": "政法",
    "procuratorate": "政法", "public_security": "政法", "school": "教育", "hospital": "卫健",
    "other": "群团",
}


class PlacesMixin:
    """Builder steps for regions and units."""

    # -- places and units ----------------------------------------------------
    def build_places(self) -> None:
        w, sc = self.w, self.w.scale
        rng = self.rng("regions")
        taken: set[str] = set()
        prov = w.tree.province()
        if sc.province_units:
            self.add_jurisdiction_units(prov, sc.province_units, rng)
        cities = w.tree.cities(rng, prov, sc.cities, taken)
        if sc.active_counties == -1:
            per_county = self._county_budget(sc)
        for ci, city in enumerate(cities):
            city.full = city.name
            counties = w.tree.counties(rng, city, sc.counties, taken)
            self.add_jurisdiction_units(city, sc.city_units, rng)
            for k, county in enumerate(counties):
                if sc.active_counties == -1:
                    budget = per_county[ci * sc.counties + k]
                elif ci == 0 and k < sc.active_counties:
                    # county scale: the office units of the other committees count too
                    budget = sc.units - (sc.cities * (sc.counties + 1) - sc.active_counties)
                else:
                    budget = 1  # an inspection office only (its teams inspect elsewhere)
                self.add_county_units(county, budget, rng)

    def _county_budget(self, sc: M.Scale) -> list[int]:
        n = sc.cities * sc.counties
        rest = sc.units - sc.province_units - sc.cities * sc.city_units
        base, extra = divmod(max(rest, n * 5), n)
        return [base + (1 if i < extra else 0) for i in range(n)]

    def _jur(self, region: Region) -> Jurisdiction:
        j = self.w.jurs.get(region.id)
        if j is None:
            j = self.w.jurs[region.id] = Jurisdiction(region)
        return j

    def _committee(self, region: Region) -> str:
        return region.full + "委" if region.level != "province" else "中共" + region.name + "委员会"

    def _new_unit(self, kind, name, level, region, jur, parent, office=False) -> Unit:
        w = self.w
        u = Unit(len(w.units), f"U{len(w.units) + 1:06d}", name, kind, level, region, jur.region.id,
                 region.county_code(), parent, SECTORS[kind], office)
        for word, y, m in M.FOUNDED:
            if word in name:
                lead = M.FOUNDED_LEAD_MONTHS.get(level, 0)
                y2, m2 = (y, m - lead) if m > lead else (y - 1, m - lead + 12)
                u.founded = ordinal(y2, m2, 1)
                break
        w.units.append(u)
        w.unit_by_id[u.id] = u
        if office:
            jur.office = u
        else:
            jur.units.append(u)
        return u

    def _add_templates(self, region: Region, n_depts: int, level: str) -> None:
        jur = self._jur(region)
        c = self._committee(region)
        fmt = {"r": region.full, "c": c}
        self._new_unit(M.OFFICE[0], M.OFFICE[1].format(**fmt), level, region, jur, None, True)
        by_name: dict[str, str] = {}
        chosen = M.DEPT_TEMPLATES[:n_depts]
        names = [t[1].format(**fmt) for t in chosen]
        for (kind, pat, parent), name in zip(chosen, names):
            by_name[name] = ""
        made: dict[str, Unit] = {}
        for (kind, pat, parent), name in zip(chosen, names):
            if level == "city" and kind == "court":
                name = name.replace("人民法院", "中级人民法院")
            pname = parent.format(**fmt) if parent else None
            pid = made[pname].id if pname in made else None
            made[name] = self._new_unit(kind, name, level, region, jur, pid)
        # parents listed after their children in the template: link them now
        for (kind, pat, parent), name in zip(chosen, names):
            if parent and name in made and made[name].parent is None:
                pname = parent.format(**fmt)
                if pname in made:
                    made[name].parent = made[pname].id

    def add_jurisdiction_units(self, region: Region, n: int, rng) -> None:
        """City- or province-level units (an office plus departments)."""
        if n <= 0:
            self._add_templates(region, 0, region.level)
            return
        self._add_templates(region, min(n - 1, len(M.DEPT_TEMPLATES)), region.level)

    def add_county_units(self, county: Region, budget: int, rng) -> None:
        if budget <= 1:
            self._add_templates(county, 0, "county")
            return
        n_depts = min(len(M.DEPT_TEMPLATES), max(3, round(budget * M.DEPT_SHARE)))
        n_towns = max(1, round(budget * M.TOWNSHIP_SHARE))
        n_vill = max(0, budget - 1 - n_depts - n_towns)
        if n_vill < n_towns and budget > 20:
            n_depts = max(3, budget - 1 - n_towns * 2)
            n_vill = budget - 1 - n_depts - n_towns
        self._add_templates(county, n_depts, "county")
        jur = self._jur(county)
        towns = self.w.tree.townships(rng, county, n_towns)
        # villages spread over townships
        per = [n_vill // n_towns + (1 if i < n_vill % n_towns else 0) for i in range(n_towns)]
        for t, nv in zip(towns, per):
            tu = self._new_unit("township", t.full, "township", t, jur, None)
            for v in self.w.tree.villages(rng, t, nv):
                self._new_unit("village", v.full, "village", v, jur, tu.id)

