"""The judgements file: every decision about whether two records are one entity.

A plain-text, tab-separated file (``judgements.tsv`` in the workspace
directory, beside ``graph.json``), one line per pair, diff-able and editable
by hand::

    # comment lines start with '#'
    a	b	decision	source	by	when	score	note
    cadre:甲县/C0123	cadre:乙县/C0456	same	human	analyst	2026-11-30T03:50:00+00:00		

- ``a``, ``b``: node ids of source records (``kind:dataset/raw``), as the
  loader names them before any merge; a pair is stored once (``a < b``);
- ``decision``: ``same``, ``different`` or ``unsure``;
- ``source``: ``human`` (``xuncha judge``) or ``machine`` (``match --auto``);
- ``by``, ``when``: who and when (UTC); ``score``: the matcher's probability
  for machine judgements; ``note``: free text.

Invariants (nomenklatura's): a merge is never an in-place edit of the graph:
it is a line here, applied when the graph is built (:mod:`.merge`), so undoing
it (``judge --undo`` or deleting the line) takes effect on the next load; a
human judgement is never overwritten by a machine one; the file is rewritten
atomically (a crash leaves the previous file).
"""

from __future__ import annotations

import datetime as _dt
import getpass
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import XunchaError

FILE = "judgements.tsv"
COLUMNS = ("a", "b", "decision", "source", "by", "when", "score", "note")
DECISIONS = {"same": "same", "different": "different", "unsure": "unsure",
             "同一": "same", "同一人": "same", "不同": "different", "不同人": "different",
             "不确定": "unsure"}
SOURCES = ("human", "machine")
HEADER = ("# xuncha judgements 判定记录: one pair per line, tab-separated; edit or delete lines "
          "freely, the next `xuncha load` applies them.\n")


class JudgementsError(XunchaError):
    """A judgements file that cannot be read."""


def now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # pragma: no cover - no login name (containers)
        return "unknown"


def pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


@dataclass
class Judgement:
    a: str
    b: str
    decision: str
    source: str = "human"
    by: str = ""
    when: str = ""
    score: float | None = None
    note: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return pair(self.a, self.b)

    def line(self) -> str:
        cells = [self.a, self.b, self.decision, self.source, self.by, self.when,
                 "" if self.score is None else f"{self.score:.4f}", self.note]
        return "\t".join(c.replace("\t", " ").replace("\n", " ") for c in cells) + "\n"

    def as_dict(self) -> dict:
        return {c: getattr(self, c) for c in COLUMNS}


@dataclass
class Judgements:
    path: Path
    items: dict[tuple[str, str], Judgement] = field(default_factory=dict)

    @classmethod
    def load(cls, path: str | Path) -> "Judgements":
        """Read ``path`` (a missing file is an empty set of judgements)."""
        path = Path(path)
        out = cls(path)
        if not path.exists():
            return out
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise JudgementsError(f"{path}: cannot read the judgements file (无法读取判定记录): "
                                  f"{exc}") from None
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            cells = line.split("\t")
            if cells[:3] == ["a", "b", "decision"]:
                continue  # the header
            if len(cells) < 3:
                raise JudgementsError(f"{path}, line {n}: expected at least 3 tab-separated cells "
                                      f"(a, b, decision), got {len(cells)} (判定记录格式错误)")
            cells += [""] * (len(COLUMNS) - len(cells))
            a, b, decision, source, by, when, score, note = (c.strip() for c in cells[:8])
            d = DECISIONS.get(decision.lower())
            if d is None:
                raise JudgementsError(f"{path}, line {n}, column decision: '{decision}' is not "
                                      f"one of same, different, unsure (判定结果无效)")
            if source and source not in SOURCES:
                raise JudgementsError(f"{path}, line {n}, column source: '{source}' is not human "
                                      f"or machine")
            if a == b:
                raise JudgementsError(f"{path}, line {n}: a record cannot be judged against itself")
            try:
                sc = float(score) if score else None
            except ValueError:
                raise JudgementsError(f"{path}, line {n}, column score: '{score}' is not a "
                                      f"number") from None
            j = Judgement(a, b, d, source or "human", by, when, sc, note)
            out.items.pop(j.key, None)  # the last line for a pair wins
            out.items[j.key] = j
        return out

    def get(self, a: str, b: str) -> Judgement | None:
        return self.items.get(pair(a, b))

    def set(self, j: Judgement, overwrite_human: bool = True) -> bool:
        """Record ``j``; a machine judgement never replaces a human one."""
        j.a, j.b = j.key  # stored once per pair, a < b
        old = self.items.get(j.key)
        if old is not None and old.source == "human" and (j.source == "machine" or not overwrite_human):
            return False
        self.items[j.key] = j
        return True

    def remove(self, a: str, b: str) -> Judgement | None:
        return self.items.pop(pair(a, b), None)

    def save(self) -> None:
        from ..graph.workspace import atomic_write

        body = HEADER + "\t".join(COLUMNS) + "\n" + "".join(j.line() for j in self.items.values())
        atomic_write(self.path, body)

    def __len__(self) -> int:
        return len(self.items)
