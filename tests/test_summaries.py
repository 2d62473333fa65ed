"""The compact places dataset summaries keep per record: packed and merged, naming what a finding names."""

from __future__ import annotations

from array import array

from hypothesis import example, given
from hypothesis import strategies as st

from gradecheck.kinds import Subject
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


def _pack(places: Places, s: Subject) -> int:
    return places.pack(s.path, s.line, (s.authority, s.authority_code), s.framework)


@given(st.lists(subjects, max_size=12))
def test_a_packed_place_gives_back_its_subject_and_file_order(kept):
    places = Places()
    packed = [_pack(places, s) for s in kept]
    assert [places.subject(p, s.id) for p, s in zip(packed, kept, strict=True)] == kept
    assert [places.where(p) for p in packed] == [s.place() for s in kept]


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
