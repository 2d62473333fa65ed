"""Tests for gradecheck.render: tables for people, JSON, JSON Lines and CSV for programs, rule listings."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gradecheck import (
    FORMATS,
    Finding,
    Origin,
    Report,
    RuleError,
    Unreadable,
    check,
    load_ruleset,
    record_from_mapping,
    render,
    render_explain,
    render_rules,
    report_to_dict,
)
from gradecheck.report import RuleStats

C101_MESSAGE = "outstanding 5 + good 17 + adequate 1 = 23, expected 22, the number of graded items in slac"
SLAC_23 = {"id": "slac-23", "framework": "slac", "grade_counts": {"outstanding": 5, "good": 17, "adequate": 1}}


def _strict_json(text: str):
    """Parse standard JSON only: NaN and Infinity are not JSON."""

    def refuse(constant):
        raise ValueError(f"not standard JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


@pytest.fixture(name="report")
def _report(ruleset):
    """One error (C101), one warning (I102), one unknown (C101 on a suppressed count), one unreadable record."""
    records = [
        record_from_mapping(SLAC_23, Origin("data.jsonl", 1)),
        record_from_mapping({"id": "typo", "framework": "sif", "populations": {"foster_cre": 1}},
                            Origin("data.jsonl", 2)),
        record_from_mapping({"id": "c", "framework": "slac", "grade_counts": {"outstanding": 5, "good": "c"}},
                            Origin("data.jsonl", 3)),
        Unreadable(Origin("data.jsonl", 4), "invalid JSON: Expecting value (line 1 column 1)"),
    ]
    return check(records, ruleset)


def test_formats():
    """The report formats are the CLI's --format choices."""
    assert {"table", "text", "json", "jsonl", "csv", "html", "junit", "sarif", "github"} == set(FORMATS)


def test_unknown_format():
    """Asking for a format that does not exist is a KeyError, not a guess."""
    with pytest.raises(KeyError):
        render(Report(0, 0, (), ()), "yaml")


class TestJson:
    def test_design_keys(self, report):
        """The JSON report has the keys of DESIGN.md section 5, with their meanings."""
        out = _strict_json(render(report, "json"))
        summary = out["summary"]
        assert {k: summary[k] for k in ("records", "checked", "unreadable", "findings", "unknown")} == {
            "records": 4, "checked": 3, "unreadable": 1, "findings": {"error": 1, "warning": 1}, "unknown": 1}
        c101 = out["findings"][0]
        expected = {"rule": "C101", "severity": "error", "record": "slac-23", "source": "data.jsonl:1",
                    "message": C101_MESSAGE,
                    "fields": {"grade_counts.outstanding": 5, "grade_counts.good": 17, "grade_counts.adequate": 1},
                    "expected": 22, "actual": 23}
        assert expected == {k: c101[k] for k in expected}
        assert out["unreadable"] == [
            {"source": "data.jsonl:4", "error": "invalid JSON: Expecting value (line 1 column 1)"}]

    def test_intervals(self, report):
        """A suppressed value is written as its range and as the publisher wrote it; infinity is null."""
        [unknown] = _strict_json(render(report, "json"))["unknown"]
        assert unknown["fields"]["grade_counts.good"] == {"min": 0, "max": None, "as_written": "c (suppressed)"}

    def test_statistics(self, report):
        """With statistics, each rule's counts are included."""
        stats = _strict_json(render(report, "json", statistics=True))["statistics"]
        # slac-23 fails, the suppressed count is unknown, and the sif record has no counts: not judged.
        assert stats["C101"] == {"passed": 0, "failed": 1, "unknown": 1, "errors": 0, "findings": 1,
                                 "unknown_reasons": {"suppressed": {"checks": 1, "first": stats["C101"][
                                     "unknown_reasons"]["suppressed"]["first"]}}}
        assert "statistics" not in _strict_json(render(report, "json"))

    def test_dates_and_omitted(self, ruleset):
        """Dates are ISO text; findings left out by --max-findings are counted."""
        record = {"id": "d", "framework": "sif", "start": "2014-06-11", "end": "2014-05-20"}
        report = check([record, record], ruleset).truncate(1)
        out = _strict_json(render(report, "json"))
        assert out["findings"][0]["fields"] == {"start": "2014-06-11", "end": "2014-05-20"}
        assert (len(out["findings"]), out["summary"]["omitted_findings"]) == (1, 2)
        assert out["summary"]["findings"]["error"] == 3


class TestJsonLines:
    def test_lines(self, report):
        """One object a line, each with a type; the summary comes last."""
        lines = [_strict_json(line) for line in render(report, "jsonl").split("\n")[:-1]]
        assert [line["type"] for line in lines] == ["finding", "finding", "unreadable", "summary"]
        assert (lines[0]["rule"], lines[0]["message"]) == ("C101", C101_MESSAGE)
        assert (lines[-1]["records"], lines[-1]["checked"]) == (4, 3)


class TestCsv:
    def test_rows(self, report):
        """One row a finding, then unreadable records, under a fixed header."""
        rows = list(csv.reader(io.StringIO(render(report, "csv"))))
        header = ["source", "record", "authority", "authority_code", "framework", "rule", "severity", "title",
                  "message", "expected", "actual"]
        assert header == rows[0]
        assert rows[1][:7] == ["data.jsonl:1", "slac-23", "", "", "slac", "C101", "error"]
        assert tuple(rows[1][8:]) == (C101_MESSAGE, "22", "23")
        assert rows[3][:7] == ["data.jsonl:4", "", "", "", "", "", "unreadable"]
        assert len(rows) == 4


class TestText:
    def test_lines(self, report):
        """path:line: CODE [severity] record: message, one a line, then the summary."""
        expected = (
            f"data.jsonl:1: C101 [error] slac-23: {C101_MESSAGE}\n"
            "data.jsonl:2: I102 [warning] typo: populations.foster_cre is not a field gradecheck knows; "
            "did you mean 'populations.foster_care'?\n"
            "data.jsonl:4: unreadable: invalid JSON: Expecting value (line 1 column 1)\n"
            "4 records read, 3 checked, 1 unreadable, 1 error, 1 warning, 1 unknown (1 on suppressed values).\n"
        )
        assert expected == render(report, "text")

    @pytest.mark.parametrize(
        ("report", "expected"),
        [
            (Report(0, 0, (), ()), "0 records read, 0 checked, 0 unreadable, 0 errors, 0 warnings, 0 unknown."),
            (Report(1, 1, (), ()), "1 record read, 1 checked, 0 unreadable, 0 errors, 0 warnings, 0 unknown."),
            (Report(2, 2, (), (), errors=(RuleError("Z1", "a", Origin("x", 1), "boom"),) * 2),
             "2 records read, 2 checked, 0 unreadable, 0 errors, 0 warnings, 0 unknown, 2 rule errors."),
            (Report(5, 5, (), (), omitted=3, hidden={"error": 3}),
             "5 records read, 5 checked, 0 unreadable, 3 errors, 0 warnings, 0 unknown, "
             "3 more findings not shown (--max-findings)."),
        ],
        ids=["empty", "singular", "rule-errors", "omitted"],
    )
    def test_summary(self, report, expected):
        """The summary line counts everything, in plain English."""
        assert expected == render(report, "text").splitlines()[-1]


class TestTable:
    def test_layout(self, report):
        """Findings, then unreadable records, then the summary, with warnings marked (w)."""
        out = render(report, "table", width=80)
        assert out.startswith("where")
        assert out.splitlines()[0].split() == ["where", "record", "rule", "message"]
        assert "I102 (w)" in out
        assert "Unreadable records" in out
        summary = ("4 records read, 3 checked, 1 unreadable, 1 error, 1 warning, 1 unknown (1 on\n"
                   "suppressed values). (w) = warning.\n")
        assert out.endswith("\n\n" + summary)

    def test_statistics(self, report):
        """With statistics, a per-rule table lists every rule that judged something."""
        out = render(report, "table", statistics=True)
        block = out.split("Per rule\n", 1)[1]
        assert block.splitlines()[0].split() == ["rule", "findings", "records", "failed", "unknown", "passed", "broke"]
        assert "C101" in block

    def test_rule_errors_block(self):
        """Broken rules get their own block, asking to be reported."""
        report = Report(1, 1, (), (), errors=(RuleError("Z1", "a", Origin("x", 1), "KeyError: 'x' at y.py:3"),))
        assert "Rules that broke (please report this)" in render(report, "table")

    def test_fits_80_columns(self, report):
        """At width 80 no line of the table is wider than 80 columns."""
        assert [line for line in render(report, "table", width=80).splitlines() if len(line) > 80] == []


# Printable text, and long runs of one letter with a few spaces, which wrap to exactly the column width.
_TEXT = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=150) | st.text(
    st.sampled_from("xxxxxxxxx "), min_size=20, max_size=200)
_FINDING = st.builds(
    Finding,
    rule=st.from_regex(r"[A-Z]{1,3}[0-9]{1,4}", fullmatch=True),
    severity=st.sampled_from(["error", "warning"]),
    record=_TEXT.filter(str.strip),
    source=st.builds(Origin, _TEXT.filter(str.strip), st.integers(0, 10**6)),
    message=_TEXT,
)
_UNREADABLE = st.builds(Unreadable, st.builds(Origin, _TEXT.filter(str.strip), st.integers(0, 10**6)), _TEXT)
_REPORT = st.builds(
    lambda findings, unreadable, errors, unknown: Report(
        records=len(findings) + len(unreadable) + 10**4, checked=len(findings) + 10**4, findings=tuple(findings),
        unreadable=tuple(unreadable), errors=tuple(errors), omitted=unknown, hidden={"warning": unknown},
        stats={"C101": RuleStats(unknown, unknown, unknown, 0, unknown)},
    ),
    st.lists(_FINDING, max_size=5),
    st.lists(_UNREADABLE, max_size=3),
    st.lists(st.builds(RuleError, st.just("Z1"), st.just("a"), st.builds(Origin, _TEXT.filter(str.strip),
                                                                            st.integers(0, 99)), _TEXT), max_size=2),
    st.integers(0, 10**6),
)


@given(_REPORT, st.booleans())
def test_table_fits_80_columns(report, statistics):
    """Whatever the findings say, the table wraps them to fit 80 columns."""
    out = render(report, "table", width=80, statistics=statistics)
    assert [line for line in out.splitlines() if len(line) > 80] == []


_LEAF = st.one_of(st.integers(-5, 30), st.floats(), st.none(), st.text(max_size=4),
                  st.sampled_from(["c", "939", "good", "Inadequate", "2023-02-30"]),
                  st.fixed_dictionaries({}, optional={"value": st.floats() | st.integers(), "rounded_to": st.integers(),
                                                      "min": st.floats(), "max": st.floats()}))
_RECORD = st.fixed_dictionaries(
    {"id": st.sampled_from(["a", "b"]),
     "framework": st.sampled_from(["slac", "sif", "ilacs", "monitoring-visit", "x"])},
    optional={"start": _LEAF, "end": _LEAF,
              "judgements": st.dictionaries(st.sampled_from(["overall_effectiveness", "help_and_protection"]), _LEAF),
              "grade_counts": st.dictionaries(st.sampled_from(["good", "adequate", "Goood"]), _LEAF),
              "populations": st.dictionaries(st.sampled_from(["looked_after", "foster_care", "foster_cre"]), _LEAF),
              "facts": st.dictionaries(st.sampled_from(["seen_percent"]), _LEAF)},
)


@given(st.lists(_RECORD | st.integers(), max_size=6), st.integers(-1, 3))
def test_json_round_trip(ruleset, objs, limit):
    """The JSON report is standard JSON, and reading it back gives the report's counts."""
    report = check(objs, ruleset).truncate(limit)
    out = _strict_json(render(report, "json", statistics=True))
    summary = out["summary"]
    assert (report.records, report.checked, len(report.unreadable), len(report.undecided)) == (
        summary["records"], summary["checked"], summary["unreadable"], summary["unknown"])
    assert {"error": report.count("error"), "warning": report.count("warning")} == summary["findings"]
    assert summary["records"] == summary["checked"] + summary["unreadable"]
    assert [f.rule for f in report.findings] == [f["rule"] for f in out["findings"]]
    assert len(report.unreadable) == len(out["unreadable"])
    assert json.loads(json.dumps(report_to_dict(report, statistics=True))) == out
    lines = [_strict_json(line) for line in render(report, "jsonl").split("\n")[:-1]]
    assert len(report.findings) + len(report.unreadable) + len(report.errors) + 1 == len(lines)
    rows = list(csv.reader(io.StringIO(render(report, "csv"))))
    assert len(report.findings) + len(report.unreadable) + len(report.errors) + 1 == len(rows)


def test_a_carriage_return_in_a_cell_is_quoted():
    """A value with a bare carriage return (from a data file) reads back as one cell, in the report and in data CSV."""
    report = check([{"id": "a\rb", "framework": "slac", "start": "0\r0"}])
    rows = list(csv.reader(io.StringIO(render(report, "csv", raw_cells=True))))
    assert [r[1] for r in rows[1:]] == ["a\rb"] * len(report.findings)
    assert "0\r0" in [r[-1] for r in rows[1:]]
    from gradecheck.writers import write_csv

    assert list(csv.DictReader(io.StringIO(write_csv([{"id": "a\rb", "framework": "x"}])))) == [
        {"id": "a\rb", "framework": "x"}]


class TestRules:
    def test_table_fits_80_columns(self, ruleset):
        """The rules listing fits 80 columns and has a row per rule."""
        out = render_rules(ruleset, "table", width=80)
        assert [line for line in out.splitlines() if len(line) > 80] == []
        codes = [line.split()[0] for line in out.splitlines()[2:] if line and not line.startswith(" ")]
        assert [r.code for r in ruleset.rules] == codes

    def test_json(self, ruleset):
        """The JSON listing has each rule's code, scope, source and parameters."""
        rules = _strict_json(render_rules(ruleset, "json"))
        c101 = next(r for r in rules if r["code"] == "C101")
        assert (c101["kind"], c101["severity"], c101["parameters"]) == (
            "total", "error", {"parts": ["grade_counts.*"], "equals": "@graded_items"})
        f101 = next(r for r in rules if r["code"] == "F101")
        assert (f101["from"], f101["to"]) == (None, "2022-12-31")

    def test_jsonl_and_csv(self, ruleset):
        """JSON Lines has a line per rule; CSV a header and a row per rule."""
        assert len(ruleset.rules) == len(render_rules(ruleset, "jsonl").splitlines())
        rows = list(csv.reader(io.StringIO(render_rules(ruleset, "csv"))))
        assert rows[0] == ["code", "severity", "kind", "frameworks", "from", "to", "title", "source"]
        assert len(ruleset.rules) + 1 == len(rows)

    def test_text_from_rule_files_is_shown_literally(self, tmp_path):
        """Rule-file text is data: braces and percent signs are printed, never formatted."""
        path = tmp_path / "odd.toml"
        path.write_text(
            '[[rule]]\ncode = "Z101"\ntitle = "{0.__class__} %s {rule}"\nkind = "range"\nseverity = "error"\n'
            'frameworks = ["*"]\nfields = ["populations.*"]\nmin = 0\nsource = "{source!r}"\n'
        )
        rule = load_ruleset([path]).rule("Z101")
        assert "{0.__class__} %s {rule}" in render_rules(load_ruleset([path]), "table", width=200)
        explained = render_explain(rule)
        assert explained.startswith("Z101  {0.__class__} %s {rule}\n")
        assert "  {source!r}\n" in explained


class TestExplain:
    def test_c101(self, ruleset):
        """Explaining a rule shows its title, scope, kind, parameters with their meaning, why, source, example."""
        out = render_explain(ruleset.rule("C101"), width=80)
        lines = out.splitlines()
        assert lines[0] == "C101  Grade counts add up to the framework's number of graded items"
        assert lines[2] == "severity:   error"
        assert lines[3] == "applies to: apa, annual-assessment, slac, lac-2012, sif, ilacs"
        assert lines[4].startswith("kind:       total - The parts add up exactly to a constant")
        assert "  parts = grade_counts.*" in lines
        assert "  equals = @graded_items" in lines
        assert "example finding:" in lines
        assert "outstanding 5 + good 17 + adequate 1 = 23, expected 22, the number of graded items" in out.replace(
            "\n  ", " ")

    def test_dated_scope(self, ruleset):
        """A dated rule says from when, or until when, it applies."""
        assert "applies to: ilacs to 2022-12-31" in render_explain(ruleset.rule("F101"))
        assert "applies to: ilacs from 2026-04-01" in render_explain(ruleset.rule("F102"))

    @pytest.mark.parametrize("width", [80, 100])
    def test_fits_width(self, ruleset, width):
        """Every line but the file path and the sources' links fits the width, for every built-in rule."""
        for rule in ruleset.rules:
            long = [line for line in render_explain(rule, width).splitlines()
                    if len(line) > width and not line.startswith(("defined in: ", "    https://", "    http://"))]
            assert long == [], rule.code


def test_render_never_mutates_report(report):
    """Rendering is pure: rendering twice, in any order, gives the same text."""
    first = {fmt: render(report, fmt) for fmt in FORMATS}
    assert first == {fmt: render(report, fmt) for fmt in reversed(list(FORMATS))}


def test_date_fields_render(ruleset):
    """Dates in findings render as ISO text in every format."""
    report = check([{"id": "d", "framework": "sif", "start": "2014-06-11", "end": "2014-05-20"}], ruleset)
    assert dt.date(2014, 6, 11) == report.findings[0].fields["start"]
    assert "2014-06-11" in render(report, "csv")
