"""The range kind: each number lies within bounds (counts are never negative; percentages lie in 0 to 100)."""

from __future__ import annotations

import math
from typing import Any, ClassVar

from attrs import frozen

from ..frameworks import Framework, Version
from ..records import GROUPS
from ..values import bounds, show
from . import params as c
from ._base import Failure, Unknown, View, num, param, undecidable
from .draft import Candidates, Chooser, Make, concrete, nudge
from .forms import NUMERIC_GROUPS, PASS, SKIP, UNSURE, Cmp, Const, Count, Decide, Form, Max, Members, Min, Or, is_glob

__all__ = ["Range"]


@frozen(kw_only=True)
class Range:
    """
    Each number lies within bounds (counts are never negative; percentages lie in 0–100).
    """  # noqa: RUF002 - the first line is user-visible (explain, docs/rules.md): the en dash stays

    kind: ClassVar[str] = "range"
    fields: tuple[str, ...] = param(c.field_list, "fields (globs allowed) to check", converter=tuple)
    min: float | None = param(c.number, "the smallest admissible value", default=None)
    max: float | None = param(c.number, "the largest admissible value", default=None)

    def __attrs_post_init__(self) -> None:
        if self.min is None and self.max is None:
            msg = "give 'min', 'max' or both"
            raise ValueError(msg, "min")
        if self.min is not None and self.max is not None and self.min > self.max:
            msg = f"'min' {self.min} is more than 'max' {self.max}: no value could pass"
            raise ValueError(msg, "max")

    def passes(self, framework: Framework, version: Version) -> Form:
        """Surely passes: every matching number lies within the bounds."""
        members = []
        for name in self.fields:
            group, _, pattern = name.partition(".")
            if not pattern or is_glob(group) or (group not in NUMERIC_GROUPS and (not group or group in GROUPS)):
                return None  # a top-level field or a judgement: no number to compare
            members.append(Members(group, None if pattern == "*" else pattern))
        outside = []
        if self.min is not None:
            outside.append(Cmp("<", Min(members), Const(self.min)))
        if self.max is not None:
            outside.append(Cmp(">", Max(members), Const(self.max)))
        return Decide([(Or(outside), UNSURE), (Cmp(">", Count(members), Const(0)), PASS)], SKIP)

    def evaluate(self, view: View) -> tuple[Failure | Unknown, ...] | None:
        found: list[tuple[str, Any]] = []
        for pattern in self.fields:
            found.extend(view.matching(pattern))
        if not found:
            return None
        lo_ok = -math.inf if self.min is None else self.min
        hi_ok = math.inf if self.max is None else self.max
        wanted = _bounds_text(self.min, self.max)
        outcomes: list[Failure | Unknown] = []
        for name, value in found:
            b = bounds(value)
            if b is None:
                if undecidable(value):
                    outcomes.append(Unknown(f"{name} is not a number", {name: value}))
                continue
            if b[1] < lo_ok or b[0] > hi_ok:
                outcomes.append(Failure(f"{name} is {show(value)}, expected {wanted}", {name: value},
                                        expected=wanted, actual=value))
            elif b[0] < lo_ok or b[1] > hi_ok:
                outcomes.append(Unknown(f"{name} {show(value)} may lie outside {wanted}", {name: value}))
        return tuple(outcomes)

    def breaks(self, make: Make, choose: Chooser) -> Candidates:
        """One value a few past a bound (above ``max`` or below ``min``); the rest of the record as drawn."""
        base = make()
        k = nudge(choose)
        out: Candidates = []
        names = [n for p in self.fields for n in base.matching(p)]
        names += [n for p in self.fields if (n := concrete(base, p))]
        wrong = ([self.max + k] if self.max is not None else []) + ([self.min - k] if self.min is not None else [])
        for name in dict.fromkeys(names):
            for value in wrong:
                d = base.copy()
                d.set(name, int(value) if float(value).is_integer() else value)
                out.append([d])
        return out


def _bounds_text(lo: float | None, hi: float | None) -> str:
    if lo is not None and hi is not None:
        return f"between {num(lo)} and {num(hi)}"
    if lo is not None:
        return f"at least {num(lo)}"
    return f"at most {num(hi)}"
