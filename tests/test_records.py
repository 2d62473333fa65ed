"""Tests for gradecheck.records: building records from JSON objects and CSV rows, once, at the edge."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gradecheck.records import Origin, Record, Unreadable, record_from_mapping
from gradecheck.values import MISSING, Interval, Invalid

HERE = Origin("data.jsonl", 3)


def _fields(obj, *, csv=False):
    record = record_from_mapping({"id": "a", "framework": "sif", **obj}, HERE, cells_are_text=csv)
    assert isinstance(record, Record), record
    return {k: v for k, v in record.fields.items() if k not in ("id", "framework")}


class TestOrigin:
    def test_str(self):
        """An origin reads path:line, the way editors and grep expect."""
        assert str(Origin("data.jsonl", 3)) == "data.jsonl:3"

    def test_stdin(self):
        """Standard input is the path '-'."""
        assert str(Origin("-", 1)) == "-:1"


class TestRecord:
    def test_identity_fields(self):
        """id and framework are pulled out, stripped, and kept in the fields too."""
        record = record_from_mapping({"id": " liverpool-2011-slac ", "framework": "slac "}, HERE)
        assert (record.id, record.framework, record.origin) == ("liverpool-2011-slac", "slac", HERE)

    def test_get_missing(self):
        """A field the record does not have is MISSING, or the default asked for."""
        record = record_from_mapping({"id": "a", "framework": "sif"}, HERE)
        assert MISSING is record.get("populations.looked_after")
        assert record.get("populations.looked_after", 0) == 0

    def test_design_example(self):
        """The example record of DESIGN.md section 1 flattens to dotted fields with parsed values."""
        obj = {
            "id": "liverpool-2011-slac", "authority": "Liverpool", "authority_code": "E08000012",
            "framework": "slac", "start": "2011-01-10", "end": "2011-01-21", "published": "2011-03-04",
            "judgements": {"overall_effectiveness": "good", "capacity_for_improvement": "good"},
            "grade_counts": {"outstanding": 5, "good": 17},
            "populations": {"looked_after": 939, "foster_care": 643, "placed_with_family": 139, "childrens_homes": 15},
            "facts": {"case_files_reviewed": 50, "childrens_homes_run": 4},
            "source": "BBC News report on the SLAC inspection",
        }
        expected = {
            "id": "liverpool-2011-slac", "authority": "Liverpool", "authority_code": "E08000012",
            "framework": "slac", "start": dt.date(2011, 1, 10), "end": dt.date(2011, 1, 21),
            "published": dt.date(2011, 3, 4),
            "judgements.overall_effectiveness": "good", "judgements.capacity_for_improvement": "good",
            "grade_counts.outstanding": 5, "grade_counts.good": 17,
            "populations.looked_after": 939, "populations.foster_care": 643,
            "populations.placed_with_family": 139, "populations.childrens_homes": 15,
            "facts.case_files_reviewed": 50, "facts.childrens_homes_run": 4,
            "source": "BBC News report on the SLAC inspection",
        }
        assert expected == dict(record_from_mapping(obj, HERE).fields)


@pytest.mark.parametrize(
    ("obj", "expected"),
    [
        ({"populations": {"looked_after": 939}}, {"populations.looked_after": 939}),
        ({"populations": {"looked_after": 939.0}}, {"populations.looked_after": 939}),
        ({"populations": {"looked_after": "939"}},
         {"populations.looked_after": Invalid("939", "a whole number, not text")}),
        ({"populations": {"looked_after": 2.5}}, {"populations.looked_after": Invalid(2.5, "a whole number")}),
        ({"populations": {"looked_after": True}}, {"populations.looked_after": Invalid(True, "a whole number")}),
        ({"populations": {"looked_after": math.nan}},
         {"populations.looked_after": Invalid(math.nan, "a whole number, not nan")}),
        ({"populations": {"looked_after": "c"}}, {"populations.looked_after": Interval(0, math.inf, "c (suppressed)")}),
        ({"populations": {"looked_after": "[x]"}},
         {"populations.looked_after": Interval(0, math.inf, "[x] (suppressed)")}),
        ({"populations": {"looked_after": "z"}}, {}),
        ({"populations": {"looked_after": None}}, {}),
        ({"populations": {"looked_after": "  "}}, {}),
        ({"populations": {"looked_after": {"value": 940, "rounded_to": 10}}},
         {"populations.looked_after": Interval(935, 945, "940 (nearest 10)")}),
        ({"populations": {"looked_after": {"value": 940, "rounded_to": 1}}}, {"populations.looked_after": 940}),
        ({"populations": {"looked_after": {"min": 1, "max": 5}}},
         {"populations.looked_after": Interval(1, 5, "1 to 5")}),
        ({"populations": {"looked_after": {"min": 5, "max": 1}}},
         {"populations.looked_after": Invalid({"min": 5, "max": 1},
                                              'a whole number range as {"min": LOW, "max": HIGH} with LOW <= HIGH')}),
        ({"populations": {"looked_after": {"value": 940, "rounded_to": 0}}},
         {"populations.looked_after": Invalid({"value": 940, "rounded_to": 0},
                                              'a whole number as {"value": N, "rounded_to": STEP}')}),
        ({"facts": {"percent_seen": 2.5}}, {"facts.percent_seen": 2.5}),
        ({"facts": {"balance": "x"}}, {"facts.balance": Interval(-math.inf, math.inf, "x (suppressed)")}),
        ({"judgements": {"overall_effectiveness": "Good"}}, {"judgements.overall_effectiveness": "Good"}),
        ({"judgements": {"overall_effectiveness": 4}}, {"judgements.overall_effectiveness": "4"}),
        ({"judgements": {"overall_effectiveness": False}},
         {"judgements.overall_effectiveness": Invalid(False, "a grade, written as text or a whole number")}),
        ({"start": "2023-01-31"}, {"start": dt.date(2023, 1, 31)}),
        ({"start": "31/01/2023"}, {"start": Invalid("31/01/2023", "an ISO date YYYY-MM-DD")}),
        ({"start": 20230131}, {"start": Invalid(20230131, "an ISO date YYYY-MM-DD")}),
        ({"authority_code": 12}, {"authority_code": "12"}),
        ({"authority": ["Liverpool"]}, {"authority": Invalid(["Liverpool"], "text")}),
        ({"colour": ["red"]}, {"colour": Invalid(["red"], "a single value")}),
        ({"colour": "red"}, {"colour": "red"}),
    ],
    ids=[
        "count", "whole-float-count", "count-as-json-text", "fractional-count", "bool-count", "nan-count",
        "suppressed", "bracketed-marker", "not-applicable-marker", "null", "blank", "rounded", "rounded-to-1",
        "range", "range-reversed", "rounded-to-0", "fractional-fact", "suppressed-fact", "grade-text",
        "grade-number", "grade-bool", "date", "date-not-iso", "date-as-number", "code-as-number",
        "text-as-list", "unknown-field-list", "unknown-field",
    ],
)
def test_json_values(obj, expected):
    """JSON values are parsed by what their field holds; what cannot be read is kept as Invalid, never dropped."""
    actual = _fields(obj)
    if any(isinstance(v, Invalid) and isinstance(v.raw, float) and math.isnan(v.raw) for v in actual.values()):
        # NaN is not equal to itself, so compare what was expected of it.
        assert [v.expected for v in expected.values()] == [v.expected for v in actual.values()]
    else:
        assert expected == actual


def test_impossible_date():
    """A date that does not exist is unreadable, and the message says why."""
    value = _fields({"end": "2023-02-30"})["end"]
    assert value.raw == "2023-02-30"
    assert value.expected.startswith("an ISO date YYYY-MM-DD that exists")


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("939", 939),
        (" 939 ", 939),
        ("1,234", 1234),
        ("1,234.0", 1234),
        ("940.0", 940),
        ("-3", -3),
        ("2.5", Invalid(2.5, "a whole number")),
        ("c", Interval(0, math.inf, "c (suppressed)")),
        ("..", Interval(0, math.inf, ".. (suppressed)")),
        ("lots", Invalid("lots", "a whole number")),
        ("1,23", Invalid("1,23", "a whole number")),
    ],
    ids=["number", "padded", "thousands", "thousands-decimal", "whole-decimal", "negative", "fraction",
         "marker", "dots-marker", "words", "bad-comma"],
)
def test_csv_cells(cell, expected):
    """In CSV every cell is text, so "939" is a number there (unlike in JSON)."""
    assert {"populations.looked_after": expected} == _fields({"populations.looked_after": cell}, csv=True)


def test_csv_empty_cell():
    """An empty CSV cell is an absent field."""
    assert _fields({"populations.looked_after": "", "start": ""}, csv=True) == {}


def test_value_object_is_not_nesting():
    """An object holding only value keys is one value, not a group of fields."""
    assert list(_fields({"populations": {"looked_after": {"value": 1}}})) == ["populations.looked_after"]


def test_dotted_keys_and_nesting_meet():
    """A dotted key and a nested object name the same field, as a CSV header would."""
    assert _fields({"populations.looked_after": 5}) == _fields({"populations": {"looked_after": 5}})


@pytest.mark.parametrize(
    ("obj", "error"),
    [
        ([1, 2], "expected a JSON object for a record, found a list"),
        ("text", "expected a JSON object for a record, found text"),
        (None, "expected a JSON object for a record, found null"),
        (3, "expected a JSON object for a record, found a number"),
        ({"framework": "sif"}, "field 'id': required, but missing or empty"),
        ({"id": "  ", "framework": "sif"}, "field 'id': required, but missing or empty"),
        ({"id": None, "framework": "sif"}, "field 'id': required, but missing or empty"),
        ({"id": "a"}, "field 'framework': required, but missing or empty"),
        ({"id": "a", "framework": ["sif"]}, "field 'framework': expected text, found a list ['sif']"),
        ({"id": True, "framework": "sif"}, "field 'id': expected text, found true/false True"),
        ({"id": 1.5, "framework": "sif"}, "field 'id': expected text, found a number 1.5"),
        ({"id": "a", "framework": "sif", 3: "x"}, "field name 3: expected text"),
    ],
    ids=["list", "text", "null", "number", "no-id", "blank-id", "null-id", "no-framework", "framework-list",
         "bool-id", "float-id", "number-key"],
)
def test_unreadable(obj, error):
    """What cannot be a record at all is Unreadable, with its place and why."""
    assert Unreadable(HERE, error) == record_from_mapping(obj, HERE)


def test_numeric_id():
    """A whole-number id is text for identity."""
    record = record_from_mapping({"id": 17, "framework": "sif"}, HERE)
    assert record.id == "17"


def test_deep_nesting_is_unreadable():
    """Nesting no record shape means stops being read rather than recursing without end."""
    obj: dict = {"id": "a", "framework": "sif"}
    inner = obj
    for _ in range(40):
        inner["x"] = {}
        inner = inner["x"]
    inner["y"] = 1
    result = record_from_mapping(obj, HERE)
    assert isinstance(result, Unreadable)
    assert "nested more than 16 levels deep" in result.error


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
_KEYS = st.sampled_from(
    ["id", "framework", "start", "end", "published", "authority", "judgements", "grade_counts", "populations",
     "facts", "value", "rounded_to", "min", "max", "populations.looked_after"]
) | st.text(max_size=8)
_RECORDISH = st.dictionaries(_KEYS, _JSON | st.dictionaries(_KEYS, _JSON, max_size=4), max_size=8)


@given(_JSON | _RECORDISH, st.booleans())
def test_never_raises(obj, csv):
    """Any decoded JSON value becomes a Record or an Unreadable; reading never raises."""
    result = record_from_mapping(obj, HERE, cells_are_text=csv)
    assert isinstance(result, (Record, Unreadable))
    if isinstance(result, Record):
        assert result.id
        assert result.id == result.id.strip()
        assert result.framework
        assert result.framework == result.framework.strip()
        assert result.origin == HERE
    else:
        assert result.origin == HERE
        assert result.error


@given(st.dictionaries(st.text(max_size=10), st.text(max_size=10), max_size=8), st.text(min_size=1).filter(str.strip))
def test_csv_rows_never_raise(row, identifier):
    """Any CSV row of text cells with an id and a framework is a Record."""
    row = {**row, "id": identifier, "framework": "sif"}
    assert isinstance(record_from_mapping(row, HERE, cells_are_text=True), Record)
