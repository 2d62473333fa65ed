"""
The pytest plugin (entry point ``pytest11``): a rule-set fixture, and ``pytest --gradecheck DATA``.

``--gradecheck DATA`` turns every (data file, rule) pair into a test item named
``DATA::CODE``, plus ``DATA::readable`` for unreadable records, so a CI system that reads JUnit
(``--junitxml``) shows each rule's result per file without any extra work.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .engine import check_paths
from .read import discover
from .report import Report
from .report.render import render
from .ruleset import RuleSet, default_ruleset, load_ruleset


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("gradecheck", "check inspection datasets with gradecheck")
    group.addoption("--gradecheck", action="append", default=[], metavar="DATA",
                    help="a data file or directory: one test item per (file, rule)")
    group.addoption("--gradecheck-rules", action="append", default=[], metavar="PATH",
                    help="extra rule files for --gradecheck")


@pytest.fixture(name="gradecheck_ruleset", scope="session")
def _gradecheck_ruleset() -> RuleSet:
    """The built-in rule set, loaded once for the session."""
    return default_ruleset()


class GradecheckFailure(Exception):
    """A rule found problems in a data file; carries the findings table."""


class GradecheckItem(pytest.Item):
    """One rule over one data file."""

    def __init__(self, *, data: str, code: str | None, ruleset: RuleSet, cache: dict[str, Report], **kw: Any) -> None:
        super().__init__(**kw)
        self.data, self.code, self.ruleset, self.cache = data, code, ruleset, cache

    def runtest(self) -> None:
        report = self.cache.get(self.data)
        if report is None:
            report = self.cache[self.data] = check_paths([self.data], self.ruleset)
        if self.code is None:
            if report.unreadable:
                raise GradecheckFailure(render(_only(report, None), "text"))
            return
        if any(f.rule == self.code for f in report.findings) or any(e.rule == self.code for e in report.errors):
            raise GradecheckFailure(render(_only(report, self.code), "table", width=120))

    def repr_failure(self, excinfo: Any, style: Any = None) -> str:
        if isinstance(excinfo.value, GradecheckFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Path, None, str]:
        return Path(self.data), None, f"{self.data}::{self.code or 'readable'}"


def _only(report: Report, code: str | None) -> Report:
    import attrs

    if code is None:
        return attrs.evolve(report, findings=(), errors=(), undecided=())
    return attrs.evolve(report, findings=tuple(f for f in report.findings if f.rule == code),
                        errors=tuple(e for e in report.errors if e.rule == code), unreadable=(), undecided=())


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    paths = config.getoption("gradecheck")
    if not paths:
        return
    extra = config.getoption("gradecheck_rules")
    ruleset = load_ruleset(extra) if extra else default_ruleset()
    cache: dict[str, Report] = {}
    for data in discover(paths):
        for code in [None, *(r.code for r in ruleset.rules)]:
            name = f"{data}::{code or 'readable'}"
            items.append(GradecheckItem.from_parent(session, name=name, data=data, code=code, ruleset=ruleset,
                                                    cache=cache))
