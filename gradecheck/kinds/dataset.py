"""Kinds over a whole dataset: unique ids, visits that need an inadequate judgement before them, group totals."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any, ClassVar, NamedTuple, Protocol

from attrs import frozen

from ..values import MISSING, bounds, show
from . import params as c
from ._base import Failure, Subject, Unknown, View, fmt_sum, param, total_bounds

__all__ = ["GroupSummary", "GroupTotal", "Row", "Summary", "Unique", "UniqueSummary", "VisitsFollow", "VisitsSummary"]

Outcomes = list[tuple[Subject, Failure | Unknown]]


class Summary(Protocol):
    """
    What a dataset rule keeps of a file while it is read: records are folded in one at a time.

    A summary holds only what the rule needs to judge and to name the records it reports on, never
    the records. Summaries of consecutive parts of a file (chunks, or the shares of several
    processes) merge, in file order, into the summary of the whole; the rule's outcomes come from
    that, and are the same however the file was split.
    """

    def add(self, view: View) -> None: ...

    def merge(self, later: Any) -> None: ...

    def move(self, lines: int) -> None:
        """Move every record it names *lines* further down the file (see Subject.moved)."""
        ...

    def outcomes(self) -> tuple[int, Outcomes]:
        """How many records (or groups) the rule applied to, and its outcomes, in file order."""
        ...


@frozen(kw_only=True)
class Unique:
    """No two records share a value of ``field`` (ids are unique within a dataset)."""

    kind: ClassVar[str] = "unique"
    dataset: ClassVar[bool] = True
    field: str = param(c.field_name, "the field whose values must be unique", default="id")

    def summary(self) -> UniqueSummary:
        return UniqueSummary(self.field)

    def evaluate_dataset(self, views: Sequence[View]) -> tuple[int, Outcomes]:
        """Judge records held in memory (the same as folding them into a summary)."""
        return _fold(self.summary(), views)


def _fold(summary: Summary, views: Sequence[View]) -> tuple[int, Outcomes]:
    for view in views:
        summary.add(view)
    return summary.outcomes()


class UniqueSummary:
    """Each value's first record, and every later record with the same value: value to first origin."""

    __slots__ = ("applicable", "field", "first", "odd", "repeats")

    def __init__(self, field: str) -> None:
        self.field = field
        self.applicable = 0
        self.first: dict[Any, Subject] = {}  # a value (its key) → the first record with it
        self.odd: dict[str, Any] = {}  # the value behind a key that is its repr (a list, a table)
        self.repeats: list[tuple[Any, Subject]] = []

    def add(self, view: View) -> None:
        value = view.get(self.field)
        if value is MISSING:
            return
        self.applicable += 1
        if isinstance(value, (str, int, float, dt.date)):
            self._seen(value, view.subject())
        else:
            key = repr(value)
            self.odd.setdefault(key, value)
            self._seen(key, view.subject())

    def _seen(self, key: Any, subject: Subject) -> None:
        earlier = self.first.get(key)
        if earlier is None:
            self.first[key] = subject
        elif subject.place() < earlier.place():  # records passed out of file order: the first in the file counts
            self.first[key] = subject
            self.repeats.append((key, earlier))
        else:
            self.repeats.append((key, subject))

    def merge(self, later: UniqueSummary) -> None:
        self.applicable += later.applicable
        for key, value in later.odd.items():
            self.odd.setdefault(key, value)
        for key, subject in later.first.items():
            self._seen(key, subject)
        self.repeats.extend(later.repeats)

    def move(self, lines: int) -> None:
        self.first = {key: subject.moved(lines) for key, subject in self.first.items()}
        self.repeats = [(key, subject.moved(lines)) for key, subject in self.repeats]

    def outcomes(self) -> tuple[int, Outcomes]:
        outcomes: Outcomes = []
        for key, subject in sorted(self.repeats, key=lambda r: r[1].place()):
            value = self.odd.get(key, key) if type(key) is str else key
            origin = self.first[key].origin
            outcomes.append((subject, Failure(
                f"{self.field} {show(value)!r} is also used by the record at {origin}",
                {self.field: value}, expected="unique", actual=f"repeats {origin}")))
        return self.applicable, outcomes


def _text(view: View, name: str) -> str | None:
    value = view.get(name)
    return " ".join(value.lower().split()) if isinstance(value, str) and value.strip() else None


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

    def summary(self) -> VisitsSummary:
        return VisitsSummary(self)

    def evaluate_dataset(self, views: Sequence[View]) -> tuple[int, Outcomes]:
        """Judge records held in memory (the same as folding them into a summary)."""
        return _fold(self.summary(), views)

    def judge(self, visit: _Dated, latest: _Dated | None) -> Failure | Unknown | None:
        kind = visit.subject.framework
        if latest is None:
            return Unknown(f"no graded inspection before this {kind} in the dataset", {"start": visit.day})
        standing, where = latest.standing, latest.where
        fields = {"start": visit.day, f"{latest.subject.id}.{where}": standing}
        if standing is None:
            return Unknown(f"the latest graded inspection ({latest.subject.id}) has no grade on the scale", fields)
        if standing == self.grade:
            return None
        return Failure(
            f"{kind} on {visit.day.isoformat()}, but the latest graded inspection before it "
            f"({latest.subject.id}, {latest.day.isoformat()}) was {standing}, not {self.grade}",
            fields, expected=self.grade, actual=standing)


class _Dated(NamedTuple):
    """A dated visit or graded inspection, with what the visit rule needs of it."""

    subject: Subject
    day: dt.date
    visit: bool
    graded: bool  # it has grades: it can be the latest graded inspection before a visit
    standing: str | None
    where: str
    code: str | None
    name: str | None


class VisitsSummary:
    """
    Per file, only the dated graded inspections and visits, each with its standing grade worked out.

    An authority's history is keyed by its ONS code, or the code another record gives for the same
    name: one record may give "Liverpool" and E08000012, another only "Liverpool", and both are one
    history. So the names' codes are kept too, and histories are formed when the file has been read.
    """

    __slots__ = ("applicable", "codes", "dated", "rule", "undated")

    def __init__(self, rule: VisitsFollow) -> None:
        self.rule = rule
        self.applicable = 0
        self.dated: list[_Dated] = []
        self.undated: list[tuple[Subject, Unknown]] = []  # visits that cannot be placed in a history
        self.codes: dict[str, tuple[tuple[str, int], str]] = {}  # name → (first place seen, its code)

    def add(self, view: View) -> None:
        name, code = _text(view, "authority"), _text(view, "authority_code")
        if name and code:
            self._code(name, view.subject().place(), code)
        is_visit = view.framework.id in self.rule.visits
        if is_visit:
            self.applicable += 1
            if code is None and name is None:
                self.undated.append((view.subject(), Unknown("no authority or authority_code to find its history", {})))
                return
            if view.day is None:
                self.undated.append((view.subject(), Unknown("the visit has no date", {})))
                return
        if (code is not None or name is not None) and view.day is not None and (is_visit or view.framework.graded):
            graded = not is_visit and bool(_grades(view))
            standing, where = _standing(view) if graded else (None, "")
            self.dated.append(_Dated(view.subject(), view.day, is_visit, graded, standing, where, code, name))

    def _code(self, name: str, place: tuple[str, int], code: str) -> None:
        known = self.codes.get(name)
        if known is None or place < known[0]:
            self.codes[name] = (place, code)

    def merge(self, later: VisitsSummary) -> None:
        self.applicable += later.applicable
        self.dated.extend(later.dated)
        self.undated.extend(later.undated)
        for name, (place, code) in later.codes.items():
            self._code(name, place, code)

    def move(self, lines: int) -> None:
        self.dated = [d._replace(subject=d.subject.moved(lines)) for d in self.dated]
        self.undated = [(subject.moved(lines), outcome) for subject, outcome in self.undated]
        self.codes = {name: ((path, line + lines if line else line), code)
                      for name, ((path, line), code) in self.codes.items()}

    def outcomes(self) -> tuple[int, Outcomes]:
        outcomes: Outcomes = sorted(self.undated, key=lambda o: o[0].place())
        histories: dict[str, list[_Dated]] = defaultdict(list)
        for dated in sorted(self.dated, key=lambda d: d.subject.place()):
            known = self.codes.get(dated.name or "")
            histories[dated.code or (known[1] if known else None) or dated.name].append(dated)
        for history in histories.values():
            history.sort(key=lambda d: (d.day, d.subject.line))
            latest: _Dated | None = None
            for dated in history:
                if dated.visit:
                    outcome = self.rule.judge(dated, latest)
                    if outcome is not None:
                        outcomes.append((dated.subject, outcome))
                elif dated.graded:
                    latest = dated
        return self.applicable, outcomes


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
    _rank, name, value = max(ranked)
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

    @property
    def totals(self) -> tuple[str, ...]:
        return (self.total_label,) if isinstance(self.total_label, str) else tuple(self.total_label)

    def summary(self) -> GroupSummary:
        return GroupSummary(self)

    def evaluate_dataset(self, views: Sequence[View]) -> tuple[int, Outcomes]:
        """Judge records held in memory (the same as folding them into a summary)."""
        return _fold(self.summary(), views)

    def row(self, view: View) -> Row | None:
        return Row(view.subject(), tuple(show(view.get(f)) for f in self.group_by), view.get(self.label),
                   view.get(self.value), MISSING)

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
                out.append((part.subject, Unknown("a value in the group is not a number", fields)))
            elif pb[0] > eb[1]:
                out.append((part.subject, Failure(f"{label} {show(value)} is more than {name} {show(expected)}, the group it is part of",
                                          fields, expected=f"at most {show(expected)}", actual=value)))
            elif pb[1] > eb[0]:
                out.append((part.subject, Unknown(f"{label} {show(value)} may exceed {name} {show(expected)}: rounded or suppressed values", fields)))
        return out


class Row:
    """One row of a grouped table, as the group kinds keep it: who it is, its group, label, count and share."""

    __slots__ = ("group", "label", "share", "subject", "value")

    def __init__(self, subject: Subject, group: tuple[str, ...], label: Any, value: Any, share: Any) -> None:
        self.subject = subject
        self.group = group
        self.label = label
        self.value = value
        self.share = share


class GroupSummary:
    """
    A table's rows, cut down to group, label, count and share; groups are formed when the file has been read.

    A group's rows may lie anywhere in a file, and a finding shows every row of its group with its
    value ("Male 48060 + Female 35780 = 83840"), so every row the rule reads is kept: a few dozen
    bytes each, and only for the tables the rule applies to.
    """

    __slots__ = ("rows", "rule")

    def __init__(self, rule: GroupTotal | Any) -> None:
        self.rule = rule
        self.rows: list[Row] = []

    def add(self, view: View) -> None:
        row = self.rule.row(view)
        if row is not None:
            self.rows.append(row)

    def merge(self, later: GroupSummary) -> None:
        self.rows.extend(later.rows)

    def move(self, lines: int) -> None:
        for row in self.rows:
            row.subject = row.subject.moved(lines)

    def outcomes(self) -> tuple[int, Outcomes]:
        groups: dict[tuple[str, ...], list[Row]] = defaultdict(list)
        for row in sorted(self.rows, key=lambda r: r.subject.place()):
            groups[row.group].append(row)
        return self.rule.judge_groups(groups.values())
