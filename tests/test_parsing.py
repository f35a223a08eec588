"""Cell parsers (xuncha.parsing) and taxonomies (xuncha.taxonomy)."""

from __future__ import annotations

import datetime as dt

import pytest

from xuncha import parsing, taxonomy
from xuncha.parsing import (clean, parse_bool, parse_code, parse_date, parse_float, parse_int,
                            parse_list, parse_money)


@pytest.mark.parametrize("cell, iso", [
    ("2018-08-29", "2018-08-29"),
    ("2018/8/29", "2018-08-29"),
    ("2018年8月29日", "2018-08-29"),
    ("2018年08月29日", "2018-08-29"),
    ("2018.08", "2018-08-01"),
    ("2018-08", "2018-08-01"),
    ("2018年8月", "2018-08-01"),
    ("2018", "2018-01-01"),
    ("2018年", "2018-01-01"),
    ("20180829", "2018-08-29"),
    (" 2018-08-29 ", "2018-08-29"),
    ("2018-08-29 10:30:00", "2018-08-29"),
    ("\ufeff2018-08-29", "2018-08-29"),
    (dt.datetime(2018, 8, 29, 14, 5), "2018-08-29"),
    (dt.date(2018, 8, 29), "2018-08-29"),
    (2018, "2018-01-01"),
    (20180829.0, "2018-08-29"),
])
def test_dates(cell, iso):
    assert parse_date(cell) == iso


@pytest.mark.parametrize("cell", ["2018-13-01", "2018-02-30", "29/08/2018", "昨天", "", "18-8-29",
                                  float("nan"), float("inf"), 10**40, ["2018"], True])
def test_bad_dates_say_what_to_write(cell):
    with pytest.raises(ValueError) as exc:
        parse_date(cell)
    assert "date" in str(exc.value) or "日期" in str(exc.value) or "list" in str(exc.value)


@pytest.mark.parametrize("cell, yuan, approx", [
    ("25969", 25969.0, False),
    ("25969元", 25969.0, False),
    ("2.2万", 22000.0, False),
    ("1125.21万元", 11252100.0, False),
    ("90余万元", 900000.0, True),
    ("90多万", 900000.0, True),
    ("3000余元", 3000.0, True),
    ("1.5亿元", 150000000.0, False),
    ("1,234.5元", 1234.5, False),
    ("￥800", 800.0, False),
    (25969, 25969.0, False),
    (1125.21, 1125.21, False),
])
def test_money(cell, yuan, approx):
    assert parse_money(cell) == (yuan, approx)


@pytest.mark.parametrize("cell", ["约九十万", "25969美元", "2.2.2万", "", "元", True,
                                  float("nan"), float("inf"), 10**400, "9" * 400, [1]])
def test_bad_money(cell):
    with pytest.raises(ValueError):
        parse_money(cell)


@pytest.mark.parametrize("cell, value", [
    ("是", True), ("否", False), ("true", True), ("FALSE", False), ("1", True), ("0", False),
    ("Y", True), ("n", False), (1, True), (0.0, False), (True, True), (" 是 ", True),
])
def test_bool(cell, value):
    assert parse_bool(cell) is value


@pytest.mark.parametrize("cell", ["也许", "2", 2, "", [True]])
def test_bad_bool(cell):
    with pytest.raises(ValueError, match="是|yes|list"):
        parse_bool(cell)


def test_lists_split_on_every_separator():
    assert parse_list("C1;C2；C3、C4") == ["C1", "C2", "C3", "C4"]
    assert parse_list(" C1 ; ;C2 ") == ["C1", "C2"]
    assert parse_list(["C1", 2, 3.0]) == ["C1", "2", "3"]
    with pytest.raises(ValueError, match="list"):
        parse_list({"a": 1})
    with pytest.raises(ValueError, match="list"):
        parse_list([["C1"]])


def test_codes_keep_leading_zeros_and_lose_float_tails():
    assert parse_code("010101") == "010101"
    assert parse_code(110101.0) == "110101"
    assert parse_code(110101) == "110101"
    assert parse_code(" U001 ") == "U001"


def test_invisible_characters_are_removed():
    assert clean("\ufeffU001\u200b\x00 ") == "U001"
    assert parse_code("\u3000张伟\u3000") == "张伟"


@pytest.mark.parametrize("value", [["a"], {"a": 1}])
def test_scalar_fields_refuse_json_containers(value):
    for f in (parse_code, parse_int, parse_float, parse_money, parse_date):
        with pytest.raises(ValueError, match="list|object"):
            f(value)


def test_numbers():
    assert parse_int("3项") == 3 and parse_int(4.0) == 4 and parse_int("12") == 12
    assert parse_float("12.5%") == 12.5
    for bad in ("3.5", "x", True, 10**30, "9" * 100):
        with pytest.raises(ValueError):
            parse_int(bad)
    for bad in ("1e999", "nan", float("inf"), False):
        with pytest.raises(ValueError):
            parse_float(bad)


def test_parse_errors_are_short_even_for_huge_cells():
    with pytest.raises(ValueError) as exc:
        parse_date("x" * 10_000)
    assert len(str(exc.value)) < 200


# -- taxonomies -----------------------------------------------------------------

@pytest.mark.parametrize("tax", sorted(taxonomy.TAXONOMIES))
def test_every_code_and_chinese_name_is_accepted(tax):
    table = taxonomy.TAXONOMIES[tax]
    for code, names in table.items():
        assert taxonomy.lookup(tax, code) == code
        assert taxonomy.lookup(tax, code.upper()) == code
        # A Chinese name shared by two codes maps to the first; each name maps
        # to a code whose names include it.
        for zh in names:
            got = taxonomy.lookup(tax, f" {zh} ")
            assert zh in table[got] or got == code


def test_unknown_enum_suggests_the_nearest():
    with pytest.raises(taxonomy.EnumError) as exc:
        taxonomy.lookup("rect_status", "已完")
    assert exc.value.suggestion == "completed (已完成)"
    assert "rect_status" in str(exc.value) and "整改状态" in str(exc.value)
    with pytest.raises(taxonomy.EnumError) as exc:
        taxonomy.lookup("unit_kind", "goverment_department")
    assert exc.value.suggestion.startswith("government_department")


def test_bare_warning_is_ambiguous_and_names_both():
    with pytest.raises(taxonomy.EnumError) as exc:
        taxonomy.lookup("outcome", "警告")
    msg = str(exc.value)
    assert "党内警告" in msg and "政务警告" in msg and "ambiguous" in msg


def test_label_and_zh():
    assert taxonomy.label("rect_status", "closed") == "closed 已销号"
    assert taxonomy.zh("category", "conduct") == "作风建设"
    assert taxonomy.zh("category", "nope") == "nope"


def test_every_subcategory_has_a_parent_category():
    assert set(taxonomy.SUBCATEGORY) == set(taxonomy.SUBCATEGORY_PARENT)
    assert set(taxonomy.SUBCATEGORY_PARENT.values()) <= set(taxonomy.CATEGORY)


def test_doctests():
    import doctest

    assert doctest.testmod(parsing).failed == 0
    assert doctest.testmod(taxonomy).failed == 0


def test_end_dates_and_excel_serials():
    from xuncha.parsing import parse_date, parse_end_date

    assert parse_end_date("2020-02") == "2020-02-29"  # a leap year's February
    assert parse_end_date("2021年6月") == "2021-06-30" and parse_end_date("2021") == "2021-12-31"
    assert parse_end_date("2021-06-15") == "2021-06-15"  # a day is a day
    assert parse_date("2021.06") == "2021-06-01"  # a start keeps the first day
    # Excel serial dates: days since 1899-12-30 (a time of day is dropped).
    assert parse_date(44277) == parse_date(44277.75) == parse_date("44277") == "2021-03-22"
    assert parse_date(2018) == "2018-01-01"  # four digits are a year, not a serial


def test_opposite_meanings_are_curated_not_guessed():
    from xuncha import taxonomy

    assert taxonomy.lookup("rect_status", "已整改") == "completed"
    with pytest.raises(taxonomy.EnumError) as e:
        taxonomy.lookup("rect_status", "未整改")
    assert "not_started" in str(e.value) and "in_progress" in str(e.value)
    assert taxonomy.nearest("rect_status", "未销号") is None  # 已销号 is its opposite
    assert taxonomy.nearest("rect_status", "已完") == "completed (已完成)"
    assert parse_bool("未立案") is False and parse_bool("已立案") is True


def test_gb11643_check_character():
    from xuncha.loaders.checks import id_check_char

    # The standard's own example: 11010519491231002X.
    assert id_check_char("11010519491231002") == "X"
    assert id_check_char("33010119700501123") == "6"
