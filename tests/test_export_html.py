"""The html export in real headless Chromium (Debian's ``chromium``), via Playwright.

The page must render offline from a file:// URL, show exactly the exported
nodes and edges, and fill its properties panel when a node is clicked.  The
case picture (``--case``) must mark its seed, draw one reason edge per
related case, count the collapsed context, filter by date and save a PNG; a
page made from hostile strings must render them as text.  Screenshots are
saved to ``test-artifacts/``.  Chromium (and a CJK font) come from Debian's
packages; ``.ci/run`` installs them as a visible, named step, and the test
skips with the reason (and the install command) where Chromium is absent:
running the tests never installs anything.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import warnings
from pathlib import Path

import pytest

from xuncha.export import Selection, export
from xuncha.graph.build import build_graph
from xuncha.graph.store import GraphStore
from xuncha.loaders.dataset import load_dataset

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _has_cjk_font() -> bool:
    try:
        out = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return bool(out.stdout.strip())


@pytest.fixture(scope="session")
def chromium() -> str:
    """Path of Debian's Chromium; the test skips (saying how to install it) when absent.

    Nothing is installed from here: ``.ci/run`` installs ``chromium`` and a CJK
    font as a visible, named step; on another machine,
    ``sudo apt-get install -y chromium fonts-wqy-microhei``.
    """
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"browser test skipped: Debian's Chromium is not installed ({CHROMIUM} "
                    "missing); install it with `sudo apt-get install -y chromium "
                    "fonts-wqy-microhei` (.ci/run does this as a named step)")
    if not _has_cjk_font():
        warnings.warn("no CJK font (fonts-wqy-microhei): Chinese labels render as boxes in the "
                      "screenshot; the checks still run")
    return CHROMIUM


@pytest.fixture(scope="module")
def county_store() -> GraphStore:
    ds = load_dataset(ROOT / "examples" / "county")
    assert not ds.errors
    return GraphStore(build_graph(ds.records))


@pytest.fixture(scope="module")
def browser(chromium, tmp_path_factory):
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install -e '.[test]'")
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_api.sync_playwright() as pw:
        ctx = pw.chromium.launch_persistent_context(
            str(profile), executable_path=chromium, headless=True, args=FLAGS,
            viewport={"width": 1400, "height": 900}, locale="zh-CN")
        try:
            yield ctx
        finally:
            ctx.close()


def _ego_export(store, tmp_path, redact=None):
    cadre = max((n for n, _ in store.nodes("cadre")), key=lambda n: store.graph.degree(n))
    out = tmp_path / "case.html"
    res = export(store, "html", out, Selection(around=[cadre], hops=2), redact=redact)
    return cadre, out, res


def test_html_renders_in_chromium(browser, county_store, tmp_path):
    cadre, out, res = _ego_export(county_store, tmp_path)
    assert res.nodes > 30 and res.edges > res.nodes
    page = browser.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(out.as_uri())
    page.wait_for_function("window.xunchaGraph && window.xunchaGraph.rendered === true",
                           timeout=60_000)
    assert not errors, errors
    # Offline: nothing but the file itself was fetched.
    assert all(u.startswith("file://") or u.startswith("data:") for u in requests), requests

    counts = page.evaluate("[xunchaGraph.nodes, xunchaGraph.edges, xunchaGraph.renderedNodes(), "
                           "xunchaGraph.renderedEdges()]")
    assert counts == [res.nodes, res.edges, res.nodes, res.edges]

    # The legend lists each exported kind with its count.
    legend = page.inner_text("#legend")
    for kind, n in res.node_counts.items():
        assert re.search(rf"{kind}\s*{n}\b", legend), (kind, n, legend)

    # Click the ego's centre where it is drawn: the properties panel fills.
    pos = page.evaluate(f"xunchaGraph.position({json.dumps(cadre)})")
    box = page.locator("#net").bounding_box()
    page.mouse.click(box["x"] + pos["x"], box["y"] + pos["y"])
    page.wait_for_selector("#panel #props", timeout=10_000)
    attrs = county_store.node(cadre)
    panel = page.inner_text("#panel")
    assert attrs["name"] in panel and cadre in panel
    assert "姓名" in panel  # Chinese field names from the registry
    assert page.evaluate("xunchaGraph.shown") == cadre

    page.mouse.move(box["x"] + 5, box["y"] + 5)  # no tooltip in the picture
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "export_html_ego.png"))

    # Search by name finds the node; filtering a kind hides its nodes.
    assert page.evaluate(f"xunchaGraph.search({json.dumps(attrs['name'])})") >= 1
    hidden_kind = "issue"
    before = page.evaluate("xunchaGraph.visibleNodes()")
    page.locator(f'#legend input[data-kind="{hidden_kind}"]').uncheck()
    after = page.evaluate("xunchaGraph.visibleNodes()")
    assert before - after == res.node_counts[hidden_kind]
    page.close()


def test_html_redacted_page_has_no_names(browser, county_store, tmp_path):
    cadre, out, res = _ego_export(county_store, tmp_path, redact="public")
    data = out.read_bytes()
    names = {d["name"] for _, d in county_store.nodes("cadre")}
    assert not [n for n in names if n.encode() in data]
    page = browser.new_page()
    page.goto(out.as_uri())
    page.wait_for_function("window.xunchaGraph && window.xunchaGraph.rendered === true",
                           timeout=60_000)
    page.evaluate(f"xunchaGraph.select({json.dumps(cadre)})")
    panel = page.inner_text("#panel")
    assert "某" in panel and county_store.node(cadre)["name"] not in panel
    page.close()


# -- the case picture ------------------------------------------------------------------

def _case_seed(store):
    """The issue whose related cases show the most different signals (a rich picture)."""
    from xuncha.queries.related import related

    best = max(((len({x for r in related(store, n, limit=12) for x in r.signals}), n)
                for n, _ in store.nodes("issue")))
    return best[1]


def _open(browser, path):
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    page.wait_for_function("window.xunchaGraph && window.xunchaGraph.rendered === true",
                           timeout=60_000)
    assert not errors, errors
    return page


def _neighbours_of_kind(store, nid, kind):
    g = store.graph
    return {m for m in (*g.successors(nid), *g.predecessors(nid)) if g.nodes[m]["kind"] == kind}


def test_case_picture(browser, county_store, tmp_path):
    from xuncha.queries.related import related

    seed = _case_seed(county_store)
    results = related(county_store, seed, limit=12)
    out = tmp_path / "case.html"
    res = export(county_store, "html", out, Selection(case=seed))
    page = _open(browser, out)

    # The seed is marked: named in the side bar, starred, ringed.
    assert page.evaluate("xunchaGraph.seed") == seed
    assert page.evaluate(f"xunchaGraph.label({json.dumps(seed)})").startswith("★ ")
    assert page.evaluate(f"xunchaGraph.borderWidth({json.dumps(seed)})") >= 4
    assert county_store.label(seed)[:10] in page.inner_text("#seedbox")

    # One reason edge per related case, labelled with exactly its signals.
    links = page.evaluate("xunchaGraph.data.links")
    assert [(x["to"], x["signals"], x["score"]) for x in links] == \
        [(r.id, r.signals, r.score) for r in results]
    assert page.evaluate("xunchaGraph.renderedEdges()") == res.edges + len(results)
    # Every case and the people on the evidence paths are drawn.
    drawn = set(page.evaluate("xunchaGraph.data.nodes.map(function (d) { return d.id; })"))
    for r in results:
        assert r.id in drawn
        for reason in r.reasons:
            assert set(reason.path) <= drawn
    assert any(n.startswith("cadre:") for n in drawn)
    # Context is counted, not drawn: the seed's actions, round, team and category.
    assert not any(county_store.kind(n) in ("action", "round", "team", "category") for n in drawn)
    page.evaluate(f"xunchaGraph.select({json.dumps(seed)})")
    ctx = page.inner_text("#ctxpanel")
    for kind, zh in (("action", "整改"), ("round", "巡察轮次"), ("team", "巡察组")):
        want = len(_neighbours_of_kind(county_store, seed, kind))
        if want:
            assert f"{zh} ×{want}" in ctx, (kind, want, ctx)
    # Dates in the panel: the seed's finding date.
    assert county_store.node(seed)["found_date"] in page.inner_text("#panel")
    # Labels of the seed, people and cases are drawn at any zoom.
    thresholds = page.evaluate("""Object.values(xunchaGraph.network.body.nodes)
        .filter(function (n) { return /^(cadre|issue|lead):/.test(n.id); })
        .map(function (n) { return n.options.scaling.label.drawThreshold; })""")
    assert thresholds and max(thresholds) <= 1

    page.mouse.move(5, 5)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "export_html_case.png"))

    # The date filter hides what lies outside the range, and only that.
    dated = {n: county_store.node(n).get("found_date") or county_store.node(n).get("transfer_date")
             for n in drawn if county_store.kind(n) in ("issue", "lead")}
    cut = sorted(d for d in dated.values() if d)[len(dated) // 2]
    before = page.evaluate("xunchaGraph.visibleNodes()")
    after = page.evaluate(f"xunchaGraph.setDateRange({json.dumps(cut)}, '')")
    assert before - after == sum(1 for d in dated.values() if d and d < cut)
    page.click("#alldates")
    assert page.evaluate("xunchaGraph.visibleNodes()") == before

    # The PNG button saves the picture.
    with page.expect_download() as dl:
        page.click("#png")
    png = Path(dl.value.path()).read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000
    page.close()


def test_case_picture_redacted_hides_personal_facts(browser, county_store, tmp_path):
    seed = _case_seed(county_store)
    out = tmp_path / "case.html"
    export(county_store, "html", out, Selection(case=seed), redact="public")
    data = out.read_text(encoding="utf-8")
    page = _open(browser, out)
    drawn = page.evaluate("xunchaGraph.data.nodes.map(function (d) { return d.id; })")
    cadres = [n for n in drawn if n.startswith("cadre:")]
    assert cadres
    for n in cadres:
        d = county_store.node(n)
        assert d["name"] not in data
        if d.get("birth_date"):
            assert d["birth_date"] not in data
        if d.get("id_number"):
            assert d["id_number"] not in data
    assert "NATIVE_OF" not in json.dumps(page.evaluate("xunchaGraph.data.edges"))
    assert not any("native_region_id" in x["props"] or "birth_date" in x["props"]
                   for x in page.evaluate("xunchaGraph.data.nodes"))
    # The reason sentences name people: a redacted page keeps only the signals.
    assert all("texts" not in x for x in page.evaluate("xunchaGraph.data.links"))
    page.close()


HOSTILE = ['</script><script>window.pwned=1</script>', '<!--', '<img src=x onerror="window.pwned=2">',
           "\"'&amp;\u2028中\u2029间", "]]>", "`${1+1}`"]


def test_hostile_strings_render_as_text(browser, tmp_path):
    from tests.conftest import Ledgers

    lg = Ledgers(tmp_path / "ledgers")
    lg.csv("regions", ["id", "name", "level"], [["330101", "甲县<!--", "县"]])
    lg.csv("units", ["id", "name", "kind", "region_id"],
           [["U1", "局" + HOSTILE[2], "政府部门", "330101"]])
    lg.csv("cadres", ["id", "name"], [[f"C{i}", f"张{h}"] for i, h in enumerate(HOSTILE)])
    lg.csv("positions", ["cadre_id", "unit_id", "title", "start"],
           [[f"C{i}", "U1", f"局长{h}", "2019-01-01"] for i, h in enumerate(HOSTILE)])
    lg.csv("rounds", ["id", "name", "kind"], [["R1", "第一轮</script>", "常规"]])
    lg.csv("issues", ["id", "round_id", "unit_id", "category", "description", "cadre_ids"],
           [["I1", "R1", "U1", "作风建设", "违规" + HOSTILE[0] + HOSTILE[1],
             ";".join(f"C{i}" for i in range(len(HOSTILE)))],
            ["I2", "R1", "U1", "作风建设", "违规收礼" + HOSTILE[3], "C0;C2"]])
    ds = load_dataset(lg.dir)
    assert not ds.errors, ds.errors[:3]
    store = GraphStore(build_graph(ds.records))
    out = tmp_path / "hostile.html"
    res = export(store, "html", out, Selection(case="issue:I1"), title="标题</title><!--")
    page = _open(browser, out)
    assert page.evaluate("window.pwned") is None
    assert page.title() == "标题</title><!--"
    assert page.evaluate("[xunchaGraph.nodes, xunchaGraph.edges]") == [res.nodes, res.edges]
    text = lambda: page.eval_on_selector("#panel", "e => e.textContent")  # noqa: E731
    for i, h in enumerate(HOSTILE):
        page.evaluate(f"xunchaGraph.select('cadre:C{i}')")
        assert f"张{h}" in text(), h
    page.evaluate("xunchaGraph.select('issue:I1')")
    assert "违规" + HOSTILE[0] + HOSTILE[1] in text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "export_html_hostile.png"))
    page.close()
