"""Kinds over stated shares: a rate or percentage agrees with the counts it was computed from, within rounding."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any, ClassVar

from attrs import frozen

from ..values import MISSING, Interval, bounds, show
from . import params as c
from ._base import Failure, Unknown, View, num, param
from .dataset import GroupSummary, Outcomes, Row, labels_param

__all__ = ["GroupShare", "Ratio"]

# Shares are computed in floating point; a relative slack this small only absorbs representation error.
_EPS = 1e-9


def _stated(value: Any, rounded_to: float) -> tuple[float, float] | None:
    """The range a stated share stands for: an exact figure written to the nearest *rounded_to*."""
    b = bounds(value)
    if b is None:
        return None
    if isinstance(value, Interval) or not rounded_to:
        return b
    return (b[0] - rounded_to / 2, b[1] + rounded_to / 2)


def _share_range(per: float, part: tuple[float, float], whole: tuple[float, float]) -> tuple[float, float] | None:
    """The range of per × part / whole over every admissible part and whole; None when the whole may be 0 only."""
    plo, phi = max(part[0], 0), part[1]
    wlo, whi = max(whole[0], 0), whole[1]
    if whi <= 0:
        return None
    lo = per * plo / whi if math.isfinite(whi) else 0.0
    hi = per * phi / wlo if wlo > 0 else math.inf
    return (lo, hi)


def _judge(share: tuple[float, float], computed: tuple[float, float]) -> bool | None:
    """False: no admissible values agree; True: all do; None: some do and some do not."""
    slack = _EPS * max(1.0, abs(share[0]), abs(share[1]))
    if computed[1] < share[0] - slack or computed[0] > share[1] + slack:
        return False
    if share[0] - slack <= computed[0] and computed[1] <= share[1] + slack:
        return True
    return None


def _fmt(x: float) -> str:
    if not math.isfinite(x):
        return "any"
    return num(round(x, 2)) if not float(x).is_integer() else num(x)


def _computed_text(lo: float, hi: float) -> str:
    return _fmt(lo) if abs(hi - lo) < 0.005 else f"{_fmt(lo)} to {_fmt(hi)}"


@frozen(kw_only=True)
class Ratio:
    """A stated rate agrees with its counts: ``value`` = ``per`` × ``numerator`` / ``denominator``, within rounding."""

    kind: ClassVar[str] = "ratio"
    value: str = param(c.field_name, "the stated rate or percentage")
    numerator: str = param(c.field_name, "the count it is a rate of")
    denominator: str = param(c.field_name, "the population it is a rate per")
    per: float = param(c.number, "the rate is per this many (100 for a percentage, 10000 for 'per 10,000')", default=100)
    rounded_to: float = param(c.number, "an exact stated value was rounded to this step (1: whole numbers; 0: exact)", default=1)

    def evaluate(self, view: View) -> tuple[Failure | Unknown, ...] | None:
        value, top, bottom = view.get(self.value), view.get(self.numerator), view.get(self.denominator)
        if MISSING in (value, top, bottom):
            return None
        fields = {self.value: value, self.numerator: top, self.denominator: bottom}
        share, part, whole = _stated(value, self.rounded_to), bounds(top), bounds(bottom)
        if share is None or part is None or whole is None:
            return (Unknown("a value is not a number", fields),)
        computed = _share_range(self.per, part, whole)
        if computed is None:
            return (Unknown(f"{self.denominator} is 0", fields),)
        verdict = _judge(share, computed)
        if verdict is True:
            return ()
        arithmetic = (f"{num(self.per)} × {self.numerator.split('.', 1)[-1]} {show(top)} / "
                      f"{self.denominator.split('.', 1)[-1]} {show(bottom)} = {_computed_text(*computed)}")
        stated = f"{self.value.split('.', 1)[-1]} {show(value)}"
        if verdict is None:
            return (Unknown(f"{arithmetic}; stated {stated}: rounded or suppressed values could go either way", fields),)
        return (Failure(f"{arithmetic}, but {stated} (so between {_fmt(share[0])} and {_fmt(share[1])})", fields,
                        expected=_computed_text(*computed), actual=value),)


@frozen(kw_only=True)
class GroupShare:
    """
    Within each group, each row's stated share agrees with its count over the total row's count.

    DfE's tidy tables give every breakdown row a count and a percentage of its group's total row;
    percentages are whole numbers, so a group's may add up to 99 or 101, and that is not a finding.
    """

    kind: ClassVar[str] = "group_share"
    dataset: ClassVar[bool] = True
    group_by: tuple[str, ...] = param(c.field_list, "fields that identify a group", converter=tuple)
    label: str = param(c.field_name, "the field naming each row's breakdown")
    total_label: Any = labels_param("the label(s) of the total row", default="Total")
    value: str = param(c.field_name, "the count on each row")
    share: str = param(c.field_name, "the stated share of the total on each row")
    per: float = param(c.number, "the share is per this many (100 for a percentage)", default=100)
    rounded_to: float = param(c.number, "an exact stated share was rounded to this step (1: whole numbers)", default=1)

    def summary(self) -> GroupSummary:
        return GroupSummary(self)

    def evaluate_dataset(self, views: Sequence[View]) -> tuple[int, Outcomes]:
        """Judge records held in memory (the same as folding them into a summary)."""
        summary = self.summary()
        for view in views:
            summary.add(view)
        return summary.outcomes()

    def row(self, view: View) -> Row | None:
        share = view.get(self.share)
        if share is MISSING:
            return None
        return Row(view.subject(), tuple(show(view.get(f)) for f in self.group_by), view.get(self.label),
                   view.get(self.value), share)

    def judge_groups(self, groups: Iterable[list[Row]]) -> tuple[int, Outcomes]:
        totals = (self.total_label,) if isinstance(self.total_label, str) else tuple(self.total_label)
        outcomes: Outcomes = []
        applicable = 0
        for members in groups:
            total_rows = [r for r in members if r.label in totals]
            if len(total_rows) != 1:
                continue
            total_row = total_rows[0]
            total = total_row.value
            whole = bounds(total)
            for row in members:
                count, stated = row.value, row.share
                if count is MISSING or total is MISSING:
                    continue
                applicable += 1
                label = show(row.label)
                fields = {self.label: label, self.value: count, f"{self.value} (total)": total, self.share: stated}
                share, part = _stated(stated, self.rounded_to), bounds(count)
                if share is None or part is None or whole is None:
                    outcomes.append((row.subject, Unknown("a value is not a number", fields)))
                    continue
                computed = _share_range(self.per, part, whole)
                if computed is None:
                    outcomes.append((row.subject, Unknown("the total is 0", fields)))
                    continue
                verdict = _judge(share, computed)
                if verdict is True:
                    continue
                arithmetic = (f"{label}: {num(self.per)} × {show(count)} / {show(total_row.label)} "
                              f"{show(total)} = {_computed_text(*computed)}")
                stated_text = f"{self.share.split('.', 1)[-1]} {show(stated)}"
                if verdict is None:
                    outcomes.append((row.subject, Unknown(
                        f"{arithmetic}; stated {stated_text}: rounding or suppression could go either way", fields)))
                else:
                    outcomes.append((row.subject, Failure(
                        f"{arithmetic}, but {stated_text} (so between {_fmt(share[0])} and {_fmt(share[1])})",
                        fields, expected=_computed_text(*computed), actual=stated)))
        return applicable, outcomes
