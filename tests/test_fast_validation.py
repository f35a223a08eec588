"""The loader's fast validation path gives exactly what the pydantic models give.

:func:`xuncha.loaders.records.fast_validator` runs the models' converters in a
plain loop and hands anything unusual to the model.  Here every row of the
bundled example (CSV and workbook), of every case in the corpus of broken
ledgers and of a set of nasty cells goes through both: where the fast path
answers, its record must equal the model's (values, types and field order);
where the model rejects a row, the fast path must not have accepted it.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from pydantic import ValidationError

from xuncha.graph.schema import LEDGERS
from xuncha.loaders import dataset as dataset_module
from xuncha.loaders import load_dataset
from xuncha.loaders.records import fast_validator, model_for

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
CASES = sorted(p for p in DATA.iterdir() if (p / "README.md").is_file())


def model_record(ledger: str, data: dict):
    """The record as the model alone gives it (None if it rejects the row)."""
    try:
        rec = model_for(ledger).model_validate(data)
    except ValidationError:
        return None
    return {k: v for k, v in rec.__dict__.items() if v is not None}


class Checked:
    """Patched in for fast_validator: runs both paths on every row."""

    def __init__(self):
        self.fast = self.model_only = self.rejected = 0
        self.mismatches: list = []

    def __call__(self, ledger: str):
        real = fast_validator(ledger)

        def validate(data):
            got = real(dict(data))
            want = model_record(ledger, dict(data))
            if want is None:
                self.rejected += 1
                if got is not None:
                    self.mismatches.append((ledger, data, got, "model rejects"))
            elif got is None:
                self.model_only += 1
            else:
                self.fast += 1
                if list(got.items()) != list(want.items()) or any(
                        type(got[k]) is not type(want[k]) for k in got):
                    self.mismatches.append((ledger, data, got, want))
            return got

        return validate


def run(monkeypatch, directory: Path) -> Checked:
    checked = Checked()
    monkeypatch.setattr(dataset_module, "fast_validator", checked)
    load_dataset(directory, lenient=True)
    assert not checked.mismatches, checked.mismatches[:3]
    return checked


def test_example_rows_take_the_fast_path_and_agree(monkeypatch, tmp_path):
    c = run(monkeypatch, ROOT / "examples" / "county")
    assert c.fast > 1000 and c.model_only <= c.fast // 100  # the point of it: nearly all rows


def test_workbook_rows_agree(monkeypatch, tmp_path):
    wb = tmp_path / "wb"
    wb.mkdir()
    import shutil

    shutil.copy(ROOT / "examples" / "county.xlsx", wb / "county.xlsx")
    c = run(monkeypatch, wb)
    assert c.fast > 1000


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_corpus_cases_agree(monkeypatch, case):
    run(monkeypatch, case)


NASTY = ["", " x ", "=1+1", "1e999", "NaN", "-inf", "2018-02-30", "2018年13月", "2018.6", "2018年6月",
         "0000-00-00", "90余万元", "万元", "2.2万", "1125.21万元", "-5", "是", "否", "true", "1", "0",
         "1.0", "3.5", "作风建设", "conduct", "formalism", "党的领导弱化", "C1；C2、C3", "；；", "、",
         "U1;U1", "\"", "null", "[]", "9" * 30, "１２", "二〇一八年三月", "2018/3/4", "spouse", "夫妻"]


def test_nasty_cells_agree(monkeypatch, tmp_path):
    """Every field of every ledger given each nasty value, the other fields
    taken from a good row of the example."""
    base = ROOT / "examples" / "county"
    for name, ledger in LEDGERS.items():
        src = base / f"{name}.csv"
        if not src.exists():
            continue
        with open(src, encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
        header, good = rows[0], rows[1]
        d = tmp_path / name
        d.mkdir()
        out = [header]
        for col in range(len(header)):
            for bad in NASTY:
                row = list(good)
                row[col] = bad
                out.append(row)
        with open(d / f"{name}.csv", "w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows(out)
        c = run(monkeypatch, d)
        assert c.fast and (c.rejected or c.model_only), name  # both ways were taken
