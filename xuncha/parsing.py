"""Cell parsers for the ledger formats: Chinese dates, money, yes/no, lists.

Each parser takes the raw cell (str, or a native value from Excel/JSON) and
returns the canonical value or raises ``ValueError`` with a sentence a ledger
clerk can act on.  Results for string cells are memoised: ledgers repeat the
same dates, amounts and flags many thousands of times, and the parsers sit on
the load's hot path.
"""

from __future__ import annotations

import datetime as _dt
import math
import re

# Characters that are invisible in a spreadsheet but break matching: byte-order
# marks pasted mid-file, zero-width spaces, NUL bytes from broken exports.
_INVISIBLE = str.maketrans("", "", "\ufeff\u200b\u200c\u200d\u2060\x00")
# Largest integer a cell may hold: the workspace stores JSON with 64-bit ints.
MAX_INT = 2**63 - 1


def clean(value) -> str:
    """A cell as trimmed text without invisible characters (BOM, zero-width, NUL).

    >>> clean("\ufeff U001\u200b ")
    'U001'
    """
    s = str(value)
    if not s.isprintable():
        s = s.translate(_INVISIBLE)
    return s.strip()


def _scalar(value, what: str) -> None:
    """Reject a JSON list/object where one value is expected."""
    if isinstance(value, (list, tuple, dict, set)):
        kind = "an object" if isinstance(value, dict) else "a list"
        raise ValueError(f"expected one {what}, got {kind}: {_show(value)}")


def _show(value, limit: int = 60) -> str:
    s = repr(value) if not isinstance(value, str) else value
    return s if len(s) <= limit else s[: limit - 1] + "…"

_DATE_RE = re.compile(
    r"^\s*(\d{4})\s*(?:[-/.年]\s*(\d{1,2})\s*(?:[-/.月]\s*(\d{1,2})\s*日?)?\s*月?)?\s*年?\s*$"
)
_DATETIME_TAIL = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")

_date_cache: dict[str, str] = {}
_end_cache: dict[str, str] = {}
# Excel stores a date as days since 1899-12-30 (a "serial date"): a date cell
# formatted as General shows 44277 for 2021-03-22.  Five-digit serials cover
# 1927-05-18 .. 2173-10-14; no other accepted date form has five digits.
EXCEL_EPOCH = _dt.date(1899, 12, 30)
SERIAL_MIN, SERIAL_MAX = 10_000, 99_999


def _serial(value: float) -> str:
    return (EXCEL_EPOCH + _dt.timedelta(days=int(value))).isoformat()


def parse_date(value, end: bool = False) -> str:
    """Return an ISO date string ``YYYY-MM-DD``.

    Accepts 2018-08-29, 2018/8/29, 2018年8月29日, 2018.08, 2018-08, 2018,
    Excel date cells (datetime/date), Excel serial dates (44277, a date cell
    shown as a number) and 8-digit 20180829.  A date given only to the month
    or year is stored as its first day, or with ``end`` (the end of a term,
    a deadline) as its last day: a post held "until 2021.06" is held on
    2021-06-15.

    >>> parse_date("2018年8月29日"), parse_date("2018.08"), parse_date("2018")
    ('2018-08-29', '2018-08-01', '2018-01-01')
    >>> parse_date("2021.06", end=True), parse_date("2021", end=True), parse_date(44277)
    ('2021-06-30', '2021-12-31', '2021-03-22')
    """
    if isinstance(value, _dt.datetime):
        return value.date().isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    _scalar(value, "date (日期)")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if math.isfinite(value) and SERIAL_MIN <= value <= SERIAL_MAX:
            return _serial(value)
        if isinstance(value, float) and math.isfinite(value) and value.is_integer():
            value = int(value)
        value = str(value)[:40]
    s = str(value)
    cache = _end_cache if end else _date_cache
    hit = cache.get(s)
    if hit is not None:
        return hit
    t = _DATETIME_TAIL.sub("", clean(s))
    if len(t) == 5 and t.isdigit() and SERIAL_MIN <= int(t):
        out = _serial(int(t))  # a serial date typed or exported as text
    else:
        if len(t) == 8 and t.isdigit():
            t = f"{t[:4]}-{t[4:6]}-{t[6:]}"
        m = _DATE_RE.match(t)
        if not m:
            raise ValueError(f"'{_show(s)}' is not a date (日期); write e.g. 2018-08-29 or 2018年8月29日")
        y, mo, d = int(m.group(1)), int(m.group(2) or (12 if end else 1)), m.group(3)
        try:
            if d is not None:
                out = _dt.date(y, mo, int(d)).isoformat()
            elif end:
                nxt = _dt.date(y + (mo == 12), mo % 12 + 1, 1) if y < 9999 or mo < 12 else None
                out = (nxt - _dt.timedelta(days=1)).isoformat() if nxt else _dt.date(y, 12, 31).isoformat()
            else:
                out = _dt.date(y, mo, 1).isoformat()
        except ValueError as exc:
            raise ValueError(f"'{s}' is not a valid date (日期无效): {exc}") from None
    if len(cache) < 100_000:
        cache[s] = out
    return out


def parse_end_date(value) -> str:
    """:func:`parse_date` for the end of a period: a month or year means its last day."""
    return parse_date(value, end=True)


_MONEY_RE = re.compile(
    r"^\s*(?:人民币|RMB|¥|￥)?\s*([+-]?\d+(?:,\d{3})*(?:\.\d+)?)\s*(余|多)?\s*(亿|万|千)?\s*(余|多)?\s*(元|块)?\s*(余|多)?\s*$"
)
_UNITS = {None: 1, "千": 1_000, "万": 10_000, "亿": 100_000_000}
_money_cache: dict[str, tuple[float, bool]] = {}


def parse_money(value) -> tuple[float, bool]:
    """Return ``(yuan, approximate)``.

    >>> parse_money("1125.21万元"), parse_money("90余万元"), parse_money("25969元")
    ((11252100.0, False), (900000.0, True), (25969.0, False))
    """
    _scalar(value, "amount of money (金额)")
    if isinstance(value, bool):
        raise ValueError(f"'{value}' is not an amount of money (金额)")
    if isinstance(value, (int, float)):
        return _finite_money(value, value), False
    s = str(value)
    hit = _money_cache.get(s)
    if hit is not None:
        return hit
    m = _MONEY_RE.match(clean(s))
    if not m:
        raise ValueError(
            f"'{_show(s)}' is not an amount of money (金额); write e.g. 25969, 25969元, 2.2万, 90余万元"
        )
    num = float(m.group(1).replace(",", ""))
    approx = bool(m.group(2) or m.group(4) or m.group(6))
    out = (round(_finite_money(num * _UNITS[m.group(3)], s), 2), approx)
    if len(_money_cache) < 100_000:
        _money_cache[s] = out
    return out


def _finite_money(x, shown) -> float:
    try:
        f = float(x)
    except OverflowError:
        f = math.inf
    if not math.isfinite(f) or abs(f) >= 1e15:
        raise ValueError(f"'{_show(str(shown))}' is not a plausible amount of money (金额超出范围)")
    return f


_TRUE = {"是", "true", "t", "yes", "y", "1", "对", "√", "有",
         # case_filed 是否立案; immediate 是否立行立改
         "已立案", "立案", "已立行立改"}
_FALSE = {"否", "false", "f", "no", "n", "0", "×", "无",
          "未立案", "不立案", "不予立案", "未"}


def parse_bool(value) -> bool:
    """是/否, true/false, 1/0, Y/N (any case).

    >>> parse_bool("是"), parse_bool("N")
    (True, False)
    """
    if isinstance(value, bool):
        return value
    _scalar(value, "yes/no (是/否)")
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    s = clean(value).lower()
    if s in _TRUE:
        return True
    if s in _FALSE:
        return False
    raise ValueError(f"'{_show(str(value))}' is not yes/no (是/否); write 是 or 否")


_LIST_SPLIT = re.compile(r"[;；、]")


def parse_list(value) -> list[str]:
    """Split a list cell on ``;``, ``；`` or ``、`` (JSON lists pass through).

    >>> parse_list("C001；C002、C003")
    ['C001', 'C002', 'C003']
    """
    if isinstance(value, dict):
        raise ValueError(f"expected a list, got an object: {_show(value)}")
    if isinstance(value, (list, tuple)):
        items = [parse_code(v) for v in value]
    else:
        items = [p.strip() for p in _LIST_SPLIT.split(parse_code(value))]
    return [p for p in items if p]


def parse_code(value) -> str:
    """An identifier or text cell as a string; numbers from Excel lose no digits.

    >>> parse_code(110101.0), parse_code(" 0101 ")
    ('110101', '0101')
    """
    if isinstance(value, str):
        return clean(value)
    _scalar(value, "value")
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (_dt.datetime, _dt.date)):
        return parse_date(value)
    return clean(value)


def parse_int(value) -> int:
    """A whole number; a trailing counter word (个, 人, 家, 项, 条) is dropped.

    >>> parse_int("3项"), parse_int(2.0)
    (3, 2)
    """
    if isinstance(value, bool):
        raise ValueError(f"'{value}' is not a whole number (整数)")
    _scalar(value, "whole number (整数)")
    if isinstance(value, int):
        out = value
    elif isinstance(value, float) and value.is_integer():
        out = int(value)
    else:
        s = clean(value).rstrip("个人家项条")
        try:
            out = int(s) if len(s) <= 30 else MAX_INT + 1
        except ValueError:
            raise ValueError(f"'{_show(str(value))}' is not a whole number (整数)") from None
    if abs(out) > MAX_INT:
        raise ValueError(f"'{_show(str(value))}' is too large a number (数值过大)")
    return out


def parse_float(value) -> float:
    if isinstance(value, bool):
        raise ValueError(f"'{value}' is not a number (数值)")
    _scalar(value, "number (数值)")
    try:
        out = float(value) if isinstance(value, (int, float)) else float(clean(value).rstrip("%"))
    except (ValueError, OverflowError):
        raise ValueError(f"'{_show(str(value))}' is not a number (数值)") from None
    if not math.isfinite(out):
        raise ValueError(f"'{_show(str(value))}' is not a finite number (数值无效)")
    return out
