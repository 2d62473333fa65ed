"""Kinds over a whole dataset: unique ids, visits that need an inadequate judgement before them, group totals."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from attrs import frozen

from ..values import MISSING, bounds, show
from . import params as c
from ._base import Failure, Unknown, View, fmt_sum, param, total_bounds

__all__ = ["GroupTotal", "Unique", "VisitsFollow"]

Outcomes = list[tuple[View, Failure | Unknown]]


@frozen(kw_only=True)
class Unique:
    """No two records share a value of ``field`` (ids are unique within a dataset)."""

    kind: ClassVar[str] = "unique"
    dataset: ClassVar[bool] = True
    field: str = param(c.field_name, "the field whose values must be unique", default="id")

    def reads(self) -> tuple[str, ...]:
        """The fields this rule reads (see _Run.keep): the engine keeps only these of each record."""
        return (self.field,)

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

    def reads(self) -> tuple[str, ...]:
        """The fields this rule reads, besides the dates, framework and version every record keeps."""
        return ("authority", "authority_code", "judgements.*")

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


def _labels(value: Any, ctx: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return None
    if isinstance(value, list) and value and all(isinstance(v, str) and v.strip() for v in value):
        return None
    return f"expected a label or a list of labels, found {value!r}"


def labels_param(doc: str, default: Any) -> Any:
    """A rule-file key holding one label or a list of them (a list becomes a tuple)."""
    return param(_labels, doc, default=default, converter=lambda v: tuple(v) if isinstance(v, list) else v)


_OUTLINE = re.compile(r"^(\d+)\.(?=\s|$)|^(\d+)([a-z])(?:\.(\d+)([ivx]+)?)?\.?(?=\s|$)")


def outline(label: Any) -> tuple[str, ...] | None:
    """
    The outline code a label starts with, as a path: "1. Total foster" -> ("1",), "1a.1i With" -> ("1", "a", "1", "i").

    DfE's tables number nested rows this way; "1 to 4 years" (no dot) and "N1. Abuse" carry no code.
    """
    if not isinstance(label, str):
        return None
    m = _OUTLINE.match(label.strip())
    if m is None:
        return None
    if m.group(1):
        return (m.group(1),)
    return tuple(p for p in m.group(2, 3, 4, 5) if p)


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
    group_by: tuple[str, ...] = param(c.field_list, "fields that identify a group", converter=tuple)
    label: str = param(c.field_name, "the field naming each row's breakdown")
    total_label: Any = labels_param("the label of the total row (or a list of labels)", default="Total")
    value: str = param(c.field_name, "the numeric field to add up")
    nested: bool = param(c.boolean, "labels with outline codes (1., 1a, 1a.1) nest: parents are the sum of their sub-rows", default=False)
    subsets: bool = param(c.boolean, "the other rows are sub-groups of the total: each at most the total, not adding up to it", default=False)

    def __attrs_post_init__(self) -> None:
        if self.nested and self.subsets:
            msg = "'nested' and 'subsets' exclude each other: nested rows add up, subsets do not"
            raise ValueError(msg, "subsets")

    def reads(self) -> tuple[str, ...]:
        """The fields this rule reads."""
        return (*self.group_by, self.label, self.value)

    @property
    def totals(self) -> tuple[str, ...]:
        return (self.total_label,) if isinstance(self.total_label, str) else tuple(self.total_label)

    def evaluate_dataset(self, views: Sequence[View]) -> tuple[int, Outcomes]:
        groups: dict[tuple[str, ...], list[View]] = defaultdict(list)
        for view in views:
            key = tuple(show(view.get(f)) for f in self.group_by)
            groups[key].append(view)
        outcomes: Outcomes = []
        applicable = 0
        totals = self.totals
        for members in groups.values():
            total_rows = [v for v in members if v.get(self.label) in totals]
            parts = [v for v in members if v.get(self.label) not in (*totals, MISSING)]
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
                    outcomes.append((total, outcome))
                continue
            paths = {v: outline(v.get(self.label)) for v in parts}
            by_path = {p: v for v, p in paths.items() if p is not None}
            children: dict[View | None, list[View]] = defaultdict(list)
            for view, path in paths.items():
                parent = None
                if path is not None:
                    for cut in range(len(path) - 1, 0, -1):
                        if path[:cut] in by_path:
                            parent = by_path[path[:cut]]
                            break
                children[parent].append(view)
            for parent, kids in [(total, children[None])] + [(p, k) for p, k in children.items() if p is not None]:
                outcome = self._sum(parent, kids)
                if outcome is not None:
                    outcomes.append((parent, outcome))
        return applicable, outcomes

    def _sum(self, whole: View, parts: Sequence[View]) -> Failure | Unknown | None:
        expected = whole.get(self.value)
        name = show(whole.get(self.label))
        pairs = [(str(p.get(self.label)), p.get(self.value)) for p in parts]
        sums = total_bounds(pairs)
        eb = bounds(expected)
        fields = {self.value: expected, **{f"{self.label}={n}": v for n, v in pairs}}
        if sums is None or eb is None:
            return Unknown("a value in the group is not a number", fields)
        lo, hi = sums
        # fmt_sum shortens "group.member" names; labels such as "1a.1 ..." must be shown whole.
        shown = [(f"row.{n}", v) for n, v in pairs]
        if hi < eb[0] or lo > eb[1]:
            return Failure(f"{fmt_sum(shown, lo, hi)}, expected {name} {show(expected)}",
                           fields, expected=expected, actual=lo if lo == hi else show(lo))
        if not (lo == hi == eb[0] == eb[1]):
            return Unknown(f"{fmt_sum(shown, lo, hi)} vs {name} {show(expected)}: rounding could go either way", fields)
        return None

    def _subsets(self, total: View, parts: Sequence[View]) -> Outcomes:
        expected = total.get(self.value)
        eb = bounds(expected)
        name = show(total.get(self.label))
        out: Outcomes = []
        for part in parts:
            value = part.get(self.value)
            pb = bounds(value)
            label = show(part.get(self.label))
            fields = {f"{self.label}={label}": value, f"{self.label}={name}": expected}
            if value is MISSING or expected is MISSING:
                continue
            if pb is None or eb is None:
                out.append((part, Unknown("a value in the group is not a number", fields)))
            elif pb[0] > eb[1]:
                out.append((part, Failure(f"{label} {show(value)} is more than {name} {show(expected)}, the group it is part of",
                                          fields, expected=f"at most {show(expected)}", actual=value)))
            elif pb[1] > eb[0]:
                out.append((part, Unknown(f"{label} {show(value)} may exceed {name} {show(expected)}: rounded or suppressed values", fields)))
        return out
