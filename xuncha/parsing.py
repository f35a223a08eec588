"""Cell parsers for the ledger formats: Chinese dates, money, yes/no, lists.

Each parser takes the raw cell (str, or a native value from Excel/JSON) and
returns the canonical value or raises ``ValueError`` with a sentence a ledger
clerk can act on.  Results for string cells are memoised: ledgers repeat the
same dates, amounts and flags many thousands of times, and the parsers sit on
the load's hot path.
"""

from __future__ import annotations

import datetime as _dt
import re

_DATE_RE = re.compile(
    r"^\s*(\d{4})\s*(?:[-/.年]\s*(\d{1,2})\s*(?:[-/.月]\s*(\d{1,2})\s*日?)?\s*月?)?\s*年?\s*$"
)
_DATETIME_TAIL = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")

_date_cache: dict[str, str] = {}


def parse_date(value) -> str:
    """Return an ISO date string ``YYYY-MM-DD``.

    Accepts 2018-08-29, 2018/8/29, 2018年8月29日, 2018.08, 2018-08, 2018,
    Excel date cells (datetime/date) and 8-digit 20180829.  A date given only
    to the month or year is stored as its first day.

    >>> parse_date("2018年8月29日"), parse_date("2018.08"), parse_date("2018")
    ('2018-08-29', '2018-08-01', '2018-01-01')
    """
    if isinstance(value, _dt.datetime):
        return value.date().isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(int(value)) if float(value).is_integer() else str(value)
    s = str(value)
    hit = _date_cache.get(s)
    if hit is not None:
        return hit
    t = _DATETIME_TAIL.sub("", s.strip())
    if len(t) == 8 and t.isdigit():
        t = f"{t[:4]}-{t[4:6]}-{t[6:]}"
    m = _DATE_RE.match(t)
    if not m:
        raise ValueError(f"'{s}' is not a date (日期); write e.g. 2018-08-29 or 2018年8月29日")
    y, mo, d = int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1)
    try:
        out = _dt.date(y, mo, d).isoformat()
    except ValueError as exc:
        raise ValueError(f"'{s}' is not a valid date (日期无效): {exc}") from None
    if len(_date_cache) < 100_000:
        _date_cache[s] = out
    return out


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
    if isinstance(value, bool):
        raise ValueError(f"'{value}' is not an amount of money (金额)")
    if isinstance(value, (int, float)):
        return float(value), False
    s = str(value)
    hit = _money_cache.get(s)
    if hit is not None:
        return hit
    m = _MONEY_RE.match(s)
    if not m:
        raise ValueError(
            f"'{s}' is not an amount of money (金额); write e.g. 25969, 25969元, 2.2万, 90余万元"
        )
    num = float(m.group(1).replace(",", ""))
    approx = bool(m.group(2) or m.group(4) or m.group(6))
    out = (round(num * _UNITS[m.group(3)], 2), approx)
    if len(_money_cache) < 100_000:
        _money_cache[s] = out
    return out


_TRUE = {"是", "true", "t", "yes", "y", "1", "对", "√"}
_FALSE = {"否", "false", "f", "no", "n", "0", "×"}


def parse_bool(value) -> bool:
    """是/否, true/false, 1/0, Y/N (any case).

    >>> parse_bool("是"), parse_bool("N")
    (True, False)
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    s = str(value).strip().lower()
    if s in _TRUE:
        return True
    if s in _FALSE:
        return False
    raise ValueError(f"'{value}' is not yes/no (是/否); write 是 or 否")


_LIST_SPLIT = re.compile(r"[;；、]")


def parse_list(value) -> list[str]:
    """Split a list cell on ``;``, ``；`` or ``、`` (JSON lists pass through).

    >>> parse_list("C001；C002、C003")
    ['C001', 'C002', 'C003']
    """
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
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (_dt.datetime, _dt.date)):
        return parse_date(value)
    return str(value).strip()


def parse_int(value) -> int:
    if isinstance(value, bool):
        raise ValueError(f"'{value}' is not a whole number (整数)")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    s = str(value).strip().rstrip("个人家项条")
    try:
        return int(s)
    except ValueError:
        raise ValueError(f"'{value}' is not a whole number (整数)") from None


def parse_float(value) -> float:
    if isinstance(value, bool):
        raise ValueError(f"'{value}' is not a number (数值)")
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(str(value).strip().rstrip("%"))
    except ValueError:
        raise ValueError(f"'{value}' is not a number (数值)") from None
