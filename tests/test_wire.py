"""A forked worker's result, pickled with its arrays' items sent raw after the pickle: read back as it was."""

from __future__ import annotations

import io
import pickle
import tracemalloc
from array import array

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gradecheck.engine import wire
from gradecheck.engine.parallel import fork_map
from gradecheck.kinds._summary import Names

_ARRAYS = st.one_of(
    st.lists(st.integers(0, 2**32 - 1)).map(lambda v: array("I", v)),
    st.lists(st.integers(-(2**63), 2**63 - 1)).map(lambda v: array("q", v)),
    st.lists(st.floats(allow_nan=False)).map(lambda v: array("d", v)),
)
_VALUES = st.recursive(
    st.none() | st.integers() | st.text(max_size=5) | _ARRAYS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
    max_leaves=12)


def _round_trip(value):
    file = io.BytesIO()
    wire.dump(value, file)
    file.seek(0)
    got = wire.load(file)
    assert file.read() == b""  # every byte read, no more
    return got


@given(_VALUES)
def test_a_value_reads_back_as_it_was_written(value):
    assert _round_trip(value) == value


def test_an_array_met_twice_is_one_array_when_read_back():
    shared = array("q", range(1000))
    got = _round_trip({"a": shared, "b": [shared, array("I", [7])], "c": Names()})
    assert got["a"] is got["b"][0]
    assert got["a"] == shared
    assert got["b"][1] == array("I", [7])


def test_a_result_cut_short_raises_eoferror():
    file = io.BytesIO()
    wire.dump([array("q", range(1000))], file)
    cut = io.BytesIO(file.getvalue()[:-8])
    with pytest.raises(EOFError):
        wire.load(cut)


def test_reading_holds_one_arrays_bytes_at_a_time_beside_the_result():
    """pickle's unpickler keeps every array's bytes in its memo until the end: 8 MB here beside the arrays."""
    value = [array("q", range(i, i + 250_000)) for i in range(4)]  # four arrays of 2 MB
    for dump, load in ((lambda v, f: pickle.dump(v, f, protocol=5), pickle.load), (wire.dump, wire.load)):
        file = io.BytesIO()
        dump(value, file)
        file.seek(0)
        tracemalloc.start()
        got = load(file)
        current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert got == value
        if load is wire.load:
            assert peak - current < 2.5e6  # one array's bytes
        else:
            assert peak - current > 7e6  # how it was: what wire.load saves (the test's own check)
        del got


def test_a_worker_hands_its_arrays_over_through_the_pipe():
    def work():
        return {"lines": array("I", range(100_000)), "owners": array("q", [5] * 3)}

    got, = fork_map([work])
    assert got == {"lines": array("I", range(100_000)), "owners": array("q", [5] * 3)}


def test_an_unpicklable_value_raises_before_anything_is_written():
    with pytest.raises((pickle.PicklingError, AttributeError, TypeError)):
        wire.prepare([array("q", [1]), lambda: None])


def test_writing_a_prepared_value_sends_its_arrays_without_copying_them(tmp_path):
    """A worker's result goes to the pipe from its arrays: a copy of them first was the worker's peak."""
    value = [array("q", range(i, i + 250_000)) for i in range(4)]  # four arrays of 2 MB
    send = wire.prepare(value)
    tracemalloc.start()
    with (tmp_path / "result").open("wb") as file:
        send(file)
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak - current < 1e6
    with (tmp_path / "result").open("rb") as file:
        assert wire.load(file) == value


def test_a_worker_whose_result_cannot_be_pickled_says_so_here():
    with pytest.raises((pickle.PicklingError, AttributeError, TypeError, RuntimeError)):
        fork_map([lambda: [array("q", [1]), lambda: None]])
