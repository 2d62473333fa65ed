"""The unique kind, over a dataset: no two records share a value of a field (ids)."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from attrs import frozen

from ..values import MISSING, show
from . import params as c
from ._base import Failure, Subject, View, param
from ._summary import Outcomes, Places, Rows
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
    """
    Each value's first record, and every later record with the same value: value to first origin.

    The first records are kept packed (see _summary.Places): one int per value, and the record's id
    only where it is not the value itself, so a file of a million ids costs its ids and little more.
    """

    __slots__ = ("applicable", "field", "first", "odd", "places", "repeats")

    def __init__(self, field: str) -> None:
        self.field = field
        self.applicable = 0
        self.places = Places()
        self.first: dict[Any, int | tuple[int, str]] = {}  # a value (its key) → its first record, packed
        self.odd: dict[str, Any] = {}  # the value behind a key that is its repr (a list, a table)
        self.repeats: list[tuple[Any, Subject]] = []

    def add(self, view: View) -> None:
        value = view.get(self.field)
        if value is MISSING:
            return
        self.applicable += 1
        key = self._key(value)
        earlier = self.first.get(key)
        if earlier is None:
            place, ident = self.places.of(view), view.ident()
            self.first[key] = place if ident is key else (place, ident)
        else:
            self._repeat(key, view.subject(), earlier)

    def add_rows(self, rows: Rows) -> None:
        """:meth:`add` for each of *rows* in turn (the columnar engine's fold), without a view a row."""
        column = rows.column(self.field)
        if column is None:
            return
        ids, first, places = rows.columns["id"], self.first, None
        for row, value in enumerate(column):
            if value is None:
                continue
            self.applicable += 1
            key = self._key(value)
            earlier = first.get(key)
            if earlier is None:
                if places is None:
                    places = rows.places(self.places)
                ident = ids[row]
                first[key] = places[row] if ident is key else (places[row], ident)
            else:
                self._repeat(key, rows.subject(row), earlier)

    def _key(self, value: Any) -> Any:
        """What a value is kept under: itself, or for a list or a table its repr (the value kept beside it)."""
        if isinstance(value, (str, int, float, dt.date)):
            return value
        key = repr(value)
        self.odd.setdefault(key, value)
        return key

    def _repeat(self, key: Any, subject: Subject, earlier: int | tuple[int, str]) -> None:
        first = self._subject(key, earlier)
        if subject.place() < first.place():  # records passed out of file order: the first in the file counts
            place = self.places.pack(subject.path, subject.line, (subject.authority, subject.authority_code),
                                     subject.framework)
            self.first[key] = place if subject.id is key else (place, subject.id)
            self.repeats.append((key, first))
        else:
            self.repeats.append((key, subject))

    def _subject(self, key: Any, entry: int | tuple[int, str]) -> Subject:
        if type(entry) is int:
            return self.places.subject(entry, key)
        return self.places.subject(*entry)

    def merge(self, later: UniqueSummary) -> None:
        self.applicable += later.applicable
        for key, value in later.odd.items():
            self.odd.setdefault(key, value)
        move = self.places.adopt(later.places)
        first = self.first
        for key, entry in later.first.items():
            earlier = first.get(key)
            if earlier is None:
                if move is not None:
                    entry = move(entry) if type(entry) is int else (move(entry[0]), entry[1])
                first[key] = entry
            else:
                self._repeat(key, later._subject(key, entry), earlier)
        self.repeats.extend(later.repeats)

    def move(self, lines: int) -> None:
        moved = Places.moved
        self.first = {key: moved(entry, lines) if type(entry) is int else (moved(entry[0], lines), entry[1])
                      for key, entry in self.first.items()}
        self.repeats = [(key, subject.moved(lines)) for key, subject in self.repeats]

    def outcomes(self) -> tuple[int, Outcomes]:
        outcomes: Outcomes = []
        for key, subject in sorted(self.repeats, key=lambda r: r[1].place()):
            value = self.odd.get(key, key) if type(key) is str else key
            origin = self._subject(key, self.first[key]).origin
            outcomes.append((subject, Failure(
                f"{self.field} {show(value)!r} is also used by the record at {origin}",
                {self.field: value}, expected="unique", actual=f"repeats {origin}")))
        return self.applicable, outcomes
