"""Tests for gradecheck.values: exact numbers, intervals, unreadable values, and how they are shown."""

from __future__ import annotations

import datetime as dt
import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gradecheck.values import MISSING, Interval, Invalid, UnknownGrade, bounds, is_number, jsonable, show


class TestMissing:
    def test_singleton(self):
        """There is one MISSING, however it is reached."""
        assert type(MISSING)() is MISSING

    def test_falsy_and_named(self):
        """MISSING is false in a condition and shows its name."""
        assert not MISSING
        assert repr(MISSING) == "MISSING"


class TestInterval:
    def test_rounded(self):
        """A figure rounded to the nearest 10 lies within 5 either side, and keeps how it was written."""
        assert Interval(935, 945, "940 (nearest 10)") == Interval.rounded(940, 10)

    def test_rounded_odd_step(self):
        """Half an odd step is a fraction."""
        assert Interval(17.5, 22.5, "20 (nearest 5)") == Interval.rounded(20, 5)

    def test_suppressed_count(self):
        """A suppressed count is any non-negative number."""
        assert Interval(0, math.inf, "c (suppressed)") == Interval.suppressed("c")

    def test_suppressed_with_bounds(self):
        """A suppressed figure that may be negative takes the bounds it is given."""
        assert Interval(-math.inf, math.inf, "x (suppressed)") == Interval.suppressed("x", lo=-math.inf)

    def test_frozen(self):
        """Intervals are values: they cannot be changed in place."""
        interval = Interval(1, 2, "1 to 2")
        with pytest.raises(AttributeError):
            interval.lo = 0


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (3, True),
        (2.5, True),
        (0, True),
        (True, False),
        (False, False),
        ("3", False),
        (None, False),
        (MISSING, False),
        (Interval(1, 2, "1 to 2"), False),
    ],
    ids=["int", "float", "zero", "true", "false", "text", "none", "missing", "interval"],
)
def test_is_number(value, expected):
    """Only plain ints and floats are exact numbers; bool is not one here."""
    assert expected == is_number(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (5, (5, 5)),
        (2.5, (2.5, 2.5)),
        (Interval(1, 7, "1 to 7"), (1, 7)),
        (Interval.suppressed("c"), (0, math.inf)),
        ("5", None),
        (True, None),
        (MISSING, None),
        (Invalid("939", "a whole number"), None),
    ],
    ids=["int", "float", "interval", "suppressed", "text", "bool", "missing", "invalid"],
)
def test_bounds(value, expected):
    """A number's admissible range is itself; an interval's is its ends; anything else has none."""
    assert expected == bounds(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Interval.rounded(940, 10), "940 (nearest 10)"),
        (Interval.suppressed("c"), "c (suppressed)"),
        (Invalid("939", "a whole number"), "'939'"),
        (UnknownGrade("goood"), "'goood'"),
        (MISSING, "missing"),
        (5, "5"),
        (5.0, "5"),
        (2.5, "2.5"),
        (dt.date(2023, 1, 1), "2023-01-01"),
        ("good", "good"),
    ],
    ids=["rounded", "suppressed", "invalid", "unknown-grade", "missing", "int", "whole-float", "float", "date", "text"],
)
def test_show(value, expected):
    """Messages show values as a reader wrote them: quoted when unreadable, no trailing .0."""
    assert expected == show(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Interval(0, math.inf, "c (suppressed)"), {"min": 0, "max": None, "as_written": "c (suppressed)"}),
        (Interval(-math.inf, 5, "to 5"), {"min": None, "max": 5, "as_written": "to 5"}),
        (Invalid("939", "a whole number"), "939"),
        (Invalid([1, 2], "a single value"), "[1, 2]"),
        (Invalid(math.nan, "a number"), "nan"),
        (UnknownGrade("goood"), "goood"),
        (MISSING, None),
        (math.inf, "inf"),
        (math.nan, "nan"),
        ((1, 2), [1, 2]),
        ({"value": math.inf}, {"value": "inf"}),
        (dt.date(2023, 1, 1), "2023-01-01"),
        (7, 7),
        ("good", "good"),
    ],
    ids=[
        "suppressed", "open-below", "invalid-text", "invalid-list", "invalid-nan", "unknown-grade", "missing",
        "inf", "nan", "tuple", "dict-with-inf", "date", "int", "text",
    ],
)
def test_jsonable(value, expected):
    """Values become plain JSON without loss of meaning; infinities and NaN become text."""
    assert expected == jsonable(value)


_ANY_VALUE = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text()
    | st.dates()
    | st.just(MISSING)
    # Readers never make an interval with a NaN end (NaN bounds are unreadable values).
    | st.builds(Interval, st.floats(allow_nan=False), st.floats(allow_nan=False), st.text())
    | st.builds(Invalid, st.floats() | st.text(), st.text())
    | st.builds(UnknownGrade, st.text()),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
    max_leaves=10,
)


@given(_ANY_VALUE)
def test_jsonable_is_strict_json(value):
    """Whatever a value holds, its JSON form is standard JSON (no NaN or Infinity literals)."""
    json.dumps(jsonable(value), allow_nan=False)


@given(st.builds(Interval, st.floats(allow_nan=False), st.floats(allow_nan=False), st.text()))
def test_interval_json_is_strict(interval):
    """An interval's JSON form is standard JSON; an open end is null."""
    out = jsonable(interval)
    json.dumps(out, allow_nan=False)
    assert (out["min"] is None) == math.isinf(interval.lo)
    assert (out["max"] is None) == math.isinf(interval.hi)


@given(_ANY_VALUE)
def test_show_is_text(value):
    """Every value can be shown in a message."""
    assert isinstance(show(value), str)
