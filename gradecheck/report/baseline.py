"""
Baselines, waivers and comparing runs: which findings are new, which were known, which are accepted.

A finding's identity is its rule and its record id, under a rule-set version (``Report.ruleset``).
Runs are compared as multisets of identities: a record that fails a rule twice has two findings, and
a later run with one is one fixed. Where several findings share an identity, those with the same
message are paired first, so the one that changed is the one reported.

A baseline file is a JSON report (``--format json``) of the findings that counted: the same file
serves ``--baseline`` and ``python -m gradecheck diff``. A waivers file is TOML::

    [[waiver]]
    rule = "J104"
    record = "bournemouth-2018-07-16-ilacs"
    reason = "A real exception in Ofsted's own outcomes table"
    expires = 2027-03-31          # optional: the last day the waiver holds
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import tomllib
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

import attrs
from attrs import frozen

from ..errors import GradecheckError
from ..records import Origin
from .model import Finding, Report, Triage, Waived, Waiver, WaiverProblem

__all__ = [
    "Baseline",
    "Diff",
    "apply_baseline_options",
    "diff_command",
    "diff_reports",
    "load_waivers",
    "read_baseline",
    "read_report",
    "render_diff",
    "triage",
    "write_baseline",
]

_WAIVER_KEYS = {"rule", "record", "reason", "expires"}
_MAX_BYTES = 64 * 1024 * 1024


@frozen
class Baseline:
    """The findings a baseline file holds, as (rule, record, message) triples, and its rule-set version."""

    path: str
    ruleset: str
    entries: tuple[tuple[str, str, str], ...]


# --- reading ------------------------------------------------------------------------------------

def read_report(path: str | Path, what: str = "report") -> dict[str, Any]:
    """
    Read a JSON report written by ``--format json`` (or a baseline file).

    Raises:
        GradecheckError: the file cannot be read or is not a gradecheck JSON report.
    """
    p = Path(path)
    try:
        if p.stat().st_size > _MAX_BYTES:
            raise GradecheckError(f"{what} {path}: larger than {_MAX_BYTES // (1024 * 1024)} MB")
        data = json.loads(p.read_text(encoding="utf-8-sig"))
    except OSError as err:
        raise GradecheckError(f"{what} {path}: {err.strerror or err}") from err
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise GradecheckError(f"{what} {path}: not a JSON report ({err})") from err
    findings = data.get("findings") if isinstance(data, dict) else None
    if not isinstance(findings, list) or not isinstance(data.get("summary"), dict):
        raise GradecheckError(f"{what} {path}: not a gradecheck JSON report (expected an object with "
                              f"'summary' and 'findings'; write one with --format json)")
    for i, item in enumerate(findings):
        if not (isinstance(item, dict) and isinstance(item.get("rule"), str) and isinstance(item.get("record"), str)):
            raise GradecheckError(f"{what} {path}: findings[{i}] has no 'rule' and 'record'")
    return data


def read_baseline(path: str | Path) -> Baseline:
    """The findings recorded in a baseline file (a JSON report)."""
    data = read_report(path, "--baseline")
    entries = tuple((f["rule"], f["record"], str(f.get("message", ""))) for f in data["findings"])
    return Baseline(str(path), str(data["summary"].get("ruleset", "")), entries)


def write_baseline(report: Report, path: str | Path) -> int:
    """
    Record the findings that count today (new and already baselined; waived ones stay out) in *path*.

    Returns how many findings were written.

    Raises:
        GradecheckError: the file cannot be written.
    """
    from .render import report_to_dict

    kept = report.findings + (report.triage.baselined if report.triage else ())
    full = attrs.evolve(report, findings=tuple(sorted(kept, key=Finding.sort_key)), triage=None,
                        events=(), omitted=0, hidden={})
    data = report_to_dict(full)
    data["summary"]["baseline_recorded"] = dt.date.today().isoformat()
    try:
        Path(path).write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    except OSError as err:
        raise GradecheckError(f"--baseline {path}: {err.strerror or err}") from err
    return len(kept)


def load_waivers(path: str | Path) -> tuple[Waiver, ...]:
    """
    Read a waivers file (TOML, ``[[waiver]]`` tables with rule, record, reason and an optional expiry).

    Raises:
        GradecheckError: listing every problem in the file at once.
    """
    try:
        doc = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as err:
        raise GradecheckError(f"--waivers {path}: {err.strerror or err}") from err
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise GradecheckError(f"--waivers {path}: not valid TOML: {err}") from err
    problems: list[str] = [f"unknown top-level key {k!r}; expected [[waiver]] tables"
                           for k in sorted(set(doc) - {"waiver"})]
    tables = doc.get("waiver", [])
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        problems.append("'waiver' must be an array of tables: write [[waiver]]")
        tables = []
    waivers: list[Waiver] = []
    for i, table in enumerate(tables):
        where = f"{path}: waiver[{i}]"
        bad = [f"{where}: unknown key {k!r}; expected one of {', '.join(sorted(_WAIVER_KEYS))}"
               for k in sorted(set(table) - _WAIVER_KEYS)]
        for key in ("rule", "record", "reason"):
            value = table.get(key)
            if not isinstance(value, str) or not value.strip():
                bad.append(f"{where}: key {key!r}: required text, found {value!r}")
        expires = table.get("expires")
        if isinstance(expires, str):
            with contextlib.suppress(ValueError):
                expires = dt.date.fromisoformat(expires)
        if expires is not None and (not isinstance(expires, dt.date) or isinstance(expires, dt.datetime)):
            bad.append(f"{where}: key 'expires': expected a date like 2026-12-31, found {table.get('expires')!r}")
        problems += bad
        if not bad:
            waivers.append(Waiver(table["rule"].strip().upper(), table["record"].strip(), table["reason"].strip(),
                                  expires, where=f"{path}: waiver[{i}]"))
    if problems:
        head = f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in waivers file {path}:"
        raise GradecheckError("\n".join([head, *(f"  {p}" for p in problems)]))
    return tuple(waivers)


# --- triage -------------------------------------------------------------------------------------

def _pair(items: Sequence[Finding],
          known: Iterable[tuple[str, str, str]]) -> tuple[list[Finding], list[Finding], list[tuple[str, str, str]]]:
    """Split *items* into (matched, unmatched) against *known*; also return the known entries left over."""
    left: dict[tuple[str, str], list[str]] = defaultdict(list)
    for rule, record, message in known:
        left[(rule, record)].append(message)
    matched: set[int] = set()
    # Same identity and same message first, then same identity: a changed message is still the finding.
    for exact in (True, False):
        for i, f in enumerate(items):
            if i in matched:
                continue
            pool = left.get(f.identity)
            if not pool:
                continue
            if exact:
                if f.message in pool:
                    pool.remove(f.message)
                    matched.add(i)
            else:
                pool.pop(0)
                matched.add(i)
    rest = [(rule, record, m) for (rule, record), msgs in sorted(left.items()) for m in msgs]
    return ([f for i, f in enumerate(items) if i in matched],
            [f for i, f in enumerate(items) if i not in matched],
            rest)


def triage(report: Report, *, baseline: Baseline | None = None, waivers: Sequence[Waiver] = (),
           today: dt.date | None = None) -> Report:
    """
    Apply waivers, then a baseline: the returned report's ``findings`` are those that count.

    A waiver covers the findings of its (rule, record) until the end of its ``expires`` day. An
    expired waiver covers nothing and is reported; so is a waiver that matches no finding of a rule
    checked in this run. Both are warnings: ``--fail-on warning`` makes them fail the run.
    """
    today = today or dt.date.today()
    checked_rules = set(report.stats) or None
    by_pair: dict[tuple[str, str], Waiver] = {}
    problems: list[WaiverProblem] = []
    for w in waivers:
        first = by_pair.get((w.rule, w.record))
        if first is not None:
            problems.append(WaiverProblem(w, f"repeats the waiver at {first.where}"))
        elif w.expires is not None and w.expires < today:
            problems.append(WaiverProblem(w, f"expired on {w.expires.isoformat()}"))
        else:
            by_pair[(w.rule, w.record)] = w
    waived: list[Waived] = []
    counted: list[Finding] = []
    used: set[tuple[str, str]] = set()
    for f in report.findings:
        w = by_pair.get(f.identity)
        if w is None:
            counted.append(f)
        else:
            waived.append(Waived(f, w))
            used.add(f.identity)
    for pair, w in by_pair.items():
        if pair not in used and (checked_rules is None or w.rule in checked_rules):
            problems.append(WaiverProblem(w, "matches no finding: the record was fixed, renamed or not checked; "
                                             "remove the waiver"))
    baselined: list[Finding] = []
    fixed: list[tuple[str, str]] = []
    if baseline is not None:
        baselined, counted, rest = _pair(counted, baseline.entries)
        # A baseline entry that was waived since is not "fixed": it is still there, only accepted.
        waived_ids = {x.finding.identity for x in waived}
        fixed = [(rule, record) for rule, record, _ in rest if (rule, record) not in waived_ids]
    problems.sort(key=lambda p: (p.waiver.where, p.problem))
    return attrs.evolve(report, findings=tuple(counted), triage=Triage(
        baselined=tuple(baselined), fixed=tuple(fixed), waived=tuple(waived), problems=tuple(problems),
        baseline=baseline.path if baseline else None, baseline_ruleset=baseline.ruleset if baseline else None,
    ))


# --- comparing two runs -------------------------------------------------------------------------

@frozen
class Diff:
    """What changed between two JSON reports: findings new in the second, fixed since the first."""

    old: str
    new: str
    old_ruleset: str
    new_ruleset: str
    added: tuple[Mapping[str, Any], ...]
    fixed: tuple[Mapping[str, Any], ...]
    unchanged: int
    partial: bool

    @property
    def same_rules(self) -> bool:
        return self.old_ruleset == self.new_ruleset


def _finding(d: Mapping[str, Any]) -> Finding:
    path, _, line = str(d.get("source", "")).rpartition(":")
    origin = Origin(path, int(line)) if line.isdecimal() else Origin(str(d.get("source", "")), 0)
    return Finding(rule=d["rule"], severity=str(d.get("severity", "error")), record=d["record"], source=origin,
                   message=str(d.get("message", "")))


def diff_reports(old_path: str | Path, new_path: str | Path) -> Diff:
    """Compare two JSON reports by finding identity (rule, record id)."""
    old, new = read_report(old_path, "OLD"), read_report(new_path, "NEW")
    old_items, new_items = old["findings"], new["findings"]
    new_findings = [_finding(d) for d in new_items]
    known = [(d["rule"], d["record"], str(d.get("message", ""))) for d in old_items]
    matched, added, _ = _pair(new_findings, known)
    old_findings = [_finding(d) for d in old_items]
    now = [(f.rule, f.record, f.message) for f in new_findings]
    _, gone, _ = _pair(old_findings, now)
    added_ids = {id(f) for f in added}
    gone_ids = {id(f) for f in gone}
    partial = any(r["summary"].get("omitted_findings") for r in (old, new))
    return Diff(
        old=str(old_path), new=str(new_path),
        old_ruleset=str(old["summary"].get("ruleset", "")), new_ruleset=str(new["summary"].get("ruleset", "")),
        added=tuple(d for d, f in zip(new_items, new_findings, strict=True) if id(f) in added_ids),
        fixed=tuple(d for d, f in zip(old_items, old_findings, strict=True) if id(f) in gone_ids),
        unchanged=len(matched), partial=partial,
    )


def _line(d: Mapping[str, Any]) -> str:
    return f"{d.get('source', '?')}: {d['rule']} [{d.get('severity', '?')}] {d['record']}: {d.get('message', '')}"


def render_diff(diff: Diff, fmt: str = "text") -> str:
    """The comparison as text (for people) or JSON (for programs)."""
    if fmt == "json":
        return json.dumps({
            "old": {"file": diff.old, "ruleset": diff.old_ruleset},
            "new": {"file": diff.new, "ruleset": diff.new_ruleset},
            "same_ruleset": diff.same_rules, "partial": diff.partial,
            "new_findings": list(diff.added), "fixed_findings": list(diff.fixed), "unchanged": diff.unchanged,
        }, indent=2, ensure_ascii=False) + "\n"
    lines: list[str] = []
    if not diff.same_rules:
        lines.append(f"Note: the rule sets differ ({diff.old_ruleset or 'unknown'} then "
                     f"{diff.new_ruleset or 'unknown'}); findings are matched by rule and record id all the same.")
    if diff.partial:
        lines.append("Note: a report lists only some of its findings (--max-findings), so the comparison is partial.")
    lines.append(f"New in {diff.new} ({len(diff.added)}):")
    lines += [f"  {_line(d)}" for d in diff.added] or ["  none"]
    lines.append(f"Fixed since {diff.old} ({len(diff.fixed)}):")
    lines += [f"  {_line(d)}" for d in diff.fixed] or ["  none"]
    lines.append(f"{len(diff.added)} new, {len(diff.fixed)} fixed, {diff.unchanged} unchanged.")
    return "\n".join(lines) + "\n"


# --- the command line ---------------------------------------------------------------------------

def apply_baseline_options(report: Report, *, baseline: str | None, update: bool, waivers: str | None,
                           note: Callable[[str], Any], today: dt.date | None = None) -> Report:
    """
    What ``--baseline FILE [--update-baseline] --waivers FILE`` do to a report.

    With a baseline file that exists (and no ``--update-baseline``), findings it records are known
    and only new ones count. Where it does not exist, or with ``--update-baseline``, today's findings
    (less the waived ones) are recorded in it, and so are all known. *note* gets one line for people.
    """
    accepted = load_waivers(waivers) if waivers else ()
    if baseline is None:
        return triage(report, waivers=accepted, today=today)
    if update or not Path(baseline).exists():
        written = write_baseline(triage(report, waivers=accepted, today=today), baseline)
        note(f"gradecheck: recorded {written} finding{'s' if written != 1 else ''} in the baseline {baseline}; "
             "later runs fail only on new ones\n")
    known = read_baseline(baseline)
    if known.ruleset and report.ruleset and known.ruleset != report.ruleset:
        note(f"gradecheck: the baseline {baseline} was recorded under rule set {known.ruleset}, this run uses "
             f"{report.ruleset}: findings are matched by rule and record id all the same\n")
    return triage(report, baseline=known, waivers=accepted, today=today)


def diff_command(argv: Sequence[str], out: TextIO) -> int:
    """``python -m gradecheck diff OLD.json NEW.json [--format text|json]``: exit 1 when anything is new."""
    import argparse
    import sys

    parser = argparse.ArgumentParser(
        prog="python -m gradecheck diff",
        description="Compare two JSON reports (--format json, or baseline files): what is new, what was fixed. "
                    "Findings are the same when their rule and record id are. Exit code 1 when there are new findings.")
    parser.add_argument("old", metavar="OLD.json")
    parser.add_argument("new", metavar="NEW.json")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    try:
        args = parser.parse_args(list(argv))
    except SystemExit as stop:  # argparse exits 2 on bad arguments, which is our "could not run"
        return int(stop.code or 0)
    try:
        result = diff_reports(args.old, args.new)
    except GradecheckError as err:
        sys.stderr.write(f"gradecheck: {err}\n")
        return 2
    out.write(render_diff(result, args.format))
    return 1 if result.added else 0
