"""The compact places dataset summaries keep per record: packed and merged, naming what a finding names."""

from __future__ import annotations

import datetime as dt
import pickle
from array import array
from unittest import mock

from hypothesis import example, given
from hypothesis import strategies as st

from gradecheck.authorities import active_register
from gradecheck.kinds import Subject, _texts
from gradecheck.kinds._summary import Places

subjects = st.builds(
    Subject,
    id=st.text(min_size=1, max_size=8),
    path=st.sampled_from(["a.jsonl", "b.csv", "book.xlsx#History", "-"]),
    line=st.integers(0, 2**31),  # a file of two billion lines is 100 GB; moved places stay below 2**32
    authority=st.none() | st.sampled_from(["Leeds", "Liverpool", "Bexley", "St. Helens"]),
    authority_code=st.none() | st.sampled_from(["E08000035", "E08000012", "921"]),
    framework=st.sampled_from(["ilacs", "monitoring-visit", "focused-visit", "sif"]),
)


_REGISTERED = st.sampled_from([("Liverpool", "E08000012"), ("Leeds", "E08000035"), ("Bexley", "E09000004"),
                               ("Buckinghamshire", "E06000060"), ("Nowhere", "E99999999"), ("Leeds", None)])


def _pack(places: Places, s: Subject) -> int:
    return places.pack(s.path, s.line, (s.authority, s.authority_code), s.framework)


@given(st.lists(subjects, max_size=12))
def test_a_packed_place_gives_back_its_subject_and_file_order(kept):
    places = Places()
    packed = [_pack(places, s) for s in kept]
    assert [places.subject(p, s.id) for p, s in zip(packed, kept, strict=True)] == kept
    assert [places.where(p) for p in packed] == [s.place() for s in kept]


@given(st.lists(st.tuples(subjects, st.none() | st.sampled_from(["leeds", "liverpool"])), max_size=10))
def test_a_table_of_labels_travels_as_the_pairs_its_subjects_name(kept):
    """
    A record's place is packed with its label, the register's object (name, code, register id), kept as it is; a
    worker's table reaches the process that merges it with the (name, code) pairs alone, naming the same records,
    and a pair the register names plainly (Leeds, E08000035) is the register's label there, its texts the
    register's own.
    """
    places = Places()
    packed = [places.pack(s.path, s.line, (s.authority, s.authority_code, ident), s.framework) for s, ident in kept]
    sent = pickle.dumps(places)
    assert b"leeds" not in sent  # no register id is sent
    again = pickle.loads(sent)
    assert [again.subject(p, s.id) for p, (s, _) in zip(packed, kept, strict=True)] == [s for s, _ in kept]
    register = active_register()
    for label in again.authorities.values:
        plain = register.plain_label(label[0], label[1])
        assert label is plain if plain is not None else len(label) == 2


@given(st.lists(st.tuples(_REGISTERED, subjects), max_size=10))
def test_a_table_of_the_registers_labels_travels_as_entry_numbers(kept):
    """
    A label that is the register's own object travels as its entry's number (see Register.numbered), and is that
    object again in the receiver: no text of it is sent.
    """
    register = active_register()
    places = Places()
    packed = [places.pack(s.path, s.line, register.placed(*who)[0], s.framework) for who, s in kept]
    sent = pickle.dumps(places)
    values = places.authorities.values
    numbered = [n is not None for n in register.numbered(values)]
    texts = {label[0] for label, n in zip(values, numbered, strict=True) if not n}
    assert all(label[0].encode() not in sent for label, n in zip(values, numbered, strict=True) if n
               and label[0] not in texts)
    again = pickle.loads(sent)
    assert [again.subject(p, s.id) for p, (_, s) in zip(packed, kept, strict=True)] == [
        places.subject(p, s.id) for p, (_, s) in zip(packed, kept, strict=True)]
    for label, n, got in zip(values, numbered, again.authorities.values, strict=True):
        if n:
            assert got is label
        else:
            assert got == (register.plain_label(*label[:2]) or label[:2])


@given(st.lists(subjects, max_size=8), st.lists(subjects, max_size=8), st.lists(subjects, max_size=8))
def test_a_table_rested_after_folding_packs_and_merges_as_before(earlier, later, theirs):
    """
    Places.rest lets the tables' indexes go once a share is folded: another table merges in as into a table that
    kept them, and a record packed after names what it named (an appended value may be found at either of its
    indexes: see Names.append).
    """
    kept, rested, other = Places(), Places(), Places()
    assert [_pack(kept, s) for s in earlier] == [_pack(rested, s) for s in earlier]
    rested.rest()
    assert not rested.authorities.index
    packed = [_pack(other, s) for s in theirs]
    their_lines = array("I", map(Places.line, packed))
    their_owners = array("q", map(Places.owner, packed))
    merged = []
    for table in (kept, rested):
        lines, owners = array("I"), array("q")
        move = table.take(other, lines, owners, their_lines, their_owners)
        merged.append((owners, None if move is None else [move(p) for p in packed]))
    assert merged[0] == merged[1]
    for table in (kept, rested):
        assert [table.subject(_pack(table, s), s.id) for s in later] == later


@given(st.lists(subjects, max_size=8), st.lists(subjects, max_size=8))
def test_a_later_summarys_places_merge_into_an_earlier_ones(earlier, later):
    """Each table numbers what it saw first; a merged place is re-numbered, and names the same record."""
    first, second = Places(), Places()
    for s in earlier:
        _pack(first, s)
    packed = [_pack(second, s) for s in later]
    move = first.adopt(second)
    merged = packed if move is None else [move(p) for p in packed]
    assert [first.subject(p, s.id) for p, s in zip(merged, later, strict=True)] == later


@given(st.lists(subjects, max_size=8), st.lists(subjects, max_size=8))
def test_tables_seeded_with_the_rule_sets_frameworks_number_them_alike(earlier, later):
    """
    A dataset's table numbers the rule set's frameworks first (Places.shared): two shares of a file that meet
    them in different orders number them alike, so merging moves no owner's framework, and names the same records.
    """
    frameworks = ["sif", "focused-visit", "monitoring-visit", "ilacs"]

    class Holder:
        def __init__(self) -> None:
            self.places = Places()

    first, second = Holder(), Holder()
    Places.shared([first], frameworks)
    Places.shared([second], frameworks)
    mine = [_pack(first.places, s) for s in earlier]
    theirs = [_pack(second.places, s) for s in later]
    assert first.places.frameworks.adopt(second.places.frameworks) is None  # whatever order each met them in
    lines, owners = array("L", map(Places.line, mine)), array("q", map(Places.owner, mine))
    first.places.take(second.places, lines, owners, array("L", map(Places.line, theirs)),
                      array("q", map(Places.owner, theirs)))
    got = [first.places.subject(Places.at(line, owner), s.id)
           for line, owner, s in zip(lines, owners, [*earlier, *later], strict=True)]
    assert got == [*earlier, *later]


@given(st.lists(subjects, max_size=8), st.lists(subjects, max_size=8))
def test_a_later_summarys_rows_are_taken_into_an_earlier_ones(earlier, later):
    """Rows kept as a line and an owner each, taken from another table, name the same records in this one."""
    first, second = Places(), Places()
    mine = [_pack(first, s) for s in earlier]
    lines, owners = array("L", map(Places.line, mine)), array("q", map(Places.owner, mine))
    packed = [_pack(second, s) for s in later]
    first.take(second, lines, owners, array("L", map(Places.line, packed)), array("q", map(Places.owner, packed)))
    got = [first.subject(Places.at(line, owner), s.id) for line, owner, s in zip(lines, owners, [*earlier, *later],
                                                                                 strict=True)]
    assert got == [*earlier, *later]


@given(st.lists(subjects, max_size=12))
def test_rows_in_file_order_are_sorted_by_path_then_line_ties_in_the_order_added(kept):
    """Kept as a line and an owner each, rows come back as a stable sort by (path, line), whether or not they were
    already in that order (the shortcut for one file read in order must give the same)."""
    places = Places()
    packed = [_pack(places, s) for s in kept]
    lines, owners = [Places.line(p) for p in packed], [Places.owner(p) for p in packed]
    expected = sorted(range(len(kept)), key=lambda i: kept[i].place())
    assert list(places.in_file_order(lines, owners)) == expected
    in_order = [kept[i] for i in expected]
    again = Places()
    packed = [_pack(again, s) for s in in_order]
    assert list(again.in_file_order([Places.line(p) for p in packed], [Places.owner(p) for p in packed])) == list(
        range(len(in_order)))


@given(st.lists(subjects, max_size=8), st.lists(subjects, max_size=8))
def test_summaries_sharing_a_table_take_another_shared_table_once(earlier, later):
    """
    Summaries of a dataset share one table (Places.shared), and so do a worker's: merging each summary in turn
    appends the other table's authorities once, and every summary's rows name their own records.
    """
    first, second = Places(), Places()
    mine = [_pack(first, s) for s in earlier]
    theirs = [_pack(second, s) for s in later]
    mine_before = len(first.authorities.values)
    for _summary in range(2):
        lines, owners = array("L", map(Places.line, mine)), array("q", map(Places.owner, mine))
        first.take(second, lines, owners, array("L", map(Places.line, theirs)), array("q", map(Places.owner, theirs)))
        got = [first.subject(Places.at(line, owner), s.id)
               for line, owner, s in zip(lines, owners, [*earlier, *later], strict=True)]
        assert got == [*earlier, *later]
    assert len(first.authorities.values) == mine_before + len(second.authorities.values)


_VALUES = st.sampled_from(["a", "b", "é", "\ud800x", "Leeds-1"])  # a lone surrogate: JSON can carry one


@given(st.lists(_VALUES, max_size=10), st.lists(st.none() | _VALUES | st.integers(0, 2), max_size=10))
@example(["a", "a"], ["a", "a"])  # a repeat in a column of texts other than the ids: the repeating record's own id
def test_unique_ids_fold_a_column_at_a_time_as_record_by_record(ids, values):
    """The columnar engine's fold of passed rows (add_rows) keeps what folding each row's view keeps."""
    from gradecheck.engine.views import ReadView
    from gradecheck.kinds._summary import Rows
    from gradecheck.kinds.unique import UniqueSummary
    from gradecheck.ruleset import default_ruleset

    framework = default_ruleset().frameworks["ilacs"]
    for field, column, idents in (("id", ids, ids), ("ref", values, [f"r{i}" for i in range(len(values))])):
        lines = list(range(2, 2 + len(column)))
        by_rows, by_views = UniqueSummary(field), UniqueSummary(field)
        by_rows.add_rows(Rows("data.csv", framework, lines, [None] * len(column), {"id": idents, field: column}))
        for line, ident, value in zip(lines, idents, column, strict=True):
            top = {"id": ident} if value is None else {"id": ident, field: value}
            by_views.add(ReadView("data.csv", line, framework, framework.versions[-1], None, top, {}))
        assert by_rows.outcomes() == by_views.outcomes()
        assert (by_rows.texts.data, by_rows.texts.ends) == (by_views.texts.data, by_views.texts.ends)


@given(st.lists(_VALUES, max_size=10), st.lists(_VALUES, max_size=10), st.booleans())
@example(["a", "b"], ["b", "a"], True)
def test_unique_ids_rested_merge_and_judge_as_before(mine, theirs, handed_over):
    """
    A unique-ids summary that has rested (its columns kept in files: see Column), even one handed over by a
    worker, merges and reports as one that never did.
    """
    from gradecheck.engine.views import ReadView
    from gradecheck.kinds import spilling
    from gradecheck.kinds._texts import Column
    from gradecheck.kinds.unique import UniqueSummary
    from gradecheck.ruleset import default_ruleset

    framework = default_ruleset().frameworks["ilacs"]

    def folded(ids, first_line):
        summary = UniqueSummary("id")
        for line, ident in enumerate(ids, first_line):
            summary.add(ReadView("data.jsonl", line, framework, framework.versions[-1], None, {"id": ident}, {}))
        return summary

    def judged(rest):
        earlier, later = folded(mine, 1), folded(theirs, 1 + len(mine))
        with mock.patch.object(_texts, "_COLUMN", 0), spilling():
            if rest:
                earlier.rest()
                later.rest()
                assert type(earlier.hashes) is Column
                assert earlier.hashes.kept is None
                if handed_over:
                    later = pickle.loads(pickle.dumps(later))
        earlier.merge(later)
        return earlier.outcomes()

    assert judged(True) == judged(False)


_KNOWN = [("Leeds", "E08000035"), ("Liverpool", None), (None, "E08000012"), ("Bexley", "E09000004")]
_WHO = st.sampled_from([*_KNOWN, ("Somewhere", "E99999999"), ("Somewhere", None), (None, None)])
_DAYS = st.none() | st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2026, 12, 31))
_GRADES = st.none() | st.sampled_from(["outstanding", "good", "requires_improvement", "inadequate"])


@given(st.sampled_from(["ilacs", "monitoring-visit", "focused-visit", "slac"]),
       st.lists(st.tuples(_WHO, _DAYS, _GRADES, _GRADES), max_size=12), st.booleans())
@example("monitoring-visit", [(("Leeds", "E08000035"), None, None, None)], True)
@example("ilacs", [(("Leeds", "E08000035"), None, "good", None), (("Bexley", "E09000004"), None, None, None)], True)
# From April 2026 there is no overall grade: rows alike in some grades but not all stand apart, and an ungraded row
# is not kept, however many rows before it stood.
@example("ilacs", [(("Leeds", "E08000035"), dt.date(2026, 6, d), "good", other)
                   for d, other in ((1, "inadequate"), (2, "good"), (3, "inadequate"), (4, "good"))]
         + [(("Leeds", "E08000035"), dt.date(2026, 6, 5), None, None)], True)
def test_visit_histories_fold_a_column_at_a_time_as_record_by_record(framework_id, rows, dated):
    """
    The columnar engine's fold of passed rows into the visit rule's summary (add_rows) keeps what folding each
    row's view keeps, in the same order: rows undated, of unknown authorities, ungraded, and (with *dated*) the
    rows of nearly every block, each dated and of an authority the register knows.
    """
    from gradecheck.engine.views import ReadView
    from gradecheck.kinds._summary import Rows
    from gradecheck.kinds.visits_follow import VisitsSummary
    from gradecheck.ruleset import default_ruleset

    ruleset = default_ruleset()
    rule = next(r for r in ruleset.rules if r.check.kind == "visits_follow")
    framework = ruleset.frameworks[framework_id]
    if dated:  # every row dated, of an authority the register knows
        rows = [(who if who in _KNOWN else _KNOWN[0], day or dt.date(2020, 1, 1), overall, other)
                for who, day, overall, other in rows]
    by_rows, by_views = VisitsSummary(rule.check), VisitsSummary(rule.check)
    lines = list(range(2, 2 + len(rows)))
    ids = [f"r{i}" for i in range(len(rows))]
    judgements = sorted(framework.judgements)[:2] if framework.judgements else []
    columns: dict[str, list] = {"id": ids, "authority": [who[0] for who, *_ in rows],
                                "authority_code": [who[1] for who, *_ in rows]}
    for name, k in zip(judgements, (2, 3), strict=False):
        columns[f"judgements.{name}"] = [row[k] for row in rows]
    overall_name = next((v.overall for v in framework.versions if v.overall), None)
    if overall_name and f"judgements.{overall_name}" not in columns:
        columns[f"judgements.{overall_name}"] = [row[2] for row in rows]
    by_rows.add_rows(Rows("data.csv", framework, lines, [day for _, day, *_ in rows], columns))
    for i, (line, (_, day, *_)) in enumerate(zip(lines, rows, strict=True)):
        top = {k: v[i] for k, v in columns.items() if "." not in k and v[i] is not None}
        grades = {k.split(".", 1)[1]: v[i] for k, v in columns.items() if "." in k and v[i] is not None}
        by_views.add(ReadView("data.csv", line, framework, framework.version_at(day), day, top,
                              {"judgements": grades} if grades else {}))

    def kept(s: VisitsSummary) -> list:
        named = 1 << 30  # a row's key is its name's, not its code's (see visits_follow._NAMED)
        return [(s.places.subject(Places.at(s.lines[r], s.owners[r]), s.ids[r]), s.days[r],
                 s.standings.values[s.states[r]], s.keys[r] >= named, s.names.values[s.keys[r] & named - 1])
                for r in range(len(s.lines))]

    assert kept(by_rows) == kept(by_views)
    assert (by_rows.applicable, by_rows.undated, by_rows.codes) == (by_views.applicable, by_views.undated,
                                                                    by_views.codes)
    # As a worker's summary arrives: the same rows (its history keys that are plain entries travel by number: see
    # test_plain_entries_history_keys_travel_as_the_registers_own).
    again = pickle.loads(pickle.dumps(by_rows))
    assert kept(again) == kept(by_rows)
    assert again.outcomes() == by_views.outcomes()
    assert by_rows.outcomes() == by_views.outcomes()


@given(st.lists(st.integers(0, 6), max_size=10), st.lists(st.integers(0, 6), max_size=10))
@example([1, 2], [2, 3, 3, 1])
def test_a_table_appended_to_another_keeps_its_values_each_named_by_its_index(mine, theirs):
    """
    Names.append keeps the other's values after this table's, each index as it was plus the start, and indexes
    none of them: a value this table had is found where it was (its first index), and any value asked for after
    gets an index that names it (one only the other had is added again).
    """
    from gradecheck.kinds._summary import Names

    ours, other = Names(), Names()
    for value in mine:
        ours.values.append(value)  # as a merge leaves a table: a value may be kept twice (see Names.append)
        ours.index.setdefault(value, len(ours.values) - 1)
    for value in theirs:
        other.values.append(value)
        other.index.setdefault(value, len(other.values) - 1)
    start = ours.append(other)
    assert start == len(mine)
    assert ours.values == [*mine, *theirs]
    assert ours.index == {value: mine.index(value) for value in mine}
    assert ours.append(other) == start  # asked again while other has not grown: the same answer, nothing added
    assert ours.values == [*mine, *theirs]
    for value in range(7):
        assert ours.values[ours.of(value)] == value
    assert ours.values[:len(mine) + len(theirs)] == [*mine, *theirs]  # what the rows point to never moves


def _visit_view(path: str, line: int, framework_id: str, who: tuple[str | None, str | None], day: dt.date,
                grade: str | None):
    """A record's view as the row engine folds it: an ILACS inspection graded *grade*, or a visit."""
    from gradecheck.engine.views import ReadView
    from gradecheck.ruleset import default_ruleset

    framework = default_ruleset().frameworks[framework_id]
    top = {"id": f"{path}:{line}", **({"authority": who[0]} if who[0] else {}),
           **({"authority_code": who[1]} if who[1] else {})}
    version = framework.version_at(day)
    grades = {version.overall: grade} if grade and version.overall else {}
    return ReadView(path, line, framework, version, day, top, {"judgements": grades} if grades else {})


def _visits_rule():
    from gradecheck.ruleset import default_ruleset

    return next(r for r in default_ruleset().rules if r.check.kind == "visits_follow").check


_FOLDED = st.tuples(st.sampled_from(["a.jsonl", "b.jsonl"]), st.integers(1, 40),
                    st.sampled_from(["ilacs", "monitoring-visit"]),
                    st.sampled_from([*_KNOWN, ("Somewhere", None), ("Elsewhere", None), ("Elsewhere", "E99999999")]),
                    st.dates(min_value=dt.date(2019, 1, 1), max_value=dt.date(2019, 1, 4)),
                    st.sampled_from(["good", "inadequate"]))


@given(st.lists(_FOLDED, max_size=14), st.integers(0, 14))
def test_visit_histories_folded_in_two_parts_and_merged_judge_as_one(records, cut):
    """
    A file's records folded in two summaries, the later merged into the earlier (its names appended after the
    earlier's, its rows' keys moved, those keyed by a name as those keyed by a code), judge as one summary of all.
    """
    from gradecheck.kinds.visits_follow import VisitsSummary

    rule = _visits_rule()
    whole, earlier, later = VisitsSummary(rule), VisitsSummary(rule), VisitsSummary(rule)
    for i, record in enumerate(records):
        view = _visit_view(*record)
        whole.add(view)
        (earlier if i < cut else later).add(_visit_view(*record))
    earlier.merge(later)
    assert earlier.outcomes() == whole.outcomes()


def test_a_history_is_in_day_then_line_order_whatever_file_a_row_is_from():
    """
    Rows of one day are ordered by their line, not by their file: a visit on line 2 of the second file comes before
    an inspection on line 5 of the first, and so has no graded inspection before it.
    """
    from gradecheck.kinds.visits_follow import VisitsSummary

    day, leeds = dt.date(2020, 5, 1), ("Leeds", "E08000035")
    summary = VisitsSummary(_visits_rule())
    summary.add(_visit_view("a.jsonl", 5, "ilacs", leeds, day, "inadequate"))
    summary.add(_visit_view("b.jsonl", 2, "monitoring-visit", leeds, day, None))
    [(subject, outcome)] = summary.outcomes()[1]
    assert (subject.path, subject.line, outcome.cause) == ("b.jsonl", 2, "no_history")


def test_plain_entries_history_keys_travel_as_the_registers_own(tmp_path):
    """
    A register file's plain entries file their records under the entry itself (see label_key): a worker's visit
    summary sends those keys, and its place table those labels, by number, and they arrive as the register's own
    objects, no text of them sent; the summary judges as before it travelled.
    """
    from gradecheck.authorities import label_parts, load_register, use_register
    from gradecheck.kinds.visits_follow import VisitsSummary

    path = tmp_path / "register.toml"
    path.write_text("".join(f'[[authority]]\nid = "town-{i}"\nname = "Town {i}"\n'
                            f'codes = [{{ code = "E0690000{i}" }}]\n\n' for i in range(3)), encoding="utf-8")
    register = load_register([path])
    use_register(register)
    try:
        summary = VisitsSummary(_visits_rule())
        for i, (town, framework, grade) in enumerate([(0, "ilacs", "good"), (0, "monitoring-visit", None),
                                                      (1, "ilacs", "good")]):
            summary.add(_visit_view("a.jsonl", i + 1, framework, (f"Town {town}", f"E0690000{town}"),
                                    dt.date(2020, 1, 1 + i), grade))
        plain = [item for item in register.authorities._items if type(item) is str]
        assert {label_parts(p)[2] for p in plain} == {"town-0", "town-1", "town-2"}
        sent = pickle.dumps(summary)
        assert b"Town 0" not in sent
        assert b"town-0" not in sent
        again = pickle.loads(sent)
        keys = [v for v in again.names.values if type(v) is str and v.count("\0") == 2]
        assert keys
        assert all(any(key is p for p in plain) for key in keys)
        assert all(any(label is p for p in plain) for label in again.places.authorities.values)
        assert again.outcomes() == summary.outcomes()
        [(subject, outcome)] = summary.outcomes()[1]
        assert (subject.authority, subject.authority_code, outcome.actual) == ("Town 0", "E06900000", "good")
    finally:
        use_register(None)


def test_a_visit_to_a_plain_entry_follows_its_plain_predecessors_inspection(tmp_path):
    """
    A user's register of plain entries with a reorganisation: a monitoring visit to the successor, before any
    inspection of its own, follows its predecessor's inadequate inspection (no finding), and a visit after a good
    one is reported with the predecessor named, as for the built-in register's Authorities.
    """
    from gradecheck.authorities import load_register, use_register
    from gradecheck.kinds.visits_follow import VisitsSummary

    path = tmp_path / "register.toml"
    path.write_text("".join(f'[[authority]]\nid = "{ident}"\nname = "{name}"\ncodes = [{{ code = "{code}" }}]\n\n'
                            for ident, name, code in [("old-1", "Old One", "E06900011"),
                                                      ("old-2", "Old Two", "E06900012"),
                                                      ("new-1", "New One", "E06900013"),
                                                      ("new-2", "New Two", "E06900014")])
                    + '[[reorganisation]]\nid = "r1"\ndate = 2021-04-01\ntitle = "One"\nurl = "https://example.org"\n'
                      'predecessors = ["old-1"]\nsuccessors = ["new-1"]\n\n'
                      '[[reorganisation]]\nid = "r2"\ndate = 2021-04-01\ntitle = "Two"\nurl = "https://example.org"\n'
                      'predecessors = ["old-2"]\nsuccessors = ["new-2"]\n', encoding="utf-8")
    use_register(load_register([path]))
    try:
        summary = VisitsSummary(_visits_rule())
        records = [("ilacs", ("Old One", "E06900011"), dt.date(2020, 1, 1), "inadequate"),
                   ("ilacs", ("Old Two", "E06900012"), dt.date(2020, 1, 1), "good"),
                   ("monitoring-visit", ("New One", "E06900013"), dt.date(2021, 6, 1), None),
                   ("monitoring-visit", ("New Two", "E06900014"), dt.date(2021, 6, 1), None)]
        for line, (framework, who, day, grade) in enumerate(records, start=1):
            summary.add(_visit_view("a.jsonl", line, framework, who, day, grade))
        [(subject, outcome)] = summary.outcomes()[1]
        assert (subject.authority, outcome.actual) == ("New Two", "good")
        assert "its predecessor Old Two's" in outcome.message
    finally:
        use_register(None)


def test_a_successor_whose_id_holds_two_nuls_still_follows_its_predecessor(tmp_path):
    """
    A register id is any text: one holding two NUL characters (TOML's "\\u0000") looks like a plain entry's label
    ("name\\0code\\0id"), but its records are filed under the id itself, and its visit follows its predecessor's
    inadequate inspection as any other successor's does.
    """
    from gradecheck.authorities import active_register, label_ident, load_register, use_register
    from gradecheck.kinds.visits_follow import VisitsSummary

    odd = "new\\u0000one\\u0000x"
    path = tmp_path / "register.toml"
    path.write_text('[[authority]]\nid = "old-1"\nname = "Old One"\ncodes = [{ code = "E06900011" }]\n\n'
                    f'[[authority]]\nid = "{odd}"\nname = "New One"\n'
                    'codes = [{ code = "E06900013" }]\n\n'
                    '[[reorganisation]]\nid = "r1"\ndate = 2021-04-01\ntitle = "One"\nurl = "https://example.org"\n'
                    f'predecessors = ["old-1"]\nsuccessors = ["{odd}"]\n', encoding="utf-8")
    use_register(load_register([path]))
    try:
        assert label_ident("new\0one\0x", active_register()) == "new\0one\0x"
        summary = VisitsSummary(_visits_rule())
        records = [("ilacs", ("Old One", "E06900011"), dt.date(2020, 1, 1), "inadequate"),
                   ("monitoring-visit", ("New One", "E06900013"), dt.date(2021, 6, 1), None)]
        for line, (framework, who, day, grade) in enumerate(records, start=1):
            summary.add(_visit_view("a.jsonl", line, framework, who, day, grade))
        assert summary.outcomes()[1] == []
    finally:
        use_register(None)
