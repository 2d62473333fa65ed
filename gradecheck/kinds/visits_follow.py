"""The visits_follow kind, over a dataset: a visit happens only while the latest graded inspection has a grade."""

from __future__ import annotations

import datetime as dt
from array import array
from collections.abc import Callable
from itertools import compress, count, groupby, islice
from operator import le
from typing import Any, ClassVar, NamedTuple

from attrs import frozen

from ..authorities import Reorganisation, active_register, label_ident, label_key
from ..frameworks import Scale, Version
from . import params as c
from ._base import Failure, Subject, Unknown, View, identify, param
from ._summary import LINE_MASK, OWNER_SHIFT, Names, Outcomes, Places, Rows
from ._texts import Texts
from .draft import Candidates, Chooser, Make, graded_names, needs_overall

__all__ = ["VisitsFollow", "VisitsSummary"]


def _text(value: Any) -> str | None:
    """
    An authority's name or code as histories are keyed: lower case, spaces collapsed, after _WRITTEN; None when
    blank. The mark keeps it apart from a register id, which keys the history of a record the register knows.
    """
    if not isinstance(value, str):
        return None
    found = _TEXTS.get(value)
    if found is None:
        found = " ".join(value.lower().split())
        found = _WRITTEN + found if found else ""
        if len(_TEXTS) < 65536:  # a file names a few hundred authorities: each is worked out once
            _TEXTS[value] = found
    return found or None


_TEXTS: dict[str, str] = {}
#: A row's history key is self.names's index of its code, or of its name with this bit set where it has no code: one
#: key a row, not two (2.3 MB of a million-record run's peak), and a merge still moves each by adding one number.
_NAMED = 1 << 30
_INDEX = _NAMED - 1
_NO_ROWS = array("i")  # the history of an authority with no rows (never written to)
_VISIT = (True, False, None, "")  # a visit's state: no grade of its own
#: What starts a history key taken from a record's text (a name, a code). A record the register knows is keyed by
#: the register's own string for it (label_key: a plain entry itself, else the register id): a key made for it
#: ("@liverpool") was 7 MB at a million records (138,000 authorities), with the table that made each once.
_WRITTEN = "\0"


@frozen(kw_only=True)
class VisitsFollow:
    """
    A visit of this kind happens only while the authority's latest graded inspection has this grade.

    Monitoring visits are how Ofsted follows an inadequate authority until it is re-inspected, so a
    monitoring visit after a "requires improvement" inspection is a sign of a wrong date, authority
    or framework. Records are grouped by authority (through the register, whatever the spelling or code;
    else by ``authority_code``, else ``authority`` as written) and ordered by date. A visit to an authority
    a reorganisation made, before its own first graded inspection, follows its predecessors' latest
    (docs/authorities.md, "Histories across a reorganisation").
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

    def judge(self, visit: _Dated, latest: _Dated | None, via: str = "") -> Failure | Unknown | None:
        kind = visit.subject.framework
        if latest is None:
            return Unknown(f"no graded inspection before this {kind} in the dataset", {"start": visit.day},
                           "no_history")
        standing, where = latest.standing, latest.where
        fields = {"start": visit.day, f"{latest.subject.id}.{where}": standing}
        if standing is None:
            return Unknown(f"the latest graded inspection ({latest.subject.id}) has no grade on the scale", fields,
                           "unreadable_grade")
        if standing == self.grade:
            return None
        return Failure(
            f"{kind} on {visit.day.isoformat()}, but the latest graded inspection before it "
            f"({latest.subject.id}, {latest.day.isoformat()}) was {standing}, not {self.grade}{via}",
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
    """A dated visit or graded inspection, with what the visit rule needs of it (made only to judge a visit)."""

    subject: Subject
    day: dt.date
    visit: bool
    graded: bool  # it has grades: it can be the latest graded inspection before a visit
    standing: str | None
    where: str


class VisitsSummary:
    """
    Per file, only the dated graded inspections and visits, each with its standing grade worked out.

    An authority's history is keyed by its ONS code, or the code another record gives for the same
    name: one record may give "Liverpool" and E08000012, another only "Liverpool", and both are one
    history. So the names' codes are kept too, and histories are formed when the file has been read.

    Each dated record is one row of parallel columns (its packed place, its day, its standing and history key as
    small ints, and its id's end offset), 26 bytes beside the id's characters: lines, days and history keys as
    32-bit ints (a line is one already; a key indexes a table of a few per authority), and the offset in 32 bits
    (see Texts). A row's line is not kept twice (its day and line as one 64-bit int ordered a history; a sort by
    day of rows in line order does), and a row keeps one key, not its code's and its name's: 34 bytes a row were
    20 MB at a million records.
    """

    __slots__ = ("applicable", "codes", "days", "ids", "keys", "lines", "names", "owners", "places", "rule",
                 "standings", "states", "undated")

    def __init__(self, rule: VisitsFollow) -> None:
        self.rule = rule
        self.applicable = 0
        self.places = Places()
        self.lines = array("I")  # each row's line, and the rest of its packed place (see _summary.Places)
        self.owners = array("q")
        self.days = array("I")  # each row's day (its ordinal): with its line, its place in a history
        self.states = array("H")  # each row's (visit, graded, standing, where), an index into self.standings
        self.keys = array("i")  # each row's authority code, or where it has none its name (see _NAMED): indexes
        self.ids = Texts()
        self.standings = Names()  # the states the rows point to (a few)
        # The codes and names they point to, a few per authority: a merge appends another's (see Names.append), as
        # histories are formed from the values, not the indexes.
        self.names = Names()
        self.undated: list[tuple[Subject, Unknown]] = []  # visits that cannot be placed in a history
        self.codes: dict[str, tuple[tuple[str, int], str]] = {}  # name → (first place seen, its code)

    def add(self, view: View) -> None:
        known = identify(view)
        known = known if type(known) is str else known[2]  # label_key, inlined: a call a record
        if known is not None:  # the register's identity: one history however it is spelt or coded
            name, code = None, known
        else:
            name, code = _text(view.get("authority")), _text(view.get("authority_code"))
        if name and code:
            known = self.codes.get(name)
            if known is None or known[1] != code or view.place() < known[0]:
                self._code(name, view.place(), code)
        is_visit = view.framework.id in self.rule.visits
        if is_visit:
            self.applicable += 1
            if code is None and name is None:
                nobody = Unknown("no authority or authority_code to find its history", {}, "no_authority")
                self.undated.append((view.subject(), nobody))
                return
            if view.day is None:
                self.undated.append((view.subject(), Unknown("the visit has no date", {}, "no_date")))
                return
        if (code is not None or name is not None) and view.day is not None and (is_visit or view.framework.graded):
            if is_visit:
                self._row(view, _VISIT, code, name)
                return
            grades = view.grades()
            overall = view.version.overall
            value = grades.get(overall) if overall else None
            if value is not None and type(value) is str and view.grade_rank(value) is not None:
                self._row(view, (False, True, value, overall), code, name)  # as _standing finds it, first
            elif any(isinstance(v, str) for v in grades.values()):  # ungraded: it can be no visit's latest
                standing, where = _standing(view, grades)
                self._row(view, (False, True, standing, where), code, name)

    def add_rows(self, rows: Rows) -> None:
        """:meth:`add` for each of *rows* in turn (the columnar engine's fold), without a view a row."""
        framework = rows.framework
        is_visit = framework.id in self.rule.visits
        if not (is_visit or framework.graded):
            return self._codes_of(rows)
        n = len(rows)
        labels, days, ids, columns = rows.labels(), rows.days, rows.columns["id"], rows.columns
        names = rows.column("authority") or [None] * n
        codes = rows.column("authority_code") or [None] * n
        grades = [(k[len("judgements."):], v) for k, v in columns.items() if k.startswith("judgements.")]
        columns_of_grades = [values for _, values in grades]
        # A row without an overall grade, per (version, its grades): its state's index, or None (it has no grade).
        worst: dict[tuple[Any, ...], int | None] = {}
        places: list[int] | None = None
        known_grades = frozenset(framework.scale.names) if framework.scale is not None else frozenset()
        # Each row's state is one of a few: its index in self.standings is looked up once per state, not once a row.
        states: dict[tuple[bool, bool, str | None, str], int] = {}
        # Per framework version, its overall judgement and that judgement's column, and the index of the state of a
        # row whose overall grade stands, by grade (the states of nearly every row).
        overalls: dict[int, tuple[str, list[Any] | None, dict[str, int]]] = {}
        kept: list[str] = []  # the ids of the rows kept, added at the end
        keys, index, of = self.keys, self.names.index, self.names.of
        lines, owners, kept_days, kept_states = self.lines, self.owners, self.days, self.states
        for row in range(n):
            known = labels[row]
            known = known if type(known) is str else known[2]  # label_key, inlined
            if known is not None:
                name, code = None, known
            else:
                name, code = _text(names[row]), _text(codes[row])
            if name and code:
                if places is None:
                    places = rows.places(self.places)
                self._code(name, self.places.where(places[row]), code)
            day = days[row]
            if is_visit:
                self.applicable += 1
                if code is None and name is None:
                    nobody = Unknown("no authority or authority_code to find its history", {}, "no_authority")
                    self.undated.append((rows.subject(row), nobody))
                    continue
                if day is None:
                    self.undated.append((rows.subject(row), Unknown("the visit has no date", {}, "no_date")))
                    continue
            if (code is None and name is None) or day is None:
                continue
            if is_visit:
                state = self._state(_VISIT, states)
            else:
                version = rows.version(row)
                found = overalls.get(id(version))
                if found is None:
                    overall = version.overall
                    found = overalls[id(version)] = (overall, columns.get(f"judgements.{overall}") if overall else None,
                                                     {})
                overall, column, standing = found
                value = column[row] if column is not None else None
                if value in known_grades:  # the overall grade stands (as _standing_of finds it first)
                    state = standing.get(value)
                    if state is None:
                        state = standing[value] = self._state((False, True, value, overall), states)
                else:  # no overall grade (ILACS from April 2026): the same grades under one version stand alike
                    combo = (id(version), *[values[row] for values in columns_of_grades])
                    state = worst.get(combo, -1)
                    if state == -1:
                        given = {k: values[row] for k, values in grades if values[row] is not None}
                        state = worst[combo] = (
                            self._state((False, True, *_standing_of(version, framework.scale, given)), states)
                            if any(isinstance(v, str) for v in given.values()) else None)
                    if state is None:  # no grade at all: it can be no visit's latest
                        continue
            if places is None:
                places = rows.places(self.places)
            place = places[row]
            line = place & LINE_MASK
            lines.append(line)
            owners.append(place >> OWNER_SHIFT)
            kept_days.append(day.toordinal())
            kept_states.append(state)
            if code is not None:
                at = index.get(code)
                keys.append(at if at is not None else of(code))
            else:
                at = index.get(name)
                keys.append((at if at is not None else of(name)) | _NAMED)
            kept.append(ids[row])
        self.ids.add_all(kept)
        return None

    def _state(self, state: tuple[bool, bool, str | None, str], states: dict[Any, int]) -> int:
        found = states.get(state)
        if found is None:
            found = states[state] = self.standings.of(state)
        return found

    def _codes_of(self, rows: Rows) -> None:
        """What :meth:`add` keeps of records neither visits nor graded: the code each name is given."""
        labels = rows.labels()
        names, codes = rows.column("authority"), rows.column("authority_code")
        if names is None or codes is None:
            return
        places: list[int] | None = None
        for row, label in enumerate(labels):
            if label_key(label) is None:
                name, code = _text(names[row]), _text(codes[row])
                if name and code:
                    if places is None:
                        places = rows.places(self.places)
                    self._code(name, self.places.where(places[row]), code)

    def _row(self, view: View, state: tuple[bool, bool, str | None, str], code: str | None, name: str | None) -> None:
        # Places.line and .owner, and Names.of where the value is known (nearly always), inlined: a row of every
        # dated record of a large file.
        place = self.places.of(view)
        self.lines.append(place & LINE_MASK)
        self.owners.append(place >> OWNER_SHIFT)
        self.days.append(view.day.toordinal())  # type: ignore[union-attr]  # add() placed only dated records
        standings = self.standings
        at = standings.index.get(state)
        self.states.append(at if at is not None else standings.of(state))
        names = self.names
        if code is not None:
            at = names.index.get(code)
            self.keys.append(at if at is not None else names.of(code))
        else:
            at = names.index.get(name)
            self.keys.append((at if at is not None else names.of(name)) | _NAMED)
        self.ids.append(view.ident())

    def _code(self, name: str, place: tuple[str, int], code: str) -> None:
        known = self.codes.get(name)
        if known is None or place < known[0]:
            self.codes[name] = (place, code)

    def rest(self) -> None:
        """The records are all folded in (see Summary)."""
        self.places.rest()
        self.names.rest()

    def merge(self, later: VisitsSummary) -> None:
        """Add *later*'s rows after this summary's; *later* gives up its columns as they are taken (it is spent)."""
        self.applicable += later.applicable
        self.places.take(later.places, self.lines, self.owners, later.lines, later.owners)
        later.lines, later.owners = array("I"), array("q")  # so that a merge holds at most one column twice
        self.days.extend(later.days)
        later.days = array("I")
        standings = self.standings.adopt(later.standings)
        self.states.extend(later.states if standings is None else array("H", map(standings.__getitem__, later.states)))
        later.states = array("H")
        start = self.names.append(later.names)
        self.keys.extend(array("i", map(start.__add__, later.keys)) if start else later.keys)
        later.keys = array("i")
        self.ids.extend(later.ids)
        later.ids = Texts()
        self.undated.extend(later.undated)
        for name, (place, code) in later.codes.items():
            self._code(name, place, code)

    def __getstate__(self) -> tuple[None, dict[str, Any]]:
        """
        As a slotted object's, but a history key that is a plain register entry (see label_key) is sent as the
        entry's number (see Register.numbered): it arrives as the register's own string, not as a new one.
        """
        state = {slot: getattr(self, slot) for slot in self.__slots__}
        register = active_register()
        values = self.names.values
        sent = Names()
        sent.values = [value if n is None else n for value, n in zip(values, register.numbered(values), strict=True)]
        state["names"], state["token"] = sent, register.token
        return None, state

    def __setstate__(self, state: tuple[None, dict[str, Any]]) -> None:
        """A worker's summary: its history keys sent as entry numbers become the register entries they number."""
        slots = dict(state[1])
        token = slots.pop("token", None)
        for slot, value in slots.items():
            setattr(self, slot, value)
        values = self.names.values
        if any(type(value) is int for value in values):
            labelled = active_register().labelled
            self.names.__setstate__([label_key(labelled(v, token)) if type(v) is int else v for v in values])

    def _dated(self, row: int) -> _Dated:
        visit, graded, standing, where = self.standings.values[self.states[row]]
        subject = self.places.subject(Places.at(self.lines[row], self.owners[row]), self.ids[row])
        return _Dated(subject, dt.date.fromordinal(self.days[row]), visit, graded, standing, where)

    def outcomes(self) -> tuple[int, Outcomes]:
        outcomes: Outcomes = sorted(self.undated, key=lambda o: o[0].place())
        standings, states, days, lines = self.standings.values, self.states, self.days, self.lines
        # Each authority's rows as an array, not a list of ints: 120,000 rows of 27,600 authorities took 13 MB
        # (the judgement's peak, the run's) as lists beside a list of their (day, line), and take 4 MB so.
        # Only a history with a visit can have an outcome (most authorities have none): only those are gathered,
        # sorted and walked, and a predecessor's when a visit asks for it (its rows are gathered with them).
        visits = {i for i, state in enumerate(standings) if state[0] is True}
        history_keys = self._history_keys()
        visited = {history_keys[row] for row in compress(count(), map(visits.__contains__, states))}
        register = active_register()
        wanted = visited | {register.key_of(before) for r in register.reorganisations for before in r.predecessors}
        histories: dict[Any, array] = {}
        # Rows of one file are gathered as they were added, in line order when they were read so. The row engine
        # folds a batch of a framework's records at a time, and the columnar engine's shares merge out of order:
        # sorting every row by its line first was a list of ints a row, 37 MB of a million-record run's peak.
        one_file = len(self.places.paths.values) <= 1
        in_order = one_file and all(map(le, lines, islice(lines, 1, None)))
        order = range(len(lines)) if one_file else self.places.in_file_order(self.lines, self.owners)
        rows = compress(order, map(wanted.__contains__, map(history_keys.__getitem__, order)))
        for key, run in groupby(rows, history_keys.__getitem__):  # a file lists an authority's records together
            history = histories.get(key)
            if history is None:
                histories[key] = array("i", run)
            else:
                history.extend(run)
        # What grouped the rows is let go before the histories are walked: at a million records the row keys were a
        # third of the judgement's peak (the run's), beside histories that take as much.
        del rows, order, history_keys, wanted
        if one_file and not in_order:  # in the order a file read in order meets them: by their first lines
            histories = dict(sorted(histories.items(), key=lambda h: min(map(lines.__getitem__, h[1]))))
        # Each in (day, line) order: by line, then (stable) by day. A history's rows are in file order where they
        # were added so, which for one file is line order already.
        for key, history in histories.items():
            if len(history) > 1:
                history = list(history) if in_order else sorted(history, key=lines.__getitem__)
                history.sort(key=days.__getitem__)
                histories[key] = array("i", history)

        def history_of(key: Any) -> array:
            return histories.get(key, _NO_ROWS)

        grade = self.rule.grade
        for key in [key for key in histories if key in visited]:  # in the order histories were met, as ever
            latest: int | None = None
            for row in history_of(key):
                visit, graded, _standing, _where = standings[states[row]]
                if visit:
                    if latest is not None and standings[states[latest]][2] == grade:
                        continue  # the visit follows the grade it should: nothing to say
                    via = ""
                    if latest is None and key and not key.startswith(_WRITTEN):
                        inherited = self._inherited(key, days[row], history_of)
                        if inherited is not None:
                            latest, via = inherited
                            if standings[states[latest]][2] == grade:
                                latest = None
                                continue
                    outcome = self.rule.judge(self._dated(row), None if latest is None else self._dated(latest), via)
                    if via:
                        latest = None  # the predecessor's inspection stands only until the authority's own
                    if outcome is not None:
                        outcomes.append((self._dated(row).subject, outcome))
                elif graded:
                    latest = row
        return self.applicable, outcomes

    def _history_keys(self) -> list[Any]:
        """
        Each row's history: the register's id of its authority where the register knows it, else its code, else the
        code another record gives its name, else its name (the last three marked: see _text). Looked up a column at
        a time where rows give a code.
        """
        names, keys = self.names.values, self.keys
        out = list(map(names.__getitem__, map(_INDEX.__and__, keys)))
        for row in compress(count(), map(_NAMED.__le__, keys)):  # a row without a code: out holds its name
            name = out[row]
            known = self.codes.get(name or "")
            out[row] = (known[1] if known else None) or name
        return out

    def _inherited(self, authority: str, ordinal: int, history_of: Callable[[Any], array]) -> tuple[int, str] | None:
        """
        For a visit on day *ordinal* to *authority* before any graded inspection of its own: the latest graded
        inspection of a predecessor it took over from, made before the reorganisation (any predecessor's that has
        the rule's grade, else the latest of them), and the words that say so; None where there is none.
        """
        register = active_register()
        authority = label_ident(authority, register)  # the history's key: a plain entry's label, or an id
        standings, states, days = self.standings.values, self.states, self.days
        found: list[tuple[int, int, Reorganisation, str]] = []  # (day, line, reorganisation, predecessor)
        for r in register.reorganisations:
            if authority not in r.successors or authority in r.predecessors or r.date.toordinal() > ordinal:
                continue
            for before in r.predecessors:
                last = None
                for row in history_of(register.key_of(before)):
                    if days[row] >= r.date.toordinal():
                        break
                    if standings[states[row]][1]:  # graded
                        last = row
                if last is not None:
                    found.append((days[last], last, r, before))
        if not found:
            return None
        wanted = [f for f in found if standings[states[f[1]]][2] == self.rule.grade]
        _day, row, r, before = max(wanted or found, key=lambda f: (f[0], self.lines[f[1]]))
        try:
            name = register.get(before).name
        except KeyError:
            name = before
        return row, (f" (its predecessor {name}'s: {r.title} made {register.get(authority).name} on "
                     f"{r.date.isoformat()}; docs/authorities.md)")


def _standing(view: View, grades: dict[str, Any]) -> tuple[str | None, str]:
    """The overall grade, or, where the framework has none (ILACS from April 2026), the worst judgement."""
    return _standing_of(view.version, view.framework.scale, grades)


def _standing_of(version: Version, scale: Scale | None, grades: dict[str, Any]) -> tuple[str | None, str]:
    def rank(value: Any) -> int | None:  # as View.grade_rank
        if scale is None or not isinstance(value, str) or not scale.knows(value):
            return None
        return scale.rank(value)

    overall = version.overall
    if overall:
        value = grades.get(overall)
        if isinstance(value, str) and rank(value) is not None:
            return value, overall
    ranked = [(rank(v), n, v) for n, v in grades.items() if isinstance(v, str) and rank(v) is not None]
    if not ranked:
        return None, "judgements"
    _rank, name, value = max(ranked)
    return value, f"worst judgement ({name})"
