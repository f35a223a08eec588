"""Render query results: a table on a terminal, JSON when piped, CSV on request.

Rows are lists of dicts with stable keys.  ``render`` picks the format: the
one asked for, else ``table`` when stdout is a terminal and ``json`` when it
is piped.  Lists in CSV cells are joined with ``;``; nested objects become
JSON text.

Invariants:

- **Tables fit the terminal without losing what identifies a row.**  Numbers
  and identifying columns (``keys``: ids, names) are never cut.  When the
  table is too wide, headers are shortened first (bilingual → one language),
  then free-text columns wrap, then the least important columns are hidden
  (one line on stderr says which), and when even the identifying columns do
  not fit, each row is printed as a block of ``field: value`` lines.
- **Rates are percentages on screen** (``94.53%``) and fractions in JSON and
  CSV (``0.9453``): a column is a rate when its key ends in ``rate`` or is
  ``share`` (or is named in ``percent=``).
- **Data is never terminal markup**: every cell and title is a plain
  :class:`rich.text.Text` (``[/]`` or ``[link=…]`` in a name print
  literally), and control characters (ESC, other C0/C1 codes, bidi
  overrides) are removed from everything written to a terminal or a table
  (:func:`sanitize`).
- **CSV is for people** (Excel on Chinese Windows): UTF-8 with a BOM, Chinese
  headers with ``--headers zh`` (the default when ``--lang`` is ``zh``), and a
  text cell that Excel would run as a formula (``=``, ``+``, ``-``, ``@``, tab,
  CR first) gets a leading ``'``.
- **Language**: :func:`lang` is ``zh`` or ``en``, from ``--lang``, else
  ``$XUNCHA_LANG``, else the locale (``LC_ALL``/``LC_MESSAGES``/``LANG``
  starting with ``zh``).

:func:`progress` is the one progress display for long steps: a rich progress
bar on stderr when stderr is a terminal, nothing otherwise or when quiet.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import sys
from contextlib import contextmanager
from typing import Any, Iterator, Sequence

from .i18n import LANGS, lang, localize, locale_lang, set_lang  # noqa: F401 (re-exported)

FORMATS = ("table", "json", "csv")
BOM = "\ufeff"

def say(zh: str, en: str) -> str:
    """A status line or title in the output language: ``zh`` or ``en`` (errors
    stay bilingual; sentences from queries are :class:`xuncha.i18n.Msg`)."""
    return zh if lang() == "zh" else en


# Chinese names of the columns queries return (a command's own ``headers``
# take precedence).  Node/edge property names come from the registry.
COLUMN_ZH: dict[str, str] = {
    "id": "编号", "name": "名称", "label": "名称", "kind": "类型", "type": "类型", "zh": "中文名",
    "count": "数量", "group": "分组", "unit": "单位", "unit_id": "单位编码", "unit_name": "单位名称",
    "team": "巡察组", "team_id": "巡察组编号", "cadre": "人员", "cadre_id": "人员编号",
    "inspector_id": "巡察人员", "round": "轮次", "round_id": "轮次编号", "date": "日期",
    "score": "分值", "reasons": "依据", "signals": "信号", "text": "说明", "path": "路径",
    "length": "长度", "event": "事件", "title": "职务", "rank": "职级", "is_principal": "是否一把手",
    "start": "开始", "end": "结束", "category": "问题类别", "units": "单位数", "inspected": "被巡察单位数",
    "share": "占比", "issues": "问题", "issues_rectified": "已整改", "rectification_rate": "整改率",
    "leads": "线索", "leads_transferred": "移交", "cases_filed": "立案", "actions": "整改措施",
    "actions_overdue": "逾期", "money_recovered": "追回(元)", "severity": "严重程度", "file": "文件",
    "row": "行", "column": "列", "value": "值", "reason": "原因", "suggestion": "建议",
    "ground": "回避事由", "detail": "详情", "source": "起点", "target": "终点", "edge": "关系",
    "source_label": "起点名称", "target_label": "终点名称", "props": "属性", "property": "属性",
    "field": "字段", "ledger": "台账", "rows": "行数", "items": "案件数", "cluster": "关联案件群",
    "cases": "立案", "sanctions": "处分", "cadres": "人员", "item_ids": "案件编号", "trail": "轨迹",
    "rectified": "已整改", "again": "再次发现", "lookback": "回头看", "role": "角色",
    "details": "详情", "as_of": "截止日期", "window_start": "窗口起点", "from_region": "派出区划",
    "to_region": "被巡察区划", "from": "派出", "to": "被巡察",
    "a": "记录A", "b": "记录B", "a_label": "名称A", "b_label": "名称B", "judged": "判定",
}

# -- sanitising ----------------------------------------------------------------------

# C0 controls but tab and newline, DEL, C1 controls, and the bidi overrides that
# reorder what a terminal shows.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def sanitize(text: str) -> str:
    """Text safe for a terminal: escape sequences and other control characters removed.

    >>> sanitize("周\\x1b[31m志强\\x07")
    '周[31m志强'
    """
    return _CONTROL.sub("", text)


def echo(message: str = "", err: bool = False, nl: bool = True) -> None:
    """``click.echo`` of text that may hold data: control characters removed."""
    import click

    click.echo(sanitize(str(message)), err=err, nl=nl)


def echo_wrapped(message: str, err: bool = False) -> None:
    """A sentence on its own: on a terminal, wrapped at its width between
    words (:func:`wrap_cells`); into a file or pipe, one line."""
    stream = sys.stderr if err else sys.stdout
    text = sanitize(str(message))
    if _isatty(stream):
        width = max(20, console(stderr=err).width - 1)
        text = "\n".join(wrap_cells(text, width, width))
    echo(text, err=err)


# -- formats --------------------------------------------------------------------------

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


def is_rate(key: str) -> bool:
    return key.endswith("rate") or key in ("share",)


def percent(v: float) -> str:
    """A fraction as a percentage with at most two decimals: 0.94531 → ``94.53%``."""
    text = f"{v * 100:.2f}".rstrip("0").rstrip(".")
    return f"{text}%"


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


def _display(v: Any, key: str, pct: bool) -> str:
    """A value as shown in a table (rates as percentages, booleans by language)."""
    if pct and isinstance(v, (int, float)) and not isinstance(v, bool):
        return percent(v)
    if isinstance(v, bool):
        return ("是" if v else "否") if lang() == "zh" else ("yes" if v else "no")
    if isinstance(v, float) and not v.is_integer():
        # Never cut a number: money keeps its cents, other floats 4 places.
        return f"{v:.4f}".rstrip("0").rstrip(".")
    return _cell(v)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(v: Any) -> str:
    text = _cell(v)
    if isinstance(v, str) and text.startswith(_FORMULA_START):
        return "'" + text  # Excel would run it as a formula
    return text


def header_names(columns: Sequence[str], headers: dict[str, str] | None = None,
                 which: str | None = None) -> list[str]:
    """Column names for a CSV header row: the keys (``en``) or Chinese names (``zh``)."""
    which = which or lang()
    if which != "zh":
        return list(columns)
    out = []
    for c in columns:
        _, zh = _split_header(c, (headers or {}).get(c))
        out.append(zh or c)
    return out


def to_csv(rows: Sequence[dict], columns: Sequence[str] | None = None,
           headers: dict[str, str] | None = None, header_lang: str | None = None,
           bom: bool = True) -> str:
    """CSV text for people: a leading BOM (unless ``bom=False``), Chinese headers with
    ``header_lang="zh"``, formula-like text cells neutralised with a leading ``'``."""
    cols = list(columns or _columns(rows))
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header_names(cols, headers, header_lang or "en"))
    for r in rows:
        w.writerow([_csv_cell(r.get(c)) for c in cols])
    return (BOM if bom else "") + buf.getvalue()


def _columns(rows: Sequence[dict]) -> list[str]:
    cols: dict[str, None] = {}
    for r in rows:
        for k in r:
            cols.setdefault(k, None)
    return list(cols)


# -- tables ---------------------------------------------------------------------------

_CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")


def _split_header(key: str, given: str | None) -> tuple[str, str]:
    """(English, Chinese) of a column header.

    ``given`` may be ``"rectified 已整改"`` (both), ``"已整改"`` (Chinese only) or
    ``"rectified"``; missing parts come from the key and :data:`COLUMN_ZH`.
    """
    if given:
        words = given.split(" ")
        for i, w in enumerate(words):
            if _CJK.search(w):
                en = " ".join(words[:i]).strip() or key
                return en, " ".join(words[i:])
        return given, COLUMN_ZH.get(key, "")
    return key, COLUMN_ZH.get(key, "")


# Free-text columns that explain a row: kept longest when columns must be hidden.
EXPLANATIONS = ("text", "reasons", "description", "trail", "reason", "details", "detail")


def _is_key(name: str, first: bool) -> bool:
    return first or name in ("id", "name", "label", "group", "unit_name") or name.endswith(
        ("_id", "_name"))


class _Col:
    __slots__ = ("key", "headers", "cells", "numeric", "ident", "wrap", "data_width", "min_width")

    def __init__(self, key, headers, cells, numeric, ident):
        from rich.cells import cell_len

        self.key = key
        self.headers = headers  # from longest (bilingual) to shortest
        self.cells = cells
        self.numeric = numeric
        self.ident = ident
        lines = [ln for c in cells for ln in (c.split("\n") or [""])]
        self.data_width = max((cell_len(ln) for ln in lines), default=0)
        # Free text wraps; numbers never, identifying text only down to 16 cells.
        self.wrap = not numeric
        longest_word = max((cell_len(w) for ln in lines for w in ln.split(" ") if not _CJK.search(w)),
                           default=0)
        floor = 16 if ident else 20
        self.min_width = self.data_width if numeric else min(self.data_width, max(floor, longest_word))

    def width(self, level: int, shrink: bool) -> int:
        from rich.cells import cell_len

        header = self.headers[min(level, len(self.headers) - 1)]
        head_w = max(cell_len(w) for w in header.split(" ")) if shrink else cell_len(header)
        data = self.min_width if shrink and self.wrap else self.data_width
        return max(data, head_w, 1)


def _table_width(widths: Sequence[int]) -> int:
    return sum(widths) + 3 * len(widths) + 1  # padding 1+1 and a border per column, one edge


def _isatty(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def console(stderr: bool = False, width: int | None = None):
    """A rich Console for our output (no markup or emoji from data, no highlighting)."""
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    # On a terminal, fit its width; into a file or pipe, don't fold lines.
    if width is None and not _isatty(stream):
        width = 240
    return Console(file=stream, width=width, markup=False, emoji=False, highlight=False,
                   stderr=stderr)


def print_table(rows: Sequence[dict], columns: Sequence[str] | None = None,
                title: str | None = None, headers: dict[str, str] | None = None,
                keys: Sequence[str] | None = None, priority: Sequence[str] | None = None,
                percent_columns: Sequence[str] = (), width: int | None = None,
                out=None) -> None:
    """Print ``rows`` as a table that fits ``width`` (default: the terminal).

    ``keys`` are the identifying columns (never hidden; default: the first
    column and any ``id``/``name``/``label``/``*_id`` column); ``priority``
    orders the other columns from most to least important (default: their
    order), the least important being hidden first when space runs out.
    """
    from rich.table import Table
    from rich.text import Text

    con = console() if out is None else out
    piped = out is None and not _isatty(sys.stdout)
    total = width or (10 ** 6 if piped else con.width)  # into a file or pipe: never fold
    cols = list(columns or _columns(rows))
    keys = list(keys) if keys is not None else [c for i, c in enumerate(cols) if _is_key(c, i == 0)]
    zh = lang() == "zh"
    specs: list[_Col] = []
    for c in cols:
        values = [r.get(c) for r in rows]
        numeric = any(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values) and \
            all(v is None or (isinstance(v, (int, float)) and not isinstance(v, bool)) for v in values)
        pct = c in percent_columns or (numeric and is_rate(c))
        cells = [sanitize(_display(v, c, pct)) for v in values]
        en, cz = _split_header(c, (headers or {}).get(c))
        if zh:
            levels = [cz or en]
        else:
            # bilingual, English, English broken into words that wrap
            # (``rectification_rate`` over two lines): never Chinese-only
            levels = [f"{en} {cz}" if cz else en, en, en.replace("_", " ")]
        specs.append(_Col(c, [sanitize(h) for h in levels], cells, numeric, c in keys))

    def widths(level: int, shrink: bool, shown: list[_Col]) -> list[int]:
        return [s.width(level, shrink) for s in shown]

    shown = list(specs)
    hidden: list[str] = []
    attempts = [(0, False), (1, False), (2, False), (1, True), (2, True)] if not zh else \
        [(0, False), (0, True)]
    fits = False
    for level, shrink in attempts:
        if _table_width(widths(level, shrink, shown)) <= total:
            fits = True
            break
    if not fits:  # the narrowest form, then hide columns
        level, shrink = min(attempts, key=lambda a: _table_width(widths(a[0], a[1], shown)))
    if not fits:
        order = list(priority or [])
        # By default the explanation (text, reasons…) matters most, then column order.
        order += [s.key for s in specs if not s.ident and s.key in EXPLANATIONS and s.key not in order]
        order += [s.key for s in specs if not s.ident and s.key not in order]
        droppable = [k for k in reversed(order) if k not in keys]
        for k in droppable:
            if sum(1 for s in shown if not s.ident) <= 1:
                break
            shown = [s for s in shown if s.key != k]
            hidden.append(k)
            if _table_width(widths(level, shrink, shown)) <= total:
                fits = True
                break
        if order and order[0] in hidden:  # the most important column would go: blocks instead
            fits = False
    if not fits:
        _print_blocks(con, specs, rows, title, total)
        return
    if hidden:
        names = [s.headers[min(1, len(s.headers) - 1)] for s in specs if s.key in hidden]
        echo(say(f"列宽 {total} 不足，已隐藏：{'、'.join(names)}（加宽终端，或用 --format csv/json 查看全部列）",
                 f"hidden to fit {total} columns: {', '.join(names)} (widen the terminal, or use "
                 f"--format csv/json for every column)"), err=True)
    ws = widths(level, shrink, shown)
    # Give spare width to wrapped text columns.
    spare = total - _table_width(ws)
    if shrink and spare > 0:
        for i, s in enumerate(shown):
            if s.wrap and ws[i] < s.data_width:
                add = min(spare, s.data_width - ws[i])
                ws[i] += add
                spare -= add
    if piped:
        con = console(width=_table_width(ws))
    t = Table(title=Text(sanitize(title)) if title else None, show_lines=False,
              header_style="bold", expand=False)
    from rich.cells import cell_len

    def fitted(header: str, w: int) -> str:
        """The header broken between words onto lines of at most ``w`` cells
        (a numeric column does not wrap, so its header would be cut)."""
        lines: list[str] = []
        for word in header.split(" "):
            if lines and cell_len(lines[-1]) + 1 + cell_len(word) <= w:
                lines[-1] += " " + word
            else:
                lines.append(word)
        return "\n".join(lines)

    for s, w in zip(shown, ws):
        t.add_column(Text(fitted(s.headers[min(level, len(s.headers) - 1)], w)),
                     justify="right" if s.numeric else "left", overflow="fold",
                     no_wrap=s.numeric, width=w, min_width=w, max_width=w)
    def cell(s: _Col, w: int, text: str) -> Text:
        if not s.wrap or cell_len(text) <= w:
            return Text(text)
        # broken between words and Chinese characters, never inside a number
        # or an id ("16–100%" stays whole; the terminal's fold would cut it)
        return Text("\n".join(ln for part in text.split("\n") for ln in wrap_cells(part, w, w)))

    for i in range(len(rows)):
        t.add_row(*[cell(s, w, s.cells[i]) for s, w in zip(shown, ws)])
    con.print(t)


# A word (a run of non-CJK, non-space characters), one CJK character, or a space:
# the units a line may break between.
_WRAP_TOKEN = re.compile(r"\s+|[^\s\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]+|.")


def wrap_cells(text: str, first: int, rest: int) -> list[str]:
    """``text`` in lines of at most ``first`` (then ``rest``) terminal cells,
    broken between words and between Chinese characters, never inside an
    English word or an id unless it is longer than a line.

    >>> wrap_cells("same cadre: 周志强 named in issue:R2021-1-039", 20, 20)
    ['same cadre: 周志强', 'named in', 'issue:R2021-1-039']
    """
    from rich.cells import cell_len, chop_cells

    lines: list[str] = []
    cur, width = "", first
    for tok in _WRAP_TOKEN.findall(text):
        if tok.isspace():
            cur += " " if cur else ""
            continue
        if cell_len(cur) + cell_len(tok) <= width:
            cur += tok
            continue
        if cur.strip():
            lines.append(cur.rstrip())
            cur, width = "", rest
        while cell_len(tok) > width:  # a word longer than a line: cut it
            head = chop_cells(tok, width)[0]
            lines.append(head)
            tok, width = tok[len(head):], rest
        cur = tok
    if cur.strip() or not lines:
        lines.append(cur.rstrip())
    return lines


def _print_blocks(con, specs: list[_Col], rows: Sequence[dict], title: str | None, total: int) -> None:
    """One record per block: the identifying values, then ``field: value`` lines."""
    from rich.cells import cell_len
    from rich.text import Text

    if title:
        con.print(Text(sanitize(title), style="bold"))
    idents = [s for s in specs if s.ident] or specs[:1]
    for i in range(len(rows)):
        con.print(Text("  ".join(s.cells[i] for s in idents if s.cells[i]), style="bold"))
        for s in specs:
            if s.ident or not s.cells[i]:
                continue
            label = f"  {s.headers[min(1, len(s.headers) - 1)]}: "
            line = Text()
            line.append(label, style="dim")
            first = max(8, total - cell_len(label))
            rest = max(8, total - 4)
            parts: list[str] = []
            for para in s.cells[i].split("\n"):
                parts += wrap_cells(para, first if not parts else rest, rest)
            line.append("\n    ".join(parts))
            con.print(line, overflow="ignore", crop=False, soft_wrap=True)
        con.print()


def render(rows: Sequence[dict] | dict, fmt: str | None = None,
           columns: Sequence[str] | None = None, title: str | None = None,
           headers: dict[str, str] | None = None, keys: Sequence[str] | None = None,
           priority: Sequence[str] | None = None, header_lang: str | None = None) -> None:
    """Print ``rows`` (a list of objects, or one object) in ``fmt``.

    ``headers`` maps a column key to its display name (``"rectified 已整改"``);
    ``header_lang`` chooses CSV header names (default: :func:`csv_headers`).
    """
    fmt = choose_format(fmt)
    rows = localize(rows)  # reasons and other sentences (i18n.Msg) in the chosen language
    title = localize(title)
    if fmt == "json":
        sys.stdout.write(to_json(rows) + "\n")
        return
    if isinstance(rows, dict):
        rows = [{"field": k, "value": v} for k, v in rows.items()]
        columns = ["field", "value"]
    if fmt == "csv":
        sys.stdout.write(to_csv(rows, columns, headers, header_lang or csv_headers(), bom=True))
    else:
        print_table(rows, columns, title, headers, keys=keys, priority=priority)


_csv_headers: str | None = None


def csv_headers() -> str:
    """``zh`` or ``en``: CSV header names, from ``--headers``, else the language."""
    return _csv_headers or lang()


def set_csv_headers(value: str | None) -> None:
    global _csv_headers
    _csv_headers = value if value in LANGS else None


# -- progress ------------------------------------------------------------------------

class Progress:
    """A progress handle: ``step(n)`` advances, ``update(description, completed, total)``.

    A no-op when stderr is not a terminal or when quiet, so callers need no checks.
    Calling it as ``p(name, count)`` is the callback form loaders and exporters take.
    """

    def __init__(self, bar=None, task=None, base: str = ""):
        self._bar, self._task, self._base = bar, task, base

    def step(self, n: int = 1) -> None:
        if self._bar is not None:
            self._bar.advance(self._task, n)

    def update(self, description: str | None = None, completed: int | None = None,
               total: int | None = None) -> None:
        if self._bar is None:
            return
        kw: dict = {}
        if description is not None:
            kw["description"] = sanitize(description)
        if completed is not None:
            kw["completed"] = completed
        if total is not None:
            kw["total"] = total
        self._bar.update(self._task, **kw)

    def task(self, description: str, total: int | None = None) -> "Progress":
        """A further line in the same display (e.g. one per phase)."""
        if self._bar is None:
            return self
        return Progress(self._bar, self._bar.add_task(sanitize(description), total=total),
                        sanitize(description))

    def __call__(self, name: str, n: int) -> None:
        self.update(f"{self._base} · {name}" if self._base else name, completed=n)


def bar_columns() -> tuple:
    """The columns of every progress bar: spinner, description, bar, count
    (``3/10``, or ``3`` while the total is unknown), elapsed time."""
    from rich.progress import (BarColumn, MofNCompleteColumn, SpinnerColumn, TextColumn,
                               TimeElapsedColumn)
    from rich.text import Text

    class Count(MofNCompleteColumn):
        def render(self, task):
            if task.total is None:
                return Text(str(int(task.completed)), style="progress.download")
            return super().render(task)

    return (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), Count(),
            TimeElapsedColumn())


def progress_enabled(quiet: bool = False) -> bool:
    if quiet:
        return False
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


@contextmanager
def progress(description: str, total: int | None = None, quiet: bool = False,
             transient: bool = True) -> Iterator[Progress]:
    """A progress display on stderr for a long step::

        with progress("exporting 导出 xlsx", total=n) as p:
            for x in items:
                ...; p.step()

    Shows a bar (with a total) or a spinner with elapsed time (without) when
    stderr is a terminal and not ``quiet``; otherwise does nothing.
    """
    if not progress_enabled(quiet):
        yield Progress()
        return
    from rich.progress import Progress as RichProgress

    bar = RichProgress(*bar_columns(), console=console(stderr=True), transient=transient)
    with bar:
        task = bar.add_task(sanitize(description), total=total)
        yield Progress(bar, task, sanitize(description))


# -- registry-aware display (show, neighbours) --------------------------------------------

def _field(domain: str, kind: str | None, key: str):
    from .graph.schema import edge_fields, node_fields

    try:
        fields = node_fields(kind) if domain == "node" else edge_fields(kind)
    except (KeyError, TypeError):
        return None
    for f in fields:
        if f.key == key:
            return f
    return None


def field_label(domain: str, kind: str | None, key: str) -> str:
    """A property's name for display: its registry Chinese name in ``zh``, else the key."""
    if lang() != "zh":
        return key
    f = _field(domain, kind, key)
    return f.zh if f is not None else COLUMN_ZH.get(key, key)


def display_value(domain: str, kind: str | None, key: str, value: Any) -> str:
    """A property value for display: enum codes by their Chinese names in ``zh``
    (``male`` → ``男``), with both in ``en`` (``male 男``); booleans 是/否 or yes/no."""
    from . import taxonomy

    zh = lang() == "zh"
    if isinstance(value, bool):
        return ("是" if value else "否") if zh else ("yes" if value else "no")
    f = _field(domain, kind, key)
    tax = f.arg if f is not None and f.base in ("enum", "enums") else None
    if tax is not None and tax not in taxonomy.TAXONOMIES:
        tax = None

    def one(v):
        if tax is None or v is None:
            return _cell(v)
        return taxonomy.zh(tax, v) if zh else taxonomy.label(tax, v)

    if isinstance(value, (list, tuple)):
        return ("、" if zh else "; ").join(one(v) for v in value)
    return one(value)


def edge_group_label(group: str) -> str:
    """``KIND>`` / ``<KIND`` (show's neighbour groups) for display: ``任职 →`` / ``← 被反映人`` in zh."""
    if lang() != "zh":
        return group
    from .graph.schema import EDGE_KINDS

    incoming = group.startswith("<")
    kind = group.strip("<>")
    name = EDGE_KINDS[kind].zh if kind in EDGE_KINDS else kind
    return f"← {name}" if incoming else f"{name} →"
