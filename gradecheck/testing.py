"""Assertions for a user's own test suite: a dataset is consistent, or has exactly these findings."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from os import PathLike
from typing import Any

from .engine import check, check_paths
from .report import Report
from .report.render import render
from .ruleset import RuleSet

__all__ = ["assert_consistent", "assert_findings", "report_for"]

Data = str | PathLike[str] | Iterable[Any]


def report_for(data: Data, ruleset: RuleSet | None = None) -> Report:
    """Check a path (file or directory) or an iterable of records / native dicts."""
    if isinstance(data, (str, PathLike)):
        return check_paths([str(data)], ruleset)
    if isinstance(data, Mapping):
        data = [data]
    return check(data, ruleset)


def assert_consistent(data: Data, ruleset: RuleSet | None = None, *, fail_on: str = "warning") -> Report:
    """
    Assert that *data* has no findings at or above *fail_on*, no unreadable records, no broken rules.

    The failure message is the findings table, so a failing test says what is wrong and where.
    """
    report = report_for(data, ruleset)
    __tracebackhide__ = True
    if report.failing(fail_on):
        raise AssertionError("gradecheck found problems:\n" + render(report, "table", width=120))
    return report


def assert_findings(data: Data, *codes: str, ruleset: RuleSet | None = None) -> Report:
    """Assert that the rules that fire on *data* are exactly *codes* (in any order, each at least once)."""
    report = report_for(data, ruleset)
    __tracebackhide__ = True
    fired = sorted({f.rule for f in report.findings})
    if fired != sorted(set(codes)) or report.unreadable or report.errors:
        raise AssertionError(f"expected findings {sorted(set(codes))}, got {fired}:\n"
                             + render(report, "table", width=120))
    return report
