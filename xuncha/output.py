"""Render query results: a table on a terminal, JSON when piped, CSV on request.

Rows are lists of dicts with stable keys.  ``render`` picks the format: the
one asked for, else ``table`` when stdout is a terminal and ``json`` when it
is piped.  Lists in CSV cells are joined with ``;``; nested objects become
JSON text.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from typing import Any, Sequence

FORMATS = ("table", "json", "csv")


def choose_format(fmt: str | None, stream=None) -> str:
    if fmt:
        return fmt
    stream = stream or sys.stdout
    try:
        return "table" if stream.isatty() else "json"
    except (AttributeError, ValueError):
        return "json"


def to_json(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2, default=str)


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        if v.is_integer() and abs(v) < 1e15:
            return str(int(v))
        return f"{v:.4f}".rstrip("0").rstrip(".")
    if isinstance(v, (list, tuple)):
        if all(not isinstance(x, (dict, list)) for x in v):
            return ";".join(_cell(x) for x in v)
        return json.dumps(v, ensure_ascii=False, default=str)
    if isinstance(v, dict):
        return json.dumps(v, ensure_ascii=False, default=str)
    return str(v)


def to_csv(rows: Sequence[dict], columns: Sequence[str] | None = None) -> str:
    cols = list(columns or _columns(rows))
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(cols)
    for r in rows:
        w.writerow([_cell(r.get(c)) for c in cols])
    return buf.getvalue()


def _columns(rows: Sequence[dict]) -> list[str]:
    cols: dict[str, None] = {}
    for r in rows:
        for k in r:
            cols.setdefault(k, None)
    return list(cols)


def print_table(rows: Sequence[dict], columns: Sequence[str] | None = None,
                title: str | None = None, headers: dict[str, str] | None = None) -> None:
    from rich.console import Console
    from rich.table import Table

    cols = list(columns or _columns(rows))
    t = Table(title=title, show_lines=False, header_style="bold")
    for c in cols:
        numeric = any(isinstance(r.get(c), (int, float)) and not isinstance(r.get(c), bool) for r in rows)
        t.add_column((headers or {}).get(c, c), justify="right" if numeric else "left",
                     overflow="fold", no_wrap=numeric)
    for r in rows:
        t.add_row(*[_cell(r.get(c)) for c in cols])
    # On a terminal, fit its width; into a file or pipe, don't fold lines.
    Console(width=None if sys.stdout.isatty() else 240).print(t)


def render(rows: Sequence[dict] | dict, fmt: str | None = None,
           columns: Sequence[str] | None = None, title: str | None = None,
           headers: dict[str, str] | None = None) -> None:
    """Print ``rows`` (a list of objects, or one object) in ``fmt``."""
    fmt = choose_format(fmt)
    if fmt == "json":
        sys.stdout.write(to_json(rows) + "\n")
        return
    if isinstance(rows, dict):
        rows = [{"field": k, "value": v} for k, v in rows.items()]
        columns = ["field", "value"]
    if fmt == "csv":
        sys.stdout.write(to_csv(rows, columns))
    else:
        print_table(rows, columns, title, headers)
