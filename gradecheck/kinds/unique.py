"""The unique kind, over a dataset: no two records share a value of a field (ids)."""

from __future__ import annotations

import datetime as dt
from array import array
from itertools import compress, count
from operator import eq
from typing import Any, ClassVar
from zlib import crc32

from attrs import frozen

from ..values import MISSING, show
from . import params as c
from ._base import Failure, Subject, View, param
from ._summary import LINE_MASK, OWNER_SHIFT, Outcomes, Places, Rows
from ._texts import Column, Texts, joined, loaded
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
    Each value's records, kept compactly; the repeats are found when the dataset is judged.

    A unique-ids summary keeps an entry for every record of a file, so what an entry costs is what a
    large run costs. A text value (nearly every id) is kept as UTF-8 in one growing buffer (Texts), with its
    CRC-32 and its packed place (see _summary.Places) in arrays: about 20 bytes a record beside the
    text, where a dict of value to first place took about 130. :meth:`outcomes` sorts the hashes,
    compares the texts of records whose hashes agree (a shared hash alone proves nothing), and takes
    the first in file order of each value as the one the others repeat. Values of other types (a
    number, a date) are few and are kept in a dict as they come, value to first place.
    """

    __slots__ = ("applicable", "field", "first", "hashes", "idents", "lines", "odd", "owners", "places", "repeats",
                 "texts")

    def __init__(self, field: str) -> None:
        self.field = field
        self.applicable = 0
        self.places = Places()
        self.texts = Texts()  # each text value
        self.hashes = array("I")  # its CRC-32
        self.lines = array("I")  # its record's packed place, in two parts: the line (see Places.line)
        self.owners = array("q")  # and its file, framework and authority (Places.owner), shared by many records
        self.idents: dict[int, str] = {}  # a record's id, for an entry whose value is not the id itself
        self.first: dict[Any, int | tuple[int, str]] = {}  # a value of another type → its first record, packed
        self.odd: dict[str, Any] = {}  # the value behind a key that is its repr (a list, a table)
        self.repeats: list[tuple[Any, Subject]] = []  # repeats among the values of other types

    def add(self, view: View) -> None:
        value = view.get(self.field)
        if value is MISSING:
            return
        self.applicable += 1
        key = value if type(value) is str else self._key(value)
        if type(key) is str:
            self._keep(key, self.places.of(view), view.ident())
            return
        earlier = self.first.get(key)
        if earlier is None:
            place, ident = self.places.of(view), view.ident()
            self.first[key] = place if ident is key else (place, ident)
        else:
            self._repeat(key, view.subject(), earlier)

    def _keep(self, key: str, place: int, ident: str) -> None:
        if ident != key:
            self.idents[len(self.texts)] = ident
        self.hashes.append(crc32(self.texts.append(key)))
        self.lines.append(place & LINE_MASK)
        self.owners.append(place >> OWNER_SHIFT)

    def add_rows(self, rows: Rows) -> None:
        """:meth:`add` for each of *rows* in turn (the columnar engine's fold), without a view a row."""
        column = rows.column(self.field)
        if column is None:
            return
        ids, places = rows.columns["id"], None
        if set(map(type, column)) == {str}:  # nearly always (ids): a column at a time
            places = rows.places(self.places)
            if column is not ids:
                start = len(self.texts)
                pairs = enumerate(zip(ids, column, strict=True), start)
                self.idents.update({row: ident for row, (ident, value) in pairs if ident != value})
            self.applicable += len(column)
            self.hashes.extend(map(crc32, self.texts.add_all(column)))
            self.lines.extend(map(LINE_MASK.__and__, places))
            self.owners.extend(map(OWNER_SHIFT.__rrshift__, places))  # place >> OWNER_SHIFT
            return
        for row, value in enumerate(column):
            if value is None:
                continue
            if places is None:
                places = rows.places(self.places)
            self.applicable += 1
            key = value if type(value) is str else self._key(value)
            if type(key) is str:
                self._keep(key, places[row], ids[row])
                continue
            earlier = self.first.get(key)
            if earlier is None:
                ident = ids[row]
                self.first[key] = places[row] if ident is key else (places[row], ident)
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

    def rest(self) -> None:
        """
        The records are all folded in (see Summary): the columns are kept in files until the dataset is judged (see
        Column), by the one process that judges it. At a million records they were 11 MB a share, held by the
        process that merged the shares while it judged the visit histories.
        """
        self.places.rest()
        if type(self.hashes) is not Column:
            self.hashes, self.lines, self.owners = map(Column, self._columns())  # type: ignore[assignment]

    def _columns(self) -> tuple[array, array, array]:
        """The hashes, lines and owners as arrays, read back where they were kept in files (see rest)."""
        self.hashes, self.lines, self.owners = map(loaded, (self.hashes, self.lines, self.owners))
        return self.hashes, self.lines, self.owners

    def merge(self, later: UniqueSummary) -> None:
        """Add *later*'s records after this summary's; *later* gives up its columns as they are taken (it is spent)."""
        self.applicable += later.applicable
        for key, value in later.odd.items():
            self.odd.setdefault(key, value)
        count = len(self.texts)
        self.texts.extend(later.texts)
        later.texts = Texts()  # so that a merge holds at most one column twice, never a whole summary
        # Each column made at its size, from both summaries' files where they rested (see rest): read back one by
        # one and grown, they were held twice, the judging process's peak at a million records.
        start = len(self.owners)
        self.hashes, self.lines, self.owners = (joined(self.hashes, later.hashes), joined(self.lines, later.lines),
                                                joined(self.owners, later.owners))
        later.hashes, later.lines, later.owners = array("I"), array("I"), array("q")
        move = self.places.moved(later.places, self.owners, start)
        self.idents.update({count + i: ident for i, ident in later.idents.items()})
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

    def _texts(self) -> list[tuple[str, Subject, Subject]]:
        """The repeats among text values: (value, the repeating record, the value's first record in file order)."""
        hashes, lines, owners = self._columns()
        # The hashes two or more records have, found a top byte at a time: sorting all of them at once, as a
        # list of ints beside its copy, was the run's peak (9.4 MB at 200,000 records, 1 MB so, and faster).
        buckets = [array("I") for _ in range(256)]
        for h in hashes:
            buckets[h >> 24].append(h)
        shared: set[int] = set()
        for bucket in buckets:
            ordered = sorted(bucket)
            later = ordered[1:]
            shared.update(compress(later, map(eq, ordered, later)))
        del buckets, ordered, later
        alike: dict[bytes, list[int]] = {}  # the records of each value whose hash is shared
        for i in compress(count(), map(shared.__contains__, hashes)) if shared else ():
            alike.setdefault(self.texts.encoded(i), []).append(i)
        out: list[tuple[str, Subject, Subject]] = []
        for data, entries in alike.items():
            if len(entries) < 2:
                continue  # only a hash in common
            value = data.decode("utf-8", "surrogatepass")
            subjects = [self.places.subject(Places.at(lines[i], owners[i]), self.idents.get(i, value))
                        for i in entries]
            first = min(range(len(subjects)), key=lambda n: subjects[n].place())  # of a tie, the earliest added
            out += [(value, subject, subjects[first]) for n, subject in enumerate(subjects) if n != first]
        return out

    def outcomes(self) -> tuple[int, Outcomes]:
        outcomes: Outcomes = []
        repeats = [(key, subject, self._subject(key, self.first[key])) for key, subject in self.repeats]
        for key, subject, first in sorted([*repeats, *self._texts()], key=lambda r: r[1].place()):
            value = self.odd.get(key, key) if type(key) is str else key
            origin = first.origin
            outcomes.append((subject, Failure(
                f"{self.field} {show(value)!r} is also used by the record at {origin}",
                {self.field: value}, expected="unique", actual=f"repeats {origin}")))
        return self.applicable, outcomes
