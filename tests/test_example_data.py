"""The bundled example dataset (examples/county, examples/county.xlsx).

Both forms validate without errors, build the very same graph, are what
``scripts/make_example.py`` writes today, and hold the demo stories that
``examples/county/README.md`` promises.
"""

from __future__ import annotations

import filecmp
import importlib.util
import shutil
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from xuncha import taxonomy
from xuncha.graph.build import build_graph
from xuncha.graph.schema import LEDGERS
from xuncha.loaders.dataset import load_dataset

ROOT = Path(__file__).resolve().parents[1]
CSV_DIR = ROOT / "examples" / "county"
XLSX = ROOT / "examples" / "county.xlsx"


@pytest.fixture(scope="module")
def csv_ds():
    return load_dataset(CSV_DIR)


@pytest.fixture(scope="module")
def xlsx_ds(tmp_path_factory):
    d = tmp_path_factory.mktemp("xlsx")
    shutil.copy(XLSX, d)
    return load_dataset(d)


@pytest.fixture(scope="module")
def g(csv_ds):
    return build_graph(csv_ds.records)


def _only_expected_warnings(ds):
    assert ds.errors == []
    # The latest round has a few issues without an action yet; nothing else.
    assert ds.warnings, "expected the 'no action yet' warnings of the latest round"
    for w in ds.warnings:
        assert "no rectification action" in w.reason, str(w)
        assert w.value.startswith("R2024-1-"), str(w)


def test_csv_directory_validates(csv_ds):
    assert set(csv_ds.sources) == set(LEDGERS)
    assert all(s.endswith(".csv") for s in csv_ds.sources.values())
    _only_expected_warnings(csv_ds)


def test_csv_has_bom_and_chinese_headers():
    data = (CSV_DIR / "issues.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    header = data[3:].decode("utf-8").splitlines()[0].split(",")
    assert header[:3] == [LEDGERS["issues"].field(f).zh for f in ("id", "round_id", "unit_id")]


def test_xlsx_validates_and_skips_title_rows(xlsx_ds):
    assert set(xlsx_ds.sources) == set(LEDGERS)
    assert xlsx_ds.sources["issues"] == "county.xlsx[问题台账]"
    _only_expected_warnings(xlsx_ds)
    # Title row, blank row, header: the first issue is on spreadsheet row 4.
    assert xlsx_ds.rows["issues"][0].row == 4
    assert xlsx_ds.rows["units"][0].row == 2


def test_csv_and_xlsx_build_identical_graphs(csv_ds, xlsx_ds, g):
    gx = build_graph(xlsx_ds.records)
    assert dict(g.nodes(data=True)) == dict(gx.nodes(data=True))
    edges = lambda graph: sorted((u, v, k, sorted(d.items(), key=str))  # noqa: E731
                                 for u, v, k, d in graph.edges(keys=True, data=True))
    assert edges(g) == edges(gx)
    assert g.number_of_edges() == gx.number_of_edges() > 2000


def test_leading_zero_codes_survive(csv_ds, xlsx_ds):
    for ds in (csv_ds, xlsx_ds):
        ids = {r["id"] for r in ds.records["units"]}
        assert "0101" in ids and "101" not in ids
        assert all(r["unit_id"].startswith("0") for r in ds.records["issues"])


def test_script_reproduces_bundled_csv(tmp_path):
    spec = importlib.util.spec_from_file_location("make_example", ROOT / "scripts" / "make_example.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["make_example"] = mod  # dataclasses look their module up
    try:
        spec.loader.exec_module(mod)
    finally:
        del sys.modules["make_example"]
    assert mod.main(["--out", str(tmp_path)]) == 0
    names = sorted(p.name for p in CSV_DIR.glob("*.csv"))
    match, mismatch, errors = filecmp.cmpfiles(CSV_DIR, tmp_path / "county", names, shallow=False)
    assert mismatch == [] and errors == [], "run scripts/make_example.py to refresh examples/"
    assert (tmp_path / "county.xlsx").read_bytes() == XLSX.read_bytes()


def test_calibration(g):
    """Shape as in domain.md's public figures."""
    issues = [d for _, d in g.nodes(data=True) if d["kind"] == "issue"]
    leads = [d for _, d in g.nodes(data=True) if d["kind"] == "lead"]
    actions = [d for _, d in g.nodes(data=True) if d["kind"] == "action"]
    assert 150 <= len(issues) <= 250
    assert {d["category"] for d in issues} == set(taxonomy.CATEGORY)
    imm = sum(bool(d.get("immediate")) for d in issues) / len(issues)
    assert 0.12 <= imm <= 0.22
    to_cdi = sum(d["transferred_to"] == "discipline_commission" for d in leads)
    to_org = sum(d["transferred_to"] == "organization_department" for d in leads)
    assert 3 <= to_cdi / to_org <= 8
    filed = sum(bool(d.get("case_filed")) for d in leads) / len(leads)
    assert 0.12 <= filed <= 0.25
    outcomes = [o for d in leads for o in d.get("outcomes", [])]
    assert {"party_expulsion", "gov_discharge", "org_handling"} <= set(outcomes)
    assert {d["status"] for d in actions} == set(taxonomy.RECT_STATUS)
    assert {d["action_kind"] for d in actions} == set(taxonomy.ACTION_KIND)
    # Older rounds 93–99% rectified, the latest clearly less.
    by_round = defaultdict(list)
    acts = defaultdict(list)
    for a in actions:
        if a.get("issue_id"):
            acts[a["issue_id"]].append(a["status"])
    for d in issues:
        st = acts.get(d["id"], [])
        by_round[d["round_id"]].append(bool(st) and all(s in taxonomy.RECTIFIED_STATUSES for s in st))
    rates = {r: sum(v) / len(v) for r, v in by_round.items()}
    latest = max(rates)
    for r, rate in rates.items():
        if r != latest:
            assert 0.9 <= rate <= 0.99, (r, rate)
    assert rates[latest] < 0.8


# -- the demo stories ---------------------------------------------------------


def _nodes(g, kind):
    return [(n, d) for n, d in g.nodes(data=True) if d["kind"] == kind]


def _issues_in(g, unit):
    return [d for n, d in _nodes(g, "issue") if d["unit_id"] == unit]


def _principal_posts(g, cadre):
    return [(v, d) for _, v, d in g.out_edges(cadre, data=True)
            if d["kind"] == "HELD_POSITION" and d.get("is_principal")]


def _covers(post, date):
    return post["start"] <= date and (post.get("end") is None or date <= post["end"])


def _kin(g, a, b):
    for u, v in ((a, b), (b, a)):
        for d in g.get_edge_data(u, v, default={}).values():
            if d["kind"] == "RELATED_TO" and d["relation_kind"] in taxonomy.KIN_RELATIONS:
                return True
    return False


def _cadre(g, name):
    hits = [n for n, d in _nodes(g, "cadre") if d["name"] == name]
    assert len(hits) == 1, hits
    return hits[0]


def test_story_problem_trail(g):
    """周志强 was principal of 民政局 then 柳溪镇; both had issues on his watch."""
    zhou = _cadre(g, "周志强")
    units_with_issues = set()
    for unit, post in _principal_posts(g, zhou):
        raw = unit.partition(":")[2]
        if any(_covers(post, i["found_date"]) for i in _issues_in(g, raw)):
            units_with_issues.add(unit)
    assert units_with_issues == {"unit:0102", "unit:0402"}


def test_story_recurrence(g):
    """财政局's eight-point issue was rectified in 2021 and found again at the look-back."""
    rounds = dict(_nodes(g, "round"))
    found = _issues_in(g, "0101")
    eight = [i for i in found if i.get("subcategory") == "eight_point_rules"]
    first = [i for i in eight if rounds[f"round:{i['round_id']}"]["round_kind"] == "regular"]
    again = [i for i in eight if rounds[f"round:{i['round_id']}"]["round_kind"] == "lookback"]
    assert first and again
    for i in first:
        statuses = [g.nodes[a]["status"] for a, _, d in g.in_edges(f"issue:{i['id']}", data=True)
                    if d["kind"] == "ADDRESSES"]
        assert "closed" in statuses and all(s in taxonomy.RECTIFIED_STATUSES for s in statuses)
        assert i["found_date"] < again[0]["found_date"]


def test_story_common_problem(g):
    units = defaultdict(set)
    for _, d in _nodes(g, "issue"):
        units[(d["round_id"], d.get("subcategory"))].add(d["unit_id"])
    assert len(units[("R2022-1", "social_assistance")]) >= 4


def test_story_related_cases(g):
    """Issues in 县城投集团 and 自然资源局 implicate in-laws 贾明 and 刘志远."""
    jia, liu = _cadre(g, "贾明"), _cadre(g, "刘志远")
    assert _kin(g, jia, liu)
    units = {}
    for c in (jia, liu):
        hits = [n for n, _, d in g.in_edges(c, data=True) if d["kind"] == "IMPLICATES"]
        assert hits, c
        units[c] = {g.nodes[h]["unit_id"] for h in hits}
    assert units[jia] == {"0301"} and units[liu] == {"0104"}


def test_story_conflicts_of_interest(g):
    """An inspector is kin of a principal of a unit their team inspects; another
    inspector left the unit less than a year before his team inspected it."""
    rounds = dict(_nodes(g, "round"))
    inspected = defaultdict(set)  # (round, team) -> units
    for t, u, d in g.edges(data=True):
        if d["kind"] == "INSPECTED":
            inspected[(d["round_id"], t)].add(u)
    kin_hits, worked_hits = set(), set()
    for c, t, d in g.edges(data=True):
        if d["kind"] != "MEMBER_OF":
            continue
        start = rounds[f"round:{d['round_id']}"]["start"]
        for u in inspected[(d["round_id"], t)]:
            for p, _, pd in g.in_edges(u, data=True):
                if pd["kind"] == "HELD_POSITION" and pd.get("is_principal") and _covers(pd, start) \
                        and _kin(g, c, p):
                    kin_hits.add((g.nodes[c]["name"], u))
            for _, uu, pd in g.out_edges(c, data=True):
                if uu == u and pd["kind"] == "HELD_POSITION" and pd.get("end") and \
                        pd["end"] <= start and int(start[:4]) - int(pd["end"][:4]) <= 3:
                    worked_hits.add((g.nodes[c]["name"], u))
    assert kin_hits == {("赵丽", "unit:0403")}
    assert worked_hits == {("梁晓东", "unit:0101")}


def test_same_name_people_told_apart_by_id(g):
    wangs = [n for n, d in _nodes(g, "cadre") if d["name"] == "王建国"]
    assert len(wangs) == 2
    units = [{v for _, v, d in g.out_edges(w, data=True) if d["kind"] == "HELD_POSITION"} for w in wangs]
    assert units[0] != units[1]


def test_readme_names_only_what_exists(g):
    """Every issue, lead, cadre and unit id the dataset README cites is in the graph."""
    import re

    text = (CSV_DIR / "README.md").read_text(encoding="utf-8")
    text = re.sub(r"```.*?```", "", text, flags=re.S)  # code blocks
    cited = set()
    for raw in re.findall(r"`([^`\n]+)`", text):
        if re.fullmatch(r"R\d{4}-\d-\d{3}", raw):
            cited.add(f"issue:{raw}")
        elif re.fullmatch(r"XS\d{4}-\d{3}", raw):
            cited.add(f"lead:{raw}")
        elif re.fullmatch(r"C\d{3}", raw):
            cited.add(f"cadre:{raw}")
        elif re.fullmatch(r"(cadre|unit):\w+", raw):
            cited.add(raw)
    assert len(cited) > 15
    assert sorted(n for n in cited if n not in g) == []
