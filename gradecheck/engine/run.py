"""Apply a rule set to records: prepare each record once, run every rule that covers it, collect outcomes."""

from __future__ import annotations

import collections
import functools
import os
import traceback
from collections.abc import Callable, Iterable, Mapping
from sys import intern
from typing import TYPE_CHECKING, Any, NamedTuple

import attrs

from ..authorities import active_register
from ..errors import GradecheckError
from ..frameworks import Framework
from ..kinds import CODE_FIELDS, NAME_FIELDS, Failure, Places, Subject, Unknown, View
from ..kinds.causes import CAUSES, SUPPRESSED, cause_of, check_cause
from ..read import discover, read_path, read_range
from ..read.frames import FRAME_NAME, frame_kind, read_frame
from ..records import Origin, RawRecord, Record, Unreadable, record_from_mapping
from ..report import Event, Figure, FileStats, Finding, Report, RuleError, RuleStats, Undecided
from ..ruleset import Rule, RuleSet, default_ruleset
from ..values import MISSING
from .batches import BATCH, Pending, fields_read, fold_pending
from .events import figure, summarize
from .fastpath import PASS, UNSURE, FastPath, Hit, Plan
from .parallel import fork_map, plan, run_parallel
from .views import ReadView, flat_values

if TYPE_CHECKING:
    from ..read.profiles import ProfileSet

__all__ = ["check", "check_frame", "check_paths", "prepare"]

_JUDGEMENT = "judgements."
# Causes in the order reports list them; a cause a kind names that reports do not know goes last.
_CAUSE_ORDER: dict[str, int] = collections.defaultdict(lambda: len(CAUSES), {c: i for i, c in enumerate(CAUSES)})
# Undecided checks are listed up to this many; past it they are only counted.
_MAX_UNDECIDED = 10_000
_COUNT = "grade_counts."


def prepare(record: Record, ruleset: RuleSet) -> View | Unreadable:
    """
    Resolve aliases and spellings once, so that every rule sees canonical names and grades.

    A record whose framework is unknown cannot be checked at all (no scale, no judgements), so it
    is unreadable rather than silently passing every rule.
    """
    framework = _framework(record.framework, ruleset.frameworks)
    if framework is None:
        known = ", ".join(sorted(ruleset.frameworks))
        return Unreadable(record.origin, f"record {record.id!r}: field 'framework': unknown framework "
                                         f"{record.framework!r}; expected one of {known}")
    aliases = ruleset.field_aliases
    scale = framework.scale
    values: dict[str, Any] = {}
    written: dict[str, str] = {}
    for raw_name, value in record.fields.items():
        name = aliases.get(raw_name, raw_name)
        if name.startswith(_JUDGEMENT):
            short = name[len(_JUDGEMENT):]
            name = _JUDGEMENT + framework.judgement_aliases.get(short, short)
            if scale is not None and isinstance(value, str):
                value = scale.canonical(value)
                if value is MISSING:
                    continue
        elif name.startswith(_COUNT) and scale is not None:
            grade = scale.canonical(name[len(_COUNT):])
            if isinstance(grade, str):
                name = _COUNT + grade
        if name in written:
            # Two spellings of one field (children_looked_after and looked_after, RI and requires
            # improvement): keeping either value silently would hide the other.
            return Unreadable(record.origin, f"record {record.id!r}: fields '{written[name]}' and '{raw_name}' "
                                             f"both mean '{name}'; which value is meant?")
        written[name] = raw_name
        values[name] = value
    values["framework"] = framework.id
    view = View(record, framework, framework.versions[-1], values)
    view.version = framework.version_at(view.day)
    return view


def _framework(name: str, frameworks: Mapping[str, Framework]) -> Framework | None:
    found = frameworks.get(name)
    if found is None:
        folded = name.strip().lower().replace("_", "-").replace(" ", "-")
        found = frameworks.get(folded)
    return found


class _Run:
    """Accumulates outcomes over one or more datasets; one per call to check or check_paths."""

    def __init__(self, ruleset: RuleSet, max_findings: int | None = None) -> None:
        self.ruleset = ruleset
        # With a cap, only the first findings (in report order) are kept: memory stays bounded
        # however many records fail. The rest are counted by severity.
        self.max_findings = max_findings
        self.hidden: dict[str, int] = {}
        self.more_undecided = 0
        self.record_rules = [r for r in ruleset.rules if not r.dataset]
        self.dataset_rules = [r for r in ruleset.rules if r.dataset]
        # Each dataset rule folds the records of the dataset being read into its summary (see
        # gradecheck/kinds/dataset.py): the records themselves are never kept.
        self.folds: dict[str, list[Any]] = {}
        self.batched: dict[str, tuple[Any, list[Any], list[Any]]] = {}
        self.summaries: list[Any] = []
        self.where: Origin | None = None
        self.by_framework: dict[str, list[Rule]] = {
            fid: [r for r in self.record_rules if r.covers(fid)] for fid in ruleset.frameworks
        }
        self.records = 0
        self.checked = 0
        self.findings: list[Finding] = []
        self.undecided: list[Undecided] = []
        self.errors: list[RuleError] = []
        self.unreadable: list[Unreadable] = []
        self.tally: dict[str, list[int]] = {r.code: [0, 0, 0, 0, 0] for r in ruleset.rules}
        # Unknown outcomes by cause (all of them, listed or not), and each rule's unknown checks by cause with
        # the first in file order: {code: {cause: [checks, (path, line), reason]}}.
        self.causes: dict[str, int] = {}
        self.reasons: dict[str, dict[str, list[Any]]] = {}
        self.per_file: list[FileStats] = []
        self.files = 0
        # Optional extras for reports (HTML timelines, JUnit per file, progress on a terminal):
        # each costs nothing unless asked for, and events are capped, so memory stays bounded.
        # Records read raw go through the fast path first (gradecheck/engine/fastpath.py); it never reports,
        # it only spares passing records the work a finding needs. Compiled on the first raw record:
        # check() on records in memory (as the strategies call it, many times) never needs it.
        self._fast: FastPath | None = None
        self.patterns: dict[tuple[Plan, tuple[int, ...]], int] = {}
        self.max_events = 0  # per authority: a timeline is one authority's, and no input crowds out another
        self.events: list[Event] = []
        self.event_counts: dict[str | None, int] = {}
        self.omitted_events = 0
        self.figures: list[Figure] = []
        self.inputs: list[str] = []
        self.skipped: list[tuple[str, str]] = []
        self.progress: Callable[[int, int, int], None] | None = None

    def dataset(self, items: Iterable[Record | Unreadable]) -> None:
        """Check one dataset: every record on its own, then the dataset rules over all of them."""
        self.begin()
        self.fold(items)
        self.rest()
        self.finish()

    def begin(self) -> None:
        """Start a dataset: each dataset rule starts an empty summary."""
        self.summaries = [rule.check.summary() for rule in self.dataset_rules]
        Places.shared(self.summaries, self.ruleset.frameworks)
        self.where: Origin | None = None
        self._fold_into()

    def _fold_into(self) -> None:
        """Which summaries each framework's records are folded into."""
        self.folds = {fid: [s for r, s in zip(self.dataset_rules, self.summaries, strict=True) if r.covers(fid)]
                      for fid in self.ruleset.frameworks}
        # Per framework, the summaries that fold its records a batch at a time (see gradecheck/engine/batches.py),
        # what they read, and the others (of a kind with no add_rows), which take a view a record.
        self.batched = {}
        rule_of = {id(s): r for r, s in zip(self.dataset_rules, self.summaries, strict=True)}
        for fid, summaries in self.folds.items():
            held = [s for s in summaries if callable(getattr(s, "add_rows", None))]
            fields = fields_read(rule_of[id(s)] for s in held) if held else None
            if fields is not None:
                self.batched[fid] = (fields, held, [s for s in summaries if not callable(getattr(s, "add_rows", None))])

    def rest(self) -> None:
        """This process has folded all it will: its summaries let go of what only folding needs (see Summary)."""
        for summary in self.summaries:
            rest = getattr(summary, "rest", None)
            if rest is not None:
                rest()

    def join(self, summaries: list[Any]) -> None:
        """
        Merge this dataset's summaries into *summaries* (of the same dataset's other records, one a dataset rule,
        as begin makes them), which become its own. A summary does not depend on the order records were folded
        in, so the columnar engine, whose passed rows are nearly all of a file, merges the row engine's few
        into them: a merge copies what it takes (0.5 s a share of a million rows, the other way round).
        """
        self.summaries = [_merged(theirs, mine) for mine, theirs in zip(self.summaries, summaries, strict=True)]
        self._fold_into()

    def fold(self, items: Iterable[Record | Unreadable]) -> None:
        """Check records of the current dataset, each on its own, and fold them into the dataset rules' summaries."""
        fast = self._fast
        patterns = self.patterns
        folds = self.folds
        # A record the fast path decided needs no view unless a dataset rule or a timeline will read it.
        plain = not self.dataset_rules and not self.max_events
        last_placed = active_register().last_placed
        (name_field, other_name), (code_field, other_code) = NAME_FIELDS, CODE_FIELDS
        batched = self.batched
        pending: dict[str, list[Pending]] = {}  # per framework, the records held for the summaries (see batches)
        held_path: str | None = None
        try:
            for item in items:
                self.records += 1
                if self.where is None:  # where the dataset is, for a dataset rule that breaks
                    self.where = Origin(item.path, 0) if type(item) is RawRecord else Origin(item.origin.path, 0)
                if self.progress is not None and not self.records % 1024:
                    self.progress(self.records, self.files - 1, len(self.inputs))
                if type(item) is RawRecord:
                    if fast is None or fast.counting is not plain:
                        fast = self._fast = _fast_path(self.ruleset, plain)
                    hit = fast.check(item.mapping, item.text, item.json)
                    if hit is not None:
                        # Verdict patterns are counted, not rules: most records share one (see _flush).
                        self.checked += 1
                        if type(hit) is tuple:  # (plan, verdicts): no rule unsure, no view needed
                            patterns[hit] = patterns.get(hit, 0) + 1
                            continue
                        key = hit[4:]  # (plan, verdicts)
                        patterns[key] = patterns.get(key, 0) + 1
                        if UNSURE in hit.verdicts or self.max_events:
                            self._fast_hit(item, hit)
                        elif not plain:
                            fid = hit.framework.id
                            summaries = folds[fid]
                            if summaries:
                                top = hit.top
                                day = top.get("start") or top.get("end") or top.get("published")
                                # The record's label (kinds.identify's answer), where the register's last
                                # placed() answer is for its name, code and day: the A rules' pass form has just
                                # asked, and identify asking again was 4% of a large file's time. A fast-path
                                # record's texts are stripped and present only when not blank, so the first of each
                                # pair is identify's.
                                name = top.get(name_field) or top.get(other_name)
                                code = top.get(code_field) or top.get(other_code)
                                last = last_placed[0]
                                who = (last[3][0] if last[0] == name and last[1] == code
                                       and (last[4] or last[2] == day) and (name is not None or code is not None)
                                       else None)
                                batch = batched.get(fid)
                                if batch is not None:  # held, and folded with others a column at a time
                                    if item.path != held_path:
                                        self._fold_pending(pending, held_path)
                                        held_path = item.path
                                    held = pending.get(fid)
                                    if held is None:
                                        held = pending[fid] = []
                                    held.append((item.line, day, hit.version, top, hit.groups, who))
                                    if len(held) >= BATCH:
                                        fold_pending(held_path, hit.framework, held, batch[1], batch[0], self._broken)
                                        pending[fid] = []
                                    summaries = batch[2]  # the summaries that take a view a record
                                    if not summaries:
                                        continue
                                view = ReadView(item.path, item.line, hit.framework, hit.version, day, top, hit.groups,
                                                who)
                                for summary in summaries:
                                    try:
                                        summary.add(view)
                                    except Exception as err:  # a broken rule is reported, and the run goes on
                                        self._broken(summary, err)
                        continue
                    item = item.parse()
                if isinstance(item, Unreadable):
                    self.unreadable.append(item)
                    continue
                view = prepare(item, self.ruleset)
                if isinstance(view, Unreadable):
                    self.unreadable.append(view)
                    continue
                self.checked += 1
                if self.max_events:
                    self._event(view)
                for rule in self.by_framework[view.framework.id]:
                    self.apply(rule, view)
                for summary in folds[view.framework.id]:
                    try:
                        summary.add(view)
                    except Exception as err:  # as above
                        self._broken(summary, err)
        finally:
            self._fold_pending(pending, held_path)

    def _fold_pending(self, pending: dict[str, list[Pending]], path: str | None) -> None:
        """Fold the records held into their summaries (see gradecheck/engine/batches.py)."""
        for fid, held in pending.items():
            if held:
                fields, summaries, _ = self.batched[fid]
                fold_pending(path or "", self.ruleset.frameworks[fid], held, summaries, fields, self._broken)
        pending.clear()

    def finish(self) -> None:
        """End a dataset: each dataset rule judges it from its summary."""
        # Summaries report in file order, not input order: which of two duplicates is "the repeat",
        # and the order a group's rows are added up in, never depend on how records were passed or split.
        for rule, summary in zip(self.dataset_rules, self.summaries, strict=True):
            self.record_dataset(rule, _judged(summary))
        self.summaries, self.folds = [], {}

    def finish_shares(self, states: list[dict[str, Any]]) -> None:
        """
        End a dataset checked in shares (this run's own first, then *states*, each a worker's, in file order):
        merge them, and judge the dataset rules two processes at a time.

        Merging the shares' summaries and judging from them is the part of a large file's run that one process
        does alone (1.4 s of 14 s at a million records), and each rule's part is its own: a forked child
        merges and judges every other rule (the unique ids', in the built-in set) while this process does the
        rest (the visit histories'), and sends back only the outcomes.
        """
        later = [state.pop("summaries", None) or [] for state in states]
        while states:  # each state let go once merged
            self.merge(states.pop(0))
        n = len(self.summaries)

        def judge(indexes: range) -> list[tuple[int, Any] | _Unjudged]:
            # Once forked, each process lets go of the summaries the other judges: what merging and judging its own
            # then takes reuses their memory, where it grew the process (at a million records, the peak of the run).
            for i in set(range(n)).difference(indexes):
                self.summaries[i] = None
                for part in later:
                    part[i] = None
            out: list[tuple[int, Any] | _Unjudged] = []
            for i in indexes:
                summary = self.summaries[i]
                for part in later:
                    summary, part[i] = _merged(summary, part[i]), None
                out.append(_judged(summary))
            return out

        if n > 1 and later:
            mine: list[tuple[int, Any] | _Unjudged] = []
            child = fork_map([functools.partial(judge, range(0, n, 2))],
                             meanwhile=lambda: mine.extend(judge(range(1, n, 2))))[0]
            judged = [child[i // 2] if i % 2 == 0 else mine[i // 2] for i in range(n)]
        else:
            judged = judge(range(n))
        for rule, result in zip(self.dataset_rules, judged, strict=True):
            self.record_dataset(rule, result)
        self.summaries, self.folds = [], {}

    def check_range(self, path: str, start: int, end: int, first_line: int, header: bytes,
                    profiles: ProfileSet | None = None) -> None:
        """Check bytes [start, end) of one file (a worker's share of a large file), folding it into fresh summaries."""
        self.begin()
        self.fold(read_range(path, start, end, first_line, header, profiles=profiles, raw=True))

    def state(self) -> dict[str, Any]:
        """What a worker hands back: everything :meth:`merge` needs, all of it picklable (its summaries rested)."""
        self._flush()
        self.rest()
        if self.max_findings is not None:
            self._trim()
        return {"records": self.records, "checked": self.checked, "findings": self.findings,
                "undecided": self.undecided, "errors": self.errors, "unreadable": self.unreadable,
                "tally": self.tally, "hidden": self.hidden, "more_undecided": self.more_undecided,
                "summaries": self.summaries, "causes": self.causes, "reasons": self.reasons}

    def merge(self, state: dict[str, Any]) -> None:
        """Add a worker's results to this run; its summaries join the current dataset's, in file order."""
        for i, theirs in enumerate(state.get("summaries") or ()):
            self.summaries[i] = _merged(self.summaries[i], theirs)
        self.records += state["records"]
        self.checked += state["checked"]
        self.findings.extend(state["findings"])
        self.errors.extend(state["errors"])
        self.unreadable.extend(state["unreadable"])
        room = max(0, _MAX_UNDECIDED - len(self.undecided))
        self.undecided.extend(state["undecided"][:room])
        self.more_undecided += state["more_undecided"] + max(0, len(state["undecided"]) - room)
        for code, counts in state["tally"].items():
            mine = self.tally[code]
            for i, n in enumerate(counts):
                mine[i] += n
        for severity, n in state["hidden"].items():
            self.hidden[severity] = self.hidden.get(severity, 0) + n
        for cause, n in state["causes"].items():
            self.causes[cause] = self.causes.get(cause, 0) + n
        for code, theirs in state["reasons"].items():
            mine = self.reasons.setdefault(code, {})
            for cause, (n, place, reason) in theirs.items():
                kept = mine.get(cause)
                if kept is None:
                    mine[cause] = [n, place, reason]
                else:
                    kept[0] += n
                    if place < kept[1]:
                        kept[1:] = [place, reason]
        if self.max_findings is not None:
            self._trim()

    def _fast_hit(self, item: RawRecord, hit: Hit) -> None:
        """A record the fast path read: ask the ordinary path what it was unsure of, fold it for the dataset rules."""
        framework = hit.framework
        values = flat_values(hit.top, hit.groups, framework)
        view = View(Record(hit.top["id"], framework.id, values, item.origin), framework, hit.version, values)
        if self.max_events:
            self._event(view)
        for rule in hit.unsure:
            self.apply(rule, view)
        for summary in self.folds.get(framework.id, ()):
            try:
                summary.add(view)
            except Exception as err:  # as in fold
                self._broken(summary, err)

    def _event(self, view: View) -> None:
        """A timeline's point for an inspection or a visit; a statistical row's figure for a chart, if it has one."""
        event = summarize(view)
        if event is not None:
            drawn = self.event_counts.get(event.authority, 0)
            if drawn < self.max_events:
                self.event_counts[event.authority] = drawn + 1
                self.events.append(event)
            else:
                self.omitted_events += 1
        elif len(self.figures) < self.max_events * 50:  # statistical rows: a chart's points, bounded
            found = figure(view)
            if found is not None:
                self.figures.append(found)

    def _broken(self, summary: Any, err: Exception) -> None:
        """A dataset rule broke on a record: it is reported once, when the dataset ends, and reads no more."""
        broken = _Broken(err)
        lists = [self.summaries, *self.folds.values()]
        for _, held, singly in self.batched.values():
            lists += [held, singly]
        for summaries in lists:
            for i, s in enumerate(summaries):
                if s is summary:
                    summaries[i] = broken

    def _flush(self) -> None:
        """Add the counted verdict patterns to the per-rule tallies (rules the ordinary path decided count there)."""
        tally = self.tally
        for (compiled, verdicts), n in self.patterns.items():
            for rule, verdict in zip(compiled.rules, verdicts, strict=True):
                if verdict == PASS:
                    tally[rule.code][0] += n
        self.patterns.clear()

    def apply(self, rule: Rule, view: View) -> None:
        undated = False
        if rule.dated:
            if view.day is None:
                undated = True
            elif not rule.in_dates(view.day):
                return
        try:
            if view.day is None and len(view.framework.versions) > 1:
                outcomes = _across_versions(rule, view)
            else:
                outcomes = rule.check.evaluate(view)
        except Exception as err:
            self.error(rule, view, err)
            return
        if outcomes is None:
            return
        if undated and outcomes:
            span = f"{rule.start or '…'} to {rule.end or '…'}"
            outcomes = tuple(Unknown(f"no date, so cannot tell whether the rule (in force {span}) applies", o.fields,
                                     "no_date") for o in outcomes)
        self.record(rule, view, outcomes)

    def record_dataset(self, rule: Rule, judged: tuple[int, Any] | _Unjudged) -> None:
        """Record a dataset rule's judgement (see _judged): its outcomes, or the error it broke with."""
        if type(judged) is _Unjudged:  # a broken rule is reported, and the run goes on
            self.errors.append(RuleError(rule.code, "(dataset)", self.where or Origin("-", 0), judged.error))
            self.tally[rule.code][3] += 1
            return
        applicable, pairs = judged
        by_subject: dict[int, tuple[Subject, list[Failure | Unknown]]] = {}
        for subject, outcome in pairs:
            by_subject.setdefault(id(subject), (subject, []))[1].append(outcome)
        for subject, outcomes in by_subject.values():
            self.record(rule, subject, tuple(outcomes), count_pass=False)
        self.tally[rule.code][0] += max(0, applicable - len(by_subject))

    def record(self, rule: Rule, view: View | Subject, outcomes: tuple[Failure | Unknown, ...],
               count_pass: bool = True) -> None:
        tally = self.tally[rule.code]
        failed = False
        subject: Any = None
        for outcome in outcomes:
            if subject is None:
                subject = view if type(view) is Subject else view.subject()
            if isinstance(outcome, Failure):
                failed = True
                self.findings.append(Finding(
                    rule=rule.code, severity=rule.severity, record=subject.id, source=subject.origin,
                    message=outcome.message, fields=_shared(outcome.fields), expected=outcome.expected,
                    actual=outcome.actual, title=rule.title, authority=subject.authority, framework=subject.framework,
                    authority_code=subject.authority_code,
                ))
                tally[4] += 1
                if self.max_findings is not None and len(self.findings) > 2 * self.max_findings + 1000:
                    self._trim()
            else:
                cause = cause_of(outcome)
                self.causes[cause] = self.causes.get(cause, 0) + 1
                if len(self.undecided) < _MAX_UNDECIDED:
                    self.undecided.append(Undecided(rule.code, subject.id, subject.origin, outcome.reason,
                                                    outcome.fields, cause))
                else:
                    self.more_undecided += 1
        if failed:
            tally[1] += 1
        elif outcomes:
            tally[2] += 1
            self._reason(rule.code, subject, outcomes)
        elif count_pass:
            tally[0] += 1

    def _reason(self, code: str, subject: Subject, outcomes: tuple[Unknown, ...]) -> None:
        """Count an unknown check under its cause, keeping the reason of the first in file order."""
        cause = check_cause([cause_of(o) for o in outcomes])
        reason = next(o.reason for o in outcomes if cause_of(o) == cause)
        place = (subject.path, subject.line)
        kept = self.reasons.setdefault(code, {}).get(cause)
        if kept is None:
            self.reasons[code][cause] = [1, place, reason]
        else:
            kept[0] += 1
            if place < kept[1]:
                kept[1:] = [place, reason]

    def counts(self, path: str) -> FileStats:
        """The run's counts so far, under *path*: :meth:`file_done` takes the difference of two."""
        severities = {r.code: r.severity for r in self.ruleset.rules}
        found = {"error": 0, "warning": 0}
        for code, t in self.tally.items():
            found[severities[code]] = found.get(severities[code], 0) + t[4]
        return FileStats(path, self.records, self.checked, len(self.unreadable), found["error"], found["warning"],
                         len(self.undecided) + self.more_undecided, self.causes.get(SUPPRESSED, 0), len(self.errors))

    def file_done(self, before: FileStats) -> None:
        """One input file is done: keep its share of the counts (the difference since *before*)."""
        after = self.counts(before.path)
        self.per_file.append(FileStats(before.path, *(getattr(after, a.name) - getattr(before, a.name)
                                                      for a in attrs.fields(FileStats)[1:])))

    def _trim(self) -> list[Finding]:
        self.findings.sort(key=Finding.sort_key)
        keep = self.max_findings or 0
        for finding in self.findings[keep:]:
            self.hidden[finding.severity] = self.hidden.get(finding.severity, 0) + 1
        del self.findings[keep:]
        return self.findings

    def error(self, rule: Rule, view: View, err: Exception) -> None:
        self.errors.append(RuleError(rule.code, view.record.id, view.record.origin, _describe(err)))
        self.tally[rule.code][3] += 1

    def report(self) -> Report:
        self._flush()
        stats = {code: RuleStats(*t, reasons={c: (n, reason) for c, (n, _, reason) in sorted(
                     self.reasons.get(code, {}).items(), key=lambda item: _CAUSE_ORDER[item[0]])})
                 for code, t in sorted(self.tally.items())}
        if self.max_findings is not None:
            self._trim()
        return Report(
            records=self.records,
            checked=self.checked,
            findings=tuple(sorted(self.findings, key=Finding.sort_key)),
            omitted=sum(self.hidden.values()),
            hidden=dict(self.hidden),
            more_undecided=self.more_undecided,
            unreadable=tuple(sorted(self.unreadable, key=lambda u: (u.origin.path, u.origin.line, u.error))),
            undecided=tuple(sorted(self.undecided, key=Undecided.sort_key)),
            errors=tuple(sorted(self.errors, key=RuleError.sort_key)),
            stats=stats,
            files=self.files,
            ruleset=self.ruleset.version,
            inputs=tuple(self.inputs),
            skipped=tuple(self.skipped),
            events=tuple(self.events),
            omitted_events=self.omitted_events,
            figures=tuple(self.figures),
            unknown_causes=dict(sorted(self.causes.items(), key=lambda item: _CAUSE_ORDER[item[0]])),
            per_file=tuple(self.per_file),
        )


# Fast paths already compiled, by rule set and counting mode: a process that checks many small inputs
# with one rule set (a test suite, a notebook) compiles its generated code once, not on every call.
# The rule set is kept beside its fast path, so a reused id() can never pick up another's code.
_FAST_PATHS: dict[tuple[int, bool], tuple[RuleSet, FastPath]] = {}


def _fast_path(ruleset: RuleSet, counting: bool) -> FastPath:
    found = _FAST_PATHS.get((id(ruleset), counting))
    if found is not None and found[0] is ruleset:
        return found[1]
    if len(_FAST_PATHS) >= 8:
        _FAST_PATHS.pop(next(iter(_FAST_PATHS)))
    fast = FastPath(ruleset, counting=counting)
    _FAST_PATHS[(id(ruleset), counting)] = (ruleset, fast)
    return fast


class _Broken:
    """The summary of a dataset rule that broke: it reads nothing more, merges into nothing, and raises again."""

    def __init__(self, err: Exception) -> None:
        self.err = err

    def add(self, view: View) -> None:
        pass

    def merge(self, later: Any) -> None:
        pass

    def outcomes(self) -> tuple[int, list]:
        raise self.err


def _across_versions(rule: Rule, view: View) -> tuple[Failure | Unknown, ...] | None:
    """
    Judge an undated record under every version of its framework.

    Without a date the version is unknown, so the record fails only if it fails under every
    version where the rule applies, and is unknown if it fails under some of them.
    """
    results = []
    for version in view.framework.versions:
        variant = View(view.record, view.framework, version, view.values)
        variant.day = None
        results.append((version, rule.check.evaluate(variant)))
    applicable = [(v, r) for v, r in results if r is not None]
    if not applicable:
        return None
    failing = [(v, r) for v, r in applicable if any(isinstance(o, Failure) for o in r)]
    if failing and len(failing) == len(applicable):
        return failing[0][1]
    if failing:
        fields = next(o.fields for o in failing[0][1] if isinstance(o, Failure))
        passing = [v for v, r in applicable if (v, r) not in failing]
        return (Unknown(f"no date, so the {view.framework.id} version is unknown: fails under "
                        f"{_versions(v for v, _ in failing)}, not under {_versions(passing)}", fields, "no_date"),)
    return next((r for _, r in applicable if r), ())


def _versions(versions: Iterable[Any]) -> str:
    return " and ".join(f"{v.start or '…'}..{v.end or '…'}" for v in versions)


def _merged(summary: Any, later: Any) -> Any:
    """*summary* with *later*'s records merged in; a dataset rule that broke in either share stays broken."""
    if type(later) is _Broken:
        return later
    summary.merge(later)  # a _Broken summary merges nothing
    return summary


class _Unjudged(NamedTuple):
    """A dataset rule that broke when judging (its error described where it broke: a child sends only this)."""

    error: str


def _judged(summary: Any) -> tuple[int, Any] | _Unjudged:
    """A dataset rule's judgement from its summary: (how many it applied to, its outcomes), or why it broke."""
    try:
        return summary.outcomes()  # type: ignore[no-any-return]
    except Exception as err:
        return _Unjudged(_describe(err))


def _describe(err: Exception) -> str:
    frame = traceback.extract_tb(err.__traceback__)[-1] if err.__traceback__ else None
    where = f" at {frame.filename.rsplit('/', 1)[-1]}:{frame.lineno}" if frame else ""
    return f"{type(err).__name__}: {err}{where}"


def _shared(fields: Mapping[str, Any]) -> dict[str, Any]:
    """
    The fields a finding read, with names and text values shared between findings.

    Each record brings its own copies of "judgements.c01" and "good"; a finding keeps them for the
    report, so a million-record run with tens of thousands of findings would hold as many copies.
    Interned, they are held once, which more than halves the memory findings take.
    """
    return {intern(name): intern(value) if type(value) is str and len(value) < 64 else value
            for name, value in fields.items()}


def _as_items(records: Iterable[Any]) -> Iterable[Record | Unreadable]:
    for i, item in enumerate(records, start=1):
        if isinstance(item, (Record, Unreadable)):
            yield item
        else:
            yield record_from_mapping(item, Origin("<records>", i))


def check(records: Iterable[Record | Unreadable | Mapping[str, Any]], ruleset: RuleSet | None = None, *,
          events: int = 0) -> Report:
    """
    Check records as one dataset and return the report.

    *records* may be Record objects (from the readers) or plain dicts in the native JSON shape,
    which is what the hypothesis strategies produce; dicts are placed as ``<records>:N``. With
    *events*, up to that many inspections and visits of each authority are summed up in ``report.events``
    (for timelines).

    Raises:
        TypeError: *records* is a path (check_paths reads files), one record, or a DataFrame (check_frame).
    """
    _not_records(records)
    run = _Run(ruleset or default_ruleset())
    run.max_events = events
    run.dataset(_as_items(records))
    return run.report()


def check_frame(frame: Any, ruleset: RuleSet | None = None, *, profile: str | None = None,
                profiles: ProfileSet | None = None, name: str = FRAME_NAME, max_findings: int | None = None,
                events: int = 0) -> Report:
    """
    Check the rows of a pandas or polars DataFrame as one dataset: the report its CSV file would give.

    Columns are named as in a CSV file (``id``, ``framework``, ``judgements.overall_effectiveness``),
    or as in a published layout, read through a profile: the one *profile* names (a name from
    ``python -m gradecheck profiles`` or a TOML file holding one profile, as ``--profile``), else
    the one the columns fit, from *profiles* (the built-in ones by default). Records are placed at
    *name*, row *i* (from 0) at line *i* + 2 as in its CSV file (the header is line 1): a finding
    at ``<frame>:7`` is ``df.iloc[5]``. Typed cells read as their CSV text (see
    :func:`gradecheck.read.frames.read_frame`). *max_findings* and *events* are as in
    :func:`check_paths`.

    Raises:
        TypeError: *frame* is not a DataFrame.
        GradecheckError: no profile is called *profile*, or its file is not valid.
    """
    if frame_kind(frame) is None:
        path = isinstance(frame, (str, bytes)) or hasattr(frame, "__fspath__")
        hint = " (for files, use check_paths)" if path else ""
        raise TypeError(f"check_frame() takes a pandas or polars DataFrame, not {type(frame).__name__}{hint}")
    ruleset = ruleset or default_ruleset()
    if profile is not None:
        profiles = _forced_profile(profile, profiles, ruleset)
    run = _Run(ruleset, max_findings)
    run.max_events = events
    run.inputs = [name]
    run.files = 1
    run.dataset(read_frame(frame, name, profiles=profiles, raw=True))
    return run.report()


def _forced_profile(profile: str, profiles: ProfileSet | None, ruleset: RuleSet) -> ProfileSet:
    """The profiles with *profile* forced, each checked against the rules, as ``--profile`` does on the command line."""
    from ..read.profiles import load_profiles

    known = profiles if profiles is not None else load_profiles(ruleset=ruleset)
    try:
        return known.force(profile)
    except KeyError:
        names = ", ".join(p.name for p in known.profiles)
        raise GradecheckError(f"profile: no profile {profile!r} and no such file; profiles: {names}") from None


def check_paths(paths: PathArg | Iterable[PathArg], ruleset: RuleSet | None = None, *, max_findings: int | None = None,
                events: int = 0, progress: Callable[[int, int, int], None] | None = None,
                profiles: ProfileSet | None = None, workers: int | None = None, engine: str = "row") -> Report:
    """
    Check files and directories, or one given alone; each file is its own dataset (ids unique, histories, group totals).

    A workbook is one dataset, its sheets together. Files in a published layout are read through
    *profiles* (the built-in ones by default; see :mod:`gradecheck.profiles`).

    With *max_findings*, only the first that many findings are listed (the rest are counted), and
    memory stays bounded however many records fail. With *events*, up to that many inspections and
    visits of each authority are summed up in ``report.events`` (for timelines; the rest are counted in
    ``report.omitted_events``). *progress* is called now and then with
    (records read, files done, files in all). *workers* caps the processes used for one large file
    (default: every core; 1 for a single process).

    *engine* is "row" (the default), "columnar" or "auto". With "columnar", each CSV file in gradecheck's own
    layout is read with polars (the ``columnar`` extra) and checked column-wise; only the rows that do not
    surely pass every rule go through the row engine, so the report is the same (see
    :mod:`gradecheck.columnar`, which says when a file still takes the row path). "auto" does so for CSV
    files of at least 8 MB when polars is installed.

    Raises:
        InputError: a path does not exist or a directory has no data files.
        TypeError: *paths* holds something that is not a path (records: check; a DataFrame: check_frame).
        ValueError: *engine* is none of those three.
    """
    paths = _paths(paths)
    if engine not in ("row", "columnar", "auto"):
        raise ValueError(f"engine must be 'row', 'columnar' or 'auto', not {engine!r}")
    ruleset = ruleset or default_ruleset()
    run = _Run(ruleset, max_findings)
    run.max_events, run.progress = events, progress
    run.inputs = discover(paths, run.skipped)
    # Every core, where a file is large enough: each worker checks its share and folds it into summaries
    # for the dataset rules, which merge in file order.
    workers = (os.cpu_count() or 1) if workers is None else workers
    # Workers read with the built-in profiles only: files read through --profile(s) stay in one process.
    split = workers > 1 and not events and progress is None and profiles is None
    before: FileStats | None = None  # the counts when the file being checked began, for its share (per_file)
    for path in run.inputs:
        if before is not None:
            run.file_done(before)
        before = run.counts(path)
        run.files += 1
        if engine != "row" and path.lower().endswith(".csv") and _columnar(path, engine):
            from .columnar import check_csv

            if check_csv(path, run, ruleset, explicit=engine == "columnar", profiles=profiles, workers=workers):
                if progress is not None:
                    progress(run.records, run.files, len(run.inputs))
                continue
        points = plan(path, workers) if split else None
        if points:
            # This process checks the first share itself while forked workers check the others; their
            # states (findings, counts, dataset summaries) then merge in file order.
            run.begin()
            run.where = Origin(path, 0)
            (start, end), rest = points[0], points[1:]

            def first_share(path: str = path, start: int = start, end: int = end) -> None:
                run.fold(read_range(path, start, end, 1, b"", raw=True))
                run.rest()

            run.finish_shares(run_parallel(path, rest, lambda: _Run(ruleset, max_findings), meanwhile=first_share))
            continue
        # A workbook is one dataset too, its sheets together (a history sheet beside a visits sheet).
        run.dataset(read_path(path, profiles=profiles, raw=True))
        if progress is not None:
            progress(run.records, run.files, len(run.inputs))
    if before is not None:
        run.file_done(before)
    return run.report()


PathArg = str | bytes | os.PathLike[str] | os.PathLike[bytes]


def _not_records(records: object) -> None:
    """Refuse what check() would iterate into nonsense: a path's characters, a record's keys, a frame's columns."""
    if isinstance(records, (str, bytes, os.PathLike)):
        raise TypeError(f"check() takes records, not a path: to check files, use check_paths({records!r})")
    if isinstance(records, (Mapping, Record)):
        raise TypeError("check() takes an iterable of records, not one record: check([record])")
    if frame_kind(records) is not None:
        raise TypeError("check() takes records, not a DataFrame: use check_frame(df)")


def _paths(paths: PathArg | Iterable[PathArg]) -> list[str]:
    """check_paths' paths as text: one path given alone is a list of one, not the characters of its name."""
    if isinstance(paths, (str, bytes, os.PathLike)):
        paths = [paths]
    elif frame_kind(paths) is not None:
        raise TypeError("check_paths() takes files or directories, not a DataFrame: use check_frame(df)")
    out = []
    for path in paths:
        if not isinstance(path, (str, bytes, os.PathLike)):
            hint = " (records in memory: use check(records))" if isinstance(path, (Mapping, Record)) else ""
            raise TypeError(f"check_paths() takes file or directory paths, not {type(path).__name__}{hint}")
        out.append(os.fsdecode(path))
    return out


def _columnar(path: str, engine: str) -> bool:
    """Whether to try the columnar engine on this CSV file: asked for, or (auto) large enough and polars installed."""
    if engine == "columnar":
        return True
    from .columnar import AUTO_MIN_BYTES, available

    try:
        return os.path.getsize(path) >= AUTO_MIN_BYTES and available()
    except OSError:
        return False
