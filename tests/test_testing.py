"""gradecheck.testing assertions (the pytest plugin, ``pytest --gradecheck DATA``, is in test_pytest_plugin.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from gradecheck.testing import assert_consistent, assert_findings

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

