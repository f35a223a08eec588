"""Cells that are safe to open in a spreadsheet program (Excel, WPS, LibreOffice).

A text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return is run as a formula by Excel (CSV injection: ``=HYPERLINK(…)`` sends
data away, ``=1+1`` computes).  OWASP's advice is followed: such text is
prefixed with a single quote, which Excel treats as "this is text".  Only
strings are neutralised: a real negative number stays a number.

XLSX additionally cannot hold most C0 control characters (openpyxl refuses
them, and Excel would call the file corrupt); they are removed, and a carriage
return becomes a line feed (XML would turn it into one on reading anyway).

Used by every file written for people to open in a spreadsheet: the XLSX
export, plan workbooks, query CSVs.  Not used for the Neo4j bulk-import CSV,
which is read by ``neo4j-admin``, not by people: a quote there would be
stored in the database as part of the value.
"""

from __future__ import annotations

import re

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# What openpyxl's ILLEGAL_CHARACTERS_RE refuses: C0 controls except tab, LF, CR.
_ILLEGAL_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def neutralise(value):
    """``'=1+1`` for ``=1+1``; other values (numbers included) unchanged.

    >>> neutralise("=HYPERLINK(\\"http://x\\")"), neutralise("-5"), neutralise(-5), neutralise("张伟")
    ('\\'=HYPERLINK("http://x")', "'-5", -5, '张伟')
    """
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def xlsx_value(value):
    """A value for an XLSX cell: control characters removed, formulas neutralised.

    >>> xlsx_value("a\\x00b\\x1bc"), xlsx_value("\\x00=1+1"), xlsx_value(2.5)
    ('abc', "'=1+1", 2.5)
    """
    if isinstance(value, str):
        value = neutralise(_ILLEGAL_XLSX.sub("", value))
        return value.replace("\r\n", "\n").replace("\r", "\n") if "\r" in value else value
    return value
