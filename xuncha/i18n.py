"""Sentences in one language: reason codes with a Chinese and an English template.

A query or planner that explains itself (a related case's reason, a timeline
event, a trail, a conflict, ``plan --why``) builds a :class:`Msg` with
:func:`msg` from a *code* and *parameters*: ``msg("related.same_cadre",
cadre="王伟", seed="issue:I1", other="issue:I7")``.  Each code has a Chinese
and an English template (:data:`TEMPLATES`, filled by :func:`define` in the
module that uses them), so a sentence comes out in one language:

- ``zh``: a Chinese sentence with the domain terms (同一人员：王伟…);
- ``en``: an English sentence; only data (names, titles, ids, dates) may be
  Chinese.

A :class:`Msg` *is* a ``str`` (the text in the language current when it was
built, so joining and printing work unchanged) that remembers its ``code``
and ``params``: the output layer re-renders it with :meth:`Msg.render` in the
language asked for, and JSON carries the stable ``code`` beside the text.
Parameters may themselves be messages (rendered in the same language) or
vocabulary terms (:func:`term`: a taxonomy code, 夫妻 in ``zh`` and ``spouse``
in ``en``).

A query that weighs many candidate sentences and shows few (``related``, the
planner's conflict matrix) builds :class:`Later` messages (:func:`later`) and
builds them (:func:`built`) only for what it shows.

The current language (:func:`lang`) is set by ``--lang`` (:func:`set_lang`),
else ``$XUNCHA_LANG``, else the locale (``LC_ALL``/``LC_MESSAGES``/``LANG``
starting with ``zh``).  This module imports nothing of xuncha at import time:
queries, planning and output all use it.

>>> define({"demo.hello": ("你好，{who}", "hello, {who}")})
>>> m = msg("demo.hello", who="王伟")
>>> m.render("zh"), m.render("en"), m.code
('你好，王伟', 'hello, 王伟', 'demo.hello')
"""

from __future__ import annotations

import os
import string
from typing import Any

LANGS = ("zh", "en")

#: code -> (Chinese template, English template); ``str.format`` fields.
TEMPLATES: dict[str, tuple[str, str]] = {}

_lang: str | None = None


def locale_lang(environ=None) -> str:
    """``zh`` when the locale (LC_ALL, LC_MESSAGES, LANG, in that order) is Chinese."""
    env = os.environ if environ is None else environ
    if env.get("XUNCHA_LANG") in LANGS:
        return env["XUNCHA_LANG"]
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


_locale: str | None = None  # locale_lang() of the environment, read once (every sentence asks)


def lang() -> str:
    """The output language: set by ``--lang`` (:func:`set_lang`), else the locale."""
    global _locale
    if _lang:
        return _lang
    if _locale is None:
        _locale = locale_lang()
    return _locale


def set_lang(value: str | None) -> None:
    """Set the language (None: the locale's, read again from the environment)."""
    global _lang, _locale
    _lang = value if value in LANGS else None
    _locale = None


def define(templates: dict[str, tuple[str, str]]) -> None:
    """Register ``code: (zh, en)`` templates; both must use the same fields."""
    fmt = string.Formatter()
    for code, pair in templates.items():
        zh, en = pair
        fz = {f for _, f, _, _ in fmt.parse(zh) if f}
        fe = {f for _, f, _, _ in fmt.parse(en) if f}
        if fz != fe:  # pragma: no cover - a programming error, caught by the tests
            raise ValueError(f"template {code}: zh fields {sorted(fz)} != en fields {sorted(fe)}")
        old = TEMPLATES.get(code)
        if old is not None and old != pair:  # pragma: no cover
            raise ValueError(f"template {code} defined twice differently")
        TEMPLATES[code] = pair


class Msg(str):
    """A sentence: ``str`` in the language current at construction, plus its
    ``code`` and ``params`` to render in another (:meth:`render`)."""

    code: str
    params: dict[str, Any]
    lang: str  # the language of the text it holds

    def render(self, which: str | None = None) -> str:
        which = which or lang()
        if which == self.lang:
            return str(self)
        return _render(self.code, self.params, which)

    def as_dict(self) -> dict:
        return {"code": self.code, "text": str(self)}

    def __reduce__(self):
        return (_rebuild, (str(self), self.code, self.params, self.lang))


def _rebuild(text: str, code: str, params: dict, which: str) -> Msg:
    return _make(text, code, params, which)


def _make(text: str, code: str, params: dict, which: str) -> Msg:
    m = Msg(text)
    m.code, m.params, m.lang = code, params, which
    return m


def _value(v: Any, which: str) -> Any:
    t = type(v)
    if t is str or t is int:
        return v
    if isinstance(v, Later):
        v = v.build()
    if isinstance(v, Msg):
        return v.render(which)
    if isinstance(v, (list, tuple)):
        return ("、" if which == "zh" else ", ").join(str(_value(x, which)) for x in v)
    return "" if v is None else v


def _render(code: str, params: dict, which: str) -> str:
    if code == "term":
        return _term(params["taxonomy"], params["value"], which)
    if code == "join":
        sep = params["sep"][0 if which == "zh" else 1]
        return sep.join(str(_value(x, which)) for x in params["items"])
    zh, en = TEMPLATES[code]
    return (zh if which == "zh" else en).format_map({k: _value(v, which) for k, v in params.items()})


def msg(code: str, /, **params: Any) -> Msg:
    """The message ``code`` with ``params``, as text in the current language."""
    if code not in TEMPLATES:
        raise KeyError(f"no template {code!r}")
    which = lang()
    return _make(_render(code, params, which), code, params, which)


def _term(taxonomy_name: str, value: str | None, which: str) -> str:
    from . import taxonomy

    if value is None:
        return ""
    if which == "zh":
        return taxonomy.zh(taxonomy_name, value)
    return value.replace("_", " ") if value in taxonomy.TAXONOMIES[taxonomy_name] else value


def term(taxonomy_name: str, value: str | None) -> Msg:
    """A vocabulary code shown by name: 夫妻 in ``zh``, ``spouse`` in ``en``."""
    params = {"taxonomy": taxonomy_name, "value": value}
    which = lang()
    return _make(_render("term", params, which), "term", params, which)


def join(items, zh_sep: str = "、", en_sep: str = ", ") -> Msg:
    """Messages (or plain values) joined with a separator per language."""
    params = {"items": list(items), "sep": (zh_sep, en_sep)}
    which = lang()
    return _make(_render("join", params, which), "join", params, which)


_UNBUILT = object()


class Later:
    """A message not built yet: ``Later(fn, *args, **kwargs)`` calls ``fn`` on
    :meth:`build`, building any ``Later`` among its arguments first.  A query
    that weighs many candidate reasons and shows a few builds only those."""

    __slots__ = ("fn", "args", "kwargs", "value")

    def __init__(self, fn, *args, **kwargs):
        self.fn, self.args, self.kwargs = fn, args, kwargs
        self.value = _UNBUILT

    def build(self):
        if self.value is _UNBUILT:  # built once: a tie's sentence serves every team it concerns
            self.value = self.fn(*[built(a) for a in self.args],
                                 **{k: built(v) for k, v in self.kwargs.items()})
        return self.value


def later(code: str, /, **params: Any) -> Later:
    """:func:`msg` of ``code`` and ``params``, built when needed (:func:`built`)."""
    return Later(msg, code, **params)


def built(x: Any) -> Any:
    """``x`` built if it is a :class:`Later` (in a list or tuple: each item), else ``x``."""
    if isinstance(x, Later):
        return x.build()
    if isinstance(x, (list, tuple)):
        return type(x)(built(v) for v in x)
    return x


def sort_key(text: Any) -> str:
    """A language-independent sort key for a sentence: its English rendering, so
    that lists come out in the same order in every language."""
    return text.render("en") if isinstance(text, Msg) else str(text)


_PLAIN = frozenset({str, int, float, bool, type(None)})


def localize(obj: Any, which: str | None = None) -> Any:
    """``obj`` with every :class:`Msg` inside (dicts, lists) rendered in ``which``."""
    which = which or lang()
    t = type(obj)
    if t in _PLAIN:  # most leaves of a large answer: nothing to render
        return obj
    if t is dict:
        return {k: (v if type(v) in _PLAIN else localize(v, which)) for k, v in obj.items()}
    if t is list:
        return [v if type(v) in _PLAIN else localize(v, which) for v in obj]
    if isinstance(obj, Later):
        obj = obj.build()
    if isinstance(obj, Msg):
        return obj.render(which)
    if isinstance(obj, dict):
        return {k: localize(v, which) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [localize(v, which) for v in obj]
    return obj


# -- shared pieces -------------------------------------------------------------------

define({
    "common.window": ("{start}–{end}", "{start}–{end}"),
    "common.since": ("{start}至今", "{start}–present"),
})


def window(start: str | None, end: str | None, open_end: str = "9999-12-31") -> Msg:
    """A date range ``start–end``, an open end spelled 至今 / present."""
    if not end or end == open_end:
        return msg("common.since", start=start or "?")
    return msg("common.window", start=start or "?", end=end)
