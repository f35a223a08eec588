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
    generate(tmp_path, scale=scale, units=units, seed=seed)
    ds = load_dataset(tmp_path)
    assert ds.errors == []
    assert not ds.rejected
    # every near miss is planted at every size and seed
    truth = json.loads((tmp_path / "truth.json").read_text(encoding="utf-8"))
    kinds = {n["kind"] for n in truth["near_misses"]}
    assert kinds >= {"newcomer_principal", "left_before_inspection", "shared_team", "rare_cluster"}
    assert kinds & {"same_name_unrelated", "same_surname_unrelated"}
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
    assert (tmp_path / "ws" / "graph.db").exists()


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


# -- ground truth: the world's facts (truth.json v3) --------------------------------

def _table(truth, name):
    return [dict(zip(truth["columns"][name], row)) for row in truth[name]]


def test_truth_refers_only_to_existing_ids(truth, rows):
    ids = {k: {d["id"] for d in rows[k]} for k in ("units", "cadres", "issues", "leads", "rounds", "teams")}

    def check(kind, values):
        for v in values:
            if v is not None:
                assert v in ids[kind], (kind, v)

    assert truth["version"] == 3
    for s in truth["stories"]:
        check("issues", s["issue_ids"]); check("leads", s["lead_ids"])
        check("units", s["unit_ids"]); check("cadres", s["actors"])
    for f in _table(truth, "findings"):
        check("issues", [f["issue_id"]]); check("units", [f["unit_id"]])
        check("cadres", f["actors"] + f["responsible"])
    assert len(truth["findings"]) == len(rows["issues"])
    for l in _table(truth, "leads"):
        check("leads", [l["lead_id"]]); check("issues", l["issue_ids"])
        check("cadres", l["actors"] + l["responsible"])
    for t in _table(truth, "ties"):
        check("cadres", [t["cadre_id"], t["other_id"]]); check("units", [t["via_unit_id"]])
    for x in _table(truth, "inspections"):
        check("rounds", [x["round_id"]]); check("teams", [x["team_id"]]); check("units", [x["unit_id"]])
        check("cadres", [p[0] for p in x["principals"]])
    for c in truth["common"]:
        check("rounds", [c["round_id"]]); check("units", c["unit_ids"]); check("issues", c["issue_ids"])
    for c in truth["conflicts"]:
        check("rounds", [c["round_id"]]); check("teams", [c["team_id"]])
        check("units", [c["unit_id"]]); check("cadres", [c["cadre_id"]])
    for n in truth["near_misses"]:
        for key, kind in (("cadre_id", "cadres"), ("unit_id", "units"), ("round_id", "rounds")):
            if key in n:
                check(kind, [n[key]])


def test_every_story_and_near_miss_is_present(truth):
    assert len(truth["stories"]) >= 5
    assert {s["kind"] for s in truth["stories"]} >= {"same_cadre", "kinship", "colleague"}
    assert any(c["planted"] for c in truth["common"])
    assert any(r["planted"] for r in truth["recurring"])
    assert {c["ground"] for c in truth["conflicts"]} == {"kinship", "employment", "native_place", "local"}
    kinds = {n["kind"] for n in truth["near_misses"]}
    assert kinds >= {"newcomer_principal", "left_before_inspection", "shared_team", "rare_cluster"}
    assert kinds & {"same_name_unrelated", "same_surname_unrelated"}
    assert sum(len(s["pairs"]) for s in truth["stories"]) >= 5


def test_stories_hold_in_the_graph(truth, store):
    """Each story's people are named in its findings; each link is a RELATED_TO
    edge; each planted evidence pair is a walk over real edges."""
    for s in truth["stories"]:
        assert len(s["unit_ids"]) >= 2
        implicated = set()
        for iid in s["issue_ids"]:
            implicated |= set(store.targets(f"issue:{iid}", "IMPLICATES"))
        for lid in s["lead_ids"]:
            implicated |= set(store.targets(f"lead:{lid}", "CONCERNS"))
        assert {f"cadre:{x}" for x in s["actors"]} <= implicated
        for link in s["links"]:
            if link["kind"] != "same_cadre":
                a, b = f"cadre:{link['cadre_id']}", f"cadre:{link['other_id']}"
                kinds = {d["relation_kind"] for _, v, d in store.graph.out_edges(a, data=True)
                         if v == b and d["kind"] == "RELATED_TO"}
                kinds |= {d["relation_kind"] for _, v, d in store.graph.out_edges(b, data=True)
                          if v == a and d["kind"] == "RELATED_TO"}
                assert link["kind"] in kinds
        for p in s["pairs"]:
            for x, y in zip(p["nodes"], p["nodes"][1:]):
                assert store.graph.has_edge(x, y) or store.graph.has_edge(y, x), (x, y)


def _days(iso):
    import datetime as dt
    return dt.date.fromisoformat(iso).toordinal()


def test_responsibility_follows_the_posts(truth, rows):
    """Recomputed from the positions ledger: the principals who held the post
    for at least 183 days of a finding's conduct are exactly its responsible;
    conduct lies inside the inspection period; dated conduct is in the text."""
    heads: dict[str, list] = {}
    for p in rows["positions"]:
        if p.get("is_principal"):
            heads.setdefault(p["unit_id"], []).append(p)
    end_of_data = _days(M.AS_OF)
    descr = {i["id"]: i["description"] for i in rows["issues"]}
    dated = 0
    for f in _table(truth, "findings"):
        cs, ce = _days(f["conduct_start"]), _days(f["conduct_end"])
        assert cs <= ce
        want = set()
        for p in heads.get(f["unit_id"], ()):
            s, e = _days(p["start"]), _days(p["end"]) if p.get("end") else end_of_data
            if min(e, ce) - max(s, cs) + 1 >= 183:
                want.add(p["cadre_id"])
        assert set(f["responsible"]) == want, f
        if f["dated"]:
            dated += 1
            assert f["conduct_start"][:4] + "年" in descr[f["issue_id"]]
    assert dated > len(truth["findings"]) * 0.2


def test_tenure_near_misses(truth):
    insp = {(x["round_id"], x["unit_id"]): x for x in _table(truth, "inspections")}
    seen = set()
    for n in truth["near_misses"]:
        if n["pattern"] != "responsibility":
            continue
        x = insp[(n["round_id"], n["unit_id"])]
        heads = {p[0]: p for p in x["principals"]}
        if n["kind"] == "newcomer_principal":
            assert 14 <= n["days_before_arrival"] <= 42
            assert not heads[n["cadre_id"]][4]  # not responsible for the period
        else:
            assert 60 <= n["days_before_arrival"] <= 150
            assert heads[n["cadre_id"]][4]  # still responsible
        seen.add(n["kind"])
    assert seen == {"newcomer_principal", "left_before_inspection"}


def _body(text: str) -> str:
    """A description without its time frame (2019年至2021年，…)."""
    return text.split("，", 1)[1] if text[:4].isdigit() else text


def test_namesakes_share_wording_but_nothing_else(truth, store, rows):
    near = [n for n in truth["near_misses"] if n["kind"] in ("same_name_unrelated", "same_surname_unrelated")]
    assert near
    stories = {s["id"]: s for s in truth["stories"]}
    text = {i["id"]: i["description"] for i in rows["issues"]}
    for n in near:
        x = f"cadre:{n['cadre_id']}"
        others = {f"cadre:{c}" for c in stories[n["cluster_id"]]["actors"]}
        assert x not in others
        neighbours = set(store.graph.successors(x)) | set(store.graph.predecessors(x))
        assert not neighbours & others
        assert _body(text[n["issue_ids"][0]]) == _body(text[n["template_of"]])
        if n["kind"] == "same_name_unrelated":
            assert store.node(x)["name"] == store.node(f"cadre:{n['lookalike_of']}")["name"]


def test_rare_cluster_is_exactly_three_units(truth, rows):
    for n in truth["near_misses"]:
        if n["kind"] == "rare_cluster":
            units = {i["unit_id"] for i in rows["issues"]
                     if i["round_id"] == n["round_id"] and i["subcategory"] == n["subcategory"]}
            assert units == set(n["unit_ids"]) and len(units) == 3


# -- realistic text, bodies and posts ---------------------------------------------

def test_descriptions_are_varied_and_name_the_implicated(rows):
    issues = rows["issues"]
    assert len({i["description"] for i in issues}) > 0.6 * len(issues)
    names = {c["id"]: c["name"] for c in rows["cadres"]}
    compound = ("欧阳", "司马", "诸葛", "上官")
    for i in issues:
        if "某" in i["description"]:
            assert i["cadre_ids"], i  # a person in the text is a person in the ledger
            surnames = [names[c][:2] if names[c][:2] in compound else names[c][0] for c in i["cadre_ids"]]
            assert any(s + "某" in i["description"] for s in surnames), i


def test_findings_fit_the_unit(rows):
    units = {u["id"]: u for u in rows["units"]}
    for i in rows["issues"]:
        u = units[i["unit_id"]]
        if i["subcategory"] == "judicial_enforcement":
            assert u["unit_kind"] in ("court", "procuratorate", "public_security") or "司法局" in u["name"], u
        if i["subcategory"] == "social_assistance":
            assert u["unit_kind"] not in ("court", "procuratorate", "public_security", "school",
                                          "hospital", "state_enterprise"), u
        assert "特困" not in i["description"] or u["unit_kind"] in ("township", "village") or \
            any(w in u["name"] for w in ("民政", "乡村振兴", "医疗保障", "退役军人", "红十字", "总工会", "妇女"))


def test_no_post_or_inspection_before_the_body_existed(tmp_path):
    generate(tmp_path, units=300, seed=2, truth=False)  # city-shaped: every department template
    rows = load_dataset(tmp_path).records
    units = {u["id"]: u for u in rows["units"]}
    rounds = {r["id"]: r for r in rows["rounds"]}
    first = {u["id"] for word, _, _ in M.FOUNDED for u in units.values() if word in u["name"]}
    assert any("乡村振兴局" in units[u]["name"] for u in first)
    for p in rows["positions"]:
        if "乡村振兴局" in units[p["unit_id"]]["name"]:
            assert p["start"] >= "2020-09", p
        elif p["unit_id"] in first:
            assert p["start"] >= "2018-06", p
    for a in rows["assignments"]:
        if "乡村振兴局" in units[a["unit_id"]]["name"]:
            assert (a.get("start") or rounds[a["round_id"]]["start"]) >= "2020-09"


def test_posts_fit_the_level_and_family_names(rows):
    units = {u["id"]: u for u in rows["units"]}
    for p in rows["positions"]:
        name = units[p["unit_id"]]["name"]
        if units[p["unit_id"]]["unit_kind"] == "township":
            if name.endswith("乡"):
                assert "镇" not in p["title"], p
            if name.endswith("街道"):
                assert "镇" not in p["title"] and "乡" not in p["title"], p
            if name.endswith("镇"):
                assert "乡" not in p["title"], p
    names = {c["id"]: c["name"] for c in rows["cadres"]}
    sib = [r for r in rows["relations"] if r["relation_kind"] == "sibling"]
    assert sib
    for r in sib:
        assert names[r["cadre_id"]][0] == names[r["other_id"]][0], r


def test_id_numbers_match_birth_and_gender(rows):
    for c in rows["cadres"]:
        n = c["id_number"]
        assert id_check(n[:17]) == n[17]
        assert n[6:12] == c["birth_date"][:7].replace("-", "")
        assert int(n[16]) % 2 == (1 if c["gender"] == "male" else 0)


def test_at_most_two_principals_at_once(rows):
    import collections
    events = collections.defaultdict(list)
    for p in rows["positions"]:
        if p.get("is_principal"):
            events[p["unit_id"]].append((p["start"], 1))
            events[p["unit_id"]].append((p.get("end") or "9999", -1))
    for ev in events.values():
        n = 0
        for _, d in sorted(ev, key=lambda x: (x[0], -x[1])):
            n += d
            assert n <= 2


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

