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

Free text (``sensitive == "text"``: issue descriptions, lead summaries,
relation notes) is dropped unless ``keep_text``.  Every string that is
written — kept free text, measures 整改措施, titles, topics, names of units,
attributes the registry does not declare (``prov``…) — is scrubbed of:

- ID numbers (15/18 digits) and phone numbers (mobile ``13812345678``,
  ``138-1234-5678``, landline ``0571-87654321``), masked or pseudonymised;
- the names of **every person in the dataset**, not only those exported
  (a selection must not decide what text may say): full names, aliases
  (a person node's ``aliases``, a merged identity's ``source_names``, and
  other name-list attributes: traditional forms, typos, former names), and
  the parts of a name written with ``·``;
- given names (the name without its surname), in free text only, by this
  rule: a given name of two or more characters (``志强`` of ``周志强``) is
  replaced wherever it occurs; a one-character given name (``伟`` of
  ``张伟``) is a common word, so it is replaced only directly before a form
  of address or post (``伟同志``, ``伟书记``, ``伟局长``… see
  :data:`ADDRESS_TITLES`), and as part of the full name.  Names of units,
  places, teams and rounds (the ``name``/``aliases`` of non-person nodes)
  are scrubbed of full names only, so ``建国路社区`` survives a person
  called 王建国.

The longest match wins (``周志强`` before ``志强``).  A full name or alias
becomes the person's own redacted name when it names exactly one person who
is in the export, else surname + 某 (``public``) or, in ``pseudonym`` mode,
the person's pseudonym when the name is unique in the dataset, else
``某人``; a given name becomes ``某`` (``由某同志督办``) or the pseudonym
likewise.  Over-redaction of a common word that happens to be someone's
given name is the price of never leaking one.

Metadata of a redacted export carries no path (the ledger directory can name
a case or a person).  Labels are computed from the redacted properties, so
they are redacted too.

Invariant: the redactor never mutates the graph; it returns new dicts.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from typing import Iterable

from ..graph.derived import register
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

#: Forms of address and posts after which a one-character given name is
#: replaced (``伟同志`` → ``某同志``); elsewhere a one-character given name is
#: left alone (it is an ordinary word).
ADDRESS_TITLES = tuple("""
同志 书记 副书记 主任 副主任 局长 副局长 县长 副县长 区长 市长 镇长 副镇长 乡长 村长 部长 科长
副科长 处长 厅长 院长 副院长 校长 所长 队长 组长 副组长 站长 经理 主席 会计 出纳 老师 支书 委员
行长 董事长 总经理 秘书 干事 主管 股长 馆长 台长 社长
""".split())

ID_NUMBER_RE = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")
# Seven digits, perhaps separated: every ID number and phone number has them.
_NUMBERISH = re.compile(r"(?:\d[- ]?){7}")
PHONE_RE = re.compile(r"(?<![\d-])(1[3-9]\d[- ]?\d{4}[- ]?\d{4}|0\d{2,3}-?\d{7,8})(?![\d-])")

# Undeclared attributes of a person node that hold more of their names
# (``aliases``, ``former_names``, ``source_names``…), but not names of other
# things (``dataset_name``, ``unit_name``…).
_NAME_KEY = re.compile(r"(?:^|_)(?:names?|alias(?:es)?)$")
_NOT_PERSON = re.compile(r"^(?:dataset|file|sheet|unit|team|round|region|category|kind|ledger)_")


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


def given_name(name: str) -> str:
    """The name without its surname (``周志强`` → ``志强``; ``欧阳娜娜`` → ``娜娜``).

    >>> given_name("周志强"), given_name("张伟"), given_name("欧阳娜娜"), given_name("伟")
    ('志强', '伟', '娜娜', '')
    """
    name = name.strip()
    if len(name) < 2 or not _is_cjk(name):
        return ""
    return name[len(surname(name)):]


def _is_cjk(s: str) -> bool:
    return all("\u3400" <= c <= "\u9fff" or "\uf900" <= c <= "\ufaff" or "\U00020000" <= c
               for c in s)


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


def _fields(domain: str, kind: str):
    if domain == "node":
        return node_fields(kind) if kind in NODE_KINDS else ()
    return edge_fields(kind) if kind in EDGE_KINDS else ()


def _sensitive_map(domain: str, kind: str) -> dict[str, str]:
    return {f.key: f.sensitive for f in _fields(domain, kind) if f.sensitive}


# Declared fields whose values are codes, references, enums, dates, numbers:
# written as they are (a person's name never is one of them).
_PLAIN_BASES = frozenset({"code", "ref", "refs", "enum", "enums", "date", "int", "float",
                          "money", "bool"})


def _plain_keys(domain: str, kind: str) -> frozenset[str]:
    return frozenset(f.key for f in _fields(domain, kind)
                     if f.base in _PLAIN_BASES and not f.sensitive) | {"kind"}


def person_kinds() -> tuple[str, ...]:
    """Node kinds that describe a person (those with a ``name``-sensitive field)."""
    return tuple(k for k in NODE_KINDS
                 if any(f.sensitive == "name" for f in node_fields(k)))


#: Sensitive classes whose values are a person's names: ``name`` (replaced by
#: the redacted name) and ``names`` (lists such as a merged identity's
#: ``source_names``; dropped, being an unknown class to :meth:`_Redacting._apply`).
NAME_CLASSES = ("name", "names")


def _name_keys(kind: str, attrs: dict) -> list[str]:
    return list(_NameKeys(kind)(attrs))


class _NameKeys:
    """``attrs -> the keys of attrs that hold a person's names`` for one kind:
    the declared name fields, then undeclared name-list attributes
    (:data:`_NAME_KEY`), in the order of the attributes.  Nodes of a kind
    share a few key layouts, so each layout is examined once."""

    def __init__(self, kind: str):
        fields = node_fields(kind) if kind in NODE_KINDS else ()
        self.declared = frozenset(f.key for f in fields) | {"kind"}
        self.named = tuple(f.key for f in fields if f.sensitive in NAME_CLASSES)
        self.layouts: dict[tuple, tuple[str, ...]] = {}

    def __call__(self, attrs: dict) -> tuple[str, ...]:
        layout = tuple(attrs)
        got = self.layouts.get(layout)
        if got is None:
            got = self.layouts[layout] = self.named + tuple(
                k for k in layout if k not in self.declared and _NAME_KEY.search(k)
                and not _NOT_PERSON.match(k))
        return got


def names_of(kind: str, attrs: dict, keys: "_NameKeys | None" = None) -> list[str]:
    """Every name a person node carries: its name fields and alias lists, in
    order (``keys``: a :class:`_NameKeys` of ``kind`` to reuse)."""
    out: list[str] = []
    for k in (keys or _NameKeys(kind))(attrs):
        v = attrs.get(k)
        if v.__class__ is str:
            v = v.strip()
            if v and v not in out:
                out.append(v)
            continue
        for x in (v if isinstance(v, (list, tuple)) else [v]):
            if isinstance(x, str) and x.strip() and x.strip() not in out:
                out.append(x.strip())
    return out


@register("person_names", version=3)
def person_names(store) -> dict[str, list]:
    """Derived table ``{"people": [[person node id, [every name and alias]], …]}``
    (the whole dataset, in load order; people without a name left out).

    One value, so a saved workspace holds it in one row: it is only ever read
    whole (:func:`people_names`), and one row is much cheaper to write and to
    read than a row per person (217,430 at province)."""
    people: list[list] = []
    for kind in person_kinds():
        keys = _NameKeys(kind)
        for nid, attrs in store.nodes(kind):
            names = names_of(kind, attrs, keys)
            if names:
                people.append([nid, names])
    return {"people": people}


def people_names(store) -> dict[str, list[str]]:
    """Person node id -> every name and alias it carries, for the whole dataset."""
    return {nid: names for nid, names in store.derived("person_names")["people"]}


def _term_ok(term: str) -> bool:
    if len(term) < 2:
        return False
    return len(term) >= 4 or not term.isascii()


class _Terms:
    """A set of terms to replace in text, longest match first."""

    def __init__(self, terms: dict[str, str]):
        self.terms = terms
        lengths: dict[str, set[int]] = {}
        for t in terms:
            lengths.setdefault(t[0], set()).add(len(t))
        self.lengths = {c: tuple(sorted(ls, reverse=True)) for c, ls in lengths.items()}
        self.firsts = frozenset(lengths)
        self.first = (re.compile("[" + "".join(re.escape(c) for c in sorted(lengths)) + "]")
                      if lengths else None)

    def sub(self, text: str) -> str:
        if self.first is None or self.firsts.isdisjoint(text):
            return text
        terms, lengths = self.terms, self.lengths
        out: list[str] = []
        pos = 0
        for m in self.first.finditer(text):
            i = m.start()
            if i < pos:
                continue
            for n in lengths[text[i]]:
                rep = terms.get(text[i:i + n])
                if rep is not None:
                    out.append(text[pos:i])
                    out.append(rep)
                    pos = i + n
                    break
        if not out:
            return text
        out.append(text[pos:])
        return "".join(out)


class Redactor:
    """No redaction: every method passes values through untouched."""

    mode: str | None = None
    keep_text = True

    def prepare(self, nodes: Iterable[tuple[str, dict]],
                people: dict[str, list[str]] | None = None) -> None:
        pass

    def dropped(self, domain: str, kind: str) -> frozenset[str]:
        return frozenset()

    def node(self, nid: str, attrs: dict) -> dict:
        return attrs

    def edge(self, attrs: dict) -> dict:
        return attrs

    def meta(self, meta: dict) -> dict:
        return meta

    def describe(self) -> str | None:
        return None


class _Redacting(Redactor):
    def __init__(self, keep_text: bool = False):
        self.keep_text = keep_text
        self._sens: dict[tuple[str, str], dict[str, str]] = {}
        self._plain: dict[tuple[str, str], frozenset[str]] = {}
        self._names: dict[str, list[str]] = {}  # node kind -> its name keys (declared)
        self.names: dict[str, str] = {}  # node id -> replacement of its name
        self._primary: dict[str, str] = {}  # person node id -> their main name
        self._free = _Terms({})  # names, aliases, given names: for free text
        self._entity = _Terms({})  # full names and aliases only: for names of things
        self._infos: dict[tuple[str, str], tuple] = {}
        self._memo: dict[tuple[str, bool], str] = {}

    # -- per-mode hooks ------------------------------------------------------
    def person_names(self, people: list[tuple[str, str]]) -> dict[str, str]:
        raise NotImplementedError

    def text_name(self, name: str, nids: list[str]) -> str:
        raise NotImplementedError

    def text_given(self, given: str, nids: list[str]) -> str:
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
            self._plain[key] = _plain_keys(domain, kind)
        return self._sens[key]

    def prepare(self, nodes: Iterable[tuple[str, dict]],
                people: dict[str, list[str]] | None = None) -> None:
        """Number the exported people's names, and learn every person's names.

        ``nodes`` are the exported nodes; ``people`` maps every person in the
        dataset to their names and aliases (:func:`people_names`), so text
        is scrubbed of people outside the export too.
        """
        exported: list[tuple[str, str]] = []
        everyone: dict[str, list[str]] = {k: list(v) for k, v in (people or {}).items()}
        keys_of = {k: _NameKeys(k) for k in person_kinds()}
        for nid, d in nodes:
            kind = d.get("kind")
            if kind not in keys_of:
                continue
            names = names_of(kind, d, keys_of[kind])
            if names:
                exported.append((nid, names[0]))
                have = everyone.setdefault(nid, [])
                have += [n for n in names if n not in have]
        self.names = self.person_names(exported)
        # A person's main name: an alias (張志強, 歐陽娜娜) is replaced by its surname.
        self._primary = {nid: names[0] for nid, names in everyone.items() if names}

        by_name: dict[str, list[str]] = {}
        by_given: dict[str, list[str]] = {}
        for nid, names in everyone.items():
            for name in names:
                parts = [name] + ([p for p in re.split(r"[·•．.\s]+", name) if p] if any(
                    c in name for c in "·•．. ") else [])
                for p in parts:
                    if _term_ok(p):
                        lst = by_name.setdefault(p, [])
                        if nid not in lst:
                            lst.append(nid)
                g = given_name(name)
                if g:
                    lst = by_given.setdefault(g, [])
                    if nid not in lst:
                        lst.append(nid)
        full = {name: self.text_name(name, nids) for name, nids in by_name.items()}
        free: dict[str, str] = {}
        for g, nids in by_given.items():
            rep = self.text_given(g, nids)
            if len(g) >= 2:
                free[g] = rep
            else:
                for t in ADDRESS_TITLES:
                    free[g + t] = rep + t
        free.update(full)  # a full name wins over a given name spelt the same
        self._free = _Terms(free)
        self._entity = _Terms(full)

    def dropped(self, domain: str, kind: str) -> frozenset[str]:
        # Personal facts (birth date, native place) always go; free text unless --keep-text.
        return frozenset(k for k, s in self.sens(domain, kind).items()
                         if s == "personal" or (s == "text" and not self.keep_text))

    def scrub(self, text: str, entity: bool = False) -> str:
        """Replace ID numbers, phones, and people's names (and given names, unless
        ``entity``: the name of a unit, place, team…) in ``text``."""
        short = len(text) <= 40  # titles, names, provenance: they repeat, remember them
        if short:
            hit = self._memo.get((text, entity))
            if hit is not None:
                return hit
        out = text
        if _NUMBERISH.search(out):
            out = ID_NUMBER_RE.sub(lambda m: self.id_number(m.group(0)), out)
            out = PHONE_RE.sub(lambda m: self.phone(m.group(0)), out)
        out = (self._entity if entity else self._free).sub(out)
        if short and len(self._memo) < 200_000:
            self._memo[(text, entity)] = out
        return out

    def _scrub_value(self, v, entity: bool = False):
        if isinstance(v, str):
            return self.scrub(v, entity)
        if isinstance(v, (list, tuple)):
            return [self.scrub(x, entity) if isinstance(x, str) else x for x in v]
        return v

    def _person_value(self, nid: str | None, v):
        """A name field (or alias list) of a person -> their redacted name(s)."""
        rep = self.names.get(nid) if nid is not None else None
        if isinstance(v, (list, tuple)):
            out = []
            for x in v:
                r = rep if rep is not None else self.text_name(str(x), [])
                if r not in out:
                    out.append(r)
            return out
        return rep if rep is not None else self.text_name(str(v), [])

    def _info(self, domain: str, kind: str) -> tuple:
        """Per (domain, kind), computed once: sensitive map, plain keys, whether a
        person, declared keys, and the keys whose text loses full names only."""
        key = (domain, kind)
        info = self._infos.get(key)
        if info is None:
            sens = self.sens(domain, kind)
            person = domain == "node" and kind in person_kinds()
            declared = frozenset(f.key for f in _fields(domain, kind)) | {"kind"}
            # Names of non-person things (units, places, teams) lose full names only.
            entity = frozenset(("name", "aliases")) if domain == "node" and not person \
                else frozenset()
            info = self._infos[key] = (sens, self._plain[key], person, declared, entity)
        return info

    def _apply(self, domain: str, kind: str, attrs: dict, nid: str | None) -> dict:
        sens, plain, person, declared, entity = self._info(domain, kind)
        out = {}
        for k, v in attrs.items():
            s = sens.get(k)
            if s is None:
                if k in plain:
                    out[k] = v
                elif person and k not in declared and _NAME_KEY.search(k) \
                        and not _NOT_PERSON.match(k):
                    if v is not None:  # more names of this person (aliases…)
                        out[k] = self._person_value(nid, v)
                elif isinstance(v, (str, list, tuple)):
                    out[k] = self._scrub_value(v, entity=k in entity)
                else:
                    out[k] = v
                continue
            if v is None:
                continue
            if s == "name":
                out[k] = self._person_value(nid, v)
            elif s == "id_number":
                out[k] = self.id_number(str(v))
            elif s == "phone":
                out[k] = self.phone(str(v))
            elif s == "text":
                if self.keep_text:
                    out[k] = self._scrub_value(v)
            else:  # an unknown class of sensitive data: never let it through
                continue
        return out

    def node(self, nid: str, attrs: dict) -> dict:
        return self._apply("node", attrs.get("kind"), attrs, nid)

    def edge(self, attrs: dict) -> dict:
        return self._apply("edge", attrs.get("kind"), attrs, None)

    def meta(self, meta: dict) -> dict:
        """Export metadata without paths (a ledger directory can name a case)."""
        return {k: v for k, v in meta.items() if k not in ("source", "sources", "path", "paths")}


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
        main = {self._primary.get(n, name) for n in nids} or {name}
        sur = {surname(m) for m in main if _is_cjk(m)}
        return (sur.pop() if len(sur) == 1 else "") + "某"

    def text_given(self, given, nids):
        return "某"

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

    def _person(self, nid: str) -> str:
        return self.names.get(nid) or "人员-" + self._h("person", nid, 8)

    def person_names(self, people):
        return {nid: "人员-" + self._h("person", nid, 8) for nid, _ in people}

    def text_name(self, name, nids):
        return self._person(nids[0]) if len(nids) == 1 else "某人"

    def text_given(self, given, nids):
        return self._person(nids[0]) if len(nids) == 1 else "某人"

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
