"""pydantic v2 record models, generated from the registry of ledgers.

One model per ledger; every field's converter is a ``BeforeValidator`` from
:mod:`xuncha.parsing` or :mod:`xuncha.taxonomy`, so a cell in any accepted
spelling (Chinese date, 万元 amount, 是/否, Chinese enum name) validates to the
canonical value, and a bad cell becomes a pydantic error located at its field.
"""

from __future__ import annotations

from functools import lru_cache, partial
from typing import Annotated, Optional

from .. import parsing, taxonomy
from ..graph.schema import LEDGERS, Field


def memo(fn, limit: int = 100_000):
    """Memoise a converter of immutable results on string cells.

    Ledgers repeat the same dates, flags, enum names and amounts thousands of
    times; a dict hit is far cheaper than re-parsing (the load's hot path).
    Errors are not cached: a bad cell is re-parsed to raise its message.
    """
    cache: dict[str, object] = {}

    def converter(value):
        if value.__class__ is str:
            hit = cache.get(value)
            if hit is not None:
                return hit
            out = fn(value)
            if len(cache) < limit:
                cache[value] = out
            return out
        return fn(value)

    converter.__name__ = getattr(fn, "__name__", "converter")
    converter.__doc__ = fn.__doc__
    converter.cache = cache  # read directly by fast_validator's hot loop
    return converter


def _enum(tax: str, value) -> str:
    return taxonomy.lookup(tax, parsing.parse_code(value))


def _enums(tax: str, value) -> list[str]:
    out: list[str] = []
    expansions = taxonomy.EXPANSIONS.get(tax, {})
    for item in parsing.parse_list(value):
        if item in expansions:
            out.extend(c for c in expansions[item] if c not in out)
            continue
        code = taxonomy.lookup(tax, item)
        if code not in out:
            out.append(code)
    return out


def _money(value) -> float:
    out = parsing.parse_money(value)[0]
    if out < 0:
        raise ValueError(f"'{value}' is a negative amount (金额为负): amounts are recorded in yuan "
                         f"as positive numbers; money recovered goes in recovered_amount 追缴/追回金额")
    return out


# Dates that close a period: a month or a year given there means its last
# day (a post held "until 2021.06" is held on 2021-06-15; a deadline of
# 2019.08 is met on 2019-08-31).  Other dates keep the first day.
END_DATES = frozenset({"end", "deadline", "conduct_end"})


def _text(value) -> str:
    if value.__class__ is str:  # the common case, kept cheap (hot path)
        return value.strip() if value.isprintable() else parsing.clean(value)
    return parsing.parse_code(value)


def converter(f: Field):
    """(python type, converter) for a registry field."""
    b, arg = f.base, f.arg
    if b in ("text", "code", "ref"):
        return str, _text
    if b == "int":
        return int, memo(parsing.parse_int)
    if b == "float":
        return float, memo(parsing.parse_float)
    if b == "money":
        return float, memo(_money)
    if b == "date":
        return str, memo(parsing.parse_end_date if f.name in END_DATES else parsing.parse_date)
    if b == "bool":
        return bool, memo(parsing.parse_bool)
    if b in ("list", "refs"):
        return list[str], parsing.parse_list
    if b == "enum":
        return str, memo(partial(_enum, arg))
    if b == "enums":
        return list[str], partial(_enums, arg)
    raise ValueError(f"unknown field type {f.type!r}")


@lru_cache(maxsize=None)
def _record_base():
    from pydantic import BaseModel, ConfigDict

    class Record(BaseModel):
        model_config = ConfigDict(extra="ignore", frozen=False)

    return Record


@lru_cache(maxsize=None)
def model_for(ledger_name: str):
    """The pydantic model validating one row of a ledger (pydantic is imported
    here, on first use: a load whose rows all take :func:`fast_validator`
    never needs it)."""
    from pydantic import BeforeValidator, create_model

    ledger = LEDGERS[ledger_name]
    fields = {}
    for f in ledger.fields:
        typ, conv = converter(f)
        ann = Annotated[typ, BeforeValidator(conv)]
        if f.required:
            fields[f.name] = (ann, ...)
        else:
            fields[f.name] = (Optional[ann], None)
    name = "".join(p.capitalize() for p in ledger_name.split("_")) + "Record"
    return create_model(name, __base__=_record_base(), **fields)


# Fast path ---------------------------------------------------------------------------
_TEXT, _MEMO, _CALL = 0, 1, 2


@lru_cache(maxsize=None)
def fast_validator(ledger_name: str):
    """``validate(data) -> dict | None``: the record :func:`model_for` would
    give (fields in model order, None values left out), or None when the row
    needs the model itself.

    The hot loop of a load validates ~1.5 M rows at province scale; pydantic
    calls a Python converter for every cell, which costs more than the
    conversion.  This runs the *same* converters in a plain loop (a text cell
    already cleaned by the reader is its own value; repeated cells are
    answered from the converters' memo caches) and hands the row to the
    pydantic model whenever anything is not ordinary: a required field
    missing, a converter raising, a result of another type than the field's
    (pydantic would coerce it) or None.  So a good row gives exactly the
    model's record, and a bad one gets the model's error.
    """
    ledger = LEDGERS[ledger_name]
    plan = []
    for f in ledger.fields:
        typ, conv = converter(f)
        if typ == list[str]:
            typ = None  # a list of strings (checked item by item)
        if conv is _text:
            plan.append((f.name, f.required, _TEXT, None, None, str))
        elif hasattr(conv, "cache"):
            plan.append((f.name, f.required, _MEMO, conv, conv.cache, typ))
        else:
            plan.append((f.name, f.required, _CALL, conv, None, typ))
    plan = tuple(plan)

    def validate(data: dict) -> dict | None:
        out = {}
        for name, required, how, conv, cache, typ in plan:
            v = data.get(name)
            if v is None:
                if required:
                    return None
                continue
            if how == _TEXT:
                if v.__class__ is not str:
                    return None  # a number from a workbook: parse_code, via the model
                out[name] = v
                continue
            if how == _MEMO and v.__class__ is str:
                got = cache.get(v)
                if got is not None:
                    out[name] = got
                    continue
            try:
                got = conv(v)
            except Exception:  # the model reports it (or raises it) as it would anyway
                return None
            if typ is None:
                if got.__class__ is not list or any(x.__class__ is not str for x in got):
                    return None
            elif got.__class__ is not typ:
                return None
            out[name] = got
        return out

    return validate
