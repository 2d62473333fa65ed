"""Kinds over a whole dataset: unique ids, visits that need an inadequate judgement before them, group totals."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from attrs import frozen

from . import _checks as c
from ._base import Failure, Unknown, View, fmt_sum, param, total_bounds
from ..values import MISSING, bounds, show

__all__ = ["GroupTotal", "Unique", "VisitsFollow"]

Outcomes = list[tuple[View, Failure | Unknown]]


@frozen(kw_only=True)
class Unique:
    """No two records share a value of ``field`` (ids are unique within a dataset)."""

    kind: ClassVar[str] = "unique"
    dataset: ClassVar[bool] = True
    field: str = param(c.field_name, "the field whose values must be unique", default="id")

    def evaluate_dataset(self, views: Sequence[View]) -> tuple[int, Outcomes]:
        first: dict[Any, View] = {}
        outcomes: Outcomes = []
        applicable = 0
        for view in views:
            value = view.get(self.field)
            if value is MISSING:
                continue
            applicable += 1
            key = value if isinstance(value, (str, int, float, dt.date)) else repr(value)
            if key in first:
                earlier = first[key]
                outcomes.append((view, Failure(
                    f"{self.field} {show(value)!r} is also used by the record at {earlier.record.origin}",
                    {self.field: value}, expected="unique", actual=f"repeats {earlier.record.origin}")))
            else:
                first[key] = view
        return applicable, outcomes


def _text(view: View, name: str) -> str | None:
    value = view.get(name)
    return " ".join(value.lower().split()) if isinstance(value, str) and value.strip() else None


def _authorities(views: Sequence[View]) -> Callable[[View], str | None]:
    """
    Key records by authority: the ONS code, or the code another record gives for the same name.

    One record may give "Liverpool" and E08000012, another only "Liverpool": both are one history.
    """
    code_of = {}
    for view in views:
        name, code = _text(view, "authority"), _text(view, "authority_code")
        if name and code:
            code_of.setdefault(name, code)

    def key(view: View) -> str | None:
        code, name = _text(view, "authority_code"), _text(view, "authority")
        return code or code_of.get(name or "") or name

    return key


@frozen(kw_only=True)
class VisitsFollow:
    """
    A visit of this kind happens only while the authority's latest graded inspection has this grade.

    Monitoring visits are how Ofsted follows an inadequate authority until it is re-inspected, so a
    monitoring visit after a "requires improvement" inspection is a sign of a wrong date, authority
    or framework. Records are grouped by ``authority_code`` (else ``authority``) and ordered by date.
    """

    kind: ClassVar[str] = "visits_follow"
    dataset: ClassVar[bool] = True
    visits: tuple[str, ...] = param(c.framework_list, "the visit frameworks this rule governs", converter=tuple)
    grade: str = param(c.grade, "the grade the latest graded inspection must have")

    def evaluate_dataset(self, views: Sequence[View]) -> tuple[int, Outcomes]:
        histories: dict[str, list[View]] = defaultdict(list)
        outcomes: Outcomes = []
        applicable = 0
        authority_of = _authorities(views)
        for view in views:
            authority = authority_of(view)
            is_visit = view.framework.id in self.visits
            if is_visit:
                applicable += 1
                if authority is None:
                    outcomes.append((view, Unknown("no authority or authority_code to find its history", {})))
                    continue
                if view.day is None:
                    outcomes.append((view, Unknown("the visit has no date", {})))
                    continue
            if authority is not None and view.day is not None and (is_visit or view.framework.graded):
                histories[authority].append(view)
        for history in histories.values():
            history.sort(key=lambda v: (v.day, v.record.origin.line))
            latest: View | None = None
            for view in history:
                if view.framework.id in self.visits:
                    outcomes.extend((view, o) for o in self._judge(view, latest))
                elif _grades(view):
                    latest = view
        return applicable, outcomes

    def _judge(self, visit: View, latest: View | None) -> list[Failure | Unknown]:
        kind = visit.framework.id
        if latest is None:
            return [Unknown(f"no graded inspection before this {kind} in the dataset", {"start": visit.day})]
        standing, where = _standing(latest)
        fields = {"start": visit.day, f"{latest.record.id}.{where}": standing}
        if standing is None:
            return [Unknown(f"the latest graded inspection ({latest.record.id}) has no grade on the scale", fields)]
        if standing == self.grade:
            return []
        return [Failure(
            f"{kind} on {visit.day.isoformat()}, but the latest graded inspection before it "
            f"({latest.record.id}, {latest.day.isoformat()}) was {standing}, not {self.grade}",
            fields, expected=self.grade, actual=standing)]


def _grades(view: View) -> list[tuple[str, Any]]:
    return [(n, v) for n, v in view.matching("judgements.*") if isinstance(v, str)]


def _standing(view: View) -> tuple[str | None, str]:
    """The overall grade, or, where the framework has none (ILACS from April 2026), the worst judgement."""
    overall = view.version.overall
    if overall:
        value = view.get("judgements." + overall)
        if isinstance(value, str) and view.grade_rank(value) is not None:
            return value, overall
    ranked = [(view.grade_rank(v), n, v) for n, v in _grades(view) if view.grade_rank(v) is not None]
    if not ranked:
        return None, "judgements"
    rank, name, value = max(ranked)
    return value, f"worst judgement ({name.split('.', 1)[1]})"


@frozen(kw_only=True)
class GroupTotal:
    """Within each group, the row labelled as the total equals the sum of the group's other rows."""

    kind: ClassVar[str] = "group_total"
    dataset: ClassVar[bool] = True
    group_by: tuple[str, ...] = param(c.field_list, "fields that identify a group", converter=tuple)
    label: str = param(c.field_name, "the field naming each row's breakdown")
    total_label: str = param(c.text, "the label of the total row", default="Total")
    value: str = param(c.field_name, "the numeric field to add up")

    def evaluate_dataset(self, views: Sequence[View]) -> tuple[int, Outcomes]:
        groups: dict[tuple[str, ...], list[View]] = defaultdict(list)
        for view in views:
            key = tuple(show(view.get(f)) for f in self.group_by)
            groups[key].append(view)
        outcomes: Outcomes = []
        applicable = 0
        for members in groups.values():
            totals = [v for v in members if v.get(self.label) == self.total_label]
            parts = [v for v in members if v.get(self.label) not in (self.total_label, MISSING)]
            if len(totals) != 1 or not parts:
                continue
            applicable += 1
            total = totals[0]
            expected = total.get(self.value)
            pairs = [(str(p.get(self.label)), p.get(self.value)) for p in parts]
            sums = total_bounds(pairs)
            eb = bounds(expected)
            fields = {self.value: expected, **{f"{self.label}={n}": v for n, v in pairs}}
            if sums is None or eb is None:
                outcomes.append((total, Unknown("a value in the group is not a number", fields)))
                continue
            lo, hi = sums
            if hi < eb[0] or lo > eb[1]:
                outcomes.append((total, Failure(f"{fmt_sum(pairs, lo, hi)}, expected {self.total_label} {show(expected)}",
                                                fields, expected=expected, actual=lo if lo == hi else show(lo))))
            elif not (lo == hi == eb[0] == eb[1]):
                outcomes.append((total, Unknown(f"{fmt_sum(pairs, lo, hi)} vs {self.total_label} {show(expected)}: "
                                                "rounding could go either way", fields)))
        return applicable, outcomes
