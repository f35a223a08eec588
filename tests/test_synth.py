"""The synthetic dataset generator: determinism, validity, ground truth, proportions.

Everything runs on county-scale data (about 50 units) generated once per
session, through the real loader and graph builder.
"""

from __future__ import annotations

import csv
import json
import math
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from xuncha import taxonomy
from xuncha.cli import main
from xuncha.graph.build import build_graph
from xuncha.graph.store import GraphStore
from xuncha.loaders.dataset import load_dataset
from xuncha.synth import GenerateError, generate
from xuncha.synth import model as M
from xuncha.synth.names import id_check


@pytest.fixture(scope="module")
def county(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("synth") / "county"
    generate(out, scale="county", seed=11)
    return out


@pytest.fixture(scope="module")
def ds(county):
    return load_dataset(county)


@pytest.fixture(scope="module")
def truth(county) -> dict:
    return json.loads((county / "truth.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def rows(ds) -> dict:
    return ds.records


@pytest.fixture(scope="module")
def store(rows) -> GraphStore:
    return GraphStore(build_graph(rows))


def _files(d: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(d.iterdir())}


def test_same_seed_same_bytes_and_other_seed_differs(county, tmp_path):
    generate(tmp_path / "again", scale="county", seed=11)
    generate(tmp_path / "other", scale="county", seed=12)
    a, b, c = _files(county), _files(tmp_path / "again"), _files(tmp_path / "other")
    assert a == b
    assert set(a) == set(c)
    assert a["issues.csv"] != c["issues.csv"]
    assert a["truth.json"] != c["truth.json"]


@pytest.mark.parametrize("scale,units,seed", [
    ("county", None, 1), ("county", None, 2), ("county", None, 7),
    ("county", 300, 1), ("county", 300, 7)])
def test_other_seeds_and_sizes_load_without_errors(tmp_path, scale, units, seed):
    # Regression (issue 3): a city's October regular round and its linked round
    # once shared an id, which duplicated team_members rows.  --units 300 is a
    # city-shaped world (two counties: linked and upgraded rounds).
    generate(tmp_path, scale=scale, units=units, seed=seed, truth=False)
    ds = load_dataset(tmp_path)
    assert ds.errors == []
    assert not ds.rejected
    if units:
        assert {r["round_kind"] for r in ds.records["rounds"]} >= {"linked", "upgraded"}


def test_all_twelve_ledgers_load_without_errors(ds):
    assert ds.errors == []
    assert sorted(ds.sources) == sorted(
        ["regions", "units", "cadres", "positions", "relations", "rounds", "teams",
         "team_members", "assignments", "issues", "leads", "actions"])
    assert not ds.rejected


def test_cli_generate_then_load(tmp_path):
    out = tmp_path / "ledgers"
    r = CliRunner().invoke(main, ["generate", "--units", "60", "--seed", "3", "-o", str(out)])
    assert r.exit_code == 0, r.output
    summary = json.loads(r.stdout)
    assert summary["rows"]["units"] == 60
    r = CliRunner().invoke(main, ["load", str(out), "-w", str(tmp_path / "ws"), "-q"])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "ws" / "graph.json").exists()


@pytest.mark.parametrize("fmt,headers", [("jsonl", "zh"), ("xlsx", "en")])
def test_other_formats_load_the_same_rows(tmp_path, fmt, headers):
    csv_dir, other = tmp_path / "csv", tmp_path / fmt
    generate(csv_dir, units=30, seed=5, truth=False)
    generate(other, units=30, seed=5, fmt=fmt, headers=headers, truth=False)
    a, b = load_dataset(csv_dir), load_dataset(other)
    assert b.errors == []
    assert a.records == b.records


def test_bad_arguments_are_clean_errors(tmp_path):
    with pytest.raises(GenerateError):
        generate(tmp_path, scale="planet")
    r = CliRunner().invoke(main, ["generate", "--units", "3", "-o", str(tmp_path / "x")])
    assert r.exit_code != 0 and "too small" in r.output and "Traceback" not in r.output


# -- realism -------------------------------------------------------------------

def test_scale_and_every_kind_present(rows):
    assert 45 <= len(rows["units"]) <= 55
    assert {u["unit_kind"] for u in rows["units"]} == set(taxonomy.UNIT_KIND)
    assert {r["round_kind"] for r in rows["rounds"]} == set(taxonomy.ROUND_KIND)
    assert {a["mode"] for a in rows["assignments"]} == set(taxonomy.ASSIGNMENT_MODE)
    assert {a["status"] for a in rows["actions"]} == set(taxonomy.RECT_STATUS)
    assert {a["action_kind"] for a in rows["actions"]} >= {
        "immediate_fix", "rectification", "rule_making", "funds_recovery", "accountability"}
    assert {i["category"] for i in rows["issues"]} == set(taxonomy.CATEGORY)
    assert {l["disposal"] for l in rows["leads"]} == set(taxonomy.DISPOSAL)


def test_names_repeat_but_ids_do_not(rows):
    names = Counter(c["name"] for c in rows["cadres"])
    assert names.most_common(1)[0][1] >= 2  # namesakes exist
    surnames = Counter(c["name"][0] for c in rows["cadres"])
    top = [s for s, _ in surnames.most_common(3)]
    assert set(top) <= {"王", "李", "张", "刘", "陈"}
    assert len({c["id"] for c in rows["cadres"]}) == len(rows["cadres"])


def test_region_codes_and_id_numbers(rows):
    for r in rows["regions"]:
        code = r["id"]
        assert code.isdigit() and len(code) in (6, 12)
        if r["level"] == "province":
            assert code.endswith("0000")
        if r.get("parent_id"):
            p = r["parent_id"]
            assert code.startswith(p.rstrip("0")[:len(p.rstrip("0"))] if len(p) == 6 else p[:9])
    for c in rows["cadres"][:200]:
        n = c["id_number"]
        assert len(n) == 18 and n[:6] == c["native_region_id"] and id_check(n[:17]) == n[17]


def test_one_principal_per_unit_at_a_time(rows):
    by_unit: dict[str, list] = {}
    for p in rows["positions"]:
        if p.get("is_principal"):
            by_unit.setdefault(p["unit_id"], []).append((p["start"], p.get("end") or "9999"))
    for spans in by_unit.values():
        spans.sort()
        for (s1, e1), (s2, _) in zip(spans, spans[1:]):
            assert e1 < s2


def test_principals_rotate_between_units(rows):
    units_led: dict[str, set] = {}
    for p in rows["positions"]:
        if p.get("is_principal"):
            units_led.setdefault(p["cadre_id"], set()).add(p["unit_id"])
    assert sum(1 for s in units_led.values() if len(s) >= 2) >= 3


def test_units_have_a_superior_hierarchy(rows):
    ids = {u["id"]: u for u in rows["units"]}
    villages = [u for u in rows["units"] if u["unit_kind"] == "village"]
    assert villages and all(ids[v["parent_id"]]["unit_kind"] == "township" for v in villages)
    assert sum(1 for u in rows["units"] if u.get("parent_id")) > len(villages)


def test_no_date_after_export_day(county):
    for path in county.glob("*.csv"):
        with open(path, encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                for k, v in row.items():
                    if k in ("start", "end", "found_date", "deadline", "completed_date",
                             "transfer_date", "case_filed_date", "closed_date") and v and k != "deadline":
                        assert v <= M.AS_OF, (path.name, k, v)


# -- proportions (the calibration in shared/domain.md) ---------------------------

def _within(name: str, value: float) -> None:
    lo, hi = M.RANGES[name]
    assert lo <= value <= hi, f"{name} = {value:.3f}, expected {lo}–{hi}"


def test_proportions(rows):
    issues, leads, actions = rows["issues"], rows["leads"], rows["actions"]
    units = {u["id"]: u["unit_kind"] for u in rows["units"]}
    rounds = {r["id"]: r for r in rows["rounds"]}
    per_visit = Counter((i["round_id"], i["unit_id"]) for i in issues
                        if rounds[i["round_id"]]["round_kind"] == "regular")
    depts = [n for (r, u), n in per_visit.items() if units[u] == "government_department"]
    villages = [n for (r, u), n in per_visit.items() if units[u] == "village"]
    _within("issues_per_dept_visit", sum(depts) / len(depts))
    _within("issues_per_village_visit", sum(villages) / len(villages))
    _within("leads_per_issue", len(leads) / len(issues))
    rec = Counter(l["transferred_to"] for l in leads)
    _within("commission_to_org", rec["discipline_commission"] / rec["organization_department"])
    _within("immediate_share", sum(1 for i in issues if i.get("immediate")) / len(issues))
    _within("case_share", sum(1 for l in leads if l.get("case_filed")) / len(leads))
    leads_per_unit = Counter(l["unit_id"] for l in leads)
    assert max(leads_per_unit.values()) / len({a["unit_id"] for a in rows["assignments"]}) < 50
    cases = [l for l in leads if l.get("case_filed")]
    sanctioned = sum(1 for l in cases if set(l.get("outcomes", ())) & taxonomy.SANCTIONS)
    assert sanctioned / len(cases) > 0.6


def test_rectification_rate_of_closed_rounds(rows):
    rounds = {r["id"]: r for r in rows["rounds"]}
    ok: dict[str, bool] = {}
    for a in rows["actions"]:
        if a.get("issue_id"):
            ok[a["issue_id"]] = ok.get(a["issue_id"], True) and a["status"] in taxonomy.RECTIFIED_STATUSES
    old = [i for i in rows["issues"] if rounds[i["round_id"]]["end"] < "2023-06-30"]
    rate = sum(1 for i in old if ok.get(i["id"])) / len(old)
    _within("rectified_closed_rounds", rate)
    overdue = [a for a in rows["actions"] if a["deadline"] < M.AS_OF
               and a["status"] in ("not_started", "in_progress")]
    assert overdue  # some actions are overdue


def test_teams(rows):
    size = Counter((m["round_id"], m["team_id"]) for m in rows["team_members"])
    _within("team_size", sum(size.values()) / len(size))
    load = Counter((a["round_id"], a["team_id"]) for a in rows["assignments"])
    _within("units_per_team", sum(load.values()) / len(load))
    roles = Counter(m["role"] for m in rows["team_members"])
    assert roles["leader"] == len(size)
    pools = Counter(p for c in rows["cadres"] for p in c.get("pools", ()))
    assert pools["巡察组长库"] and pools["巡察人才库"]


# -- ground truth ----------------------------------------------------------------

def test_truth_refers_only_to_existing_ids(truth, rows):
    ids = {k: {d["id"] for d in rows[k]} for k in ("units", "cadres", "issues", "leads", "rounds", "teams")}

    def check(kind, values):
        for v in values:
            if v is not None:
                assert v in ids[kind], (kind, v)

    for c in truth["clusters"]:
        check("issues", c["issue_ids"]); check("leads", c["lead_ids"])
        check("units", c["unit_ids"]); check("cadres", c["cadre_ids"])
    for c in truth["common"]:
        check("rounds", [c["round_id"]]); check("units", c["unit_ids"]); check("issues", c["issue_ids"])
    for r in truth["recurring"]:
        check("units", [r["unit_id"]]); check("rounds", [r["first_round_id"], r["later_round_id"]])
        check("issues", r["first_issue_ids"] + r["later_issue_ids"])
    for t in truth["trails"]:
        check("cadres", [t["cadre_id"]])
        for ten in t["tenures"]:
            check("units", [ten["unit_id"]]); check("issues", ten["issue_ids"])
    for c in truth["conflicts"]:
        check("rounds", [c["round_id"]]); check("teams", [c["team_id"]])
        check("units", [c["unit_id"]]); check("cadres", [c["cadre_id"]])
    for n in truth["near_misses"]:
        for key, kind in (("cadre_id", "cadres"), ("unit_id", "units"), ("round_id", "rounds")):
            if key in n:
                check(kind, [n[key]])


def test_every_pattern_is_present(truth):
    assert len(truth["clusters"]) >= 5
    assert {c["kind"] for c in truth["clusters"]} >= {"same_cadre", "kinship", "colleague"}
    assert any(c["planted"] for c in truth["common"])
    assert any(r["planted"] for r in truth["recurring"])
    assert truth["trails"]
    assert {c["ground"] for c in truth["conflicts"]} == {"kinship", "employment", "native_place", "local"}
    assert {n["pattern"] for n in truth["near_misses"]} >= {"clusters", "conflicts"}


def test_clusters_are_linked_in_the_graph(truth, store):
    """Every planted cluster spans 2+ units and is connected through its cadres:
    each link is the same person, or a RELATED_TO edge between the two."""
    for c in truth["clusters"]:
        assert len(c["unit_ids"]) >= 2
        implicated = set()
        for iid in c["issue_ids"]:
            implicated |= set(store.targets(f"issue:{iid}", "IMPLICATES"))
        for lid in c["lead_ids"]:
            implicated |= set(store.targets(f"lead:{lid}", "CONCERNS"))
        assert {f"cadre:{x}" for x in c["cadre_ids"]} <= implicated
        for link in c["links"]:
            if link["kind"] == "same_cadre":
                units = {store.node(f"issue:{i}")["unit_id"] for i in c["issue_ids"]
                         if f"cadre:{link['cadre_id']}" in store.targets(f"issue:{i}", "IMPLICATES")}
                assert len(units) >= 2
            else:
                a, b = f"cadre:{link['cadre_id']}", f"cadre:{link['other_id']}"
                kinds = {store.graph.edges[e]["relation_kind"] for e in
                         list(store.graph.edges(a, keys=True)) + list(store.graph.edges(b, keys=True))
                         if e[1] in (a, b) and store.graph.edges[e]["kind"] == "RELATED_TO"}
                assert link["kind"] in kinds


def test_cluster_related_sets_are_exhaustive(truth, store):
    """Each member's ``related`` set, recomputed over the graph: the other
    members, leads of the same issue, and items implicating a cadre within two
    RELATED_TO hops of one the member implicates."""

    def implicated(item):
        return set(store.targets(item, "IMPLICATES")) | set(store.targets(item, "CONCERNS"))

    def items_of(cadre):
        return set(store.sources(cadre, "IMPLICATES")) | set(store.sources(cadre, "CONCERNS"))

    def ties(cadre):
        return set(store.targets(cadre, "RELATED_TO")) | set(store.sources(cadre, "RELATED_TO"))

    namesakes = {f"issue:{i}" for n in truth["near_misses"] if n["pattern"] == "clusters"
                 for i in n["issue_ids"]}
    sizes = []
    for c in truth["clusters"]:
        members = {f"issue:{i}" for i in c["issue_ids"]} | {f"lead:{i}" for i in c["lead_ids"]}
        assert {m.partition(":")[2] for m in members} == set(c["related"])
        for m in members:
            want = set(members)
            if m.startswith("issue:"):
                want |= set(store.sources(m, "RAISED_FROM"))
            for i in store.targets(m, "RAISED_FROM"):
                want |= {i} | set(store.sources(i, "RAISED_FROM"))
            people = implicated(m)
            for _ in range(2):
                people |= {o for p in people for o in ties(p)}
            for p in people:
                want |= items_of(p)
            want.discard(m)
            got = c["related"][m.partition(":")[2]]
            assert {f"issue:{i}" for i in got["issue_ids"]} | {f"lead:{i}" for i in got["lead_ids"]} == want
            assert not want & namesakes  # the look-alikes stay out
            sizes.append(len(want))
    assert max(sizes) > min(sizes)  # ordinary related items do get in


def test_namesakes_are_not_related(truth, store):
    near = [n for n in truth["near_misses"] if n["kind"] in ("same_name_unrelated", "same_surname_unrelated")]
    clusters = {c["id"]: c for c in truth["clusters"]}
    for n in near:
        x = f"cadre:{n['cadre_id']}"
        others = {f"cadre:{c}" for c in clusters[n["cluster_id"]]["cadre_ids"]}
        assert x not in others
        neighbours = set(store.graph.successors(x)) | set(store.graph.predecessors(x))
        assert not neighbours & others
        if n["kind"] == "same_name_unrelated":
            assert store.node(x)["name"] == store.node(f"cadre:{n['lookalike_of']}")["name"]


def _recompute_trails(rows) -> set[str]:
    """The trail definition, written independently over the loaded records."""
    found: dict[str, list[str]] = {}
    for i in rows["issues"]:
        found.setdefault(i["unit_id"], []).append(i["found_date"])
    units_with: dict[str, set] = {}
    for p in rows["positions"]:
        if p.get("is_principal"):
            end = p.get("end", "9999-12-31")
            if any(p["start"] <= d <= end for d in found.get(p["unit_id"], ())):
                units_with.setdefault(p["cadre_id"], set()).add(p["unit_id"])
    return {c for c, us in units_with.items() if len(us) >= 2}


def test_trails_are_exhaustive(truth, rows):
    assert {t["cadre_id"] for t in truth["trails"]} == _recompute_trails(rows)


def test_common_problems_are_exhaustive_and_above_threshold(truth, rows):
    units_in: dict[str, set] = {}
    for a in rows["assignments"]:
        units_in.setdefault(a["round_id"], set()).add(a["unit_id"])
    hits: dict[tuple, set] = {}
    for i in rows["issues"]:
        hits.setdefault((i["round_id"], i["subcategory"]), set()).add(i["unit_id"])
    expected = {k for k, us in hits.items()
                if len(us) >= max(M.COMMON_MIN_UNITS, math.ceil(M.COMMON_MIN_SHARE * len(units_in[k[0]])))}
    assert {(c["round_id"], c["subcategory"]) for c in truth["common"]} == expected
    # ordinary rounds stay below the threshold: what is common was planted
    assert sum(1 for c in truth["common"] if c["planted"]) >= len(truth["common"]) * 0.8


def test_conflicts_hold_in_the_data(truth, rows):
    posts = {}
    for p in rows["positions"]:
        posts.setdefault((p["cadre_id"], p["unit_id"]), []).append(p)
    kin = {(r["cadre_id"], r["other_id"]) for r in rows["relations"]
           if r["relation_kind"] in taxonomy.KIN_RELATIONS}
    members = {(m["round_id"], m["team_id"], m["cadre_id"]) for m in rows["team_members"]}
    for c in truth["conflicts"]:
        if c["cadre_id"] is not None:
            assert (c["round_id"], c["team_id"], c["cadre_id"]) in members
        ev = c["evidence"]
        if c["ground"] == "employment":
            assert posts[(c["cadre_id"], c["unit_id"])]
            assert all(p["end"] is None or p["end"] >= ev["window_start"] for p in ev["positions"])
        elif c["ground"] == "kinship":
            pair = (c["cadre_id"], ev["principal_id"])
            assert pair in kin or pair[::-1] in kin
    for n in truth["near_misses"]:
        if n["kind"] == "employment_outside_window":
            key = (n["round_id"], n["team_id"], n["unit_id"], n["cadre_id"], "employment")
            assert key not in {(c["round_id"], c["team_id"], c["unit_id"], c["cadre_id"], c["ground"])
                               for c in truth["conflicts"]}
