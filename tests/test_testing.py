"""gradecheck.testing assertions and the pytest plugin (``pytest --gradecheck DATA``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from gradecheck.testing import assert_consistent, assert_findings

pytest_plugins = ["pytester"]

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
LIVERPOOL = FIXTURES / "liverpool.jsonl"
SLAC = {"id": "s", "framework": "slac", "grade_counts": {"outstanding": 5, "good": 17, "adequate": 1}}


def test_assert_consistent_passes_a_consistent_history():
    """Liverpool's real history is consistent; the report is returned for further checks."""
    report = assert_consistent(LIVERPOOL)
    assert report.checked == 9


def test_assert_consistent_fails_with_the_findings_table():
    """The failure message is the findings table: rule, record and arithmetic."""
    with pytest.raises(AssertionError) as info:
        assert_consistent([SLAC])
    assert "C101" in str(info.value)
    assert "outstanding 5 + good 17 + adequate 1 = 23" in str(info.value)


def test_assert_findings_matches_exactly():
    """assert_findings passes on exactly the rules that fire and fails on any difference."""
    assert_findings(SLAC, "C101")
    with pytest.raises(AssertionError, match=r"expected findings \['C101', 'C102'\], got \['C101'\]"):
        assert_findings([SLAC], "C101", "C102")


def test_plugin_turns_each_file_and_rule_into_an_item(pytester):
    """pytest --gradecheck DATA gives one item per (file, rule) plus one for unreadable records, with JUnit."""
    broken = pytester.path / "broken.jsonl"
    broken.write_text('{"id": "s", "framework": "slac", "grade_counts": {"outstanding": 5, "good": 18}}\nnot json\n')
    result = pytester.runpytest("--gradecheck", str(LIVERPOOL),
                                "--gradecheck", str(broken), "--junitxml", "out.xml")
    from gradecheck import load_ruleset

    rules = len(load_ruleset().rules)
    result.assert_outcomes(passed=2 * (rules + 1) - 2, failed=2)
    result.stdout.fnmatch_lines(["*broken.jsonl::C101*", "*outstanding 5 + good 18 = 23*"])
    xml = (pytester.path / "out.xml").read_text()
    assert xml.count("<testcase") == 2 * (rules + 1)
