"""Property tests: malformed cells and files never escape as exceptions.

Whatever a ledger holds, ``load_dataset`` returns problems (each located and
explained) and ``xuncha validate`` exits 0 or 1 with no traceback; a dataset
that passes validation can be built, saved and reopened.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xuncha.cli import main
from xuncha.graph.build import build_graph
from xuncha.graph.store import GraphStore
from xuncha.graph.workspace import open_workspace, save
from xuncha.loaders import load_dataset

SETTINGS = settings(max_examples=100, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

ISSUE_HEADER = ["id", "round_id", "unit_id", "team_id", "category", "subcategory", "description",
                "cadre_ids", "amount", "source", "found_date", "immediate"]
UNIT_HEADER = ["id", "name", "aliases", "kind", "level", "region_id", "parent_id"]
TEAM_HEADER = ["id", "name", "level", "home_region_id", "capacity"]

# Text a spreadsheet can hold (no lone surrogates: no file can encode them).
text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
nasty = st.sampled_from([
    "", " ", "\t", "\u3000", "=1+1", "=HYPERLINK(\"x\")", "@SUM(A1)", "+1", "-", "\ufeffU1",
    "U\ufeff1", "U1\x00", "\x00", "9" * 400, "1e999", "NaN", "-inf", "2018-02-30", "2018年13月",
    "0000-00-00", "90余余万元", "万元", "是否", "警告", "双开", "；；", "、", "U1;U1", "\n", "\r\n",
    "\"", "\"\"\"", ",", "\\", "null", "None", "[]", "{}", "2.2万", "1125.21万元", "U1", "R1",
    "作风建设", "党的领导弱化", "违反中央八项规定精神", "政府部门", "张伟",
])
cell = st.one_of(text, nasty, st.integers().map(str), st.floats().map(repr))
json_scalar = st.one_of(st.none(), st.booleans(), st.integers(min_value=-(10**30), max_value=10**30),
                        st.floats(), text, nasty)
json_value = st.recursive(json_scalar, lambda inner: st.one_of(st.lists(inner, max_size=3),
                          st.dictionaries(text, inner, max_size=3)), max_leaves=6)


def _write_csv(path: Path, header: list, rows: list[list]) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_ALL)
    w.writerow(header)
    w.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def _base(d: Path) -> None:
    """Valid units, rounds and a region for the fuzzed issues to refer to."""
    _write_csv(d / "regions.csv", ["id", "name", "level"], [["330101", "东湖区", "县"]])
    _write_csv(d / "units.csv", UNIT_HEADER, [["U1", "财政局", "", "政府部门", "县", "330101", ""]])
    _write_csv(d / "rounds.csv", ["id", "name", "kind"], [["R1", "第一轮", "常规"]])
    _write_csv(d / "cadres.csv", ["id", "name"], [["C1", "张伟"], ["C2", "张伟"]])


def check_clean(ds) -> None:
    """Every problem is located and explained; a clean dataset saves and reopens."""
    for p in ds.problems:
        assert p.severity in ("error", "warning")
        assert isinstance(p.file, str) and p.file
        assert isinstance(p.reason, str) and p.reason
        assert p.row is None or (isinstance(p.row, int) and p.row >= 1)
        assert p.value is None or isinstance(p.value, str)
        str(p)
        json.dumps(p.as_dict(), ensure_ascii=False)
    if not ds.errors:
        g = build_graph(ds.records)
        with tempfile.TemporaryDirectory() as ws:
            save(GraphStore(g), ws)
            assert open_workspace(ws).graph.number_of_nodes() == g.number_of_nodes()


VALID_ISSUE = ["I", "R1", "U1", "", "作风建设", "", "问题", "C1", "25969元", "查阅资料", "2019-03-20", "否"]
fuzzed_row = st.tuples(
    st.dictionaries(st.integers(0, len(ISSUE_HEADER) - 1), cell, max_size=3),
    st.lists(cell, max_size=3),  # cells beyond the header
    st.integers(0, len(ISSUE_HEADER)),  # truncate the row here
    st.booleans(),
)


def _visible(cell: str) -> bool:
    import unicodedata

    return any(not ch.isspace() and unicodedata.category(ch)[0] != "C" for ch in cell)


@SETTINGS
@given(specs=st.lists(fuzzed_row, min_size=1, max_size=5))
def test_malformed_csv_cells(specs):
    # Valid rows with a few cells replaced, cut short or lengthened: most rows
    # get far enough to be accepted if a bad cell slipped through.
    rows = []
    for i, (edits, extra, cut, short) in enumerate(specs):
        row = list(VALID_ISSUE)
        row[0] = f"I{i}"
        for j, v in edits.items():
            row[j] = v
        rows.append(row[:cut] if short else row + extra)
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        _base(d)
        _write_csv(d / "issues.csv", ISSUE_HEADER, rows)  # ragged rows included
        ds = load_dataset(d)
        check_clean(ds)
        # A row with values beyond the header (shifted cells) is never accepted.
        # A value is something visible: a cell of spaces and control
        # characters (NUL, BEL…) holds none, here as in every other column.
        for row in ds.rows.get("issues", []):
            assert not any(_visible(c) for c in rows[row.row - 2][len(ISSUE_HEADER):])


@SETTINGS
@given(ledger=st.sampled_from([("units", UNIT_HEADER), ("teams", TEAM_HEADER)]),
       keys=st.lists(st.sampled_from(UNIT_HEADER + TEAM_HEADER + ["x", ""]), max_size=4),
       values=st.lists(json_value, min_size=4, max_size=4), n=st.integers(1, 4))
def test_malformed_json_lines_values(ledger, keys, values, n):
    from xuncha.graph.schema import LEDGERS

    name, _ = ledger
    # A valid record with a few fields replaced by fuzz, so most rows get far
    # enough to be accepted if a bad value slipped through.
    valid = {"id": "X", "name": "某单位", "kind": "医院"} if name == "units" else \
        {"id": "X", "name": "第一组", "capacity": 3}
    records = [{**valid, "id": f"X{i}", **{k: values[(i + j) % 4] for j, k in enumerate(keys)}}
               for i in range(n)]
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        _write_csv(d / "regions.csv", ["id", "name", "level"], [["330101", "东湖区", "县"]])
        lines = [json.dumps(r, ensure_ascii=bool(i % 2)) for i, r in enumerate(records)]
        (d / f"{name}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
        ds = load_dataset(d)
        check_clean(ds)
        # An accepted row never held a list or an object in a one-value field.
        fields = {f.name: f for f in LEDGERS[name].fields}
        for row in ds.rows.get(name, []):
            for header, raw in row.raw.items():
                if not fields[header].is_list:
                    # (an empty list is an empty cell)
                    assert not (isinstance(raw, (list, dict)) and raw), (header, raw)


@SETTINGS
@given(data=st.binary(max_size=300), name=st.sampled_from(
    ["issues.csv", "units.tsv", "regions.jsonl", "units.xlsx", "问题台账.csv"]))
def test_binary_garbage_files(data, name):
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        _base(d)
        (d / name).write_bytes(data)
        check_clean(load_dataset(d))


def _workbook_bytes() -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "问题台账"
    ws.append(["问题台账（2019）"])
    ws.append(ISSUE_HEADER)
    ws.append(["I1", "R1", "U1", "", "作风建设", "", "x", "", 25969, "", None, True])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


WORKBOOK = _workbook_bytes()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cut=st.integers(min_value=0, max_value=len(WORKBOOK)),
       flip=st.lists(st.integers(min_value=0, max_value=len(WORKBOOK) - 1), max_size=3))
def test_truncated_or_damaged_workbooks(cut, flip):
    data = bytearray(WORKBOOK[:cut])
    for i in flip:
        if i < len(data):
            data[i] ^= 0xFF
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        _base(d)
        (d / "台账.xlsx").write_bytes(bytes(data))
        ds = load_dataset(d)
        check_clean(ds)
        if cut == len(WORKBOOK) and not flip:
            assert ds.errors == [] and len(ds.records["issues"]) == 1


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=st.lists(st.one_of(text, st.sampled_from(
    ['{"id": "U9", "name": "x", "kind": "医院"}', "{", "[1]", "null", '{"id": NaN}',
     '{"id": "\\ud800", "name": "\\udfff", "kind": "医院"}', '"str"', "1e999"])), max_size=6),
    rows=st.lists(st.lists(cell, max_size=9), max_size=4))
def test_validate_command_never_shows_a_traceback(lines, rows):
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        _base(d)
        (d / "units.jsonl").write_text("\n".join(lines), encoding="utf-8")
        _write_csv(d / "issues.csv", ISSUE_HEADER, rows)
        (d / "units.csv").unlink()
        r = CliRunner().invoke(main, ["validate", str(d)])
        assert r.exit_code in (0, 1), r.output
        assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
        assert "Traceback" not in r.output
        json.loads(r.stdout)
        r = CliRunner().invoke(main, ["load", str(d), "-w", str(d / "ws"), "--lenient"])
        assert r.exit_code == 0, r.output
        assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
