"""The visits_follow kind, over a dataset: a visit happens only while the latest graded inspection has a grade."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any, ClassVar, NamedTuple

from attrs import frozen

from . import params as c
from ._base import Failure, Subject, Unknown, View, param
from ._summary import Outcomes
from .draft import Candidates, Chooser, Make, graded_names, needs_overall

__all__ = ["VisitsFollow", "VisitsSummary"]


def _text(value: Any) -> str | None:
    """An authority's name or code as histories are keyed: lower case, spaces collapsed; None when blank."""
    if not isinstance(value, str):
        return None
    found = _TEXTS.get(value)
    if found is None:
        found = " ".join(value.lower().split())
        if len(_TEXTS) < 65536:  # a file names a few hundred authorities: each is worked out once
            _TEXTS[value] = found
    return found or None


_TEXTS: dict[str, str] = {}


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
    #: Why no pass form: a dataset rule is judged from the summary of a whole file (see gradecheck/kinds/_summary.py).
    no_pass_form: ClassVar[str] = "judged from the dataset's summary, not record by record"
    visits: tuple[str, ...] = param(c.framework_list, "the visit frameworks this rule governs", converter=tuple)
    grade: str = param(c.grade, "the grade the latest graded inspection must have")

    def reads(self) -> set[str]:
        """The fields its summary reads of a record, besides its id, framework and date ("judgements.*": its grades)."""
        return {"authority", "authority_code", "judgements.*"}

    def summary(self) -> VisitsSummary:
        return VisitsSummary(self)

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

    def breaks(self, make: Make, choose: Chooser) -> Candidates:
        """
        A visit two months after a graded ILACS inspection whose judgements all have one grade other than
        ``grade``: each record is consistent on its own, only the history is wrong.
        """
        out: Candidates = []
        authority = ("Liverpool", "E08000012")
        for visit_kind in self.visits:
            inspection = make(framework="ilacs", need=needs_overall, authority=authority, ident="inspection")
            if visit_kind not in inspection.ruleset.frameworks:
                continue
            for grade in graded_names(inspection):
                if grade == self.grade:
                    continue
                d = inspection.copy()
                d.uniform(grade)
                day = (d.day or dt.date(2020, 1, 1)) + dt.timedelta(days=60)
                visit = make(framework=visit_kind, lo=day, hi=day, dated=True, authority=authority, ident="visit")
                out.append([d, visit])
        return out


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
        name, code = _text(view.get("authority")), _text(view.get("authority_code"))
        if name and code:
            known = self.codes.get(name)
            if known is None or known[1] != code or view.subject().place() < known[0]:
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
            if is_visit:
                self.dated.append(_Dated(view.subject(), view.day, True, False, None, "", code, name))
                return
            grades = view.grades()
            if any(isinstance(v, str) for v in grades.values()):  # ungraded: it can be no visit's latest
                standing, where = _standing(view, grades)
                self.dated.append(_Dated(view.subject(), view.day, False, True, standing, where, code, name))

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


def _standing(view: View, grades: dict[str, Any]) -> tuple[str | None, str]:
    """The overall grade, or, where the framework has none (ILACS from April 2026), the worst judgement."""
    overall = view.version.overall
    if overall:
        value = grades.get(overall)
        if isinstance(value, str) and view.grade_rank(value) is not None:
            return value, overall
    ranked = [(view.grade_rank(v), n, v) for n, v in grades.items()
              if isinstance(v, str) and view.grade_rank(v) is not None]
    if not ranked:
        return None, "judgements"
    _rank, name, value = max(ranked)
    return value, f"worst judgement ({name})"
