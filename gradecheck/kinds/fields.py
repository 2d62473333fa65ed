"""Kinds over fields as such: dates in order, fields present or absent, values readable, names known."""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Callable
from typing import Any, ClassVar

from attrs import field, frozen

from ..values import MISSING, Invalid, show
from . import params as c
from ._base import Failure, Unknown, View, param

__all__ = ["Absent", "Known", "Order", "Present", "Valid"]


@frozen(kw_only=True)
class Order:
    """Dates come in the order given (fieldwork starts, ends, then the report is published)."""

    kind: ClassVar[str] = "order"
    fields: tuple[str, ...] = param(c.field_list, "date fields, earliest first", converter=tuple)
    strict: bool = param(c.boolean, "each date must be strictly later than the one before", default=False)

    def evaluate(self, view: View) -> tuple[Failure | Unknown, ...] | None:
        present = [(n, view.get(n)) for n in self.fields if view.get(n) is not MISSING]
        if len(present) < 2:
            return None
        outcomes: list[Failure | Unknown] = []
        dated = []
        for name, value in present:
            if isinstance(value, dt.date):
                dated.append((name, value))
            else:
                outcomes.append(Unknown(f"{name} is not a date", {name: value}))
        for (a, av), (b, bv) in zip(dated, dated[1:]):
            if av > bv or (self.strict and av == bv):
                word = "after" if av > bv else "the same day as"
                outcomes.append(Failure(f"{a} {av.isoformat()} is {word} {b} {bv.isoformat()}", {a: av, b: bv},
                                        expected=f"{a} {'before' if self.strict else 'on or before'} {b}",
                                        actual=f"{(av - bv).days} days later" if av > bv else "same day"))
        return tuple(outcomes)


def _names(view: View, patterns: tuple[str, ...]) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for name in view.expand(list(patterns)):
        out.extend(view.matching(name))
    return out


@frozen(kw_only=True)
class Present:
    """Fields that must be there (a judgement the framework makes at that date)."""

    kind: ClassVar[str] = "present"
    fields: tuple[str, ...] = param(c.field_list, "fields that must be present", converter=tuple)

    def evaluate(self, view: View) -> tuple[Failure | Unknown, ...] | None:
        wanted = view.expand(list(self.fields))
        return tuple(Failure(f"{name} is missing", {}, expected="present", actual="missing")
                     for name in wanted if not view.matching(name))


@frozen(kw_only=True)
class Absent:
    """Fields that must not be there (a grade on an ungraded visit, a judgement the framework no longer makes)."""

    kind: ClassVar[str] = "absent"
    fields: tuple[str, ...] = param(c.field_list, "fields (globs allowed) that must be absent", converter=tuple)

    def evaluate(self, view: View) -> tuple[Failure | Unknown, ...] | None:
        found = _names(view, self.fields)
        return tuple(Failure(f"{name} is present ({show(value)}) but must be absent", {name: value},
                             expected="absent", actual=value) for name, value in found)


@frozen(kw_only=True)
class Valid:
    """Every value could be read as what its field holds (a count is a whole number, a date exists)."""

    kind: ClassVar[str] = "valid"
    fields: tuple[str, ...] = param(c.field_list, "fields (globs allowed) to check", default=("*",), converter=tuple)

    def evaluate(self, view: View) -> tuple[Failure | Unknown, ...] | None:
        found = [(n, v) for p in self.fields for n, v in view.matching(p) if isinstance(v, Invalid)]
        return tuple(Failure(f"{n} is {show(v)}, expected {v.expected}", {n: v}, expected=v.expected, actual=v.raw)
                     for n, v in sorted(found, key=lambda p: p[0]))


@frozen(kw_only=True)
class Known:
    """Every field name is one gradecheck knows, so a misspelt field is not silently ignored by every rule."""

    kind: ClassVar[str] = "known"
    known_field: Callable[[str], bool] = field(default=lambda name: True, eq=False, repr=False)
    suggestions: tuple[str, ...] = field(default=(), eq=False, repr=False)

    def evaluate(self, view: View) -> tuple[Failure | Unknown, ...] | None:
        outcomes = []
        for name in sorted(view.record.fields):
            if name.startswith("judgements.") or isinstance(view.record.get(name), Invalid):
                continue  # judgement names are the scale kind's business; unreadable values the valid kind's
            if not self.known_field(name):
                close = difflib.get_close_matches(name, self.suggestions, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                outcomes.append(Failure(f"{name} is not a field gradecheck knows{hint}", {name: view.record.get(name)},
                                        expected=close[0] if close else "a known field", actual=name))
        return tuple(outcomes)
