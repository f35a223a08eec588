"""When each exported node or edge holds: the intervals behind Gephi's timeline
and the html page's date filter.

The registry says which properties date each kind
(:data:`xuncha.graph.schema.LIFETIMES`): a post from its start to its end, a
finding on its found date, a lead from its transfer, an inspection over its
own dates or else its round's, a team membership over its round.  Kinds
without a lifetime hold always (no interval), as Gephi treats elements
without ``start``/``end``.
"""

from __future__ import annotations

from ..graph.schema import LIFETIMES, node_id


class Timeline:
    """``interval(attrs)`` → ``(start, end)`` ISO dates (either may be None)."""

    def __init__(self, store):
        self.store = store
        self._rounds: dict[str, tuple[str | None, str | None]] = {}

    def _round(self, raw) -> tuple[str | None, str | None]:
        if raw not in self._rounds:
            nid = node_id("round", str(raw))
            d = self.store.node(nid) if self.store.has(nid) else {}
            self._rounds[raw] = (d.get("start"), d.get("end"))
        return self._rounds[raw]

    def interval(self, attrs: dict) -> tuple[str | None, str | None]:
        life = LIFETIMES.get(attrs.get("kind"))
        if life is None:
            return None, None
        start = attrs.get(life.start) if life.start else None
        end = attrs.get(life.end) if life.end else None
        if start is None and end is None and life.via and attrs.get(life.via):
            start, end = self._round(attrs[life.via])
        start = start if isinstance(start, str) and start else None
        end = end if isinstance(end, str) and end else None
        if start and end and end < start:
            end = None
        return start, end

    @staticmethod
    def kinds() -> frozenset[str]:
        return frozenset(LIFETIMES)
