"""What a run found: findings, undecided checks, broken rules, unreadable records, and the counts that tie them up."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import attrs
from attrs import field, frozen

from ..records import Origin, Unreadable

__all__ = [
    "Event",
    "Figure",
    "FileStats",
    "Finding",
    "Report",
    "RuleError",
    "RuleStats",
    "Triage",
    "Undecided",
    "Waived",
    "Waiver",
    "WaiverProblem",
]


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
    #: The authority's GSS code on the record's day, where the register knows it (else the code the record gives).
    authority_code: str | None = field(eq=False, default=None)

    def sort_key(self) -> tuple[Any, ...]:
        """Order by place, then rule: the same input always prints in the same order."""
        return (self.source.path, self.source.line, self.rule, self.record, self.message)

    @property
    def identity(self) -> tuple[str, str]:
        """
        What makes this finding the same finding in another run: the rule and the record id.

        Places and messages change when a file is edited; the rule and the record do not. Runs are
        compared as multisets of identities, under a rule-set version (see :attr:`Report.ruleset`).
        """
        return (self.rule, self.record)


@frozen
class Undecided:
    """A check that could be neither passed nor failed, and what stood in the way."""

    rule: str
    record: str
    source: Origin
    reason: str
    fields: Mapping[str, Any] = field(eq=False, factory=dict)
    #: Why, in a word that groups (gradecheck/kinds/causes.py): "suppressed", "not_given", "unreadable_grade", ...
    cause: str = field(eq=False, default="other")

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
    #: The unknown checks by cause: {cause: (checks, the reason of the first in file order)}; they add up to unknown.
    reasons: Mapping[str, tuple[int, str]] = field(factory=dict)


@frozen
class FileStats:
    """One input file's share of a run (``--per-file``): its records, findings and unknown checks."""

    path: str
    records: int = 0
    checked: int = 0
    unreadable: int = 0
    errors: int = 0
    warnings: int = 0
    unknown: int = 0
    #: Of the unknown outcomes, those only on suppressed values.
    suppressed: int = 0
    rule_errors: int = 0


@frozen
class Event:
    """
    One checked record, summed up for pictures: whose, when, under which framework, and its headline grade.

    *grade* is the overall judgement where the record has one (*overall* true), else its worst
    judgement; *rank* counts down from the best grade (0) of a scale of *steps* grades.
    """

    authority: str | None
    record: str
    framework: str
    graded: bool
    day: dt.date | None
    source: Origin
    grade: str | None = None
    label: str | None = None
    rank: int | None = None
    steps: int = 0
    overall: bool = False


@frozen
class Figure:
    """
    One statistical row's headline figure, for a chart per authority: children looked after on 31 March.

    *value* is the figure (the middle of its range where it was rounded); *shown* is how the source gives it.
    """

    authority: str | None
    day: dt.date | None
    value: float
    shown: str
    source: Origin
    #: Which table it comes from (the record's framework: dfe-cla for the LA tables 2010-2017, dfe-cla-rates for
    #: explore-education-statistics): a chart draws one line per table.
    series: str = ""
    what: str = "children looked after on 31 March"


@frozen
class Waiver:
    """A (rule, record) pair whose finding is accepted, with the reason and an optional last day."""

    rule: str
    record: str
    reason: str
    expires: dt.date | None = None
    where: str = ""


@frozen
class Waived:
    """A finding a waiver covers: listed, never counted."""

    finding: Finding
    waiver: Waiver


@frozen
class WaiverProblem:
    """A waiver that has expired or matches no finding: reported as a warning."""

    waiver: Waiver
    problem: str


@frozen
class Triage:
    """What a baseline and waivers did to a run: findings known before, findings waived, and stale entries."""

    baselined: tuple[Finding, ...] = ()
    fixed: tuple[tuple[str, str], ...] = ()
    waived: tuple[Waived, ...] = ()
    problems: tuple[WaiverProblem, ...] = ()
    baseline: str | None = None
    baseline_ruleset: str | None = None


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
    #: The rule-set version the findings were made under (gradecheck version + hash of the rule files).
    ruleset: str = ""
    #: The files checked, in order (check_paths), for reports that list every file.
    inputs: tuple[str, ...] = ()
    #: Files met but not read: gradecheck's own reports and baselines, as (path, what it is).
    skipped: tuple[tuple[str, str], ...] = ()
    #: A summary of checked records for pictures, when asked for (check_paths(..., events=N)).
    events: tuple[Event, ...] = ()
    #: Inspections and visits past the per-authority limit of events: counted, not drawn.
    omitted_events: int = 0
    #: Baseline and waivers applied (gradecheck.baseline.triage); findings then holds only the ones that count.
    triage: Triage | None = None
    #: Unknown outcomes by cause (gradecheck/kinds/causes.py), listed or not: they add up to :attr:`unknown`.
    unknown_causes: Mapping[str, int] = field(factory=dict)
    #: Each input file's counts, in input order (check_paths): records, findings by severity, unknown outcomes.
    per_file: tuple[FileStats, ...] = ()
    #: Statistical rows' headline figures for charts per authority, when events are asked for (as many at most).
    figures: tuple[Figure, ...] = ()

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
        stale = fail_on == "warning" and self.triage is not None and bool(self.triage.problems)
        return bool(self.unreadable or self.errors or stale or any(self.count(level) for level in levels))

    def truncate(self, limit: int) -> Report:
        """Keep the first *limit* findings; the rest are counted (by severity), not listed."""
        if limit < 0 or len(self.findings) <= limit:
            return self
        left = self.findings[limit:]
        hidden = dict(self.hidden)
        for finding in left:
            hidden[finding.severity] = hidden.get(finding.severity, 0) + 1
        return attrs.evolve(self, findings=self.findings[:limit], omitted=self.omitted + len(left), hidden=hidden)

    def to_frame(self, kind: str = "pandas") -> Any:
        """
        The report as a DataFrame for a notebook: the rows and columns of ``--format csv``, every cell text.

        A row a finding, then one an unreadable record (severity ``unreadable``) and one a broken rule
        (``rule-error``), so nothing the CSV report says is missing. Cells are the data's own: a frame
        runs no formulas, so the CSV report's spreadsheet safeguards are not applied. *kind* is
        "pandas" (the ``frames`` extra) or "polars" (the ``columnar`` extra).

        Raises:
            GradecheckError: the library for *kind* is not installed; the message names the extra.
            ValueError: *kind* is neither.
        """
        from importlib import import_module

        from ..errors import GradecheckError
        from .rows import csv_rows

        extras = {"pandas": "frames", "polars": "columnar"}
        if kind not in extras:
            raise ValueError(f"kind must be 'pandas' or 'polars', not {kind!r}")
        try:
            library = import_module(kind)
        except ImportError as err:
            raise GradecheckError(f"Report.to_frame(kind={kind!r}) needs {kind}: "
                                  f"pip install 'gradecheck[{extras[kind]}]' ({err})") from err
        header, *rows = csv_rows(self)
        if kind == "polars":
            return library.DataFrame(rows, schema=dict.fromkeys(header, library.String), orient="row")
        return library.DataFrame(rows, columns=header, dtype=str)
