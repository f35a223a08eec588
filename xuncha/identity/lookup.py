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

    # Every name and source name, each once, in order of first appearance:
    # a name's pinyin is computed once however many people share it.
    names: list = []
    for kind in ("cadre", "unit"):
        for _, attrs in store.nodes(kind, ("name", "source_names")):
            names.append(attrs.get("name"))
            more = attrs.get("source_names")
            if more:
                names += more
    out: dict[str, list[str]] = {}
    for name in dict.fromkeys(n for n in names if n.__class__ is str):
        if not name or name.isascii():
            continue
        key = " ".join(pinyin(simplify(name)))
        lst = out.get(key)
        if lst is None:
            out[key] = [name]
        else:
            lst.append(name)
    return out
