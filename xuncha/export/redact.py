"""Redaction: protect people in an export (脱敏).

Which properties are sensitive is read from the registry (``Field.sensitive``:
``name``, ``id_number``, ``phone``, ``text``); this module names no kind.

Modes:

``public`` (the convention of published reports)
    a person's name becomes surname + 某 (``张伟`` → ``张某``; compound
    surnames kept whole: ``欧阳娜娜`` → ``欧阳某``); people who would collide
    are numbered ``张某1``, ``张某2``… consistently within one export (in
    graph order); ID numbers and phone numbers are masked
    (``3301************34``, ``138****5678``).
``pseudonym``
    names, ID numbers and phone numbers become keyed HMAC-SHA256 pseudonyms
    (``人员-5f0c2a9e``, ``ID-…``, ``TEL-…``) from the secret in
    ``$XUNCHA_PSEUDONYM_KEY``; the same key gives the same pseudonyms on any
    day, so exports still join.  A person's pseudonym is keyed by their node
    id, an ID number's by its value.

In both modes free-text fields (``sensitive == "text"``: issue descriptions,
lead summaries, relation notes) are dropped unless ``keep_text``; kept text,
and every other text property, has the full names of the people in the
export, ID numbers and phone numbers replaced as above.  Labels are computed
from the redacted properties, so they are redacted too.

Invariant: the redactor never mutates the graph; it returns new dicts.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from typing import Iterable

from ..graph.schema import EDGE_KINDS, NODE_KINDS, edge_fields, node_fields
from .base import ExportError

KEY_ENV = "XUNCHA_PSEUDONYM_KEY"
MODES = ("public", "pseudonym")

# Two-character surnames (复姓) in use today; a name starting with one keeps both.
COMPOUND_SURNAMES = frozenset("""
欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 轩辕 令狐 钟离 端木 独孤
南宫 西门 百里 呼延 万俟 申屠 太史 闻人 澹台 公冶 宗政 濮阳 淳于 单于 太叔 仲孙 拓跋 赫连
司空 司寇 亓官 鲜于 闾丘 子车 颛孙 壤驷 公良 漆雕 乐正 宰父 谷梁 段干 东郭 梁丘 左丘 第五
公羊 羊舌 微生 巫马 公西 东门 西门 南门 呼延 贺兰 纳兰 完颜 爱新 叶赫 钮祜 东里 公输 归海
""".split())

ID_NUMBER_RE = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")
PHONE_RE = re.compile(r"(?<!\d)(1[3-9]\d{9}|0\d{2,3}-\d{7,8})(?!\d)")


def surname(name: str) -> str:
    """The surname of a Chinese name (compound surnames whole).

    >>> surname("张伟"), surname("欧阳娜娜"), surname("司马光"), surname("欧阳")
    ('张', '欧阳', '司马', '欧')
    """
    name = name.strip()
    if not name:
        return ""
    if len(name) >= 3 and name[:2] in COMPOUND_SURNAMES:
        return name[:2]
    return name[0]


def mask_id_number(value: str) -> str:
    """``330101197005011234`` → ``3301************34`` (region prefix and check digits only)."""
    v = str(value).strip()
    if len(v) <= 6:
        return "*" * len(v)
    return v[:4] + "*" * (len(v) - 6) + v[-2:]


def mask_phone(value: str) -> str:
    """``13812345678`` → ``138****5678``."""
    v = str(value).strip()
    digits = sum(c.isdigit() for c in v)
    if digits < 7:
        return "*" * len(v)
    return v[:3] + "*" * (len(v) - 7) + v[-4:]


def _sensitive_map(domain: str, kind: str) -> dict[str, str]:
    if domain == "node":
        fields = node_fields(kind) if kind in NODE_KINDS else ()
    else:
        fields = edge_fields(kind) if kind in EDGE_KINDS else ()
    return {f.key: f.sensitive for f in fields if f.sensitive}


def _text_keys(domain: str, kind: str) -> frozenset[str]:
    """Non-sensitive free-text properties (scrubbed of names, never dropped)."""
    if domain == "node":
        fields = node_fields(kind) if kind in NODE_KINDS else ()
    else:
        fields = edge_fields(kind) if kind in EDGE_KINDS else ()
    return frozenset(f.key for f in fields if f.base == "text" and not f.sensitive)


class Redactor:
    """No redaction: every method passes values through untouched."""

    mode: str | None = None
    keep_text = True

    def prepare(self, nodes: Iterable[tuple[str, dict]]) -> None:
        pass

    def dropped(self, domain: str, kind: str) -> frozenset[str]:
        return frozenset()

    def node(self, nid: str, attrs: dict) -> dict:
        return attrs

    def edge(self, attrs: dict) -> dict:
        return attrs

    def describe(self) -> str | None:
        return None


class _Redacting(Redactor):
    def __init__(self, keep_text: bool = False):
        self.keep_text = keep_text
        self._sens: dict[tuple[str, str], dict[str, str]] = {}
        self._text: dict[tuple[str, str], frozenset[str]] = {}
        self.names: dict[str, str] = {}  # node id -> replacement of its name
        self._by_name: dict[str, str] = {}  # full name -> replacement in free text
        self._first: re.Pattern | None = None
        self._lengths: tuple[int, ...] = ()

    # -- per-mode hooks ------------------------------------------------------
    def person_names(self, people: list[tuple[str, str]]) -> dict[str, str]:
        raise NotImplementedError

    def text_name(self, name: str, nids: list[str]) -> str:
        raise NotImplementedError

    def id_number(self, value: str) -> str:
        raise NotImplementedError

    def phone(self, value: str) -> str:
        raise NotImplementedError

    # -- shared ------------------------------------------------------------------
    def sens(self, domain: str, kind: str) -> dict[str, str]:
        key = (domain, kind)
        if key not in self._sens:
            self._sens[key] = _sensitive_map(domain, kind)
            self._text[key] = _text_keys(domain, kind)
        return self._sens[key]

    def prepare(self, nodes: Iterable[tuple[str, dict]]) -> None:
        """Collect every person's name in the export (to number collisions)."""
        people: list[tuple[str, str]] = []
        for nid, d in nodes:
            for k, s in self.sens("node", d.get("kind")).items():
                if s == "name" and isinstance(d.get(k), str) and d[k].strip():
                    people.append((nid, d[k].strip()))
        self.names = self.person_names(people)
        same: dict[str, list[str]] = {}
        for nid, name in people:
            same.setdefault(name, []).append(nid)
        self._by_name = {name: self.text_name(name, nids) for name, nids in same.items()
                         if len(name) >= 2}
        if self._by_name:
            firsts = sorted({n[0] for n in self._by_name})
            self._first = re.compile("[" + "".join(re.escape(c) for c in firsts) + "]")
            self._lengths = tuple(sorted({len(n) for n in self._by_name}, reverse=True))

    def dropped(self, domain: str, kind: str) -> frozenset[str]:
        if self.keep_text:
            return frozenset()
        return frozenset(k for k, s in self.sens(domain, kind).items() if s == "text")

    def scrub(self, text: str) -> str:
        """Replace the names of people in the export, ID numbers and phones in free text."""
        if self._first is not None:
            out: list[str] = []
            pos = 0
            for m in self._first.finditer(text):
                i = m.start()
                if i < pos:
                    continue
                for n in self._lengths:
                    rep = self._by_name.get(text[i:i + n])
                    if rep is not None:
                        out.append(text[pos:i])
                        out.append(rep)
                        pos = i + n
                        break
            if out:
                out.append(text[pos:])
                text = "".join(out)
        if any(c.isdigit() for c in text):
            text = ID_NUMBER_RE.sub(lambda m: self.id_number(m.group(0)), text)
            text = PHONE_RE.sub(lambda m: self.phone(m.group(0)), text)
        return text

    def _apply(self, domain: str, kind: str, attrs: dict, nid: str | None) -> dict:
        sens = self.sens(domain, kind)
        texts = self._text[(domain, kind)]
        out = {}
        for k, v in attrs.items():
            s = sens.get(k)
            if s is None:
                if k in texts and isinstance(v, str):
                    v = self.scrub(v)
                out[k] = v
                continue
            if v is None:
                continue
            if s == "name":
                v = self.names.get(nid) if nid is not None else None
                out[k] = v if v is not None else self.text_name(str(attrs[k]), [])
            elif s == "id_number":
                out[k] = self.id_number(str(v))
            elif s == "phone":
                out[k] = self.phone(str(v))
            elif s == "text":
                if self.keep_text:
                    out[k] = self.scrub(v) if isinstance(v, str) else v
            else:  # an unknown class of sensitive data: never let it through
                continue
        return out

    def node(self, nid: str, attrs: dict) -> dict:
        return self._apply("node", attrs.get("kind"), attrs, nid)

    def edge(self, attrs: dict) -> dict:
        return self._apply("edge", attrs.get("kind"), attrs, None)


class PublicRedactor(_Redacting):
    """Surname + 某, numbered on collision; masked ID numbers and phones."""

    mode = "public"

    def person_names(self, people):
        groups: dict[str, list[str]] = {}
        for nid, name in people:
            groups.setdefault(surname(name) + "某", []).append(nid)
        out: dict[str, str] = {}
        for base, nids in groups.items():
            if len(nids) == 1:
                out[nids[0]] = base
            else:
                for i, nid in enumerate(nids, 1):
                    out[nid] = f"{base}{i}"
        return out

    def text_name(self, name, nids):
        if len(nids) == 1 and nids[0] in self.names:
            return self.names[nids[0]]
        return surname(name) + "某"

    def id_number(self, value):
        return mask_id_number(value)

    def phone(self, value):
        return mask_phone(value)

    def describe(self):
        return "public (surname + 某; ID numbers and phones masked)"


class PseudonymRedactor(_Redacting):
    """Keyed HMAC-SHA256 pseudonyms, stable across exports made with the same key."""

    mode = "pseudonym"

    def __init__(self, key: bytes, keep_text: bool = False):
        super().__init__(keep_text)
        self.key = key

    @classmethod
    def from_env(cls, keep_text: bool = False, env: str = KEY_ENV) -> "PseudonymRedactor":
        secret = os.environ.get(env, "")
        if not secret:
            raise ExportError(
                f"--redact pseudonym needs a secret key in ${env} (假名化密钥): e.g. "
                f"`export {env}=$(python -c 'import secrets; print(secrets.token_hex(32))')`; "
                f"keep it safe and use the same key to get the same pseudonyms")
        if len(secret) < 16:
            raise ExportError(f"${env} is too short (密钥过短): use at least 16 characters")
        return cls(secret.encode("utf-8"), keep_text)

    def _h(self, purpose: str, value: str, n: int) -> str:
        return hmac.new(self.key, f"{purpose}\x1f{value}".encode("utf-8"),
                        hashlib.sha256).hexdigest()[:n]

    def person_names(self, people):
        return {nid: "人员-" + self._h("person", nid, 8) for nid, _ in people}

    def text_name(self, name, nids):
        if len(nids) == 1:
            return self.names.get(nids[0]) or "人员-" + self._h("person", nids[0], 8)
        return "某人"

    def id_number(self, value):
        return "ID-" + self._h("id_number", value.strip().upper(), 16)

    def phone(self, value):
        return "TEL-" + self._h("phone", re.sub(r"\D", "", value), 12)

    def describe(self):
        return "pseudonym (keyed HMAC-SHA256)"


def make_redactor(mode: str | None, keep_text: bool = False) -> Redactor:
    """The redactor for ``mode`` (None, ``public`` or ``pseudonym``)."""
    if mode in (None, "", "none"):
        return Redactor()
    if mode == "public":
        return PublicRedactor(keep_text)
    if mode == "pseudonym":
        return PseudonymRedactor.from_env(keep_text)
    raise ExportError(f"unknown redaction '{mode}' (脱敏方式): choose public or pseudonym")
