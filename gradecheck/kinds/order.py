"""The order kind: dates come in the order given (fieldwork starts, ends, then the report is published)."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import ClassVar

from attrs import frozen

from ..frameworks import Framework, Version
from ..records import DATE_FIELDS
from ..values import MISSING
from . import params as c
from ._base import Failure, Unknown, View, param
from .draft import Candidates, Chooser, Make, nudge
from .forms import PASS, SKIP, UNSURE, Cmp, Const, Count, Decide, Field, Form, Not, Ordered

__all__ = ["Order"]


@frozen(kw_only=True)
class Order:
    """Dates come in the order given (fieldwork starts, ends, then the report is published)."""

    kind: ClassVar[str] = "order"
    fields: tuple[str, ...] = param(c.field_list, "date fields, earliest first", converter=tuple)
    strict: bool = param(c.boolean, "each date must be strictly later than the one before", default=False)

    def passes(self, framework: Framework, version: Version) -> Form:
        """Surely passes: at least two of the dates are given, and those given are in order."""
        if not all(f in DATE_FIELDS for f in self.fields):
            return None
        days = [Field("", f) for f in self.fields]
        return Decide([(Cmp("<", Count(days), Const(2)), SKIP), (Not(Ordered(days, self.strict)), UNSURE)], PASS)

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
        for (a, av), (b, bv) in itertools.pairwise(dated):
            if av > bv or (self.strict and av == bv):
                word = "after" if av > bv else "the same day as"
                outcomes.append(Failure(f"{a} {av.isoformat()} is {word} {b} {bv.isoformat()}", {a: av, b: bv},
                                        expected=f"{a} {'before' if self.strict else 'on or before'} {b}",
                                        actual=f"{(av - bv).days} days later" if av > bv else "same day"))
        return tuple(outcomes)

    def breaks(self, make: Make, choose: Chooser) -> Candidates:
        """One date moved a few days before an earlier field's (with ``strict``, possibly to the same day)."""
        base = make(dated=True)
        k = nudge(choose)
        fields = list(self.fields)
        out: Candidates = []
        for i, later in enumerate(fields[1:], start=1):
            for earlier in fields[:i]:
                if isinstance(base.get(earlier), dt.date):
                    d = base.copy()
                    d.set(later, base.get(earlier) - dt.timedelta(days=k if not self.strict else k - 1))
                    out.append([d])
        return out
