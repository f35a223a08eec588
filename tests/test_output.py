"""What people see: terminal tables, CSV for Excel, terminal safety, CLI conventions.

Tables are rendered to a fixed width and parsed back; the expected values
(percentages, ids, names) are computed here from the query rows, not by the
renderer.  Hostile strings (Rich markup, escape sequences, formulas) go
through the real loader and the real commands.
"""

from __future__ import annotations

import csv
import io
import re
import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from tests.conftest import Ledgers
from xuncha import output
from xuncha.cli import COMMANDS, main
from xuncha.errors import EXIT_INFEASIBLE, Infeasible

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = "[/]周[link=http://evil.example]志强[/link]\x1b[31m\x9b2J</script><!--\"'&"


@pytest.fixture(scope="module")
def county_ws(tmp_path_factory):
    ws = tmp_path_factory.mktemp("county") / "ws"
    r = CliRunner().invoke(main, ["load", str(ROOT / "examples" / "county"), "-w", str(ws), "-q"])
    assert r.exit_code == 0, r.output
    return ws


@pytest.fixture(autouse=True)
def _english(monkeypatch):
    """Each test starts from the default language (the locale): English here."""
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "XUNCHA_LANG"):
        monkeypatch.delenv(var, raising=False)
    output.set_lang(None)
    output.set_csv_headers(None)
    yield
    output.set_lang(None)
    output.set_csv_headers(None)


def _kpi_rows(ws):
    r = CliRunner().invoke(main, ["kpi", "--by", "unit", "--format", "json", "-w", str(ws)])
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def _render(rows, width, **kw):
    from rich.console import Console

    buf = io.StringIO()
    output.print_table(rows, width=width, out=Console(file=buf, width=width, color_system=None), **kw)
    return buf.getvalue()


def _parse(text):
    """Table lines -> list of records, each a list of the column texts (wrapped lines joined)."""
    records = []
    for line in text.splitlines():
        if not line.startswith("│"):
            continue
        cells = [c.strip() for c in line.strip("│").split("│")]
        if cells[0] or not records:
            records.append(cells)
        else:  # a continuation line of a wrapped cell
            records[-1] = [a + b for a, b in zip(records[-1], cells)]
    return records


def _pct(fraction):
    return f"{100 * fraction:.2f}".rstrip("0").rstrip(".") + "%"


@pytest.mark.parametrize("width", [80, 120])
def test_kpi_table_fits_and_keeps_rows_identifiable(county_ws, width, capsys):
    rows = _kpi_rows(county_ws)
    text = _render(rows, width, keys=["group", "name"],
                   priority=["issues", "issues_rectified", "rectification_rate"])
    from rich.cells import cell_len

    assert max(cell_len(line) for line in text.splitlines()) <= width
    got = _parse(text)
    assert len(got) == len(rows)
    for cells, row in zip(got, rows):
        assert cells[0] == row["group"] and cells[1] == row["name"]  # whole, maybe wrapped
        assert cells[2] == str(row["issues"]) and cells[3] == str(row["issues_rectified"])
        if row["issues"]:
            assert cells[4] == _pct(row["issues_rectified"] / row["issues"])
    # Hidden columns are named on stderr, and only when some were hidden.
    shown = len(got[0])
    err = capsys.readouterr().err
    assert (shown < len(rows[0])) == ("hidden to fit" in err)
    if width == 80:
        assert shown < len(rows[0]) and "actions" in err
    # English output keeps English headers however narrow (abbreviated or
    # wrapped, never switched to Chinese), and Chinese output Chinese ones.
    heads = "".join(ln for ln in text.splitlines() if ln.startswith("┃"))
    assert output.lang() == "en" and "rate" in heads and not re.search("[\u4e00-\u9fff]", heads)
    output.set_lang("zh")
    try:
        zh = "".join(ln for ln in _render(rows, width, keys=["group", "name"]).splitlines()
                     if ln.startswith("┃"))
    finally:
        output.set_lang("en")
    assert "整改率" in zh and not re.search("[a-z]{3}", zh)


def test_kpi_table_at_full_width_shows_everything_on_one_line(county_ws):
    rows = _kpi_rows(county_ws)
    text = _render(rows, 250)
    lines = [ln for ln in text.splitlines() if ln.startswith("│")]
    assert len(lines) == len(rows)  # nothing wrapped
    assert "rectification_rate 整改率" in text or "rate" in text


def test_too_narrow_for_the_keys_prints_one_block_per_record(county_ws):
    rows = _kpi_rows(county_ws)[:3]
    text = _render(rows, 30, keys=["group", "name"])
    for row in rows:
        assert f"{row['group']}  {row['name']}" in text
        assert f"  money_recovered: {int(row['money_recovered'])}\n" in text
        assert f"  rectification_rate: {_pct(row['issues_rectified'] / row['issues'])}\n" in text


def test_blocks_break_sentences_between_words(county_ws):
    """Conflict evidence at 60 columns prints as blocks; an English word or an
    id is never cut across lines, and joining the lines gives the sentence back."""
    import re

    r = CliRunner().invoke(main, ["conflicts", "--round", "R2023-1", "--format", "json",
                                  "--lang", "en", "-w", str(county_ws)])
    rows = json.loads(r.stdout)
    from rich.cells import cell_len

    text = _render([{"ground": c["ground"], "team_id": c["team_id"], "unit_id": c["unit_id"],
                     "text": c["text"]} for c in rows], 60, keys=["ground", "team_id", "unit_id"])
    assert "  text: " in text  # blocks, not a table
    assert max(cell_len(line) for line in text.splitlines()) <= 60
    word = re.compile(r"[A-Za-z][A-Za-z:0-9-]*[A-Za-z0-9]")
    words = set(word.findall(" ".join(c["text"] for c in rows)))
    squeezed = {re.sub(r"\s", "", c["text"]) for c in rows}
    blocks = [b for b in text.split("\n\n") if "  text: " in b]
    assert len(blocks) == len(rows)
    for block in blocks:
        lines = block.split("  text: ", 1)[1].split("\n    ")
        assert re.sub(r"\s", "", "".join(lines)) in squeezed  # nothing lost or added
        for ln in lines:
            for w in word.findall(ln):
                assert w in words, (w, ln)  # no fragment of a cut word


def test_percentages_and_numbers_are_never_cut():
    rows = [{"id": "x", "rate": 0.94531, "amount": 1125.21, "count": 123456789}]
    text = _render(rows, 40)
    assert "94.53%" in text and "1125.21" in text and "123456789" in text
    # Nor a number inside wrapped Chinese text: lines break between Chinese
    # characters and between words, so every figure stays on one line.
    trail = "青川县柳溪镇（党委书记2021-07-01至今，18个问题，覆盖期间16–100%）→ 青川县民政局（覆盖期间56%）"
    for width in range(42, 72, 3):
        text = _render([{"id": "cadre:C001", "trail": trail}], width)
        lines = [ln.split("│")[2].strip() for ln in text.splitlines() if ln.startswith("│")]
        assert "".join(lines).replace(" ", "") == trail.replace(" ", "")
        for figure in ("2021-07-01", "16–100%", "56%", "18"):
            assert any(figure in ln for ln in lines), (width, figure, lines)


def test_markup_and_escape_sequences_print_literally():
    text = _render([{"id": "cadre:C1", "name": HOSTILE}], 200, keys=["id", "name"])
    assert "[/]周[link=http://evil.example]志强[/link]" in text
    assert "\x1b" not in text and "\x9b" not in text
    assert output.sanitize("a\x1b]8;;http://x\x07b\u202ec") == "a]8;;http://xbc"


@pytest.fixture(scope="module")
def hostile_ws(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    lg = Ledgers(root / "ledgers")
    lg.csv("regions", ["id", "name", "level"], [["330101", "甲县", "县"]])
    lg.csv("units", ["id", "name", "kind", "region_id"],
           [["U1", "=HYPERLINK(\"http://x\")", "政府部门", "330101"], ["U2", "乙局[/]", "政府部门", "330101"]])
    lg.csv("cadres", ["id", "name", "gender"], [["C1", HOSTILE, "男"], ["C2", "李娜", "女"]])
    lg.csv("positions", ["cadre_id", "unit_id", "title", "is_principal", "start"],
           [["C1", "U1", "局长", "是", "2019-01-01"], ["C2", "U2", "局长", "否", "2019-01-01"]])
    lg.csv("rounds", ["id", "name", "kind"], [["R1", "第一轮", "常规"]])
    lg.csv("teams", ["id", "name"], [["T1", "第一组"]])
    lg.csv("issues", ["id", "round_id", "unit_id", "category", "description", "cadre_ids"],
           [["I1", "R1", "U1", "作风建设", "违规吃喝[/]", "C1"],
            ["I2", "R1", "U2", "作风建设", "违规收礼", "C1"]])
    ws = root / "ws"
    r = CliRunner().invoke(main, ["load", str(lg.dir), "-w", str(ws), "-q"])
    assert r.exit_code == 0, r.output
    return ws


@pytest.mark.parametrize("args", [["show", "cadre:C1"], ["related", "issue:I1"],
                                  ["path", "cadre:C1", "unit:U2"], ["show", "issue:I1"]])
def test_commands_print_hostile_data_literally(hostile_ws, args):
    r = CliRunner().invoke(main, [*args, "--format", "table", "-w", str(hostile_ws)],
                           env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.output
    assert "Traceback" not in r.output and "\x1b" not in r.output and "\x9b" not in r.output
    if args[0] != "path":
        assert "[/]" in r.stdout


def test_csv_has_bom_zh_headers_and_no_live_formulas(hostile_ws, county_ws):
    r = CliRunner().invoke(main, ["kpi", "--by", "unit", "--format", "csv", "--headers", "zh",
                                  "-w", str(county_ws)])
    assert r.exit_code == 0 and r.stdout.startswith("\ufeff")
    head = next(csv.reader(io.StringIO(r.stdout[1:])))
    assert head[:5] == ["分组", "名称", "问题", "已整改", "整改率"]
    rows = list(csv.reader(io.StringIO(r.stdout[1:])))[1:]
    json_rows = _kpi_rows(county_ws)
    assert [x[4] for x in rows] == [str(round(j["rectification_rate"], 4)).rstrip("0").rstrip(".")
                                    if j["rectification_rate"] not in (None, 1) else
                                    ("1" if j["rectification_rate"] == 1 else "")
                                    for j in json_rows]  # fractions in CSV, not percentages
    # English keys by default here, Chinese under a Chinese locale.
    r = CliRunner().invoke(main, ["stats", "--format", "csv", "-w", str(county_ws)])
    assert r.stdout.startswith("\ufefftype,kind,zh,count")
    r = CliRunner().invoke(main, ["stats", "--format", "csv", "-w", str(county_ws)],
                           env={"LANG": "zh_CN.UTF-8"})
    assert r.stdout.startswith("\ufeff类型,类型,中文名,数量") or r.stdout.startswith("\ufeff类型")
    # A cell Excel would run as a formula is neutralised.
    r = CliRunner().invoke(main, ["show", "unit:U1", "--format", "csv", "-w", str(hostile_ws)])
    assert "'=HYPERLINK" in r.stdout and ",=HYPERLINK" not in r.stdout


def test_generated_zh_ledgers_have_a_bom_and_load(tmp_path):
    out = tmp_path / "gen"
    r = CliRunner().invoke(main, ["generate", "-o", str(out), "--headers", "zh", "--seed", "3"])
    if r.exit_code != 0 and "no such option" in r.output.lower():
        pytest.skip(r.output)
    assert r.exit_code == 0, r.output
    files = sorted(out.glob("*.csv"))
    assert files and all(f.read_bytes().startswith(b"\xef\xbb\xbf") for f in files)
    assert "人员编号" in files[0].read_text(encoding="utf-8-sig") or \
        any("编号" in f.read_text(encoding="utf-8-sig").splitlines()[0] for f in files)
    r = CliRunner().invoke(main, ["load", str(out), "-w", str(tmp_path / "ws"), "-q"])
    assert r.exit_code == 0, r.output


def test_show_speaks_chinese_from_the_registry(county_ws):
    r = CliRunner().invoke(main, ["show", "cadre:C001", "--lang", "zh", "--format", "table",
                                  "-w", str(county_ws)], env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.output
    assert "性别" in r.stdout and "男" in r.stdout and "gender" not in r.stdout
    assert "是否一把手=" in r.stdout and ("是否一把手=否" in r.stdout or "是否一把手=是" in r.stdout)
    assert "False" not in r.stdout and "True" not in r.stdout
    assert "任职 →" in r.stdout
    r = CliRunner().invoke(main, ["show", "cadre:C001", "--format", "table", "-w", str(county_ws)],
                           env={"COLUMNS": "200"})
    assert "gender" in r.stdout and "male 男" in r.stdout and "HELD_POSITION>" in r.stdout
    # The locale decides when --lang is not given.
    r = CliRunner().invoke(main, ["show", "cadre:C001", "--format", "table", "-w", str(county_ws)],
                           env={"COLUMNS": "200", "LANG": "zh_CN.UTF-8"})
    assert "性别" in r.stdout


@click.command()
def _infeasible():
    raise Infeasible("no plan 无可行方案")


def test_exit_codes(county_ws, monkeypatch):
    runner = CliRunner()
    assert runner.invoke(main, ["stats", "-w", str(county_ws), "--format", "json"]).exit_code == 0
    assert runner.invoke(main, ["stats", "--no-such-option"]).exit_code == 2
    assert runner.invoke(main, ["kpi", "--by", "planet", "-w", str(county_ws)]).exit_code == 2
    r = runner.invoke(main, ["show", "cadre:NOPE", "-w", str(county_ws)])
    assert r.exit_code == 1 and "Traceback" not in r.output
    monkeypatch.setitem(COMMANDS, "infeasible", (__name__, "_infeasible", "test"))
    r = runner.invoke(main, ["infeasible"])
    assert r.exit_code == EXIT_INFEASIBLE == 3 and "无可行方案" in r.output
    help_text = runner.invoke(main, ["--help"]).output
    for code in ("0", "1", "2", "3"):
        assert f"  {code}  " in help_text
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "infeasible" in readme and "Exit status" in readme


def test_python_dash_m_and_completion(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    r = subprocess.run([sys.executable, "-m", "xuncha", "--help"], capture_output=True, text=True,
                       env=env, timeout=120)
    assert r.returncode == 0 and "Usage: xuncha" in r.stdout and "Exit status" in r.stdout
    for shell, marker in (("bash", "complete -o"), ("zsh", "compdef"), ("fish", "complete")):
        r = subprocess.run([sys.executable, "-m", "xuncha", "completion", shell],
                           capture_output=True, text=True, env=env, timeout=120)
        assert r.returncode == 0 and marker in r.stdout and "_XUNCHA_COMPLETE" in r.stdout
    # The script's protocol answers: `xuncha ex<Tab>` completes to export.
    r = subprocess.run([sys.executable, "-m", "xuncha"], capture_output=True, text=True, timeout=120,
                       env={**env, "COMP_WORDS": "xuncha ex", "COMP_CWORD": "1",
                            "_XUNCHA_COMPLETE": "bash_complete"})
    assert "plain,export" in r.stdout


def test_progress_is_silent_off_a_terminal(capsys):
    with output.progress("working", total=3) as p:
        p.step()
        p("rows", 2)
        p.task("writing").step()
    assert capsys.readouterr() == ("", "")
