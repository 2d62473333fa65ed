"""The unique kind, over a dataset: no two records share a value of a field (ids)."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from attrs import frozen

from ..values import MISSING, show
from . import params as c
from ._base import Failure, Subject, View, param
from ._summary import Outcomes
from .draft import Candidates, Chooser, Make

__all__ = ["Unique", "UniqueSummary"]


@frozen(kw_only=True)
class Unique:
    """No two records share a value of ``field`` (ids are unique within a dataset)."""

    kind: ClassVar[str] = "unique"
    dataset: ClassVar[bool] = True
    #: Why no pass form: a dataset rule is judged from the summary of a whole file (see gradecheck/kinds/_summary.py).
    no_pass_form: ClassVar[str] = "judged from the dataset's summary, not record by record"
    field: str = param(c.field_name, "the field whose values must be unique", default="id")

    def reads(self) -> set[str]:
        """The fields its summary reads of a record, besides its id, authority, framework and date."""
        return {self.field}

    def summary(self) -> UniqueSummary:
        return UniqueSummary(self.field)

    def breaks(self, make: Make, choose: Chooser) -> Candidates:
        """Two consistent records that share their value of ``field``: the one repeat is the fault."""
        first = make()
        second = make()
        second.set(self.field, first.get(self.field) or "same")
        first.set(self.field, second.get(self.field))
        return [[first, second]]


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
