"""Derived table for name look-ups: names by pinyin (registered with
:mod:`xuncha.graph.derived`, so a saved workspace answers without a scan).

``name_pinyin``: toneless pinyin of a cadre's or unit's simplified name
("zhou zhi qiang") -> the names (as written) that have it.  ``GraphStore.resolve``
uses it to suggest 周志强 for 周志墙 (a pinyin input method's homophone typo) or
for 張志強.  Only names with a Chinese character are indexed.
"""

from __future__ import annotations

from ..graph.derived import register


@register("name_pinyin", version=1)
def build(store) -> dict:
    from .names import pinyin, simplify

    out: dict[str, list[str]] = {}
    for kind in ("cadre", "unit"):
        for _, attrs in store.nodes(kind, ("name", "source_names")):
            for name in [attrs.get("name"), *(attrs.get("source_names") or ())]:
                if not name or name.__class__ is not str or name.isascii():
                    continue
                key = " ".join(pinyin(simplify(name)))
                lst = out.setdefault(key, [])
                if name not in lst:
                    lst.append(name)
    return out
