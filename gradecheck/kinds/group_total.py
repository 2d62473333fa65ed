"""The group_total kind, over a dataset: a table's Total row equals the sum of its breakdown rows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any, ClassVar

from attrs import frozen

from ..values import MISSING, bounds, show
from . import params as c
from ._base import Failure, Unknown, View, fmt_sum, param, total_bounds
from ._summary import Outcomes
from ._tables import GroupSummary, Kept, Row, labels_param, outline
from .draft import Candidates, Chooser, Make, first_label, group_rows, nudge

__all__ = ["GroupTotal"]


@frozen(kw_only=True)
class GroupTotal:
    """
    Within each group, the row labelled as the total equals the sum of the group's other rows.

    With ``nested``, labels that start with an outline code ("1.", "1a", "1a.1", "1a.1i") are
    nested: the total is the sum of the top-level rows, and each row with sub-rows is their sum. With
    ``subsets``, the other rows are sub-groups of the total, not a partition: none may exceed it.
    """

    kind: ClassVar[str] = "group_total"
    dataset: ClassVar[bool] = True
    #: Why no pass form: a dataset rule is judged from the summary of a whole file (see gradecheck/kinds/_summary.py).
    no_pass_form: ClassVar[str] = "judged from the dataset's summary, not record by record"
    group_by: tuple[str, ...] = param(c.field_list, "fields that identify a group", converter=tuple)
    label: str = param(c.field_name, "the field naming each row's breakdown")
    total_label: Any = labels_param("the label of the total row (or a list of labels)", default="Total")  # noqa: RUF009 - labels_param() returns an attrs field specifier
    value: str = param(c.field_name, "the numeric field to add up")
    nested: bool = param(
        c.boolean, "labels with outline codes (1., 1a, 1a.1) nest: parents are the sum of their sub-rows", default=False
    )
    subsets: bool = param(
        c.boolean, "the other rows are sub-groups of the total: each at most the total, not adding up to it",
        default=False,
    )

    def __attrs_post_init__(self) -> None:
        if self.nested and self.subsets:
            msg = "'nested' and 'subsets' exclude each other: nested rows add up, subsets do not"
            raise ValueError(msg, "subsets")

    @property
    def totals(self) -> tuple[str, ...]:
        return (self.total_label,) if isinstance(self.total_label, str) else tuple(self.total_label)

    def reads(self) -> set[str]:
        """The fields its summary reads of a record, besides its id, authority, framework and date."""
        return {*self.group_by, self.label, self.value}

    def summary(self) -> GroupSummary:
        return GroupSummary(self)

    def row(self, view: View) -> Kept | None:
        """What the summary keeps of a record: its group, label and count."""
        return tuple(show(view.get(f)) for f in self.group_by), view.get(self.label), view.get(self.value), MISSING

    def judge_groups(self, groups: Iterable[list[Row]]) -> tuple[int, Outcomes]:
        outcomes: Outcomes = []
        applicable = 0
        totals = self.totals
        for members in groups:
            total_rows = [r for r in members if r.label in totals]
            parts = [r for r in members if r.label not in (*totals, MISSING)]
            if len(total_rows) != 1 or not parts:
                continue
            applicable += 1
            total = total_rows[0]
            if self.subsets:
                outcomes.extend(self._subsets(total, parts))
                continue
            if not self.nested:
                outcome = self._sum(total, parts)
                if outcome is not None:
                    outcomes.append((total.subject, outcome))
                continue
            paths = {r: outline(r.label) for r in parts}
            by_path = {p: r for r, p in paths.items() if p is not None}
            children: dict[Row | None, list[Row]] = defaultdict(list)
            for row, path in paths.items():
                parent = None
                if path is not None:
                    for cut in range(len(path) - 1, 0, -1):
                        if path[:cut] in by_path:
                            parent = by_path[path[:cut]]
                            break
                children[parent].append(row)
            for parent, kids in [(total, children[None]), *[(p, k) for p, k in children.items() if p is not None]]:
                outcome = self._sum(parent, kids)
                if outcome is not None:
                    outcomes.append((parent.subject, outcome))
        return applicable, outcomes

    def _sum(self, whole: Row, parts: Sequence[Row]) -> Failure | Unknown | None:
        expected = whole.value
        name = show(whole.label)
        pairs = [(str(p.label), p.value) for p in parts]
        sums = total_bounds(pairs)
        eb = bounds(expected)
        fields = {self.value: expected, **{f"{self.label}={n}": v for n, v in pairs}}
        if sums is None or eb is None:
            return Unknown("a value in the group is not a number", fields, "unreadable_value")
        lo, hi = sums
        # fmt_sum shortens "group.member" names; labels such as "1a.1 ..." must be shown whole.
        shown = [(f"row.{n}", v) for n, v in pairs]
        if hi < eb[0] or lo > eb[1]:
            return Failure(f"{fmt_sum(shown, lo, hi)}, expected {name} {show(expected)}",
                           fields, expected=expected, actual=lo if lo == hi else show(lo))
        if not (lo == hi == eb[0] == eb[1]):
            return Unknown(f"{fmt_sum(shown, lo, hi)} vs {name} {show(expected)}: rounding could go either way", fields)
        return None

    def _subsets(self, total: Row, parts: Sequence[Row]) -> Outcomes:
        expected = total.value
        eb = bounds(expected)
        name = show(total.label)
        out: Outcomes = []
        for part in parts:
            value = part.value
            pb = bounds(value)
            label = show(part.label)
            fields = {f"{self.label}={label}": value, f"{self.label}={name}": expected}
            if value is MISSING or expected is MISSING:
                continue
            if pb is None or eb is None:
                out.append((part.subject, Unknown("a value in the group is not a number", fields, "unreadable_value")))
            elif pb[0] > eb[1]:
                out.append((part.subject, Failure(
                    f"{label} {show(value)} is more than {name} {show(expected)}, the group it is part of",
                    fields, expected=f"at most {show(expected)}", actual=value)))
            elif pb[1] > eb[0]:
                out.append((part.subject, Unknown(
                    f"{label} {show(value)} may exceed {name} {show(expected)}: rounded or suppressed values", fields)))
        return out

    def holds(self, make: Make, choose: Chooser) -> Candidates:
        """One group of rows 3 and 4 and its total row of 7: the breakers' group before its fault."""
        rows = group_rows(self, make, first_label(self.total_label))
        for row, count in zip(rows, (3, 4, 7), strict=True):  # group_rows gives three rows
            row.set(self.value, count)
        return [rows]

    def breaks(self, make: Make, choose: Chooser) -> Candidates:
        """
        One group of rows 3 and 4 whose total row is a few off: above their sum 7, or (with ``subsets``, where
        no row may exceed the total) below the row of 3.
        """
        k = nudge(choose)
        rows = group_rows(self, make, first_label(self.total_label))
        rows[0].set(self.value, 3)
        rows[1].set(self.value, 4)
        rows[2].set(self.value, 7 + k if not self.subsets else 3 - min(k, 3))
        return [rows]
