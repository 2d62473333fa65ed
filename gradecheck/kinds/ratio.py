"""The ratio kind: a stated rate agrees with the counts it was computed from, within rounding."""

from __future__ import annotations

from typing import ClassVar

from attrs import frozen

from ..frameworks import Framework, Version
from ..values import MISSING, bounds, show
from . import params as c
from ._base import Failure, Unknown, View, num, param
from ._shares import computed_text, fmt_share, judge_share, share_range, stated
from .draft import Candidates, Chooser, Make, nudge
from .forms import PASS, SKIP, UNSURE, Abs, Arith, Cmp, Const, Decide, Form, IsNull, Or, number

__all__ = ["Ratio"]


@frozen(kw_only=True)
class Ratio:
    """
    A stated rate agrees with its counts: ``value`` = ``per`` × ``numerator`` / ``denominator``, within rounding.
    """  # noqa: RUF002 - the first line is user-visible (explain, docs/rules.md): it is the multiplication sign

    kind: ClassVar[str] = "ratio"
    value: str = param(c.field_name, "the stated rate or percentage")
    numerator: str = param(c.field_name, "the count it is a rate of")
    denominator: str = param(c.field_name, "the population it is a rate per")
    per: float = param(
        c.number, "the rate is per this many (100 for a percentage, 10000 for 'per 10,000')", default=100
    )
    rounded_to: float = param(
        c.number, "an exact stated value was rounded to this step (1: whole numbers; 0: exact)", default=1
    )

    def passes(self, framework: Framework, version: Version) -> Form:
        """
        Surely passes: the rate computed from whole counts lies within half a rounding step of the
        stated one (the ordinary path allows a hair more, for floating point, so this never passes
        what it would question).
        """
        value, top, bottom = number(self.value), number(self.numerator), number(self.denominator)
        if value is None or top is None or bottom is None:
            return None
        computed = Arith("/", Arith("*", Const(self.per), top), bottom)
        return Decide([(Or([IsNull(value), IsNull(top), IsNull(bottom)]), SKIP),
                       (Or([Cmp("<=", bottom, Const(0)), Cmp("<", top, Const(0))]), UNSURE),
                       (Cmp("<=", Abs(Arith("-", computed, value)), Const(self.rounded_to / 2)), PASS)], UNSURE)

    def evaluate(self, view: View) -> tuple[Failure | Unknown, ...] | None:
        value, top, bottom = view.get(self.value), view.get(self.numerator), view.get(self.denominator)
        if MISSING in (value, top, bottom):
            return None
        fields = {self.value: value, self.numerator: top, self.denominator: bottom}
        share, part, whole = stated(value, self.rounded_to), bounds(top), bounds(bottom)
        if share is None or part is None or whole is None:
            return (Unknown("a value is not a number", fields),)
        computed = share_range(self.per, part, whole)
        if computed is None:
            return (Unknown(f"{self.denominator} is 0", fields, "zero"),)
        verdict = judge_share(share, computed)
        if verdict is True:
            return ()
        arithmetic = (f"{num(self.per)} × {self.numerator.split('.', 1)[-1]} {show(top)} / "  # noqa: RUF001 - the multiplication sign is what the message shows
                      f"{self.denominator.split('.', 1)[-1]} {show(bottom)} = {computed_text(*computed)}")
        stated_text = f"{self.value.split('.', 1)[-1]} {show(value)}"
        if verdict is None:
            return (Unknown(f"{arithmetic}; stated {stated_text}: rounded or suppressed values could go either way",
                            fields),)
        return (Failure(f"{arithmetic}, but {stated_text} "
                        f"(so between {fmt_share(share[0])} and {fmt_share(share[1])})", fields,
                        expected=computed_text(*computed), actual=value),)

    def holds(self, make: Make, choose: Chooser) -> Candidates:
        """A count of 20 in 1000 and the rate they make, as the breaker's record before its fault."""
        base = make()
        base.set(self.numerator, 20)
        base.set(self.denominator, 1000)
        right = self.per * 20 / 1000
        base.set(self.value, int(right) if float(right).is_integer() else right)
        return [[base]]

    def breaks(self, make: Make, choose: Chooser) -> Candidates:
        """A rate of 20 in 1000 stated a rounding step and a few more off, above or below the right value."""
        k = nudge(choose)
        base = make()
        base.set(self.numerator, 20)
        base.set(self.denominator, 1000)
        right = self.per * 20 / 1000
        out: Candidates = []
        for wrong in (right + max(self.rounded_to, 1) + k, right - max(self.rounded_to, 1) - k):
            d = base.copy()
            d.set(self.value, int(wrong) if float(wrong).is_integer() else wrong)
            out.append([d])
        return out
