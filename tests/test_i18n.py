"""Reason sentences in one language per ``--lang`` (issue 13 item 7).

Every sentence a query or the planner writes for a person (related reasons,
timeline events, trails and clusters, conflicts, ``plan --why``, unassigned
and moved reasons, relaxation advice) is an :class:`xuncha.i18n.Msg`: a code
with a Chinese and an English template.  Checked here:

- statically, over the whole template table: English templates hold no Chinese,
  Chinese templates no Latin words (command-line options aside);
- on examples/county, through the CLI: with ``--lang en`` no reason holds Chinese
  once its data values (names, titles, ids, dates) are taken out, with
  ``--lang zh`` no Latin word remains, and both languages give the same
  items in the same order with the same codes.
"""

from __future__ import annotations

import copy
import importlib
import json
import pickle
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from xuncha import i18n
from xuncha.cli import main

COUNTY = Path(__file__).parent.parent / "examples" / "county"
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# Command-line spellings a Chinese sentence may quote: --forbid, --ground X=soft, --load TEAM=MIN:MAX.
CLI_TOKENS = re.compile(r"--[a-z-]+(?:\s+[A-Za-z_]+=[A-Za-z_:]+|\s+TEAM=MIN:MAX)?|\b[a-z_]+=(?:soft|off)\b"
                        r"|\breciprocal\b|\boff\b")
FIELD = re.compile(r"\{[^{}]*\}")
MODULES = ("xuncha.queries.related", "xuncha.queries.timeline", "xuncha.queries.patterns",
           "xuncha.queries.paths", "xuncha.queries.periods", "xuncha.planning.conflicts",
           "xuncha.planning.explain", "xuncha.planning.plan", "xuncha.planning.rotation",
           "xuncha.planning.joint", "xuncha.planning.kinship", "xuncha.planning.policy",
           "xuncha.identity.merge")


def run(*args, code=(0, 1)):
    r = CliRunner().invoke(main, [str(a) for a in args])
    codes = code if isinstance(code, tuple) else (code,)
    assert r.exit_code in codes, (args, r.output, r.exception)
    return r


# -- the template table ---------------------------------------------------------------

def test_every_template_is_one_language():
    for m in MODULES:
        importlib.import_module(m)
    assert len(i18n.TEMPLATES) > 100
    for code, (zh, en) in i18n.TEMPLATES.items():
        zh_words, en_words = FIELD.sub("X_", zh), FIELD.sub("X_", en)
        assert not CJK.search(en_words), (code, en)
        assert not LATIN_WORD.search(CLI_TOKENS.sub("", zh_words).replace("X_", "")), (code, zh)
        fz = sorted(FIELD.findall(zh))
        assert sorted(set(fz)) == sorted(set(FIELD.findall(en))), code


def test_a_message_is_a_string_that_renders_in_either_language():
    i18n.define({"test.hello": ("{who}已涉及{n}个问题，{rel}", "{who} named in {n} issues, {rel}")})
    m = i18n.msg("test.hello", who="王伟", n=3, rel=i18n.term("relation_kind", "in_law"))
    assert isinstance(m, str) and m.code == "test.hello"
    assert m.render("zh") == "王伟已涉及3个问题，姻亲"
    assert m.render("en") == "王伟 named in 3 issues, in law"
    for again in (pickle.loads(pickle.dumps(m)), copy.deepcopy(m)):
        assert again == m and again.code == m.code and again.render("zh") == m.render("zh")
    assert i18n.localize({"a": [m, 1]}, "zh") == {"a": ["王伟已涉及3个问题，姻亲", 1]}
    assert i18n.window("2020-01-01", None).render("zh") == "2020-01-01至今"
    assert i18n.window("2020-01-01", "9999-12-31").render("en") == "2020-01-01–present"


def test_a_later_message_is_built_once_with_everything_inside_it():
    calls = []

    def name(x):
        calls.append(x)
        return i18n.msg("conflict.team", name=x, id="1")

    importlib.import_module("xuncha.planning.conflicts")
    chain = i18n.later("conflict.kin_chain", via=i18n.Later(i18n.join, [i18n.Later(name, "王伟"), "李娜"]))
    got = i18n.built(chain)
    assert got.render("zh") == "（经王伟（1）、李娜）" and got.render("en") == " (through 王伟 (1), 李娜)"
    assert i18n.built(chain) is got and calls == ["王伟"]
    assert i18n.built(["x", i18n.Later(str, 5)]) == ["x", "5"]


def test_the_language_comes_from_the_option_then_the_environment_then_the_locale(monkeypatch):
    monkeypatch.setattr(i18n, "_lang", None)
    assert i18n.locale_lang({"LANG": "zh_CN.UTF-8"}) == "zh"
    assert i18n.locale_lang({"LANG": "zh_CN.UTF-8", "XUNCHA_LANG": "en"}) == "en"
    assert i18n.locale_lang({"LC_ALL": "C.UTF-8", "LANG": "zh_CN"}) == "en"
    i18n.set_lang("zh")
    assert i18n.lang() == "zh" and i18n.msg("period.now") == "今"
    i18n.set_lang(None)


# -- examples/county, both languages --------------------------------------------------------

@pytest.fixture(scope="module")
def county(tmp_path_factory):
    if not COUNTY.exists():
        pytest.skip("examples/county not present")
    w = tmp_path_factory.mktemp("county-i18n")
    run("load", COUNTY, "-w", w, "-q", code=0)
    return w


def _answers(ws, lang: str) -> dict[str, object]:
    """The JSON answers of every explaining command, in ``lang``."""
    out = {}

    def get(name, *args, code=(0, 1)):
        out[name] = json.loads(run("--lang", lang, *args, "-w", ws, "--format", "json", code=code).stdout)

    for ref in ("issue:R2021-1-039", "issue:R2021-1-022", "cadre:C001", "unit:0102"):
        get(f"related {ref}", "related", ref, "--weak", "-k", "30")
    for ref in ("cadre:C001", "cadre:C002", "unit:0101"):
        get(f"timeline {ref}", "timeline", ref, "--as-of", "2024-12-31")
    for p in ("trails", "clusters", "recurring", "common"):
        get(f"patterns {p}", "patterns", p)
    for rnd in ("R2021-1", "R2023-1"):
        get(f"conflicts {rnd}", "conflicts", "--round", rnd)
    for t in ("T1", "T2", "T3", "T4"):
        for u in ("0101", "0102", "0301", "0401"):
            get(f"why {t} {u}", "plan", "--round", "R2021-1", "--why", t, u, code=(0, 1, 3))
    get("plan infeasible", "plan", "--round", "R2021-1", "--min-load", "3", code=3)
    return out


def _texts(obj, path=""):
    """(where, text) of every ``text``/``reasons``/``change``/``proof`` string in a JSON answer."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k in ("text", "change", "proof") and isinstance(v, str):
                yield f"{path}.{k}", v
            elif k == "reasons" and isinstance(v, list) and v and isinstance(v[0], str):
                for i, x in enumerate(v):
                    yield f"{path}.{k}[{i}]", x
            else:
                yield from _texts(v, f"{path}.{k}")
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _texts(v, f"{path}[{i}]")


def _skeleton(obj):
    """A JSON answer with its sentences blanked (what must not depend on the language)."""
    if isinstance(obj, dict):
        words = ("text", "change", "proof") + (("name",) if "category" in obj else ())  # a category's name
        return {k: ("…" if k in words and isinstance(v, str) else _skeleton(v))
                for k, v in obj.items()
                if not k.endswith("_s")  # timings
                and (k != "reasons" or not (v and isinstance(v[0], str)))}
    if isinstance(obj, list):
        return [_skeleton(v) for v in obj]
    return obj


def _data_values(ws) -> list[str]:
    """Every name, title, id, date and free text in the workspace (the data a
    sentence may quote), longest first, as the ledgers hold them."""
    from xuncha.graph.workspace import open_workspace

    store = open_workspace(ws)
    vals = set()
    for nid, d in store.graph.nodes(data=True):
        vals.add(nid)
        vals.add(nid.partition(":")[2])
        vals.add(store.label(nid))
        for v in d.values():
            if isinstance(v, str):
                vals.add(v)
                vals.add(v[:7])  # dates by month
    for *_, d in store.graph.edges(data=True):
        for v in d.values():
            if isinstance(v, str):
                vals.add(v)
                vals.add(v[:7])
    return sorted((v for v in vals if v), key=len, reverse=True)


@pytest.fixture(scope="module")
def both(county):
    return _answers(county, "zh"), _answers(county, "en"), _data_values(county)


def _strip(text: str, values: list[str]) -> str:
    for v in values:
        if v in text:
            text = text.replace(v, " ")
    return text


def test_both_languages_give_the_same_items_in_the_same_order(both):
    zh, en, _ = both
    assert zh.keys() == en.keys()
    n = 0
    for name in zh:
        assert _skeleton(zh[name]) == _skeleton(en[name]), name
        tz, te = list(_texts(zh[name])), list(_texts(en[name]))
        assert [w for w, _ in tz] == [w for w, _ in te], name
        n += len(tz)
        assert any(a != b for (_, a), (_, b) in zip(tz, te)) or not tz, name
    assert n > 500  # the answers are not empty: every kind of sentence is exercised


def test_codes_are_stable_machine_keys(both):
    zh, en, _ = both
    codes = set()

    def walk(obj):
        if isinstance(obj, dict):
            if "code" in obj and isinstance(obj.get("text"), str):
                codes.add(obj["code"])
            for v in obj.values():
                walk(v)
        elif isinstance(obj, list):
            for v in obj:
                walk(v)

    walk(en)
    assert {"related.same_cadre", "timeline.took_post", "conflict.sentence", "patterns.named"} <= codes
    assert all(c in i18n.TEMPLATES for c in codes)


def test_english_sentences_hold_chinese_only_in_data_values(both):
    _, en, values = both
    bad = []
    for name, ans in en.items():
        for where, text in _texts(ans):
            rest = _strip(text, values)
            if CJK.search(rest):
                bad.append((name, where, text, rest))
    assert not bad, bad[:5]


@pytest.fixture(scope="module")
def two_offices(tmp_path_factory):
    """The county loaded twice, as two offices' ledgers: candidates for `match`."""
    if not COUNTY.exists():
        pytest.skip("examples/county not present")
    w = tmp_path_factory.mktemp("two-offices")
    run("load", f"{COUNTY}=甲县", f"{COUNTY}=乙县", "-w", w, "-q", code=0)
    return w


def test_match_evidence_reads_in_one_language(two_offices):
    values = _data_values(two_offices)
    got = {}
    for lang in ("zh", "en"):
        got[lang] = json.loads(run("--lang", lang, "match", "-w", two_offices, "--limit", "40",
                                   "--format", "json", code=0).stdout)
    def bare(doc):  # the evidence's detail may be a phrase too ("checksum valid", "… from DATE")
        return [{**p, **{k: [{**e, "detail": "…"} for e in p[k]] for k in ("evidence_for", "evidence_against")}}
                for p in _skeleton(doc)]

    assert got["zh"] and bare(got["zh"]) == bare(got["en"])
    texts = {lang: [e["text"] for p in got[lang] for e in p["evidence_for"] + p["evidence_against"]]
             for lang in got}
    assert len(texts["en"]) > 100
    for zh, en in zip(texts["zh"], texts["en"]):
        assert not CJK.search(_strip(en, values)), en
        assert not LATIN_WORD.search(_strip(zh, values)), zh


def test_chinese_sentences_hold_no_english_words_beyond_data_and_options(both):
    zh, _, values = both
    bad = []
    for name, ans in zh.items():
        for where, text in _texts(ans):
            rest = CLI_TOKENS.sub(" ", _strip(text, values))
            if LATIN_WORD.search(rest):
                bad.append((name, where, text, rest))
    assert not bad, bad[:5]
