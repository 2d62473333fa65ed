"""Texts spilled to a file read back as they were kept, merged, pickled and handed over by a forked worker."""

from __future__ import annotations

import os
import pickle
from unittest import mock

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gradecheck.engine.parallel import fork_map
from gradecheck.kinds import _texts, spilling
from gradecheck.kinds._texts import Texts

_TEXT = st.text(st.sampled_from("ab-1é\ud800"), max_size=6)  # a lone surrogate: JSON can carry one
_OPS = st.lists(st.one_of(
    st.tuples(st.just("append"), _TEXT),
    st.tuples(st.just("add_all"), st.lists(_TEXT, max_size=5)),
    st.tuples(st.just("extend"), st.lists(_TEXT, max_size=8)),
    st.tuples(st.just("pickle"), st.none()),
), max_size=12)


def _made(texts: list[str]) -> Texts:
    made = Texts()
    made.add_all(texts)
    return made


def _all(texts: Texts) -> list[str]:
    return [texts[i] for i in range(len(texts))]


def _apply(ops: list[tuple[str, object]]) -> tuple[Texts, list[str]]:
    texts, model = Texts(), []
    for op, arg in ops:
        if op == "append":
            assert texts.append(arg) == arg.encode("utf-8", "surrogatepass")
            model.append(arg)
        elif op == "add_all":
            texts.add_all(arg)
            model += arg
        elif op == "extend":
            later = _made(arg)
            texts.extend(later)
            assert len(later) == 0  # spent
            model += arg
        else:
            texts = pickle.loads(pickle.dumps(texts))
    return texts, model


@given(_OPS)
def test_texts_read_back_as_kept_however_they_were_spilled(ops):
    with mock.patch.object(_texts, "SPILL", 5):  # a spill every few texts
        texts, model = _apply(ops)
        assert _all(texts) == model
        assert len(texts.data) <= 5 + 6 * 4 * 5  # at most a spill's worth, plus one add's texts, in memory


@given(_OPS, st.integers(0, 12))
def test_texts_past_32_bit_offsets_read_back_as_kept(ops, wide):
    """Ends are kept in 32 bits until the texts pass 4 GiB, 64 after: here the limit is a few bytes, so both meet."""
    with mock.patch.object(_texts, "SPILL", 5), mock.patch.object(_texts, "_WIDE", wide):
        texts, model = _apply(ops)
        assert _all(texts) == model
        assert texts.ends.typecode == ("Q" if texts.ends and texts.ends[-1] > wide else "I")


@given(_OPS)
def test_texts_spilled_inside_a_run_directory_read_back_as_kept(ops):
    """Inside spilling() files are named and pickled by name: the receiver reads the sender's file."""
    with mock.patch.object(_texts, "SPILL", 5), spilling():
        texts, model = _apply(ops)
        assert _all(texts) == model


def test_a_received_file_is_copied_before_either_side_adds_to_it():
    """The sender and a receiver of its file (by name) both spill more: neither overwrites the other's texts."""
    with mock.patch.object(_texts, "SPILL", 4), spilling():
        sender = _made(["one", "two", "three"])
        assert sender.spilled
        assert sender._path is not None
        receiver = pickle.loads(pickle.dumps(sender))
        sender.add_all(["sender-a", "sender-b"])
        receiver.add_all(["receiver-a", "receiver-b"])
        assert _all(sender) == ["one", "two", "three", "sender-a", "sender-b"]
        assert _all(receiver) == ["one", "two", "three", "receiver-a", "receiver-b"]


def test_a_forked_worker_hands_its_spilled_texts_over_by_name_and_leaves_no_file_behind():
    values = [f"ilacs-{i:06d}" for i in range(3000)]
    seen: list[str] = []

    def meanwhile() -> None:
        seen.extend(_texts._DIRECTORY)

    def work() -> Texts:
        return _made(values)

    with mock.patch.object(_texts, "SPILL", 1000):
        received, = fork_map([work], meanwhile)
        assert received.spilled
        assert received._fd >= 0
        assert len(received.data) <= 1000 + 13 * 3000
        assert _all(received) == values
        mine = _made(["main"])
        mine.extend(received)
        assert _all(mine) == ["main", *values]
    assert len(seen) == 1
    assert not os.path.exists(seen[0])
    assert _texts._DIRECTORY == []


def test_many_texts_keep_at_most_a_spill_in_memory():
    texts = Texts()
    for i in range(200_000):
        texts.append(f"some-authority-2019-06-17-ilacs-{i}")
    assert 0 < len(texts.data) <= _texts.SPILL + 64
    assert texts[0] == "some-authority-2019-06-17-ilacs-0"
    assert texts[199_999].endswith("-199999")


def test_where_files_cannot_be_read_by_offset_the_texts_stay_in_memory():
    """Windows has no os.pread: a Texts keeps everything in memory there, and still reads back as kept."""
    with mock.patch.object(_texts, "_CAN_SPILL", False), mock.patch.object(_texts, "SPILL", 5):
        texts, model = _apply([("add_all", ["one", "two", "three"]), ("extend", ["four", "five"]), ("pickle", None),
                               ("append", "six")])
        assert _all(texts) == model
        assert texts.spilled == 0
        assert texts._fd == -1


def _failing_write(fd, data, at):
    raise OSError(28, "No space left on device")


@given(_OPS)
def test_where_the_disk_refuses_a_spill_the_texts_stay_in_memory(ops):
    """A full disk or a TMPDIR that cannot be written costs memory, never the run: texts read back as kept."""
    with mock.patch.object(_texts, "SPILL", 5), spilling():
        texts, model = _apply(ops[: len(ops) // 2])  # some spilled while writing worked
        with mock.patch.object(_texts, "_write", _failing_write):
            more, more_model = _apply(ops[len(ops) // 2:])
            texts.extend(more)
            for op, arg in ops:
                if op == "append":
                    texts.append(arg)
                    more_model.append(arg)
            assert _all(texts) == model + more_model
        texts.append("after")  # writing works again: this one stays in memory all the same
        assert _all(texts)[-1] == "after"


def test_where_no_temporary_directory_can_be_made_workers_hand_their_texts_over_whole():
    values = [f"ilacs-{i:06d}" for i in range(3000)]

    def work() -> Texts:
        return _made(values)

    with mock.patch.object(_texts, "SPILL", 1000), mock.patch("tempfile.mkdtemp", side_effect=OSError(13, "denied")):
        received, = fork_map([work])
    assert _all(received) == values


@pytest.mark.parametrize("kernel_copy", [True, False])  # os.copy_file_range refuses too, or there is none
def test_a_merge_whose_copy_the_disk_refuses_keeps_the_later_texts_in_memory(kernel_copy):
    with mock.patch.object(_texts, "SPILL", 4), spilling():
        texts, later = _made(["aaaaa"]), _made(["bbbbb"])
        later.append("cc")  # each spilled; only "cc" in memory
        assert texts.spilled == 5
        assert later.spilled == 5
        refused = OSError(28, "No space left on device")
        with (mock.patch.object(_texts, "_write", _failing_write),
              mock.patch.object(_texts, "_COPY_RANGE", kernel_copy),
              mock.patch.object(_texts.os, "copy_file_range", side_effect=refused, create=True)):
            texts.extend(later)
        assert _all(texts) == ["aaaaa", "bbbbb", "cc"]
        assert texts.spilled == 5


def test_the_run_directory_stays_while_any_spilling_is_open():
    """Two threads may check files at once: the first to finish must not take the other's directory away."""
    with spilling():
        directory = _texts._DIRECTORY[0]
        with spilling():
            assert [directory] == _texts._DIRECTORY
        assert os.path.isdir(directory)  # the inner one ended; the outer one still needs it
    assert not os.path.exists(directory)
    assert _texts._OPEN == [0]


@given(st.sampled_from(["I", "q"]), st.lists(st.integers(0, 2**31), max_size=40), st.booleans())
def test_a_column_reads_back_as_kept_in_a_file_or_in_memory(typecode, values, inside):
    """A Column is a file inside spilling() where it is large enough, else the array itself: the same values."""
    from array import array

    from gradecheck.kinds._texts import Column, loaded

    kept = array(typecode, values)
    with mock.patch.object(_texts, "_COLUMN", 8), spilling() if inside else mock.MagicMock():
        column = Column(array(typecode, values))
        assert (column.kept is None) == (inside and len(values) * kept.itemsize >= 8)
        again = pickle.loads(pickle.dumps(column))
    assert loaded(again) == kept
    assert loaded(column) == kept
    assert loaded(kept) is kept


def test_a_forked_worker_hands_a_column_over_by_name():
    from array import array

    from gradecheck.kinds._texts import Column

    values = array("q", range(50_000))
    sent: list[bool] = []

    def work() -> Column:
        column = Column(array("q", values))
        sent.append(column.kept is None)  # in the child: not seen here
        return column

    received, = fork_map([work])
    assert received.kept is None  # opened by name, not sent whole
    assert received.load() == values
    assert _texts._DIRECTORY == []


def test_where_the_disk_refuses_a_column_it_stays_in_memory_and_leaves_no_file():
    from array import array

    from gradecheck.kinds._texts import Column, loaded

    values = array("q", range(20_000))
    with spilling(), mock.patch.object(_texts, "_write", _failing_write):
        column = Column(array("q", values))
        assert column.kept is not None
        assert os.listdir(_texts._DIRECTORY[0]) == []
    assert loaded(column) == values


@given(st.lists(st.integers(0, 2**31), max_size=30), st.lists(st.integers(0, 2**31), max_size=30),
       st.sampled_from(["array", "memory", "file"]), st.sampled_from(["array", "memory", "file"]))
def test_two_columns_join_into_one_array_however_each_is_kept(first, then, first_kept, then_kept):
    from array import array

    from gradecheck.kinds._texts import Column, joined

    def made(values, kept):
        if kept == "array":
            return array("q", values)
        with mock.patch.object(_texts, "_COLUMN", 0 if kept == "file" else 1 << 40):
            column = Column(array("q", values))
        assert (column.kept is None) == (kept == "file")
        return column

    with spilling():
        assert joined(made(first, first_kept), made(then, then_kept)) == array("q", first + then)


def test_a_column_reads_back_where_files_cannot_be_read_into_memory():
    """Where os.preadv is missing (macOS before 11), a Column's file is read a block at a time and copied in."""
    from array import array

    from gradecheck.kinds._texts import Column

    values = array("q", range(30_000))
    with spilling(), mock.patch.object(_texts, "_COLUMN", 0):
        column = Column(array("q", values))
    with mock.patch.object(_texts, "_READ_INTO", False):
        assert column.load() == values
