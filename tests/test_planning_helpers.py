"""Small hand-built worlds for the planning tests (no tests here).

:func:`world` writes ledgers as CSV into a directory, loads them through the
real loader and graph builder, and returns the store: tests state only the
rows that matter to them, on top of a fixed skeleton of regions:

    330000 province ─ 330100 city ─ 330101 / 330102 / 330103 / 330104 counties
                                    330101001 township (in 330101)
"""

from __future__ import annotations

import csv
from pathlib import Path

from xuncha.graph.build import build_graph
from xuncha.graph.store import GraphStore
from xuncha.loaders import load_dataset
from xuncha.planning.index import PlanningIndex
from xuncha.planning.policy import load_policy

REGIONS = [
    {"id": "330000", "name": "浙江省", "level": "province"},
    {"id": "330100", "name": "临安市", "level": "city", "parent_id": "330000"},
    {"id": "330101", "name": "东湖区", "level": "county", "parent_id": "330100"},
    {"id": "330102", "name": "西山县", "level": "county", "parent_id": "330100"},
    {"id": "330103", "name": "南岭县", "level": "county", "parent_id": "330100"},
    {"id": "330104", "name": "北川县", "level": "county", "parent_id": "330100"},
    {"id": "330101001", "name": "东湖区青石镇", "level": "township", "parent_id": "330101"},
]

COLUMNS = {
    "regions": ["id", "name", "level", "parent_id"],
    "units": ["id", "name", "kind", "level", "region_id", "parent_id"],
    "cadres": ["id", "name", "native_region_id", "specialties"],
    "positions": ["cadre_id", "unit_id", "title", "is_principal", "start", "end"],
    "relations": ["cadre_id", "other_id", "kind"],
    "rounds": ["id", "name", "committee_region_id", "level", "kind", "topic", "start", "end"],
    "teams": ["id", "name", "level", "home_region_id", "capacity"],
    "team_members": ["round_id", "team_id", "cadre_id", "role"],
    "assignments": ["round_id", "team_id", "unit_id", "mode", "start", "end"],
    "issues": ["id", "round_id", "unit_id", "category", "subcategory", "description"],
}


def write(directory: Path, ledgers: dict[str, list[dict]]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    ledgers = {"regions": REGIONS, **ledgers}
    for name, rows in ledgers.items():
        cols = COLUMNS[name]
        with open(directory / f"{name}.csv", "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(cols)
            for r in rows:
                w.writerow(["" if r.get(c) is None else r.get(c) for c in cols])
    return directory


def world(directory: Path, **ledgers) -> GraphStore:
    ds = load_dataset(write(directory, ledgers))
    assert not ds.errors, [str(p) for p in ds.errors]
    return GraphStore(build_graph(ds.records))


def index(store: GraphStore, policy_file=None, **modes) -> PlanningIndex:
    return PlanningIndex(store, load_policy(policy_file, modes or None))


def cadre(i, name=None, native=None, specialties=""):
    return {"id": i, "name": name or f"干部{i}", "native_region_id": native, "specialties": specialties}


def unit(i, region="330102", kind="government_department", level="county", parent=None, name=None):
    return {"id": i, "name": name or f"单位{i}", "kind": kind, "level": level, "region_id": region,
            "parent_id": parent}


def team(i, home="330101", level="county", capacity=3):
    return {"id": i, "name": f"巡察组{i}", "level": level, "home_region_id": home, "capacity": capacity}


def post(c, u, title="局长", principal=True, start="2015-01-01", end=None):
    return {"cadre_id": c, "unit_id": u, "title": title, "is_principal": "是" if principal else "否",
            "start": start, "end": end}
