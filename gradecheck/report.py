"""What a run found: findings, undecided checks, broken rules, unreadable records, and the counts that tie them up."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
from attrs import field, frozen

from .records import Origin, Unreadable

__all__ = ["Finding", "Report", "RuleError", "RuleStats", "Undecided"]


@frozen
class Finding:
    """A failed check: which rule, which record, where it came from, the fields read, expected, actual, and why."""

    rule: str
    severity: str
    record: str
    source: Origin
    message: str
    fields: Mapping[str, Any] = field(eq=False, factory=dict)
    expected: Any = field(eq=False, default=None)
    actual: Any = field(eq=False, default=None)
    title: str = field(eq=False, default="")
    authority: str | None = field(eq=False, default=None)
    framework: str | None = field(eq=False, default=None)

    def sort_key(self) -> tuple[Any, ...]:
        """Order by place, then rule: the same input always prints in the same order."""
        return (self.source.path, self.source.line, self.rule, self.record, self.message)


@frozen
class Undecided:
    """A check that could be neither passed nor failed, and what stood in the way."""

    rule: str
    record: str
    source: Origin
    reason: str
    fields: Mapping[str, Any] = field(eq=False, factory=dict)

    def sort_key(self) -> tuple[Any, ...]:
        return (self.source.path, self.source.line, self.rule, self.record, self.reason)


@frozen
class RuleError:
    """A rule that raised while checking a record: a bug in gradecheck or a rule file, reported and never hidden."""

    rule: str
    record: str
    source: Origin
    error: str

    def sort_key(self) -> tuple[Any, ...]:
        return (self.source.path, self.source.line, self.rule, self.record, self.error)


@frozen
class RuleStats:
    """How one rule fared: records it passed, failed, could not decide, or broke on."""

    passed: int = 0
    failed: int = 0
    unknown: int = 0
    errors: int = 0
    findings: int = 0


@frozen
class Report:
    """
    The outcome of a run.

    ``records == checked + unreadable`` always holds: every record read is accounted for.
    """

    records: int
    checked: int
    findings: tuple[Finding, ...]
    unreadable: tuple[Unreadable, ...]
    undecided: tuple[Undecided, ...] = ()
    errors: tuple[RuleError, ...] = ()
    stats: Mapping[str, RuleStats] = field(factory=dict)
    files: int = 0
    omitted: int = 0
    hidden: Mapping[str, int] = field(factory=dict)
    more_undecided: int = 0

    @property
    def unknown(self) -> int:
        """How many checks were undecided, including those not listed (past the listing cap)."""
        return len(self.undecided) + self.more_undecided

    def count(self, severity: str) -> int:
        """How many findings have *severity*, including any left out by :meth:`truncate`."""
        return sum(1 for f in self.findings if f.severity == severity) + self.hidden.get(severity, 0)

    @property
    def ok(self) -> bool:
        """No findings, no unreadable records, no broken rules."""
        return not (self.findings or self.unreadable or self.errors)

    def failing(self, fail_on: str = "error") -> bool:
        """Whether the run should fail: findings at or above *fail_on*, unreadable records, or broken rules."""
        levels = ("error",) if fail_on == "error" else ("error", "warning")
        return bool(self.unreadable or self.errors or any(self.count(level) for level in levels))

    def truncate(self, limit: int) -> Report:
        """Keep the first *limit* findings; the rest are counted (by severity), not listed."""
        if limit < 0 or len(self.findings) <= limit:
            return self
        left = self.findings[limit:]
        hidden = dict(self.hidden)
        for finding in left:
            hidden[finding.severity] = hidden.get(finding.severity, 0) + 1
        return attrs.evolve(self, findings=self.findings[:limit], omitted=self.omitted + len(left), hidden=hidden)
