"""Identity across offices: many datasets in one workspace, matching, judgements, merges.

The facts are planted: small ledgers written here, or the multi-office
generator's identity_truth.json (who is who), and every expected answer is
derived from them, never from the matcher.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import Ledgers
from xuncha.cli import main
from xuncha.identity import idnumber, names
from xuncha.identity.judgements import Judgement, Judgements, JudgementsError
from xuncha.identity.merge import clusters

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "county"


def cli(*args, code=0):
    r = CliRunner().invoke(main, [str(a) for a in args])
    assert r.exit_code == code, r.output
    return r


# -- 身份证号 and names ------------------------------------------------------------

def _valid_id(region="110105", birth="19491231", seq="002"):
    first = region + birth + seq
    return first + idnumber.check_char(first)


def test_id_number_checksum_birth_and_gender():
    good = _valid_id()
    assert good == "11010519491231002X" and idnumber.is_valid(good)
    assert idnumber.is_valid(good.lower())  # a lower-case x is the same number
    for bad in (good[:-1] + "1", good[:17], "110105194913310021", "3.81022E+17", None, ""):
        assert not idnumber.is_valid(bad), bad
    assert idnumber.birth_date(good) == "1949-12-31"
    assert idnumber.gender(_valid_id(seq="003")) == "male"
    assert idnumber.gender(good) == "female"


def test_name_levels_from_planted_variations():
    from xuncha.synth.offices import _homophones

    homo = _homophones()
    name = "周志强"
    typo = "周志" + homo["强"][0]  # a homophone from the generator's table
    assert names.compare(name, typo) == "homophone"
    assert names.compare(name, names.traditional(name)) == "variant"  # 周志強
    assert names.compare(name, name) == "exact"
    assert names.compare("张某强", "张志强") == "mask"
    assert names.compare("张某", "张志强") == "mask"
    assert names.compare("张某", "李志强") == "different"
    assert names.compare("张某强", "张志刚") == "different"
    assert names.compare("欧阳志远", "欧阳某") == "mask"  # compound surname kept
    assert names.surname("欧阳志远") == "欧阳"


# -- many datasets, one workspace ----------------------------------------------------

def test_two_offices_with_colliding_ids_stay_apart(tmp_path):
    ws = tmp_path / "ws"
    cli("load", f"{EXAMPLE}=甲县", f"{EXAMPLE}=乙县", "-w", ws)
    from xuncha.graph.workspace import open_workspace

    store = open_workspace(ws)
    single = tmp_path / "one"
    cli("load", EXAMPLE, "-w", single)
    one = open_workspace(single)
    n_one, _ = one.counts()
    n_two, _ = store.counts()
    for kind in ("cadre", "unit", "issue", "lead", "team"):
        assert n_two[kind] == 2 * n_one[kind], kind  # colliding ids kept apart
    assert n_two["region"] == n_one["region"]  # regions shared by code
    a = store.node("cadre:甲县/C001")
    assert a["source_id"] == "C001" and a["dataset"] == "甲县"
    # Edges stay inside their dataset.
    units = {v for _, v, _ in store.out_edges("cadre:乙县/C001", "HELD_POSITION")}
    assert units and all(u.startswith("unit:乙县/") for u in units)
    # A name lookup says the name has candidates in several datasets.
    from xuncha.graph.store import NotFound

    with pytest.raises(NotFound) as exc:
        store.resolve("周志强", ("cadre",))
    assert "跨2个台账" in str(exc.value) and "cadre:甲县/C001" in str(exc.value)


def test_load_warns_same_id_number_and_same_name_birth(tmp_path):
    idn = _valid_id("381022", "19720501", "001")
    a = Ledgers(tmp_path / "甲县")
    a.csv("cadres", ["id", "name", "birth_date", "id_number"],
          [["C1", "周志强", "1972-05", idn], ["C2", "王伟", "1975-03", ""]])
    b = Ledgers(tmp_path / "乙县")
    b.csv("cadres", ["id", "name", "birth_date", "id_number"],
          [["C9", "周志墙", "1972-05", idn],  # same number, homophone name
           ["C8", "王伟", "1975-03", ""],  # same name and birth month
           ["C7", "李娜", "1980-01", _valid_id("381022", "19800101", "002")]])
    r = cli("load", a.dir, b.dir, "-w", tmp_path / "ws")
    err = r.stderr
    assert "身份证号相同" in err and "C9 周志墙（乙县台账）" in err and "C1 周志强（甲县台账）" in err
    assert "姓名与出生日期相同" in err and "C8 王伟" in err
    assert "李娜" not in err
    assert idn not in err  # never printed in full


def test_reference_into_another_dataset_by_prefix_or_unique_name(tmp_path):
    a = Ledgers(tmp_path / "甲县")
    a.csv("units", ["id", "name", "kind"], [["U1", "甲县民政局", "政府部门"]])
    a.csv("cadres", ["id", "name"], [["C1", "周志强"]])
    b = Ledgers(tmp_path / "乙县")
    b.csv("units", ["id", "name", "kind"], [["U1", "乙县财政局", "政府部门"]])
    b.csv("cadres", ["id", "name"], [["C1", "钱卫东"]])
    b.csv("positions", ["cadre_id", "unit_id", "title", "start"],
          [["C1", "甲县/U1", "副局长", "2019-01"],  # by dataset prefix
           ["C1", "甲县民政局", "局长", "2021-01"],  # by a name unique across datasets
           ["C1", "U1", "科员", "2015-01"]])  # its own unit
    ws = tmp_path / "ws"
    r = cli("load", a.dir, b.dir, "-w", ws)
    assert "2 rows refer to records of another dataset" in r.stderr
    from xuncha.graph.workspace import open_workspace

    store = open_workspace(ws)
    held = sorted((v, d["title"]) for _, v, d in store.out_edges("cadre:乙县/C1", "HELD_POSITION"))
    assert held == [("unit:乙县/U1", "科员"), ("unit:甲县/U1", "副局长"), ("unit:甲县/U1", "局长")]
    # A reference that resolves nowhere is still an error naming the file and row.
    b.csv("positions", ["cadre_id", "unit_id", "title", "start"], [["C1", "丙县/U1", "科员", "2015-01"]])
    r = cli("load", a.dir, b.dir, "-w", ws, code=1)
    assert "乙县/positions.csv, row 2" in r.stderr and "丙县/U1" in r.stderr


def test_unit_match_finds_the_same_units_in_two_offices(tmp_path):
    ws = tmp_path / "ws"
    cli("load", f"{EXAMPLE}=甲县", f"{EXAMPLE}=乙县", "-w", ws)
    r = cli("match", "--kind", "unit", "--limit", "0", "--format", "json", "-w", ws)
    got = {(p["a"], p["b"]) for p in json.loads(r.stdout) if p["probability"] >= 0.9}
    from xuncha.graph.workspace import open_workspace

    units = [nid for nid, _ in open_workspace(ws).nodes("unit") if nid.startswith("unit:甲县/")]
    want = {(u, u.replace("甲县", "乙县")) for u in units}  # every unit is in both copies
    assert got <= want | {(b, a) for a, b in want}
    assert len(got) == len(want)


def test_dataset_names_must_differ(tmp_path):
    r = cli("load", EXAMPLE, EXAMPLE, "-w", tmp_path / "ws", code=1)
    assert "台账名称重复" in r.output


# -- judgements -------------------------------------------------------------------------

def test_judgements_transitive_and_blocked_by_different():
    js = Judgements(Path("unused"))
    for a, b, d, src in [("c:1", "c:2", "same", "human"), ("c:2", "c:3", "same", "machine"),
                         ("c:4", "c:1", "different", "human"), ("c:3", "c:4", "same", "machine"),
                         ("c:5", "c:6", "unsure", "human")]:
        js.set(Judgement(a, b, d, src))
    groups, report = clusters(js)
    assert groups == [["c:1", "c:2", "c:3"]]  # 4 kept apart from 1 through 3
    assert len(report.contradictions) == 1 and "c:4" in report.contradictions[0]
    # A machine judgement never replaces a human one.
    assert not js.set(Judgement("c:2", "c:1", "different", "machine"))
    assert js.get("c:1", "c:2").decision == "same"


def test_judgements_file_errors_name_the_line(tmp_path):
    f = tmp_path / "judgements.tsv"
    f.write_text("a\tb\tdecision\ncadre:x\tcadre:y\tmaybe\n", encoding="utf-8")
    with pytest.raises(JudgementsError) as exc:
        Judgements.load(f)
    assert "line 2" in str(exc.value) and "maybe" in str(exc.value)


def test_judge_merge_show_undo_and_hand_edit(tmp_path):
    ws = tmp_path / "ws"
    cli("load", f"{EXAMPLE}=甲县", f"{EXAMPLE}=乙县", "-w", ws)
    cli("judge", "甲县/C001", "cadre:乙县/C001", "same", "--note", "同一人", "-w", ws)
    cli("judge", "cadre:乙县/C001", "cadre:甲县/C002", "different", "-w", ws)
    text = (ws / "judgements.tsv").read_text(encoding="utf-8")
    assert "cadre:乙县/C001\tcadre:甲县/C001\tsame\thuman" in text
    cli("load", "-w", ws)  # no DIR: the same datasets again, judgements applied
    from xuncha.graph.workspace import open_workspace

    store = open_workspace(ws)
    nid = store.resolve("乙县/C001")
    assert nid == store.resolve("甲县/C001")
    node = store.node(nid)
    assert sorted(node["sources"]) == ["乙县/C001", "甲县/C001"]
    assert {"甲县/cadres.csv#2", "乙县/cadres.csv#2"} <= set(node["prov"])  # both ledger rows
    # The merged person's posts come from both ledgers, the same post once.
    posts = [(v, d.get("start")) for _, v, d in store.out_edges(nid, "HELD_POSITION")]
    assert len(posts) == len(set(posts)) == 6
    r = cli("show", "乙县/C001", "--format", "json", "-w", ws)
    assert json.loads(r.stdout)["properties"]["sources"] == node["sources"]
    # Undo: the next load splits them again; so does deleting the line by hand.
    cli("judge", "甲县/C001", "乙县/C001", "--undo", "-w", ws)
    cli("load", "-w", ws)
    store = open_workspace(ws)
    assert store.has("cadre:甲县/C001") and store.has("cadre:乙县/C001")
    cli("judge", "甲县/C001", "乙县/C001", "same", "-w", ws)
    lines = (ws / "judgements.tsv").read_text(encoding="utf-8").splitlines()
    (ws / "judgements.tsv").write_text(
        "\n".join(x for x in lines if "\tsame\t" not in x) + "\n", encoding="utf-8")
    cli("load", "-w", ws)
    assert open_workspace(ws).has("cadre:乙县/C001")


# -- the multi-office generator, matched against its truth -----------------------------

@pytest.fixture(scope="module")
def offices(tmp_path_factory):
    root = tmp_path_factory.mktemp("offices")
    cli("generate", "--scale", "county", "--seed", "5", "--offices", "3", "-o", root / "gen", "-q")
    truth = json.loads((root / "gen" / "identity_truth.json").read_text(encoding="utf-8"))
    dirs = sorted(p for p in (root / "gen").iterdir() if p.is_dir() and not p.name.startswith("."))
    ws = root / "ws"
    cli("load", *dirs, "-w", ws, "-q")
    return root, dirs, ws, truth


def _true_pairs(truth):
    out = set()
    for recs in truth["people"].values():
        for a, b in itertools.combinations(sorted(f"cadre:{r}" for r in recs), 2):
            out.add((a, b))
    return out


def test_offices_are_separate_datasets_with_planted_variations(offices):
    root, dirs, ws, truth = offices
    assert len(dirs) == 3
    kinds = {v for vs in truth["variations"].values() for v in vs}
    assert {"traditional", "homophone", "mask", "no_id_number", "full_birth_date"} <= kinds
    assert truth["namesakes"] and truth["conflicts"]
    # Ids collide across the offices' own ledgers.
    firsts = [(d / "cadres.csv").read_text(encoding="utf-8").splitlines()[1].split(",")[0] for d in dirs]
    assert len(set(firsts)) == 1


def test_match_precision_recall_and_planted_conflicts(offices):
    root, dirs, ws, truth = offices
    from xuncha.graph.workspace import open_workspace
    from xuncha.planning.conflicts import find_conflicts

    true = _true_pairs(truth)
    assert len(true) >= 20
    store = open_workspace(ws)
    # Before matching, the planted cross-office conflicts are invisible.
    for c in truth["conflicts"]:
        rep = find_conflicts(store, round_ref=c["round"], team_refs=[c["team"]], unit_refs=[c["unit"]])
        assert not [x for x in rep.conflicts if x.ground == "kinship" and x.inspector_id == c["member"]]
    r = cli("match", "--auto", "--format", "json", "--limit", "0", "-w", ws)
    listed = json.loads(r.stdout)
    assert all(e["weight"] > 0 for p in listed for e in p["evidence_for"])
    js = Judgements.load(ws / "judgements.tsv")
    machine = {j.key for j in js.items.values() if j.source == "machine" and j.decision == "same"}
    tp = len(machine & true)
    assert tp / len(machine) >= 0.95, (tp, len(machine))
    assert tp / len(true) >= 0.85, (tp, len(true))
    cli("load", "-w", ws, "-q")
    store = open_workspace(ws)
    for c in truth["conflicts"]:
        member = store.resolve(c["member"])
        unit = store.resolve(c["unit"])
        rep = find_conflicts(store, round_ref=c["round"], team_refs=[c["team"]], unit_refs=[unit])
        hits = [x for x in rep.conflicts if x.ground == "kinship" and x.inspector_id == member
                and x.unit_id == unit]
        assert hits, c
        zh = hits[0].text.render("zh")
        assert "判定为同一人" in zh and "台账" in zh and "judged the same person" in hits[0].text.render("en")
        spouse = store.resolve(c["spouse_records"][0])
        assert sorted(f"cadre:{s}" for s in store.node(spouse)["sources"]) == sorted(c["spouse_records"])


def test_namesakes_are_not_merged(offices):
    root, dirs, ws, truth = offices
    from xuncha.graph.workspace import open_workspace

    store = open_workspace(ws)
    person_of = {f"cadre:{r}": p for p, recs in truth["people"].items() for r in recs}
    for nid, attrs in store.nodes("cadre"):
        people = {person_of[f"cadre:{s}"] for s in attrs.get("sources") or [attrs["id"]]}
        namesake = [p for p in people if any(p in pair for pair in truth["namesakes"])]
        if len(namesake) > 1:
            assert not any(set(pair) <= people for pair in truth["namesakes"]), (nid, people)


def test_simplify_skips_opencc_only_when_opencc_would_change_nothing():
    """The fast path (no character of any t2s key in the name) gives what
    OpenCC gives, on names mixing traditional, simplified and other text."""
    import random

    from opencc import OpenCC

    cc = OpenCC("t2s")
    rnd = random.Random(3)
    trad = "張志強歐陽華劉麗陳國東體會議發覽縣鄉鎮機關黨員幹部沈默有序船"
    simp = "张志强欧阳华刘丽陈国东体会议发览县乡镇机关党员干部某"
    pool = trad + simp + "ab1·"
    for _ in range(3000):
        s = "".join(rnd.choice(pool) for _ in range(rnd.randint(1, 6)))
        assert names.simplify(s) == cc.convert(s.replace("·", "")), s
    assert names.simplify("張志強") == "张志强" and names.simplify("张志强") == "张志强"
    assert names.simplify("沈默") == cc.convert("沈默") and names.simplify("沈伟") == "沈伟"


def test_pinyin_without_the_phrase_dictionary_is_the_same_for_every_character():
    """char_pinyin imports pypinyin without its phrase dictionary when it is
    the first to import it: every CJK character (and the masks) gets what
    pypinyin with its phrase dictionary gives.  Two fresh processes: one
    where pypinyin is imported first (phrases loaded), one where char_pinyin
    imports it."""
    import subprocess
    import sys

    script = """
import json, sys
if sys.argv[1] == "full":
    import pypinyin
    assert pypinyin.constants.PHRASES_DICT
from xuncha.identity.names import char_pinyin
out = [char_pinyin(chr(c)) for c in [
    *range(0x3400, 0x4dc0), *range(0x4e00, 0xa000), *range(0xf900, 0xfb00), 0x3007]]
out += [char_pinyin(c) for c in "某X×*＊xＸ·a1"]
print(json.dumps([len(sys.modules["pypinyin"].constants.PHRASES_DICT)] + out))
"""
    full, lean = (json.loads(subprocess.run([sys.executable, "-c", script, how], capture_output=True,
                                            text=True, check=True).stdout) for how in ("full", "lean"))
    assert full[0] > 0 and lean[0] == 0  # with and without the phrase dictionary
    assert full[1:] == lean[1:] and len(full) > 28000
    assert lean[1 + 0x5f20 - 0x4e00 + (0x4dc0 - 0x3400)] == "zhang"  # 张
