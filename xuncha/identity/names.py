"""Chinese personal names as matching keys.

A name is compared through three keys, each computed once per record:

- ``simple``: the name in simplified characters (OpenCC's t2s table, via the
  pure-Python ``opencc-python-reimplemented``), spaces and middle dots removed;
  張志強 and 张志强 have the same ``simple`` form.
- ``pinyin``: toneless syllables of ``simple`` (pypinyin), one per character;
  a pinyin input method's homophone typo (周志墙 for 周志强) keeps them.
- masks: 某 (or ``X``, ``*``, ``×``) stands for an unknown character; a name
  that ends in 某 after the surname (张某, 张某某) stands for any given name.

Invariants:
- :func:`compare` is symmetric and returns one of :data:`LEVELS`, strongest
  first; ``exact`` only for equal ``simple`` forms of unmasked names.
- the surname is the longest compound surname (欧阳, 司马 …) that prefixes the
  name, else the first character; a masked name keeps its surname unmasked.
"""

from __future__ import annotations

from functools import lru_cache

COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 令狐 夏侯 端木 独孤 "
    "南宫 西门 轩辕 万俟 呼延 澹台 公冶 宗政 濮阳 太史 申屠 闻人 钟离 拓跋".split())
MASK_CHARS = frozenset("某X×*＊xＸ")
DROP = str.maketrans("", "", " \u3000·•．.")

# Match levels of two names, strongest first.
LEVELS = ("exact", "variant", "homophone", "mask", "typo", "different")


@lru_cache(maxsize=1)
def _t2s():
    from opencc import OpenCC

    return OpenCC("t2s")


@lru_cache(maxsize=1)
def _s2t():
    from opencc import OpenCC

    return OpenCC("s2t")


@lru_cache(maxsize=1)
def _t2s_chars() -> frozenset[str] | None:
    """Characters that can start a t2s rewrite (None if OpenCC's tables are
    not where this version of the package keeps them): every single-character
    key, and every character of a phrase key that holds none of those (three
    phrases such as 沈默 -> 沉默).  A name with none of them is left as it is
    by OpenCC, which only rewrites substrings that are keys."""
    def tables(chain):
        for x in chain:
            if isinstance(x, list):
                yield from tables(x)
            else:
                yield x[2]

    try:
        cc = _t2s()
        cc.convert("")  # loads the dictionaries
        keys = [k for table in tables(cc._dict_chain_data) for k in table]
    except (AttributeError, IndexError, TypeError):  # pragma: no cover - another opencc
        return None
    found = {k for k in keys if len(k) == 1}
    for k in keys:
        if found.isdisjoint(k):
            found.update(k)
    return frozenset(found) or None


def simplify(name: str | None) -> str:
    """The simplified form: ``simplify("張志強") == "张志强"``."""
    if not name:
        return ""
    return _simplify(str(name))


@lru_cache(maxsize=1 << 16)
def _simplify(name: str) -> str:
    # Cached: a load simplifies each cadre's name for the identity warnings
    # and again for the pinyin index; most names need no conversion at all.
    s = name.translate(DROP)
    if s.isascii():
        return s
    keys = _t2s_chars()
    if keys is not None and keys.isdisjoint(s):
        return s
    return _t2s().convert(s)


def traditional(name: str) -> str:
    """The traditional form (used by the multi-office generator)."""
    return _s2t().convert(name)


def surname(name: str) -> str:
    """The surname: a compound one when the name starts with one."""
    if len(name) >= 3 and name[:2] in COMPOUND_SURNAMES:
        return name[:2]
    return name[:1]


def is_masked(name: str) -> bool:
    return any(c in MASK_CHARS for c in name[len(surname(name)):])


@lru_cache(maxsize=1)
def _lazy_pinyin():
    """pypinyin's ``lazy_pinyin`` and ``Style``.

    Only single characters are looked up here, and no key of pypinyin's
    phrase dictionary is a single character, so a character's pinyin is the
    same without that dictionary (tests/test_identity.py checks every CJK
    character); loading it is most of pypinyin's start-up (0.15 s of CPU
    against 0.04 s).  So when nothing has imported pypinyin yet, it is
    imported without it (``PYPINYIN_NO_PHRASES``, set only for the import).
    """
    import os
    import sys

    if "pypinyin" in sys.modules:
        from pypinyin import Style, lazy_pinyin

        return lazy_pinyin, Style
    had = os.environ.get("PYPINYIN_NO_PHRASES")
    os.environ["PYPINYIN_NO_PHRASES"] = "1"
    try:
        from pypinyin import Style, lazy_pinyin
    finally:
        if had is None:
            del os.environ["PYPINYIN_NO_PHRASES"]
        else:
            os.environ["PYPINYIN_NO_PHRASES"] = had
    return lazy_pinyin, Style


@lru_cache(maxsize=65536)
def char_pinyin(ch: str) -> str:
    """Toneless pinyin of one character (``*`` for a mask, the char if none)."""
    if ch in MASK_CHARS:
        return "*"
    lazy_pinyin, style = _lazy_pinyin()
    out = lazy_pinyin(ch, style=style.NORMAL, errors="default")
    return out[0] if out else ch


def pinyin(simple: str) -> tuple[str, ...]:
    """Toneless syllables of a simplified name: ``("zhou", "zhi", "qiang")``."""
    return tuple(char_pinyin(c) for c in simple)


def _mask_compatible(masked: str, other: str) -> bool:
    sm, so = surname(masked), surname(other)
    if sm != so:
        return False
    gm, go = masked[len(sm):], other[len(so):]
    if not go:
        return False
    if all(c in MASK_CHARS for c in gm):  # 张某, 张某某: any given name
        return len(gm) == 1 or len(gm) == len(go) or len(go) == 1
    if len(gm) != len(go):
        return False
    return all(a in MASK_CHARS or b in MASK_CHARS or a == b for a, b in zip(gm, go))


def compare(a: str, b: str, simple_a: str | None = None, simple_b: str | None = None,
            pinyin_a: tuple | None = None, pinyin_b: tuple | None = None) -> str:
    """How two names relate: one of :data:`LEVELS`.

    >>> [compare("张志强", x) for x in ("张志强", "張志強", "张志墙", "张某强", "张某", "张志刚", "李伟")]
    ['exact', 'variant', 'homophone', 'mask', 'mask', 'typo', 'different']
    """
    sa = simple_a if simple_a is not None else simplify(a)
    sb = simple_b if simple_b is not None else simplify(b)
    if not sa or not sb:
        return "different"
    ma, mb = is_masked(sa), is_masked(sb)
    if ma or mb:
        if ma and mb:
            return "mask" if sa == sb else "different"
        return "mask" if _mask_compatible(sa if ma else sb, sb if ma else sa) else "different"
    if sa == sb:
        return "exact" if a.translate(DROP) == b.translate(DROP) else "variant"
    if len(sa) != len(sb):
        return "different"
    pa = pinyin_a if pinyin_a is not None else pinyin(sa)
    pb = pinyin_b if pinyin_b is not None else pinyin(sb)
    if pa == pb:
        return "homophone"
    if surname(sa) == surname(sb) and len(sa) >= 3 and sum(x != y for x, y in zip(sa, sb)) == 1:
        return "typo"
    return "different"
