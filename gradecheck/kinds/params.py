"""Type checks for rule-file keys: each returns a problem sentence, or None when the value is fine."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Protocol

from ._base import REFERENCES

# Rule files come from anyone; a bound this large is no real count and only invites overflow games.
_LIMIT = 10**12


class Vocabulary(Protocol):
    """What the loader knows about field names, so rule files cannot refer to fields that do not exist."""

    def known_field(self, name: str) -> bool: ...

    def known_grade(self, name: str) -> bool: ...

    def known_framework(self, name: str) -> bool: ...


def _kind(value: Any) -> str:
    names = {bool: "true/false", str: "text", int: "a whole number", float: "a number", list: "a list",
             dict: "a table", dt.date: "a date"}
    for typ, label in names.items():
        if isinstance(value, typ):
            return f"{label} {value!r}" if typ in (bool, str, int, float) else label
    return type(value).__name__


def text(value: Any, ctx: Vocabulary) -> str | None:
    if isinstance(value, str) and value.strip():
        return None
    return f"expected non-empty text, found {_kind(value)}"


def boolean(value: Any, ctx: Vocabulary) -> str | None:
    return None if isinstance(value, bool) else f"expected true or false, found {_kind(value)}"


def integer(value: Any, ctx: Vocabulary) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) <= _LIMIT:
        return None
    return f"expected a whole number between -{_LIMIT:.0e} and {_LIMIT:.0e}, found {_kind(value)}"


def number(value: Any, ctx: Vocabulary) -> str | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) <= _LIMIT:
        return None
    return f"expected a number between -{_LIMIT:.0e} and {_LIMIT:.0e}, found {_kind(value)}"


def field_name(value: Any, ctx: Vocabulary) -> str | None:
    problem = text(value, ctx)
    if problem:
        return problem
    if len(value) > 200:
        return f"expected a field name, found {len(value)} characters of text"

    if value.startswith("@"):
        return None if value in REFERENCES else f"unknown reference {value!r}; expected one of {', '.join(REFERENCES)}"
    if not ctx.known_field(value):
        return (f"unknown field {value!r}; expected a record field such as 'start', 'judgements.NAME', "
                "'grade_counts.GRADE', 'populations.NAME' or 'facts.NAME' (see rules/fields.toml)")
    return None


def field_list(value: Any, ctx: Vocabulary) -> str | None:
    if not isinstance(value, list) or not value:
        return f"expected a non-empty list of field names, found {_kind(value)}"
    problems = [p for p in (field_name(v, ctx) for v in value) if p]
    return "; ".join(problems) or None


def count_ref(value: Any, ctx: Vocabulary) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return integer(value, ctx)
    if value == "@graded_items":
        return None
    if isinstance(value, str):
        return field_name(value, ctx)
    return f"expected a whole number, '@graded_items' or a field name, found {_kind(value)}"


def grade(value: Any, ctx: Vocabulary) -> str | None:
    problem = text(value, ctx)
    if problem:
        return problem
    return None if ctx.known_grade(value) else f"unknown grade {value!r}; expected a canonical grade name of some scale"


def framework_list(value: Any, ctx: Vocabulary) -> str | None:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        return f"expected a non-empty list of framework ids, found {_kind(value)}"
    unknown = [v for v in value if not ctx.known_framework(v)]
    return f"unknown framework(s) {', '.join(map(repr, unknown))}" if unknown else None


def one_of(*choices: str) -> Callable[[Any, Vocabulary], str | None]:
    def check(value: Any, ctx: Vocabulary) -> str | None:
        if value in choices:
            return None
        return f"expected one of {', '.join(repr(c) for c in choices)}, found {_kind(value)}"

    check.__name__ = f"one_of({', '.join(choices)})"
    return check
