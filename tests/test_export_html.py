"""The html export in real headless Chromium (Debian's ``chromium``), via Playwright.

The page must render offline from a file:// URL, show exactly the exported
nodes and edges, and fill its properties panel when a node is clicked.  A
screenshot is saved to ``test-artifacts/``.  Chromium (and a CJK font) come from
Debian's packages; ``.ci/run`` installs them as a visible, named step, and
the test skips with the reason (and the install command) where Chromium is
absent: running the tests never installs anything.
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
