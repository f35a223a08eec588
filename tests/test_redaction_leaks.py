"""Redaction holds: no name, given name, alias, ID number or phone leaves in any export.

Ledgers seeded with people and with mentions of them inside every free-text
field (issue descriptions, lead summaries, relation notes, measures 整改措施,
a round's topic, an undeclared attribute): full names, given names
(``由志强同志督办``), a one-character given name before a title
(``伟同志``), aliases (traditional and typo forms), ID numbers and phones.
Every export format x both redaction modes (with and without --keep-text) x
three selections (the whole graph, --around a cadre, --around an issue) is
written, every output file is decoded (XLSX unzipped; XML entities and JSON
``\\u`` escapes undone) and scanned for every secret of every person in the
dataset, including people outside the selection, and for the ledger path.
"""

from __future__ import annotations

import html
import re
import zipfile
from pathlib import Path

import pytest

from tests.conftest import BASE, write_base
from xuncha.export import FORMATS, Selection, export
from xuncha.graph.build import build_graph
from xuncha.graph.store import GraphStore
from xuncha.loaders.dataset import load_dataset

CADRES = (["id", "name", "gender", "birth_date", "native_region_id", "id_number", "phone"], [
    ["C1", "周志强", "男", "1990-03", "330101", "110101199003070011", "13812345678"],
    ["C2", "李娜", "女", "1980-03", "010101", "", ""],
    ["C3", "欧阳娜娜", "女", "1985-06", "330101", "330102198506120036", "13698765432"],
    ["C4", "王建华", "男", "1972-01", "", "320583197201010040", ""],
    ["C5", "张伟", "男", "1988-11", "", "440304198811110052", "0571-87654321"],
    ["C6", "陈海燕", "女", "1965-09", "", "51010719650909006X", ""],
    ["C7", "刘德明", "男", "1993-12", "", "", "15900001111"],
])

# Phrases the rule promises to scrub (beyond the names themselves).
DESCRIPTIONS = {
    "I1": "周志强违规发放津贴，由志强同志督办；身份证11010519491231002X，电话139-1234-5678",
    "I2": "扶贫资金滞留，陈海燕（周志強）知情，伟同志未制止，建华局长签批",
}
MEASURES = {
    "A1": "由陈海燕牵头清退津贴，海燕同志督办，刘德明配合；联系电话13700001111",
    "A2": "责令王建华整改，娜娜同志复核，周志墙签字",
}
SUMMARY = "反映刘德明收受礼金，身份证号210202199312030078，德明书记知情，歐陽娜娜经手"
NOTE = "欧阳娜娜与李娜系姐妹，娜娜已回避"
TOPIC = "扶贫领域专项，张伟书记带队"
EXTRA = ("remark", "建华同志说明情况，手机 158 0000 2222")  # undeclared attribute
ALIASES = {"cadre:C1": ["周志強", "周志墙"]}  # e.g. merged identities

SECRET_NUMBERS = ["11010519491231002X", "210202199312030078", "13912345678", "139-1234-5678",
                  "13700001111", "15800002222", "158 0000 2222"]
SECRET_PHRASES = ["伟同志", "伟书记", "娜同志"]


def _seeded(ledgers) -> tuple[GraphStore, Path]:
    cadres_h, cadres_r = CADRES
    issues_h, issues_r = BASE["issues"]
    issues_r = [r[:6] + [DESCRIPTIONS[r[0]]] + r[7:] for r in issues_r]
    actions_h, actions_r = BASE["actions"]
    actions_r = [r[:4] + [MEASURES[r[0]]] + r[5:] for r in actions_r]
    leads_h, leads_r = BASE["leads"]
    leads_h = leads_h + ["summary"]
    leads_r = [r + [SUMMARY] for r in leads_r]
    rel_h = ["cadre_id", "other_id", "kind", "note"]
    rel_r = [["C3", "C2", "sibling", NOTE], ["C6", "C7", "colleague", ""]]
    rounds_h, rounds_r = BASE["rounds"]
    rounds_h = rounds_h + ["topic"]
    rounds_r = [r + [TOPIC] for r in rounds_r]
    pos_h, pos_r = BASE["positions"]
    pos_r = pos_r + [["C6", "U3", "村支书", "是", "2016-01-01", ""],
                     ["C7", "U3", "会计", "否", "2016-01-01", ""],
                     ["C5", "U1", "副局长", "否", "2016-01-01", ""]]
    tm_h, tm_r = BASE["team_members"]
    tm_r = tm_r + [["R1", "T1", "C3", "组员"]]
    write_base(ledgers, cadres=(cadres_h, cadres_r), issues=(issues_h, issues_r),
               actions=(actions_h, actions_r), leads=(leads_h, leads_r),
               relations=(rel_h, rel_r), rounds=(rounds_h, rounds_r),
               positions=(pos_h, pos_r), team_members=(tm_h, tm_r))
    ds = load_dataset(ledgers.dir)
    assert not ds.errors, ds.errors[:3]
    store = GraphStore(build_graph(ds.records, provenance=ds.provenance()),
                       {"source": str(ledgers.dir.resolve())})
    g = store.graph
    for nid, aliases in ALIASES.items():
        g.nodes[nid]["aliases"] = aliases
    # A merged identity (issue 12) keeps its members' names beside their ids.
    g.nodes["cadre:C3"]["sources"] = ["甲县/C3", "乙县/P0042"]
    g.nodes["cadre:C3"]["source_names"] = ["欧阳娜娜", "歐陽娜娜"]
    g.nodes["issue:I2"][EXTRA[0]] = EXTRA[1]
    # The data really holds what the scan looks for.
    assert g.nodes["issue:I1"]["description"] == DESCRIPTIONS["I1"]
    assert g.nodes["action:A1"]["measure"] == MEASURES["A1"]
    return store, ledgers.dir.resolve()


def _secrets(store: GraphStore, ledger_dir: Path) -> list[str]:
    from xuncha.export.redact import given_name

    out: set[str] = set(SECRET_NUMBERS) | set(SECRET_PHRASES) | {str(ledger_dir)}
    for _, d in store.nodes("cadre"):
        names = [d["name"], *(d.get("aliases") or []), *(d.get("source_names") or [])]
        out.update(names)
        out.update(g for g in map(given_name, names) if len(g) >= 2)
        for k in ("id_number", "phone"):
            if d.get(k):
                out.add(d[k])
                out.add(re.sub(r"\D", "", d[k]))
    return sorted(out)


_U_ESC = re.compile(r"\\u([0-9a-fA-F]{4})")


def _decoded(path: Path) -> str:
    """Every output file's text, with archives opened and escapes undone."""
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    parts = []
    for f in files:
        if f.suffix == ".xlsx":
            with zipfile.ZipFile(f) as z:
                parts += [z.read(n).decode("utf-8", "replace") for n in z.namelist()]
        else:
            parts.append(f.read_bytes().decode("utf-8", "replace"))
    text = "\n".join(parts)
    for _ in range(2):  # JSON inside HTML: both layers
        text = _U_ESC.sub(lambda m: chr(int(m.group(1), 16)), html.unescape(text))
    return text


@pytest.fixture
def seeded(tmp_path):
    from tests.conftest import Ledgers

    # The folder (the dataset's name in provenance) names a person too.
    return _seeded(Ledgers(tmp_path / "周志强案台账"))


SELECTIONS = {
    "whole": None,
    "around-cadre": Selection(around=["cadre:C2"], hops=1),
    "around-issue": Selection(around=["issue:I2"], hops=1),
    "case": Selection(case="issue:I1"),  # the evidence graph of `related`, reasons included
}
MODES = [("public", False), ("public", True), ("pseudonym", False), ("pseudonym", True)]


def test_every_format_mode_and_selection_leaks_nothing(seeded, tmp_path, monkeypatch):
    monkeypatch.setenv("XUNCHA_PSEUDONYM_KEY", "leak-test-key-0123456789abcdef")
    store, ledger_dir = seeded
    secrets = _secrets(store, ledger_dir)
    # Non-vacuous: the scan would see these in an unredacted export.
    plain = tmp_path / "plain.json"
    export(store, "json", plain)
    raw = _decoded(plain)
    assert [s for s in ("志强同志", "周志強", "陈海燕", "13700001111", "伟同志", str(ledger_dir))
            if s not in raw] == []
    leaks: dict[str, list[str]] = {}
    kept: dict[str, str] = {}
    n = 0
    for fmt in FORMATS:
        for sel_name, sel in SELECTIONS.items():
            for mode, keep in MODES:
                name = f"{fmt}-{sel_name}-{mode}{'-keep' if keep else ''}"
                out = tmp_path / (name if fmt == "csv" else f"{name}.{fmt}")
                # With provenance on every other time: its ledger-row strings pass too.
                res = export(store, fmt, out, sel, redact=mode, keep_text=keep, force=True,
                             provenance=bool(n % 2))
                assert res.nodes > 0
                text = _decoded(out)
                found = [s for s in secrets if s in text]
                if found:
                    leaks[name] = found
                kept[name] = text
                n += 1
    assert n == len(FORMATS) * len(SELECTIONS) * len(MODES)
    assert not leaks, leaks
    # Provenance was written, with the dataset's name scrubbed.
    public = [k for k, t in kept.items() if "周某案台账/issues.csv#" in t]
    pseudo = [k for k, t in kept.items() if re.search(r"人员-[0-9a-f]{8}案台账/issues\.csv#", t)]
    assert len(public) >= 2 * len(FORMATS) and len(pseudo) >= 2 * len(FORMATS), (public, pseudo)
    # Redaction keeps the text it may keep, with the people replaced.
    t = kept["json-whole-public-keep"]
    assert "由某同志督办" in t and "周某违规发放津贴" in t and "某同志未制止" in t
    assert "某局长签批" in t and "陈某（周某）知情" in t
    assert "欧阳某经手" in t  # 歐陽娜娜: known only from a merged identity's source_names
    assert "source_names" not in t  # the list itself is dropped (sensitive="names")
    assert "陈某牵头清退津贴" in kept["json-whole-public"]  # measures are kept, scrubbed
    assert "违规发放津贴" not in kept["json-whole-public"]  # descriptions dropped by default
    assert "扶贫领域专项，张某书记带队" in kept["xlsx-whole-public"]
    assert "139******5678" in t and "1101************2X" in t
    p = kept["json-whole-pseudonym-keep"]
    assert "某" not in p.split("由", 1)[1][:1] and "人员-" in p


def test_people_outside_the_selection_are_scrubbed(seeded, tmp_path):
    """The --around selection holds neither 陈海燕 nor 刘德明; the measure naming them does."""
    store, _ = seeded
    out = tmp_path / "a.json"
    res = export(store, "json", out, Selection(around=["action:A1"], hops=0), redact="public",
                 keep_text=True)
    assert res.node_counts == {"action": 1}
    text = _decoded(out)
    assert "由陈某牵头清退津贴，某同志督办，刘某配合" in text
    # An alias of someone outside the export keeps the surname of their main name.
    out = tmp_path / "l.json"
    export(store, "json", out, Selection(around=["lead:L1"], hops=0), redact="public",
           keep_text=True)
    assert "欧阳某经手" in _decoded(out)  # 歐陽娜娜, of 欧阳娜娜 (not "歐某")


def test_one_character_given_names_only_before_a_title(seeded, tmp_path):
    """伟 (of 张伟) is an ordinary word: kept in 伟大, replaced in 伟同志."""
    store, _ = seeded
    store.graph.nodes["issue:I1"]["description"] = "伟大的工作，伟同志负责，张伟签字"
    out = tmp_path / "b.json"
    export(store, "json", out, Selection(around=["issue:I1"], hops=0), redact="public",
           keep_text=True)
    assert "伟大的工作，某同志负责，张某签字" in _decoded(out)


def test_unit_names_lose_full_names_only(seeded, tmp_path):
    store, _ = seeded
    g = store.graph
    g.nodes["unit:U3"]["name"] = "建华路社区（王建华工作室）"
    out = tmp_path / "c.json"
    export(store, "json", out, Selection(around=["unit:U3"], hops=0), redact="public")
    assert "建华路社区（王某工作室）" in _decoded(out)


def test_cli_redacted_metadata_has_no_path(seeded, tmp_path):
    from click.testing import CliRunner

    from xuncha.cli import main
    from xuncha.graph.workspace import save

    store, ledger_dir = seeded
    ws = tmp_path / "ws"
    save(store, ws)
    runner = CliRunner()
    for fmt in ("json", "csv", "cypher", "graphml"):
        out = tmp_path / f"m-{fmt}"
        r = runner.invoke(main, ["export", fmt, "-w", str(ws), "--redact", "public", "-o", str(out)])
        assert r.exit_code == 0, r.output
        assert str(ledger_dir) not in _decoded(out) and "ledgers" not in _decoded(out)
