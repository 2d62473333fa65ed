"""The group_share kind, over a dataset: each row's stated share agrees with its count over the Total row's."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from attrs import frozen

from ..values import MISSING, bounds, show
from . import params as c
from ._base import Failure, Unknown, View, num, param
from ._shares import computed_text, fmt_share, judge_share, share_range, stated
from ._summary import Outcomes
from ._tables import GroupSummary, Kept, Row, labels_param
from .draft import Candidates, Chooser, Make, first_label, group_rows, nudge

__all__ = ["GroupShare"]


@frozen(kw_only=True)
class GroupShare:
    """
    Within each group, each row's stated share agrees with its count over the total row's count.

    DfE's tidy tables give every breakdown row a count and a percentage of its group's total row;
    percentages are whole numbers, so a group's may add up to 99 or 101, and that is not a finding.
    """

    kind: ClassVar[str] = "group_share"
    dataset: ClassVar[bool] = True
    #: Why no pass form: a dataset rule is judged from the summary of a whole file (see gradecheck/kinds/_summary.py).
    no_pass_form: ClassVar[str] = "judged from the dataset's summary, not record by record"
    group_by: tuple[str, ...] = param(c.field_list, "fields that identify a group", converter=tuple)
    label: str = param(c.field_name, "the field naming each row's breakdown")
    total_label: Any = labels_param("the label(s) of the total row", default="Total")  # noqa: RUF009 - labels_param() returns an attrs field specifier
    value: str = param(c.field_name, "the count on each row")
    share: str = param(c.field_name, "the stated share of the total on each row")
    per: float = param(c.number, "the share is per this many (100 for a percentage)", default=100)
    rounded_to: float = param(c.number, "an exact stated share was rounded to this step (1: whole numbers)", default=1)

    def reads(self) -> set[str]:
        """The fields its summary reads of a record, besides its id, authority, framework and date."""
        return {*self.group_by, self.label, self.value, self.share}

    def summary(self) -> GroupSummary:
        return GroupSummary(self)

    def row(self, view: View) -> Kept | None:
        share = view.get(self.share)
        if share is MISSING:
            return None
        return tuple(show(view.get(f)) for f in self.group_by), view.get(self.label), view.get(self.value), share

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
                count, given = row.value, row.share
                if count is MISSING or total is MISSING:
                    continue
                applicable += 1
                label = show(row.label)
                fields = {self.label: label, self.value: count, f"{self.value} (total)": total, self.share: given}
                share, part = stated(given, self.rounded_to), bounds(count)
                if share is None or part is None or whole is None:
                    outcomes.append((row.subject, Unknown("a value is not a number", fields)))
                    continue
                computed = share_range(self.per, part, whole)
                if computed is None:
                    outcomes.append((row.subject, Unknown("the total is 0", fields, "zero")))
                    continue
                verdict = judge_share(share, computed)
                if verdict is True:
                    continue
                arithmetic = (f"{label}: {num(self.per)} × {show(count)} / {show(total_row.label)} "  # noqa: RUF001 - the multiplication sign is what the message shows
                              f"{show(total)} = {computed_text(*computed)}")
                stated_text = f"{self.share.split('.', 1)[-1]} {show(given)}"
                if verdict is None:
                    outcomes.append((row.subject, Unknown(
                        f"{arithmetic}; stated {stated_text}: rounding or suppression could go either way", fields)))
                else:
                    outcomes.append((row.subject, Failure(
                        f"{arithmetic}, but {stated_text} (so between {fmt_share(share[0])} and {fmt_share(share[1])})",
                        fields, expected=computed_text(*computed), actual=given)))
        return applicable, outcomes

    def holds(self, make: Make, choose: Chooser) -> Candidates:
        """One group of rows counting 3 and 4 and a total row of 7, every share right."""
        rows = group_rows(self, make, first_label(self.total_label))
        for row, count in zip(rows, (3, 4, 7), strict=True):  # group_rows gives three rows
            row.set(self.value, count)
            row.set(self.share, round(self.per * count / 7))
        return [rows]

    def breaks(self, make: Make, choose: Chooser) -> Candidates:
        """
        One group of rows counting 3 and 4 and a total row of 7, every share right but the first row's, which
        is a rounding step and a few more too high.
        """
        k = nudge(choose)
        rows = group_rows(self, make, first_label(self.total_label))
        for row, count in zip(rows, (3, 4, 7), strict=True):  # group_rows gives three rows
            row.set(self.value, count)
            row.set(self.share, round(self.per * count / 7))
        rows[0].set(self.share, round(self.per * 3 / 7) + max(self.rounded_to, 1) + k)
        return [rows]
