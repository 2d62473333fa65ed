"""Fuzzing the edges: arbitrary bytes, JSON, CSV and TOML never escape as anything but gradecheck's own errors.

A longer run of the same properties: ``HYPOTHESIS_PROFILE=fuzz python -m pytest tests/test_fuzz.py``
(5,000 examples a property; see benchmarks/README.md).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import gradecheck
from gradecheck import GradecheckError, check, load_ruleset, read_path
from gradecheck.kinds import KINDS

RULESET = load_ruleset()
RECORD_KEYS = ["id", "framework", "authority", "authority_code", "start", "end", "published", "judgements",
               "grade_counts", "populations", "facts", "theme", "source"]
SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10) | \
    st.sampled_from(["ilacs", "sif", "slac", "good", "Inadequate", "c", "x", "..", "2023-02-30", "2020-01-01", "NaN"])
JSON = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
    st.sampled_from(RECORD_KEYS) | st.text(max_size=8), inner, max_size=4), max_leaves=12)
RECORDISH = st.fixed_dictionaries(
    {"id": st.text(min_size=1, max_size=5), "framework": st.sampled_from(sorted(RULESET.frameworks))},
    optional={k: JSON for k in RECORD_KEYS[2:]},
)


def _accounted(report: gradecheck.Report, rows: int | None = None) -> None:
    assert report.records == report.checked + len(report.unreadable)
    assert report.errors == (), report.errors
    if rows is not None:
        assert rows == report.records


def _run_file(tmp_path, name: str, data: bytes) -> gradecheck.Report:
    path = tmp_path / name
    path.write_bytes(data)
    return check(list(read_path(str(path))), RULESET)


FUZZ = settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@FUZZ
@given(st.binary(max_size=400), st.sampled_from(["x.jsonl", "x.csv", "x.json", "x.txt"]))
def test_arbitrary_bytes_never_crash(tmp_path, data, name):
    """Any bytes under any data suffix are records, unreadable entries, or a file-level entry."""
    _accounted(_run_file(tmp_path, name, data))


@FUZZ
@given(st.lists(JSON | RECORDISH, max_size=6))
def test_arbitrary_json_lines_are_all_accounted_for(tmp_path, values):
    """Every JSON line is either checked or unreadable, whatever its value."""
    lines = [json.dumps(v) for v in values]
    report = _run_file(tmp_path, "x.jsonl", ("\n".join(lines) + "\n").encode())
    _accounted(report, len(lines) if lines else None)


@FUZZ
@given(st.lists(RECORDISH, max_size=5), st.booleans())
def test_arbitrary_json_arrays(tmp_path, values, truncate):
    """A JSON array, whole or cut short, never crashes the reader."""
    text = json.dumps(values, indent=1)
    if truncate and len(text) > 3:
        text = text[: len(text) // 2]
    _accounted(_run_file(tmp_path, "x.json", text.encode()))


CELL = st.text(alphabet=st.characters(codec="utf-8"), max_size=6) | st.sampled_from(
    ["", "c", "x", "939", "-3", "1,000", "2.5", "good", "RI", "2023-02-30", '"', "\n"])
HEADERS = st.lists(st.sampled_from(["id", "framework", "start", "judgements.overall_effectiveness",
                                    "grade_counts.good", "populations.looked_after", "populations.foster_care",
                                    "facts.x_percent", "mystery"]) | st.text(max_size=5), min_size=1, max_size=6)


@FUZZ
@given(HEADERS, st.lists(st.lists(CELL, max_size=7), max_size=6),
       st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]))
def test_arbitrary_csv(tmp_path, header, rows, encoding):
    """Any CSV, in any encoding these files use, is read without crashing and every row accounted for."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    data = out.getvalue().encode(encoding, errors="replace")
    _accounted(_run_file(tmp_path, "x.csv", data))


# --- rule files ------------------------------------------------------------------------------------

def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, dt.date)):
        return str(value) if not isinstance(value, dt.date) else value.isoformat()
    if isinstance(value, float):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf") if math.isinf(value) else repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(value)


def _toml(tables: list[dict]) -> str:
    return "".join("[[rule]]\n" + "".join(f"{json.dumps(k)} = {_toml_value(v)}\n" for k, v in t.items()) + "\n"
                   for t in tables)


KEY = st.sampled_from(["code", "title", "kind", "severity", "frameworks", "from", "to", "source", "parts", "equals",
                       "whole", "fields", "min", "max", "when", "grade", "then", "check", "field", "visits",
                       "exact", "disjoint", "better_than_worst", "__class__", "eval"])
TOML_SCALAR = st.integers(-10**15, 10**15) | st.floats() | st.booleans() | st.dates() | st.text(max_size=12) | \
    st.sampled_from(["C999", "total", "error", "warning", "ilacs", "judgements.*", "populations.looked_after",
                     "@graded_items", "__import__('os').system('echo pwned')", "inadequate", "judgement_values"])
TOML_VALUE = TOML_SCALAR | st.lists(TOML_SCALAR, max_size=3)
RULE_TABLE = st.dictionaries(KEY, TOML_VALUE, max_size=8)


@FUZZ
@given(st.lists(RULE_TABLE, max_size=3))
def test_arbitrary_rule_tables_are_loaded_or_rejected(tmp_path, tables):
    """A rule file either loads or raises RuleFileError listing problems; nothing else escapes."""
    path = tmp_path / "fuzz.toml"
    path.write_text(_toml(tables))
    message = None  # a rule file that loads has nothing to say
    try:
        load_ruleset([path], builtin=False)
    except GradecheckError as err:
        message = str(err)
    assert message != "", "a rejected rule file must say what is wrong"


@FUZZ
@given(st.text(max_size=200))
def test_arbitrary_toml_text(tmp_path, text):
    """Arbitrary text as a rule file is rejected with problems, never a crash."""
    path = tmp_path / "fuzz.toml"
    path.write_bytes(text.encode("utf-8", "replace"))
    with contextlib.suppress(GradecheckError):
        load_ruleset([path], builtin=False)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_rule_strings_are_never_code(tmp_path, kind):
    """A Python expression in any string key is data: rejected as an unknown field or grade, never run."""
    canary = tmp_path / "canary"
    payload = f"__import__('pathlib').Path({str(canary)!r}).touch()"
    table = {"code": "Z101", "title": payload, "kind": kind, "severity": "error", "frameworks": ["*"],
             "source": payload, "parts": [payload], "whole": payload, "fields": [payload], "field": payload,
             "when": [payload], "then": [payload], "grade": payload, "check": payload, "equals": payload}
    path = tmp_path / "evil.toml"
    path.write_text(_toml([table]))
    with pytest.raises(GradecheckError):
        load_ruleset([path], builtin=False)
    assert not canary.exists()
