"""Resident ID numbers (居民身份证号码, GB 11643-1999).

An 18-character number: a 6-digit region code (where it was issued), the birth
date ``YYYYMMDD``, a 3-digit sequence (odd for men, even for women) and a check
character computed with ISO 7064 MOD 11-2 (``0``–``9`` or ``X``).

Invariants:
- :func:`normalise` returns the canonical form (upper-case ``X``, no spaces) or
  ``None``; it never guesses digits (a number Excel rounded to ``3.81022E+17``
  is not an ID number any more).
- :func:`is_valid` is true only for 18 characters whose checksum holds and whose
  birth date is a real calendar date; only valid numbers count as evidence.
"""

from __future__ import annotations

import datetime as _dt
from operator import mul as _mul

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"
_ZERO = 48 * sum(WEIGHTS)  # what the ASCII codes of 17 zeros contribute


def check_char(first17: str) -> str:
    """The MOD 11-2 check character of 17 digits.

    >>> check_char("11010519491231002")
    'X'
    """
    # Bytes iterate as ints in C: each ASCII digit is its value + 48.
    return CHECK[(sum(map(_mul, first17.encode("ascii"), WEIGHTS)) - _ZERO) % 11]


def normalise(value) -> str | None:
    """``value`` as an 18-character upper-case string, or ``None`` when it has
    not that shape (the checksum is not checked here)."""
    if value is None:
        return None
    s = str(value).strip().replace(" ", "").upper()
    if len(s) != 18 or not s[:17].isdigit() or not (s[17].isdigit() or s[17] == "X"):
        return None
    return s


def is_valid(value) -> bool:
    """Whether ``value`` is an 18-character ID number with a correct checksum
    and a real birth date.

    >>> is_valid("11010519491231002X"), is_valid("110105194912310021")
    (True, False)
    """
    s = normalise(value)
    return s is not None and valid_canonical(s)


def valid_canonical(s: str) -> bool:
    """:func:`is_valid` for a string :func:`normalise` has already returned."""
    if check_char(s[:17]) != s[17]:
        return False
    try:
        _dt.date(int(s[6:10]), int(s[10:12]), int(s[12:14]))
    except ValueError:
        return False
    return True


def birth_date(value) -> str | None:
    """The ISO birth date encoded in an ID number, or ``None``."""
    s = normalise(value)
    if s is None:
        return None
    try:
        return _dt.date(int(s[6:10]), int(s[10:12]), int(s[12:14])).isoformat()
    except ValueError:
        return None


def gender(value) -> str | None:
    """``male`` (odd sequence) or ``female`` (even), or ``None``."""
    s = normalise(value)
    if s is None:
        return None
    return "male" if int(s[16]) % 2 else "female"


def mask(value) -> str:
    """The redacted form shown in warnings: region and check kept, birth hidden."""
    s = str(value)
    return s[:6] + "********" + s[14:] if len(s) == 18 else "*" * len(s)
