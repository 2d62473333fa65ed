"""What every dataset kind's summary promises: records folded in one at a time, and merged in file order."""

from __future__ import annotations

import datetime as dt
import weakref
from array import array
from collections.abc import Callable, Iterable, Sequence
from itertools import islice
from operator import le
from typing import Any, Protocol

from ..authorities import active_register, label_parts
from ..frameworks import Framework, Version
from ._base import CODE_FIELDS, NAME_FIELDS, Failure, Subject, Unknown, View, identify

__all__ = ["LINE_MASK", "OWNER_SHIFT", "Names", "Outcomes", "Places", "Rows", "Summary"]

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

    def merge(self, later: Any) -> None:
        """
        Add *later*'s records (the rest of the file). *later* is spent: a merge may take its columns and leave
        it empty, so that merging never holds two copies of a large summary.
        """
        ...

    def outcomes(self) -> tuple[int, Outcomes]:
        """How many records (or groups) the rule applied to, and its outcomes, in file order."""
        ...

    # A summary may also have rest(): the records are all folded in, so what only folding needs can go (see
    # Names.rest). Merging and judging work as before after it.


class Names:
    """
    A growing table of values (file paths, authority names, ...), each named by its small index.

    Summaries keep an index per record rather than the value, so a value written on every record
    (an authority's name, the file's path) is held once per summary, not once per record.
    """

    __slots__ = ("__weakref__", "_adopted", "_appended", "_unread", "index", "values")

    def __init__(self) -> None:
        self.values: list[Any] = []
        self.index: dict[Any, int] = {}
        self._unread = False  # values received (see __setstate__) that the index does not hold yet
        self._adopted: tuple[Names, int, int, list[int] | None] | None = None  # the last adopt's answer
        self._appended: dict[int, tuple[weakref.ref[Names], int, int]] = {}  # each append's, by the other's id

    def of(self, value: Any) -> int:
        found = self.index.get(value)
        if found is None:
            if self._unread:
                self._read()
                found = self.index.get(value)
                if found is not None:
                    return found
            found = self.index[value] = len(self.values)
            self.values.append(value)
        return found

    def rest(self) -> None:
        """
        Let the index go until a value is next looked up (see of): merging a worker's table appends it, and judging
        reads values by index. At a million records, the index of a share's 69,000 authorities, twice (the place
        table's, the visit histories'), was 7 MB of the run's peak.
        """
        if self.index:
            self.index = {}
            self._unread = True

    def _read(self) -> None:
        """Index the values received, each at its first index, as before they were sent."""
        index, self._unread = self.index, False
        for i, value in enumerate(self.values):
            index.setdefault(value, i)

    def adopt(self, other: Names) -> list[int] | None:
        """
        Where each of *other*'s indexes lands in this table; None when every one lands where it was.

        A dataset's summaries share their tables (Places.shared), and so do a worker's: merging them asks the same
        question once a summary, answered once while neither table has grown since.
        """
        last = self._adopted
        if last is not None and last[0] is other and last[1] == len(other.values) and last[2] == len(self.values):
            return last[3]
        moved: list[int] | None = [self.of(value) for value in other.values]
        if moved == list(range(len(other.values))):
            moved = None
        self._adopted = (other, len(other.values), len(self.values), moved)
        return moved

    def append(self, other: Names) -> int:
        """
        Where *other*'s indexes start in this table once its values follow this table's, each kept (an equal value
        here is not looked for): merging the rows that point into it is then adding one number to each, where
        :meth:`adopt` looks every value up. For a table whose indexes only name values, so that two indexes of one
        value mean the same (an authority a record is about: the two shares of a file name different ones).
        Summaries sharing *other* ask once: the answer is kept while *other* has not grown.

        The values appended are not indexed: :meth:`of` a value only they hold adds it again, which names the same.
        Indexed, they grew the index by a worker's 69,000 authorities, 4.3 MB of a million-record run's peak, for
        lookups that merging never makes.
        """
        last = self._appended.get(id(other))
        if last is not None and last[0]() is other and last[1] == len(other.values):
            return last[2]
        start = len(self.values)
        self.values += other.values
        self._appended[id(other)] = (weakref.ref(other), len(other.values), start)  # a spent table is let go
        return start

    def __getstate__(self) -> list[Any]:
        return self.values  # the index is rebuilt when first needed, and the last adopt's answer is this process's own

    def __setstate__(self, values: list[Any]) -> None:
        """
        The values, indexed only when one is first looked up (see of): a worker's tables are appended or adopted by
        the process that receives them, which reads their values and never looks one up.
        """
        self.values = values
        self.index = {}
        self._unread = bool(values)
        self._adopted = None
        self._appended = {}


# A place packs a record's line (bits 0-31), its file (32-47), its framework (48-63) and its authority (64 up):
# one int of 32 or 36 bytes in place of a Subject (about 90 bytes, plus its line) for each record a summary keeps.
_LINE, _PATH, _FRAMEWORK, _AUTHORITY = 0, 32, 48, 64
_LINES, _FIELD = (1 << 32) - 1, (1 << 16) - 1
_AT = _AUTHORITY - _PATH  # where the authority starts in an owner (a place without its line)
#: place & LINE_MASK is Places.line and place >> OWNER_SHIFT Places.owner, for folds that inline them.
LINE_MASK, OWNER_SHIFT = _LINES, _PATH
_BLOCK = 1 << 16  # owners moved at once (see Places.moved)


class Places:
    """
    Records named compactly: everything a finding names of a record but its id, packed into one int.

    A unique-ids summary keeps one entry per record of a file, so what each costs is what the run
    costs; the packed place is decoded back into a :class:`Subject` only for the records reported on.
    """

    __slots__ = ("authorities", "frameworks", "paths")

    def __init__(self) -> None:
        self.paths = Names()
        self.frameworks = Names()
        self.authorities = Names()

    def of(self, view: View) -> int:
        """A view's place, packed; kept on the view, for the other summaries that share this table (see shared)."""
        kept = view._place
        if kept is not None and kept[0] is self:
            return kept[1]
        path, line = view.place()
        packed = self.pack(path, line, identify(view), view.framework.id)
        view._place = (self, packed)
        return packed

    @staticmethod
    def shared(summaries: Sequence[Any], frameworks: Iterable[str] = ()) -> None:
        """
        Give new summaries of one dataset one table: each record's place is then packed once, not once a summary.
        Merging is unchanged (a table adopting another's names gives the same answer each time it is asked).

        *frameworks* (the rule set's) are numbered first, in their order: the shares of a file then number them
        alike whatever each meets first, and merging moves an owner by adding one number (see take), where
        moving each distinct owner took 0.04 s of a 200,000-record run's serial end.
        """
        table = Places()
        for framework in frameworks:
            table.frameworks.of(framework)
        for summary in summaries:
            if isinstance(getattr(summary, "places", None), Places) and not summary.places.paths.values:
                summary.places = table

    def pack(self, path: str, line: int, authority: tuple[str | None, ...], framework: str) -> int:
        """
        A record's place. *authority* is what a finding names it by: its label (see identify), the register's own
        object, kept as it is (a pair of its name and code made for each authority was 3.9 MB of a million-record
        run's peak), or a (name, code) pair; a table sent to another process sends the register's labels by number
        and the others as pairs (see __getstate__).
        """
        # Names.of inlined: every record of a large file comes here once or twice, and the three names are
        # nearly always known already.
        files = self.paths.index.get(path)
        if files is None:
            files = self.paths.of(path)
        frameworks = self.frameworks.index.get(framework)
        if frameworks is None:
            frameworks = self.frameworks.of(framework)
        who = self.authorities.index.get(authority)
        if who is None:
            who = self.authorities.of(authority)
        if line > _LINES or files > _FIELD or frameworks > _FIELD:
            raise ValueError(f"{path}: more lines, files or frameworks than a summary can name")
        return line | files << _PATH | frameworks << _FRAMEWORK | who << _AUTHORITY

    def rest(self) -> None:
        """What folding alone needs of the table can go (see Names.rest)."""
        for names in (self.paths, self.frameworks, self.authorities):
            names.rest()

    def subject(self, place: int, ident: str) -> Subject:
        name, code = label_parts(self.authorities.values[place >> _AUTHORITY])[:2]  # a label, or a pair
        return Subject(ident, self.paths.values[place >> _PATH & _FIELD], place & _LINES, name,
                       self.frameworks.values[place >> _FRAMEWORK & _FIELD], code)

    def __getstate__(self) -> tuple[Names, Names, list[int | tuple[str | None, str | None]], int]:
        """
        The authorities as the register's entry numbers, where a label is the register's own (see
        Register.numbered), else as the pairs a subject names: a label's texts would be new strings in the receiver.
        """
        register = active_register()
        labels = self.authorities.values
        values = [label_parts(label)[:2] if n is None else n
                  for label, n in zip(labels, register.numbered(labels), strict=True)]
        return self.paths, self.frameworks, values, register.token

    def __setstate__(self, state: tuple[Names, Names, list[int | tuple[str | None, str | None]], int]) -> None:
        """
        An entry's number becomes the register's label, and so does a pair the register names plainly, so that a
        worker's table costs this process no texts of its own.
        """
        self.paths, self.frameworks, values, token = state
        register = active_register()
        plain, labelled = register.plain_label, register.labelled
        for i, value in enumerate(values):
            label = labelled(value, token) if type(value) is int else plain(*value)
            if label is not None:
                values[i] = label
        self.authorities = Names()
        self.authorities.__setstate__(values)

    def in_file_order(self, lines: Sequence[int], owners: Sequence[int]) -> Iterable[int]:
        """
        For rows kept as a line and an owner (see :meth:`line`, :meth:`owner`), their numbers in file order (by
        file, then line, as :meth:`where` orders places): as they were added, when they were added so (one file,
        read in order), else sorted by one int a row, not a tuple.
        """
        paths = self.paths.values
        if len(paths) <= 1:  # one file: its lines are the order (the columnar engine's shares are out of order)
            if all(map(le, lines, islice(lines, 1, None))):
                return range(len(lines))
            return sorted(range(len(lines)), key=lines.__getitem__)
        rank = [0] * len(paths)
        for r, i in enumerate(sorted(range(len(paths)), key=paths.__getitem__)):
            rank[i] = r
        order = [rank[owner & _FIELD] << _PATH | line for line, owner in zip(lines, owners, strict=True)]
        return sorted(range(len(lines)), key=order.__getitem__)

    def take(self, other: Places, lines: array, owners: array, their_lines: array,
             their_owners: array) -> Callable[[int], int] | None:
        """
        Append another table's rows (a line and an owner each) to *lines* and *owners*, their owners moved into
        this table (a merge never moves a line). The move, for whatever else the caller keeps of *other*'s places
        (None: the tables agree).

        The authorities are appended (Names.append), so where the files and frameworks agree (one file, read in
        shares) an owner moves by one number: at a million records, the moves took 0.25 s a summary, a lookup
        of each of 150,000 distinct owners, then of each row's.
        """
        lines.extend(their_lines)
        start = len(owners)
        owners.extend(their_owners)
        return self.moved(other, owners, start)

    def moved(self, other: Places, owners: array, start: int) -> Callable[[int], int] | None:
        """
        Move *owners* from *start* on, which are *other*'s, into this table, in place a block at a time (moved into
        a new array, a share's column was held twice, 4 MB of the judging process's peak at a million records).
        The move for whatever else the caller keeps of *other*'s places, as :meth:`take` gives it.
        """
        files, frameworks, shift = self._tables(other)
        move: Callable[[int], int] | None = None
        if files is None and frameworks is None:
            if shift:
                move = (shift << _AT).__add__
        else:
            move_owner = self._owner_move(other, files, frameworks, shift)
            move = {owner: move_owner(owner) for owner in set(islice(owners, start, None))}.__getitem__  # each once
        if move is not None:
            for lo in range(start, len(owners), _BLOCK):
                hi = min(lo + _BLOCK, len(owners))
                owners[lo:hi] = array(owners.typecode, map(move, owners[lo:hi]))
        return self.adopt(other)

    def where(self, place: int) -> tuple[str, int]:
        """The (path, line) file order of a packed place, as :meth:`Subject.place` gives it."""
        return self.paths.values[place >> _PATH & _FIELD], place & _LINES

    @staticmethod
    def line(place: int) -> int:
        return place & _LINES

    @staticmethod
    def owner(place: int) -> int:
        """A place without its line: what it shares with the file's other records of one authority and framework."""
        return place >> _PATH

    @staticmethod
    def at(line: int, owner: int) -> int:
        return line | owner << _PATH

    def _tables(self, other: Places) -> tuple[list[int] | None, list[int] | None, int]:
        """Where *other*'s files and frameworks land here (see Names.adopt), and where its authorities start."""
        return (self.paths.adopt(other.paths), self.frameworks.adopt(other.frameworks),
                self.authorities.append(other.authorities))

    @staticmethod
    def _owner_move(other: Places, files: list[int] | None, frameworks: list[int] | None,
                    shift: int) -> Callable[[int], int]:
        """A function taking *other*'s owners (see :meth:`owner`) to this table's, as _tables answered."""
        files = files or list(range(len(other.paths.values)))
        frameworks = frameworks or list(range(len(other.frameworks.values)))
        at_framework = _FRAMEWORK - _PATH  # where it starts in an owner

        def move(owner: int) -> int:
            return (files[owner & _FIELD] | frameworks[owner >> at_framework & _FIELD] << at_framework
                    | ((owner >> _AT) + shift) << _AT)

        return move

    def adopt(self, other: Places) -> Callable[[int], int] | None:
        """A function taking *other*'s packed places to this table's (None: they are the same), for merging."""
        files, frameworks, shift = self._tables(other)
        if files is None and frameworks is None and not shift:
            return None
        move_owner = self._owner_move(other, files, frameworks, shift)

        def move(place: int) -> int:
            return place & _LINES | move_owner(place >> _PATH) << _PATH

        return move


class Rows:
    """
    Records of one framework that surely pass every record rule, column by column: what the columnar engine
    folds into a summary that has ``add_rows``, in place of a view a record (building the views, a dict or two
    a record, was nearly half of what folding the passed rows cost). Each column holds a field's value per row
    as a view's ``get`` gives it (texts stripped; judgements by grade name), None where the record has none.
    """

    __slots__ = ("_labels", "_places", "_versions", "columns", "days", "framework", "lines", "path")

    def __init__(self, path: str, framework: Framework, lines: list[int], days: list[dt.date | None],
                 columns: dict[str, list[Any]], labels: list[Any] | None = None,
                 versions: dict[dt.date | None, Version] | None = None) -> None:
        """*labels* and *versions* are each row's :meth:`labels` and its days' versions, where the caller knows them."""
        self.path = path
        self.framework = framework
        self.lines = lines
        self.days = days
        self.columns = columns  # "id", "authority", "judgements.overall_effectiveness", ... → a value per row
        self._labels: list[tuple[str | None, str | None, str | None]] | None = labels
        self._versions: dict[dt.date | None, Version] = {} if versions is None else versions
        self._places: tuple[Places, list[int]] | None = None

    def __len__(self) -> int:
        return len(self.lines)

    def column(self, name: str) -> list[Any] | None:
        """A field's values (None: no record has the field), as View.get reads them."""
        if name == "framework":
            return [self.framework.id] * len(self.lines)
        return self.columns.get(name)

    def labels(self) -> list[tuple[str | None, str | None, str | None]]:
        """Each row's :func:`~gradecheck.kinds._base.identify` (the register keeps each answer: see Register.placed)."""
        if self._labels is None:
            nobody = [None] * len(self.lines)
            names = _first_column(self, NAME_FIELDS, nobody)
            codes = _first_column(self, CODE_FIELDS, nobody)
            self._labels = active_register().labels(names, codes, self.days)
        return self._labels

    def version(self, row: int) -> Version:
        """The framework version a row's day falls under."""
        day = self.days[row]
        found = self._versions.get(day)
        if found is None:
            found = self._versions[day] = self.framework.version_at(day)
        return found

    def places(self, table: Places) -> list[int]:
        """Each row packed into *table* (see Places.pack), kept for the other summaries sharing the table."""
        if self._places is not None and self._places[0] is table:
            return self._places[1]
        path, fid, owners = self.path, self.framework.id, {}
        out = []
        last, owner = None, 0
        for line, label in zip(self.lines, self.labels(), strict=True):
            if label is not last:  # rows of one authority together share a label object (Register.labels)
                last = label
                owner = owners.get(label)
                if owner is None:
                    owner = owners[label] = table.pack(path, 0, label, fid)
            if line > _LINES:
                raise ValueError(f"{path}: more lines than a summary can name")
            out.append(line | owner)
        self._places = (table, out)
        return out

    def subject(self, row: int) -> Subject:
        """What a finding about a row names (as View.subject gives it)."""
        name, code = label_parts(self.labels()[row])[:2]
        return Subject(self.columns["id"][row], self.path, self.lines[row], name, self.framework.id, code)


def _first_column(rows: Rows, fields: tuple[str, ...], nobody: list[None]) -> list[Any]:
    """Per row, the first of *fields* it gives (as identify reads a view: the first non-blank text)."""
    out: list[Any] | None = None
    for column in (rows.columns.get(f) for f in fields):
        if column is None:
            continue
        if out is None:
            out = [v if type(v) is str and v else None for v in column]
        else:
            out = [x if x is not None else v if type(v) is str and v else None
                   for x, v in zip(out, column, strict=True)]
    return nobody if out is None else out
